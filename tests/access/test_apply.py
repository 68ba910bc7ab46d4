"""Applying release rules: what each viewer gets of the picture, tracks and events.

Three parties and neutral traffic, every mode, every viewer, checked against answers written
out by hand; then properties over any rules and any vessels; then the grid itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.access.apply import (
    Live,
    Viewer,
    event_visible,
    event_visible_from,
    events,
    picture,
    release_points,
    release_vessel,
    snap,
    track,
    track_window,
)
from shade.access.release import FULL, HIDDEN, Mode, Release, ReleaseRules
from shade.detect.events import Event, EventKind, event_id
from shade.detect.roster import Roster
from shade.parties import Parties, Party
from shade.tracks.model import Point, Vessel

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
US = timedelta(microseconds=1)
NOW = T0 + timedelta(hours=2)
MAX_AGE = timedelta(minutes=30)

A1, A2 = 201000001, 201000002
B1, B2 = 202000001, 202000002
C1 = 203000001
C_BY_TYPE = 412000001  # a warship (type 35) of flag 412: c's by its flag-state rule
N_BY_TYPE = 412000002  # a cargo ship (type 70) of flag 412: neutral
N1 = 366000001
FLEET = {A1: "a", A2: "a", B1: "b", B2: "b", C1: "c", C_BY_TYPE: "c", N_BY_TYPE: None, N1: None}

PARTIES = Parties(
    (
        Party("a", "A", "#000001", frozenset({A1, A2})),
        Party("b", "B", "#000002", frozenset({B1, B2})),
        Party("c", "C", "#000003", frozenset({C1}), frozenset({412}), frozenset({35})),
    )
)
# a: full to b, delayed 30 min to c. b: coarsened 10 nm to a; hidden to c, events released.
# c: delayed 15 min to a, events released; nothing set for b (so hidden).
RULES = ReleaseRules(
    {
        ("a", "b"): FULL,
        ("a", "c"): Release(Mode.DELAYED, minutes=30),
        ("b", "a"): Release(Mode.COARSENED, nm=10.0),
        ("b", "c"): Release(Mode.HIDDEN, events=True),
        ("c", "a"): Release(Mode.DELAYED, minutes=15, events=True),
    }
)
Treatment = str | tuple[str, float]
F, H = "full", "hidden"
D15, D30 = ("delayed", 15.0), ("delayed", 30.0)
C10 = ("coarsened", 10.0)
# What each viewer gets of each owner's units (None: neutral), written out by hand.
EXPECTED: dict[str | None, dict[str | None, Treatment]] = {
    "a": {"a": F, "b": C10, "c": D15, None: F},
    "b": {"a": F, "b": F, "c": H, None: F},
    "c": {"a": D30, "b": H, "c": F, None: F},
    None: {"a": H, "b": H, "c": H, None: F},
}
VIEWERS = list(EXPECTED)


def roster() -> Roster:
    found = Roster(PARTIES)
    found.know(C_BY_TYPE, 35)
    found.know(N_BY_TYPE, 70)
    return found


def viewer(party: str | None, rules: ReleaseRules = RULES) -> Viewer:
    return Viewer(party, rules, roster().party)


def vessel(point: Point, statics: dict[str, object] | None = None) -> Vessel:
    fields: dict[str, object] = dict.fromkeys(Vessel._fields[8:])
    fields.update(statics or {})
    return Vessel(
        point.mmsi,
        point.at,
        point.lat,
        point.lon,
        point.speed,
        point.course,
        point.heading,
        point.status,
        **fields,  # type: ignore[arg-type]
    )


@dataclass
class History:
    """A tiny store: each vessel's points, its statics, and the picture at any time."""

    points: dict[int, list[Point]]
    statics: dict[int, dict[str, object]] = field(default_factory=dict)
    calls: list[datetime] = field(default_factory=list)

    def vessels_at(self, at: datetime) -> list[Vessel]:
        self.calls.append(at)
        return [v for mmsi in sorted(self.points) if (v := self.row(mmsi, at)) is not None]

    def row(self, mmsi: int, at: datetime) -> Vessel | None:
        before = [p for p in self.points[mmsi] if p.at <= at]
        if not before or before[-1].at < at - MAX_AGE:
            return None
        return vessel(before[-1], self.statics.get(mmsi))


def steaming(mmsi: int, k: int) -> list[Point]:
    """Two hours of reports every 20 s (odd seconds), eastward at 12.3 kn from 12N 45E."""
    points = []
    lat, lon = 12.0 + 0.1 * k, 45.0 + 0.1 * k
    step = 12.3 / 180 / (60 * math.cos(math.radians(lat)))  # degrees of longitude per 20 s
    start = T0 + timedelta(seconds=7 + 2 * k)
    for i in range(360):
        at = start + timedelta(seconds=20 * i)
        points.append(Point(mmsi, at, lat, lon + step * i, 12.3, 87.0, 88, 0, 1, "station-7"))
    return points


def statics(mmsi: int) -> dict[str, object]:
    return {
        "shipname": f"SHIP {mmsi}",
        "callsign": f"CS{mmsi % 1000}",
        "imo": 9000000 + mmsi % 1000,
        "ship_type": 35 if FLEET[mmsi] else 70,
        "to_bow": 100,
        "to_stern": 20,
        "to_port": 8,
        "to_starboard": 8,
        "destination": "DJIBOUTI",
        "eta": datetime(2026, 1, 6, 12, 0, tzinfo=UTC),
        "draught": 7.5,
    }


