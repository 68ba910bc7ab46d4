"""Writing behind: the sink of an ingest pipeline, in a thread of its own.

While a batch is written (most of that time the database works in C, without the GIL),
the pipeline decodes and tracks the next one, so two cores share the work. One batch is
written at a time, in order, and ``put`` hands over the next only once the one before is
written: besides the batch being written, at most one more waits in memory.

A sink that fails stops the writing: its error is raised by the next ``put``, or by
``close``, in the pipeline's thread; nothing after it is written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class WriteBehind(Generic[Item]):
    """Calls ``sink`` then ``done`` with each item ``put``, in a thread of its own."""

    def __init__(
        self, sink: Callable[[Item], None], done: Callable[[Item], None], name: str = "writer"
    ) -> None:
        self._sink = sink
        self._done = done
        self._ready = threading.Condition()
        self._waiting: list[Item] = []  # the item handed over, not yet taken; at most one
        self._busy = False  # an item is being written
        self._closing = False
        self._error: BaseException | None = None
        self._raised = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def put(self, item: Item) -> None:
        """Hand ``item`` over once the one before is written; raises a failure of the sink."""
        with self._ready:
            self._ready.wait_for(lambda: not (self._busy or self._waiting) or self._error)
            self._raise()
            self._waiting.append(item)
            self._ready.notify_all()

    def close(self) -> None:
        """Write what was handed over, then stop the thread; raises a failure of the sink
        not raised yet."""
        with self._ready:
            self._closing = True
            self._ready.notify_all()
        self._thread.join()
        if not self._raised:
            with self._ready:
                self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            self._raised = True
            raise self._error

    def _run(self) -> None:
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._waiting or self._closing)
                if not self._waiting or self._error is not None:
                    return
                item = self._waiting.pop()
                self._busy = True
            try:
                self._sink(item)
                self._done(item)
            except BaseException as exc:  # handed to the pipeline's thread, raised there
                with self._ready:
                    self._error = exc
                    self._busy = False
                    self._ready.notify_all()
                return
            del item  # not kept alive while waiting for the next
            with self._ready:
                self._busy = False
                self._ready.notify_all()
