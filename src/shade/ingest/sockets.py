"""Network sources: a TCP feed we connect to, TCP clients that connect to us, UDP datagrams.

Each reads with blocking sockets and a short timeout (``POLL_SECONDS``) so that it notices
``stop`` promptly; each read is stamped with one receive time. Listening sockets are bound
when the source is made, so a port in use is an error before ingest starts, and port 0
picks a free port (``address`` tells which).

- ``TcpClientSource``: connects to an AIS server and reads lines. When the connection drops
  or is refused it logs one line and tries again after 1 s, then 2, 4 ... up to
  ``reconnect_max_seconds``; the wait goes back to 1 s once a connection delivers data.
- ``TcpListenSource``: accepts any number of clients, each its own source id
  (``tcp://peer:port``), served by one thread through a selector.
- ``UdpSource``: each datagram holds one line or several; each sender is its own source id.
  Datagrams cannot wait: when ingest is behind, the pipeline drops and counts them.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
from collections.abc import Generator

from shade.errors import InputError
from shade.ingest.lines import (
    POLL_SECONDS,
    Chunk,
    Clock,
    LineSplitter,
    Source,
    address_text,
    utc_now,
)

log = logging.getLogger(__name__)

_RECV_BYTES = 1 << 16
_CONNECT_TIMEOUT_SECONDS = 10.0
_UDP_BUFFER_BYTES = 4 << 20  # absorbs bursts while decoding catches up; the kernel may cap it


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _keep_alive(conn: socket.socket) -> None:
    """Probe an idle connection, so a feed whose peer vanished (no FIN, no RST: a cable
    pulled, a NAT that forgot us) is seen as dropped within about two minutes rather than
    after the system's default of two hours."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 15), ("TCP_KEEPCNT", 4)):
        if hasattr(socket, option):
            conn.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


