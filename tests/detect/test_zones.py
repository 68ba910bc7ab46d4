"""The zones file and the zone detector: the real Gulf of Aden zones, files that are wrong,
and synthetic vessels crossing, idling in and filtered out of zones."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from shade.config import Settings
from shade.detect.events import Event, EventKind, event_id
from shade.detect.roster import Roster
from shade.detect.zones import Zone, ZoneDetector, ZoneIndex, load_zones, parse_zones
from shade.errors import InputError, NotFoundError
from shade.parties import parse_parties
from shade.tracks.model import Point
from tests.conftest import SHARED_DATA
from tests.detect.feed import feed

GOA = SHARED_DATA / "zones" / "goa_io_security_zones_transcribed.geojson"
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
SQUARE = box(10.0, 10.0, 11.0, 11.0)  # lon 10..11, lat 10..11


def point(mmsi: int, minute: float, lat: float, lon: float) -> Point:
    at = T0 + timedelta(minutes=minute)
    return Point(mmsi, at, lat, lon, 10.0, 180.0, 180, 0, 1, None)


def final(events: Sequence[Sequence[Event]]) -> dict[str, Event]:
    """The newest state of each event."""
    return {event.id: event for batch in events for event in batch}


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "zones.geojson"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def feature(geometry: dict[str, Any] | None = None, **properties: Any) -> dict[str, Any]:
    if geometry is None:
        geometry = {"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [11, 11], [10, 10]]]}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


# The zones file


def test_the_gulf_of_aden_file_has_four_zones_and_five_skipped_features() -> None:
    found = load_zones(GOA)
    assert [zone.id for zone in found.zones] == [
        "irtc_westbound_lane",
        "irtc_eastbound_lane",
        "irtc_buffer_zone",
        "mspa_2008",
    ]
    assert found.skipped == (
        ("irtc_point_A", "Point"),
        ("irtc_point_B", "Point"),
        ("hra_2019_seaward_limit", "LineString"),
        ("hra_2021_positions_B_to_E", "LineString"),
        ("jwla032_indian_ocean_goa_srs", "LineString"),
    )
    assert found.summary() == "9 features: 4 zones, 5 skipped (not polygons)"
    west = found.zones[0]
    assert west.name == "IRTC westbound transit lane"
    assert west.windows == ((datetime(2009, 2, 1, 0, 1, tzinfo=UTC), None),)
    assert not west.active(datetime(2009, 2, 1, 0, 0, tzinfo=UTC))
    assert west.active(datetime(2009, 2, 1, 0, 1, tzinfo=UTC))
    assert west.geometry.bounds == pytest.approx((45.0, 11.916667, 53.0, 14.5))
    # The lanes and the buffer between them touch but do not overlap.
    lanes = {zone.id: zone.geometry for zone in found.zones}
    assert lanes["irtc_westbound_lane"].touches(lanes["irtc_buffer_zone"])
    assert lanes["irtc_eastbound_lane"].touches(lanes["irtc_buffer_zone"])
    assert found.zones[2].windows == ()  # the buffer has no effective date: always active


def test_a_single_feature_is_a_zones_file_and_ids_fall_back(tmp_path: Path) -> None:
    assert [z.id for z in load_zones(write(tmp_path, feature(name="Box"))).zones] == ["Box"]
    found = parse_zones(
        collection(
            feature(id="a"),
            {**feature(), "id": 7},
            feature(),
            {"type": "Feature", "properties": None, "geometry": None},
        )
    )
    assert [(z.id, z.name) for z in found.zones] == [("a", "a"), ("7", "7"), ("zone-3", "zone-3")]
    assert found.skipped == (("zone-4", "None"),)
    assert found.summary() == "4 features: 3 zones, 1 skipped (not polygons)"


def test_dates_and_windows_are_read_as_utc(tmp_path: Path) -> None:
    found = parse_zones(
        collection(
            feature(id="dates", effective_from="2024-01-01", effective_to="2024-01-31"),
            feature(id="offset", effective_from="2024-01-01T02:00:00+02:00"),
            feature(
                id="windows",
                windows=[["2024-01-01T06:00:00Z", "2024-01-01T18:00:00Z"], ["2024-02-01", None]],
            ),
            feature(id="until", effective_to="2024-01-01T12:00:00"),
        )
    )
    dates, offset, windows, until = found.zones
    # A date alone ends at the end of that day.
    assert dates.active(datetime(2024, 1, 31, 23, 59, tzinfo=UTC))
    assert not dates.active(datetime(2024, 2, 1, tzinfo=UTC))
    assert not dates.active(datetime(2023, 12, 31, 23, 59, tzinfo=UTC))
    assert offset.windows == ((datetime(2024, 1, 1, 0, 0, tzinfo=UTC), None),)
    assert windows.active(datetime(2024, 1, 1, 6, tzinfo=UTC))
    assert not windows.active(datetime(2024, 1, 1, 18, tzinfo=UTC))
    assert windows.active(datetime(2030, 1, 1, tzinfo=UTC))
    assert until.active(datetime(1990, 1, 1, tzinfo=UTC))
    assert not until.active(datetime(2024, 1, 1, 12, tzinfo=UTC))


BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
WIDE = {"type": "Polygon", "coordinates": [[[-170, 0], [170, 0], [170, 1], [-170, 0]]]}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ({"type": "Polygon", "coordinates": []}, "not GeoJSON"),
        ([1, 2], "not GeoJSON"),
        (collection(feature(BOWTIE, id="bow")), "feature #1 ('bow'): invalid polygon: Self-"),
        (collection(feature(WIDE, id="w")), "feature #1 ('w'): the polygon spans more than 180"),
        (
            collection(feature(id="x", effective_from="1st of May")),
            "feature #1 ('x'): 'effective_from': '1st of May' is not an ISO 8601",
        ),
        (
            collection(feature(id="x", effective_from="2024-05-02", effective_to="2024-05-01")),
            "ends before it starts",
        ),
        (collection(feature(id="a"), feature(id="b"), feature(id="a")), "feature #3 ('a'): the id"),
        (collection(feature(id="x", ship_types=[35, "x"])), "'ship_types' has 'x'"),
        (collection(feature(id="x", parties="navy")), "'parties' must be a list"),
        (
            collection(feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, id="x")),
            "feature #1 ('x'): bad Polygon coordinates",
        ),
        (
            collection(feature({"type": "Polygon", "coordinates": [[[0, 95], [1, 95], [0, 96]]]})),
            "lat within +-90",
        ),
        (collection(feature(id="x", windows=[["2024-01-01"]])), "[start, end] pairs"),
        (
            collection(feature(id="x", windows=[], effective_from="2024-01-01")),
            "either 'windows' or",
        ),
        (collection("a feature"), "feature #1: not a GeoJSON Feature"),
    ],
)
def test_a_wrong_zones_file_is_an_input_error_naming_file_and_feature(
    tmp_path: Path, content: Any, expected: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(InputError) as caught:
        load_zones(path)
    assert caught.type is InputError
    assert caught.value.message.startswith(f"zones file {path}: ")
    assert expected in caught.value.message
    assert "\n" not in caught.value.message


def test_a_missing_zones_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=f"zones file {tmp_path / 'none.geojson'}: no such"):
        load_zones(tmp_path / "none.geojson")


def test_the_index_finds_points_by_point_then_zone() -> None:
    zones = [Zone("big", "big", box(0, 0, 10, 10)), Zone("small", "small", box(2, 2, 3, 3))]
    index = ZoneIndex(zones)
    lon = [5.0, 2.5, 20.0, 10.0]  # inside big; inside both; outside; on big's boundary
    lat = [5.0, 2.5, 20.0, 5.0]
    point, zone = index.locate(np.array(lon), np.array(lat))
    assert point.tolist() == [0, 1, 1]
    assert zone.tolist() == [0, 0, 1]
    assert [z.id for z in index.containing(2.5, 2.5)] == ["big", "small"]
    assert index.containing(-1.0, -1.0) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-2, 12), st.floats(-2, 12)), min_size=1, max_size=60))
def test_the_tree_and_the_boxes_agree(positions: list[tuple[float, float]]) -> None:
    """Past 64 zones the candidates come from an STRtree: the answers are the same."""
    zones = [
        Zone(f"z{k}", "z", box(k % 10, k // 10 % 10, k % 10 + 1.5, k // 10 % 10 + 1.5))
        for k in range(100)
    ]
    lon = np.array([p[0] for p in positions])
    lat = np.array([p[1] for p in positions])
    few = ZoneIndex(zones[:60])
    many = ZoneIndex(zones)
    point, zone = many.locate(lon, lat)
    expected = [
        (i, k)
        for i in range(len(positions))
        for k, z in enumerate(zones)
        if z.geometry.contains(shapely.Point(lon[i], lat[i]))
    ]
    assert list(zip(point.tolist(), zone.tolist(), strict=True)) == expected
    point, zone = few.locate(lon, lat)
    assert list(zip(point.tolist(), zone.tolist(), strict=True)) == [
        pair for pair in expected if pair[1] < 60
    ]


# The detector


def crossing(mmsi: int = 538000001) -> list[Point]:
    """Southbound at 49E, a hundredth of a degree a minute, across the IRTC at 13.25N to
    13.05N: the westbound lane is 13.25N to 13.1667N there, the buffer down to 13.1333N."""
    return [point(mmsi, k, round(13.4 - 0.01 * k, 4), 49.0) for k in range(41)]


def test_a_vessel_crossing_the_irtc_westbound_lane_makes_one_event() -> None:
    zones = load_zones(GOA).zones
    detector = ZoneDetector(Roster(), zones, Settings())
    track = crossing()
    events = feed(detector, [track[k : k + 5] for k in range(0, len(track), 5)])
    visits = final(events)
    west = [e for e in visits.values() if e.figures["zone"] == "irtc_westbound_lane"]
    assert len(west) == 1
    (visit,) = west
    first_in = next(p for p in track if p.lat < 13.25)  # 13.24N, minute 16
    first_out = next(p for p in track if p.lat < 13.166667)  # 13.16N, minute 24
    assert visit.start == first_in.at == T0 + timedelta(minutes=16)
    assert visit.end == first_out.at == T0 + timedelta(minutes=24)
    assert visit.figures == {
        "zone": "irtc_westbound_lane",
        "zone_name": "IRTC westbound transit lane",
        "dwell_min": 8.0,
    }
    assert visit.id == event_id(EventKind.ZONE, (538000001,), first_in.at, "irtc_westbound_lane")
    assert visit.kind is EventKind.ZONE
    assert visit.mmsi == (538000001,)
    assert visit.parties == (None,)
    assert visit.geometry == {"type": "Point", "coordinates": [49.0, 13.24]}
    # It also crossed the buffer (13.16N to 13.14N) and the eastbound lane (13.13N to 13.06N).
    assert sorted((e.figures["zone"], e.figures["dwell_min"]) for e in visits.values()) == [
        ("irtc_buffer_zone", 3.0),
        ("irtc_eastbound_lane", 8.0),
        ("irtc_westbound_lane", 8.0),
    ]
    assert all(e.end is not None for e in visits.values())
    assert detector.open_events() == []
    # Every batch hands out each event at most once.
    for batch in events:
        assert len({e.id for e in batch}) == len(batch)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=10))
def test_how_the_points_are_batched_does_not_change_the_events(cuts: list[int]) -> None:
    zones = load_zones(GOA).zones
    track = crossing()
    points = [p for pair in zip(track, crossing(538000002), strict=True) for p in pair]
    one = final(feed(ZoneDetector(Roster(), zones, Settings()), [points]))
    edges = sorted({0, *(2 * c for c in cuts), len(points)})
    batches = [points[a:b] for a, b in pairwise(edges) if b > a]
    assert final(feed(ZoneDetector(Roster(), zones, Settings()), batches)) == one
    assert len(one) == 6


def test_a_vessel_idling_inside_makes_one_event_handed_out_on_whole_minutes() -> None:
    zone = Zone("sq", "Square", SQUARE)
    detector = ZoneDetector(Roster(), [zone], Settings())
    # Inside from its very first point, reporting every 20 s for 10 minutes.
    track = [point(1, k / 3, 10.5, 10.5) for k in range(31)]
    events = feed(detector, [track[k : k + 2] for k in range(0, len(track), 2)])
    assert {e.id for batch in events for e in batch} == {event_id(EventKind.ZONE, (1,), T0, "sq")}
    dwell = [e.figures["dwell_min"] for batch in events for e in batch]
    # Opened in the first batch (two points in), then again each time it grew a minute.
    assert dwell == [0.33, 1.67, 3.0, 4.33, 5.67, 7.0, 8.33, 9.67]
    assert all(e.end is None and e.start == T0 for batch in events for e in batch)
    (still,) = detector.open_events()
    assert still.figures["dwell_min"] == 10.0
    # Points of other vessels outside hand out nothing more.
    assert detector.observe([point(2, 11, 0.0, 0.0)], T0 + timedelta(minutes=11)) == []


def test_an_event_opened_and_closed_in_one_batch_is_handed_out_once_closed() -> None:
    zone = Zone("sq", "Square", SQUARE)
    detector = ZoneDetector(Roster(), [zone], Settings())
    track = [point(1, 0, 9.5, 10.5), point(1, 1, 10.5, 10.5), point(1, 3, 11.5, 10.5)]
    track += [point(1, 4, 10.5, 10.5), point(1, 5, 10.5, 10.5)]  # and back in
    (first, second) = detector.observe(track, track[-1].at)
    assert (first.start, first.end, first.figures["dwell_min"]) == (track[1].at, track[2].at, 2)
    assert (second.start, second.end, second.figures["dwell_min"]) == (track[3].at, None, 1)


PARTIES = parse_parties(
    {
        "parties": [
            {"id": "navy-a", "colour": "#112233", "mmsi": [201000001]},
            {"id": "navy-b", "colour": "#445566", "mmsi": [201000002]},
        ]
    }
)


@pytest.mark.parametrize(
    ("parties", "ship_types", "watched"),
    [
        ([], [], {201000001, 201000002, 201000003, 201000004}),
        (["navy-a"], [], {201000001}),
        (["neutral"], [], {201000003, 201000004}),
        (["navy-b", "neutral"], [], {201000002, 201000003, 201000004}),
        ([], [35], {201000001}),  # only it has type 35; 201000004's type is unknown
        (["neutral"], [70, 35], {201000003}),
    ],
)
def test_zones_watch_only_the_vessels_their_filters_name(
    parties: list[str], ship_types: list[int], watched: set[int]
) -> None:
    roster = Roster(PARTIES)
    roster.know(201000001, 35)
    roster.know(201000002, 36)
    roster.know(201000003, 70)
    (zone,) = parse_zones(collection(feature(id="f", parties=parties, ship_types=ship_types))).zones
    detector = ZoneDetector(roster, [zone], Settings())
    fleet = (201000001, 201000002, 201000003, 201000004)
    events = detector.observe([point(m, 0, 10.2, 10.5) for m in fleet], T0)
    assert {e.mmsi[0] for e in events} == watched
    assert {e.mmsi[0]: e.parties[0] for e in events} == {
        m: {201000001: "navy-a", 201000002: "navy-b"}.get(m) for m in watched
    }


def test_a_vessel_no_longer_watched_leaves_the_zone() -> None:
    """A ship type learnt later can change a vessel's party and what the zone watches."""
    roster = Roster(PARTIES)
    (zone,) = parse_zones(collection(feature(id="f", ship_types=[30]))).zones
    detector = ZoneDetector(roster, [zone], Settings())
    roster.know(1, 30)
    (opened,) = detector.observe([point(1, 0, 10.2, 10.5)], T0)
    roster.know(1, 70)
    (closed,) = detector.observe([point(1, 2, 10.2, 10.5)], T0 + timedelta(minutes=2))
    assert closed.id == opened.id
    assert (closed.end, closed.figures["dwell_min"]) == (T0 + timedelta(minutes=2), 2)


def test_a_zone_counts_only_while_active() -> None:
    window = (T0 + timedelta(minutes=30), T0 + timedelta(minutes=90))
    zone = Zone("w", "Window", SQUARE, windows=(window,))
    detector = ZoneDetector(Roster(), [zone], Settings())
    # Inside from minute 0 to 120, one report every 25 minutes: 0, 25, 50, 75, 100.
    track = [point(1, minute, 10.5, 10.5) for minute in range(0, 120, 25)]
    events = final(feed(detector, [[p] for p in track]))
    (visit,) = events.values()
    # The window opened at minute 30, seen at the point of minute 50; it closed at 90,
    # seen at the point of minute 100.
    assert visit.start == T0 + timedelta(minutes=50)
    assert visit.end == T0 + timedelta(minutes=100)
    assert visit.figures["dwell_min"] == 50.0


def test_no_zones_no_events() -> None:
    detector = ZoneDetector(Roster(), [], Settings())
    assert detector.observe([point(1, 0, 10.5, 10.5)], T0) == []
    assert detector.open_events() == []
