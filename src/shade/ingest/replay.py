"""Replay: send a capture's lines to a live pipeline again, with their original timing scaled.

A line's time is its tag block's or receiver field's, as ``nmea.parse_sentence`` reads it;
a line without one goes out right after the line before it. Time is followed forward only:
a line older than the latest time seen (receivers' clocks differ by a second or so, joined
captures jump back) goes out at once rather than being waited for. ``speed`` divides the
waits: 1 is real time, 20 twenty times faster, 0 as fast as possible.

To ``udp://HOST:PORT`` the lines due at one moment go out together, in datagrams of at most
``DATAGRAM_BYTES`` (under a usual MTU, so never fragmented), as receivers send them. To
``tcp://HOST:PORT`` replay connects to a listener (``shade ingest tcp-listen://...``) and
writes to it. UDP has no flow control: at speed 0 a large capture can outrun its receiver.
"""

from __future__ import annotations

import math
import socket
import time
from typing import NamedTuple, Protocol

from shade.ais.nmea import Sentence, parse_sentence
from shade.errors import InputError
from shade.ingest.files import Capture
from shade.ingest.sources import parse_source

DATAGRAM_BYTES = 1400
_TCP_WRITE_BYTES = 1 << 16
_CONNECT_TIMEOUT_SECONDS = 10.0


class ReplayResult(NamedTuple):
    lines: int
    sends: int  # datagrams sent, or writes to the TCP connection
    seconds: float


def line_time(line: bytes) -> float | None:
    """UNIX seconds from the line's tag block or receiver field; None if it has none."""
    sentence = parse_sentence(line.strip())
    return sentence.received_at if isinstance(sentence, Sentence) else None


class Schedule:
    """When each line is due, in seconds from the start, following times forward only."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._first: float | None = None
        self._latest = 0.0

    def due(self, stamp: float | None) -> float:
        if stamp is not None:
            if self._first is None:
                self._first = self._latest = stamp
            elif stamp > self._latest:
                self._latest = stamp
        if self._first is None or self.speed == 0:
            return 0.0
        return (self._latest - self._first) / self.speed


class _Sender(Protocol):
    sends: int

    def add(self, line: bytes) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


class _UdpSender:
    def __init__(self, address: tuple[str, int], family: int) -> None:
        self._address = address
        self._sock = socket.socket(family, socket.SOCK_DGRAM)
        self._parts: list[bytes] = []
        self._size = 0
        self.sends = 0

    def add(self, line: bytes) -> None:
        data = line + b"\r\n"
        if self._parts and self._size + len(data) > DATAGRAM_BYTES:
            self.flush()
        self._parts.append(data)
        self._size += len(data)

    def flush(self) -> None:
        if self._parts:
            self._sock.sendto(b"".join(self._parts), self._address)
            self.sends += 1
            self._parts.clear()
            self._size = 0

    def close(self) -> None:
        self._sock.close()


class _TcpSender:
    def __init__(self, conn: socket.socket) -> None:
        self._conn = conn
        self._parts: list[bytes] = []
        self._size = 0
        self.sends = 0

    def add(self, line: bytes) -> None:
        self._parts.append(line + b"\r\n")
        self._size += len(line) + 2
        if self._size >= _TCP_WRITE_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._conn.sendall(b"".join(self._parts))
            self.sends += 1
            self._parts.clear()
            self._size = 0

    def close(self) -> None:
        self._conn.close()


def _open_sender(to: str) -> _Sender:
    spec = parse_source(to)
    if spec.kind not in ("udp", "tcp") or not spec.host or not spec.port:
        raise InputError(f"{to}: replay sends to udp://HOST:PORT or tcp://HOST:PORT")
    try:
        if spec.kind == "tcp":
            conn = socket.create_connection(
                (spec.host, spec.port), timeout=_CONNECT_TIMEOUT_SECONDS
            )
            conn.settimeout(None)
            return _TcpSender(conn)
        found = socket.getaddrinfo(spec.host, spec.port, type=socket.SOCK_DGRAM)
        family, _, _, _, address = found[0]
    except OSError as exc:
        raise InputError(f"{to}: cannot connect ({exc.strerror or exc})") from None
    return _UdpSender((str(address[0]), int(address[1])), family)


def replay(path: str, to: str, speed: float = 1.0) -> ReplayResult:
    """Send every line of a capture (plain, gzip or ``-``) to ``to``; return what was sent."""
    if not (speed >= 0 and math.isfinite(speed)):
        raise InputError(f"the speed must be 0 (as fast as possible) or more, not {speed}")
    lines = 0
    with Capture(path) as capture:
        sender = _open_sender(to)
        schedule = Schedule(speed)
        start = time.monotonic()
        try:
            for block in capture.blocks():
                for line in block:
                    if speed:
                        wait = start + schedule.due(line_time(line)) - time.monotonic()
                        if wait > 0:
                            sender.flush()  # what is due now goes out before the wait
                            time.sleep(wait)
                    sender.add(line.rstrip(b"\r"))
                    lines += 1
            sender.flush()
        except OSError as exc:
            raise InputError(f"{to}: cannot send ({exc.strerror or exc})") from None
        finally:
            sender.close()
    return ReplayResult(lines, sender.sends, time.monotonic() - start)