def history() -> History:
    return History(
        {mmsi: steaming(mmsi, k) for k, mmsi in enumerate(FLEET)},
        {mmsi: statics(mmsi) for mmsi in FLEET},
    )


def coarse(row: Vessel, nm: float) -> Vessel:
    """What a coarsened row must be, field by field (the grid is tested on its own)."""
    assert row.at is not None and row.lat is not None and row.lon is not None
    lat, lon = snap(row.lat, row.lon, nm)
    return row._replace(
        at=row.at.replace(second=0, microsecond=0),
        lat=lat,
        lon=lon,
        speed=12.0,
        course=90.0,
        heading=None,
        destination=None,
        eta=None,
        draught=None,
    )


def expected_row(store: History, mmsi: int, treatment: Treatment, at: datetime) -> Vessel | None:
    row = store.row(mmsi, at)
    assert row is not None
    if treatment == F:
        return row
    if treatment == H:
        return None
    if treatment == C10:
        # As at the end of the last whole minute: never sooner than its minute is over.
        last = store.row(mmsi, min(at, NOW).replace(second=0) - timedelta(microseconds=1))
        assert last is not None
        return coarse(last, 10.0)
    assert isinstance(treatment, tuple)
    then = store.row(mmsi, min(at, NOW) - timedelta(minutes=treatment[1]))
    assert then is not None
    return then._replace(destination=None, eta=None, draught=None)


# The picture


@pytest.mark.parametrize("party", VIEWERS)
@pytest.mark.parametrize("at", [NOW, NOW - timedelta(minutes=46, seconds=35)])
def test_picture_matrix(party: str | None, at: datetime) -> None:
    store = history()
    shown = picture(viewer(party), at, NOW, store.vessels_at)
    wanted = [
        row
        for mmsi in sorted(FLEET)
        if (row := expected_row(store, mmsi, EXPECTED[party][FLEET[mmsi]], at)) is not None
    ]
    assert shown == wanted
    # The picture at `at`; at the end of the minute before if some units are coarsened;
    # then once for each delay set for this viewer.
    delays = sorted({t[1] for t in EXPECTED[party].values() if t in (D15, D30)})
    coarse = [at.replace(second=0) - timedelta(microseconds=1)] * (C10 in EXPECTED[party].values())
    assert store.calls == [at, *coarse] + [at - timedelta(minutes=m) for m in delays]


def test_picture_statics_by_mode() -> None:
    store = history()
    shown = {v.mmsi: v for v in picture(viewer("a"), NOW, NOW, store.vessels_at)}
    own, coarsened, delayed = shown[A1], shown[B1], shown[C1]
    assert own.destination == "DJIBOUTI" and own.draught == 7.5 and own.heading == 88
    for row in (coarsened, delayed):
        assert (row.shipname, row.imo, row.ship_type, row.to_bow) == (
            f"SHIP {row.mmsi}",
            9000000 + row.mmsi % 1000,
            35,
            100,
        )
        assert (row.destination, row.eta, row.draught) == (None, None, None)
    assert coarsened.heading is None and delayed.heading == 88
    assert delayed.at is not None and delayed.at <= NOW - timedelta(minutes=15)
    assert delayed.at > NOW - timedelta(minutes=16)  # the newest it may see, not older


def test_a_picture_asked_for_the_future_delays_from_now() -> None:
    store = history()
    later = NOW + timedelta(hours=1)
    shown = {v.mmsi: v for v in picture(viewer("c"), later, NOW, store.vessels_at)}
    assert store.calls == [later, NOW - timedelta(minutes=30)]
    delayed = shown[A1].at
    assert delayed is not None and delayed <= NOW - timedelta(minutes=30)
    store = history()
    shown = {v.mmsi: v for v in picture(viewer("a"), later, NOW, store.vessels_at)}
    assert store.calls == [later, NOW - timedelta(microseconds=1), NOW - timedelta(minutes=15)]
    coarsened = shown[B1].at
    assert coarsened is not None and coarsened < NOW


def test_delays_are_read_once_each_and_only_when_set() -> None:
    same = RULES.with_rule("b", "c", Release(Mode.DELAYED, minutes=30))
    store = history()
    picture(viewer("c", same), NOW, NOW, store.vessels_at)
    assert store.calls == [NOW, NOW - timedelta(minutes=30)]
    other = RULES.with_rule("b", "c", Release(Mode.DELAYED, minutes=45))
    store = history()
    shown = {v.mmsi for v in picture(viewer("c", other), NOW, NOW, store.vessels_at)}
    assert store.calls == [NOW, NOW - timedelta(minutes=30), NOW - timedelta(minutes=45)]
    assert {B1, B2, A1, A2} <= shown
    store = history()
    picture(viewer("b"), NOW, NOW, store.vessels_at)
    assert store.calls == [NOW]


