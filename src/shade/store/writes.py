"""Writing an ``Update``: points appended in bulk, each vessel's row brought up to date.

Bulk means one statement per table for the whole batch: ``executemany`` on SQLite (one
prepared statement of 500 rows, stepped in C) and ``COPY`` on PostgreSQL (several times
faster than any INSERT there). The vessels table gets two upserts, each touching a vessel once:

- its latest point of the batch, which replaces the stored one unless that is newer
  (latest by time wins; a tie goes to the later write, as ``positions``' ids do);
- its static fields, merged over the batch in order, each one replacing the stored value
  (fields a message did not carry are left as they were).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection

from shade.store.schema import EPOCH, MICROSECOND, POINT_COLUMNS, as_utc, to_micros
from shade.tracks.model import STATIC_FIELDS, Point, Static, Update

# (length, width) in metres, from a source that knows only the sums, by MMSI.
Dimensions = Mapping[int, tuple[int | None, int | None]]

_STATIC_COLUMNS = ("mmsi", *STATIC_FIELDS, "length", "width")
_POINTS = ", ".join(POINT_COLUMNS)
_STATICS = ", ".join(_STATIC_COLUMNS)
_ON_POINT_CONFLICT = (
    "ON CONFLICT (mmsi) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in POINT_COLUMNS[1:])
    + " WHERE vessels.at IS NULL OR excluded.at >= vessels.at"
)
_ON_STATIC_CONFLICT = "ON CONFLICT (mmsi) DO UPDATE SET " + ", ".join(
    f"{c} = COALESCE(excluded.{c}, vessels.{c})" for c in _STATIC_COLUMNS[1:]
)
_ETA = _STATIC_COLUMNS.index("eta")
# PostgreSQL types of the columns, for binary COPY (which needs them said).
_PG_TYPES = {
    "mmsi": "int4",
    "at": "timestamptz",
    "lat": "float8",
    "lon": "float8",
    "speed": "float8",
    "course": "float8",
    "heading": "int2",
    "status": "int2",
    "msg_type": "int2",
    "source": "text",
    "reason": "text",
    "shipname": "text",
    "callsign": "text",
    "imo": "int4",
    "ship_type": "int2",
    "to_bow": "int2",
    "to_stern": "int2",
    "to_port": "int2",
    "to_starboard": "int2",
    "destination": "text",
    "eta": "timestamptz",
    "draught": "float8",
    "length": "int2",
    "width": "int2",
}


def aware(update: Update) -> Update:
    """``update`` with naive times taken as UTC (the contract wants them aware; be kind)."""
    naive = (
        # Points come in runs that share a datetime object: each distinct one looked at.
        any(at.tzinfo is None for at in set(map(itemgetter(1), update.points)))
        or any(a[0][1].tzinfo is None for a in update.aside)
        or any(_naive(s.at) or _naive(s.fields.get("eta")) for s in update.statics)
    )
    if not naive:
        return update
    return Update(
        [p._replace(at=as_utc(p.at)) for p in update.points],
        [a._replace(point=a.point._replace(at=as_utc(a.point.at))) for a in update.aside],
        [
            s._replace(at=as_utc(s.at), fields={k: _utc_value(v) for k, v in s.fields.items()})
            for s in update.statics
        ],
    )


def _naive(value: object) -> bool:
    return isinstance(value, datetime) and value.tzinfo is None


def _utc_value(value: Any) -> Any:
    return as_utc(value) if isinstance(value, datetime) else value


def latest_points(points: Iterable[Point]) -> list[Point]:
    """Each vessel's latest point; of points with the same time, the last one."""
    latest: dict[int, Point] = {}
    for point in points:
        held = latest.get(point[0])
        if held is None or point[1] >= held[1]:
            latest[point[0]] = point
    return list(latest.values())


def _sum(fields: Mapping[str, object], a: str, b: str) -> int | None:
    x, y = fields.get(a), fields.get(b)
    return x + y if isinstance(x, int) and isinstance(y, int) else None


def static_rows(statics: Sequence[Static], dimensions: Dimensions | None) -> list[tuple[Any, ...]]:
    """One row per vessel, in ``_STATIC_COLUMNS`` order: its fields merged in batch order.

    Length and width are to_bow + to_stern and to_port + to_starboard when a message gave
    both halves, else the ``dimensions`` given. Fields outside STATIC_FIELDS are not the
    store's to keep and are left out.
    """
    merged: dict[int, dict[str, Any]] = {}
    for static in statics:
        fields = merged.get(static.mmsi)
        if fields is None:
            merged[static.mmsi] = dict(static.fields)
        else:
            fields.update(static.fields)
    dimensions = dimensions or {}
    rows = []
    for mmsi in merged.keys() | dimensions.keys():
        fields = merged.get(mmsi, {})
        length, width = dimensions.get(mmsi, (None, None))
        rows.append(
            (
                mmsi,
                *map(fields.get, STATIC_FIELDS),
                _sum(fields, "to_bow", "to_stern") if length is None else length,
                _sum(fields, "to_port", "to_starboard") if width is None else width,
            )
        )
    return rows


