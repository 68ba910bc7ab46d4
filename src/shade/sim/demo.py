"""The demo run: the Gulf of Aden scenario through a real socket, ingest and every detector.

The scenario (``scenario``) is encoded to NMEA, then sent by the project's replay over TCP
on loopback to a listener of the real ingest pipeline, as a receiver's feed would come:
decoded, tracked, judged by the detectors with the demo's parties (``DEMO_PARTIES``) and the
IRTC zones (``zones``), and written to the store, which hands each committed event to
``on_event``. Nothing outside the project is read: a fresh clone runs it.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shade.config import Settings
from shade.detect.events import Event
from shade.detect.runner import Detection
from shade.errors import ShadeError
from shade.ingest.pipeline import IngestStats, Pipeline, stop_on_signals
from shade.ingest.replay import replay
from shade.ingest.sockets import TcpListenSource
from shade.parties import parse_parties
from shade.sim.scenario import reports, sentences
from shade.sim.zones import irtc_zones
from shade.store import Store
from shade.tracks.model import Update, Vessel
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


def run_demo(
    url: str,
    minutes: int,
    speed: float,
    on_event: Callable[[Event], None],
    on_listening: Callable[[str], None] = lambda address: None,
    capture: Path | None = None,
    replay_path: str | None = None,
) -> DemoRun:
    """Send the scenario (or ``replay_path``) through a socket into the store at ``url``.

    ``capture``, if given, keeps the scenario's NMEA there. Returns when everything sent
    was ingested, or on Ctrl-C / SIGTERM (what arrived is written).
    """
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="shade-demo-") as work:
        if replay_path is None:
            path = capture or Path(work) / "scenario.nmea"
            path.write_bytes(b"\r\n".join(sentences(reports(minutes))) + b"\r\n")
            replay_path = str(path)
        source = TcpListenSource("127.0.0.1", 0)
        host, port = source.address
        address = f"tcp://{host}:{port}"
        detection = Detection(settings, DEMO_PARTIES, irtc_zones())
        with Store.open(url, settings) as store:

            def announce(events: list[Event]) -> None:
                for event in events:
                    on_event(event)

            store.subscribe(announce)

            def sink(update: Update) -> None:
                store.write(update, detection.observe(update))

            pipeline = Pipeline([source], Tracker(settings), sink, settings)
            sender = _Sender(replay_path, address, speed)
            on_listening(address)
            sender.start()
            quiet = _Quiet(sender, pipeline)
            with stop_on_signals(pipeline):
                stats = pipeline.run(quiet, every_seconds=0.2)
            if sender.error is not None:
                raise sender.error
            return DemoRun(stats, store.events(), store.vessels_at(), sender.lines, address)


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
