"""The picture at a time T: each vessel's latest point at or before T, if recent enough.

Two parts, merged in MMSI order:

- vessels whose latest point is at or before T (all of them when T is the newest time in
  the store, the common case): that point is in the ``vessels`` row, no join needed;
- vessels seen again since T: their latest point at or before T is in their history, in
  the segment that began last at or before T (a vessel's segments never overlap in time,
  and hold their points in order: ``segments``): one index probe each.

This is the hot query of the picture (tens of thousands of vessels, many times a minute),
so it is written in SQL by hand and its rows are turned into ``Vessel``s directly: going
through SQLAlchemy's typed rows costs as much again as the query itself. Most of its time
is the driver making a Python value of every column of every row; each distinct time
becomes a datetime once.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection

from shade.collector import collector_paused
from shade.errors import InputError
from shade.store.schema import as_utc
from shade.store.segments import decode_columns
from shade.times import EPOCH, MICROSECOND, datetimes_of, to_micros
from shade.tracks.model import STATIC_FIELDS, Vessel, known

BBox = tuple[float, float, float, float]

_STATICS = ", ".join(f"v.{name}" for name in STATIC_FIELDS)
_CURRENT = (
    f"SELECT v.mmsi, v.at, v.lat, v.lon, v.speed, v.course, v.heading, v.status, {_STATICS} "
    "FROM vessels v{hint} WHERE v.at >= {p} AND v.at <= {p}{area}"
)
_SEGMENT = "s.mmsi, s.n, s.points"
# SQLite has no LATERAL: the probe is a correlated subquery giving the segment's id.
_MOVED_SQLITE = (
    f"SELECT {_SEGMENT}, {_STATICS} FROM vessels v{{hint}} JOIN segments s ON s.id = ("
    "SELECT q.id FROM segments q WHERE q.mmsi = v.mmsi AND q.t0 <= ? "
    "ORDER BY q.t0 DESC LIMIT 1) "
    "WHERE v.at > ? AND s.t1 >= ?"
)
# PostgreSQL would hash-join the whole segments table against the subquery form once it
# guesses that many vessels moved on; LATERAL keeps it to one index probe per vessel.
_MOVED_POSTGRES = (
    f"SELECT {_SEGMENT}, {_STATICS} FROM vessels v CROSS JOIN LATERAL ("
    "SELECT q.mmsi, q.n, q.points, q.t1 FROM segments q WHERE q.mmsi = v.mmsi "
    "AND q.t0 <= %s ORDER BY q.t0 DESC LIMIT 1) s "
    "WHERE v.at > %s AND s.t1 >= %s"
)
_SQLITE_COUNTS = (
    "SELECT (SELECT count(*) FROM vessels WHERE at >= ? AND at <= ?), "
    "(SELECT count(*) FROM vessels WHERE at > ?), (SELECT count(*) FROM vessels)"
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
    when, oldest = to_micros(at), to_micros(at - max_age)
    # The vessels table's times as the backend keeps them; the history's are microseconds.
    v_when: Any = when if sqlite else at
    v_oldest: Any = oldest if sqlite else at - max_age
    hint = moved_hint = ""
    if sqlite:
        counts = [v_oldest, v_when, v_when]
        (in_window, moved_on, total), *_ = driver_rows(connection, _SQLITE_COUNTS, counts)
        hint = " NOT INDEXED" if in_window > _SQLITE_SCAN_SHARE * total else ""
        moved_hint = " NOT INDEXED" if moved_on > _SQLITE_SCAN_SHARE * total else ""
    area, params = _area("v", box, p)
    with collector_paused():
        current = driver_rows(
            connection,
            _CURRENT.format(p=p, hint=hint, area=area),
            [v_oldest, v_when, *params],
        )
        moved = driver_rows(
            connection,
            _MOVED_SQLITE.format(hint=moved_hint) if sqlite else _MOVED_POSTGRES,
            [when, v_when, oldest],
        )
        found = _vessels(current, sqlite) + _latest_before(moved, when, oldest, box, sqlite)
        found.sort(key=itemgetter(0))
        del current, moved  # freed before the collector resumes: it need not walk them first
    if polygon is not None and found:
        lons = np.fromiter((v.lon for v in found), dtype=float, count=len(found))
        lats = np.fromiter((v.lat for v in found), dtype=float, count=len(found))
        inside = shapely.intersects_xy(polygon, lons, lats)
        found = [v for v, keep in zip(found, inside, strict=True) if keep]
    return found


def _latest_before(
    rows: list[Any], when: int, oldest: int, box: BBox | None, sqlite: bool
) -> list[Vessel]:
    """From segment rows (mmsi, n, points, static fields...), one per vessel, each vessel's
    latest point at or before ``when`` if it is at or after ``oldest`` (and in ``box``)."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    decoded = decode_columns(*columns[:3])
    # A segment's points are in order, and its first is at or before ``when``: the latest
    # is the last of those at or before it.
    records = decoded.records
    before = np.flatnonzero(records["at"] <= when)
    segment = decoded.segment[before]
    last = np.ones(len(before), dtype=np.bool_)
    last[:-1] = segment[1:] != segment[:-1]
    chosen = before[last]
    keep = records["at"][chosen] >= oldest
    if box is not None:
        keep &= _in_box(records["lat"][chosen], records["lon"][chosen], box)
    chosen = chosen[keep]
    if not len(chosen):
        return []
    picked = records[chosen]
    rows_of = itemgetter(*decoded.segment[chosen].tolist())
    statics = [_listed(rows_of(column)) for column in columns[3:]]
    if sqlite:  # the ETA, in microseconds
        eta = STATIC_FIELDS.index("eta")
        epoch, micro = EPOCH, MICROSECOND
        statics[eta] = [None if v is None else epoch + v * micro for v in statics[eta]]
    return list(
        map(
            tuple.__new__,
            repeat(Vessel),
            zip(
                decoded.mmsi[chosen].tolist(),
                datetimes_of(picked["at"]),
                picked["lat"].tolist(),
                picked["lon"].tolist(),
                *(known(picked[name]) for name in ("speed", "course", "heading", "status")),
                *statics,
                strict=True,
            ),
        )
    )


def _listed(values: Any) -> list[Any]:
    """What an itemgetter gave: a tuple, or the one value when it was asked for one."""
    return list(values) if isinstance(values, tuple) else [values]


def _in_box(lat: Any, lon: Any, box: BBox) -> Any:
    west, south, east, north = box
    inside = (lat >= south) & (lat <= north)
    if west <= east:
        return inside & (lon >= west) & (lon <= east)
    return inside & ((lon >= west) | (lon <= east))


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
