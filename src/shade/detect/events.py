"""The one event model every detector speaks, and its JSON form.

An event has a kind, the vessels it concerns (with each one's party, None for neutral), a
start, an end (None while it is open), a GeoJSON geometry and the kind's figures. A detector
hands out the newest state of an event each time it changes, always under the same ``id``:
the store keeps the last one, and subscribers see each change.

Figures by kind (all numbers; times in figures are minutes):

    encounter   cpa_nm, tcpa_min (as last predicted), closest_nm (closest distance
                observed between the two while the alert was open), distance_nm (now)
    zone        zone (its id), zone_name, dwell_min (so far, or in all once it ended)
    gap         gap_min, distance_nm (from where it fell silent to where it reappeared;
                null while open), implied_knots, zone (the zone it went dark in, or null)
    loiter      duration_min, mean_knots, shore_nm (the least distance from shore tested)
    rendezvous  duration_min, median_knots, closest_m
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from shade.tracks.export import iso


class EventKind(StrEnum):
    ENCOUNTER = "encounter"
    ZONE = "zone"
    GAP = "gap"
    LOITER = "loiter"
    RENDEZVOUS = "rendezvous"


class Event(NamedTuple):
    id: str  # stable across the event's updates: see ``event_id``
    kind: EventKind
    mmsi: tuple[int, ...]  # one vessel, or two (encounter, rendezvous), smaller MMSI first
    parties: tuple[str | None, ...]  # each vessel's party id, None if neutral
    start: datetime  # UTC
    end: datetime | None  # UTC; None while open
    geometry: dict[str, Any] | None  # GeoJSON geometry (lon, lat), e.g. a Point or LineString
    figures: dict[str, Any]  # the kind's numbers (see the module docstring)


def event_id(kind: EventKind, mmsi: tuple[int, ...], start: datetime, extra: str = "") -> str:
    """A stable id: the same event found again (a rerun over history) gets the same id."""
    vessels = "-".join(str(m) for m in mmsi)
    stamp = start.strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{kind.value}:{vessels}:{extra + ':' if extra else ''}{stamp}"


def event_json(event: Event) -> dict[str, Any]:
    """The JSON Lines form: kind, mmsi (list), parties, start, end, geometry, id, figures."""
    return {
        "id": event.id,
        "kind": event.kind.value,
        "mmsi": list(event.mmsi),
        "parties": list(event.parties),
        "start": iso(event.start),
        "end": iso(event.end),
        **event.figures,
        "geometry": event.geometry,
    }
