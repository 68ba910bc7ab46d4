"""Random updates, written and read back: against a model in Python, and SQLite against
PostgreSQL (when a server is configured: ``SHADE_TEST_POSTGRES_URL``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shade.config import Settings
from shade.store import Store
from shade.tracks.model import STATIC_FIELDS, Aside, AsideReason, Point, Static, Update, Vessel
from shade.tracks.picture import merge_update
from tests.conftest import postgres_database, postgres_server

MMSIS = [1, 2, 366000001, (1 << 30) - 1]
# A few fixed times, so that ties and the age limit's edge come up often.
T0 = datetime(2022, 1, 3, tzinfo=UTC)
FIXED = [T0, T0 + timedelta(microseconds=1), T0 + timedelta(minutes=60), T0 + timedelta(hours=2)]
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
# Text as AIS carries it (six-bit characters), in either case to exercise case-insensitive
# search: SQLite folds ASCII case only, PostgreSQL all of Unicode.
AIS_TEXT = st.text(
    alphabet=" !\"#$%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz[\\]^_",
    max_size=20,
)

times = st.one_of(
    st.sampled_from(FIXED),
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from(ZONES),
    ),
)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


points = st.builds(
    Point,
    mmsi=st.sampled_from(MMSIS),
    at=times,
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    speed=optional(st.floats(0, 102.2)),
    course=optional(st.floats(0, 359.9)),
    heading=optional(st.integers(0, 359)),
    status=optional(st.integers(0, 15)),
    msg_type=st.sampled_from([1, 2, 3, 18, 19, 27]),
    source=optional(st.text(max_size=10).filter(lambda s: "\x00" not in s)),
)
STATIC_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "shipname": AIS_TEXT,
    "callsign": AIS_TEXT,
    "imo": st.integers(0, (1 << 30) - 1),
    "ship_type": st.integers(0, 255),
    "to_bow": st.integers(0, 511),
    "to_stern": st.integers(0, 511),
    "to_port": st.integers(0, 63),
    "to_starboard": st.integers(0, 63),
    "destination": AIS_TEXT,
    "eta": times,
    "draught": st.floats(0, 25.5),
}
statics = st.builds(
    Static,
    mmsi=st.sampled_from(MMSIS),
    at=times,
    fields=st.fixed_dictionaries({}, optional=STATIC_VALUES),
)
updates = st.builds(
    Update,
    points=st.lists(points, max_size=12),
    aside=st.lists(st.builds(Aside, points, st.sampled_from(list(AsideReason))), max_size=4),
    statics=st.lists(statics, max_size=6),
)
batches = st.lists(updates, min_size=1, max_size=3)
AGE = timedelta(minutes=Settings().picture_max_age_minutes)


def clear(store: Store) -> None:
    with store.engine.begin() as connection:
        # Sources stay: the store remembers their ids.
        for table in ("segments", "aside", "vessels"):
            connection.exec_driver_sql(f"DELETE FROM {table}")


def write(store: Store, written: list[Update]) -> None:
    clear(store)
    for one in written:
        store.write(one)


def expected_vessel(mmsi: int, written: list[Update], until: datetime | None) -> Vessel | None:
    """The model: the latest point by time (ties: the later write), fields last one wins."""
    latest: Point | None = None
    fields: dict[str, Any] = {}
    seen = False
    for one in written:
        for point in one.points:
            if point.mmsi == mmsi and (until is None or point.at <= until):
                seen = True
                if latest is None or point.at >= latest.at:
                    latest = point
        for static in one.statics:
            if static.mmsi == mmsi:
                seen = True
                fields.update(static.fields)
    if not seen:
        return None
    position = (None,) * 7 if latest is None else tuple(latest[1:8])
    return Vessel(mmsi, *position, *(fields.get(name) for name in STATIC_FIELDS))


def expected_picture(written: list[Update], when: datetime) -> list[Vessel]:
    found = []
    for mmsi in MMSIS:
        vessel = expected_vessel(mmsi, written, when)
        if vessel is not None and vessel.at is not None and vessel.at >= when - AGE:
            found.append(vessel)
    return found


def snapshot(store: Store, written: list[Update]) -> dict[str, Any]:
    """Everything the read side tells about what was written."""
    probes = FIXED + [p.at for one in written for p in one.points][:3]
    names = [v for one in written for s in one.statics for v in s.fields.values()]
    texts = [t.strip()[:3] for t in names if isinstance(t, str) and t.strip()][:3]
    return {
        "tracks": {m: store.track(m) for m in MMSIS},
        "aside": {m: store.aside(m) for m in MMSIS},
        "vessels": {m: store.vessel(m) for m in MMSIS},
        "pictures": {t: store.vessels_at(t) for t in probes},
        "boxed": store.vessels_at(FIXED[2], bbox=(-90, -45, 90, 45)),
        "latest": store.vessels_at(),
        "search": {t: store.search(t) for t in [*texts, "1", "366000001"]},
        "counts": store.counts(),
    }


@pytest.fixture
def store(store_url: str) -> Any:
    with Store.open(store_url) as store:
        yield store


def test_what_is_written_is_read_back(store: Store) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(batches)
    def check(written: list[Update]) -> None:
        write(store, written)
        every = [p for one in written for p in one.points]
        for mmsi in MMSIS:
            # Stable sort: points of the same time stay in the order they were written.
            assert store.track(mmsi) == sorted(
                (p for p in every if p.mmsi == mmsi), key=lambda p: p.at
            )
            aside = [a for one in written for a in one.aside if a.point.mmsi == mmsi]
            assert store.aside(mmsi) == sorted(aside, key=lambda a: a.point.at)
            assert store.vessel(mmsi) == expected_vessel(mmsi, written, None)
        # The tracks' own merge rules (shade.tracks.picture) give the same vessels.
        merged: dict[int, Vessel] = {}
        for one in written:
            merged.update(merge_update(merged, one))
        assert {m: store.vessel(m) for m in merged} == merged
        for when in FIXED + [p.at for p in every[:3]]:
            assert store.vessels_at(when) == expected_picture(written, when)
        back = [p.at for m in MMSIS for p in store.track(m)]
        assert all(at.tzinfo is UTC for at in back)
        counts = store.counts()
        assert counts["points"] == len(every)
        assert counts["aside"] == sum(len(one.aside) for one in written)

    check()


def test_text_in_any_script_comes_back(store: Store) -> None:
    names = ["ÆGIR", "北京 1", "ΩMEGA 😀", "tab\there", "  spaces  "]
    store.write(
        Update(
            [],
            [],
            [Static(i + 1, T0, {"shipname": n, "destination": n}) for i, n in enumerate(names)],
        )
    )
    assert [store.vessel(i + 1).shipname for i in range(len(names))] == names  # type: ignore[union-attr]


@pytest.mark.skipif(
    postgres_server() is None, reason="no PostgreSQL server: set SHADE_TEST_POSTGRES_URL"
)
def test_sqlite_and_postgresql_answer_alike(tmp_path: Path) -> None:
    server = postgres_server()
    assert server is not None
    with (
        postgres_database(server) as url,
        Store.open(url) as postgres,
        Store.open(str(tmp_path / "lite.db")) as lite,
    ):

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(batches)
        def check(written: list[Update]) -> None:
            write(lite, written)
            write(postgres, written)
            assert snapshot(lite, written) == snapshot(postgres, written)

        check()
