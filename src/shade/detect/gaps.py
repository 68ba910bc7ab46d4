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
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

import numpy as np

from shade.config import Settings
from shade.detect.events import Event, EventKind, event_id
from shade.detect.roster import Roster
from shade.detect.zones import Zone, ZoneIndex
from shade.tracks.model import Point
from shade.tracks.sanity import distance_nm

# Reporting interval of a vessel under way, by message type (see the module docstring).
INTERVAL_SECONDS: Final = {1: 10, 2: 10, 3: 10, 18: 30, 19: 30, 27: 180}
_STILL: Final = frozenset({1, 5})  # navigation status: at anchor, moored


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
        # Each vessel's last point, and when it is overdue (None: not under way).
        self._last: dict[int, tuple[Point, datetime | None]] = {}
        self._heap: list[tuple[datetime, int]] = []  # (deadline, mmsi), maybe out of date
        self._queued: set[int] = set()  # vessels with an entry in the heap
        self._open: dict[int, Event] = {}  # mmsi -> its open gap
        self._now: datetime | None = None

    def threshold(self, point: Point) -> timedelta | None:
        """How long the vessel may be silent after this report; None if not under way."""
        threshold = self._threshold.get(point.msg_type)
        speed = point.speed
        if threshold is None or speed is None or speed < self._knots or point.status in _STILL:
            return None
        return threshold

    def observe(self, points: Sequence[Point], now: datetime) -> list[Event]:
        self._now = now
        out: list[Event] = []
        last, heap, queued, opened = self._last, self._heap, self._queued, self._open
        thresholds, knots = self._threshold, self._knots
        for point in points:
            mmsi = point.mmsi
            before = last.get(mmsi)
            if before is not None:
                gap = opened.pop(mmsi, None) if opened else None
                if gap is not None:
                    out.append(self._close(gap, before[0], point))
                elif before[1] is not None and point.at > before[1]:
                    out.append(self._close(self._opened(before[0], point.at), before[0], point))
            # ``threshold`` written out: this loop runs for every point of a feed.
            wait = thresholds.get(point.msg_type)
            speed = point.speed
            if wait is None or speed is None or speed < knots or point.status in _STILL:
                due = None
            else:
                due = point.at + wait
            last[mmsi] = (point, due)
            if due is not None and mmsi not in queued:
                heapq.heappush(heap, (due, mmsi))
                queued.add(mmsi)
        while heap and heap[0][0] < now:
            _, mmsi = heapq.heappop(heap)
            queued.discard(mmsi)
            point, due = last[mmsi]
            if due is None or mmsi in self._open:
                continue  # no longer under way; or dark already, until it reappears
            if due < now:
                gap = self._open[mmsi] = self._opened(point, now)
                out.append(gap)
            else:
                heapq.heappush(heap, (due, mmsi))
                queued.add(mmsi)
        return out

    def open_events(self) -> list[Event]:
        now = self._now
        if now is None:
            return []
        return [
            gap._replace(figures={**gap.figures, "gap_min": _minutes(now - gap.start)})
            for gap in self._open.values()
        ]

    def _opened(self, point: Point, now: datetime) -> Event:
        """The gap of a vessel silent since ``point``, as open at ``now``."""
        mmsi = point.mmsi
        party = self.roster.party(mmsi)
        zone = self._zone(point, party)
        return Event(
            event_id(EventKind.GAP, (mmsi,), point.at),
            EventKind.GAP,
            (mmsi,),
            (party,),
            point.at,
            None,
            {"type": "Point", "coordinates": [point.lon, point.lat]},
            {
                "gap_min": _minutes(now - point.at),
                "distance_nm": None,
                "implied_knots": None,
                "zone": zone,
            },
        )

    def _close(self, gap: Event, dark: Point, back: Point) -> Event:
        """The gap closed by the vessel's report ``back`` after going dark at ``dark``."""
        silence = back.at - dark.at
        distance = _distance(dark.lat, dark.lon, back.lat, back.lon)
        hours = silence.total_seconds() / 3600
        return gap._replace(
            end=back.at,
            geometry={
                "type": "LineString",
                "coordinates": [[dark.lon, dark.lat], [back.lon, back.lat]],
            },
            figures={
                **gap.figures,
                "gap_min": _minutes(silence),
                "distance_nm": round(distance, 3),
                "implied_knots": round(distance / hours, 2) if hours > 0 else None,
            },
        )

    def _zone(self, point: Point, party: str | None) -> str | None:
        ship_type = self.roster.ship_type(point.mmsi)
        for zone in self._index.containing(point.lon, point.lat):
            if zone.active(point.at) and zone.watches(party, ship_type):
                return zone.id
        return None


def _minutes(span: timedelta) -> float:
    return round(span.total_seconds() / 60, 2)


def _distance(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    lats0, lons0, lats1, lons1 = (np.array([value]) for value in (lat0, lon0, lat1, lon1))
    return float(distance_nm(lats0, lons0, lats1, lons1)[0])
