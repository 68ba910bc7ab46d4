"""Writing behind: items written in order, one at a time, in a thread of their own; a
failure of the sink comes back to the thread that hands items over."""

from __future__ import annotations

import threading
import time

import pytest

from shade.ingest.behind import WriteBehind


class Sink:
    """Records what it is given, in which thread; may wait to be let go, or fail."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.written: list[int] = []
        self.counted: list[int] = []
        self.threads: set[str] = set()
        self.writing = 0
        self.most_at_once = 0
        self.fail_on = fail_on
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, item: int) -> None:
        self.writing += 1
        self.most_at_once = max(self.most_at_once, self.writing)
        self.threads.add(threading.current_thread().name)
        self.gate.wait(5)
        time.sleep(0.001)
        self.writing -= 1
        if item == self.fail_on:
            raise OSError(f"disk full at {item}")
        self.written.append(item)


def test_items_are_written_in_order_one_at_a_time_in_their_own_thread() -> None:
    sink = Sink()
    behind = WriteBehind(sink, lambda item: sink.counted.append(item), name="test writer")
    for item in range(50):
        behind.put(item)
    behind.close()
    assert sink.written == sink.counted == list(range(50))
    assert sink.threads == {"test writer"} and sink.most_at_once == 1


def test_put_hands_over_once_the_item_before_is_written() -> None:
    sink = Sink()
    sink.gate.clear()
    behind = WriteBehind(sink, lambda item: None)
    behind.put(1)  # taken at once: being written, held at the gate
    handed = threading.Event()

    def second() -> None:
        behind.put(2)
        handed.set()

    threading.Thread(target=second, daemon=True).start()
    # 1 is being written: 2 is not handed over, and put waits.
    assert not handed.wait(0.3)
    sink.gate.set()
    assert handed.wait(5)
    behind.close()
    assert sink.written == [1, 2]


def test_a_failure_comes_back_from_the_next_put_and_nothing_after_it_is_written() -> None:
    sink = Sink(fail_on=3)
    behind = WriteBehind(sink, lambda item: None)
    with pytest.raises(OSError, match="disk full at 3"):
        for item in range(10):
            behind.put(item)
    behind.close()  # raised once: not again
    assert sink.written == [0, 1, 2]


def test_a_failure_of_the_last_item_comes_back_from_close() -> None:
    sink = Sink(fail_on=2)
    behind = WriteBehind(sink, lambda item: None)
    behind.put(1)
    behind.put(2)
    with pytest.raises(OSError, match="disk full at 2"):
        behind.close()
    assert sink.written == [1]
