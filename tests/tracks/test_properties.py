"""Properties of the sanity filter and the tracker, with Hypothesis.

- Tracks sailed at plausible speeds and added in time order never put anything aside,
  however they are cut into batches and whatever types (1, 18, 27) carry them.
- The filter gives the same verdicts as a plain one-report-at-a-time statement of its
  rules (the oracle below), however the reports are cut into batches: the vectorised path
  and the one-by-one path agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.tracks.land import land_mask
from shade.tracks.sanity import (
    ACCEPTED,
    IMPOSSIBLE_SPEED,
    INLAND,
    OUT_OF_ORDER,
    REANCHOR_AFTER,
    SLACK_NM,
    Sanity,
    distance_nm,
)
from shade.tracks.tracker import Tracker
from tests.tracks.build import BAVARIA, SOUTH_PACIFIC, minutes, move, report

MAX_KNOTS = 60
INLAND_KM = 20


@dataclass(frozen=True)
class Leg:
    seconds: int
    knots: float
    bearing: float
    msg_type: int


legs = st.builds(
    Leg,
    seconds=st.integers(10, 900),
    knots=st.floats(0, MAX_KNOTS * 0.95),
    bearing=st.floats(0, 360, exclude_max=True),
    msg_type=st.sampled_from([1, 18, 27]),
)


@settings(max_examples=60, deadline=None)
@given(
    voyages=st.lists(st.lists(legs, min_size=1, max_size=15), min_size=1, max_size=3),
    cuts=st.lists(st.integers(1, 10), min_size=1, max_size=10),
)
def test_plausible_tracks_in_time_order_are_all_accepted(
    voyages: list[list[Leg]], cuts: list[int]
) -> None:
    reports = []
    for k, voyage in enumerate(voyages):
        lat, lon = move(*SOUTH_PACIFIC, 120 * k, 30 * k)
        seconds = 0
        for leg in voyage:
            seconds += leg.seconds
            lat, lon = move(lat, lon, leg.bearing, leg.knots * leg.seconds / 3600)
            decoded = report(235000000 + k, lat, lon, msg_type=leg.msg_type, speed=None)
            reports.append((minutes(seconds / 60), k, decoded))
    reports.sort(key=lambda r: (r[0], r[1]))
    tracker = Tracker()
    start = 0
    for size in cuts * len(reports):
        if start >= len(reports):
            break
        update = tracker.add((d, at) for at, _, d in reports[start : start + size])
        assert update.aside == []
        start += size
    assert tracker.stats.points == len(reports)


# Reports from a few vessels at a few places and times, chosen so that every rule and
# re-anchoring come up often: repeats, small moves, jumps, inland, time going back.
PLACES = [
    SOUTH_PACIFIC,
    move(*SOUTH_PACIFIC, 90, SLACK_NM / 2),
    move(*SOUTH_PACIFIC, 90, 3),
    move(*SOUTH_PACIFIC, 0, 100),
    move(*move(*SOUTH_PACIFIC, 0, 100), 90, 2),
    BAVARIA,
]
# Steps of a clock that mostly goes forward, and sometimes back.
STEPS = [0, 1, 60, 300, 300, 600, 600, 3600, -60, -3600]


@st.composite
def reports_st(
    draw: st.DrawFn, min_size: int = 0, max_size: int = 40
) -> list[tuple[int, int, int]]:
    """(mmsi, seconds, place) of each report."""
    steps = draw(
        st.lists(
            st.tuples(
                st.integers(1, 2),
                st.sampled_from(STEPS),
                st.integers(0, len(PLACES) - 1),
            ),
            min_size=min_size,
            max_size=max_size,
        )
    )
    clock = 0
    out = []
    for mmsi, step, place in steps:
        clock += step
        out.append((mmsi, clock, place))
    return out


def oracle(reports: list[tuple[int, int, int]]) -> tuple[list[int], int]:
    """The rules of ``sanity``, stated plainly, one report at a time; and the re-anchorings."""
    mask = land_mask()

    def too_fast(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
        one = [np.array([v]) for v in (a[1], a[2], b[1], b[2])]
        excess = float(distance_nm(*one)[0]) - SLACK_NM
        return excess > (b[0] - a[0]) * (MAX_KNOTS / 3600.0)

    anchor: dict[int, tuple[float, float, float]] = {}
    doubt: dict[int, tuple[tuple[float, float, float], int]] = {}
    out = []
    reanchored = 0
    for mmsi, t, place in reports:
        lat, lon = PLACES[place]
        fix = (float(t), lat, lon)
        if mask.far_inland(np.array([lat]), np.array([lon]), INLAND_KM)[0]:
            out.append(INLAND)
            continue
        if mmsi not in anchor:
            anchor[mmsi] = fix
            out.append(ACCEPTED)
            continue
        a = anchor[mmsi]
        reason = OUT_OF_ORDER if fix[0] < a[0] else IMPOSSIBLE_SPEED if too_fast(a, fix) else 0
        if reason == ACCEPTED:
            anchor[mmsi] = fix
            doubt.pop(mmsi, None)
            out.append(ACCEPTED)
            continue
        run = 1
        if mmsi in doubt:
            last, length = doubt[mmsi]
            if fix[0] > last[0] and not too_fast(last, fix):
                run = length + 1
        if run >= REANCHOR_AFTER:
            anchor[mmsi] = fix
            doubt.pop(mmsi, None)
            out.append(ACCEPTED)
            reanchored += 1
        else:
            doubt[mmsi] = (fix, run)
            out.append(reason)
    return out, reanchored


def judge_in_batches(reports: list[tuple[int, int, int]], cuts: list[int]) -> tuple[list[int], int]:
    sanity = Sanity(MAX_KNOTS, INLAND_KM)
    out: list[int] = []
    start = 0
    for size in cuts * (len(reports) + 1):
        if start >= len(reports):
            break
        part = reports[start : start + size]
        mmsi = np.array([r[0] for r in part], dtype=np.int64)
        seconds = np.array([float(r[1]) for r in part])
        lat = np.array([PLACES[r[2]][0] for r in part])
        lon = np.array([PLACES[r[2]][1] for r in part])
        out += sanity.judge(mmsi, seconds, lat, lon).tolist()
        start += size
    return out, sanity.reanchored


@settings(max_examples=300, deadline=None)
@given(reports=reports_st(), cuts=st.lists(st.integers(1, 40), min_size=1, max_size=5))
def test_batches_judge_as_the_rules_say_one_at_a_time(
    reports: list[tuple[int, int, int]], cuts: list[int]
) -> None:
    expected = oracle(reports)
    assert judge_in_batches(reports, [len(reports) or 1]) == expected
    assert judge_in_batches(reports, [1]) == expected
    assert judge_in_batches(reports, cuts) == expected


@settings(max_examples=60, deadline=None)
@given(
    reports=reports_st(min_size=100, max_size=240),
    cuts=st.lists(st.integers(1, 240), min_size=1, max_size=3),
)
def test_long_batches_judge_as_the_rules_say_one_at_a_time(
    reports: list[tuple[int, int, int]], cuts: list[int]
) -> None:
    """Batches where a vessel has more reports from its first refusal on than are judged
    over every pair of them (sanity._PAIRWISE_UP_TO)."""
    expected = oracle(reports)
    assert judge_in_batches(reports, [len(reports) or 1]) == expected
    assert judge_in_batches(reports, cuts) == expected
