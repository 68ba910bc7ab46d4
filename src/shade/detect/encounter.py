"""Close encounters: alerts when units of two parties are about to pass close to each other.

The detector keeps each vessel's latest report, for the vessels that can be alerted about
at all (a party unit with a rule towards some other party or neutrals; a neutral vessel
only when some party is alerted about neutrals). Every ``encounter_sweep_seconds`` of feed
time (and at the first call) it sweeps:

1. Vessels whose last report is older than ``detect_stale_minutes`` are forgotten. Those
   whose motion is unknown (``cpa.motion``: no speed, or moving with no course) stay known
   but are not dead-reckoned, so are in no pair this sweep.
2. The others are dead-reckoned to ``now`` and put in k-d trees of unit vectors (distances
   through the sphere: no edge at the antimeridian or the poles). Pairs of units within
   ``encounter_search_nm`` come from one tree, unit-neutral pairs from two, and neutral
   pairs are never formed.
3. The pair's rule (``Parties.rule``, a small matrix by party) and CPA/TCPA (``cpa``).

An alert opens when CPA < the rule's cpa_nm and 0 <= TCPA <= its tcpa_minutes, and one of
the two makes at least ``encounter_under_way_knots``: ships at rest side by side in a port
are not an encounter (on a day of US waters they were nearly all the alerts). It closes at
the sweep where the closest distance still ahead (the CPA if it is ahead, else the distance
now) exceeds cpa_nm times ``encounter_hysteresis``: the two pass and draw apart, or one
turns away, or both stop apart. It also closes when the pair falls outside the search
radius or the rule (a party changed), or either vessel goes stale or stops being one that
can be alerted. An alert whose vessel is fresh but cannot be dead-reckoned is held as it
is. The hysteresis keeps an alert from flapping when two vessels hover at the threshold.

The event (kind encounter, the smaller MMSI first) starts at the sweep that opened it and
ends at the one that closed it. Its figures: cpa_nm and tcpa_min as last predicted,
distance_nm at the last sweep, closest_nm the least distance seen at a sweep while open
(the one at opening included); its geometry the LineString between the two vessels'
dead-reckoned positions at that closest sweep. An open alert is handed out again when its
CPA or closest distance moved by at least 0.05 nm, its distance by 0.1 nm, or the time of
its CPA by a minute, since it was last handed out: enough for a watch officer, and few
enough rows that a busy port does not write every alert at every sweep.

Open alerts are rows of arrays sorted by pair key, so a sweep matches them to its pairs,
updates and closes them with NumPy; Python touches only the events it hands out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from shade.config import Settings
from shade.detect import cpa
from shade.detect.events import Event, EventKind, event_id
from shade.detect.roster import Roster
from shade.times import MICROS_PER_SECOND
from shade.tracks.land import BoolArray, FloatArray, IntArray
from shade.tracks.model import Point, Points

_KEY: Final = 1 << 30  # pair key: smaller MMSI * _KEY + larger (AIS gives MMSIs 30 bits)
_NAN: Final = math.nan

# Columns of the open alerts' figures: cpa_nm, tcpa_min, distance_nm, closest_nm; the same
# as last handed out, and when (POSIX seconds); the line at the closest sweep (lon, lat of
# a, then of b).
_CPA, _TCPA, _DISTANCE, _CLOSEST = 0, 1, 2, 3
_FIGURES: Final = slice(0, 4)
_SHOWN: Final = slice(4, 8)
_SHOWN_AT: Final = 8
_LINE: Final = slice(9, 13)
_COLUMNS: Final = 13
# A figure moved by this much since last handed out (nm, minutes, nm, nm): hand it out again.
# TCPA is compared counted down, so that only a change in the time of the CPA counts.
_STEPS: Final = np.array([0.05, 1.0, 0.1, 0.05])


class EncounterDetector:
    """Close-encounter alerts between parties' units; see the module docstring."""

    def __init__(self, roster: Roster, settings: Settings) -> None:
        self.roster = roster
        self.settings = settings
        self._under_way = settings.encounter_under_way_knots
        parties = roster.parties
        ids: list[str | None] = [None, *(party.id for party in parties.parties)]
        self._party_index: dict[str | None, int] = {pid: k for k, pid in enumerate(ids)}
        size = len(ids)
        self._cpa = np.full((size, size), _NAN)  # the rule's cpa_nm by party pair, NaN: off
        self._tcpa = np.full((size, size), _NAN)
        for i, a in enumerate(ids):
            for j, b in enumerate(ids):
                rule = parties.rule(a, b)
                if rule is not None:
                    self._cpa[i, j] = rule.cpa_nm
                    self._tcpa[i, j] = rule.tcpa_minutes
        self._matters = [bool(np.isfinite(row).any()) for row in self._cpa]
        self._chord = cpa.chord(float(settings.encounter_search_nm))
        self._stale_s = 60.0 * settings.detect_stale_minutes
        self._reports = _Reports()
        self._last_sweep: float | None = None
        # The open alerts: pair keys (sorted), figures (see _COLUMNS), and id and start.
        self._keys: IntArray = np.zeros(0, dtype=np.int64)
        self._figures: FloatArray = np.zeros((0, _COLUMNS))
        self._opened: dict[int, tuple[str, datetime]] = {}

    def observe(self, points: Sequence[Point], now: datetime) -> list[Event]:
        party = self.roster.party
        index = self._party_index
        matters = self._matters
        reports = self._reports
        rows = reports.row
        at_, lat_, lon_, speed_, course_, party_ = (
            reports.at,
            reports.lat,
            reports.lon,
            reports.speed,
            reports.course,
            reports.party,
        )
        # A vessel's report replaces the one held unless that is newer: of the step's
        # reports, each vessel's newest (the last of one time) is the one that counts.
        columns = Points.of(points)
        newest = columns.take(columns.latest())
        for mmsi, at, lat, lon, speed, course in zip(
            newest.mmsi.tolist(),
            (newest.at / MICROS_PER_SECOND).tolist(),
            newest.lat.tolist(),
            newest.lon.tolist(),
            newest.speed.tolist(),  # NaN: not available
            newest.course.tolist(),
            strict=True,
        ):
            k = index.get(party(mmsi), 0)
            if not matters[k]:
                if mmsi in rows:
                    reports.forget(mmsi)  # its party changed
                continue
            row = rows.get(mmsi)
            if row is None:
                row = reports.add(mmsi)
            elif at_[row] > at:
                continue
            at_[row] = at
            lat_[row] = lat
            lon_[row] = lon
            speed_[row] = speed
            course_[row] = course
            party_[row] = k
        now_s = now.timestamp()
        if self._last_sweep is not None and now_s - self._last_sweep < (
            self.settings.encounter_sweep_seconds
        ):
            return []
        return self.sweep(now)

    def open_events(self) -> list[Event]:
        return self._events(np.arange(len(self._keys)), None)

    def sweep(self, now: datetime) -> list[Event]:
        """Dead-reckon every vessel to ``now``, open, update and close alerts."""
        now_s = now.timestamp()
        self._last_sweep = now_s
        if not len(self._reports.row) and not len(self._keys):
            return []
        mmsi, state = self._reports.fresh(now_s - self._stale_s)
        speed, course, known = cpa.motion(state[:, 3], state[:, 4])
        moving = np.flatnonzero(known)
        p, v = cpa.vectors(state[moving, 1], state[moving, 2], speed[moving], course[moving])
        p, v = cpa.advance(p, v, now_s - state[moving, 0])
        party = state[moving, 5].astype(np.intp)
        first, second = self._pairs(p, party)
        limit = self._cpa[party[first], party[second]]
        ruled = np.flatnonzero(~np.isnan(limit))
        first, second, limit = first[ruled], second[ruled], limit[ruled]
        found = cpa.approach_pairs(p, v, first, second)
        moving_speed = speed[moving]
        alerting = (
            (found.cpa_nm < limit)
            & (found.tcpa_min >= 0)
            & (found.tcpa_min <= self._tcpa[party[first], party[second]])
            & (np.maximum(moving_speed[first], moving_speed[second]) >= self._under_way)
        )
        ids = mmsi[moving]
        ends = _Ends(p, ids, first, second)
        keys = ends.keys()
        row_of, hit = self._match(keys)
        events = self._carry(row_of, found, limit, ends, mmsi, known, now)
        new = np.flatnonzero(alerting & ~hit)
        if len(new):
            events.extend(self._start(keys[new], found, new, ends, now))
        return events

    def _pairs(self, p: FloatArray, party: npt.NDArray[np.intp]) -> tuple[IntArray, IntArray]:
        """Indices of pairs within the search radius: units with units, units with neutrals."""
        units = np.flatnonzero(party > 0)
        neutrals = np.flatnonzero(party == 0)
        firsts: list[IntArray] = []
        seconds: list[IntArray] = []
        if len(units):
            tree = cKDTree(p[units])
            pairs = tree.query_pairs(self._chord, output_type="ndarray")
            firsts.append(units[pairs[:, 0]])
            seconds.append(units[pairs[:, 1]])
            if len(neutrals) and self._matters[0]:
                near = tree.sparse_distance_matrix(
                    cKDTree(p[neutrals]), self._chord, output_type="ndarray"
                )
                firsts.append(units[near["i"]])
                seconds.append(neutrals[near["j"]])
        if not firsts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        return np.concatenate(firsts).astype(np.int64), np.concatenate(seconds).astype(np.int64)

    def _match(self, keys: IntArray) -> tuple[IntArray, BoolArray]:
        """For each open alert its pair's row (-1: none this sweep); rows of open alerts."""
        open_keys = self._keys
        if not len(open_keys):
            return np.zeros(0, dtype=np.int64), np.zeros(len(keys), dtype=bool)
        at = np.minimum(np.searchsorted(open_keys, keys), len(open_keys) - 1)
        hit = open_keys[at] == keys
        row_of = np.full(len(open_keys), -1, dtype=np.int64)
        row_of[at[hit]] = np.flatnonzero(hit)
        return row_of, hit

    def _carry(
        self,
        row_of: IntArray,
        found: cpa.Approach,
        limit: FloatArray,
        ends: _Ends,
        mmsi: IntArray,
        known: BoolArray,
        now: datetime,
    ) -> list[Event]:
        """Update the open alerts from their pairs' rows, close those that end; the events."""
        if not len(self._keys):
            return []
        figures = self._figures
        seen = np.flatnonzero(row_of >= 0)
        rows = row_of[seen]
        figures[seen, _CPA] = found.cpa_nm[rows]
        figures[seen, _TCPA] = found.tcpa_min[rows]
        figures[seen, _DISTANCE] = found.distance_nm[rows]
        closer = figures[seen, _DISTANCE] < figures[seen, _CLOSEST]
        figures[seen[closer], _CLOSEST] = figures[seen[closer], _DISTANCE]
        figures[seen[closer], _LINE] = ends.line(rows[closer])
        ahead = np.where(figures[seen, _TCPA] >= 0, figures[seen, _CPA], figures[seen, _DISTANCE])
        closing = np.zeros(len(self._keys), dtype=bool)
        closing[seen] = ahead > limit[rows] * float(self.settings.encounter_hysteresis)
        missing = np.flatnonzero(row_of < 0)
        closing[missing] = ~self._held(self._keys[missing], mmsi, known)
        now_s = now.timestamp()
        shown = figures[seen, _SHOWN]
        # Counted down, but for a TCPA of 0: no relative motion, which stays 0.
        elapsed = (now_s - figures[seen, _SHOWN_AT]) / 60.0
        shown[:, _TCPA] -= np.where(shown[:, _TCPA] == 0.0, 0.0, elapsed)
        moved = np.abs(figures[seen, _FIGURES] - shown) >= _STEPS
        changed = np.zeros(len(self._keys), dtype=bool)
        changed[seen] = moved.any(axis=1)
        changed &= ~closing
        figures[changed, _SHOWN] = figures[changed, _FIGURES]
        figures[changed, _SHOWN_AT] = now_s
        events = self._events(np.flatnonzero(closing), now)
        events.extend(self._events(np.flatnonzero(changed), None))
        if closing.any():
            for key in self._keys[closing].tolist():
                del self._opened[key]
            self._keys, self._figures = self._keys[~closing], figures[~closing]
        return events

    def _held(self, keys: IntArray, mmsi: IntArray, known: BoolArray) -> BoolArray:
        """Which alerts missing from the sweep stay open: both vessels are fresh and can
        still be alerted, and one of them only lacks a speed or course this time."""
        if not len(mmsi):
            return np.zeros(len(keys), dtype=bool)
        a, b = np.divmod(keys, _KEY)
        at_a = np.minimum(np.searchsorted(mmsi, a), len(mmsi) - 1)
        at_b = np.minimum(np.searchsorted(mmsi, b), len(mmsi) - 1)
        fresh = (mmsi[at_a] == a) & (mmsi[at_b] == b)
        held: BoolArray = fresh & ~(known[at_a] & known[at_b])
        return held

    def _start(
        self, keys: IntArray, found: cpa.Approach, rows: IntArray, ends: _Ends, now: datetime
    ) -> list[Event]:
        """Open alerts for the pairs of these rows; their events."""
        added = np.empty((len(rows), _COLUMNS))
        added[:, _CPA] = found.cpa_nm[rows]
        added[:, _TCPA] = found.tcpa_min[rows]
        added[:, _DISTANCE] = added[:, _CLOSEST] = found.distance_nm[rows]
        added[:, _SHOWN] = added[:, _FIGURES]
        added[:, _SHOWN_AT] = now.timestamp()
        added[:, _LINE] = ends.line(rows)
        for key in keys.tolist():
            self._opened[key] = (event_id(EventKind.ENCOUNTER, divmod(key, _KEY), now), now)
        all_keys = np.concatenate([self._keys, keys])
        order = np.argsort(all_keys, kind="stable")
        self._keys = all_keys[order]
        self._figures = np.concatenate([self._figures, added])[order]
        return self._events(np.searchsorted(self._keys, keys), None)

    def _events(self, alerts: IntArray, end: datetime | None) -> list[Event]:
        """The events of these open alerts (by row), as they stand."""
        party = self.roster.party
        opened = self._opened
        figures = np.round(self._figures[alerts, _FIGURES], 3).tolist()
        lines = np.round(self._figures[alerts, _LINE], 6).reshape(-1, 2, 2).tolist()
        events = []
        for key, (cpa_nm, tcpa_min, distance_nm, closest_nm), line in zip(
            self._keys[alerts].tolist(), figures, lines, strict=True
        ):
            a, b = divmod(key, _KEY)
            alert_id, start = opened[key]
            events.append(
                Event(
                    alert_id,
                    EventKind.ENCOUNTER,
                    (a, b),
                    (party(a), party(b)),
                    start,
                    end,
                    {"type": "LineString", "coordinates": line},
                    {
                        "cpa_nm": cpa_nm,
                        "tcpa_min": tcpa_min,
                        "closest_nm": closest_nm,
                        "distance_nm": distance_nm,
                    },
                )
            )
        return events


