"""Vessels, points and tracks as JSON values: the shapes ``--json``, ``--geojson`` and the API
give. Pure: dicts in, dicts out, ready for ``orjson.dumps``.

Field names are the decoder's (``mmsi``, ``lat``, ``lon``, ``speed``, ``course``,
``heading``, ``status``, ``shipname`` ...); times are UTC ISO 8601 strings ending in ``Z``
(microseconds only when there are some); unknown values are null. Scripts rely on these
shapes: add fields if need be, never rename or remove one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from shade.tracks.model import Point, Vessel


def iso(at: datetime | None) -> str | None:
    """UTC ISO 8601 with ``Z``: 2022-01-03T00:00:09Z, 2022-01-03T00:00:09.250000Z."""
    if at is None:
        return None
    if at.tzinfo is not None and at.utcoffset():
        at = at.astimezone(UTC)
    return at.replace(tzinfo=None).isoformat() + "Z"


def vessel_json(v: Vessel) -> dict[str, Any]:
    """mmsi, at, lat, lon, speed, course, heading, status, then the static fields."""
    fields = v._asdict()
    fields["at"] = iso(v.at)
    fields["eta"] = iso(v.eta)
    return fields


def point_json(p: Point) -> dict[str, Any]:
    """mmsi, at, lat, lon, speed, course, heading, status, msg_type, source."""
    fields = p._asdict()
    fields["at"] = iso(p.at)
    return fields


def track_geojson(mmsi: int, points: Sequence[Point]) -> dict[str, Any]:
    """A GeoJSON Feature: the points as a LineString ([lon, lat] pairs, in time order).

    ``properties`` holds ``mmsi``, ``times`` (one per coordinate), ``start`` and ``end``.
    GeoJSON wants two positions in a LineString: one point gives a Point geometry and none
    gives a null geometry, with the same properties.
    """
    coordinates = [[p.lon, p.lat] for p in points]
    geometry: dict[str, Any] | None
    if len(coordinates) >= 2:
        geometry = {"type": "LineString", "coordinates": coordinates}
    elif coordinates:
        geometry = {"type": "Point", "coordinates": coordinates[0]}
    else:
        geometry = None
    times = [iso(p.at) for p in points]
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "mmsi": mmsi,
            "times": times,
            "start": times[0] if times else None,
            "end": times[-1] if times else None,
        },
    }
