"""The sanity filter: which position reports join a vessel's history and which are kept aside.

It owns the filter's memory of each vessel: the time and place of its last accepted report
(its anchor), and, only while reports are being refused, the last refused one. Each report
of a vessel, in the order they arrive, is judged by the first rule it breaks:

1. ``INLAND``: on land, with no sea within ``track_inland_km`` (``land.far_inland``). It
   says nothing about the vessel's other reports, so it neither uses nor moves the anchor.
2. ``OUT_OF_ORDER``: older than the anchor.
3. ``IMPOSSIBLE_SPEED``: the anchor is too far away for the time between them. The first
   ``SLACK_NM`` of the great-circle distance are free: fixes are noisy, and type 27 sends
   positions in 1/10 minute, which transponders truncate, so that a type 27 and a type 1
   of the same moment can lie 0.14 nm apart. The report is impossible when the rest of the
   distance needs more than ``track_max_speed_knots``. With no time between them, any move
   beyond ``SLACK_NM`` is impossible, and a repeat of the same fix never is.

A report that breaks none is accepted and becomes the anchor. As the anchor is always an
accepted report, one bad fix does not drag the track away.

Re-anchoring: if the anchor itself was bad (a wrong first fix, a time from a receiver with
a wrong clock), every later report would be refused forever. So when ``REANCHOR_AFTER``
reports in a row are refused for time or speed, and agree among themselves (each later than
the one before and reachable from it within the speed limit), the last of them is accepted
and becomes the anchor; the ones before it stay aside. A vessel thus loses at most
``REANCHOR_AFTER - 1`` good reports to a bad anchor. A re-anchored report may be older than
the report it replaces as the anchor: the history is then not in time order at that report,
which ``Sanity.reanchored`` counts.

Batches are judged with NumPy: every report against the one before it of the same vessel
(or its anchor). When all reports of a vessel pass, all are accepted, which is what judging
them one by one gives. Only the reports of vessels with a refusal in the batch are judged
one by one from the first refusal on; the speeds that asks about are worked out before, for
every pair of those vessels' few fixes in one NumPy pass.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final

import numpy as np
import numpy.typing as npt

from shade.tracks.land import EARTH_RADIUS_KM, NEVER_INLAND_KM, FloatArray, LandMask, land_mask

IntArray = npt.NDArray[np.int64]
VerdictArray = npt.NDArray[np.int8]

EARTH_RADIUS_NM: Final = EARTH_RADIUS_KM / 1.852
SLACK_NM: Final = 0.2
REANCHOR_AFTER: Final = 3
# A vessel with more reports from its first refusal on has worked out at once only the
# speeds between fixes at most _BAND apart, not those of every pair (which grow as the
# square): what the rules ask while reports are accepted, and through short runs of
# refused ones. Others are worked out when asked.
_PAIRWISE_UP_TO: Final = 12
_BAND: Final = 4

# Verdicts, one per report.
ACCEPTED: Final = 0
INLAND: Final = 1
OUT_OF_ORDER: Final = 2
IMPOSSIBLE_SPEED: Final = 3

_Fix = tuple[float, float, float]  # seconds since the epoch, lat, lon


def _paired(fast: list[bool], offset: int, n: int, i: int, j: int) -> bool:
    """Pair (i, j), i < j, of n fixes, as np.triu_indices(n, 1) orders them from ``offset``."""
    return fast[offset + i * n - i * (i + 1) // 2 + j - i - 1]


def distance_nm(
    lat0: FloatArray, lon0: FloatArray, lat1: FloatArray, lon1: FloatArray
) -> FloatArray:
    """Great-circle distances in nautical miles (haversine, mean Earth radius)."""
    phi0, phi1 = np.radians(lat0), np.radians(lat1)
    half_dphi = (phi1 - phi0) / 2
    half_dlam = np.radians(lon1 - lon0) / 2
    a = np.sin(half_dphi) ** 2 + np.cos(phi0) * np.cos(phi1) * np.sin(half_dlam) ** 2
    distance: FloatArray = 2 * EARTH_RADIUS_NM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return distance


class Sanity:
    """Judges position reports vessel by vessel, remembering one anchor per vessel."""

    def __init__(
        self,
        max_speed_knots: float,
        inland_km: float,
        mask: Callable[[], LandMask] = land_mask,
    ) -> None:
        self._knots_per_second = max_speed_knots / 3600.0
        self._inland_km = inland_km
        self._mask = mask
        self._anchor: dict[int, _Fix] = {}
        # Vessels whose last reports were refused: the last refused report and the length
        # of the run of refused reports that agree among themselves.
        self._doubt: dict[int, tuple[_Fix, int]] = {}
        self.reanchored = 0

    def __len__(self) -> int:
        """Vessels with an anchor."""
        return len(self._anchor)

    def judge(
        self, mmsi: IntArray, seconds: FloatArray, lat: FloatArray, lon: FloatArray
    ) -> VerdictArray:
        """The verdict on each report, in arrival order; the anchors move on accordingly.

        ``seconds`` are UNIX times; lat and lon valid degrees.
        """
        verdict = np.zeros(len(mmsi), dtype=np.int8)
        if len(mmsi) == 0:
            return verdict
        if self._inland_km < NEVER_INLAND_KM:
            inland = self._mask().far_inland(lat, lon, self._inland_km)
            verdict[inland] = INLAND
            rest = np.flatnonzero(~inland)
        else:
            rest = np.arange(len(mmsi))
        if len(rest) == 0:
            return verdict
        # Each vessel's reports together, in arrival order within the vessel.
        order = rest[np.argsort(mmsi[rest], kind="stable")]
        ms, ts, las, los = mmsi[order], seconds[order], lat[order], lon[order]
        first = np.ones(len(order), dtype=np.bool_)
        first[1:] = ms[1:] != ms[:-1]
        starts = np.flatnonzero(first)
        # What each report is judged against: the report before it, or the vessel's anchor.
        ref_t, ref_lat, ref_lon = np.roll(ts, 1), np.roll(las, 1), np.roll(los, 1)
        known = np.ones(len(order), dtype=np.bool_)
        anchors = list(map(self._anchor.get, ms[starts].tolist()))
        for k, anchor in zip(starts.tolist(), anchors, strict=True):
            if anchor is None:
                known[k] = False
            else:
                ref_t[k], ref_lat[k], ref_lon[k] = anchor
        refused = known & ((ts < ref_t) | self._too_fast(ref_t, ref_lat, ref_lon, ts, las, los))
        group = np.cumsum(first) - 1
        dirty = np.zeros(len(starts), dtype=np.bool_)
        dirty[group[refused]] = True
        ends = np.append(starts[1:], len(order)) - 1
        # Vessels whose every report passed: the last one is the new anchor.
        clean = np.flatnonzero(~dirty)
        doubt = self._doubt
        for m, t, la, lo in zip(
            ms[starts[clean]].tolist(),
            ts[ends[clean]].tolist(),
            las[ends[clean]].tolist(),
            los[ends[clean]].tolist(),
            strict=True,
        ):
            self._anchor[m] = (t, la, lo)
            if doubt:
                doubt.pop(m, None)
        groups = np.flatnonzero(dirty).tolist()
        if groups:
            self._judge_refused(groups, starts, ends, refused, ms, order, ts, las, los, verdict)
        return verdict

    def _judge_refused(
        self,
        groups: list[int],
        starts: IntArray,
        ends: IntArray,
        refused: npt.NDArray[np.bool_],
        ms: IntArray,
        order: IntArray,
        ts: FloatArray,
        las: FloatArray,
        los: FloatArray,
        verdict: VerdictArray,
    ) -> None:
        """Judge the vessels with a refusal in the batch one report at a time, from it on.

        The rules go report by report, but each speed they may ask about is between two
        of a vessel's few fixes: its anchor, its last refused report, and its reports from
        the first refusal on. All of those (of every such vessel) are worked out in one
        NumPy pass over every pair, and the rules look them up: one pass instead of two
        for each report. A vessel with many reports from its first refusal on has only
        those between fixes close to each other worked out in that pass (``_BAND``), and
        the few others one at a time.
        """
        plans: list[tuple[int, list[_Fix], int, int, IntArray, int]] = []
        firsts: list[IntArray] = []
        seconds: list[IntArray] = []
        fixes_of_all: list[_Fix] = []
        pairs = 0
        for g in groups:
            start, end = int(starts[g]), int(ends[g])
            begin = start + int(np.argmax(refused[start : end + 1]))
            mmsi = int(ms[start])
            if begin > start:
                # The reports before ``begin`` passed against each other: the last is the
                # anchor.
                anchor = (float(ts[begin - 1]), float(las[begin - 1]), float(los[begin - 1]))
                doubt = None
            else:
                anchor = self._anchor[mmsi]
                doubt = self._doubt.get(mmsi)
            head = [anchor] if doubt is None else [anchor, doubt[0]]
            fixes = head + list(
                zip(
                    ts[begin : end + 1].tolist(),
                    las[begin : end + 1].tolist(),
                    los[begin : end + 1].tolist(),
                    strict=True,
                )
            )
            if len(fixes) <= _PAIRWISE_UP_TO:
                i, j = np.triu_indices(len(fixes), 1)
            else:
                i = np.concatenate([np.arange(len(fixes) - d) for d in range(1, _BAND + 1)])
                j = i + np.repeat(np.arange(1, _BAND + 1), len(fixes) - np.arange(1, _BAND + 1))
            firsts.append(i + len(fixes_of_all))
            seconds.append(j + len(fixes_of_all))
            fixes_of_all += fixes
            offset, pairs = pairs, pairs + len(i)
            run = 0 if doubt is None else doubt[1]
            plans.append((mmsi, fixes, len(head), run, order[begin : end + 1], offset))
        fast: list[bool] = []
        if firsts:
            t, lat, lon = np.array(fixes_of_all, dtype=np.float64).T
            a, b = np.concatenate(firsts), np.concatenate(seconds)
            fast = self._too_fast(t[a], lat[a], lon[a], t[b], lat[b], lon[b]).tolist()
        for mmsi, fixes, first, run, rows, offset in plans:
            if len(fixes) <= _PAIRWISE_UP_TO:
                too_fast = partial(_paired, fast, offset, len(fixes))
            else:
                too_fast = partial(self._banded, fixes, fast, offset, {})
            self._one_by_one(mmsi, fixes, first, run, rows, too_fast, verdict)

    def _banded(
        self,
        fixes: list[_Fix],
        fast: list[bool],
        offset: int,
        far: dict[int, list[bool]],
        i: int,
        j: int,
    ) -> bool:
        """Pair (i, j), i < j, of fixes whose pairs at most _BAND apart are worked out from
        ``offset``: those 1 apart, then 2 apart, and so on. A pair further apart is worked
        out with every later fix of its first (the anchor of a run of refusals, asked of
        each fix of the run), kept in ``far``."""
        d = j - i
        if d <= _BAND:
            n = len(fixes)
            return fast[offset + (d - 1) * n - (d - 1) * d // 2 + i]
        row = far.get(i)
        if row is None:
            later = np.array(fixes[i + 1 :], dtype=np.float64).T
            anchor = [np.full(len(fixes) - i - 1, value) for value in fixes[i]]
            row = far[i] = self._too_fast(*anchor, *later).tolist()
        return row[j - i - 1]

    def _one_by_one(
        self,
        mmsi: int,
        fixes: list[_Fix],
        first: int,
        run: int,
        rows: IntArray,
        too_fast: Callable[[int, int], bool],
        verdict: VerdictArray,
    ) -> None:
        """Judge ``fixes[first:]``, one vessel's reports (at ``rows`` of ``verdict``), one at
        a time. ``fixes[0]`` is the anchor, ``fixes[1]`` (when ``first`` is 2) the last
        refused report, ``run`` the run it ends."""
        anchor = 0
        doubt = 1 if first == 2 else None
        for k in range(first, len(fixes)):
            fix = fixes[k]
            if fix[0] < fixes[anchor][0]:
                reason = OUT_OF_ORDER
            elif too_fast(anchor, k):
                reason = IMPOSSIBLE_SPEED
            else:
                anchor, doubt = k, None
                continue
            length = 1
            if doubt is not None and fix[0] > fixes[doubt][0] and not too_fast(doubt, k):
                length = run + 1
            if length >= REANCHOR_AFTER:
                anchor, doubt = k, None
                self.reanchored += 1
                continue
            verdict[rows[k - first]] = reason
            doubt, run = k, length
        self._anchor[mmsi] = fixes[anchor]
        if doubt is None:
            self._doubt.pop(mmsi, None)
        else:
            self._doubt[mmsi] = (fixes[doubt], run)

    def _too_fast(
        self,
        t0: FloatArray,
        lat0: FloatArray,
        lon0: FloatArray,
        t1: FloatArray,
        lat1: FloatArray,
        lon1: FloatArray,
    ) -> npt.NDArray[np.bool_]:
        excess = distance_nm(lat0, lon0, lat1, lon1) - SLACK_NM
        # Multiplying rather than dividing: no special case for reports at the same time.
        return excess > (t1 - t0) * self._knots_per_second
