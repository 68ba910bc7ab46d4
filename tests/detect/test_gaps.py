"""The AIS-gap detector: synthetic vessels falling silent, under way or not, of each class,
in zones or not, fed in batches of every size; and many vessels at once."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from shade.config import Settings
from shade.detect.events import Event, EventKind, event_id
from shade.detect.gaps import GapDetector
from shade.detect.roster import Roster
from shade.detect.zones import Zone
from shade.parties import parse_parties
from shade.tracks.model import Point
from shade.tracks.sanity import EARTH_RADIUS_NM
from tests.detect.feed import feed, feed_timed

T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
CLOCK = 999000001  # a moored vessel reporting every minute: the feed's time moves on
KNOTS = 12.0


def report(
    mmsi: int,
    second: float,
    *,
    lat: float = 0.0,
    lon: float | None = None,
    speed: float | None = KNOTS,
    status: int | None = 0,
    msg_type: int = 1,
) -> Point:
    """A report at T0 + ``second``; by default on the equator, heading east at 12 knots."""
    if lon is None:
        lon = math.degrees(KNOTS * second / 3600 / EARTH_RADIUS_NM)
    at = T0 + timedelta(seconds=second)
    return Point(mmsi, at, lat, lon, speed, 90.0, 90, status, msg_type, None)


def clock(minutes: int) -> list[Point]:
    return [report(CLOCK, 60 * m, lon=50.0, speed=0.0, status=5) for m in range(minutes + 1)]


def by_minute(points: Iterable[Point]) -> list[list[Point]]:
    """The points in time order, one batch per minute of the feed."""
    batches: dict[int, list[Point]] = {}
    for p in sorted(points, key=lambda p: p.at):
        batches.setdefault(int((p.at - T0).total_seconds() // 60), []).append(p)
    return [batches[k] for k in sorted(batches)]


def every(mmsi: int, start: int, stop: int, step: int, **kwargs: object) -> list[Point]:
    return [report(mmsi, s, **kwargs) for s in range(start, stop + 1, step)]  # type: ignore[arg-type]


def test_a_class_a_vessel_silent_for_20_minutes_makes_one_gap() -> None:
    detector = GapDetector(Roster(), Settings())
    # Reports every 10 s for 5 minutes, then nothing until 20 minutes later.
    track = [*every(1, 0, 300, 10), *every(1, 1500, 1600, 10)]
    events = feed(detector, by_minute([*track, *clock(30)]))
    handed = [(minute, e) for minute, batch in enumerate(events) for e in batch]
    assert len(handed) == 2
    (opened_in, opened), (closed_in, closed) = handed
    # Overdue after 10 minutes: the feed's time passes 300 + 600 s at the clock's minute 16.
    assert opened_in == 16
    assert opened.end is None
    assert opened.start == T0 + timedelta(seconds=300)
    assert opened.id == closed.id == event_id(EventKind.GAP, (1,), opened.start)
    assert (opened.kind, opened.mmsi, opened.parties) == (EventKind.GAP, (1,), (None,))
    assert opened.figures == {
        "gap_min": 11.0,
        "distance_nm": None,
        "implied_knots": None,
        "zone": None,
    }
    dark = track[30]
    assert opened.geometry == {"type": "Point", "coordinates": [dark.lon, dark.lat]}
    assert closed_in == 25
    back = track[31]
    assert closed.end == back.at == T0 + timedelta(seconds=1500)
    assert closed.figures["gap_min"] == 20.0
    assert closed.figures["distance_nm"] == pytest.approx(KNOTS * 20 / 60, abs=1e-3)
    assert closed.figures["implied_knots"] == pytest.approx(KNOTS, abs=0.01)
    assert closed.figures["zone"] is None
    assert closed.geometry == {
        "type": "LineString",
        "coordinates": [[dark.lon, dark.lat], [back.lon, back.lat]],
    }
    assert detector.open_events() == []


def test_open_gaps_show_their_length_at_the_latest_feed_time() -> None:
    detector = GapDetector(Roster(), Settings())
    feed(detector, by_minute([*every(1, 0, 60, 10), *clock(40)]))
    (gap,) = detector.open_events()
    assert gap.end is None
    assert gap.figures["gap_min"] == 39.0  # silent since second 60, the feed at minute 40


@pytest.mark.parametrize(
    "how",
    [
        {"status": 1},  # at anchor
        {"status": 5},  # moored
        {"speed": 0.5},  # under 1 knot
        {"speed": None},  # speed not available
    ],
)
def test_a_vessel_not_under_way_makes_no_gap(how: dict[str, object]) -> None:
    detector = GapDetector(Roster(), Settings())
    track = every(1, 0, 300, 10, **how)
    events = feed(detector, by_minute([*track, *every(1, 7200, 7200, 10, **how), *clock(150)]))
    assert [e for batch in events for e in batch] == []
    assert detector.open_events() == []


def test_the_last_report_decides_whether_the_vessel_is_under_way() -> None:
    detector = GapDetector(Roster(), Settings())
    # Under way, then at anchor for its last report: no gap; then under way again, silent.
    track = [*every(1, 0, 300, 10), report(1, 310, status=1), *every(1, 3000, 3010, 10)]
    events = [e for batch in feed(detector, by_minute([*track, *clock(80)])) for e in batch]
    assert [(e.start, e.end) for e in events] == [(T0 + timedelta(seconds=3010), None)]


@pytest.mark.parametrize(
    ("msg_type", "status", "threshold_min"),
    [(1, 0, 10), (3, None, 10), (18, None, 15), (19, None, 15), (27, 0, 90)],
)
def test_each_class_is_overdue_after_its_threshold(
    msg_type: int, status: int | None, threshold_min: int
) -> None:
    def silent(minutes: float) -> list[Event]:
        detector = GapDetector(Roster(), Settings())
        track = [report(1, 0, msg_type=msg_type, status=status)]
        track.append(report(1, 60 * minutes, msg_type=msg_type, status=status))
        events = feed(detector, by_minute([*track, *clock(200)]))
        return [e for batch in events for e in batch if e.start == T0]  # not later silences

    # Reappearing after just under the threshold makes nothing; just over makes a gap,
    # opened at the first minute the feed shows it overdue.
    assert silent(threshold_min - 0.5) == []
    opened, closed = silent(threshold_min + 5)
    assert opened.figures["gap_min"] == threshold_min + 1
    assert closed.figures["gap_min"] == threshold_min + 5


def test_the_thresholds_follow_the_settings() -> None:
    detector = GapDetector(
        Roster(), Settings(gap_floor_minutes=3, gap_interval_multiple=12, gap_under_way_knots=5)
    )
    assert detector.threshold(report(1, 0)) == timedelta(minutes=3)  # 12 x 10 s < 3 min
    assert detector.threshold(report(1, 0, msg_type=18)) == timedelta(minutes=6)
    assert detector.threshold(report(1, 0, msg_type=27)) == timedelta(minutes=36)
    assert detector.threshold(report(1, 0, speed=4.9)) is None
    assert detector.threshold(report(1, 0, speed=5.0)) == timedelta(minutes=3)


def test_a_gap_seen_only_from_the_reappearing_point_opens_and_closes_at_once() -> None:
    """Both points in one batch: the feed's time never showed it overdue, the point does."""
    track = [*every(1, 0, 300, 10), *every(1, 1500, 1600, 10)]
    (closed,) = GapDetector(Roster(), Settings()).observe(track, track[-1].at)
    live_feed = feed(GapDetector(Roster(), Settings()), by_minute([*track, *clock(30)]))
    (_, live) = [e for batch in live_feed for e in batch]
    assert closed == live
    assert (closed.start, closed.end) == (track[30].at, track[31].at)