def test_a_delayed_row_newer_than_the_cut_is_never_shown() -> None:
    """Even if the store answers with a newer row than asked, the cut holds."""
    store = history()

    def careless(at: datetime) -> list[Vessel]:
        return store.vessels_at(NOW)

    shown = {v.mmsi for v in picture(viewer("a"), NOW, NOW, careless)}
    assert C1 not in shown and C_BY_TYPE not in shown and A1 in shown and B1 in shown
    row = store.row(C1, NOW)
    assert row is not None
    assert release_vessel(viewer("a"), row, NOW) is None
    then = store.row(C1, NOW - timedelta(minutes=15))
    assert then is not None
    assert release_vessel(viewer("a"), then, NOW) == then._replace(
        destination=None, eta=None, draught=None
    )
    assert release_vessel(viewer("b"), then, NOW) is None  # hidden
    assert release_vessel(viewer(None), then, NOW) is None


def test_areas_apply_to_released_positions() -> None:
    store = history()
    exact = store.row(B1, NOW)
    assert exact is not None and exact.lat is not None and exact.lon is not None
    centre = snap(exact.lat, exact.lon, 10.0)
    assert centre != (exact.lat, exact.lon)

    def box(lat: float, lon: float) -> Callable[[Vessel], bool]:
        def inside(v: Vessel) -> bool:
            assert v.lat is not None and v.lon is not None
            return abs(v.lat - lat) < 1e-3 and abs(v.lon - lon) < 1e-3

        return inside

    # A tight box round the exact position does not find it; one round the centre does.
    assert picture(viewer("a"), NOW, NOW, store.vessels_at, box(exact.lat, exact.lon)) == []
    found = picture(viewer("a"), NOW, NOW, store.vessels_at, box(*centre))
    assert [v.mmsi for v in found] == [B1, B2]  # b's two units, 6 nm apart, share a cell
    assert viewer("a").coarsens and not viewer("b").coarsens and not viewer(None).coarsens
    assert viewer("a").delays == [15] and viewer("c").delays == [30] and viewer(None).delays == []


# Tracks


@pytest.mark.parametrize("party", VIEWERS)
@pytest.mark.parametrize("mmsi", sorted(FLEET))
def test_track_matrix(party: str | None, mmsi: int) -> None:
    points = steaming(mmsi, list(FLEET).index(mmsi))
    treatment = EXPECTED[party][FLEET[mmsi]]
    shown = track(viewer(party), mmsi, points, NOW)
    window = track_window(viewer(party), mmsi, T0, NOW, NOW)
    if treatment == F:
        assert shown == points
        assert window == (T0, NOW)
    elif treatment == H:
        assert shown == []
        assert window is None
    elif treatment == C10:
        assert window == (T0, NOW - timedelta(microseconds=1))  # the minute of now is not over
        points = [p for p in points if p.at < NOW]
        # One point per cell visited: 24.6 nm east across 10 nm cells.
        cells = [snap(p.lat, p.lon, 10.0) for p in points]
        entries = [i for i in range(len(points)) if i == 0 or cells[i] != cells[i - 1]]
        assert len(entries) >= 3
        assert shown == [
            points[i]._replace(
                at=points[i].at.replace(second=0, microsecond=0),
                lat=cells[i][0],
                lon=cells[i][1],
                speed=12.0,
                course=90.0,
                heading=None,
                source=None,
            )
            for i in entries
        ]
    else:
        assert isinstance(treatment, tuple)
        cut = NOW - timedelta(minutes=treatment[1])
        assert shown == [p for p in points if p.at <= cut]
        assert shown[-1].at > cut - timedelta(seconds=20)
        assert window == (T0, cut)


def test_track_windows() -> None:
    a = viewer("a")
    # Delayed: the end never passes now - N; a window wholly after it reads nothing.
    cut = NOW - timedelta(minutes=15)
    assert track_window(a, C1, None, None, NOW) == (None, cut)
    assert track_window(a, C1, T0, NOW + timedelta(days=1), NOW) == (T0, cut)
    assert track_window(a, C1, cut, None, NOW) == (cut, cut)
    assert track_window(a, C1, cut + timedelta(microseconds=1), None, NOW) is None
    # Coarsened: whole minutes, so bounds within one minute read the same points; never
    # the minute of now, which is not over.
    start, end = T0 + timedelta(seconds=31.5), NOW + timedelta(seconds=2)
    widened = (T0, NOW + timedelta(seconds=59, microseconds=999999))
    later = NOW + timedelta(minutes=5, seconds=17)
    assert track_window(a, B1, start, end, later) == widened
    assert track_window(a, B1, start, end, NOW + timedelta(seconds=59)) == (T0, NOW - US)
    assert track_window(a, B1, None, None, later) == (None, NOW + timedelta(minutes=5) - US)
    assert track_window(a, B1, NOW + timedelta(seconds=3), None, NOW) is None
    # Own and neutral: as asked.
    assert track_window(a, A1, start, end, NOW) == (start, end)
    assert track_window(viewer(None), N1, start, None, NOW) == (start, None)
    assert track_window(viewer(None), A1, start, end, NOW) is None


def test_a_track_takes_only_its_vessel() -> None:
    with pytest.raises(ValueError, match="given a point of"):
        track(viewer("a"), A1, steaming(A2, 0), NOW)


