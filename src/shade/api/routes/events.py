"""Events the detectors found, and the zones they watch.

An event goes out only if ``shade.access`` says the user's party may see it (every vessel it
names may be seen, or their owners release events); one it may not is answered exactly as
one that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from shapely.geometry import mapping

from shade.access import event_visible, events
from shade.api.auth import Principal, access, server_of, signed_in
from shade.api.schemas import EventOut, EventPage, FeatureCollection
from shade.api.shapes import CURSOR, event_out, json_answer, page, utc
from shade.detect.events import Event, EventKind
from shade.errors import NotFoundError
from shade.tracks.export import iso

router = APIRouter(prefix="/api", tags=["events"])


def _newest_first(event: Event) -> tuple[datetime, str]:
    return event.start, event.id


@router.get("/events", response_model=EventPage, **access("signed_in"))
def list_events(
    request: Request,
    kind: EventKind | None = None,
    start: datetime | None = Query(None, alias="from"),
    end: datetime | None = Query(None, alias="to"),
    mmsi: int | None = Query(None, ge=0, le=999_999_999),
    open: bool = False,
    limit: int = Query(200, ge=1),
    cursor: str | None = Query(None, pattern=CURSOR),
    principal: Principal = Depends(signed_in),
) -> Response:
    """Events overlapping [from, to], newest first, as your party may see them."""
    server = server_of(request)
    viewer = server.viewer(principal.user)
    found = server.store.events(kind, utc(start), utc(end), mmsi, open_only=open)
    shown = sorted(events(viewer, found, server.hub.now()), key=_newest_first, reverse=True)
    size = min(limit, server.settings.api_page_max)
    items, following = page([event_out(e) for e in shown], cursor, size)
    return json_answer({"items": items, "next": following})


@router.get("/events/{event_id}", response_model=EventOut, **access("signed_in"))
def one_event(
    request: Request,
    event_id: str = Path(max_length=200),
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """One event, as your party may see it."""
    server = server_of(request)
    viewer = server.viewer(principal.user)
    found = server.store.event(event_id)
    if found is None or not event_visible(viewer, found, server.hub.now()):
        raise NotFoundError(f"no event {event_id!r}")
    return event_out(found)


@router.get("/zones", response_model=FeatureCollection, **access("signed_in"))
def zones(
    request: Request,
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """The zones the detectors watch, as GeoJSON (shared by all: they are published)."""
    features = [
        {
            "type": "Feature",
            "geometry": mapping(zone.geometry),
            "properties": {
                "id": zone.id,
                "name": zone.name,
                "windows": [[iso(a), iso(b)] for a, b in zone.windows],
                "parties": sorted(zone.parties),
                "ship_types": sorted(zone.ship_types),
            },
        }
        for zone in server_of(request).zones
    ]
    return {"type": "FeatureCollection", "features": features}
