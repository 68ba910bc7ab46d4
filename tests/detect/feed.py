"""Feeding a detector as the runner does: batches in order, the feed's time the newest
point time so far (never going back)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shade.detect.detector import Detector
from shade.detect.events import Event
from shade.tracks.model import Point


def feed(detector: Detector, batches: Sequence[Sequence[Point]]) -> list[list[Event]]:
    """Each batch's events."""
    return [events for _, events in feed_timed(detector, batches)]


def feed_timed(
    detector: Detector, batches: Sequence[Sequence[Point]]
) -> list[tuple[datetime, list[Event]]]:
    """Each batch's feed time and events."""
    now: datetime | None = None
    found = []
    for batch in batches:
        newest = max(p.at for p in batch)
        now = newest if now is None or newest > now else now
        found.append((now, detector.observe(batch, now)))
    return found