def test_exports_mix_vessels() -> None:
    """Interleaved vessels: each coarsened one thinned on its own, the rest as given."""
    b1, b2, a1, c1 = steaming(B1, 0), steaming(B2, 0), steaming(A1, 0), steaming(C1, 0)
    mixed = [p for four in zip(b1, b2, a1, c1, strict=True) for p in four]
    shown = release_points(viewer("a"), mixed, NOW)
    assert [p for p in shown if p.mmsi == A1] == a1
    cut = NOW - timedelta(minutes=15)
    assert [p for p in shown if p.mmsi == C1] == [p for p in c1 if p.at <= cut]
    for mmsi, own in ((B1, b1), (B2, b2)):
        assert [p for p in shown if p.mmsi == mmsi] == track(viewer("a"), mmsi, own, NOW)
    assert release_points(viewer(None), mixed, NOW) == []
    assert release_points(viewer("b"), mixed, NOW) == [p for p in mixed if p.mmsi != C1]


# Events


def event(kind: EventKind, mmsi: tuple[int, ...], start: datetime, end: datetime | None,
          parties: tuple[str | None, ...] | None = None) -> Event:  # fmt: skip
    return Event(
        event_id(kind, mmsi, start),
        kind,
        mmsi,
        parties if parties is not None else tuple(FLEET[m] for m in mmsi),
        start,
        end,
        {"type": "Point", "coordinates": [45.0, 12.0]},
        {},
    )


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


EVENTS = {
    "e1 encounter a-b, open": event(EventKind.ENCOUNTER, (A1, B1), ago(5), None),
    "e2 zone c, ended 20 ago": event(EventKind.ZONE, (C1,), ago(60), ago(20)),
    "e3 gap c, ended 10 ago": event(EventKind.GAP, (C1,), ago(30), ago(10)),
    "e4 encounter a-neutral, open": event(EventKind.ENCOUNTER, (A1, N1), ago(3), None),
    "e5 loiter neutral": event(EventKind.LOITER, (N1,), ago(110), ago(50)),
    "e6 rendezvous b-c, ended 100 ago": event(EventKind.RENDEZVOUS, (B1, C1), ago(119), ago(100)),
    "e7 encounter a-c, ended 40 ago": event(EventKind.ENCOUNTER, (A1, C1), ago(45), ago(40)),
    "e8 gap a, ended 20 ago": event(EventKind.GAP, (A1,), ago(50), ago(20)),
    "e9 gap a, open": event(EventKind.GAP, (A1,), ago(50), None),
    "e10 gap a, ended exactly 30 ago": event(EventKind.GAP, (A1,), ago(50), ago(30)),
    "e11 gap a, ended 30 ago less 1 us": event(
        EventKind.GAP, (A1,), ago(50), ago(30) + timedelta(microseconds=1)
    ),
    "e12 zone of c's warship by type": event(EventKind.ZONE, (C_BY_TYPE,), ago(90), ago(80)),
}
# Written out by hand from the rules above.
VISIBLE = {
    # b coarsened without events (e1, e6); c delayed with events (any c event).
    "a": {"e2", "e3", "e4", "e5", "e7", "e8", "e9", "e10", "e11", "e12"},
    # a full; c hidden without events.
    "b": {"e1", "e4", "e5", "e8", "e9", "e10", "e11"},
    # a delayed 30 without events (only once ended 30 min ago); b hidden with events.
    "c": {"e2", "e3", "e5", "e6", "e7", "e10", "e12"},
    None: {"e5"},
}


@pytest.mark.parametrize("party", VIEWERS)
def test_events_matrix(party: str | None) -> None:
    shown = events(viewer(party), EVENTS.values(), NOW)
    assert {e.kind for e in shown} <= set(EventKind)
    names = {name.split()[0] for name, e in EVENTS.items() if e in shown}
    assert names == VISIBLE[party]
    assert shown == [e for e in EVENTS.values() if e in shown]  # whole, in order
    for e in EVENTS.values():
        assert event_visible(viewer(party), e, NOW) == (e in shown)


def test_an_event_needs_both_its_recorded_and_current_party() -> None:
    # Recorded before c's warship was known as such: neutral then, c's now.
    early = event(EventKind.GAP, (C_BY_TYPE,), ago(90), ago(80), parties=(None,))
    assert not event_visible(viewer("b"), early, NOW)  # c hides from b
    assert event_visible(viewer("a"), early, NOW)  # c releases its events to a
    # Recorded as b's, neutral now: b's rule to a (coarsened, no events) still applies.
    moved = event(EventKind.LOITER, (N1,), ago(90), ago(80), parties=("b",))
    assert not event_visible(viewer("a"), moved, NOW)
    assert event_visible(viewer("c"), moved, NOW)  # b releases its events to c
    assert not event_visible(viewer(None), moved, NOW)
    # Not the contract (a party per vessel): shown to no one.
    broken = event(EventKind.ENCOUNTER, (A1, N1), ago(5), None, parties=("a",))
    for party in VIEWERS:
        assert not event_visible(viewer(party), broken, NOW)


def test_delayed_events_appear_once_old_enough() -> None:
    gap = EVENTS["e8 gap a, ended 20 ago"]
    assert not event_visible(viewer("c"), gap, NOW)
    assert not event_visible(viewer("c"), gap, NOW + timedelta(minutes=10, microseconds=-1))
    assert event_visible(viewer("c"), gap, NOW + timedelta(minutes=10))


# Any rules, any vessels

