"""The close-encounter detector (shade.detect.encounter), on synthetic points.

Ships sail great circles from a start (``Ship``), report every few seconds, and the
detector sees the reports batch by batch as the feed would bring them. Checked: one alert
per pass, opened and closed at the right sweeps, its closest distance the least one seen;
hysteresis against flapping; which pairs may alert (parties, neutrals, rules per pair);
stale reports and unknown motion; the sweep interval; the antimeridian; and a crowd of
vessels against a brute-force comparison of every pair.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.config import Settings
from shade.detect.cpa import approach, dead_reckon, distance_nm
from shade.detect.encounter import EncounterDetector
from shade.detect.events import Event, EventKind
from shade.detect.roster import Roster
from shade.parties import Parties, parse_parties
from shade.tracks.model import Point

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
BLUE, BLUE_2 = 412000001, 412000002  # blue's MMSIs are larger than red's: order is tested
RED, RED_2 = 201000001, 201000002
GREEN = 503000001
NEUTRAL, NEUTRAL_2 = 636000001, 636000002


def make_parties(**encounters: Any) -> Parties:
    return parse_parties(
        {
            "parties": [
                {"id": "blue", "colour": "#0000ff", "mmsi": [BLUE, BLUE_2]},
                {"id": "red", "colour": "#ff0000", "mmsi": [RED, RED_2]},
                {"id": "green", "colour": "#00ff00", "mmsi": [GREEN]},
            ],
            "encounters": {"cpa_nm": 2.0, "tcpa_minutes": 30, **encounters},
        }
    )


def detector(parties: Parties | None = None, **changes: Any) -> EncounterDetector:
    return EncounterDetector(Roster(parties or make_parties()), Settings(**changes))


def offset(lat: float, lon: float, bearing: float, nm: float) -> tuple[float, float]:
    la, lo, _ = dead_reckon([lat], [lon], [nm], [bearing], [3600.0])
    return float(la[0]), float(lo[0])


@dataclass(frozen=True)
class Ship:
    mmsi: int
    lat: float
    lon: float
    speed: float | None
    course: float | None
    until: float = math.inf  # minutes: no reports after this

    def at(self, minute: float) -> tuple[float, float]:
        if not self.speed or self.course is None:
            return self.lat, self.lon
        lat, lon, _ = dead_reckon([self.lat], [self.lon], [self.speed], [self.course], minute * 60)
        return float(lat[0]), float(lon[0])

    def point(self, minute: float) -> Point:
        lat, lon = self.at(minute)
        when = T0 + timedelta(minutes=minute)
        return Point(self.mmsi, when, lat, lon, self.speed, self.course, None, 0, 1, "test")


def head_on(a: int, b: int, miss_nm: float, lat: float = 10.0, lon: float = 60.0) -> list[Ship]:
    """a heading east at 10 kn; b 16 nm east of it and ``miss_nm`` north, heading west."""
    east = offset(lat, lon, 90.0, 16.0)
    return [Ship(a, lat, lon, 10.0, 90.0), Ship(b, *offset(*east, 0.0, miss_nm), 10.0, 270.0)]


def run(
    found: EncounterDetector, ships: list[Ship], minutes: float, every_s: float = 10.0
) -> list[tuple[float, list[Event]]]:
    """Feed every ship's reports, one batch per ``every_s``; the events of each call."""
    out = []
    for k in range(int(minutes * 60 / every_s) + 1):
        minute = k * every_s / 60
        points = [ship.point(minute) for ship in ships if minute <= ship.until]
        out.append((minute, found.observe(points, T0 + timedelta(minutes=minute))))
    return out


def events_of(log: list[tuple[float, list[Event]]]) -> list[Event]:
    return [event for _, events in log for event in events]


def apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(distance_nm(a[0], a[1], b[0], b[1]))


def minute(at: datetime | None) -> float:
    assert at is not None
    return (at - T0).total_seconds() / 60


