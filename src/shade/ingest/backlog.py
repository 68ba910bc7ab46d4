"""The backlog between the sources and decoding: a queue bounded in lines, not in chunks.

Sources put chunks of very different sizes (a megabyte of a file, one datagram), so the
bound that keeps memory flat is on the lines held (``ingest_queue_lines``). ``put`` waits
for room (files, TCP), ``offer`` refuses at once (UDP, which cannot wait), ``close`` turns
every further chunk away while what is held can still be taken, ``wake`` ends a wait in
``get`` early (a source has ended: nothing more may come).
"""

from __future__ import annotations

import threading
from collections import deque

from shade.ingest.lines import Chunk


class LineQueue:
    """A FIFO of chunks bounded by the lines it holds, however they are chunked."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.lines = 0
        self._chunks: deque[Chunk] = deque()
        self._closed = False
        lock = threading.Lock()
        self._not_empty = threading.Condition(lock)
        self._not_full = threading.Condition(lock)

    def _fits(self, count: int) -> bool:
        # A chunk longer than the whole queue still goes in when the queue is empty.
        return self.lines == 0 or self.lines + count <= self.capacity

    def _append(self, chunk: Chunk) -> None:
        self._chunks.append(chunk)
        self.lines += len(chunk.texts)
        self._not_empty.notify()

    def put(self, chunk: Chunk) -> bool:
        """Add a chunk, waiting for room; False if the queue was closed meanwhile."""
        with self._not_full:
            while not self._closed and not self._fits(len(chunk.texts)):
                self._not_full.wait()
            if self._closed:
                return False
            self._append(chunk)
            return True

    def offer(self, chunk: Chunk) -> bool:
        """Add a chunk if there is room now; False if not (or closed)."""
        with self._not_full:
            if self._closed or not self._fits(len(chunk.texts)):
                return False
            self._append(chunk)
            return True

    def get(self, timeout: float) -> Chunk | None:
        """The oldest chunk, waiting up to ``timeout`` seconds; None if there is none."""
        with self._not_empty:
            if not self._chunks and timeout > 0:
                self._not_empty.wait(timeout)
            if not self._chunks:
                return None
            chunk = self._chunks.popleft()
            self.lines -= len(chunk.texts)
            self._not_full.notify_all()
            return chunk

    def wake(self) -> None:
        """Wake a ``get`` that is waiting, as if a chunk had come (it returns None)."""
        with self._not_empty:
            self._not_empty.notify_all()

    def close(self) -> None:
        """Refuse new chunks from now on; those held can still be taken."""
        with self._not_full:
            self._closed = True
            self._not_full.notify_all()
