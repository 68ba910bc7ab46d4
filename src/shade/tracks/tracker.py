"""The tracker: decoded messages in, the points, asides and static data they add out.

    tracker = Tracker(settings)
    update = tracker.add((decoded, at) for decoded in batch)   # at: UTC datetime
    update.points, update.aside, update.statics

It owns the choice of what counts: position reports of vessels (types 1, 2, 3, 18, 19 and
27; not base stations, SAR aircraft or aids to navigation) with a position become points,
judged by the sanity filter (``sanity``); types 5, 19 and 24 give static data (``static``).
Time is passed in with each message; nothing here reads the clock. ``stats`` counts what
went where, so that position reports = no_position + points + aside. The first batch with
a position loads the land mask (``land``): milliseconds from its cache, 2 to 4 s on a
machine's first run. Keeping a vessels
table current from the updates: ``picture``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress
from operator import itemgetter
from typing import Any, Final

import numpy as np

from shade.ais.decoder import Decoded
from shade.config import Settings
from shade.tracks.model import Aside, AsideReason, Point, Static, Update
from shade.tracks.sanity import ACCEPTED, IMPOSSIBLE_SPEED, INLAND, OUT_OF_ORDER, Sanity
from shade.tracks.static import STATIC_TYPES, static_of

_new: Callable[[type[Any], Iterable[object]], Any] = tuple.__new__


# Position reports of vessels. Not 4 and 11 (base stations), 9 (SAR aircraft) or 21 (aids to
# navigation). Types 1 to 3 are most of any feed: ``add`` makes their points inline.
POSITION_TYPES: Final = frozenset({1, 2, 3, 18, 19, 27})
_REASONS: Final = {
    INLAND: AsideReason.INLAND,
    OUT_OF_ORDER: AsideReason.OUT_OF_ORDER,
    IMPOSSIBLE_SPEED: AsideReason.IMPOSSIBLE_SPEED,
}
_mmsi, _lat, _lon = itemgetter(0), itemgetter(2), itemgetter(3)


@dataclass
class TrackStats:
    """What the tracker made of the messages it was given, since it was made."""

    positions: int = 0  # position reports of vessels seen
    no_position: int = 0  # of them: position not available, or outside +-90 / +-180
    points: int = 0  # of them: accepted into the history
    aside: Counter[str] = field(default_factory=Counter)  # of them: kept aside, by reason
    reanchored: int = 0  # of the points: accepted by re-anchoring (see ``sanity``)
    statics: int = 0  # static data records made

    def as_dict(self) -> dict[str, object]:
        return {
            "positions": self.positions,
            "no_position": self.no_position,
            "points": self.points,
            "aside": dict(sorted(self.aside.items())),
            "reanchored": self.reanchored,
            "statics": self.statics,
        }


class Tracker:
    """Turns decoded messages into track updates. Not thread-safe: one per pipeline."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        self._sanity = Sanity(settings.track_max_speed_knots, settings.track_inland_km)
        self.stats = TrackStats()

    @property
    def vessels(self) -> int:
        """Vessels with at least one accepted point."""
        return len(self._sanity)

    def add(self, batch: Iterable[tuple[Decoded, datetime]]) -> Update:
        """What a batch of messages adds, each with the time to use for it (UTC, aware).

        Points and asides come in the order of their messages, as do static data.
        """
        reports: list[Point] = []
        statics: list[Static] = []
        report = reports.append
        for d, at in batch:
            m: Any = d.message
            kind = m.msg_type
            if kind <= 3:
                heading, status = m.heading, m.status
            elif kind == 18 or kind == 19:
                heading, status = m.heading, None
            elif kind == 27:
                heading, status = None, m.status
            else:
                if kind in STATIC_TYPES and (static := static_of(m, at)) is not None:
                    statics.append(static)
                continue
            fields = (m.mmsi, at, m.lat, m.lon, m.speed, m.course, heading, status, kind, d.source)
            report(_new(Point, fields))
            if kind == 19 and (static := static_of(m, at)) is not None:
                statics.append(static)
        candidates = [p for p in reports if p[2] is not None and p[3] is not None]
        lat = np.fromiter(map(_lat, candidates), np.float64, len(candidates))
        lon = np.fromiter(map(_lon, candidates), np.float64, len(candidates))
        valid = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)
        if not valid.all():
            candidates = list(compress(candidates, valid.tolist()))
            lat, lon = lat[valid], lon[valid]
        seconds = _seconds(candidates)  # raises on a naive time: before anything is counted
        mmsi = np.fromiter(map(_mmsi, candidates), np.int64, len(candidates))
        before = self._sanity.reanchored
        verdict = self._sanity.judge(mmsi, seconds, lat, lon)
        points = list(compress(candidates, (verdict == ACCEPTED).tolist()))
        stats = self.stats
        stats.positions += len(reports)
        stats.no_position += len(reports) - len(candidates)
        stats.points += len(points)
        stats.reanchored += self._sanity.reanchored - before
        stats.statics += len(statics)
        aside: list[Aside] = []
        if len(points) < len(candidates):
            for k in np.flatnonzero(verdict).tolist():
                reason = _REASONS[int(verdict[k])]
                aside.append(Aside(candidates[k], reason))
                stats.aside[reason] += 1
        return Update(points, aside, statics)


def _seconds(points: list[Point]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The UNIX times of the points. Messages come in runs sharing a datetime object."""
    times = [p[1] for p in points]
    each = {at: at.timestamp() for at in dict.fromkeys(times)}
    naive = next((at for at in each if at.tzinfo is None), None)
    if naive is not None:
        # timestamp() would take it as local time: a silent shift by the machine's zone.
        raise ValueError(f"message times must be timezone-aware (UTC), not {naive!r}")
    return np.fromiter(map(each.__getitem__, times), np.float64, len(times))
