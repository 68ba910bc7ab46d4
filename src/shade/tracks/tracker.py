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
columns), and ``add_block`` judges the reports' columns with NumPy; the accepted ones are
the update's ``Points``, still columns (``RECORD_TYPES`` are the messages it wants as
records).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

import numpy as np

from shade.ais.block import NO_TIME, Block
from shade.ais.decoder import Decoded
from shade.config import Settings
from shade.times import MICROS_PER_SECOND
from shade.tracks.model import Aside, AsideReason, Points, Static, Update
from shade.tracks.sanity import ACCEPTED, IMPOSSIBLE_SPEED, INLAND, OUT_OF_ORDER, Sanity
from shade.tracks.static import STATIC_TYPES, StaticReader

# Position reports of vessels (ais.block.REPORT_TYPES). Not 4 and 11 (base stations), 9 (SAR
# aircraft) or 21 (aids to navigation).
POSITION_TYPES: Final = frozenset({1, 2, 3, 18, 19, 27})
_POSITION_TYPES: Final = sorted(POSITION_TYPES)
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
        self._statics = StaticReader()
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
                static = self._statics(m, _time(one.received_at))
                if static is not None:
                    statics.append(static)
        reports = block.reports
        of_vessels = np.isin(reports.msg_type, _POSITION_TYPES)
        if not of_vessels.all():
            reports = reports.take(np.flatnonzero(of_vessels))
        positions = len(reports)
        if (reports.received_at == NO_TIME).any():
            raise ValueError("a message has no time: stamp the block first (Block.stamped)")
        lat, lon = reports.lat, reports.lon
        valid = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)  # NaN (not available): False
        if not valid.all():
            reports = reports.take(np.flatnonzero(valid))
        before = self._sanity.reanchored
        verdict = self._sanity.judge(
            reports.mmsi, reports.received_at / MICROS_PER_SECOND, reports.lat, reports.lon
        )
        candidates = Points(
            reports.mmsi,
            reports.received_at,
            reports.lat,
            reports.lon,
            reports.speed,
            reports.course,
            reports.heading,
            reports.status,
            reports.msg_type,
            reports.source,
        )
        refused = np.flatnonzero(verdict)
        points = candidates.take(verdict == ACCEPTED) if len(refused) else candidates
        stats = self.stats
        stats.positions += positions
        stats.no_position += int(np.count_nonzero(~valid))
        stats.points += len(points)
        stats.reanchored += self._sanity.reanchored - before
        stats.statics += len(statics)
        aside: list[Aside] = []
        if len(refused):
            kept = candidates.take(refused).rows()
            for point, reason in zip(kept, verdict[refused].tolist(), strict=True):
                aside.append(Aside(point, _REASONS[reason]))
                stats.aside[_REASONS[reason]] += 1
        return Update(points, aside, statics)


def _time(at: datetime | None) -> datetime:
    if at is None:
        raise ValueError("a message has no time: stamp the block first (Block.stamped)")
    return at
