"""Merging points and static data into the vessels of the picture."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shade.tracks.model import Point, Static, Update, Vessel
from shade.tracks.picture import merge, merge_update, touched
from tests.tracks.build import T0

MMSI = 244000001


def point(minutes: float, lat: float = 52.0, mmsi: int = MMSI) -> Point:
    return Point(mmsi, T0 + timedelta(minutes=minutes), lat, 4.0, 10.0, 90.0, 91, 0, 1, "station")


def test_a_new_vessel_from_a_point() -> None:
    vessel = merge(None, point(0))
    assert vessel.mmsi == MMSI
    assert (vessel.at, vessel.lat, vessel.lon, vessel.speed, vessel.course) == (
        T0,
        52.0,
        4.0,
        10.0,
        90.0,
    )
    assert (vessel.heading, vessel.status, vessel.shipname, vessel.eta) == (91, 0, None, None)


def test_a_new_vessel_from_static_data_has_no_position() -> None:
    vessel = merge(None, static=Static(MMSI, T0, {"shipname": "ALPHA"}))
    assert vessel.shipname == "ALPHA" and vessel.at is None and vessel.lat is None


def test_the_latest_point_by_time_wins() -> None:
    vessel = merge(None, point(10, lat=52.1))
    assert merge(vessel, point(5, lat=52.0)) == vessel  # older: no change
    assert merge(vessel, point(10, lat=52.2)).lat == 52.2  # same time: the newer message
    assert merge(vessel, point(11, lat=52.3)).lat == 52.3


def test_static_fields_overwrite_field_by_field() -> None:
    vessel = merge(None, point(0), Static(MMSI, T0, {"shipname": "ALPHA", "callsign": "AB12"}))
    vessel = merge(vessel, static=Static(MMSI, T0, {"shipname": "ALPHA II", "ship_type": 30}))
    assert (vessel.shipname, vessel.callsign, vessel.ship_type) == ("ALPHA II", "AB12", 30)
    assert vessel.at == T0  # the position stays


def test_merge_refuses_data_of_another_vessel_and_nothing_at_all() -> None:
    with pytest.raises(ValueError, match="MMSI"):
        merge(merge(None, point(0)), point(1, mmsi=MMSI + 1))
    with pytest.raises(ValueError):
        merge(None)


def test_merge_update_gives_the_rows_that_change() -> None:
    known = {MMSI: merge(None, point(10))}
    other = MMSI + 1
    update = Update(
        points=[point(5), point(0, mmsi=other), point(3, mmsi=other)],
        aside=[],
        statics=[Static(other, T0, {"shipname": "BRAVO"})],
    )
    assert touched(update) == {MMSI, other}
    rows = merge_update(known, update)
    assert set(rows) == {other}  # MMSI's point is older than its row: unchanged
    assert rows[other].at == T0 + timedelta(minutes=3)
    assert rows[other].shipname == "BRAVO"


@given(order=st.permutations(range(6)))
def test_the_picture_does_not_depend_on_the_order_points_come_in(order: list[int]) -> None:
    points = [point(minutes, lat=50.0 + minutes) for minutes in range(6)]
    vessel: Vessel | None = None
    for k in order:
        vessel = merge(vessel, points[k])
    assert vessel is not None and vessel.lat == 55.0
