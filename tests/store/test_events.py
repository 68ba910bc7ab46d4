"""Events in the store: written and read back equal, upserted by id, filtered as a model in
Python filters them; subscribers told after the commit only; the history read back in
pages; the v0001 databases upgraded with their data."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from shade.detect.events import Event, EventKind, event_id
from shade.errors import InputError, ShadeError
from shade.store import Store
from shade.store import engine as engines
from shade.store.schema import vessels
from shade.store.store import Commit
from shade.tracks.model import AsideReason, Point, Update
from tests.store.make import HEAD, OLD_POSITIONS, T0, point, static, update

A, B, C = 211000001, 366000001, 538000002


def event(
    kind: EventKind = EventKind.GAP,
    mmsi: tuple[int, ...] = (A,),
    parties: tuple[str | None, ...] | None = None,
    minutes: float = 0,
    lasting: float | None = None,
    figures: dict[str, Any] | None = None,
    geometry: dict[str, Any] | None = None,
    extra: str = "",
) -> Event:
    start = T0 + timedelta(minutes=minutes)
    return Event(
        id=event_id(kind, mmsi, start, extra),
        kind=kind,
        mmsi=mmsi,
        parties=parties if parties is not None else tuple(None for _ in mmsi),
        start=start,
        end=None if lasting is None else start + timedelta(minutes=lasting),
        geometry=geometry,
        figures=figures if figures is not None else {"gap_min": 12.5},
    )


# One of each kind, with figures as the detectors give them (see detect.events).
EVERY_KIND = [
    event(
        EventKind.ENCOUNTER,
        (A, B),
        ("eunavfor", "in"),
        minutes=1,
        figures={"cpa_nm": 0.1 + 0.2, "tcpa_min": 7.25, "closest_nm": 1e-9, "distance_nm": 3.0},
        geometry={"type": "LineString", "coordinates": [[45.25, 12.5], [45.3, 12.55]]},
    ),
    event(
        EventKind.ZONE,
        (B,),
        ("in",),
        minutes=2,
        lasting=30,
        figures={"zone": "z-7", "zone_name": "Bāb al-Mandab TSS", "dwell_min": 30.0},
        geometry={"type": "Point", "coordinates": [43.4, 12.6]},
        extra="z-7",
    ),
    event(
        EventKind.GAP,
        (C,),
        minutes=3,
        figures={"gap_min": 61.0, "distance_nm": None, "implied_knots": None, "zone": None},
    ),
    event(
        EventKind.LOITER,
        (A,),
        ("eunavfor",),
        minutes=4,
        lasting=125.5,
        figures={"duration_min": 125.5, "mean_knots": 0.7000000000000001, "shore_nm": 31.2},
        geometry={"type": "Point", "coordinates": [-179.999999, -89.999999]},
    ),
    event(
        EventKind.RENDEZVOUS,
        (B, C),
        ("in", None),
        minutes=5,
        lasting=90,
        figures={"duration_min": 90.0, "median_knots": 1.5, "closest_m": 120},
        geometry={
            "type": "Polygon",
            "coordinates": [[[1.0, 2.0], [1.5, 2.0], [1.5, 2.5], [1.0, 2.0]]],
        },
    ),
]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as store:
        yield store


# Round trip and upsert


def test_every_kind_comes_back_equal(store: Store) -> None:
    store.write_events(EVERY_KIND)
    back = store.events()
    assert back == EVERY_KIND
    assert [e.kind for e in back] == list(EventKind)
    assert all(isinstance(e.kind, EventKind) for e in back)
    assert all(e.start.tzinfo is UTC and (e.end is None or e.end.tzinfo is UTC) for e in back)
    assert back[0].figures["cpa_nm"] == 0.30000000000000004
    assert type(back[4].figures["closest_m"]) is int
    assert store.counts()["events"] == len(EVERY_KIND)


def test_times_in_any_zone_come_back_as_the_same_instant_in_utc(store: Store) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    start = datetime(2022, 1, 3, 5, 30, 0, 1, tzinfo=india)
    written = event()._replace(start=start, end=start + timedelta(microseconds=1))
    store.write_events([written])
    [back] = store.events()
    assert back == written
    assert back.start == datetime(2022, 1, 3, 0, 0, 0, 1, tzinfo=UTC)
    assert back.start.tzinfo is UTC and back.end == back.start + timedelta(microseconds=1)


def test_figures_come_back_as_json_gives_them(store: Store) -> None:
    odd = {"nan": math.nan, "inf": -math.inf, "f64": np.float64(0.1), "i64": np.int64(7)}
    line = {"type": "LineString", "coordinates": ((1.0, 2.0), (3.0, 4.0))}
    store.write_events([event(figures=odd, geometry=line)])
    [back] = store.events()
    assert back.figures == {"nan": None, "inf": None, "f64": 0.1, "i64": 7}
    assert type(back.figures["f64"]) is float and type(back.figures["i64"]) is int
    assert back.geometry == {"type": "LineString", "coordinates": [[1.0, 2.0], [3.0, 4.0]]}


def test_the_newest_state_replaces_the_stored_one(store: Store) -> None:
    opened = event(EventKind.ENCOUNTER, (A, B), ("x", "y"), figures={"cpa_nm": 1.0})
    changed = opened._replace(
        figures={"cpa_nm": 0.5}, geometry={"type": "Point", "coordinates": [1, 2]}
    )
    closed = changed._replace(end=opened.start + timedelta(minutes=9), parties=("x", None))
    store.write_events([opened])
    store.write_events([changed])
    assert store.events() == [changed]
    store.write_events([closed])
    assert store.events() == [closed]
    assert store.counts()["events"] == 1


def test_of_several_states_of_one_event_in_one_write_the_last_is_kept(store: Store) -> None:
    first = event(figures={"gap_min": 1.0})
    other = event(EventKind.LOITER)
    last = first._replace(figures={"gap_min": 2.0}, end=first.start + timedelta(minutes=2))
    store.write_events([first, other, last])
    assert store.events() == [last, other]


def test_an_event_with_three_vessels_is_refused_and_nothing_is_written(store: Store) -> None:
    told: list[Commit] = []
    store.subscribe(told.append)
    with pytest.raises(ValueError, match="one vessel or two"):
        store.write(update([point()]), [event(mmsi=(A, B, C), parties=(None, None, None))])
    with pytest.raises(ValueError, match="one vessel or two"):
        store.write_events([event(mmsi=(A, B), parties=(None,))])
    assert store.counts()["points"] == 0 and store.events() == [] and told == []


def test_points_and_events_are_written_together(store: Store) -> None:
    store.write(update([point(seconds=0), point(seconds=1)]), [event()])
    assert store.counts()["points"] == 2 and store.events() == [event()]
    # Events alone, and nothing at all, are writes too.
    store.write(update(), [event(EventKind.LOITER)])
    store.write_events([])
    assert store.counts()["events"] == 2


# Filters: the store against the same filters in Python


POOL_IDS = ["a", "a-1", "a:1", "a_1", "A", "b", "é", "ab", "a 1", "z"]
POOL_MMSI = [A, B, C, (1 << 30) - 1]
# Party ids that a LIKE or a substring match would confuse: an exact match tells them apart.
POOL_PARTIES = ["navy", "nav", "Navy", "a%b", "a_b", "coast guard"]
GRID = [T0 + timedelta(minutes=k) for k in range(6)]
finite = st.floats(allow_nan=False, allow_infinity=False)
figure_values = st.one_of(st.none(), finite, st.integers(-(2**53), 2**53), st.text(max_size=8))


@st.composite
def events(draw: st.DrawFn) -> Event:
    vessels = tuple(draw(st.lists(st.sampled_from(POOL_MMSI), min_size=1, max_size=2)))
    start = draw(st.sampled_from(GRID))
    lasting = draw(st.none() | st.sampled_from([0, 1, 2.5, 4]))
    return Event(
        id=draw(st.sampled_from(POOL_IDS)),
        kind=draw(st.sampled_from(EventKind)),
        mmsi=vessels,
        parties=tuple(draw(st.none() | st.sampled_from(POOL_PARTIES)) for _ in vessels),
        start=start,
        end=None if lasting is None else start + timedelta(minutes=lasting),
        geometry=draw(
            st.none()
            | st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]}, finite, finite)
        ),
        figures=draw(st.dictionaries(st.sampled_from(["a", "b_min", "zone"]), figure_values)),
    )


moments = (
    st.none()
    | st.sampled_from(GRID)
    | st.sampled_from(GRID).map(lambda t: t + timedelta(seconds=30))
)
filters = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(EventKind) | st.sampled_from([k.value for k in EventKind]),
        "start": moments,
        "end": moments,
        "mmsi": st.sampled_from(POOL_MMSI),
        "parties": st.lists(st.sampled_from(POOL_PARTIES), max_size=3),
        "open_only": st.booleans(),
        "limit": st.integers(1, 6),
    },
)


def expected(
    stored: Collection[Event],
    kind: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    mmsi: int | None = None,
    parties: Collection[str] | None = None,
    open_only: bool = False,
    limit: int | None = None,
) -> list[Event]:
    found = sorted(
        (
            e
            for e in stored
            if (kind is None or e.kind == kind)
            and (end is None or e.start <= end)
            and (start is None or e.end is None or e.end >= start)
            and (mmsi is None or mmsi in e.mmsi)
            and (parties is None or any(p in parties for p in e.parties if p is not None))
            and (not open_only or e.end is None)
        ),
        key=lambda e: (e.start, e.id),
    )
    return found[:limit] if limit is not None else found


def test_filters_keep_what_the_same_filters_in_python_keep(store: Store) -> None:
    model: dict[str, Event] = {}

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(events(), max_size=6), st.lists(filters, min_size=1, max_size=4))
    def check(written: list[Event], queries: list[dict[str, Any]]) -> None:
        store.write_events(written)
        model.update((e.id, e) for e in written)
        for query in queries:
            assert store.events(**query) == expected(model.values(), **query), query
        assert store.events() == expected(model.values())
        assert store.counts()["events"] == len(model)

    check()


def test_time_overlap_includes_both_edges_and_open_events_last_on(store: Store) -> None:
    closed = event(minutes=10, lasting=5)  # 10 to 15
    still_open = event(EventKind.LOITER, minutes=20)
    store.write_events([closed, still_open])

    def between(start: float | None, end: float | None) -> list[Event]:
        at = [None if m is None else T0 + timedelta(minutes=m) for m in (start, end)]
        return store.events(start=at[0], end=at[1])

    assert between(15, 16) == [closed]  # it ended as the window starts
    assert between(0, 10) == [closed]  # it starts as the window ends
    assert between(15.001, 19.999) == []
    assert between(10_000, None) == [still_open]  # open: it lasts on
    assert between(None, 19.999) == [closed]
    assert between(20, 20) == [still_open]
    assert store.events(open_only=True) == [still_open]


def test_parties_match_exactly_and_none_means_no_filter(store: Store) -> None:
    navy = event(EventKind.ENCOUNTER, (A, B), (None, "navy"))
    nav = event(EventKind.ZONE, (A,), ("nav",), minutes=1)
    wild = event(EventKind.GAP, (C,), ("a%b",), minutes=2)
    neutral = event(EventKind.LOITER, (B,), (None,), minutes=3)
    store.write_events([navy, nav, wild, neutral])
    assert store.events(parties=["navy"]) == [navy]
    assert store.events(parties={"nav"}) == [nav]
    assert store.events(parties=["Navy", "na", "a_b", "a%"]) == []
    assert store.events(parties=["a%b", "navy"]) == [navy, wild]
    assert store.events(parties=[]) == []
    assert store.events(parties=None) == [navy, nav, wild, neutral]
    assert store.events(mmsi=B) == [navy, neutral]
    assert store.events(mmsi=B, parties=["navy"], kind="encounter") == [navy]


def test_bad_filters_are_refused(store: Store) -> None:
    with pytest.raises(InputError, match="no event kind 'collision'"):
        store.events(kind="collision")
    with pytest.raises(InputError, match="at least 1"):
        store.events(limit=0)


# Subscribers


def test_subscribers_hear_of_events_once_they_are_committed(store: Store) -> None:
    told: list[tuple[Commit, list[Event], int]] = []

    def listen(commit: Commit) -> None:
        # What a reader on another connection sees now: committed data only.
        told.append((commit, store.events(), store.counts()["points"]))

    store.subscribe(listen)
    twice = [event(figures={"gap_min": 1.0}), event(EventKind.LOITER), event()]
    kind = static(ship_type=70)
    store.write(update([point()], statics=[kind]), twice)
    assert told == [(Commit([point()], [kind], twice), [event(), event(EventKind.LOITER)], 1)]


def test_a_failed_write_tells_no_one_and_keeps_nothing(store: Store) -> None:
    told: list[Commit] = []
    store.subscribe(told.append)
    bad = point(seconds=1)._replace(lat=None)  # aside.lat is NOT NULL: the transaction fails
    with pytest.raises(ShadeError, match="cannot be written"):
        # The points are written first, then the point kept aside fails.
        store.write(update([point(seconds=0)], [(bad, AsideReason.INLAND)]), [event()])
    assert told == []
    assert store.events() == [] and store.counts()["points"] == 0
    assert store.vessels_at() == [] and store.track(366000001) == []
    # A history point without a position is refused before anything is written.
    with pytest.raises(ValueError, match="must have a position"):
        store.write(update([point(seconds=0), bad]), [event()])
    assert told == [] and store.counts()["points"] == 0
    store.write_events([event()])
    assert told == [Commit([], [], [event()])]


def test_writes_of_nothing_tell_no_one(store: Store) -> None:
    told: list[Commit] = []
    store.subscribe(told.append)
    store.write(update([]))
    store.write_events([])
    assert told == []


def test_a_failing_subscriber_spoils_neither_the_write_nor_the_others(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    told: list[Commit] = []

    def broken(commit: Commit) -> None:
        commit.events.clear()  # its lists are its own: the next subscriber gets them all
        raise RuntimeError("the socket went away")

    store.subscribe(broken)
    store.subscribe(told.append)
    with caplog.at_level(logging.ERROR, logger="shade.store.store"):
        store.write_events([event()])
    assert told == [Commit([], [], [event()])] and store.events() == [event()]
    [record] = caplog.records
    assert "subscriber failed" in record.getMessage() and record.exc_info is not None
    assert "the socket went away" in caplog.text


def test_unsubscribing(store: Store) -> None:
    told: list[list[Event]] = []

    def listen(commit: Commit) -> None:
        told.append(commit.events)

    first = store.subscribe(listen)
    second = store.subscribe(listen)  # the same callback twice: called twice
    store.write_events([event()])
    first()
    first()  # again: nothing more
    store.write_events([event(EventKind.LOITER)])
    second()
    store.write_events([event(EventKind.ZONE)])
    assert told == [[event()], [event()], [event(EventKind.LOITER)]]


def test_subscribers_may_come_and_go_while_being_told(store: Store) -> None:
    told: list[str] = []
    later: list[Any] = []

    def once(commit: Commit) -> None:
        told.append("once")
        unsubscribe_once()
        later.append(store.subscribe(lambda commit: told.append("later")))

    unsubscribe_once = store.subscribe(once)
    store.subscribe(lambda commit: told.append("always"))
    store.write_events([event()])
    assert told == ["once", "always"]  # who is told is settled when the telling starts
    store.write_events([event()])
    assert told == ["once", "always", "always", "later"]


def test_subscribing_from_many_threads(store: Store) -> None:
    told: list[int] = []
    kept: list[Any] = []
    start = threading.Barrier(8)

    def churn(n: int) -> None:
        start.wait()
        for _ in range(200):
            store.subscribe(lambda events: None)()
        kept.append(store.subscribe(lambda commit: told.append(n)))

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for _ in range(20):
        store.write_events([event()])  # telling while others subscribe and unsubscribe
    for thread in threads:
        thread.join()
    told.clear()
    store.write_events([event()])
    assert sorted(told) == list(range(8))


# History in pages


GRID_SECONDS = [0, 0.5, 1, 60, 3600]
history_points = st.builds(
    lambda mmsi, seconds, lat: point(mmsi, seconds, lat=lat),
    st.sampled_from([A, B, C]),
    st.sampled_from(GRID_SECONDS),
    st.floats(-90, 90),
)
bounds = st.none() | st.sampled_from(GRID_SECONDS).map(lambda s: T0 + timedelta(seconds=s))


def test_history_comes_in_pages_in_time_order(store: Store) -> None:
    written: list[Point] = []

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(history_points, max_size=15), st.integers(1, 8), bounds, bounds)
    def check(batch: list[Point], chunk: int, start: datetime | None, end: datetime | None) -> None:
        store.write(Update(batch, [], []))
        written.extend(batch)
        pages = list(store.points_between(start, end, chunk))
        # Ties in time keep the order they were written in, as ids do.
        wanted = sorted(
            (
                p
                for p in written
                if (start is None or p.at >= start) and (end is None or p.at <= end)
            ),
            key=lambda p: p.at,
        )
        assert [p for page in pages for p in page] == wanted
        assert store.count_points(start, end) == len(wanted)
        assert all(len(page) == chunk for page in pages[:-1])
        assert all(0 < len(page) <= chunk for page in pages)

    check()


def test_history_pages_across_a_boundary_inside_a_tie(store: Store) -> None:
    tied = [point(m, seconds=5) for m in (C, A, B, A, C)]
    store.write(update([point(A, seconds=9), *tied[:3]]))
    store.write(update([*tied[3:], point(B, seconds=0)]))
    pages = list(store.points_between(chunk=2))
    assert pages == [[point(B, seconds=0), tied[0]], tied[1:3], tied[3:], [point(A, seconds=9)]]
    assert list(store.points_between(chunk=7)) == [[point(B, seconds=0), *tied, point(A, 9)]]
    assert list(store.points_between(T0 + timedelta(seconds=10))) == []
    with pytest.raises(InputError):
        next(store.points_between(chunk=0))


def test_writes_between_pages_are_met_if_they_come_later(store: Store) -> None:
    store.write(update([point(A, seconds=s) for s in (0, 1, 2)]))
    pages = store.points_between(chunk=2)
    assert next(pages) == [point(A, seconds=0), point(A, seconds=1)]
    store.write(update([point(B, seconds=0.5), point(B, seconds=3)]))  # before, after
    assert list(pages) == [[point(A, seconds=2), point(B, seconds=3)]]


def test_ship_types(store: Store) -> None:
    store.write(
        update(
            [point(C)],
            statics=[static(A, ship_type=70), static(B, shipname="NO TYPE"), static(A, imo=1)],
        )
    )
    assert store.ship_types() == {A: 70}


# Migrations


def test_a_v0001_database_with_data_is_upgraded(store_url: str) -> None:
    engine = engines.create(engines.resolve_url(store_url))
    try:
        engines.upgrade(engine, "0001")
        with engine.begin() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
                ("0001",)
            ]
            rows = [point(A, s)._asdict() for s in (0, 1)]
            connection.execute(insert(OLD_POSITIONS), rows)
            connection.execute(insert(vessels), [{**rows[1], "ship_type": 60}])
    finally:
        engine.dispose()
    with Store.open(store_url) as store:
        with store.engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        assert [tuple(v) for v in version] == [(HEAD,)]
        assert store.track(A) == [point(A, 0), point(A, 1)]
        assert store.ship_types() == {A: 60}
        assert store.counts()["events"] == 0
        store.write(update([point(A, 2)]), EVERY_KIND)
        assert store.events() == EVERY_KIND
        assert [p for page in store.points_between() for p in page] == store.track(A)