def test_converging_units_make_one_alert_that_opens_updates_and_closes() -> None:
    found = detector()
    ships = head_on(BLUE, RED, 0.5)
    log = run(found, ships, 70)
    assert all(len(events) <= 1 for _, events in log)
    events = events_of(log)
    assert len({event.id for event in events}) == 1
    first, last = events[0], events[-1]
    assert first.kind is EventKind.ENCOUNTER
    assert first.mmsi == (RED, BLUE) and first.parties == ("red", "blue")
    # 16 nm apart closing at 20 kn: TCPA falls to 30 minutes after 18.
    assert first.end is None and 17.8 <= minute(first.start) <= 18.2
    assert 0.45 < first.figures["cpa_nm"] < 0.55
    assert 29.5 <= first.figures["tcpa_min"] <= 30.0
    assert len(events) > 10  # updated on the way in
    assert all(event.end is None for event in events[:-1])
    assert all(event.start == first.start for event in events)
    # Closed once past and more than 2 nm x 1.5 apart: 3 nm, about 9 minutes after passing.
    assert last.end is not None and 56.0 <= minute(last.end) <= 58.0
    closed_at = minute(last.end)
    ends = [ship.at(closed_at) for ship in ships]
    before = [ship.at(closed_at - 10 / 60) for ship in ships]
    assert apart(*ends) > 3.0 >= apart(*before)
    assert last.figures["tcpa_min"] < 0
    assert found.open_events() == []
    # closest_nm: the least distance at the sweeps while open, and where it was.
    sweeps = [m for m, _ in log if minute(first.start) <= m <= closed_at]
    least = min(apart(ships[0].at(m), ships[1].at(m)) for m in sweeps)
    assert abs(last.figures["closest_nm"] - least) <= 0.0005
    (lon_a, lat_a), (lon_b, lat_b) = last.geometry["coordinates"]
    assert last.geometry["type"] == "LineString"
    assert abs(apart((lat_a, lon_a), (lat_b, lon_b)) - least) < 1e-4
    assert lat_a > lat_b  # red (the smaller MMSI, listed first) passes to the north


def test_open_events_lists_the_open_alert() -> None:
    found = detector()
    log = run(found, head_on(BLUE, RED, 0.5), 30)
    (opened,) = found.open_events()
    assert opened.id == events_of(log)[0].id and opened.end is None


def hover(distances: list[float], **changes: Any) -> list[tuple[float, list[Event]]]:
    """Two stopped units whose reported distance changes every 10 s (alerted although at
    rest: encounter_under_way_knots 0, unless ``changes`` say otherwise)."""
    found = detector(**{"encounter_under_way_knots": 0.0, **changes})
    log = []
    for k, nm in enumerate(distances):
        at = T0 + timedelta(seconds=10 * k)
        red = offset(10.0, 60.0, 90.0, nm)
        points = [
            Point(BLUE, at, 10.0, 60.0, 0.0, 0.0, None, 0, 1, "test"),
            Point(RED, at, *red, 0.0, None, None, 0, 1, "test"),
        ]
        log.append((k, found.observe(points, at)))
    return log


def transitions(log: list[tuple[float, list[Event]]]) -> list[tuple[float, str]]:
    seen: set[str] = set()
    out = []
    for k, events in log:
        for event in events:
            if event.id not in seen:
                seen.add(event.id)
                out.append((k, "open"))
            if event.end is not None:
                out.append((k, "close"))
    return out


HOVERING = [2.1, 1.9, 2.1, 1.9, 2.9, 1.95, 2.99, 3.1, 1.9, 2.1]


def test_hysteresis_keeps_an_alert_from_flapping() -> None:
    log = hover(HOVERING)  # the default hysteresis: closes beyond 3 nm
    assert transitions(log) == [(1, "open"), (7, "close"), (8, "open")]


def test_without_hysteresis_it_would_flap() -> None:
    log = hover(HOVERING, encounter_hysteresis=1.0)
    assert transitions(log) == [
        (1, "open"),
        (2, "close"),
        (3, "open"),
        (4, "close"),
        (5, "open"),
        (6, "close"),
        (8, "open"),
        (9, "close"),
    ]