class _Reports:
    """Each vessel's latest report, as columns with a row per vessel: cheap to write one
    report at a time, and to turn into arrays at a sweep. Rows of forgotten vessels are
    used again, so there are never more rows than vessels at a time."""

    def __init__(self) -> None:
        self.row: dict[int, int] = {}  # by MMSI
        self.mmsi: list[int] = []  # -1: a free row
        self.at: list[float] = []  # POSIX seconds
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.speed: list[float] = []  # NaN: not available
        self.course: list[float] = []
        self.party: list[int] = []  # index in the rule matrices, 0: neutral
        self._free: list[int] = []

    def add(self, mmsi: int) -> int:
        """A row for a vessel not known; the caller fills it."""
        if self._free:
            row = self._free.pop()
            self.mmsi[row] = mmsi
        else:
            row = len(self.mmsi)
            self.mmsi.append(mmsi)
            for column in (self.at, self.lat, self.lon, self.speed, self.course):
                column.append(_NAN)
            self.party.append(0)
        self.row[mmsi] = row
        return row

    def forget(self, mmsi: int) -> None:
        row = self.row.pop(mmsi)
        self.mmsi[row] = -1
        self._free.append(row)

    def fresh(self, since: float) -> tuple[IntArray, FloatArray]:
        """The MMSIs (sorted) and reports of the vessels reported since ``since`` (POSIX
        seconds), one row each: at, lat, lon, speed, course, party. Forgets the others."""
        mmsi = np.array(self.mmsi, dtype=np.int64)
        at = np.array(self.at, dtype=np.float64)
        live = mmsi >= 0
        stale = live & (at < since)
        for gone in mmsi[stale].tolist():
            self.forget(gone)
        keep = np.flatnonzero(live & ~stale)
        keep = keep[np.argsort(mmsi[keep])]
        columns = (self.lat, self.lon, self.speed, self.course, self.party)
        state = np.stack(
            [at[keep], *(np.array(column, dtype=np.float64)[keep] for column in columns)], axis=1
        )
        return mmsi[keep], state


class _Ends:
    """The two vessels of each pair row, the smaller MMSI first: pair keys, positions."""

    def __init__(self, p: FloatArray, ids: IntArray, first: IntArray, second: IntArray) -> None:
        swap = ids[first] > ids[second]
        self._p = p
        self._a = np.where(swap, second, first)
        self._b = np.where(swap, first, second)
        self._ids = ids

    def keys(self) -> IntArray:
        keys: IntArray = self._ids[self._a] * _KEY + self._ids[self._b]
        return keys

    def line(self, rows: IntArray) -> FloatArray:
        """lon, lat of a, lon, lat of b, for these rows."""
        lat_a, lon_a = cpa.lat_lon(self._p[self._a[rows]])
        lat_b, lon_b = cpa.lat_lon(self._p[self._b[rows]])
        return np.stack([lon_a, lat_a, lon_b, lat_b], axis=-1)