def test_a_gap_seen_only_from_the_first_point_of_the_next_batch() -> None:
    """The silence spans two batches and nothing else moved the feed's time on: the first
    point of the second batch shows the vessel was overdue, and the gap opens and closes
    there; as one batch, the same gap."""
    before, after = every(1, 0, 300, 10), every(1, 1500, 1600, 10)
    (_, first), (_, second) = feed_timed(GapDetector(Roster(), Settings()), [before, after])
    assert first == []
    (closed,) = second
    (whole,) = GapDetector(Roster(), Settings()).observe(before + after, after[-1].at)
    assert closed == whole
    assert (closed.start, closed.end) == (before[-1].at, after[0].at)
    assert closed.figures["gap_min"] == 20.0


def test_a_vessel_going_dark_in_a_zone_flags_it() -> None:
    parties = parse_parties({"parties": [{"id": "navy", "colour": "#000000", "mmsi": [2]}]})
    roster = Roster(parties)
    zones = [
        Zone("later", "Not active yet", box(-1, -1, 1, 1), ((T0 + timedelta(days=1), None),)),
        Zone("navy", "For the navy", box(-1, -1, 1, 1), parties=frozenset({"navy"})),
        Zone("all", "For all", box(-1, -1, 1, 1)),
        Zone("far", "Far away", box(10, 10, 11, 11)),
    ]
    detector = GapDetector(roster, Settings(), zones)
    points = [report(m, 0, lat=0.5) for m in (1, 2)] + [report(3, 0, lat=5.0)]
    events = [e for b in feed(detector, by_minute([*points, *clock(12)])) for e in b]
    assert {e.mmsi[0]: (e.figures["zone"], e.parties[0]) for e in events} == {
        1: ("all", None),
        2: ("navy", "navy"),
        3: (None, None),
    }


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.integers(0, 1), st.integers(1, 40)),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.integers(1, 300), min_size=1, max_size=8),
)
def test_how_the_points_are_batched_does_not_change_the_gaps(
    steps: list[tuple[int, int, int]], cuts: list[int]
) -> None:
    """Vessels 1 to 4 report in turn, each step some minutes after the last, at anchor or
    under way: one batch, or batches cut anywhere, close the same gaps and leave the same
    ones open."""
    points = []
    second = 0
    for mmsi, anchored, minutes in steps:
        second += 60 * minutes
        points.append(report(mmsi, second, status=1 if anchored else 0))
    edges = sorted({0, *(c for c in cuts if c < len(points)), len(points)})
    batches = [points[a:b] for a, b in pairwise(edges)]

    def outcome(batches: list[list[Point]]) -> tuple[dict[str, Event], set[str]]:
        detector = GapDetector(Roster(), Settings())
        events = [e for batch in feed(detector, batches) for e in batch]
        closed = {e.id: e for e in events if e.end is not None}
        return closed, {e.id for e in detector.open_events()}

    whole = outcome([points])
    assert outcome(batches) == whole
    # And a gap closes exactly where a vessel under way was silent over 10 minutes.
    last: dict[int, Point] = {}
    expected = set()
    for p in points:
        before = last.get(p.mmsi)
        if before is not None and before.status == 0 and p.at - before.at > timedelta(minutes=10):
            expected.add(event_id(EventKind.GAP, (p.mmsi,), before.at))
        last[p.mmsi] = p
    assert set(whole[0]) == expected


