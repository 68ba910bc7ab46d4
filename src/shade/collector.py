"""Pausing Python's garbage collector around bulk work that makes many short-lived objects.

Every 700 new container objects (tuples, lists) start a collection that walks the young
objects, and now and then the whole heap. Bulk work (a batch of ingest, the rows of the
picture) makes tens of thousands of tuples of plain values that hold no cycle and mostly
die before the batch ends: collecting meanwhile is a tenth to a third of its time for
nothing. Paused, what dies is freed by reference counting alone; what survives is seen by
the collector once it runs again.

The collector is the process's: pauses from several threads at once (ingest decodes in
one and writes in another) are counted, and it runs again when the last one ends. Left
disabled by someone else, it stays so.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # pauses under way, in every thread


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection inside (nested uses, and uses in other threads, are fine)."""
    global _pauses
    with _lock:
        if _pauses == 0 and not gc.isenabled():
            owned = False  # disabled by someone else: theirs to enable
        else:
            owned = True
            _pauses += 1
            gc.disable()
    try:
        yield
    finally:
        if owned:
            with _lock:
                _pauses -= 1
                if _pauses == 0:
                    gc.enable()
