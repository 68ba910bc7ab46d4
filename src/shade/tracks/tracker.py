"""The tracker: decoded messages in, the points, asides and static data they add out.

    tracker = Tracker(settings)
    update = tracker.add((decoded, at) for decoded in batch)   # at: UTC datetime
    update = tracker.add_block(block)     # a stamped ais.block.Block: how ingest does it
    update.points, update.aside, update.statics

It owns the choice of what counts: position reports of vessels (types 1, 2, 3, 18, 19 and
27; not base stations, SAR aircraft or aids to navigation) with a position become points,
judged by the sanity filter (``sanity``); types 5, 19 and 24 give static data (``static``).
Time is passed in with each message; nothing here reads the clock. ``stats`` counts what
went where, so that position reports = no_position + points + aside. The first batch with
a position loads the land mask (``land``): milliseconds from its cache, 2 to 4 s on a
machine's first run. Keeping a vessels table current from the updates: ``picture``.

Both ways in are one: ``add`` puts its messages in a ``Block`` (position reports as
columns), and ``add_block`` judges the reports' columns with NumPy and makes ``Point``s of
the accepted ones only (``RECORD_TYPES`` are the messages it wants as records).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress, repeat
from typing import Any, Final

import numpy as np

from shade.ais.block import Block, Reports, pick
from shade.ais.decoder import Decoded
from shade.config import Settings
from shade.tracks.model import Aside, AsideReason, Point, Static, Update
from shade.tracks.sanity import ACCEPTED, IMPOSSIBLE_SPEED, INLAND, OUT_OF_ORDER, Sanity
from shade.tracks.static import STATIC_TYPES, static_of

_new: Callable[[type[Any], Iterable[object]], Any] = tuple.__new__


# Position reports of vessels (ais.block.REPORT_TYPES). Not 4 and 11 (base stations), 9 (SAR
# aircraft) or 21 (aids to navigation).
POSITION_TYPES: Final = frozenset({1, 2, 3, 18, 19, 27})
# What ``add_block`` wants as records: the static data.
RECORD_TYPES: Final = STATIC_TYPES
_REASONS: Final = {
    INLAND: AsideReason.INLAND,
    OUT_OF_ORDER: AsideReason.OUT_OF_ORDER,
    IMPOSSIBLE_SPEED: AsideReason.IMPOSSIBLE_SPEED,
}


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

    records: Final = RECORD_TYPES  # what the pipeline asks the decoder for as records

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
        stamped = [
            one if one.received_at is at else one._replace(received_at=at) for one, at in batch
        ]
        return self.add_block(Block.of_records(stamped, RECORD_TYPES))

    def add_block(self, block: Block) -> Update:
        """``add`` for a block whose every message has its time (``Block.stamped``)."""
        statics: list[Static] = []
        for one in block.records:
            m = one.message
            if m.msg_type in STATIC_TYPES:
                static = static_of(m, _time(one.received_at))
                if static is not None:
                    statics.append(static)
        reports = block.reports
        kinds = reports.msg_type
        if len(reports) and not np.isin(kinds, list(POSITION_TYPES)).all():
            reports = reports.take(np.flatnonzero(np.isin(kinds, list(POSITION_TYPES))))
        lat, lon = reports.lat, reports.lon
        valid = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)  # NaN (not available): False
        everywhere = bool(valid.all())
        rows = np.arange(len(reports)) if everywhere else np.flatnonzero(valid)
        times = reports.received_at if everywhere else pick(reports.received_at, rows.tolist())
        seconds = _seconds(times)  # raises on a naive time: before anything is counted
        before = self._sanity.reanchored
        if not everywhere:
            lat, lon = lat[rows], lon[rows]
        verdict = self._sanity.judge(reports.mmsi[rows], seconds, lat, lon)
        # Points of every row with a position, then those accepted: one zip over whole
        # columns is cheaper than picking the accepted rows out of each column.
        candidates = _points(reports, rows, everywhere)
        refused = np.flatnonzero(verdict)
        points = (
            list(compress(candidates, (verdict == ACCEPTED).tolist()))
            if len(refused)
            else candidates
        )
        stats = self.stats
        stats.positions += len(reports)
        stats.no_position += len(reports) - len(rows)
        stats.points += len(points)
        stats.reanchored += self._sanity.reanchored - before
        stats.statics += len(statics)
        aside: list[Aside] = []
        for k, reason in zip(refused.tolist(), verdict[refused].tolist(), strict=True):
            aside.append(Aside(candidates[k], _REASONS[reason]))
            stats.aside[_REASONS[reason]] += 1
        return Update(points, aside, statics)


def _time(at: datetime | None) -> datetime:
    if at is None:
        raise ValueError("a message has no time: stamp the block first (Block.stamped)")
    return at


def _points(reports: Reports, rows: Any, every: bool) -> list[Point]:
    """The Points of the given rows of ``reports`` (``every``: all of them, in order)."""
    r = reports
    if every:
        columns = (
            r.mmsi.tolist(),
            r.received_at,
            r.lat.tolist(),
            r.lon.tolist(),
            r.speed,
            r.course,
            r.heading,
            r.status,
            r.msg_type.tolist(),
            r.source,
        )
    else:
        picks = rows.tolist()
        columns = (
            r.mmsi[rows].tolist(),
            pick(r.received_at, picks),
            r.lat[rows].tolist(),
            r.lon[rows].tolist(),
            pick(r.speed, picks),
            pick(r.course, picks),
            pick(r.heading, picks),
            pick(r.status, picks),
            r.msg_type[rows].tolist(),
            pick(r.source, picks),
        )
    return list(map(_new, repeat(Point), zip(*columns, strict=True)))


def _seconds(times: list[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The UNIX times of the reports. Messages come in runs sharing a datetime object."""
    each = {at: _time(at).timestamp() for at in dict.fromkeys(times)}
    naive = next((at for at in each if at.tzinfo is None), None)
    if naive is not None:
        # timestamp() would take it as local time: a silent shift by the machine's zone.
        raise ValueError(f"message times must be timezone-aware (UTC), not {naive!r}")
    return np.fromiter(map(each.__getitem__, times), np.float64, len(times))