def _with_micros(points: Sequence[Point]) -> list[tuple[Any, ...]]:
    """Point rows with the time as SQLite keeps it (integer microseconds)."""
    epoch, micro = EPOCH, MICROSECOND
    # Points come in runs that share a datetime object: each distinct one converted once.
    micros = {at: (at - epoch) // micro for at in {p[1] for p in points}}
    return [(p[0], micros[p[1]], *p[2:]) for p in points]


# Rows of a table inserted by one statement of many VALUES: executemany then steps once for
# each of them, not for each row, and a batch's points go in about a tenth faster. 500 rows
# of 11 values stay far below SQLite's limit of 32,766 parameters.
_ROWS_PER_INSERT = 500


def _insert(table: str, columns: str, width: int, rows: int) -> str:
    one = f"({', '.join('?' * width)})"
    return f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * rows)}"


def _insert_rows(connection: Connection, table: str, columns: str, rows: list[Any]) -> None:
    """Insert ``rows`` (tuples of equal width) in their order: ids follow it, as one by one."""
    width = len(rows[0])
    whole = len(rows) - len(rows) % _ROWS_PER_INSERT
    run = connection.exec_driver_sql
    if whole:
        # One iterator over every value, zipped with itself: tuples of a statement's values.
        values = chain.from_iterable(rows[:whole])
        run(
            _insert(table, columns, width, _ROWS_PER_INSERT),
            list(zip(*[values] * (width * _ROWS_PER_INSERT), strict=True)),
        )
    if whole < len(rows):
        run(_insert(table, columns, width, 1), rows[whole:])


class SqliteWriter:
    """executemany: all rows of a table go to one prepared statement, stepped in C."""

    _UPSERT_POINTS = f"INSERT INTO vessels ({_POINTS}) VALUES ({', '.join('?' * 10)}) " + (
        _ON_POINT_CONFLICT
    )
    _UPSERT_STATICS = (
        f"INSERT INTO vessels ({_STATICS}) VALUES ({', '.join('?' * len(_STATIC_COLUMNS))}) "
        + _ON_STATIC_CONFLICT
    )

    def write(self, connection: Connection, update: Update, dimensions: Dimensions | None) -> None:
        run = connection.exec_driver_sql
        if update.points:
            _insert_rows(connection, "positions", _POINTS, _with_micros(update.points))
            run(self._UPSERT_POINTS, _with_micros(latest_points(update.points)))
        if update.aside:
            rows = [
                (*row, a.reason.value)
                for row, a in zip(
                    _with_micros([a.point for a in update.aside]), update.aside, strict=True
                )
            ]
            _insert_rows(connection, "aside", f"{_POINTS}, reason", rows)
        statics = static_rows(update.statics, dimensions)
        if statics:
            rows = [
                row if row[_ETA] is None else (*row[:_ETA], to_micros(row[_ETA]), *row[_ETA + 1 :])
                for row in statics
            ]
            run(self._UPSERT_STATICS, rows)


class PostgresWriter:
    """COPY into the tables; vessel rows through temporary tables, then one upsert each."""

    _CREATE = (
        # Emptied at each commit, so each batch starts from an empty one.
        "CREATE TEMPORARY TABLE IF NOT EXISTS {table} ON COMMIT DELETE ROWS AS "
        "SELECT {columns} FROM vessels WITH NO DATA"
    )
    _UPSERT = "INSERT INTO vessels ({columns}) SELECT {columns} FROM {table} {conflict}"

    def write(self, connection: Connection, update: Update, dimensions: Dimensions | None) -> None:
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor:
            if update.points:
                self._copy(cursor, "positions", POINT_COLUMNS, update.points)
                self._upsert(
                    cursor,
                    "vessel_points",
                    POINT_COLUMNS,
                    latest_points(update.points),
                    _ON_POINT_CONFLICT,
                )
            if update.aside:
                rows = [(*a.point, a.reason.value) for a in update.aside]
                self._copy(cursor, "aside", (*POINT_COLUMNS, "reason"), rows)
            statics = static_rows(update.statics, dimensions)
            if statics:
                self._upsert(
                    cursor, "vessel_statics", _STATIC_COLUMNS, statics, _ON_STATIC_CONFLICT
                )

    def _upsert(
        self,
        cursor: Any,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        conflict: str,
    ) -> None:
        names = ", ".join(columns)
        cursor.execute(self._CREATE.format(table=table, columns=names))
        self._copy(cursor, table, columns, rows)
        cursor.execute(self._UPSERT.format(columns=names, table=table, conflict=conflict))

    @staticmethod
    def _copy(
        cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        # Binary COPY: about four times the rows per second of text COPY.
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(statement) as copy:
            copy.set_types([_PG_TYPES[name] for name in columns])
            for row in rows:
                copy.write_row(row)
