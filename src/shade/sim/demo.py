"""The demo run: the Gulf of Aden scenario through a real socket, ingest and every detector.

The scenario (``scenario``) is encoded to NMEA, then sent by the project's replay over TCP
on loopback to a listener of the real ingest pipeline, as a receiver's feed would come:
decoded, tracked, judged by the detectors with the demo's parties (``DEMO_PARTIES``) and the
IRTC zones (``zones``), and written to the store, whose subscribers hear of each commit (the
server's live stream among them). Nothing outside the project is read: a fresh clone runs it.

``DemoFeed`` runs it over an open store, in the calling thread, until everything sent has
arrived or ``stop`` is called; ``run_demo`` opens the store around it.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from shade.config import Settings
from shade.detect.events import Event
from shade.detect.runner import Detection
from shade.errors import ShadeError
from shade.ingest.pipeline import IngestStats, Pipeline, stop_on_signals
from shade.ingest.replay import replay
from shade.ingest.sockets import TcpListenSource
from shade.parties import parse_parties
from shade.sim.scenario import START, reports, sentences
from shade.sim.zones import irtc_zones
from shade.store import Store
from shade.store.store import Commit
from shade.tracks.model import Vessel
from shade.tracks.tracker import Tracker

# Illustrative units of the scenario's navies (not real ships' MMSIs).
DEMO_PARTIES = parse_parties(
    {
        "parties": [
            {"id": "nato", "name": "NATO", "colour": "#1f4e9c", "mmsi": [235000001]},
            {
                "id": "plan",
                "name": "PLA Navy",
                "colour": "#c0392b",
                "mmsi": [412000001, 412000002],
                "mid": [412, 413, 414],
                "ship_types": [35],
            },
            {"id": "jmsdf", "name": "JMSDF", "colour": "#2e8b57", "mmsi": [431000001]},
        ]
    }
)
_QUIET_SECONDS = 5.0  # after the feed is sent: stop once nothing more arrives for this long


@dataclass
class DemoRun:
    stats: IngestStats
    events: list[Event]
    vessels: list[Vessel]
    lines_sent: int
    address: str  # where the feed went


class DemoFeed:
    """The scenario (or a capture) sent through a socket into ``store``, with detectors.

    ``start_at`` is the scenario's first time (a live demo starts it now); ``capture``, if
    given, keeps the scenario's NMEA there.
    """

    def __init__(
        self,
        store: Store,
        minutes: int,
        speed: float,
        capture: Path | None = None,
        replay_path: str | None = None,
        start_at: datetime = START,
    ) -> None:
        self.store, self.minutes, self.speed = store, minutes, speed
        self.capture, self.replay_path, self.start_at = capture, replay_path, start_at
        self._source = TcpListenSource("127.0.0.1", 0)
        host, port = self._source.address
        self.address = f"tcp://{host}:{port}"
        self._pipeline: Pipeline | None = None
        self._stopped = threading.Event()

    def run(self) -> DemoRun:
        """Send and ingest until everything sent has arrived, or ``stop`` (Ctrl-C and
        SIGTERM too, in the main thread): what arrived is written."""
        settings = self.store.settings
        with tempfile.TemporaryDirectory(prefix="shade-demo-") as work:
            path = self.replay_path
            if path is None:
                kept = self.capture or Path(work) / "scenario.nmea"
                timed = reports(self.minutes, start_at=self.start_at)
                kept.write_bytes(b"\r\n".join(sentences(timed)) + b"\r\n")
                path = str(kept)
            detection = Detection(settings, DEMO_PARTIES, irtc_zones())
            pipeline = Pipeline(
                [self._source], Tracker(settings), self.store.write, settings, detection.observe
            )
            self._pipeline = pipeline
            sender = _Sender(path, self.address, self.speed)
            sender.start()
            quiet = _Quiet(sender, pipeline)
            if self._stopped.is_set():
                pipeline.stop()
            with stop_on_signals(pipeline):
                stats = pipeline.run(quiet, every_seconds=0.2)
            if sender.error is not None:
                raise sender.error
            return DemoRun(
                stats, self.store.events(), self.store.vessels_at(), sender.lines, self.address
            )

    def stop(self) -> None:
        self._stopped.set()
        if self._pipeline is not None:
            self._pipeline.stop()


def run_demo(
    url: str,
    minutes: int,
    speed: float,
    on_event: Callable[[Event], None],
    on_listening: Callable[[str], None] = lambda address: None,
    capture: Path | None = None,
    replay_path: str | None = None,
) -> DemoRun:
    """Send the scenario (or ``replay_path``) through a socket into the store at ``url``;
    ``on_event`` hears of each event as it is committed."""
    with Store.open(url, Settings()) as store:

        def announce(commit: Commit) -> None:
            for event in commit.events:
                on_event(event)

        store.subscribe(announce)
        feed = DemoFeed(store, minutes, speed, capture, replay_path)
        on_listening(feed.address)
        return feed.run()


class _Sender(threading.Thread):
    """Replays the capture to the listener, in a thread of its own."""

    def __init__(self, path: str, to: str, speed: float) -> None:
        super().__init__(name="demo feed", daemon=True)
        self.path, self.to, self.speed = path, to, speed
        self.lines = -1  # until it is done
        self.error: ShadeError | None = None

    def run(self) -> None:
        try:
            self.lines = replay(self.path, self.to, self.speed).lines
        except ShadeError as exc:
            self.error = exc
            self.lines = 0


class _Quiet:
    """Stops the pipeline once the feed is sent and every line has arrived (or, should
    some never come, once nothing has arrived for ``_QUIET_SECONDS``)."""

    def __init__(self, sender: _Sender, pipeline: Pipeline) -> None:
        self.sender, self.pipeline = sender, pipeline
        self.seen, self.since = -1, time.monotonic()

    def __call__(self, stats: IngestStats) -> None:
        if stats.lines != self.seen:
            self.seen, self.since = stats.lines, time.monotonic()
        if self.sender.is_alive():
            return
        if stats.lines >= self.sender.lines or time.monotonic() - self.since > _QUIET_SECONDS:
            self.pipeline.stop()