PARTY_IDS = ["a", "b", "c"]
rule_choice = st.one_of(
    st.none(),
    st.builds(Release, st.sampled_from([Mode.FULL, Mode.HIDDEN]), events=st.booleans()),
    st.builds(Release, st.just(Mode.DELAYED), minutes=st.integers(1, 150), events=st.booleans()),
    st.builds(Release, st.just(Mode.COARSENED), nm=st.floats(0.1, 600.0), events=st.booleans()),
)
any_rules = st.builds(
    lambda table: ReleaseRules({k: v for k, v in table.items() if v is not None}),
    st.fixed_dictionaries({(o, v): rule_choice for o in PARTY_IDS for v in PARTY_IDS if o != v}),
)
any_point = st.tuples(
    st.integers(0, 180 * 60),  # seconds after T0
    st.floats(-90, 90),
    st.floats(-180, 180, exclude_max=True),
    st.one_of(st.none(), st.floats(0, 60)),
    st.one_of(st.none(), st.floats(0, 359.9)),
)


@st.composite
def fleets(draw: st.DrawFn) -> tuple[dict[int, str | None], History]:
    owners = draw(st.lists(st.sampled_from([*PARTY_IDS, None]), min_size=1, max_size=6))
    points: dict[int, list[Point]] = {}
    for k in range(len(owners)):
        mmsi = 100000000 + k
        drawn = draw(st.lists(any_point, min_size=1, max_size=6, unique_by=lambda t: t[0]))
        points[mmsi] = [
            Point(mmsi, T0 + timedelta(seconds=s), lat, lon, speed, course, 7, 0, 1, "x")
            for s, lat, lon, speed, course in sorted(drawn)
        ]
    extra = {"destination": "ADEN", "draught": 5.0, "shipname": "X"}
    statics = dict.fromkeys(points, extra)
    return {100000000 + k: owner for k, owner in enumerate(owners)}, History(points, statics)


def is_minute(at: datetime | None) -> bool:
    return at is not None and at.second == 0 and at.microsecond == 0


@settings(max_examples=150, deadline=None)
@given(
    any_rules,
    fleets(),
    st.sampled_from([*PARTY_IDS, None]),
    st.integers(0, 200),
    st.integers(0, 60),
)
def test_picture_never_gives_more_than_the_rules(
    rules: ReleaseRules,
    fleet: tuple[dict[int, str | None], History],
    party: str | None,
    at_minutes: int,
    lead: int,
) -> None:
    owners, store = fleet
    look = Viewer(party, rules, owners.__getitem__)
    at = T0 + timedelta(minutes=at_minutes)
    now = at + timedelta(minutes=lead)
    shown = picture(look, at, now, store.vessels_at)
    assert len({v.mmsi for v in shown}) == len(shown)
    for mmsi, owner in owners.items():
        rule = rules.rule(owner, party)
        got = [v for v in shown if v.mmsi == mmsi]
        row = store.row(mmsi, at)
        if owner is None or owner == party:
            assert rule == FULL
            assert got == ([] if row is None else [row])
        if party is None and owner is not None:
            assert got == []
        if rule.mode is Mode.HIDDEN:
            assert got == []
        elif rule.mode is Mode.FULL:
            assert got == ([] if row is None else [row])
        elif rule.mode is Mode.DELAYED:
            assert rule.minutes is not None
            cut = min(at, now) - timedelta(minutes=rule.minutes)
            then = store.row(mmsi, cut)
            assert got == ([] if then is None else [then._replace(destination=None, draught=None)])
            assert all(v.at is not None and v.at <= cut for v in got)
        else:
            assert rule.nm is not None
            row = store.row(mmsi, min(at, now).replace(second=0) - US)
            assert len(got) == (row is not None)
            for v in got:
                assert row is not None and row.lat is not None and row.lon is not None
                assert v.lat is not None and v.lon is not None
                assert snap(v.lat, v.lon, rule.nm) == (v.lat, v.lon)  # a cell's centre
                assert snap(row.lat, row.lon, rule.nm) == (v.lat, v.lon)
                assert is_minute(v.at) and v.heading is None
                assert v.at is not None and v.at < min(at, now).replace(second=0)
                assert v.speed is None or v.speed == int(v.speed)
                assert v.course is None or (v.course % 10 == 0 and 0 <= v.course < 360)
                assert (v.destination, v.draught, v.shipname) == (None, None, "X")


@settings(max_examples=150, deadline=None)
@given(any_rules, fleets(), st.sampled_from([*PARTY_IDS, None]), st.integers(0, 200))
def test_tracks_never_give_more_than_the_rules(
    rules: ReleaseRules,
    fleet: tuple[dict[int, str | None], History],
    party: str | None,
    now_minutes: int,
) -> None:
    owners, store = fleet
    look = Viewer(party, rules, owners.__getitem__)
    now = T0 + timedelta(minutes=now_minutes)
    for mmsi, owner in owners.items():
        points = store.points[mmsi]
        rule = rules.rule(owner, party)
        got = track(look, mmsi, points, now)
        if owner is None or owner == party:
            assert got == points
        if party is None and owner is not None:
            assert got == []
        if rule.mode is Mode.HIDDEN:
            assert got == []
        elif rule.mode is Mode.FULL:
            assert got == points
        elif rule.mode is Mode.DELAYED:
            assert rule.minutes is not None
            assert got == [p for p in points if p.at <= now - timedelta(minutes=rule.minutes)]
        else:
            assert rule.nm is not None
            points = [p for p in points if p.at < now.replace(second=0)]
            cells = [snap(p.lat, p.lon, rule.nm) for p in points]
            visits = sum(1 for i, c in enumerate(cells) if i == 0 or c != cells[i - 1])
            assert len(got) == visits
            for before, p in zip([None, *got], got, strict=False):
                assert snap(p.lat, p.lon, rule.nm) == (p.lat, p.lon)
                assert before is None or (before.lat, before.lon) != (p.lat, p.lon)
                assert is_minute(p.at) and p.heading is None and p.source is None


