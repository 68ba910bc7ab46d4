"""Capture files as a source: read once through ``files.Capture``, or followed like ``tail -F``.

Read once, a file (plain or gzip) is read block by block and ends at its end. Plain stdin
is passed on as it comes, line by line as a feed writes it (``nc feeder 10110 | shade
ingest -``); gzip on stdin is read like a file.
Followed (``follow=True``, plain files only), it is read from its start and then kept open:
appended lines are read as they come; a file truncated in place (``copytruncate``) is read
again from its start; a file moved away and replaced (rotation) is read to its end and the
new file at the path is followed from its start. A partial last line waits for its newline,
since the writer may be halfway through it.
"""

from __future__ import annotations

import logging
import os
import select
import sys
import threading
from collections.abc import Generator
from io import BufferedReader
from pathlib import Path
from typing import BinaryIO

from shade.ingest.files import Capture
from shade.ingest.lines import POLL_SECONDS, Chunk, Clock, LineSplitter, Source, utc_now

log = logging.getLogger(__name__)

_GZIP_MAGIC = b"\x1f\x8b"
_READ_BYTES = 1 << 20


class FileSource(Source):
    """Lines of a capture file, or of stdin (``-``)."""

    def __init__(
        self,
        path: str,
        *,
        follow: bool = False,
        clock: Clock = utc_now,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__(path, clock)
        self._poll = poll_seconds
        self._capture: Capture | None = None
        self.follow = False
        if path == "-":
            return  # opened when read: looking for gzip's magic would wait for input
        # Opened here, so a missing or unreadable file is an error before ingest starts.
        self._capture = Capture(path)
        self.follow = follow and not _is_gzip(Path(path))
        if follow and not self.follow:
            log.warning("%s: a gzip file is read to its end, not followed", path)
        self.size = None if self.follow else self._capture.size

    def close(self) -> None:
        if self._capture is not None:
            self._capture.close()

    def chunks(self, stop: threading.Event) -> Generator[Chunk, None, None]:
        if self._capture is None:
            stdin = sys.stdin.buffer
            if isinstance(stdin, BufferedReader) and stdin.peek(2)[:2] != _GZIP_MAGIC:
                yield from self._live(stdin, stop)
                return
            self._capture = Capture("-")
        if self.follow:
            self._capture.close()
            yield from self._followed(stop)
            return
        with self._capture as capture:
            for block in capture.blocks():
                self.position = capture.position
                yield Chunk([line.rstrip(b"\r") for line in block], self.clock(), self.name)
                if stop.is_set():
                    return

    def _live(self, stream: BufferedReader, stop: threading.Event) -> Generator[Chunk, None, None]:
        """Plain stdin, passed on as it comes (``nc feeder 10110 | shade ingest -``).

        ``read1`` returns what is there rather than waiting for a whole block, and ``select``
        lets ``stop`` be seen while the writer is silent.
        """
        splitter = LineSplitter()
        data = stream.read1(_READ_BYTES)  # what peek buffered: select sees only the pipe
        while data:
            self.position += len(data)
            if lines := splitter.feed(data):
                yield Chunk(lines, self.clock(), self.name)
            data = self._next(stream, stop)
        if rest := splitter.end():
            yield Chunk(rest, self.clock(), self.name)

    def _next(self, stream: BufferedReader, stop: threading.Event) -> bytes:
        """The next bytes there are; b"" at the end of the input or once stop is set."""
        while not stop.is_set():
            if select.select([stream], [], [], self._poll)[0]:
                return stream.read1(_READ_BYTES)
        return b""

    def _followed(self, stop: threading.Event) -> Generator[Chunk, None, None]:
        path = Path(self.name)
        splitter = LineSplitter()
        handle: BinaryIO = path.open("rb")
        try:
            while not stop.is_set():
                data = handle.read(_READ_BYTES)
                if data:
                    self.position = handle.tell()
                    lines = splitter.feed(data)
                    if lines:
                        yield Chunk(lines, self.clock(), self.name)
                    continue
                successor = _successor(path, handle)
                if successor is not None:
                    # Rotated: what the writer added to the old file after our last read is
                    # read first, then the new file from its start.
                    while data := handle.read(_READ_BYTES):
                        lines = splitter.feed(data)
                        if lines:
                            yield Chunk(lines, self.clock(), self.name)
                    if rest := splitter.end():
                        yield Chunk(rest, self.clock(), self.name)
                    handle.close()
                    handle = successor
                    log.info("%s: rotated; following the new file", self.name)
                    continue
                if os.fstat(handle.fileno()).st_size < handle.tell():
                    # Truncated in place: its new lines start at the beginning.
                    if rest := splitter.end():
                        yield Chunk(rest, self.clock(), self.name)
                    handle.seek(0)
                    log.info("%s: truncated; reading it again from its start", self.name)
                    continue
                stop.wait(self._poll)
            if rest := splitter.end():
                yield Chunk(rest, self.clock(), self.name)
        finally:
            handle.close()


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def _successor(path: Path, handle: BinaryIO) -> BinaryIO | None:
    """The file now at the path, opened, if it is another than the one open; else None.

    None too while the path names nothing (moved away, its successor not yet created).
    """
    try:
        successor = path.open("rb")
    except OSError:
        return None
    now, mine = os.fstat(successor.fileno()), os.fstat(handle.fileno())
    if (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
        successor.close()
        return None
    return successor
