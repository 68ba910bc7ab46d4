"""The picture at a time: latest point at or before T, the age limit, bbox and polygon."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from shapely.geometry import MultiPolygon, Polygon

from shade.config import Settings
from shade.errors import InputError
from shade.store import Store
from tests.store.make import at, point, static, update

AGE = Settings().picture_max_age_minutes * 60  # seconds


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store.open(store_url)
    store.write(
        update(
            [
                # A: moves north, seen at 0, 100, 200 s.
                point(1, 0, lat=10.0, lon=40.0),
                point(1, 100, lat=11.0, lon=40.0),
                point(1, 200, lat=12.0, lon=40.0),
                # B: seen once, at 50 s, near the antimeridian.
                point(2, 50, lat=-20.0, lon=179.5),
                # C: seen at 0 s, then not again until long after.
                point(3, 0, lat=30.0, lon=-70.0),
                point(3, 200 + 2 * AGE, lat=31.0, lon=-70.0),
            ],
            statics=[static(1, shipname="ALPHA"), static(3, shipname="CHARLIE")],
        )
    )
    yield store
    store.close()


def mmsis_at(store: Store, seconds: float | None, **where: object) -> list[int]:
    when = None if seconds is None else at(seconds)
    return [v.mmsi for v in store.vessels_at(when, **where)]  # type: ignore[arg-type]


def test_each_vessel_at_its_latest_point_at_or_before_t(store: Store) -> None:
    picture = {v.mmsi: v for v in store.vessels_at(at(150))}
    assert sorted(picture) == [1, 2, 3]
    assert (picture[1].at, picture[1].lat, picture[1].shipname) == (at(100), 11.0, "ALPHA")
    assert (picture[2].at, picture[2].lon) == (at(50), 179.5)
    # C moved on after T: its point at or before T is found in the history.
    assert (picture[3].at, picture[3].lat, picture[3].shipname) == (at(0), 30.0, "CHARLIE")
    assert store.vessels_at(at(100))[0].lat == 11.0  # exactly at T counts


def test_vessels_are_ordered_by_mmsi(store: Store) -> None:
    assert mmsis_at(store, 200) == [1, 2, 3]


def test_nothing_before_the_first_point(store: Store) -> None:
    assert store.vessels_at(at(0) - timedelta(microseconds=1)) == []


def test_the_age_limit(store: Store) -> None:
    # C's point at 0 s is exactly the maximum age old at AGE s: still shown.
    assert mmsis_at(store, AGE) == [1, 2, 3]
    assert mmsis_at(store, AGE + 0.000001) == [1, 2]
    assert mmsis_at(store, 200 + AGE) == [1]
    assert mmsis_at(store, 200 + AGE + 1) == []


def test_the_age_limit_comes_from_the_settings(store_url: str) -> None:
    with Store.open(store_url, Settings(picture_max_age_minutes=1)) as store:
        store.write(update([point(1, 0), point(2, 100)]))
        assert mmsis_at(store, 100) == [2]
        assert mmsis_at(store, 60) == [1]


def test_no_time_means_the_newest_time_in_the_store(store: Store) -> None:
    # The newest point is C's late one: A and B are too old by then.
    assert store.latest_time() == at(200 + 2 * AGE)
    assert [(v.mmsi, v.lat) for v in store.vessels_at()] == [(3, 31.0)]


def test_an_empty_store_has_an_empty_picture(store_url: str) -> None:
    with Store.open(store_url) as store:
        assert store.vessels_at() == [] and store.vessels_at(at(0)) == []
        store.write(update(statics=[static(shipname="NO POSITION YET")]))
        assert store.vessels_at() == []


def test_bbox(store: Store) -> None:
    assert mmsis_at(store, 150, bbox=(39.0, 10.5, 41.0, 11.5)) == [1]
    assert mmsis_at(store, 150, bbox=(39.0, 11.5, 41.0, 12.5)) == []  # A was at 11.0 then
    assert mmsis_at(store, 200, bbox=(39.0, 11.5, 41.0, 12.5)) == [1]
    assert mmsis_at(store, 150, bbox=(-71.0, 29.0, -69.0, 30.0)) == [3]  # edges are in
    assert mmsis_at(store, 150, bbox=(-180, -90, 180, 90)) == [1, 2, 3]


def test_bbox_across_the_antimeridian(store: Store) -> None:
    assert mmsis_at(store, 150, bbox=(170.0, -30.0, -170.0, 0.0)) == [2]
    assert mmsis_at(store, 150, bbox=(179.6, -30.0, -170.0, 0.0)) == []


@pytest.mark.parametrize(
    "bbox",
    [(0, 10, 1, 5), (-181, 0, 0, 1), (0, -91, 1, 0), (0, 0, 190, 1)],
)
def test_a_bad_bbox_is_an_input_error(store: Store, bbox: tuple[float, ...]) -> None:
    with pytest.raises(InputError, match="bbox"):
        store.vessels_at(at(0), bbox=bbox)  # type: ignore[arg-type]


def test_polygon(store: Store) -> None:
    triangle = Polygon([(39.0, 10.5), (41.0, 10.5), (40.0, 11.5)])
    assert mmsis_at(store, 150, polygon=triangle) == [1]
    # Inside the triangle's bounds but outside the triangle.
    assert mmsis_at(store, 150, polygon=Polygon([(39.0, 10.5), (39.5, 10.5), (39.0, 11.5)])) == []
    # On the edge counts as in.
    assert mmsis_at(store, 150, polygon=Polygon([(40.0, 11.0), (41, 11), (41, 12)])) == [1]
    both = MultiPolygon([triangle, Polygon([(-71, 29), (-69, 29), (-70, 31)])])
    assert mmsis_at(store, 150, polygon=both) == [1, 3]


def test_polygon_and_bbox_together(store: Store) -> None:
    everything = Polygon([(-180, -90), (180, -90), (180, 90), (-180, 90)])
    assert mmsis_at(store, 150, polygon=everything, bbox=(-75, 0, 45, 40)) == [1, 3]
    assert mmsis_at(store, 150, polygon=everything, bbox=(100, 0, 120, 10)) == []
    assert mmsis_at(store, 150, polygon=Polygon()) == []
    # A box across the antimeridian and a polygon on one side of it.
    east_side = Polygon([(170, -30), (180, -30), (180, 0), (170, 0)])
    assert mmsis_at(store, 150, polygon=east_side, bbox=(170.0, -30.0, -170.0, 0.0)) == [2]
    assert mmsis_at(store, 150, polygon=east_side, bbox=(179.6, -30.0, -170.0, 0.0)) == []