@settings(max_examples=150, deadline=None)
@given(
    any_rules,
    st.lists(st.sampled_from([*PARTY_IDS, None]), min_size=1, max_size=2),
    st.sampled_from([*PARTY_IDS, None]),
    st.one_of(st.none(), st.integers(0, 300)),
)
def test_events_never_give_more_than_the_rules(
    rules: ReleaseRules, owners: list[str | None], party: str | None, ended_ago: int | None
) -> None:
    mmsi = tuple(100000000 + k for k in range(len(owners)))
    end = None if ended_ago is None else ago(ended_ago)
    found = event(EventKind.ENCOUNTER, mmsi, ago(400), end, parties=tuple(owners))
    look = Viewer(party, rules, dict(zip(mmsi, owners, strict=True)).__getitem__)
    visible = event_visible(look, found, NOW)
    if all(owner is None or owner == party for owner in owners):
        assert visible
    if party is None:
        assert visible == all(owner is None for owner in owners)
    for owner in owners:
        rule = rules.rule(owner, party)
        if rule.events or rule.mode is Mode.FULL:
            continue
        if rule.mode in (Mode.HIDDEN, Mode.COARSENED) or end is None:
            assert not visible
        else:
            assert rule.minutes is not None
            if end > NOW - timedelta(minutes=rule.minutes):
                assert not visible


# The grid


def test_grid_at_the_equator() -> None:
    step = 10 / 60
    cells = 2159  # floor(21600 cos(step / 2) / 10): 2160 would be a hair under 10 nm
    width = 360 / cells
    lat, lon = snap(0.05, 45.03, 10.0)
    assert lat == pytest.approx(step / 2, abs=1e-12)
    assert lon == pytest.approx(-180 + 1349.5 * width, abs=1e-12)
    assert width * 60 * math.cos(math.radians(lat)) == pytest.approx(10.0047, abs=1e-4)
    assert snap(-0.05, 45.03, 10.0)[0] == pytest.approx(-step / 2, abs=1e-12)
    assert snap(0.0, 0.0, 10.0) == (step / 2, 0.0)  # an odd number of cells: 0 E a centre


def test_grid_at_60_north() -> None:
    lat, lon = snap(60.05, 5.2, 10.0)
    assert lat == pytest.approx(60 + 10 / 120, abs=1e-12)
    cells = math.floor(21600 * math.cos(math.radians(lat)) / 10)
    assert cells == 1077  # half as many as at the equator: cells stay ~10 nm wide
    width = 360 / cells
    assert lon == pytest.approx(-180 + (math.floor(185.2 / width) + 0.5) * width, abs=1e-12)
    assert 10.0 <= width * 60 * math.cos(math.radians(lat)) < 10.01


def test_grid_at_the_antimeridian() -> None:
    east, west = snap(0.05, 179.99, 10.0), snap(0.05, -179.99, 10.0)
    width = 360 / 2159
    assert east[1] == pytest.approx(180 - width / 2, abs=1e-9)
    assert west[1] == pytest.approx(-180 + width / 2, abs=1e-9)
    assert snap(0.05, 180.0, 10.0) == west  # 180 E is 180 W
    assert snap(0.05, 180.0 + 0.01, 10.0) == west  # beyond 180, wrapped round
    assert snap(0.05, -540.0 + 0.01, 10.0) == west
    assert snap(*east, 10.0) == east and snap(*west, 10.0) == west


def test_grid_near_the_poles() -> None:
    # 10 nm: the top row 89.83 to 90 N is 31 nm round, so three cells of 120 degrees.
    assert snap(89.95, 10.0, 10.0) == pytest.approx((90 - 10 / 120, 0.0))
    assert snap(89.95, -70.0, 10.0) == pytest.approx((90 - 10 / 120, -120.0))
    assert snap(90.0, 179.0, 10.0) == pytest.approx((90 - 10 / 120, 120.0))
    assert snap(-90.0, 0.0, 10.0) == pytest.approx((-90 + 10 / 120, 0.0))
    # 7 nm: 90 is not a whole number of rows; the last, 89.95 to 90, is centred in it.
    assert snap(89.99, 33.0, 7.0) == pytest.approx((89.975, 0.0))
    assert snap(-89.99, 33.0, 7.0) == pytest.approx((-89.975, 0.0))
    # 600 nm: rows of 10 degrees; the last, about 1900 nm round, three cells again.
    assert snap(89.0, 100.0, 600.0) == pytest.approx((85.0, 120.0))
    assert snap(80.0, 0.0, 600.0) == pytest.approx((85.0, 0.0))


