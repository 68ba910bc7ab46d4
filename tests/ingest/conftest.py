"""Sources and pipelines run by a thread for tests, and a clock that ticks on each reading."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from shade.config import Settings
from shade.detect.events import Event
from shade.ingest.lines import Chunk, Line, Source
from shade.ingest.pipeline import IngestStats, Pipeline, Sink
from shade.tracks.model import Update
from shade.tracks.tracker import Tracker

WAIT_SECONDS = 10.0  # generous: only a broken source waits this long


def wait_for(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class Running:
    """A source whose chunks a thread gathers until ``stop``."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.chunks: list[Chunk] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for chunk in self.source.chunks(self.stop_event):
            self.chunks.append(chunk)

    @property
    def lines(self) -> list[Line]:
        return [line for chunk in list(self.chunks) for line in chunk.lines()]

    def texts(self, source: str | None = None) -> list[bytes]:
        return [line.text for line in self.lines if source is None or line.source == source]

    def wait_for_lines(self, count: int) -> list[Line]:
        wait_for(lambda: len(self.lines) >= count, f"{count} lines (have {len(self.lines)})")
        return self.lines

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(WAIT_SECONDS)
        assert not self.thread.is_alive(), "the source did not stop"
        self.source.close()


@pytest.fixture
def run() -> Iterator[Callable[[Source], Running]]:
    started: list[Running] = []

    def start(source: Source) -> Running:
        running = Running(source)
        started.append(running)
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()


class TickingClock:
    """A clock for tests: each reading is one second after the last, from a fixed start."""

    def __init__(self, start: datetime = datetime(2025, 1, 1, tzinfo=UTC)) -> None:
        self.start = start
        self.readings = 0

    def __call__(self) -> datetime:
        self.readings += 1
        return self.start + timedelta(seconds=self.readings - 1)


def collect(updates: list[Update]) -> Sink:
    """A sink that keeps the updates in ``updates`` (there are no events: no detectors)."""

    def sink(update: Update, events: Sequence[Event]) -> None:
        assert not events
        updates.append(update)

    return sink


class Background:
    """A pipeline running in a thread, its updates gathered in a list."""

    def __init__(
        self,
        sources: Sequence[Source],
        config: Settings,
        sink: Sink | None = None,
    ) -> None:
        self.updates: list[Update] = []
        self.pipeline = Pipeline(sources, Tracker(config), sink or collect(self.updates), config)
        self.stats: IngestStats | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.stats = self.pipeline.run()

    def stop(self) -> IngestStats:
        self.pipeline.stop()
        self.thread.join(WAIT_SECONDS)
        assert self.stats is not None, "the pipeline did not stop"
        return self.stats
