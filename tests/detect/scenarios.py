"""Scenarios for the detectors, written as AIS: ships on legs, encoded to NMEA with times.

A ``Voyage`` is a ship's legs (minutes, course, speed) from a start position, reported every
``interval_s`` except in its silent windows; ``nmea`` encodes every voyage's reports (type 1,
or 18 for class B) and static data (type 5) behind tag blocks carrying the time, in time
order, the way a receiver's feed brings them. Positions are dead-reckoned on the sphere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from shade.ais.encode import message
from shade.ais.message import AISMessage
from shade.sim.scenario import sentences
from tests.tracks.build import move

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Voyage:
    mmsi: int
    name: str
    ship_type: int
    start: tuple[float, float]  # lat, lon degrees
    legs: tuple[tuple[float, float, float], ...]  # (minutes, course degrees, knots) each
    interval_s: int = 20
    silent: tuple[tuple[float, float], ...] = ()  # (from minute, to minute) without reports
    class_b: bool = False
    status: int = 0  # navigation status (0 under way using engine)
    offset_minutes: float = 0.0  # when the first leg starts, after START
    extra: dict[str, object] = field(default_factory=dict)

    def minutes(self) -> float:
        return sum(leg[0] for leg in self.legs)

    def where(self, minute: float) -> tuple[float, float, float, float]:
        """lat, lon, course and speed ``minute`` minutes into the voyage."""
        lat, lon = self.start
        course, speed = self.legs[0][1], self.legs[0][2]
        left = minute
        for length, course, speed in self.legs:
            step = min(left, length)
            lat, lon = move(lat, lon, course, speed * step / 60)
            left -= step
            if left <= 0:
                break
        return lat, lon, course, speed


def _report(voyage: Voyage, minute: float) -> AISMessage:
    lat, lon, course, speed = voyage.where(minute)
    fields = {
        "mmsi": voyage.mmsi,
        "speed": round(speed, 1),
        "lat": round(lat, 5),
        "lon": round(lon, 5),
        "course": round(course, 1),
        "heading": round(course) % 360,
        "second": int(minute * 60) % 60,
        "accuracy": True,
    }
    if voyage.class_b:
        return message(18, **fields, cs=True)
    return message(1, **fields, status=voyage.status, turn=0.0)


def _static(voyage: Voyage) -> AISMessage:
    return message(
        5,
        mmsi=voyage.mmsi,
        shipname=voyage.name,
        callsign="TEST",
        ship_type=voyage.ship_type,
        to_bow=50,
        to_stern=50,
        to_port=8,
        to_starboard=8,
        epfd=1,
        draught=6.0,
        destination="DJIBOUTI",
        dte=False,
    )


def timed_reports(voyages: list[Voyage]) -> list[tuple[float, AISMessage]]:
    """(UNIX time, record) of every voyage, in time order; static data first, then hourly."""
    out: list[tuple[float, int, AISMessage]] = []
    start = START.timestamp()
    for order, voyage in enumerate(voyages):
        base = start + voyage.offset_minutes * 60
        steps = int(voyage.minutes() * 60 // voyage.interval_s)
        for step in range(steps + 1):
            seconds = step * voyage.interval_s
            minute = seconds / 60
            if any(low <= minute < high for low, high in voyage.silent):
                continue
            if seconds % 3600 == 0:
                out.append((base + seconds, order, _static(voyage)))
            out.append((base + seconds, order, _report(voyage, minute)))
    out.sort(key=lambda item: (item[0], item[1]))
    return [(when, record) for when, _, record in out]


def nmea(voyages: list[Voyage], path: Path) -> Path:
    """The voyages as an NMEA capture at ``path``."""
    path.write_bytes(b"\n".join(sentences(timed_reports(voyages), source="scenario")) + b"\n")
    return path
