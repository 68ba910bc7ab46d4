"""What every source yields: lines stamped with their receive time and a source id.

This module owns the vocabulary shared by the sources (``tail``, ``sockets``) and the
pipeline: ``Line`` and ``Chunk`` (lines received together), the ``Clock`` that stamps them,
the ``Source`` base class and ``LineSplitter``, which cuts a byte stream into lines.

A source reads the clock once per read (one file block, one ``recv``, one datagram) and
stamps every line of that read with it. That is the one place a receive time is taken:
everything downstream is handed the time, never reads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from datetime import UTC, datetime
from typing import NamedTuple

Clock = Callable[[], datetime]  # returns the current time, UTC-aware
POLL_SECONDS = 0.2  # longest a source waits on a socket or a file before looking at `stop`
MAX_LINE_BYTES = 1 << 16  # NMEA lines are under 100 bytes; longer runs are cut, not hoarded


def utc_now() -> datetime:
    """The real clock: now, in UTC."""
    return datetime.now(UTC)


class Line(NamedTuple):
    """One line as a source received it (line ending removed)."""

    text: bytes
    received_at: datetime  # UTC, when the source read it
    source: str  # where it came from: a path, tcp://host:port, udp://host:port


class Chunk(NamedTuple):
    """Lines a source received in one read, so they share one receive time."""

    texts: list[bytes]  # line endings removed
    received_at: datetime
    source: str
    end: bool = False  # the source id sends nothing more (a TCP client left)

    def lines(self) -> list[Line]:
        return [Line(text, self.received_at, self.source) for text in self.texts]


class Source:
    """A source of chunks of lines; subclasses implement ``chunks``.

    ``chunks`` blocks while it waits for input and returns soon (within ``POLL_SECONDS``)
    after ``stop`` is set, or when its input ends (a file read to the end). Counters are
    written by the thread running ``chunks`` and only read elsewhere.
    """

    lossy = False  # True for datagrams: dropped (and counted) when ingest is behind
    size: int | None = None  # bytes to read, when known (a file not followed)

    def __init__(self, name: str, clock: Clock) -> None:
        self.name = name  # the SOURCE text it was opened from
        self.clock = clock
        self.position = 0  # bytes read so far (compressed bytes for gzip)
        self.drops = 0  # connections lost after they were made
        self.failures = 0  # connection attempts that failed

    def chunks(self, stop: threading.Event) -> Generator[Chunk, None, None]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the source holds (sockets bound at construction)."""


class LineSplitter:
    """Cuts a byte stream into lines, holding a partial last line until its end arrives."""

    def __init__(self) -> None:
        self.rest = b""

    def feed(self, data: bytes) -> list[bytes]:
        # One replace over the buffer is far cheaper than stripping '\r' line by line.
        lines = (self.rest + data).replace(b"\r\n", b"\n").split(b"\n")
        self.rest = lines.pop()
        if len(self.rest) > MAX_LINE_BYTES:
            # A peer that never sends a newline must not grow memory: pass the run on as a
            # line; the decoder counts it as what it is.
            lines.append(self.rest)
            self.rest = b""
        return lines

    def end(self) -> list[bytes]:
        """The partial last line, if any: at the end of a stream it is a line too."""
        rest, self.rest = self.rest.rstrip(b"\r"), b""
        return [rest] if rest else []


def address_text(scheme: str, host: str, port: int) -> str:
    """``scheme://host:port``, with an IPv6 host in brackets."""
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"