def test_stopped_units_within_the_threshold_are_alerted_and_not_handed_out_again() -> None:
    log = hover([1.5] * 20)
    events = events_of(log)
    assert len(events) == 1  # figures do not change: nothing to hand out after opening
    assert events[0].figures == {
        "cpa_nm": 1.5,
        "tcpa_min": 0.0,
        "closest_nm": 1.5,
        "distance_nm": 1.5,
    }


def test_units_at_rest_are_not_alerted_by_default() -> None:
    # The same two units at rest 1.5 nm apart, as in one port: not an encounter ...
    assert events_of(hover([1.5] * 20, encounter_under_way_knots=1.0)) == []
    # ... but one of them under way, closing on the other (at 1 knot, 24 minutes off), is.
    found = detector()
    red = offset(10.0, 60.0, 90.0, 0.4)
    points = [
        Point(BLUE, T0, 10.0, 60.0, 1.0, 90.0, None, 0, 1, "test"),
        Point(RED, T0, *red, 0.0, None, None, 0, 1, "test"),
    ]
    (opened,) = found.observe(points, T0)
    assert opened.end is None and opened.figures["tcpa_min"] > 0


def test_same_party_and_neutral_pairs_never_alert() -> None:
    ships = [
        *head_on(BLUE, BLUE_2, 0.2, lon=60.0),  # one party's units
        *head_on(NEUTRAL, NEUTRAL_2, 0.2, lon=62.0),  # two neutral vessels
        *head_on(RED, 636000003, 0.2, lon=64.0),  # a unit and a neutral, neutral off
    ]
    assert events_of(run(detector(), ships, 60)) == []


def test_neutral_vessels_alert_when_the_parties_file_says_so() -> None:
    ships = [*head_on(RED, NEUTRAL, 0.2, lon=64.0), *head_on(NEUTRAL_2, 636000003, 0.2)]
    events = events_of(run(detector(make_parties(neutral=True)), ships, 60))
    assert {event.mmsi for event in events} == {(RED, NEUTRAL)}
    assert events[0].parties == ("red", None)


def test_each_pair_of_parties_has_its_rule() -> None:
    rule = {"pairs": [{"parties": ["blue", "green"], "cpa_nm": 0.5, "tcpa_minutes": 10}]}
    parties = make_parties(**rule)
    # Passing 1 nm apart: an alert for blue and red, none for blue and green.
    ships = [*head_on(GREEN, BLUE, 1.0, lon=60.0), *head_on(RED, BLUE_2, 1.0, lon=63.0)]
    events = events_of(run(detector(parties), ships, 60))
    assert {event.mmsi for event in events} == {(RED, BLUE_2)}
    # Passing 0.3 nm apart: blue and green too, from 10 minutes before (38 minutes in).
    events = events_of(run(detector(parties), head_on(GREEN, BLUE, 0.3), 60))
    assert len({event.id for event in events}) == 1
    assert 37.8 <= minute(events[0].start) <= 38.2
    assert events[0].figures["tcpa_min"] <= 10.0
    # A pair switched off.
    off = make_parties(pairs=[{"parties": ["blue", "red"], "enabled": False}])
    assert events_of(run(detector(off), head_on(RED, BLUE, 0.3), 60)) == []


def approaching_then_silent(until: float) -> list[Ship]:
    """Blue 15 nm west of a stopped red, coming at 20 kn, silent after ``until`` minutes."""
    red = Ship(RED, 10.0, 60.0, 0.0, 0.0)
    return [Ship(BLUE, *offset(10.0, 60.0, 270.0, 15.0), 20.0, 90.0, until=until), red]


def test_stale_reports_are_not_dead_reckoned() -> None:
    # Blue's one report is 45 minutes from the CPA; by the time the TCPA is 30 minutes,
    # the report is 15 minutes old: stale under the default 10.
    assert events_of(run(detector(), approaching_then_silent(0.0), 25)) == []
    # With a 30-minute staleness the same report is dead-reckoned into an alert.
    events = events_of(run(detector(detect_stale_minutes=30), approaching_then_silent(0.0), 25))
    assert len({event.id for event in events}) == 1
    assert 14.8 <= minute(events[0].start) <= 15.2


