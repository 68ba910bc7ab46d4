"""The values tracks are made of: history points, points kept aside, static data, vessels.

These are the contract between the tracker (``tracks.tracker``), the store (``shade.store``),
the ingest pipeline and the commands. Times are UTC datetimes; units are in the names or
as the decoder gives them (degrees, knots).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from shade.ais.kinds import Value

# The static and voyage fields merged from types 5, 19 and 24, as the decoder names them
# (eta is a datetime made from the ETA fields of type 5).
STATIC_FIELDS = (
    "shipname",
    "callsign",
    "imo",
    "ship_type",
    "to_bow",
    "to_stern",
    "to_port",
    "to_starboard",
    "destination",
    "eta",
    "draught",
)


class Point(NamedTuple):
    """One position report accepted into a vessel's history."""

    mmsi: int
    at: datetime  # UTC: the report's tag-block or receiver time, else its receive time
    lat: float  # degrees
    lon: float  # degrees
    speed: float | None  # knots over ground
    course: float | None  # degrees over ground
    heading: int | None  # degrees true
    status: int | None  # navigation status (types 1-3, 27)
    msg_type: int
    source: str | None  # receiving station or feed


class AsideReason(StrEnum):
    IMPOSSIBLE_SPEED = "impossible_speed"  # implies a speed no vessel makes since its last point
    INLAND = "inland"  # on land, far from any coast
    OUT_OF_ORDER = "out_of_order"  # older than the vessel's last accepted point


class Aside(NamedTuple):
    """A position report kept out of the history, with why; stored and counted, never lost."""

    point: Point
    reason: AsideReason


class Static(NamedTuple):
    """Static and voyage data of one vessel, from one message: only the fields it carried."""

    mmsi: int
    at: datetime
    fields: dict[str, Value | datetime]  # a subset of STATIC_FIELDS, None values left out


class Update(NamedTuple):
    """What a batch of decoded messages adds to the tracks."""

    points: list[Point]
    aside: list[Aside]
    statics: list[Static]


class Vessel(NamedTuple):
    """A vessel as the picture shows it: its latest point, and its merged static data."""

    mmsi: int
    at: datetime | None  # time of the position below; None if none is known
    lat: float | None
    lon: float | None
    speed: float | None
    course: float | None
    heading: int | None
    status: int | None
    shipname: str | None
    callsign: str | None
    imo: int | None
    ship_type: int | None
    to_bow: int | None
    to_stern: int | None
    to_port: int | None
    to_starboard: int | None
    destination: str | None
    eta: datetime | None
    draught: float | None
