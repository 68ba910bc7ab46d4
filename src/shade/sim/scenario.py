"""A Gulf of Aden scenario: ships of several navies and merchant traffic in the IRTC, with
one close encounter between two parties' warships.

Pure: the scenario is a list of ships on straight legs; ``reports`` walks them through
time and returns AIS records (position reports every ``interval_s``, static data every six
minutes, as transponders send them), and ``sentences`` turns those into NMEA lines with
tag blocks (``s:`` source, ``c:`` UNIX time). Positions follow the lanes of the
Internationally Recommended Transit Corridor (IRTC): westbound lane centre from
53°E 14.458°N to 45°E 11.958°N, eastbound from 45°E 11.842°N to 53°E 14.342°N, as
published (UK P&I circular 621-1/09). The MMSIs and names are illustrative, not real ships.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from shade.ais.encode import encode, message
from shade.ais.message import AISMessage
from shade.ais.nmea import checksum

START = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
_STATIC_EVERY_S = 360
_NM_PER_DEGREE = 60.0


@dataclass(frozen=True, slots=True)
class Ship:
    mmsi: int
    name: str
    callsign: str
    ship_type: int  # ITU-R M.1371 ship and cargo type: 35 military, 70 cargo, 30 fishing
    class_b: bool
    start: tuple[float, float]  # lon, lat in degrees
    end: tuple[float, float]
    speed_knots: float
    length_m: int


WESTBOUND = ((53.0, 14.458333), (45.0, 11.958333))
EASTBOUND = ((45.0, 11.841667), (53.0, 14.341667))


def _along(
    lane: tuple[tuple[float, float], tuple[float, float]], fraction: float
) -> tuple[float, float]:
    (lon0, lat0), (lon1, lat1) = lane
    return lon0 + (lon1 - lon0) * fraction, lat0 + (lat1 - lat0) * fraction


SHIPS: tuple[Ship, ...] = (
    Ship(235000001, "NATO FRIGATE ALPHA", "NATO1", 35, False,
         _along(WESTBOUND, 0.40), _along(WESTBOUND, 0.55), 14.0, 133),
    Ship(412000001, "PLAN DESTROYER ONE", "PLAN1", 35, False,
         _along(EASTBOUND, 0.45), _along(EASTBOUND, 0.60), 16.0, 155),
    Ship(431000001, "JMSDF DESTROYER", "JMSD1", 35, False,
         (49.20, 12.90), (49.35, 12.95), 3.0, 151),
    Ship(636000001, "ORIENT STAR", "D5AA1", 70, False,
         _along(WESTBOUND, 0.42), _along(WESTBOUND, 0.56), 12.5, 229),
    Ship(538000001, "CAPE MERCY", "V7AA1", 80, False,
         _along(EASTBOUND, 0.40), _along(EASTBOUND, 0.52), 13.0, 183),
    Ship(470000001, "AL NOOR DHOW", "A6AA1", 30, True,
         (48.60, 12.35), (48.80, 12.55), 6.0, 24),
    # Crosses the corridor southbound, across the NATO frigate's bow: the close encounter
    # (closest about 0.4 nm, some 18 minutes in).
    Ship(412000002, "PLAN FRIGATE TWO", "PLAN2", 35, False,
         (49.734, 13.5173), (49.734, 12.90), 15.0, 134),
)  # fmt: skip


def _position(ship: Ship, elapsed_s: float) -> tuple[float, float, float]:
    """Lon, lat and course over ground of a ship after ``elapsed_s`` seconds on its leg."""
    (lon0, lat0), (lon1, lat1) = ship.start, ship.end
    scale = math.cos(math.radians((lat0 + lat1) / 2))
    east_nm = (lon1 - lon0) * _NM_PER_DEGREE * scale
    north_nm = (lat1 - lat0) * _NM_PER_DEGREE
    leg_nm = math.hypot(east_nm, north_nm)
    fraction = min(1.0, ship.speed_knots * elapsed_s / 3600 / leg_nm)
    course = math.degrees(math.atan2(east_nm, north_nm)) % 360
    return lon0 + (lon1 - lon0) * fraction, lat0 + (lat1 - lat0) * fraction, course


def _static(ship: Ship) -> list[AISMessage]:
    half = ship.length_m // 2
    if ship.class_b:
        return [
            message(24, mmsi=ship.mmsi, partno=0, shipname=ship.name),
            message(24, mmsi=ship.mmsi, partno=1, ship_type=ship.ship_type,
                    callsign=ship.callsign, to_bow=half, to_stern=half, to_port=3,
                    to_starboard=3),
        ]  # fmt: skip
    return [
        message(5, mmsi=ship.mmsi, callsign=ship.callsign, shipname=ship.name,
                ship_type=ship.ship_type, to_bow=half, to_stern=ship.length_m - half,
                to_port=10, to_starboard=10, epfd=1, draught=7.5, destination="DJIBOUTI"
                if ship.end[0] < ship.start[0] else "MUSCAT", dte=False),
    ]  # fmt: skip


def _report(ship: Ship, elapsed_s: float) -> AISMessage:
    lon, lat, course = _position(ship, elapsed_s)
    fields = {
        "mmsi": ship.mmsi,
        "speed": round(ship.speed_knots, 1),
        "lon": round(lon, 4),
        "lat": round(lat, 4),
        "course": round(course, 1),
        "heading": round(course) % 360,
        "second": int(elapsed_s) % 60,
        "accuracy": True,
    }
    if ship.class_b:
        return message(18, **fields, cs=True)
    return message(1, **fields, status=0, turn=0.0)


def reports(
    minutes: int, interval_s: int = 10, start_at: datetime = START
) -> list[tuple[float, AISMessage]]:
    """(UNIX time, record) of every ship, in time order, from ``start_at``."""
    out: list[tuple[float, AISMessage]] = []
    start = start_at.timestamp()
    for elapsed in range(0, minutes * 60, interval_s):
        for ship in SHIPS:
            if elapsed % _STATIC_EVERY_S == 0:
                out += [(start + elapsed, record) for record in _static(ship)]
            out.append((start + elapsed, _report(ship, elapsed)))
    return out


def sentences(timed: list[tuple[float, AISMessage]], source: str = "shade-demo") -> list[bytes]:
    """NMEA lines, each behind a tag block with the source and the time."""
    lines = []
    for index, (when, record) in enumerate(timed):
        tag = b"s:%s,c:%d" % (source.encode("ascii"), when)
        tag_block = b"\\%s*%02X\\" % (tag, checksum(tag))
        channel = "AB"[index % 2]
        lines += [tag_block + line for line in encode(record, channel=channel)]
    return lines