def test_an_alert_closes_when_a_vessel_goes_stale() -> None:
    events = events_of(run(detector(), approaching_then_silent(20.0), 40))
    opened = [event for event in events if event.end is None]
    closed = [event for event in events if event.end is not None]
    assert 14.8 <= minute(opened[0].start) <= 15.2
    # The last report at 20 minutes is stale once more than 10 minutes old: at 30 m 10 s.
    assert len(closed) == 1 and minute(closed[0].end) == 30 + 10 / 60


def test_an_alert_closes_when_both_go_silent() -> None:
    found = detector()
    log = run(found, [replace(ship, until=20.0) for ship in approaching_then_silent(20.0)], 40)
    closed = [event for event in events_of(log) if event.end is not None]
    assert len(closed) == 1 and minute(closed[0].end) == 30 + 10 / 60
    assert found.open_events() == []


def test_vessels_of_unknown_motion_are_left_out_but_their_alerts_held() -> None:
    red = offset(10.0, 60.0, 90.0, 1.0)

    def points(k: int, speed: float | None, course: float | None) -> list[Point]:
        at = T0 + timedelta(seconds=10 * k)
        return [
            Point(BLUE, at, 10.0, 60.0, 0.0, None, None, 0, 1, "test"),
            Point(RED, at, *red, speed, course, None, 0, 1, "test"),
        ]

    found = detector(encounter_under_way_knots=0.0)
    # No speed, or moving with no course: not in any pair.
    assert found.observe(points(0, None, 90.0), T0) == []
    at = T0 + timedelta(seconds=10)
    assert found.observe(points(1, 5.0, None), at) == []
    # Known to be stopped (under 0.1 kn), course or not: 1 nm apart, an alert.
    (opened,) = found.observe(points(2, 0.05, None), T0 + timedelta(seconds=20))
    assert opened.end is None
    # Red's motion unknown again: the alert is held, neither closed nor updated.
    for k in range(3, 30):
        assert found.observe(points(k, None, None), T0 + timedelta(seconds=10 * k)) == []
    assert [event.id for event in found.open_events()] == [opened.id]


def test_sweeps_come_at_the_interval_of_feed_time() -> None:
    found = detector()
    sweeps: list[datetime] = []
    sweep = found.sweep

    def counted(now: datetime) -> list[Event]:
        sweeps.append(now)
        return sweep(now)

    found.sweep = counted  # type: ignore[method-assign]
    log = run(found, head_on(BLUE, RED, 0.5), 20, every_s=1.0)
    assert sweeps[0] == T0  # the first call sweeps
    assert {(b - a).total_seconds() for a, b in itertools.pairwise(sweeps)} == {10.0}
    events = events_of(log)
    assert len({event.id for event in events}) == 1
    assert events[0].start in sweeps