def test_many_vessels_cost_only_what_is_due() -> None:
    """10,000 vessels under way: each small batch pops only the deadlines it passed."""
    detector = GapDetector(Roster(), Settings())
    fleet = range(100_000_001, 100_010_001)
    detector.observe([report(m, 0, lat=0.001 * (m % 1000)) for m in fleet], T0)
    assert len(detector._heap) == len(fleet)  # one deadline per vessel
    # Every vessel reports again, a few at a time over 9 minutes: nothing is due yet.
    started = time.perf_counter()
    second = 0.0
    for k in range(0, len(fleet), 10):
        second += 0.054
        batch = [report(m, second) for m in fleet[k : k + 10]]
        assert detector.observe(batch, batch[-1].at) == []
    spent = time.perf_counter() - started
    assert len(detector._heap) == len(fleet)
    # A scan of all vessels per batch would cost 1,000 x 10,000 steps; the heap costs the
    # 10 points each. The bound is generous: it fails only when work grows with the fleet.
    assert spent < 0.25
    # The first deadlines fall due at 600 s; the next feed time past all of them opens
    # every gap at once, each vessel's once.
    opened = detector.observe([report(CLOCK, 1200, speed=0.0, status=5)], T0 + timedelta(hours=1))
    assert len(opened) == len(fleet)
    assert {e.mmsi[0] for e in opened} == set(fleet)
    assert detector._heap == []
    assert detector.observe([report(CLOCK, 1300, speed=0.0)], T0 + timedelta(hours=2)) == []
