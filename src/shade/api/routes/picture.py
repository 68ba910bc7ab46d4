"""The picture: vessels at a time, one vessel, a vessel's track, an export of points.

Every answer is what ``shade.access`` releases to the user's party, computed from the
store and nothing else; areas and text searches are applied to the released values, never
to the exact ones. A vessel one may not see is answered exactly as one never seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from shade.access import Mode, Viewer, picture, release_points, track, track_window
from shade.api.auth import Principal, access, server_of, signed_in
from shade.api.schemas import Feature, PointPage, VesselOut, VesselPage
from shade.api.shapes import CURSOR, json_answer, page, point_out, utc, vessel_out
from shade.errors import InputError, NotFoundError
from shade.tracks.export import iso, track_geojson
from shade.tracks.model import Vessel

router = APIRouter(prefix="/api", tags=["picture"])
_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
_BBOX = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError(f"bbox {text!r}: give W,S,E,N in degrees") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise InputError(f"bbox {text!r}: longitudes -180..180, latitudes -90..90, S <= N")
    return west, south, east, north


def _inside(box: tuple[float, float, float, float]) -> Any:
    west, south, east, north = box

    def inside(vessel: Vessel) -> bool:
        if vessel.lat is None or vessel.lon is None or not south <= vessel.lat <= north:
            return False
        if west <= east:
            return west <= vessel.lon <= east
        return vessel.lon >= west or vessel.lon <= east  # across the antimeridian

    return inside


def _matches(text: str) -> Any:
    words = text.strip().lower()
    if not words:
        raise InputError("q: the search text is empty")
    number = int(words) if words.isdigit() and len(words) <= 9 else None

    def matches(vessel: Vessel) -> bool:
        if number is not None and number in (vessel.mmsi, vessel.imo):
            return True
        return any(words in (value or "").lower() for value in (vessel.shipname, vessel.callsign))

    return matches


def _limit(request: Request, limit: int) -> int:
    return min(limit, server_of(request).settings.api_page_max)


@router.get("/vessels", response_model=VesselPage, **access("signed_in"))
def vessels(
    request: Request,
    at: datetime | None = None,
    bbox: str | None = Query(
        None, pattern=_BBOX, description="W,S,E,N in degrees; W > E crosses 180"
    ),
    q: str | None = Query(
        None,
        min_length=1,
        max_length=100,
        pattern=r"\S",
        description="name, call sign, MMSI or IMO",
    ),
    limit: int = Query(500, ge=1),
    cursor: str | None = Query(None, pattern=CURSOR),
    principal: Principal = Depends(signed_in),
) -> Response:
    """The picture at ``at`` (default: now) as your party may see it, by MMSI."""
    server = server_of(request)
    viewer = server.viewer(principal.user)
    now = server.hub.now()
    when = utc(at) or now
    box = _bbox(bbox)
    tests = [] if box is None else [_inside(box)]
    if q is not None:
        tests.append(_matches(q))
    store = server.store
    # Exact positions are all a viewer gets when no party coarsens its units to it: then
    # the store may narrow the area itself.
    narrow = box if not viewer.coarsens else None

    def read(t: datetime) -> list[Vessel]:
        return store.vessels_at(t, bbox=narrow)

    def within(vessel: Vessel) -> bool:
        return all(test(vessel) for test in tests)

    shown = picture(viewer, when, now, read, within if tests else None)
    items, following = page([vessel_out(viewer, v) for v in shown], cursor, _limit(request, limit))
    return json_answer({"items": items, "next": following, "at": iso(when), "now": iso(now)})


def released_vessel(request: Request, viewer: Viewer, mmsi: int) -> Vessel | None:
    """The vessel now as the viewer may see it, or None (never seen, or not released)."""
    server = server_of(request)
    now = server.hub.now()
    rule = viewer.release(mmsi)
    if rule.mode is Mode.HIDDEN:
        return None
    if rule.mode is Mode.FULL:
        return server.store.vessel(mmsi)

    def one(t: datetime) -> list[Vessel]:
        return [v for v in server.store.vessels_at(t) if v.mmsi == mmsi]

    found = picture(viewer, now, now, one)
    return found[0] if found else None


@router.get("/vessels/{mmsi}", response_model=VesselOut, **access("signed_in"))
def vessel(
    request: Request,
    mmsi: int = Path(ge=0, le=999_999_999),
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """One vessel now, as your party may see it."""
    viewer = server_of(request).viewer(principal.user)
    found = released_vessel(request, viewer, mmsi)
    if found is None:
        raise NotFoundError(f"no vessel {mmsi}")
    return vessel_out(viewer, found)


def _track(
    request: Request, principal: Principal, mmsi: int, start: datetime | None, end: datetime | None
) -> tuple[Viewer, list[Any]]:
    server = server_of(request)
    viewer = server.viewer(principal.user)
    now = server.hub.now()
    window = track_window(viewer, mmsi, utc(start), utc(end), now)
    if window is None:
        return viewer, []
    return viewer, track(viewer, mmsi, server.store.track(mmsi, *window), now)


@router.get("/vessels/{mmsi}/track", response_model=PointPage, **access("signed_in"))
def vessel_track(
    request: Request,
    mmsi: int = Path(ge=0, le=999_999_999),
    start: datetime | None = Query(None, alias="from"),
    end: datetime | None = Query(None, alias="to"),
    limit: int = Query(1000, ge=1),
    cursor: str | None = Query(None, pattern=CURSOR),
    principal: Principal = Depends(signed_in),
) -> Response:
    """The vessel's points from ``from`` to ``to``, in time order, as your party may see
    them (empty, not an error, for a vessel you may not see: as for one never seen)."""
    viewer, points = _track(request, principal, mmsi, start, end)
    items, following = page([point_out(viewer, p) for p in points], cursor, _limit(request, limit))
    return json_answer({"items": items, "next": following})


@router.get("/vessels/{mmsi}/track.geojson", response_model=Feature, **access("signed_in"))
def vessel_track_geojson(
    request: Request,
    mmsi: int = Path(ge=0, le=999_999_999),
    start: datetime | None = Query(None, alias="from"),
    end: datetime | None = Query(None, alias="to"),
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """The same track as a GeoJSON Feature (a LineString; null geometry when empty)."""
    _, points = _track(request, principal, mmsi, start, end)
    return track_geojson(mmsi, points)


@router.get(
    "/export/points",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
    **access("signed_in"),
)
def export_points(
    request: Request,
    start: datetime = Query(..., alias="from"),
    end: datetime = Query(..., alias="to"),
    principal: Principal = Depends(signed_in),
) -> StreamingResponse:
    """Every point from ``from`` to ``to`` your party may see, one JSON object per line."""
    server = server_of(request)
    viewer = server.viewer(principal.user)
    now = server.hub.now()
    first, last = utc(start), utc(end)
    if first is None or last is None or first > last:
        raise InputError("from must be at or before to")
    last = min(last, now)  # nothing newer than now: no rule releases the future

    # Released in one pass: a coarsened vessel's cell visits span the store's chunks.
    chosen = [point for chunk in server.store.points_between(first, last) for point in chunk]
    released = release_points(viewer, chosen, now)

    def lines() -> Iterator[bytes]:
        for point in released:
            yield orjson.dumps(point_out(viewer, point)) + b"\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
