"""The ship-to-ship meeting detector, on synthetic tracks checked against the real land mask.

- Two ships 200 m apart at 1 knot for three hours, 50 nm off Yemen: one event of three
  hours, smaller MMSI first, parties aligned, closest distance and median speed right.
- An hour together, 700 m apart, near shore, a ship passing at 12 knots, a buoy or a
  handheld beside a ship: nothing. A speed over the threshold now and then: still one.
- Silence ends it, at their last reports together; so does a median speed reaching 2
  knots, though the figures it carries are those of the meeting before.
- The events do not depend on how the points are cut into batches (Hypothesis).
- Far offshore remembered per cell answers as the land mask does (Hypothesis).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.config import Settings
from shade.detect.events import Event, EventKind
from shade.detect.rendezvous import RendezvousDetector
from shade.detect.roster import Roster
from shade.detect.sea import FarOffshore, is_ship
from shade.parties import Parties, Party
from shade.tracks.land import EARTH_RADIUS_KM, land_mask
from shade.tracks.model import Point
from shade.tracks.sanity import distance_nm
from tests.detect.feed import feed_timed
from tests.detect.test_loiter import MINUTE, NEAR_ADEN, OFFSHORE, T0, Leg, merged, track

TANKER = 538_001_234  # Marshall Islands
DHOW = 470_555_001  # United Arab Emirates


def north_of(start: tuple[float, float], metres: float) -> tuple[float, float]:
    return start[0] + math.degrees(metres / 1000 / EARTH_RADIUS_KM), start[1]


def pair(
    metres: float,
    minutes: float,
    start: tuple[float, float] = OFFSHORE,
    knots: float = 1.0,
    after: Sequence[Leg] = (Leg(20, 12.0, 0.0),),
) -> list[Point]:
    """The tanker and, ``metres`` north, the dhow, side by side; then the dhow sails off."""
    tanker = track(TANKER, start, [Leg(minutes + 20, knots)], every_s=30)
    dhow = track(DHOW, north_of(start, metres), [Leg(minutes, knots), *after], every_s=30)
    return merged(tanker, [p._replace(at=p.at + MINUTE / 4) for p in dhow])


def run(
    points: Sequence[Point],
    batch: int = 1,
    config: Settings | None = None,
    roster: Roster | None = None,
) -> tuple[list[tuple[datetime, Event]], dict[str, Event]]:
    """Feed ``points`` ``batch`` at a time: every event returned, with the feed time it came
    back at, and the last state of each."""
    detector = RendezvousDetector(roster or Roster(), config or Settings(), land_mask)
    batches = [points[i : i + batch] for i in range(0, len(points), batch)]
    seen = [(now, event) for now, events in feed_timed(detector, batches) for event in events]
    last = {event.id: event for _, event in seen}
    assert {e.id for e in detector.open_events()} == {e.id for e in last.values() if e.end is None}
    return seen, last


def test_two_ships_side_by_side_for_three_hours_meet_once() -> None:
    navy = Party("navy", "A navy", "#0000aa", frozenset({TANKER}))
    seen, last = run(pair(200, 180), roster=Roster(Parties((navy,))))
    assert len(last) == 1
    (event,) = last.values()
    assert event.kind == EventKind.RENDEZVOUS
    assert event.mmsi == (DHOW, TANKER)
    assert event.parties == (None, "navy")
    # Found together at the first check (a minute in, on reports of 0:30 and 0:45); last
    # together at 181, on reports of 180:30 and 180:45 (the dhow was 385 m off by then).
    assert event.start == T0 + 0.75 * MINUTE
    assert event.end == T0 + 180.5 * MINUTE
    assert event.figures["duration_min"] == 179.8
    assert abs(event.figures["closest_m"] - 200) < 1
    assert event.figures["median_knots"] == 1.0
    assert event.geometry is not None and event.geometry["type"] == "Point"
    lon, lat = event.geometry["coordinates"]
    # The mean of their midpoints: 100 m north of the tanker's track, 1.5 nm east.
    assert abs(lat - north_of(OFFSHORE, 100)[0]) < 2e-5
    east = 1.5 / 60 / math.cos(math.radians(OFFSHORE[0]))
    assert abs(lon - (OFFSHORE[1] + east)) < 2e-4
    # Sent when it opened, after two hours together (at 122, on reports of 121:30 and
    # later), and when it closed (at 182, the dhow 755 m off).
    assert [(now, e.end is None) for now, e in seen] == [
        (T0 + 122 * MINUTE, True),
        (T0 + 182 * MINUTE, False),
    ]


def test_an_hour_together_is_not_a_meeting() -> None:
    _, last = run(pair(200, 60), batch=13)
    assert last == {}


def test_ships_700_m_apart_do_not_meet() -> None:
    _, last = run(pair(700, 180), batch=13)
    assert last == {}


def test_ships_meeting_near_shore_do_not_count() -> None:
    points = pair(200, 180, start=NEAR_ADEN)
    _, last = run(points, batch=13)
    assert last == {}
    _, anywhere = run(points, batch=13, config=Settings(rendezvous_shore_km=0))
    assert len(anywhere) == 1


def test_a_ship_passing_at_12_knots_meets_no_one() -> None:
    # It sails north through the pair, between the two, at the 90th minute.
    passing = track(
        241_000_777, (OFFSHORE[0] - 0.3, OFFSHORE[1] + 1.5 / 60), [Leg(180, 12.0, 0.0)], 10
    )
    _, last = run(merged(pair(200, 180), passing), batch=11)
    assert [e.mmsi for e in last.values()] == [(DHOW, TANKER)]
    lone = track(TANKER, OFFSHORE, [Leg(240, 0.5)])
    _, last = run(merged(lone, passing), batch=11)
    assert last == {}


def test_buoys_and_handhelds_are_not_ships() -> None:
    assert is_ship(TANKER) and is_ship(DHOW) and is_ship(775_999_999)
    assert not any(map(is_ship, [992_351_001, 812_345_678, 111_232_506, 2_320_123, 982_320_001]))
    for other in (992_351_001, 812_345_678):
        points = [p._replace(mmsi=other) if p.mmsi == DHOW else p for p in pair(200, 180)]
        _, last = run(points, batch=17)
        assert last == {}


def test_a_fast_report_now_and_then_does_not_end_it() -> None:
    # The dhow reports 2.5 knots one report in three: its median stays at 1 knot.
    points = [
        p._replace(speed=2.5) if p.mmsi == DHOW and i % 3 == 0 else p
        for i, p in enumerate(pair(200, 180))
    ]
    _, last = run(points, batch=5)
    assert len(last) == 1
    (event,) = last.values()
    # It may start a check later (a check on a fast report finds no pair), not end sooner.
    assert T0 <= event.start <= T0 + 2 * MINUTE
    assert event.end == T0 + 180.5 * MINUTE
    assert event.figures["median_knots"] == 1.0


def test_it_ends_when_their_median_speed_reaches_the_threshold() -> None:
    # Together throughout: 150 minutes at 1 knot, then at 3 knots. The median of their
    # speeds reaches 2 knots when the checks at 3 knots are as many as those at 1 knot.
    legs = [Leg(150, 1.0), Leg(200, 3.0)]
    tanker = track(TANKER, OFFSHORE, legs)
    dhow = track(DHOW, north_of(OFFSHORE, 200), legs)
    _, last = run(merged(tanker, [p._replace(at=p.at + MINUTE / 4) for p in dhow]), batch=7)
    (event,) = last.values()
    assert event.end is not None
    assert T0 + 297 * MINUTE <= event.end <= T0 + 302 * MINUTE
    assert event.figures["median_knots"] == 1.0


def test_silence_ends_it_at_their_last_reports_together() -> None:
    # Both fall silent after three hours; a ship far away keeps the feed's clock going.
    together = [p for p in pair(200, 180, after=()) if p.at < T0 + 180 * MINUTE]
    far = track(241_000_888, (10.0, 60.0), [Leg(240, 12.0)], every_s=60)
    seen, last = run(merged(together, far))
    assert len(last) == 1
    (event,) = last.values()
    assert event.end == T0 + 179.5 * MINUTE
    closed_at = next(now for now, e in seen if e.end is not None)
    # Their last reports (179:30, 179:45) are stale from 189:30 on: at the check of 190.
    assert closed_at == T0 + 190 * MINUTE


def test_closest_is_the_least_distance_seen() -> None:
    # The dhow closes from 400 m to 100 m over the first hour, then holds.
    tanker = track(TANKER, OFFSHORE, [Leg(200, 0.0)], every_s=60)
    dhow = track(DHOW, north_of(OFFSHORE, 400), [Leg(60, 0.16, 180.0), Leg(140, 0.0)], 60)
    _, last = run(merged(tanker, dhow), batch=20)
    (event,) = last.values()
    ends = [np.array([x]) for x in (tanker[-1].lat, tanker[-1].lon, dhow[-1].lat, dhow[-1].lon)]
    expected = 1852 * float(distance_nm(*ends)[0])
    assert 95 < expected < 105
    assert abs(event.figures["closest_m"] - expected) < 0.5
    assert event.figures["median_knots"] == 0.0


@st.composite
def fleets(draw: st.DrawFn) -> tuple[list[Point], list[int]]:
    tracks = []
    for k in range(draw(st.integers(2, 4))):
        legs = draw(
            st.lists(
                st.builds(
                    Leg,
                    st.sampled_from([40, 130, 200]),
                    st.sampled_from([0.0, 0.2, 1.9, 3.0, 12.0]),
                    st.sampled_from([0.0, 90.0, 270.0]),
                ),
                min_size=1,
                max_size=3,
            )
        )
        every = draw(st.sampled_from([20.0, 60.0, 180.0]))
        start = north_of(OFFSHORE, draw(st.sampled_from([0, 150, 300, 450, 900])))
        tracks.append(track(DHOW + k, start, legs, every_s=every, at=T0 + k * MINUTE / 3))
    points = merged(*tracks)
    cuts = draw(st.lists(st.integers(1, max(1, len(points) - 1)), max_size=12))
    return points, sorted(set(cuts))


@settings(max_examples=40, deadline=None)
@given(fleets())
def test_the_events_do_not_depend_on_the_batches(fleet: tuple[list[Point], list[int]]) -> None:
    points, cuts = fleet
    _, whole = run(points, batch=len(points))
    _, single = run(points, batch=1)
    detector = RendezvousDetector(Roster(), Settings(), land_mask)
    cut: dict[str, Event] = {}
    for lo, hi in zip([0, *cuts], [*cuts, len(points)], strict=True):
        if lo < hi:
            batch = points[lo:hi]
            cut.update((e.id, e) for e in detector.observe(batch, max(p.at for p in batch)))
    assert whole == single == cut


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.floats(11.0, 15.0), st.floats(43.0, 52.0)), max_size=40),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([0, 10, 37.04]),
)
def test_far_offshore_remembered_answers_as_the_mask_does(
    calls: list[list[tuple[float, float]]], radius_km: float
) -> None:
    # Off Aden and Somalia, where the coast is near; each call again partly where the last
    # one asked, so that remembered cells answer as well.
    far = FarOffshore(land_mask, radius_km)
    previous: list[tuple[float, float]] = []
    for positions in calls:
        asked = positions + previous[::2]
        lat = np.array([p[0] for p in asked])
        lon = np.array([p[1] for p in asked])
        expected = (
            land_mask().far_offshore(lat, lon, radius_km) if radius_km else np.ones(len(lat), bool)
        )
        assert far(lat, lon).tolist() == expected.tolist()
        previous = asked
