"""Loitering: a vessel that stays slow far from shore, as Global Fishing Watch defines it.

Global Fishing Watch, "Carrier vessel portal / events" definitions (globalfishingwatch.org):
a vessel loiters when its average speed stays under 2 knots for at least an hour, at least
20 nautical miles from shore. Here those are the settings ``loiter_max_knots``,
``loiter_min_minutes`` (W below) and ``loiter_shore_nm``. How it is measured, and why:

* Speed is distance travelled over time, not the reported speed over ground: SOG is missing
  on some reports and noisy when slow. Each vessel's reports are thinned to *fixes* at least
  ``step`` apart (W / 30, at least a minute and at most half of ``detect_stale_minutes``:
  2 minutes by default), and distances are measured between fixes: 5 m of GPS jitter
  between 10-second reports would read as a knot, between 2-minute fixes as 0.1 knot. It
  also keeps the cost down: a report that is not a fix costs a look-up and a comparison.
* A slow *stretch* starts at a fix whose next segment is slower than the threshold, both
  ends far offshore, unless that next fix reports a speed over ground of three times the
  threshold or more (under way: most fixes of a busy feed, then judged at the cost of a
  few comparisons). Its start is that fix's time (to within ``step``). It lasts while the
  mean speed over the trailing window of W (the whole stretch while it is younger) stays
  under the threshold and every fix is far offshore: a burst of speed or noise around the
  threshold does not end it, and a stretch that lasts is slow over every window of W.
* The event opens when the stretch reaches W at a fix reached slowly (a fix reached at
  speed may be the departure), under the stretch's start. It closes when the trailing
  mean reaches the threshold, at the first of the fixes the vessel reached at speed (a
  segment at the threshold or more) just before: the mean lags the departure by minutes
  (8 minutes at 12 knots), and those fixes are dropped from the stretch. It closes at the
  first fix within ``loiter_shore_nm`` of shore, or when the vessel falls silent: a
  vessel at anchor reports only every 3 minutes, so silence ends it only when longer than
  ``detect_stale_minutes`` and than three of its intervals between fixes (a moving
  average, each at most W); end = its last report then. ``mean_knots`` is the distance
  over the time between the stretch's first and last fixes. The event is sent when it
  opens, each further W while open, and when it closes.
* The geometry is a GeoJSON Point: the mean of the stretch's fixes (as unit vectors, so
  that the antimeridian does no harm). A loiterer drifts a few miles at most.
* Far offshore is ``LandMask.far_offshore`` on fixes, remembered per cell of the mask
  (``sea.FarOffshore``) and asked once per batch for every fix of the vessels
  with a slow segment or in a stretch.
* Only ship MMSIs count (first digit 2 to 7, see ``sea.is_ship``): fishing-net buoys
  sending class B reports drift slowly far offshore all the time.

State per vessel is its last fix; per stretch, the fixes of one window: bounded.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from shade.config import Settings
from shade.detect.events import Event, EventKind, event_id
from shade.detect.roster import Roster
from shade.detect.sea import SHIP_MMSI_MAX, SHIP_MMSI_MIN, FarOffshore
from shade.times import datetimes_of
from shade.tracks.land import LandMask, land_mask
from shade.tracks.model import Point, Points
from shade.tracks.sanity import distance_nm

FloatArray = npt.NDArray[np.float64]
KM_PER_NM: Final = 1.852
_ALPHA: Final = 0.25  # weight of the newest interval in a vessel's moving average
_MISSED: Final = 3  # intervals a vessel may miss before its silence ends a stretch
# Flags of a fix for _offshore_batch: its vessel is in a stretch; its vessel's fix before
# it was judged in an earlier batch, and not asked about the shore.
_IN_STRETCH: Final = 1
_PREV_UNKNOWN: Final = 2
_UNDER_WAY: Final = 4  # it reports UNDER_WAY times the threshold or more
UNDER_WAY: Final = 3.0  # times loiter_max_knots: a reported speed that cannot start a stretch


class _Stretch:
    """A slow stretch of one vessel: the fixes of its trailing window, running sums, event."""

    __slots__ = ("event", "next_emit", "start", "start_s", "sums", "window")

    def __init__(self, start: datetime, start_s: float, unit: tuple[float, float, float]):
        self.start = start
        self.start_s = start_s
        # Fixes of the trailing window, the first at or before its start: (time s, nm
        # travelled since the stretch's start, unit vector).
        self.window: deque[tuple[float, float, float, float, float]] = deque(
            [(start_s, 0.0, *unit)]
        )
        self.sums = list(unit)  # of the fixes' unit vectors: the mean position
        self.event: Event | None = None
        self.next_emit = 0.0  # time (s) from which an open event is re-sent

    @property
    def last(self) -> float:
        return self.window[-1][0]

    @property
    def cum(self) -> float:
        return self.window[-1][1]

    def mean_knots(self, at_s: float, cum: float, window_s: float) -> float:
        """The mean speed over the trailing window, were a fix at ``at_s`` added."""
        window = self.window
        while len(window) > 1 and window[1][0] <= at_s - window_s:
            window.popleft()
        first_s, first_cum = window[0][:2]
        return (cum - first_cum) * 3600.0 / (at_s - first_s)

    def add(self, at_s: float, cum: float, x: float, y: float, z: float) -> None:
        self.window.append((at_s, cum, x, y, z))
        sums = self.sums
        sums[0] += x
        sums[1] += y
        sums[2] += z

    def drop_departure(self, max_knots: float) -> float | None:
        """Drop the last fixes reached at max_knots or more; the time of the first dropped."""
        window = self.window
        first: float | None = None
        while len(window) > 1:
            at_s, cum, x, y, z = window[-1]
            before_s, before_cum = window[-2][:2]
            if (cum - before_cum) * 3600.0 < max_knots * (at_s - before_s):
                break
            window.pop()
            first = at_s
            self.sums[0] -= x
            self.sums[1] -= y
            self.sums[2] -= z
        return first


class _Vessel:
    __slots__ = (
        "batch",
        "fix_at",
        "fix_lat",
        "fix_lon",
        "fix_off",
        "fix_s",
        "interval",
        "seen",
        "stretch",
    )

    def __init__(self, at: datetime, lat: float, lon: float) -> None:
        self.batch = 0  # the last batch (a count) with a fix of the vessel
        # The latest fix (as the first pass over a batch chooses them) and report.
        self.fix_at = at
        self.fix_s = at.timestamp()
        self.fix_lat = lat
        self.fix_lon = lon
        self.seen = at
        # Whether the latest fix judged (second pass) is far offshore: 1, 0, -1 not asked.
        self.fix_off = -1
        self.interval = 0.0  # moving average of seconds between fixes; 0 until known
        self.stretch: _Stretch | None = None


# A fix: its vessel, MMSI, time (datetime, s), the vessel's fix before it and the seconds
# since, and the vessel's report before it.
_Fix = tuple[_Vessel, int, datetime, float, datetime, float, datetime]


class LoiterDetector:
    """Loitering events (kind ``loiter``) from track points; see the module docstring."""

    def __init__(
        self, roster: Roster, settings: Settings, mask: Callable[[], LandMask] = land_mask
    ) -> None:
        self.roster = roster
        self._max_knots = settings.loiter_max_knots
        self._window_s = settings.loiter_min_minutes * 60.0
        self._stale_s = settings.detect_stale_minutes * 60.0
        self._shore_nm = settings.loiter_shore_nm
        step_s = min(max(60.0, self._window_s / 30), self._stale_s / 2)
        self._step = timedelta(seconds=step_s)
        self._far = FarOffshore(mask, settings.loiter_shore_nm * KM_PER_NM)
        self._vessels: dict[int, _Vessel] = {}
        self._active: dict[int, _Vessel] = {}  # vessels in a slow stretch
        self._batch = 0

    def observe(self, points: Sequence[Point], now: datetime) -> list[Event]:
        changed: dict[str, Event] = {}
        fixes, where = self._fixes(points)
        if fixes:
            self._judge(fixes, where, changed)
        self._sweep(now, changed)
        return list(changed.values())

    def open_events(self) -> list[Event]:
        return [
            v.stretch.event
            for v in self._active.values()
            if v.stretch is not None and v.stretch.event is not None
        ]

    def _fixes(self, points: Sequence[Point]) -> tuple[list[_Fix], list[tuple[float, ...]]]:
        """The reports that are fixes, and their (lat, lon, lat and lon of the fix before,
        seconds since it, MMSI, flags for ``_offshore_batch``); the others only move their
        vessel's last report."""
        vessels = self._vessels
        step = self._step
        window_s = self._window_s
        under_way = UNDER_WAY * self._max_knots
        self._batch = batch = self._batch + 1
        fixes: list[_Fix] = []
        where: list[tuple[float, ...]] = []
        columns = Points.of(points)
        for mmsi, at, lat, lon, speed in zip(
            columns.mmsi.tolist(),
            datetimes_of(columns.at),
            columns.lat.tolist(),
            columns.lon.tolist(),
            columns.speed.tolist(),  # NaN: not available, and never under way
            strict=True,
        ):
            if not SHIP_MMSI_MIN <= mmsi <= SHIP_MMSI_MAX:
                continue
            vessel = vessels.get(mmsi)
            if vessel is None:
                vessels[mmsi] = _Vessel(at, lat, lon)
                continue
            since = at - vessel.fix_at
            if since < step:
                vessel.seen = at
                continue
            dt = since.total_seconds()
            fast = speed >= under_way
            if fast and vessel.stretch is None and vessel.batch != batch:
                # Under way, no stretch to judge, no fix of the vessel waiting in this batch:
                # judged here, with no allocation (most fixes of a busy feed).
                interval = vessel.interval
                capped = dt if dt < window_s else window_s
                vessel.interval = (
                    capped if interval == 0 else interval + _ALPHA * (capped - interval)
                )
                vessel.fix_at = vessel.seen = at
                vessel.fix_s += dt
                vessel.fix_lat = lat
                vessel.fix_lon = lon
                vessel.fix_off = -1
                continue
            at_s = vessel.fix_s + dt
            fixes.append((vessel, mmsi, at, at_s, vessel.fix_at, dt, vessel.seen))
            flags = _IN_STRETCH if vessel.stretch is not None else 0
            if fast:
                flags |= _UNDER_WAY
            if vessel.batch != batch:
                vessel.batch = batch
                if vessel.fix_off < 0:
                    flags |= _PREV_UNKNOWN
            where.append((lat, lon, vessel.fix_lat, vessel.fix_lon, dt, mmsi, flags))
            vessel.fix_at = vessel.seen = at
            vessel.fix_s = at_s
            vessel.fix_lat = lat
            vessel.fix_lon = lon
        return fixes, where

    def _judge(
        self, fixes: list[_Fix], where: list[tuple[float, ...]], changed: dict[str, Event]
    ) -> None:
        """Run each fix through its vessel's stretch, in order."""
        lat, lon, prev_lat, prev_lon, seconds, mmsis, flags = np.array(where).T
        nm = distance_nm(prev_lat, prev_lon, lat, lon)
        slow = nm * 3600.0 < self._max_knots * seconds
        bits = flags.astype(np.int64)
        # A stretch starts on a slow segment to a fix that does not report being under way:
        # the rule ``_fixes`` applies to the fixes it judges itself.
        starts = slow & (bits & _UNDER_WAY == 0)
        offshore, first_prev = self._offshore_batch(
            lat, lon, prev_lat, prev_lon, starts, mmsis, bits
        )
        nm_list = nm.tolist()
        slow_list = slow.tolist()
        start_list = starts.tolist()
        window_s = self._window_s
        for k, (vessel, mmsi, at, at_s, prev_at, dt, seen) in enumerate(fixes):
            off: int = offshore[k]
            interval = vessel.interval
            capped = dt if dt < window_s else window_s
            vessel.interval = capped if interval == 0 else interval + _ALPHA * (capped - interval)
            stretch = vessel.stretch
            if stretch is None and not (start_list[k] and off == 1):  # most fixes
                vessel.fix_off = off
                continue
            silent = (at - seen).total_seconds() > max(self._stale_s, _MISSED * interval)
            if stretch is not None and silent:
                self._close(mmsi, vessel, seen, changed)
                stretch = None
            if stretch is not None:
                cum = stretch.cum + nm_list[k]
                if stretch.mean_knots(at_s, cum, window_s) >= self._max_knots:
                    # The trailing mean lags: the stretch ended at the first of the fixes
                    # reached at speed, not at this one.
                    set_off = stretch.drop_departure(self._max_knots)
                    end = at if set_off is None else self._time(stretch, set_off)
                    self._close(mmsi, vessel, end, changed)
                else:
                    if off < 0:  # not so: see _offshore_batch
                        off = self._offshore_one(where[k][0], where[k][1])
                    if off:
                        stretch.add(at_s, cum, *_unit(where[k][0], where[k][1]))
                        if slow_list[k]:  # a fix reached at speed may be the departure
                            self._progress(mmsi, stretch, changed)
                    else:
                        self._close(mmsi, vessel, at, changed)
            elif not silent and start_list[k] and off == 1:
                prev_off = vessel.fix_off if vessel.fix_off >= 0 else first_prev.get(k, -1)
                if prev_off < 0:  # not so: see _offshore_batch
                    prev_off = self._offshore_one(where[k][2], where[k][3])
                if prev_off:
                    stretch = _Stretch(prev_at, at_s - dt, _unit(where[k][2], where[k][3]))
                    stretch.add(at_s, nm_list[k], *_unit(where[k][0], where[k][1]))
                    vessel.stretch = stretch
                    self._active[mmsi] = vessel
                    self._progress(mmsi, stretch, changed)
            vessel.fix_off = off

    def _offshore_batch(
        self,
        lat: FloatArray,
        lon: FloatArray,
        prev_lat: FloatArray,
        prev_lon: FloatArray,
        slow: npt.NDArray[np.bool_],
        mmsis: FloatArray,
        flags: npt.NDArray[np.int64],
    ) -> tuple[list[int], dict[int, int]]:
        """Whether fixes are far offshore (-1: not asked), and the fixes before the first of
        each vessel in the batch, by index, where not known yet.

        One call to the land mask per batch, as each call has a cost of its own: it asks for
        every fix of the vessels with a slow segment or in a stretch, which covers every fix
        a stretch may start from, go on to or end at.
        """
        keen = np.isin(mmsis, mmsis[slow]) | (flags & _IN_STRETCH > 0)
        picks = np.flatnonzero(keen)
        prevs = np.flatnonzero(keen & (flags & _PREV_UNKNOWN > 0))
        offshore = np.full(len(lat), -1, dtype=np.int8)
        if not len(picks):
            return offshore.tolist(), {}
        answers = self._offshore(
            np.concatenate((lat[picks], prev_lat[prevs])),
            np.concatenate((lon[picks], prev_lon[prevs])),
        )
        offshore[picks] = answers[: len(picks)]
        prev_answers = answers[len(picks) :].tolist()
        return offshore.tolist(), dict(zip(prevs.tolist(), prev_answers, strict=True))

    @staticmethod
    def _time(stretch: _Stretch, at_s: float) -> datetime:
        return stretch.start + timedelta(seconds=at_s - stretch.start_s)

    def _progress(self, mmsi: int, stretch: _Stretch, changed: dict[str, Event]) -> None:
        """Open the event once the stretch lasts W; re-send it each further W."""
        if stretch.last - stretch.start_s < self._window_s or stretch.last < stretch.next_emit:
            return
        stretch.next_emit = stretch.last + self._window_s
        event = self._event(mmsi, stretch, self._time(stretch, stretch.last), None)
        stretch.event = event
        changed[event.id] = event

    def _close(self, mmsi: int, vessel: _Vessel, end: datetime, changed: dict[str, Event]) -> None:
        stretch = vessel.stretch
        vessel.stretch = None
        del self._active[mmsi]
        if stretch is not None and stretch.event is not None:
            event = self._event(mmsi, stretch, end, end)
            changed[event.id] = event

    def _sweep(self, now: datetime, changed: dict[str, Event]) -> None:
        """End the stretches of vessels silent for too long."""
        silent = [
            (mmsi, vessel)
            for mmsi, vessel in self._active.items()
            if (now - vessel.seen).total_seconds() > max(self._stale_s, _MISSED * vessel.interval)
        ]
        for mmsi, vessel in silent:
            self._close(mmsi, vessel, vessel.seen, changed)

    def _event(self, mmsi: int, stretch: _Stretch, upto: datetime, end: datetime | None) -> Event:
        hours = (stretch.last - stretch.start_s) / 3600.0
        x, y, z = stretch.sums
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        lon = math.degrees(math.atan2(y, x))
        figures: dict[str, Any] = {
            "duration_min": round((upto - stretch.start).total_seconds() / 60.0, 1),
            "mean_knots": round(stretch.cum / hours, 2) if hours > 0 else 0.0,
            "shore_nm": self._shore_nm,
        }
        return Event(
            id=event_id(EventKind.LOITER, (mmsi,), stretch.start),
            kind=EventKind.LOITER,
            mmsi=(mmsi,),
            parties=(self.roster.party(mmsi),),
            start=stretch.start,
            end=end,
            geometry={"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            figures=figures,
        )

    def _offshore(self, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.int8]:
        return self._far(lat, lon).astype(np.int8)

    def _offshore_one(self, lat: float, lon: float) -> int:
        return int(self._offshore(np.array([lat]), np.array([lon]))[0])


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)