@given(
    st.floats(-90, 90),
    st.floats(-180, 180),
    st.floats(0.1, 600.0),
    st.floats(-0.999, 0.999),
    st.floats(-0.999, 0.999),
)
def test_grid_cells_tell_nothing_finer(
    lat: float, lon: float, nm: float, u: float, v: float
) -> None:
    """Every position of a cell gives its centre: the answer depends on the cell only."""
    c_lat, c_lon = snap(lat, lon, nm)
    assert snap(c_lat, c_lon, nm) == (c_lat, c_lon)
    half_height = min(nm / 120, 90 - abs(c_lat))
    width = 360 / max(1, math.floor(21600 * math.cos(math.radians(c_lat)) / nm))
    assert abs(lat - c_lat) <= half_height + 1e-9
    assert abs((lon - c_lon + 180) % 360 - 180) <= width / 2 + 1e-9
    # Another position well inside the same cell.
    other = (c_lat + u * half_height * 0.999, c_lon + v * width / 2 * 0.999)
    assert snap(*other, nm) == pytest.approx((c_lat, c_lon), abs=1e-9)


def test_grid_cells_are_about_n_by_n(nm: float = 5.0) -> None:
    for lat in (0.0, 30.0, 60.0, 75.0, 85.0):
        c_lat, _ = snap(lat + 0.01, 0.0, nm)
        width = 360 / math.floor(21600 * math.cos(math.radians(c_lat)) / nm)
        assert nm <= width * 60 * math.cos(math.radians(c_lat)) < nm * 1.1


# Live streams


def stream(look: Viewer, points: list[Point], until: datetime) -> list[tuple[datetime, Point]]:
    """Feed ``points`` (in time order) to a ``Live`` in 20 s batches, then empty calls each
    20 s until ``until``: what goes out, with when."""
    live = Live(look)
    sent: list[tuple[datetime, Point]] = []
    now, k = T0, 0
    while now < until:
        now += timedelta(seconds=20)
        batch = []
        while k < len(points) and points[k].at <= now:
            batch.append(points[k])
            k += 1
        sent.extend((now, point) for point in live.points(batch, now))
    return sent


def fleet_points() -> list[Point]:
    return sorted(
        (p for k, mmsi in enumerate(FLEET) for p in steaming(mmsi, k)), key=lambda p: p.at
    )


@pytest.mark.parametrize("party", VIEWERS)
def test_live_points_go_out_when_the_rules_allow_and_no_sooner(party: str | None) -> None:
    until = NOW + timedelta(minutes=40)
    points = fleet_points()
    sent = stream(viewer(party), points, until)
    for mmsi in FLEET:
        treatment = EXPECTED[party][FLEET[mmsi]]
        own = [p for p in points if p.mmsi == mmsi]
        out = [(now, p) for now, p in sent if p.mmsi == mmsi]
        # In the end, what the track gives; each point in the first batch it may go.
        assert [p for _, p in out] == track(viewer(party), mmsi, own, until)
        for now, p in out:
            if treatment == F:
                allowed = p.at
            elif treatment == C10:
                allowed = p.at + timedelta(minutes=1)
            else:
                assert isinstance(treatment, tuple)
                allowed = p.at + timedelta(minutes=treatment[1])
            assert allowed <= now < allowed + timedelta(seconds=20)


def test_live_judges_held_points_again() -> None:
    """A vessel first taken by a lax rule, then found to be a unit hidden from the viewer
    (its ship type learned), has nothing of what was held go out."""
    parties = Parties(
        (
            Party("c", "C", "#000003", frozenset(), frozenset({412}), frozenset({35})),
            Party("d", "D", "#000004", frozenset(), frozenset({412})),
        )
    )
    rules = ReleaseRules(
        {
            ("d", "a"): Release(Mode.DELAYED, minutes=10),
            ("d", "b"): Release(Mode.COARSENED, nm=5.0),
        }
    )
    for party in ("a", "b"):
        ships = Roster(parties)
        live = Live(Viewer(party, rules, ships.party))
        points = steaming(412000009, 0)[:30]  # ten minutes
        assert ships.party(412000009) == "d"
        # Held: delayed, or coarsened within its minute (10:00:07 to 10:00:47).
        assert live.points(points[:3], points[2].at) == []
        ships.know(412000009, 35)  # a warship: c's, and c shares nothing with a or b
        assert live.points(points[3:], NOW) == []
        assert live.points([], NOW + timedelta(hours=1)) == []
    # Without the change, the same stream lets them out.
    ships = Roster(parties)
    live = Live(Viewer("a", rules, ships.party))
    live.points(points, points[-1].at)
    assert live.points([], NOW) == points


