"""One vessel's track, its kept-aside points, and search by name, call sign, MMSI or IMO."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shade.errors import InputError
from shade.store import Store
from shade.tracks.model import AsideReason
from tests.store.make import at, point, static, update


def test_track_is_in_time_order_whatever_the_order_of_writes(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update([point(seconds=30), point(seconds=10), point(2, 15)]))
        store.write(update([point(seconds=20), point(seconds=0)]))
        track = store.track(366000001)
        assert store.track(2) == [point(2, 15)]
        assert store.track(999) == []
    assert [p.at for p in track] == [at(0), at(10), at(20), at(30)]


def test_points_of_the_same_time_stay_in_write_order(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update([point(seconds=5, lat=1.0), point(seconds=5, lat=2.0)]))
        store.write(update([point(seconds=5, lat=3.0)]))
        assert [p.lat for p in store.track(366000001)] == [1.0, 2.0, 3.0]


def test_track_window_is_inclusive(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update([point(seconds=s) for s in range(0, 50, 10)]))
        seconds = [
            [(p.at - at(0)).seconds for p in store.track(366000001, start, end)]
            for start, end in [
                (at(10), at(30)),
                (at(10.000001), at(29.999999)),
                (at(25), None),
                (None, at(15)),
                (at(100), None),
            ]
        ]
    assert seconds == [[10, 20, 30], [20], [30, 40], [0, 10], []]


def test_aside_window(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update(aside=[(point(seconds=s), AsideReason.INLAND) for s in (30, 10, 20)]))
        assert [a.point.at for a in store.aside(366000001, at(15))] == [at(20), at(30)]


@pytest.fixture
def fleet(store_url: str) -> Iterator[Store]:
    store = Store.open(store_url)
    store.write(
        update(
            [point(111000001, 0), point(222000002, 0)],
            statics=[
                static(111000001, shipname="EVER GIVEN", callsign="H3RC", imo=9811000),
                static(222000002, shipname="GIVENCHY 100%", callsign="ABC_1"),
                static(333000003, shipname="NEVER AGAIN", callsign="EVE9", imo=111000001),
                static(444000004, callsign="ZZ9"),
            ],
        )
    )
    yield store
    store.close()


def names(found: list) -> list[tuple[int, str | None]]:  # type: ignore[type-arg]
    return [(v.mmsi, v.shipname) for v in found]


def test_search_by_name_any_case(fleet: Store) -> None:
    assert names(fleet.search("given")) == [(111000001, "EVER GIVEN"), (222000002, "GIVENCHY 100%")]
    assert names(fleet.search("  Ever ")) == [(111000001, "EVER GIVEN"), (333000003, "NEVER AGAIN")]


def test_search_by_call_sign(fleet: Store) -> None:
    assert names(fleet.search("zz9")) == [(444000004, None)]
    assert names(fleet.search("eve9")) == [(333000003, "NEVER AGAIN")]


def test_search_by_number_puts_exact_mmsi_and_imo_first(fleet: Store) -> None:
    # 111000001 is one vessel's MMSI and another's IMO; "100" is only part of a name.
    assert names(fleet.search("111000001")) == [
        (111000001, "EVER GIVEN"),
        (333000003, "NEVER AGAIN"),
    ]
    assert names(fleet.search("9811000")) == [(111000001, "EVER GIVEN")]
    assert names(fleet.search("100")) == [(222000002, "GIVENCHY 100%")]
    assert fleet.search("99999999999999") == []


def test_search_wildcards_are_plain_characters(fleet: Store) -> None:
    assert names(fleet.search("%")) == [(222000002, "GIVENCHY 100%")]
    assert names(fleet.search("_")) == [(222000002, "GIVENCHY 100%")]


def test_search_limit_and_vessel_fields(fleet: Store) -> None:
    assert len(fleet.search("e", limit=2)) == 2
    found = fleet.search("EVER GIVEN")[0]
    assert (found.at, found.lat, found.imo) == (at(0), 12.5, 9811000)
    assert fleet.search("NEVER AGAIN")[0].at is None  # no position yet


@pytest.mark.parametrize(("text", "limit"), [("", 50), ("   ", 50), ("x", 0)])
def test_search_refuses_empty_text_and_limits(fleet: Store, text: str, limit: int) -> None:
    with pytest.raises(InputError):
        fleet.search(text, limit)
