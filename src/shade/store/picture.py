"""The picture at a time T: each vessel's latest point at or before T, if recent enough.

One query, ordered by MMSI, of two parts that the database merges (UNION ALL):

- vessels whose latest point is at or before T (all of them when T is the newest time in
  the store, the common case): that point is in the ``vessels`` row, no join needed;
- vessels seen again since T: their latest point at or before T, found by one probe of the
  (mmsi, at, id) index each.

This is the hot query of the picture (tens of thousands of vessels, many times a minute),
so it is written in SQL by hand and its rows are turned into ``Vessel``s directly: going
through SQLAlchemy's typed rows costs as much again as the query itself. Most of its time
is the driver making a Python value of every column of every row; merging in the database
spares a second list and a sort in Python, and each distinct time becomes a datetime once.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection

from shade.collector import collector_paused
from shade.errors import InputError
from shade.store.schema import EPOCH, MICROSECOND, as_utc, to_micros
from shade.tracks.model import STATIC_FIELDS, Vessel

BBox = tuple[float, float, float, float]

_STATICS = ", ".join(f"v.{name}" for name in STATIC_FIELDS)
_POINT = "at, lat, lon, speed, course, heading, status"
_CURRENT = (
    f"SELECT v.mmsi, v.at, v.lat, v.lon, v.speed, v.course, v.heading, v.status, {_STATICS} "
    "FROM vessels v{hint} WHERE v.at >= {p} AND v.at <= {p}{area}"
)
# SQLite has no LATERAL: the probe is a correlated subquery giving the point's id.
_MOVED_SQLITE = (
    "SELECT v.mmsi, p.at, p.lat, p.lon, p.speed, p.course, p.heading, p.status, "
    f"{_STATICS} FROM vessels v JOIN positions p ON p.id = ("
    "SELECT q.id FROM positions q WHERE q.mmsi = v.mmsi AND q.at <= ? "
    "ORDER BY q.at DESC, q.id DESC LIMIT 1) "
    "WHERE v.at > ? AND p.at >= ?{area}"
)
# PostgreSQL would hash-join the whole positions table against the subquery form once it
# guesses that many vessels moved on; LATERAL keeps it to one index probe per vessel.
_MOVED_POSTGRES = (
    f"SELECT v.mmsi, p.{_POINT.replace(', ', ', p.')}, {_STATICS} FROM vessels v "
    f"CROSS JOIN LATERAL (SELECT {_POINT} FROM positions q WHERE q.mmsi = v.mmsi "
    "AND q.at <= %s ORDER BY q.at DESC, q.id DESC LIMIT 1) p "
    "WHERE v.at > %s AND p.at >= %s{area}"
)
# The two parts are disjoint (a vessel's latest point is at or before T, or after it).
_PICTURE = "{current} UNION ALL {moved} ORDER BY 1"
_SQLITE_COUNTS = (
    "SELECT (SELECT count(*) FROM vessels WHERE at >= ? AND at <= ?), "
    "(SELECT count(*) FROM vessels)"
)
# Past this share of the table in the time window, SQLite reads the whole vessels table in
# MMSI order faster than it jumps through the time index (its planner cannot tell: it keeps
# no histogram of times).
_SQLITE_SCAN_SHARE = 0.2


def check_bbox(bbox: BBox) -> BBox:
    """``bbox`` as (west, south, east, north) degrees; west > east crosses the antimeridian."""
    west, south, east, north = bbox
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise InputError(f"bbox longitudes must be within -180..180, not {west}, {east}")
    if not -90 <= south <= north <= 90:
        raise InputError(
            f"bbox latitudes must be -90 <= south <= north <= 90, not {south}, {north}"
        )
    return bbox


def _area(alias: str, box: BBox | None, p: str) -> tuple[str, list[float]]:
    if box is None:
        return "", []
    west, south, east, north = box
    lat, lon = f"{alias}.lat", f"{alias}.lon"
    if west <= east:
        lons = f"{lon} BETWEEN {p} AND {p}"
    else:
        lons = f"({lon} >= {p} OR {lon} <= {p})"
    return f" AND {lat} BETWEEN {p} AND {p} AND {lons}", [south, north, west, east]


def _intersect(a: BBox, b: BBox) -> BBox | None:
    """The overlap of two boxes that do not cross the antimeridian, or None."""
    west, south = max(a[0], b[0]), max(a[1], b[1])
    east, north = min(a[2], b[2]), min(a[3], b[3])
    return (west, south, east, north) if west <= east and south <= north else None


def vessels_at(
    connection: Connection,
    at: datetime,
    max_age: timedelta,
    bbox: BBox | None = None,
    polygon: Any = None,
) -> list[Vessel]:
    """The picture at ``at``; see ``Store.vessels_at``."""
    box = check_bbox(bbox) if bbox is not None else None
    if polygon is not None:
        # The polygon's bounds narrow the query; the exact test is made on the answer.
        west, south, east, north = (float(x) for x in polygon.bounds)
        if math.isnan(west):
            return []  # an empty polygon
        if box is None:
            box = (west, south, east, north)
        elif box[0] <= box[2]:
            box = _intersect(box, (west, south, east, north))
            if box is None:
                return []
        # A box across the antimeridian stays as it is: the query applies it exactly.
    sqlite = connection.dialect.name == "sqlite"
    p = "?" if sqlite else "%s"
    when: Any = to_micros(at) if sqlite else at
    oldest: Any = to_micros(at - max_age) if sqlite else at - max_age
    hint = ""
    if sqlite:
        (in_window, total), *_ = driver_rows(connection, _SQLITE_COUNTS, [oldest, when])
        hint = " NOT INDEXED" if in_window > _SQLITE_SCAN_SHARE * total else ""
    current_area, current_params = _area("v", box, p)
    moved_area, moved_params = _area("p", box, p)
    sql = _PICTURE.format(
        current=_CURRENT.format(p=p, hint=hint, area=current_area),
        moved=(_MOVED_SQLITE if sqlite else _MOVED_POSTGRES).format(area=moved_area),
    )
    with collector_paused():
        rows = driver_rows(
            connection, sql, [oldest, when, *current_params, when, when, oldest, *moved_params]
        )
        found = _vessels(rows, sqlite)
        del rows  # freed before the collector resumes: it need not walk them first
    if polygon is not None and found:
        lons = np.fromiter((v.lon for v in found), dtype=float, count=len(found))
        lats = np.fromiter((v.lat for v in found), dtype=float, count=len(found))
        inside = shapely.intersects_xy(polygon, lons, lats)
        found = [v for v, keep in zip(found, inside, strict=True) if keep]
    return found


def driver_rows(connection: Connection, sql: str, params: list[Any]) -> list[Any]:
    """Plain tuples straight from the driver, in the connection's transaction."""
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        cursor = driver.execute(sql, params)
    else:
        # Binary rows and a prepared statement: a third less time than text rows.
        cursor = driver.cursor(binary=True)
        cursor.execute(sql, params, prepare=True)
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _vessels(rows: list[Any], sqlite: bool) -> list[Vessel]:
    if not rows:
        return []
    if sqlite:
        epoch, micro, new = EPOCH, MICROSECOND, tuple.__new__
        # Vessels report in the same seconds: each distinct time made a datetime once.
        times = {micros: epoch + micros * micro for micros in {r[1] for r in rows}}
        time_of = times.__getitem__
        # Vessel's fields by position (see _CURRENT): building the tuple at once is twice as
        # fast as slicing the row around the two times.
        return [
            new(
                Vessel,
                (
                    r[0],
                    time_of(r[1]),
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    r[8],
                    r[9],
                    r[10],
                    r[11],
                    r[12],
                    r[13],
                    r[14],
                    r[15],
                    r[16],
                    None if r[17] is None else epoch + r[17] * micro,
                    r[18],
                ),
            )
            for r in rows
        ]
    found = [Vessel._make(row) for row in rows]
    # The engine sets each session's time zone to UTC, so times arrive in UTC; a pooler
    # that drops session settings would break that, hence one look and a fix if need be.
    if found[0].at is not None and found[0].at.tzinfo is not UTC:
        found = [
            v._replace(at=as_utc(v.at), eta=None if v.eta is None else as_utc(v.eta))
            for v in found
            if v.at is not None
        ]
    return found
