"""Ship-to-ship meetings at sea (rendezvous), as Global Fishing Watch defines encounters.

Global Fishing Watch, "Carrier vessel portal / events" definitions (globalfishingwatch.org):
an encounter is two vessels within 500 m of each other for at least 2 hours, at a median
speed under 2 knots, at least 10 km from a coastal anchorage. Here those are the settings
``rendezvous_distance_m``, ``rendezvous_min_minutes``, ``rendezvous_max_knots`` and
``rendezvous_shore_km`` (10 km from any shore: the land mask knows no anchorages). Any two
ships count, whatever their parties: transhipment at sea is how pirates and smugglers
resupply. How it is measured, and why:

* Checks run at each whole minute of feed time that the points pass (not per batch, so
  that the same points find the same meetings however they are split into batches), on
  each vessel's last report before that minute: slow vessels barely move between reports.
* New meetings are pairs of *slow* ships (last speed over ground under the threshold)
  whose last reports are fresh (at most ``detect_stale_minutes`` old), both far offshore
  and within the distance of each other: a k-d tree on unit vectors, radius the chord of
  that distance, over the slow ships far offshore. Far offshore is asked of each ship, not
  of the pair's midpoint: within 250 m the same, and it keeps ports, where moored ships
  lie side by side by the hundred, out of the tree. Answers are remembered per cell of
  the land mask, whose answers are per cell anyway.
* At each further check a meeting goes on while both reports are fresh, both are far
  offshore, they are within the distance, and the median of both ships' speeds sampled at
  its checks stays under the threshold (one fast report does not end it). Speeds are
  counted in tenths of a knot, the resolution of AIS, so the median is exact and the
  state bounded.
* A meeting starts when both had reported, at the first check that finds them together,
  and lasts until the older of their reports at the last check that does: check times
  are an artefact of the sampling, and a silence must not lengthen it. The event opens
  once the meeting has lasted ``rendezvous_min_minutes`` and closes at the first check
  that finds it over; it is sent when it opens, each further ``rendezvous_min_minutes``
  while open, and when it closes. The geometry is a GeoJSON Point: the mean of the two's
  midpoints at the checks that found them together; ``closest_m`` the least distance
  found at a check.
* Only ships: MMSIs of 9 digits beginning with 2 to 7 (ITU-R M.585: a MID, 201 to 775,
  first). Not coast stations (00), group calls (0), SAR aircraft (111), handhelds (8),
  craft associated with a parent ship (98), aids to navigation (99) nor SART, MOB and
  EPIRB devices (970, 972, 974): a tender or a buoy beside its ship is no meeting.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Final

import numpy as np
from scipy.spatial import cKDTree

from shade.config import Settings
from shade.detect.cpa import unit_vectors
from shade.detect.events import Event, EventKind, event_id
from shade.detect.roster import Roster
from shade.detect.sea import SHIP_MMSI_MAX, SHIP_MMSI_MIN, FarOffshore
from shade.times import from_micros, to_micros
from shade.tracks.land import EARTH_RADIUS_KM, LandMask, land_mask
from shade.tracks.model import Point, Points
from shade.tracks.sanity import distance_nm

_CHECK: Final = timedelta(minutes=1)
_M_PER_NM: Final = 1852.0


class _Meeting:
    __slots__ = ("closest", "event", "last", "mids", "next_emit", "pair", "speeds", "start")

    def __init__(self, pair: tuple[int, int], start: datetime) -> None:
        self.pair = pair
        self.start = start  # when both had reported, at the first check together
        self.last = start  # the older of their reports, at the last check together
        self.closest = math.inf  # m
        self.speeds: Counter[int] = Counter()  # both vessels' speeds at checks, in 0.1 kn
        self.mids = [0.0, 0.0, 0.0]  # sum of their midpoints at checks, as unit vectors
        self.event: Event | None = None
        self.next_emit = start  # an open event is re-sent from then on

    def median_knots(self) -> float:
        total = self.speeds.total()
        if total == 0:
            return 0.0
        # The lower and upper middle of the sorted samples; their mean is the median.
        low, high = (total - 1) // 2, total // 2
        seen = 0
        found: list[int] = []
        for tenths in sorted(self.speeds):
            seen += self.speeds[tenths]
            while len(found) < 2 and seen > (low, high)[len(found)]:
                found.append(tenths)
        return (found[0] + found[1]) / 20.0


class RendezvousDetector:
    """Ship-to-ship meeting events (kind ``rendezvous``); see the module docstring."""

    def __init__(
        self, roster: Roster, settings: Settings, mask: Callable[[], LandMask] = land_mask
    ) -> None:
        self.roster = roster
        self._distance_m = float(settings.rendezvous_distance_m)
        self._chord = 2 * math.sin(self._distance_m / 1000 / EARTH_RADIUS_KM / 2)
        self._min = timedelta(minutes=settings.rendezvous_min_minutes)
        self._max_knots = settings.rendezvous_max_knots
        self._stale = timedelta(minutes=settings.detect_stale_minutes)
        self._offshore = FarOffshore(mask, float(settings.rendezvous_shore_km))
        self._slow: dict[int, Point] = {}  # ships whose last report was slow
        self._latest: dict[int, Point] = {}  # the last report of ships in a meeting
        self._members: Counter[int] = Counter()  # ships in meetings: how many each
        self._meetings: dict[tuple[int, int], _Meeting] = {}
        self._next_check: datetime | None = None

    def observe(self, points: Sequence[Point], now: datetime) -> list[Event]:
        changed: dict[str, Event] = {}
        columns = Points.of(points)
        at = columns.at
        next_check = self._next_check
        if len(columns) and next_check is None:
            next_check = _minute(from_micros(int(at[0]))) + _CHECK
        start = 0
        while next_check is not None and start < len(columns):
            # A check runs on the reports before the first at or after its time.
            due = at[start:] >= to_micros(next_check)
            end = start + int(np.argmax(due)) if due.any() else len(columns)
            self._take(columns, start, end)
            if end == len(columns):
                break
            minute = _minute(from_micros(int(at[end])))
            self._check(minute, changed)
            next_check = minute + _CHECK
            start = end
        if next_check is not None and now >= next_check:
            self._check(_minute(now), changed)
            next_check = _minute(now) + _CHECK
        self._next_check = next_check
        return list(changed.values())

    def _take(self, points: Points, start: int, end: int) -> None:
        """Reports ``start`` to ``end`` (exclusive): of each ship, the last one counts (it
        is what a check sees)."""
        low, high = SHIP_MMSI_MIN, SHIP_MMSI_MAX
        ships = enumerate(points.mmsi[start:end].tolist(), start)
        last = {mmsi: row for row, mmsi in ships if low <= mmsi <= high}  # later ones win
        rows = np.fromiter(last.values(), dtype=np.int64, count=len(last))
        slow, latest, members = self._slow, self._latest, self._members
        max_knots = self._max_knots
        for point in points.take(rows).rows():
            ship = point.mmsi
            if ship in members:
                latest[ship] = point
            speed = point.speed
            if speed is not None and speed < max_knots:
                slow[ship] = point
            elif ship in slow:
                del slow[ship]

    def open_events(self) -> list[Event]:
        return [m.event for m in self._meetings.values() if m.event is not None]

    def _check(self, at: datetime, changed: dict[str, Event]) -> None:
        """Judge the meetings going on and look for new ones, on the reports before ``at``."""
        fresh_from = at - self._stale
        slow = self._slow
        for mmsi in [m for m, p in slow.items() if p.at < fresh_from]:
            del slow[mmsi]
        rows: list[tuple[tuple[int, int], Point, Point]] = []
        for pair, meeting in list(self._meetings.items()):
            a, b = self._latest[pair[0]], self._latest[pair[1]]
            if a.at < fresh_from or b.at < fresh_from:
                self._end(meeting, changed)
            else:
                rows.append((pair, a, b))
        going_on = len(rows)
        if len(slow) >= 2:
            rows.extend(self._candidates())
        if not rows:
            return
        lat_a = np.array([r[1].lat for r in rows])
        lon_a = np.array([r[1].lon for r in rows])
        lat_b = np.array([r[2].lat for r in rows])
        lon_b = np.array([r[2].lon for r in rows])
        offshore = np.ones(len(rows), dtype=np.bool_)  # candidates are
        both = self._offshore(
            np.concatenate((lat_a[:going_on], lat_b[:going_on])),
            np.concatenate((lon_a[:going_on], lon_b[:going_on])),
        )
        offshore[:going_on] = both[:going_on] & both[going_on:]
        metres = (distance_nm(lat_a, lon_a, lat_b, lon_b) * _M_PER_NM).tolist()
        xa, ya, za = unit_vectors(lat_a, lon_a).T
        xb, yb, zb = unit_vectors(lat_b, lon_b).T
        mx, my, mz = xa + xb, ya + yb, za + zb
        norm = np.sqrt(mx * mx + my * my + mz * mz)
        mids = np.column_stack((mx / norm, my / norm, mz / norm)).tolist()
        for k, (pair, a, b) in enumerate(rows):
            together = offshore[k] and metres[k] <= self._distance_m
            if k < going_on:
                meeting = self._meetings[pair]
                if together:
                    self._sample(meeting, a, b, +1)
                    if meeting.median_knots() >= self._max_knots:
                        self._sample(meeting, a, b, -1)  # the meeting ended before
                        together = False
                if not together:
                    self._end(meeting, changed)
                    continue
            elif not together:
                continue
            else:
                meeting = self._meetings[pair] = _Meeting(pair, max(a.at, b.at))
                for mmsi, point in zip(pair, (a, b), strict=True):
                    self._members[mmsi] += 1
                    self._latest[mmsi] = point
                self._sample(meeting, a, b)
            meeting.last = max(meeting.last, min(a.at, b.at))
            meeting.closest = min(meeting.closest, metres[k])
            for axis in range(3):
                meeting.mids[axis] += mids[k][axis]
            if meeting.last - meeting.start >= self._min and meeting.last >= meeting.next_emit:
                meeting.next_emit = meeting.last + self._min
                meeting.event = self._event(meeting, None)
                changed[meeting.event.id] = meeting.event

    def _candidates(self) -> list[tuple[tuple[int, int], Point, Point]]:
        """Pairs of fresh slow ships far offshore within the distance, not already meeting.

        Ships near shore are left out before the k-d tree: in ports, moored ships lie side
        by side by the hundred.
        """
        reports = list(self._slow.values())
        lat = np.array([p.lat for p in reports])
        lon = np.array([p.lon for p in reports])
        picks = np.flatnonzero(self._offshore(lat, lon))
        if len(picks) < 2:
            return []
        tree = cKDTree(unit_vectors(lat[picks], lon[picks]))
        found: list[tuple[tuple[int, int], Point, Point]] = []
        for i, j in picks[tree.query_pairs(self._chord, output_type="ndarray")].tolist():
            a, b = reports[i], reports[j]
            if a.mmsi > b.mmsi:
                a, b = b, a
            pair = (a.mmsi, b.mmsi)
            if pair not in self._meetings:
                found.append((pair, a, b))
        return found

    def _sample(self, meeting: _Meeting, a: Point, b: Point, count: int = 1) -> None:
        for speed in (a.speed, b.speed):
            if speed is not None:
                meeting.speeds[round(speed * 10)] += count

    def _end(self, meeting: _Meeting, changed: dict[str, Event]) -> None:
        del self._meetings[meeting.pair]
        for mmsi in meeting.pair:
            self._members[mmsi] -= 1
            if self._members[mmsi] <= 0:
                del self._members[mmsi]
                del self._latest[mmsi]
        if meeting.event is not None:
            event = self._event(meeting, meeting.last)
            changed[event.id] = event

    def _event(self, meeting: _Meeting, end: datetime | None) -> Event:
        pair = meeting.pair
        x, y, z = meeting.mids
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        lon = math.degrees(math.atan2(y, x))
        return Event(
            id=event_id(EventKind.RENDEZVOUS, pair, meeting.start),
            kind=EventKind.RENDEZVOUS,
            mmsi=pair,
            parties=(self.roster.party(pair[0]), self.roster.party(pair[1])),
            start=meeting.start,
            end=end,
            geometry={"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            figures={
                "duration_min": round((meeting.last - meeting.start).total_seconds() / 60, 1),
                "median_knots": round(meeting.median_knots(), 2),
                "closest_m": round(meeting.closest, 1),
            },
        )


def _minute(at: datetime) -> datetime:
    """The whole minute ``at`` is in."""
    return at.replace(second=0, microsecond=0)
