"""The tracker over every recorded capture: what it makes of real traffic.

Each capture is fed as the pipeline would (see ``captures``): messages with their own time
when they have one, else the capture's GNSS clock.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
import pytest

from shade.ais import Decoded
from shade.config import Settings
from shade.tracks.land import land_mask
from shade.tracks.model import Point, Update, Vessel
from shade.tracks.picture import merge_update
from shade.tracks.static import static_of
from shade.tracks.tracker import POSITION_TYPES, Tracker
from tests.conftest import AIS_NMEA, nmea_files
from tests.tracks.captures import timed_messages

CAPTURES = [p.name for p in nmea_files()]


@cache
def messages(name: str) -> list[tuple[Decoded, datetime]]:
    return timed_messages(AIS_NMEA / name)


@cache
def tracked(
    name: str, batch_size: int = 5000, settings: Settings | None = None
) -> tuple[Tracker, Update]:
    """The whole capture through one tracker in batches; the batches' updates joined."""
    items = messages(name)
    tracker = Tracker(settings)
    whole = Update([], [], [])
    for start in range(0, len(items), batch_size):
        update = tracker.add(items[start : start + batch_size])
        whole.points.extend(update.points)
        whole.aside.extend(update.aside)
        whole.statics.extend(update.statics)
    return tracker, whole


def key(report: Point) -> tuple[object, ...]:
    return (report.mmsi, report.at, report.lat, report.lon, report.msg_type)


@pytest.mark.parametrize("name", CAPTURES)
def test_every_position_report_becomes_a_point_or_an_aside(name: str) -> None:
    tracker, update = tracked(name)
    stats = tracker.stats
    reports: list[tuple[Any, datetime]] = [
        (d.message, at) for d, at in messages(name) if d.message.msg_type in POSITION_TYPES
    ]
    with_position = Counter(
        (m.mmsi, at, m.lat, m.lon, m.msg_type)
        for m, at in reports
        if m.lat is not None and m.lon is not None and abs(m.lat) <= 90 and abs(m.lon) <= 180
    )
    assert stats.positions == len(reports)
    assert stats.positions == stats.no_position + stats.points + sum(stats.aside.values())
    assert stats.no_position == len(reports) - with_position.total()
    assert stats.points == len(update.points)
    assert Counter(a.reason for a in update.aside) == stats.aside
    assert (
        Counter(map(key, update.points)) + Counter(key(a.point) for a in update.aside)
        == with_position
    )


@pytest.mark.parametrize("name", CAPTURES)
def test_no_accepted_point_is_older_than_the_vessels_point_before_it(name: str) -> None:
    tracker, update = tracked(name)
    last: dict[int, datetime] = {}
    older = 0
    for point in update.points:
        if point.mmsi in last and point.at < last[point.mmsi]:
            older += 1
        last[point.mmsi] = point.at
    # Only a re-anchoring may go back in time.
    assert older <= tracker.stats.reanchored


@pytest.mark.parametrize("name", CAPTURES)
def test_batch_size_changes_nothing(name: str) -> None:
    _, whole = tracked(name)
    for size in (1, 97) if len(messages(name)) < 5000 else (97,):
        _, cut = tracked(name, size)
        assert cut == whole


@pytest.mark.parametrize("name", CAPTURES)
def test_static_data_as_the_messages_carried_it(name: str) -> None:
    tracker, update = tracked(name)
    expected = [s for d, at in messages(name) if (s := static_of(d.message, at)) is not None]
    assert update.statics == expected
    assert tracker.stats.statics == len(expected)


def picture(name: str) -> dict[int, Vessel]:
    _, update = tracked(name)
    return merge_update({}, update)


@pytest.mark.parametrize("name", ["amsa_ais.txt.gz", "gpsd_ais-nmea.log", "nca_norwegian.raw"])
def test_names_and_call_signs_merge_from_types_5_19_and_24(name: str) -> None:
    # Told apart from the tracker: the last name and call sign each vessel sent.
    names: dict[int, str] = {}
    callsigns: dict[int, str] = {}
    for decoded, _ in messages(name):
        m: Any = decoded.message
        if m.msg_type in (5, 19, 24):
            if getattr(m, "shipname", None):
                names[m.mmsi] = m.shipname
            if getattr(m, "callsign", None):
                callsigns[m.mmsi] = m.callsign
    vessels = picture(name)
    assert names and {mmsi: vessels[mmsi].shipname for mmsi in names} == names
    assert {mmsi: vessels[mmsi].callsign for mmsi in callsigns} == callsigns


def test_class_b_vessels_get_name_from_part_a_and_call_sign_from_part_b() -> None:
    vessels = picture("gpsd_ais-nmea.log")
    libertas = vessels[211736530]
    assert (libertas.shipname, libertas.callsign, libertas.ship_type) == ("LIBERTAS", "DK7547", 37)
    assert (libertas.to_bow, libertas.to_stern, libertas.to_port, libertas.to_starboard) == (
        8,
        3,
        3,
        1,
    )
    assert libertas.lat is not None  # and it has a position from its type 18 reports
    andromeda = picture("amsa_ais.txt.gz")[503605600]
    assert (andromeda.shipname, andromeda.callsign) == ("ANDROMEDA 111", "VK4112")
    assert andromeda.to_stern == 0  # one 0 among the dimensions is real


def test_the_norwegian_feed_is_all_accepted() -> None:
    # Tag-block times from one network, five seconds of traffic along the coast of Norway.
    tracker, update = tracked("nca_norwegian.raw")
    assert update.aside == [] and tracker.stats.points == 146


def test_the_amsa_capture_keeps_nearly_everything() -> None:
    tracker, _ = tracked("amsa_ais.txt.gz")
    stats = tracker.stats
    judged = stats.points + sum(stats.aside.values())
    assert judged > 25_000
    assert stats.points > 0.99 * judged
    assert stats.aside["impossible_speed"] < 0.001 * judged
    assert tracker.vessels > 1400
    assert stats.aside["inland"] == 0  # the default radius spares river traffic
    # With a small radius, the river ships of the capture go aside, all of them on land.
    _, strict = tracked("amsa_ais.txt.gz", settings=Settings(track_inland_km=20))
    inland = [a.point for a in strict.aside if a.reason == "inland"]
    lat, lon = np.array([p.lat for p in inland]), np.array([p.lon for p in inland])
    assert inland and land_mask().is_land(lat, lon).all()


def test_reports_from_base_stations_aircraft_and_aids_to_navigation_are_not_points() -> None:
    for name in CAPTURES:
        _, update = tracked(name)
        assert {p.msg_type for p in update.points} <= set(POSITION_TYPES)
