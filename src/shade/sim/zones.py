"""The zones of the demo: the IRTC's two transit lanes and the buffer between them.

Vertices as published (UK P&I circular 621-1/09; MSCIO, "IRTC details"; in force since
0001Z 1 February 2009), as GeoJSON for ``detect.zones.parse_zones``: the demo carries them
itself, as a fresh clone has no data beside it.
"""

from __future__ import annotations

from typing import Any

from shade.detect.zones import Zone, parse_zones

_LANES: dict[str, tuple[str, list[tuple[float, float]]]] = {
    "irtc_westbound_lane": (
        "IRTC westbound transit lane",
        [(45.0, 12.0), (53.0, 14.5), (53.0, 14.416667), (45.0, 11.916667)],
    ),
    "irtc_buffer_zone": (
        "IRTC buffer zone",
        [(45.0, 11.916667), (53.0, 14.416667), (53.0, 14.383333), (45.0, 11.883333)],
    ),
    "irtc_eastbound_lane": (
        "IRTC eastbound transit lane",
        [(45.0, 11.883333), (53.0, 14.383333), (53.0, 14.3), (45.0, 11.8)],
    ),
}


def irtc_geojson() -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "properties": {"id": zone_id, "name": name, "effective_from": "2009-02-01T00:01:00Z"},
            "geometry": {"type": "Polygon", "coordinates": [[*map(list, ring), list(ring[0])]]},
        }
        for zone_id, (name, ring) in _LANES.items()
    ]
    return {"type": "FeatureCollection", "features": features}


def irtc_zones() -> list[Zone]:
    return list(parse_zones(irtc_geojson()).zones)
