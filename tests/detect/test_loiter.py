"""The loitering detector, on synthetic tracks checked against the real land mask.

- A vessel drifting at 0.5 knot 50 nm off Yemen opens one event once it has drifted for an
  hour, under the time of its first slow report, and closes it when it sails on.
- Near shore, at 5 knots, or in one-hour fragments it never loiters; speed that swings
  around the threshold, GPS jitter and missed reports at anchor do not make it flap.
- Silence ends it, under the time of the last report.
- The events do not depend on how the points are cut into batches (Hypothesis).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shade.config import Settings
from shade.detect.events import Event, EventKind
from shade.detect.loiter import LoiterDetector
from shade.detect.roster import Roster
from shade.parties import Parties, Party
from shade.tracks.land import land_mask
from shade.tracks.model import Point
from tests.detect.feed import feed_timed

T0 = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
OFFSHORE = (13.5, 50.0)  # Gulf of Aden, about 50 nm off Yemen and Somalia
NEAR_ADEN = (12.7, 45.05)  # at sea, 5 nm off Aden
MMSI = 636012345
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Leg:
    minutes: float
    knots: float
    course: float = 90.0


def track(
    mmsi: int,
    start: tuple[float, float],
    legs: Sequence[Leg],
    every_s: float = 30.0,
    at: datetime = T0,
    sog: Iterable[float | None] | None = None,
    jitter_m: float = 0.0,
    seed: int = 0,
) -> list[Point]:
    """Reports every ``every_s`` seconds along legs sailed from ``start`` at ``at``."""
    rng = random.Random(seed)
    lat, lon = start
    sogs = iter(sog) if sog is not None else None
    points: list[Point] = []
    elapsed = 0.0
    for leg in legs:
        steps = round(leg.minutes * 60 / every_s)
        for _ in range(steps):
            noise_lat = noise_lon = 0.0
            if jitter_m:
                noise_lat = rng.gauss(0, jitter_m) / 111_120
                noise_lon = rng.gauss(0, jitter_m) / (111_120 * math.cos(math.radians(lat)))
            speed = next(sogs) if sogs is not None else leg.knots
            points.append(
                Point(
                    mmsi,
                    at + timedelta(seconds=elapsed),
                    lat + noise_lat,
                    lon + noise_lon,
                    speed,
                    leg.course,
                    None,
                    0,
                    1,
                    None,
                )
            )
            nm = leg.knots * every_s / 3600
            lat += nm * math.cos(math.radians(leg.course)) / 60
            lon += nm * math.sin(math.radians(leg.course)) / (60 * math.cos(math.radians(lat)))
            elapsed += every_s
    return points


def merged(*tracks: list[Point]) -> list[Point]:
    return sorted((p for t in tracks for p in t), key=lambda p: (p.at, p.mmsi))


def run(
    points: Sequence[Point],
    batch: int = 1,
    config: Settings | None = None,
    roster: Roster | None = None,
) -> tuple[list[tuple[datetime, Event]], dict[str, Event]]:
    """Feed ``points`` ``batch`` at a time: every event returned, with the feed time it came
    back at, and the last state of each."""
    detector = LoiterDetector(roster or Roster(), config or Settings(), land_mask)
    batches = [points[i : i + batch] for i in range(0, len(points), batch)]
    seen = [(now, event) for now, events in feed_timed(detector, batches) for event in events]
    last = {event.id: event for _, event in seen}
    assert {e.id for e in detector.open_events()} == {e.id for e in last.values() if e.end is None}
    return seen, last


def test_a_vessel_drifting_offshore_loiters_from_its_first_slow_report() -> None:
    roster = Roster(Parties((Party("coalition", "Coalition", "#123456", frozenset({MMSI})),)))
    points = track(MMSI, OFFSHORE, [Leg(30, 10.0), Leg(90, 0.5), Leg(60, 12.0)])
    slow_from = T0 + 30 * MINUTE
    seen, last = run(points, roster=roster)
    assert len(last) == 1
    (event,) = last.values()
    assert event.kind == EventKind.LOITER
    assert event.mmsi == (MMSI,)
    assert event.parties == ("coalition",)
    assert event.start == slow_from
    opened_at = min(now for now, e in seen if e.id == event.id)
    assert opened_at == slow_from + 60 * MINUTE
    # The trailing hour's mean passes 2 knots 8 minutes after it sets off at 12 knots; the
    # event ends at the first fix (2 minutes apart) it reached at speed.
    closed_at = max(now for now, e in seen if e.id == event.id)
    assert closed_at >= slow_from + 98 * MINUTE
    assert event.end is not None
    assert slow_from + 90 * MINUTE < event.end <= slow_from + 92 * MINUTE
    assert event.figures["shore_nm"] == 20
    assert 0.49 <= event.figures["mean_knots"] <= 0.51
    assert event.figures["duration_min"] == (event.end - event.start).total_seconds() / 60
    lon, lat = event.geometry["coordinates"] if event.geometry else (None, None)
    assert event.geometry is not None and event.geometry["type"] == "Point"
    # 90 minutes at 0.5 knot east, from 5 nm east of the start: the mean is 5.375 nm east.
    assert abs(lat - OFFSHORE[0]) < 0.001
    assert abs(lon - (OFFSHORE[1] + 5.375 / 60 / math.cos(math.radians(13.5)))) < 0.001
    # Open events are returned once when they open and once when they close, not per call.
    assert [e.end is None for _, e in seen] == [True, False]


def test_it_opens_no_sooner_than_an_hour_of_loitering() -> None:
    _, last = run(track(MMSI, OFFSHORE, [Leg(58, 0.5), Leg(30, 10.0)]))
    assert last == {}


def test_a_vessel_loitering_near_shore_does_not_count() -> None:
    _, last = run(track(MMSI, NEAR_ADEN, [Leg(180, 0.5)]))
    assert last == {}


def test_loitering_near_shore_counts_when_the_shore_distance_is_zero() -> None:
    _, last = run(track(MMSI, NEAR_ADEN, [Leg(180, 0.5)]), config=Settings(loiter_shore_nm=0))
    assert len(last) == 1


def test_a_vessel_at_five_knots_never_loiters() -> None:
    _, last = run(track(MMSI, OFFSHORE, [Leg(240, 5.0)]), batch=50)
    assert last == {}


def test_base_stations_and_buoys_do_not_loiter() -> None:
    buoy = track(992_476_001, OFFSHORE, [Leg(180, 0.3)])
    handheld = track(812_345_678, OFFSHORE, [Leg(180, 0.3)])
    _, last = run(merged(buoy, handheld), batch=20)
    assert last == {}


def test_speed_swinging_around_the_threshold_does_not_flap() -> None:
    # Ten minutes at 2.6 knots, ten at 1.0, for five hours: 1.8 knots on average, with a
    # reported speed that is on the wrong side of 2 knots half the time, and 10 m of GPS
    # jitter on 10-second reports (3 knots between two reports).
    legs = [Leg(10, 2.6 if k % 2 else 1.0, course=90 + 40 * k) for k in range(31)]
    points = track(MMSI, OFFSHORE, [*legs, Leg(60, 12.0)], every_s=10, jitter_m=10, seed=7)
    _, last = run(points, batch=30)
    assert len(last) == 1
    (event,) = last.values()
    assert event.start == T0
    assert event.end is not None and event.end > T0 + 300 * MINUTE
    assert 1.6 <= event.figures["mean_knots"] < 2.0


def test_missed_reports_at_anchor_do_not_end_it_but_silence_does() -> None:
    # At anchor, a report every 3 minutes, with a 9-minute hole every half hour.
    points = [
        p
        for p in track(MMSI, OFFSHORE, [Leg(240, 0.1)], every_s=180)
        if (p.at - T0).total_seconds() % 1800 not in (180, 360)
    ]
    last_report = points[-1].at
    other = track(MMSI + 1, (10.0, 60.0), [Leg(300, 12.0)], every_s=60)
    seen, last = run(merged(points, other), batch=7)
    assert len(last) == 1
    (event,) = last.values()
    assert event.start == T0
    assert event.end == last_report
    # Silence ends it after 10 minutes and three of its intervals: a moving average of 3
    # minutes, at most 3 + (9 - 3) / 4 after a hole, so 13.5 minutes, seen at the other
    # vessel's next report (a minute apart).
    closed_at = next(now for now, e in seen if e.end is not None)
    assert last_report + 10 * MINUTE < closed_at <= last_report + 14.5 * MINUTE


@st.composite
def fleets(draw: st.DrawFn) -> tuple[list[Point], list[int]]:
    tracks = []
    for k in range(draw(st.integers(1, 3))):
        legs = draw(
            st.lists(
                st.builds(
                    Leg,
                    st.sampled_from([15, 40, 70, 100]),
                    st.sampled_from([0.2, 1.5, 1.9, 2.4, 8.0]),
                    st.sampled_from([0.0, 90.0, 200.0]),
                ),
                min_size=1,
                max_size=4,
            )
        )
        every = draw(st.sampled_from([20.0, 60.0, 180.0]))
        offset = timedelta(seconds=draw(st.integers(0, 600)))
        start = (13.5 + 0.3 * k, 50.0 + 0.5 * k)
        tracks.append(track(MMSI + k, start, legs, every_s=every, at=T0 + offset))
    points = merged(*tracks)
    cuts = draw(st.lists(st.integers(1, max(1, len(points) - 1)), max_size=12))
    return points, sorted(set(cuts))


@settings(max_examples=40, deadline=None)
@given(fleets())
def test_the_events_do_not_depend_on_the_batches(fleet: tuple[list[Point], list[int]]) -> None:
    points, cuts = fleet
    _, whole = run(points, batch=len(points))
    _, single = run(points, batch=1)
    detector = LoiterDetector(Roster(), Settings(), land_mask)
    cut: dict[str, Event] = {}
    for lo, hi in zip([0, *cuts], [*cuts, len(points)], strict=True):
        if lo < hi:
            batch = points[lo:hi]
            cut.update((e.id, e) for e in detector.observe(batch, max(p.at for p in batch)))
    assert whole == single == cut
