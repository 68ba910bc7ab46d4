"""Synthetic AIS for tracker tests: messages made with the project's own encoder and decoder.

Every message goes through ``encode`` and ``Decoder``, so the tracker sees exactly what a
feed would give it (positions on the 1/10000 minute grid, "not available" as None).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from shade.ais import Decoded, Decoder
from shade.ais.encode import encode, message
from shade.tracks.sanity import EARTH_RADIUS_NM

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
# At sea, far from any land: the North Sea between England and Denmark, the South Pacific.
NORTH_SEA = (55.5, 3.5)
SOUTH_PACIFIC = (-40.0, -120.0)
# Far inland: southern Germany, and the middle of Australia.
BAVARIA = (48.0, 10.0)
CENTRAL_AUSTRALIA = (-25.0, 134.0)
# On land in the land mask, but in a port by the coast: the Waalhaven, Rotterdam.
ROTTERDAM = (51.90, 4.40)


def decoded(msg_type: int, **fields: object) -> Decoded:
    """One message as the decoder gives it."""
    (one,) = Decoder().decode(encode(message(msg_type, **fields)))
    return one


def report(
    mmsi: int, lat: float, lon: float, *, msg_type: int = 1, speed: float | None = 10.0
) -> Decoded:
    """A position report of a vessel."""
    return decoded(msg_type, mmsi=mmsi, lat=lat, lon=lon, speed=speed)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def move(lat: float, lon: float, bearing: float, distance_nm: float) -> tuple[float, float]:
    """The point ``distance_nm`` from (lat, lon) on the great circle at ``bearing`` degrees."""
    angle = distance_nm / EARTH_RADIUS_NM
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    phi2 = math.asin(
        math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(phi),
        math.cos(angle) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540.0) % 360.0 - 180.0