def test_across_the_antimeridian() -> None:
    found = detector(encounter_under_way_knots=0.0)
    points = [
        Point(BLUE, T0, 0.0, 179.995, 0.0, 0.0, None, 0, 1, "test"),
        Point(RED, T0, 0.0, -179.995, 0.0, 0.0, None, 0, 1, "test"),
    ]
    (event,) = found.observe(points, T0)
    assert abs(event.figures["distance_nm"] - 0.6) < 0.001
    assert event.geometry == {
        "type": "LineString",
        "coordinates": [[-179.995, 0.0], [179.995, 0.0]],
    }


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lat=st.sampled_from([0.0, 70.0]),
    lon=st.sampled_from([0.0, 180.0]),
)
def test_a_crowd_alerts_exactly_the_pairs_a_brute_force_finds(
    seed: int, lat: float, lon: float
) -> None:
    rnd = np.random.default_rng(seed)
    n = 150
    mmsi = 200000000 + rnd.choice(10**6, n, replace=False)
    groups = rnd.integers(0, 4, n)  # three parties, and 0: neutral
    parties = parse_parties(
        {
            "parties": [
                {"id": f"p{g}", "colour": "#123456", "mmsi": mmsi[groups == g].tolist()}
                for g in (1, 2, 3)
            ],
            "encounters": {
                "cpa_nm": 2.0,
                "tcpa_minutes": 30,
                "neutral": True,
                "pairs": [
                    {"parties": ["p1", "p3"], "cpa_nm": 4.0, "tcpa_minutes": 60},
                    {"parties": ["p2", "neutral"], "enabled": False},
                ],
            },
        }
    )
    # Where each vessel is now: within 25 nm of (lat, lon), so pairs are up to 50 nm apart
    # and the 20 nm search radius bites. Its report is where it was ``age`` minutes ago.
    now_lat, now_lon, _ = dead_reckon(
        np.full(n, lat), np.full(n, lon), rnd.uniform(0, 25, n), rnd.uniform(0, 360, n), 3600.0
    )
    speed = np.where(rnd.random(n) < 0.2, 0.0, rnd.uniform(0.1, 25, n))
    course = rnd.uniform(0, 360, n)
    age = rnd.uniform(0, 20, n)  # minutes: half of them stale
    then_lat, then_lon, then_course = dead_reckon(now_lat, now_lon, speed, course, -60 * age)
    points = [
        Point(
            int(mmsi[k]),
            T0 - timedelta(minutes=float(age[k])),
            float(then_lat[k]),
            float(then_lon[k]),
            float(speed[k]),
            float(then_course[k]),
            None,
            0,
            1,
            "test",
        )
        for k in range(n)
    ]
    got = {event.mmsi for event in detector(parties).observe(points, T0)}
    # Brute force: every pair of fresh vessels where they are now, the parties' rules.
    fresh = np.flatnonzero(age <= 10)
    i, j = np.triu_indices(len(fresh), 1)
    a, b = fresh[i], fresh[j]
    figures = approach(
        now_lat[a], now_lon[a], speed[a], course[a], now_lat[b], now_lon[b], speed[b], course[b]
    )
    expected = set()
    for k in range(len(a)):
        rule = parties.rule(party(groups[a[k]]), party(groups[b[k]]))
        if rule is None or figures.distance_nm[k] > 20.0:
            continue
        if max(speed[a[k]], speed[b[k]]) < Settings().encounter_under_way_knots:
            continue  # both at rest
        if figures.cpa_nm[k] < rule.cpa_nm and 0 <= figures.tcpa_min[k] <= rule.tcpa_minutes:
            low, high = sorted((int(mmsi[a[k]]), int(mmsi[b[k]])))
            expected.add((low, high))
    assert got == expected
    assert len(expected) > 0


def party(group: int) -> str | None:
    return f"p{group}" if group else None


def test_a_vessel_that_changes_party_opens_and_closes_alerts() -> None:
    # Grey takes flag state 244's warships (type 35); others of that flag are neutral.
    grey = 244000001
    parties = parse_parties(
        {
            "parties": [
                {"id": "blue", "colour": "#0000ff", "mmsi": [BLUE]},
                {"id": "grey", "colour": "#888888", "mid": [244], "ship_types": [35]},
            ]
        }
    )
    roster = Roster(parties)
    found = EncounterDetector(roster, Settings())
    ships = head_on(BLUE, grey, 0.3)
    log: list[list[Event]] = []

    def run_until(minute: float, start: float) -> None:
        for k in range(int(start * 6), int(minute * 6)):
            at = T0 + timedelta(seconds=10 * k)
            log.append(found.observe([ship.point(k / 6) for ship in ships], at))

    run_until(25, 0)  # neutral: no alert though the CPA is 0.3 nm in 23 minutes
    assert not any(log)
    roster.know(grey, 35)
    run_until(30, 25)
    opened = [event for events in log for event in events]
    assert opened and 25 <= minute(opened[0].start) <= 25 + 1 / 6
    assert opened[0].mmsi == (grey, BLUE) and opened[0].parties == ("grey", "blue")
    roster.know(grey, 70)  # neutral again: forgotten at its next report, the alert closes
    run_until(31, 30)
    closed = [event for events in log for event in events if event.end is not None]
    assert len(closed) == 1 and minute(closed[0].end) == 30
    roster.know(grey, 35)  # and back: a new alert
    run_until(32, 31)
    assert len({event.id for events in log for event in events}) == 2