def test_live_events() -> None:
    live = Live(viewer("c"))
    gap = EVENTS["e8 gap a, ended 20 ago"]  # a delays 30 min to c: visible at NOW + 10
    shown = EVENTS["e2 zone c, ended 20 ago"]  # c's own
    assert event_visible_from(viewer("c"), gap) == NOW + timedelta(minutes=10)
    assert live.events([gap, shown], NOW) == [shown]
    assert live.events([], NOW + timedelta(minutes=10) - US) == []
    assert live.events([], NOW + timedelta(minutes=10)) == [gap]
    assert live.events([], NOW + timedelta(minutes=20)) == []  # once
    # An open event of a delayed unit is never held; its closing state is.
    opened = EVENTS["e9 gap a, open"]
    assert event_visible_from(viewer("c"), opened) is None
    assert live.events([opened], NOW) == []
    closed = opened._replace(end=NOW)
    assert live.events([closed], NOW) == []
    # A newer state replaces the one held (here one never visible: dropped).
    assert live.events([opened], NOW + timedelta(minutes=5)) == []
    assert live.events([], NOW + timedelta(hours=1)) == []
    # Held states go out in the order they become visible, before new ones.
    late = event(EventKind.GAP, (A2,), ago(60), ago(25))
    assert live.events([gap, late], NOW) == []
    assert live.events([shown], NOW + timedelta(hours=1)) == [late, gap, shown]
    # Same id: the newer state replaces the held one, and goes out at once if it may.
    assert live.events([gap], NOW) == []
    newer = gap._replace(end=ago(30))
    assert newer.id == gap.id
    assert live.events([newer], NOW) == [newer]
    assert live.events([], NOW + timedelta(hours=1)) == []


def test_when_events_become_visible() -> None:
    always = datetime.min.replace(tzinfo=UTC)
    assert event_visible_from(viewer("a"), EVENTS["e5 loiter neutral"]) == always
    assert event_visible_from(viewer("a"), EVENTS["e1 encounter a-b, open"]) is None
    assert event_visible_from(viewer("c"), EVENTS["e7 encounter a-c, ended 40 ago"]) == ago(10)
    assert event_visible_from(viewer(None), EVENTS["e8 gap a, ended 20 ago"]) is None


@settings(max_examples=100, deadline=None)
@given(
    any_rules,
    fleets(),
    st.sampled_from([*PARTY_IDS, None]),
    st.lists(st.integers(1, 400), min_size=1, max_size=8),
)
def test_live_streams_give_what_the_track_gives(
    rules: ReleaseRules,
    fleet: tuple[dict[int, str | None], History],
    party: str | None,
    cuts: list[int],
) -> None:
    owners, store = fleet
    look = Viewer(party, rules, owners.__getitem__)
    points = sorted((p for own in store.points.values() for p in own), key=lambda p: p.at)
    live = Live(look)
    sent: list[tuple[datetime, Point]] = []
    start, now = 0, T0
    for cut in [*sorted(cuts), len(points)]:
        batch = points[start:cut]
        start = max(start, cut)
        now = max([now, *(p.at for p in batch)])
        sent.extend((now, p) for p in live.points(batch, now))
    end = now + timedelta(minutes=90)
    sent.extend((end, p) for p in live.points([], end))
    for mmsi, owner in owners.items():
        rule = rules.rule(owner, party)
        out = [(at, p) for at, p in sent if p.mmsi == mmsi]
        assert [p for _, p in out] == release_points(look, store.points[mmsi], end)
        for at, p in out:
            if rule.mode is Mode.DELAYED:
                assert rule.minutes is not None
                assert p.at <= at - timedelta(minutes=rule.minutes)
            elif rule.mode is Mode.COARSENED:
                assert p.at + timedelta(minutes=1) <= at
            else:
                assert rule.mode is Mode.FULL and p.at <= at


def test_delay_boundaries_to_the_microsecond() -> None:
    """c delays 15 min to a: a point exactly 15 min old goes out, one a microsecond newer
    does not; in a track, an export, a picture row and a live stream alike."""
    cut = NOW - timedelta(minutes=15)
    base = steaming(C1, 0)[0]
    old, new = base._replace(at=cut), base._replace(at=cut + US)
    a = viewer("a")
    assert track(a, C1, [old, new], NOW) == [old]
    assert release_points(a, [new, old], NOW) == [old]
    assert release_vessel(a, vessel(old), NOW) == vessel(old)
    assert release_vessel(a, vessel(new), NOW) is None
    live = Live(a)
    assert live.points([old, new], cut) == []
    assert live.points([], NOW - US) == []
    assert live.points([], NOW) == [old]
    assert live.points([], NOW + US) == [new]
    # Coarsened (b to a): a point goes out once its minute is over, not a microsecond before.
    b1 = steaming(B1, 0)[0]._replace(at=NOW - US)
    assert track(a, B1, [b1], NOW - US) == []
    assert [p.at for p in track(a, B1, [b1], NOW)] == [NOW - timedelta(minutes=1)]


def test_live_judges_held_events_again() -> None:
    parties = Parties(
        (
            Party("c", "C", "#000003", frozenset(), frozenset({412}), frozenset({35})),
            Party("d", "D", "#000004", frozenset(), frozenset({412})),
        )
    )
    ship = 412000009
    gap = event(EventKind.GAP, (ship,), ago(30), ago(5), parties=("d",))
    for later, due in ((Release(Mode.DELAYED, minutes=60), ago(5) + timedelta(hours=1)),
                       (HIDDEN, None)):  # fmt: skip
        rules = ReleaseRules({("d", "a"): Release(Mode.DELAYED, minutes=10), ("c", "a"): later})
        ships = Roster(parties)
        live = Live(Viewer("a", rules, ships.party))
        assert live.events([gap], NOW) == []  # due at NOW + 5 as d's
        ships.know(ship, 35)  # c's after all: its rule holds too (the event still says d)
        assert live.events([], NOW + timedelta(minutes=5)) == []
        if due is not None:
            assert live.events([], due - US) == []
            assert live.events([], due) == [gap]
        assert live.events([], NOW + timedelta(days=1)) == []
