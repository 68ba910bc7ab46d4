"""AIS gaps: a vessel under way that falls silent for longer than it should.

A vessel is under way when its last report has a speed of ``gap_under_way_knots`` or more
and its navigation status is not at anchor (1) nor moored (5); no status is fine, no speed
is not under way. It is overdue once silent for longer than its threshold: the larger of
``gap_floor_minutes`` and ``gap_interval_multiple`` reporting intervals of the class of
its last report. The intervals are roughly ITU-R M.1371's for a vessel under way: class A
(types 1 to 3) reports every 2 to 10 s, taken as 10 s; class B (18, 19) every 30 s; long
range (27) every 3 minutes. With the defaults: 10 minutes for class A, 15 for class B,
90 for long range.

A gap opens when the feed's time shows the vessel overdue: it starts at the vessel's last
report before the silence, its geometry is a Point there, and ``gap_min`` is the silence
so far when it opened. It closes at the vessel's next report (the end): ``gap_min`` is
the whole silence, ``distance_nm`` the great-circle distance from where it fell silent to
where it reappeared, ``implied_knots`` that over the silence, and the geometry a
LineString between the two. Open gaps are handed out when they open and when they close,
not as they grow (``open_events`` gives their length at the latest feed time). A vessel
that reappears before it is overdue makes no event; one whose reappearing point shows it
was overdue, though the feed's time never did (both in one batch), makes a gap that opens
and closes at once, so a run over history finds what the live run found. ``zone`` is the
first zone, in file order, that holds the position where the vessel fell silent, is
active then and watches the vessel, else None.

Deadlines wait in a heap with at most one entry per vessel, so each ``observe`` pops only
what is due: an entry popped for a vessel that has reported since goes back with its new
deadline.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Final

import numpy as np
import numpy.typing as npt

from shade.config import Settings
from shade.detect.events import Event, EventKind, event_id
from shade.detect.roster import Roster
from shade.detect.zones import Zone, ZoneIndex
from shade.times import MICROSECOND, datetimes_of, from_micros, to_micros
from shade.tracks.model import Point, Points
from shade.tracks.sanity import distance_nm

Fix = tuple[int, datetime, float, float]  # a report's mmsi, at, lat and lon
# Reporting interval of a vessel under way, by message type (see the module docstring).
INTERVAL_SECONDS: Final = {1: 10, 2: 10, 3: 10, 18: 30, 19: 30, 27: 180}
_STILL: Final = (1, 5)  # navigation status: at anchor, moored
_NONE: Final = np.iinfo(np.int64).min  # no deadline: not under way
IntArray = npt.NDArray[np.int64]


class GapDetector:
    """Vessels under way that fall silent: one event per silence, from its last report."""

    def __init__(self, roster: Roster, settings: Settings, zones: Sequence[Zone] = ()) -> None:
        self.roster = roster
        self.settings = settings
        self._index = ZoneIndex(zones)
        floor = timedelta(minutes=settings.gap_floor_minutes)
        self._threshold = {
            kind: max(floor, timedelta(seconds=seconds * settings.gap_interval_multiple))
            for kind, seconds in INTERVAL_SECONDS.items()
        }
        self._knots = settings.gap_under_way_knots
        # The thresholds in microseconds, by message type (0: none).
        self._waits = np.zeros(max(self._threshold) + 1, dtype=np.int64)
        for kind, threshold in self._threshold.items():
            self._waits[kind] = threshold // MICROSECOND
        # Each vessel's last report, and when it is overdue (None: not under way).
        self._last: dict[int, tuple[Fix, datetime | None]] = {}
        self._heap: list[tuple[datetime, int]] = []  # (deadline, mmsi), maybe out of date
        self._queued: set[int] = set()  # vessels with an entry in the heap
        self._open: dict[int, Event] = {}  # mmsi -> its open gap
        self._now: datetime | None = None

    def threshold(self, point: Point) -> timedelta | None:
        """How long the vessel may be silent after this report; None if not under way."""
        (due,) = self._deadlines(Points.of([point])).tolist()
        return None if due == _NONE else from_micros(due) - point.at

    def _deadlines(self, points: Points) -> IntArray:
        """When each report's vessel is overdue, in microseconds; ``_NONE`` if it is not
        under way (no speed, under ``gap_under_way_knots``, at anchor or moored)."""
        known = (points.msg_type >= 0) & (points.msg_type < len(self._waits))
        wait = np.zeros(len(points), dtype=np.int64)
        wait[known] = self._waits[points.msg_type[known]]
        still = (points.status == _STILL[0]) | (points.status == _STILL[1])
        under_way = (wait > 0) & (points.speed >= self._knots) & ~still
        due: IntArray = np.where(under_way, points.at + wait, _NONE)
        return due

    def observe(self, points: Sequence[Point], now: datetime) -> list[Event]:
        self._now = now
        last, heap, queued = self._last, self._heap, self._queued
        columns = Points.of(points)
        out = self._take(columns) if len(columns) else []
        while heap and heap[0][0] < now:
            _, mmsi = heapq.heappop(heap)
            queued.discard(mmsi)
            fix, due = last[mmsi]
            if due is None or mmsi in self._open:
                continue  # no longer under way; or dark already, until it reappears
            if due < now:
                gap = self._open[mmsi] = self._opened(fix, now)
                out.append(gap)
            else:
                heapq.heappush(heap, (due, mmsi))
                queued.add(mmsi)
        return out

    def _take(self, points: Points) -> list[Event]:
        """Take a batch of reports: the gaps they close, in their order; each vessel's last
        report and when it is overdue are kept, and each vessel under way is in the heap.

        What goes on report by report is worked out a vessel at a time: a gap closes at a
        vessel's first report of the batch (if one is open, or it was overdue since its
        report before), or at a later one that came after the deadline of the report
        before it in the batch.
        """
        last, heap, queued, opened = self._last, self._heap, self._queued, self._open
        due = self._deadlines(points)
        # Each vessel's reports together, in their order.
        order = np.argsort(points.mmsi, kind="stable")
        mmsi = points.mmsi[order]
        first = np.ones(len(order), dtype=np.bool_)
        first[1:] = mmsi[1:] != mmsi[:-1]
        final = np.ones(len(order), dtype=np.bool_)
        final[:-1] = first[1:]
        ordered_due = due[order]
        before_due = np.empty_like(ordered_due)  # the deadline of the report before
        before_due[0] = _NONE
        before_due[1:] = ordered_due[:-1]
        late = ~first & (before_due != _NONE) & (points.at[order] > before_due)
        closing: list[tuple[int, Event | None, Fix]] = []  # row, open gap, report before
        for k in np.flatnonzero(late).tolist():
            closing.append((int(order[k]), None, _fix(points, int(order[k - 1]))))
        for row, vessel, at in zip(
            order[first].tolist(),
            mmsi[first].tolist(),
            points.at[order[first]].tolist(),
            strict=True,
        ):
            before = last.get(vessel)
            if before is None:
                continue
            gap = opened.pop(vessel, None) if opened else None
            if gap is not None:
                closing.append((row, gap, before[0]))
            elif before[1] is not None and at > to_micros(before[1]):
                closing.append((row, None, before[0]))
        out: list[Event] = []
        for row, gap, dark in sorted(closing, key=itemgetter(0)):
            back = _fix(points, row)
            out.append(self._close(gap or self._opened(dark, back[1]), dark, back))
        rows = order[final]
        deadlines = [None if d == _NONE else from_micros(d) for d in due[rows].tolist()]
        for fix, deadline in zip(_fixes(points, rows), deadlines, strict=True):
            last[fix[0]] = (fix, deadline)
        # Into the heap: each vessel not in it yet, at its first deadline of the batch.
        timed = order[ordered_due != _NONE]
        once = np.ones(len(timed), dtype=np.bool_)
        once[1:] = points.mmsi[timed][1:] != points.mmsi[timed][:-1]
        for vessel, deadline in zip(
            points.mmsi[timed[once]].tolist(), due[timed[once]].tolist(), strict=True
        ):
            if vessel not in queued:
                heapq.heappush(heap, (from_micros(deadline), vessel))
                queued.add(vessel)
        return out

    def open_events(self) -> list[Event]:
        now = self._now
        if now is None:
            return []
        return [
            gap._replace(figures={**gap.figures, "gap_min": _minutes(now - gap.start)})
            for gap in self._open.values()
        ]

    def _opened(self, fix: Fix, now: datetime) -> Event:
        """The gap of a vessel silent since the report ``fix``, as open at ``now``."""
        mmsi, at, lat, lon = fix
        party = self.roster.party(mmsi)
        zone = self._zone(fix, party)
        return Event(
            event_id(EventKind.GAP, (mmsi,), at),
            EventKind.GAP,
            (mmsi,),
            (party,),
            at,
            None,
            {"type": "Point", "coordinates": [lon, lat]},
            {
                "gap_min": _minutes(now - at),
                "distance_nm": None,
                "implied_knots": None,
                "zone": zone,
            },
        )

    def _close(self, gap: Event, dark: Fix, back: Fix) -> Event:
        """The gap closed by the vessel's report ``back`` after going dark at ``dark``."""
        _, dark_at, dark_lat, dark_lon = dark
        _, back_at, back_lat, back_lon = back
        silence = back_at - dark_at
        distance = _distance(dark_lat, dark_lon, back_lat, back_lon)
        hours = silence.total_seconds() / 3600
        return gap._replace(
            end=back_at,
            geometry={
                "type": "LineString",
                "coordinates": [[dark_lon, dark_lat], [back_lon, back_lat]],
            },
            figures={
                **gap.figures,
                "gap_min": _minutes(silence),
                "distance_nm": round(distance, 3),
                "implied_knots": round(distance / hours, 2) if hours > 0 else None,
            },
        )

    def _zone(self, fix: Fix, party: str | None) -> str | None:
        mmsi, at, lat, lon = fix
        ship_type = self.roster.ship_type(mmsi)
        for zone in self._index.containing(lon, lat):
            if zone.active(at) and zone.watches(party, ship_type):
                return zone.id
        return None


def _fix(points: Points, row: int) -> Fix:
    """One report's (mmsi, at, lat, lon)."""
    return (
        int(points.mmsi[row]),
        from_micros(int(points.at[row])),
        float(points.lat[row]),
        float(points.lon[row]),
    )


def _fixes(points: Points, rows: IntArray) -> Iterator[Fix]:
    """The (mmsi, at, lat, lon) of the reports at ``rows``."""
    return zip(
        points.mmsi[rows].tolist(),
        datetimes_of(points.at[rows]),
        points.lat[rows].tolist(),
        points.lon[rows].tolist(),
        strict=True,
    )


def _minutes(span: timedelta) -> float:
    return round(span.total_seconds() / 60, 2)


def _distance(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    lats0, lons0, lats1, lons1 = (np.array([value]) for value in (lat0, lon0, lat1, lon1))
    return float(distance_nm(lats0, lons0, lats1, lons1)[0])
