"""What every detector is to the runner: points in, in arrival order, events out.

    events = detector.observe(points, now)

``points`` are the accepted history points of one batch (``tracks.model.Point``, in the
order the tracker accepted them; one vessel's points are in time order). ``now`` is the
feed's time: the newest point time seen so far, never the clock, so that a run over history
finds what a live run found. ``observe`` returns every event it opened, changed or closed,
each in its newest state (``events.Event``). ``open_events`` lists those still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shade.detect.events import Event
from shade.tracks.model import Point


class Detector(Protocol):
    def observe(self, points: Sequence[Point], now: datetime) -> list[Event]: ...

    def open_events(self) -> list[Event]: ...
