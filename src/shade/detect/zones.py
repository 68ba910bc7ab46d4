"""Zones: the zones file, which zones hold which points, and the zone detector.

A zones file is GeoJSON: a FeatureCollection (or one Feature) in WGS84, [lon, lat]. Each
Polygon or MultiPolygon feature is a zone; other geometries (points, lines: waypoints and
open boundaries) are skipped and listed, never an error. Feature properties used::

    id              the zone's id (else the feature's id, else its name, else "zone-<n>")
    name            shown to people (else the id)
    effective_from  ISO 8601 date or datetime: the zone is active from then ...
    effective_to    ... until then (a date alone means to the end of that day)
    windows         or instead: [[start, end], ...] (end null: no end)
    parties         only vessels of these party ids ("neutral": vessels in no party)
    ship_types      only vessels of these AIS ship types (a vessel not yet known is not one)

Times without an offset are UTC; a zone with no times is always active. Polygons across
the antimeridian (spanning more than 180 degrees of longitude) are refused: split them in
two at 180 degrees, as a MultiPolygon.

The zone detector opens an event when a watched vessel is inside an active zone and has
none open there, and closes it at the vessel's first point outside (or when the zone stops
being active, or stops watching the vessel): an event starts at the first point inside, so
a vessel whose very first point is inside opens there; it ends at the first point outside,
and ``dwell_min`` is the time between. A zone's window opening while a vessel sits inside
is seen at the vessel's next point. While open, ``dwell_min`` runs to the vessel's latest
point inside (not to the feed's time: a vessel that falls silent inside does not dwell on
in the figures); the event is handed out again at most once per ``observe``, and only when
its dwell grew by a minute or more since last handed out. Its geometry is a Point where the
vessel entered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import starmap
from pathlib import Path
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

from shade.config import Settings
from shade.detect.events import Event, EventKind, event_id
from shade.detect.roster import Roster
from shade.errors import InputError, NotFoundError
from shade.parties import NEUTRAL
from shade.tracks.model import Point, Points

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
Window = tuple[datetime, datetime | None]

_POLYGONS: Final = frozenset({"Polygon", "MultiPolygon"})
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BEGINNING: Final = datetime.min.replace(tzinfo=UTC)
_TREE_FROM: Final = 64  # zones: past this many, candidates come from an STRtree


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    geometry: Polygon | MultiPolygon  # lon, lat
    windows: tuple[Window, ...] = ()  # [start, end) UTC; empty: always active
    parties: frozenset[str] = frozenset()  # party ids, or NEUTRAL; empty: every vessel
    ship_types: frozenset[int] = frozenset()  # empty: every ship type

    def __post_init__(self) -> None:
        # Prepared once: every containment test of the zone's life reuses it.
        shapely.prepare(self.geometry)

    def active(self, at: datetime) -> bool:
        if not self.windows:
            return True
        return any(start <= at and (end is None or at < end) for start, end in self.windows)

    def watches(self, party: str | None, ship_type: int | None) -> bool:
        """Whether the zone concerns a vessel of this party (None: neutral) and ship type."""
        if self.parties and (party or NEUTRAL) not in self.parties:
            return False
        return not self.ship_types or ship_type in self.ship_types


class ZoneFile(NamedTuple):
    """What a zones file holds: its zones, and the features skipped as not polygons."""

    zones: tuple[Zone, ...]
    skipped: tuple[tuple[str, str], ...]  # (feature id, geometry type)

    def summary(self) -> str:
        """Like "9 features: 4 zones, 5 skipped (not polygons)"."""
        features = len(self.zones) + len(self.skipped)
        text = f"{features} features: {len(self.zones)} zones"
        return text + (f", {len(self.skipped)} skipped (not polygons)" if self.skipped else "")


def load_zones(path: str | Path) -> ZoneFile:
    """Read a zones file (see the module docstring); InputError naming file and feature."""
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"zones file {file}: no such file")
    try:
        data = json.loads(file.read_bytes())
    except OSError as exc:
        raise InputError(f"zones file {file}: cannot be read ({exc})") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"zones file {file}: not valid JSON ({exc})") from None
    try:
        return parse_zones(data)
    except InputError as exc:
        raise InputError(f"zones file {file}: {exc.message}") from None


def parse_zones(data: Any) -> ZoneFile:
    """Zones from parsed GeoJSON; InputError naming the feature if it is wrong."""
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "Feature":
        features = [data]
    elif kind == "FeatureCollection" and isinstance(data.get("features"), list):
        features = data["features"]
    else:
        raise InputError("not GeoJSON: expected a FeatureCollection or a Feature")
    zones: list[Zone] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise InputError(f"feature #{number}: not a GeoJSON Feature")
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise InputError(f"feature #{number}: 'properties' must be an object")
        zone_id = _zone_id(feature, properties, number)
        where = f"feature #{number} ({zone_id!r})"
        geometry = feature.get("geometry")
        geometry_type = geometry.get("type") if isinstance(geometry, dict) else None
        if geometry_type not in _POLYGONS:
            skipped.append((zone_id, str(geometry_type)))
            continue
        if zone_id in seen:
            raise InputError(f"{where}: the id is used by an earlier feature")
        seen.add(zone_id)
        try:
            zones.append(_zone(zone_id, properties, geometry))
        except InputError as exc:
            raise InputError(f"{where}: {exc.message}") from None
    return ZoneFile(tuple(zones), tuple(skipped))


def _zone_id(feature: Mapping[str, Any], properties: Mapping[str, Any], number: int) -> str:
    for value in (properties.get("id"), feature.get("id"), properties.get("name")):
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return f"zone-{number}"


def _zone(zone_id: str, properties: Mapping[str, Any], geometry: Any) -> Zone:
    name = properties.get("name", zone_id)
    if not isinstance(name, str) or not name.strip():
        raise InputError("'name' must be a non-empty string")
    return Zone(
        zone_id,
        name.strip(),
        _polygon(geometry),
        _windows(properties),
        frozenset(_strings(properties, "parties")),
        frozenset(_ship_types(properties)),
    )


def _polygon(geometry: Any) -> Polygon | MultiPolygon:
    try:
        found = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ShapelyError) as exc:
        raise InputError(f"bad {geometry.get('type')} coordinates ({exc})") from None
    if not isinstance(found, Polygon | MultiPolygon) or found.is_empty:
        raise InputError("the polygon is empty")
    west, south, east, north = found.bounds
    if max(-west, east) > 180 or max(-south, north) > 90:
        raise InputError("coordinates must be [lon, lat], lon within +-180, lat within +-90")
    if east - west > 180:
        raise InputError(
            "the polygon spans more than 180 degrees of longitude; polygons across the "
            "antimeridian are not supported: split it at 180 degrees into a MultiPolygon"
        )
    if not found.is_valid:
        raise InputError(f"invalid polygon: {explain_validity(found)}")
    return found


def _windows(properties: Mapping[str, Any]) -> tuple[Window, ...]:
    start, end = properties.get("effective_from"), properties.get("effective_to")
    windows = properties.get("windows")
    if windows is not None:
        if start is not None or end is not None:
            raise InputError("give either 'windows' or 'effective_from'/'effective_to'")
        if not isinstance(windows, list) or not all(
            isinstance(w, list) and len(w) == 2 for w in windows
        ):
            raise InputError("'windows' must be a list of [start, end] pairs")
        return tuple(starmap(_window, windows))
    if start is None and end is None:
        return ()
    return (_window(start, end, "effective_from", "effective_to"),)


def _window(start: Any, end: Any, start_key: str = "window", end_key: str = "window") -> Window:
    begins = _BEGINNING if start is None else _time(start, start_key, end=False)
    ends = None if end is None else _time(end, end_key, end=True)
    if ends is not None and ends <= begins:
        raise InputError(f"the window {start} to {end} ends before it starts")
    return begins, ends


def _time(value: Any, key: str, *, end: bool) -> datetime:
    """A UTC datetime; a date alone is its midnight, or the next one for an end."""
    if not isinstance(value, str):
        raise InputError(f"{key!r}: expected an ISO 8601 date or time, not {value!r}")
    text = value.strip()
    try:
        # Python 3.11 reads a trailing Z, and a date alone as its midnight.
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{key!r}: {value!r} is not an ISO 8601 date or time") from None
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at + timedelta(days=1) if end and _DATE.match(text) else at


def _strings(properties: Mapping[str, Any], key: str) -> list[str]:
    values = properties.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise InputError(f"{key!r} must be a list of party ids (or {NEUTRAL!r})")
    return values


def _ship_types(properties: Mapping[str, Any]) -> list[int]:
    values = properties.get("ship_types") or []
    if not isinstance(values, list):
        raise InputError("'ship_types' must be a list of AIS ship types (0 to 99)")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
            raise InputError(f"'ship_types' has {value!r}, not an AIS ship type (0 to 99)")
    return values


class ZoneIndex:
    """Which zones contain which points, for a whole batch of points at once.

    Points outside the zones' joint bounding box cost a NumPy comparison; the others are
    tested against each zone whose box holds them (an STRtree finds those when there are
    many zones) with ``shapely.contains_xy`` on the prepared polygons. A point on a zone's
    boundary is not in it.
    """

    def __init__(self, zones: Sequence[Zone]) -> None:
        self.zones = tuple(zones)
        self._geometries = np.array([zone.geometry for zone in self.zones], dtype=object)
        self._bounds = [zone.geometry.bounds for zone in self.zones]
        if self._bounds:
            box = np.array(self._bounds)
            self._box = (box[:, 0].min(), box[:, 1].min(), box[:, 2].max(), box[:, 3].max())
        self._tree = shapely.STRtree(self._geometries) if len(zones) > _TREE_FROM else None

    def locate(self, lon: FloatArray, lat: FloatArray) -> tuple[IntArray, IntArray]:
        """(point, zone) index pairs of every point inside a zone, by point then zone."""
        none = np.empty(0, np.intp)
        if not self.zones:
            return none, none
        west, south, east, north = self._box
        near = np.flatnonzero((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north))
        if near.size == 0:
            return none, none
        x, y = lon[near], lat[near]
        if self._tree is None:
            points, zones = [], []
            for k, (w, s, e, n) in enumerate(self._bounds):
                candidates = np.flatnonzero((x >= w) & (x <= e) & (y >= s) & (y <= n))
                if candidates.size:
                    inside = shapely.contains_xy(self._geometries[k], x[candidates], y[candidates])
                    points.append(candidates[inside])
                    zones.append(np.full(int(inside.sum()), k, np.intp))
            if not points:
                return none, none
            point, zone = np.concatenate(points), np.concatenate(zones)
        else:
            point, zone = self._tree.query(shapely.points(x, y))
            inside = shapely.contains_xy(self._geometries[zone], x[point], y[point])
            point, zone = point[inside], zone[inside]
        order = np.lexsort((zone, point))
        return near[point[order]], zone[order]

    def containing(self, lon: float, lat: float) -> list[Zone]:
        """The zones holding one position, in file order."""
        _, zone = self.locate(np.array([lon]), np.array([lat]))
        return [self.zones[k] for k in zone.tolist()]


class _Stay:
    """An open zone event: one vessel inside one zone."""

    __slots__ = ("at", "id", "lat", "lon", "mmsi", "sent", "start", "zone")

    def __init__(self, zone: Zone, point: Point) -> None:
        self.zone = zone
        self.mmsi = point.mmsi
        self.start = self.at = point.at  # first and latest point inside
        self.lat, self.lon = point.lat, point.lon  # where it entered
        self.sent: float | None = None  # dwell_min when last handed out
        self.id = event_id(EventKind.ZONE, (self.mmsi,), self.start, zone.id)

    def dwell_min(self) -> float:
        return (self.at - self.start).total_seconds() / 60


class ZoneDetector:
    """Vessels inside zones: one event per vessel and zone, from entry to exit."""

    def __init__(self, roster: Roster, zones: Sequence[Zone], settings: Settings) -> None:
        self.roster = roster
        self.zones = tuple(zones)
        self.settings = settings
        self._index = ZoneIndex(self.zones)
        self._open: dict[int, dict[int, _Stay]] = {}  # mmsi -> zone index -> stay

    def observe(self, points: Sequence[Point], now: datetime) -> list[Event]:
        if not self.zones or not points:
            return []
        columns = Points.of(points)
        point_index, zone_index = self._index.locate(columns.lon, columns.lat)
        inside: dict[int, list[int]] = {}
        for k, z in zip(point_index.tolist(), zone_index.tolist(), strict=True):
            inside.setdefault(k, []).append(z)
        if not inside and not self._open:
            return []
        # Besides points inside a zone, only points of vessels that have an event open, or
        # open one in this batch, can change anything.
        mmsi = columns.mmsi
        vessels = np.union1d(mmsi[point_index], np.fromiter(self._open, np.int64))
        relevant = np.flatnonzero(np.isin(mmsi, vessels))
        out: dict[str, Event] = {}
        touched: dict[str, _Stay] = {}
        for k, point in zip(relevant.tolist(), columns.take(relevant).rows(), strict=True):
            within = inside.get(k, ())
            stays = self._open.get(point.mmsi)
            if stays is not None:
                for z, stay in list(stays.items()):
                    if z in within and self._counts(stay.zone, point):
                        stay.at = point.at
                        touched[stay.id] = stay
                    else:
                        del stays[z]
                        touched.pop(stay.id, None)
                        stay.at = point.at
                        event = self._event(stay, end=point.at)
                        out[event.id] = event
                if not stays:
                    del self._open[point.mmsi]
                    stays = None
            for z in within:
                if (stays is None or z not in stays) and self._counts(self.zones[z], point):
                    stay = _Stay(self.zones[z], point)
                    stays = self._open.setdefault(point.mmsi, {})
                    stays[z] = stay
                    touched[stay.id] = stay
        for key, stay in touched.items():
            dwell = stay.dwell_min()
            if stay.sent is None or dwell - stay.sent >= 1:
                stay.sent = dwell
                out[key] = self._event(stay)
        return list(out.values())

    def open_events(self) -> list[Event]:
        return [self._event(stay) for stays in self._open.values() for stay in stays.values()]

    def _counts(self, zone: Zone, point: Point) -> bool:
        """Whether the point, inside the zone, counts as inside it."""
        if not zone.active(point.at):
            return False
        if not zone.parties and not zone.ship_types:
            return True
        mmsi = point.mmsi
        return zone.watches(self.roster.party(mmsi), self.roster.ship_type(mmsi))

    def _event(self, stay: _Stay, end: datetime | None = None) -> Event:
        return Event(
            stay.id,
            EventKind.ZONE,
            (stay.mmsi,),
            (self.roster.party(stay.mmsi),),
            stay.start,
            end,
            {"type": "Point", "coordinates": [stay.lon, stay.lat]},
            {
                "zone": stay.zone.id,
                "zone_name": stay.zone.name,
                "dwell_min": round(stay.dwell_min(), 2),
            },
        )