class TcpClientSource(Source):
    """Lines from an AIS server, reconnecting for as long as ingest runs."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        max_wait_seconds: float = 60.0,
        first_wait_seconds: float = 1.0,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(address_text("tcp", host, port), clock)
        self.host, self.port = host, port
        self._first_wait = first_wait_seconds
        self._max_wait = max_wait_seconds
        self._wait = first_wait_seconds  # before the next attempt, after a failure or drop
        self.connected = threading.Event()  # set while a connection is up

    def chunks(self, stop: threading.Event) -> Generator[Chunk, None, None]:
        self._wait = self._first_wait
        while not stop.is_set():
            try:
                conn = socket.create_connection(
                    (self.host, self.port), timeout=_CONNECT_TIMEOUT_SECONDS
                )
            except OSError as exc:
                self.failures += 1
                log.warning(
                    "%s: cannot connect (%s); next try in %g s", self.name, _reason(exc), self._wait
                )
                self._back_off(stop)
                continue
            log.info("%s: connected", self.name)
            splitter = LineSplitter()
            with conn:
                why = yield from self._read(conn, splitter, stop)
            if rest := splitter.end():
                yield Chunk(rest, self.clock(), self.name)
            if stop.is_set():
                return
            self.drops += 1
            log.warning(
                "%s: connection dropped (%s); reconnecting in %g s", self.name, why, self._wait
            )
            self._back_off(stop)

    def _back_off(self, stop: threading.Event) -> None:
        stop.wait(self._wait)
        self._wait = min(self._wait * 2, self._max_wait)

    def _read(
        self, conn: socket.socket, splitter: LineSplitter, stop: threading.Event
    ) -> Generator[Chunk, None, str]:
        """Chunks from one connection until it drops (returns why) or ``stop`` is set."""
        conn.settimeout(POLL_SECONDS)
        _keep_alive(conn)
        self.connected.set()
        try:
            while not stop.is_set():
                try:
                    data = conn.recv(_RECV_BYTES)
                except TimeoutError:
                    continue
                except OSError as exc:
                    return _reason(exc)
                if not data:
                    return "closed by the server"
                self._wait = self._first_wait  # a connection that delivers is a good one
                if lines := splitter.feed(data):
                    yield Chunk(lines, self.clock(), self.name)
            return "stopped"
        finally:
            self.connected.clear()


class _Client:
    __slots__ = ("name", "splitter")

    def __init__(self, name: str) -> None:
        self.name = name
        self.splitter = LineSplitter()


class TcpListenSource(Source):
    """Lines from every client that connects; each client is a source id of its own."""

    def __init__(self, host: str, port: int, *, clock: Clock = utc_now) -> None:
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            self._server = socket.create_server((host, port), family=family, backlog=16)
        except OSError as exc:
            where = address_text("tcp-listen", host, port)
            raise InputError(f"{where}: cannot listen ({_reason(exc)})") from None
        self.address: tuple[str, int] = self._server.getsockname()[:2]
        super().__init__(address_text("tcp-listen", *self.address), clock)
        self.clients = 0  # clients accepted so far

    def close(self) -> None:
        self._server.close()

    def chunks(self, stop: threading.Event) -> Generator[Chunk, None, None]:
        selector = selectors.DefaultSelector()
        self._server.setblocking(False)
        selector.register(self._server, selectors.EVENT_READ, None)
        try:
            while not stop.is_set():
                for key, _ in selector.select(POLL_SECONDS):
                    if key.data is None:
                        self._accept(selector)
                        continue
                    conn: socket.socket = key.fileobj  # type: ignore[assignment]
                    client: _Client = key.data
                    try:
                        data = conn.recv(_RECV_BYTES)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as exc:
                        log.info("%s: client %s lost (%s)", self.name, client.name, _reason(exc))
                        data = b""
                    if data:
                        if lines := client.splitter.feed(data):
                            yield Chunk(lines, self.clock(), client.name)
                        continue
                    selector.unregister(conn)
                    conn.close()
                    log.info("%s: client %s left", self.name, client.name)
                    yield Chunk(client.splitter.end(), self.clock(), client.name, end=True)
        finally:
            for key in list(selector.get_map().values()):
                key.fileobj.close()  # type: ignore[union-attr]
            selector.close()

    def _accept(self, selector: selectors.BaseSelector) -> None:
        try:
            conn, peer = self._server.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:  # out of file descriptors, say: the listener goes on
            log.warning("%s: cannot accept a client (%s)", self.name, _reason(exc))
            return
        conn.setblocking(False)
        client = _Client(address_text("tcp", peer[0], peer[1]))
        selector.register(conn, selectors.EVENT_READ, client)
        self.clients += 1
        log.info("%s: client %s connected", self.name, client.name)


class UdpSource(Source):
    """Lines from UDP datagrams; each sender is a source id of its own."""

    lossy = True

    def __init__(self, host: str, port: int, *, clock: Clock = utc_now) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _UDP_BUFFER_BYTES)
            self._sock.bind((host, port))
        except OSError as exc:
            self._sock.close()
            where = address_text("udp", host, port)
            raise InputError(f"{where}: cannot listen ({_reason(exc)})") from None
        self.address: tuple[str, int] = self._sock.getsockname()[:2]
        super().__init__(address_text("udp", *self.address), clock)
        self.datagrams = 0

    def close(self) -> None:
        self._sock.close()

    def chunks(self, stop: threading.Event) -> Generator[Chunk, None, None]:
        self._sock.settimeout(POLL_SECONDS)
        while not stop.is_set():
            try:
                data, peer = self._sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError as exc:
                # Some systems report an earlier send's ICMP error here: not fatal.
                log.info("%s: %s", self.name, _reason(exc))
                continue
            self.datagrams += 1
            lines = data.replace(b"\r\n", b"\n").split(b"\n")
            if not lines[-1]:
                lines.pop()
            if lines:
                yield Chunk(lines, self.clock(), address_text("udp", peer[0], peer[1]))
