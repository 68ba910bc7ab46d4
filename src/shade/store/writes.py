"""Writing an ``Update``: each vessel's points packed into segments, each vessel's row
brought up to date.

Bulk means a few statements per table for the whole batch: ``executemany`` on SQLite
(statements of 500 rows, stepped in C) and ``COPY`` on PostgreSQL (several times faster
than any INSERT there). The history gets a row per vessel (and ten minutes) of the batch,
its points packed (``segments``). A vessel's points that reach back to or before its latest
stored one are merged with the segments they fall among, which are deleted and written
again, so that a vessel's segments never overlap in time: a few rows, and only for points
out of order (``history_rows``). Then the vessels table, touching each vessel once:

- its latest point of the batch, which replaces the stored one unless that is newer
  (latest by time wins; a tie goes to the later write, as the history orders them);
- its static fields, merged over the batch in order, each one replacing the stored value
  (fields a message did not carry are left as they were).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Connection

from shade.store.schema import POINT_COLUMNS, as_utc
from shade.store.segments import BUCKET_MICROS, Decoded, Segment, decode, records_of, segments_of
from shade.store.sources import Sources
from shade.times import to_micros
from shade.tracks.model import STATIC_FIELDS, Points, Static, Update

# (length, width) in metres, from a source that knows only the sums, by MMSI.
Dimensions = Mapping[int, tuple[int | None, int | None]]

_STATIC_COLUMNS = ("mmsi", *STATIC_FIELDS, "length", "width")
_POINTS = ", ".join(POINT_COLUMNS)
_STATICS = ", ".join(_STATIC_COLUMNS)
_SEGMENT_COLUMNS = ("mmsi", "t0", "t1", "n", "points")
_SEGMENTS = ", ".join(_SEGMENT_COLUMNS)
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
    "t0": "int8",
    "t1": "int8",
    "n": "int4",
    "points": "bytea",
}


def aware(update: Update) -> Update:
    """``update`` with naive times taken as UTC (the contract wants them aware; be kind).

    Points come as columns (``Points.of``), whose times are instants already."""
    naive = any(a[0][1].tzinfo is None for a in update.aside) or any(
        _naive(s.at) or _naive(s.fields.get("eta")) for s in update.statics
    )
    points = Points.of(update.points)
    if not naive:
        return update if points is update.points else update._replace(points=points)
    return Update(
        points,
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


def latest_rows(points: Points, sqlite: bool) -> list[tuple[Any, ...]]:
    """Each vessel's latest point (of points of one time, the last) as a vessels row's
    point columns, with the time as the backend keeps it."""
    latest = points.take(points.latest())
    if not sqlite:
        return list(latest.rows())
    return [(p[0], at, *p[2:]) for p, at in zip(latest.rows(), latest.at.tolist(), strict=True)]


# Runs a query and gives its rows: the driver's cursor, in the write's transaction.
Query = Callable[[str, Sequence[Any]], list[Any]]


def history_rows(
    query: Query, mark: str, points: Points, records: Any, latest: Mapping[int, int | None]
) -> tuple[list[Segment], list[int]]:
    """The segments a write adds, and the ids of those it replaces.

    ``records`` are the points' (``segments.records_of``); ``latest`` each vessel's latest
    stored time (µs), None or missing if it has none. A vessel's points of one bucket that
    begin after its latest stored one, as a feed's do, make a new segment. Those that reach
    back to or before it are merged with the segments of that bucket that span their times,
    read with ``query`` (``mark``: the driver's parameter mark), which are then replaced:
    a few segments, whatever the vessel's history (a feed whose clocks disagree sends old
    and new times in every batch).
    """
    bucket = points.at // BUCKET_MICROS
    order = np.lexsort((bucket, points.mmsi))
    mmsi, bucket = points.mmsi[order], bucket[order]
    starts = np.flatnonzero(np.append(True, (mmsi[1:] != mmsi[:-1]) | (bucket[1:] != bucket[:-1])))
    first = np.minimum.reduceat(points.at[order], starts).tolist()
    last = np.maximum.reduceat(points.at[order], starts).tolist()
    late = []
    for vessel, a, b in zip(mmsi[starts].tolist(), first, last, strict=True):
        stored = latest.get(vessel)
        if stored is not None and a <= stored:
            late.append((vessel, a, b))
    if not late:
        return segments_of(points.mmsi, records), []
    old_ids: list[int] = []
    old: list[Decoded] = []
    for start in range(0, len(late), _ROWS_PER_STATEMENT):
        some = late[start : start + _ROWS_PER_STATEMENT]
        sql = _SPANNED.format(values=", ".join([f"({mark}, {mark}, {mark})"] * len(some)))
        rows = query(sql, list(chain.from_iterable(some)))
        old_ids += [row[0] for row in rows]
        old.append(decode([row[1:] for row in rows]))
    merged = Decoded.concat(old)
    mmsi_all = np.concatenate((points.mmsi, merged.mmsi))
    return segments_of(mmsi_all, np.concatenate((records, merged.records))), old_ids


# The segments of each (vessel, first time, last time) that span some of those times: they
# end at or after the first and begin at or before the last (so after first less a bucket).
# Spans are of one bucket each, and so is a segment: no segment answers two of them.
_SPANNED = (
    "SELECT s.id, s.mmsi, s.n, s.points FROM (VALUES {values}) AS w "
    "CROSS JOIN segments s WHERE s.mmsi = w.column1 "
    f"AND s.t0 > w.column2 - {BUCKET_MICROS} AND s.t0 <= w.column3 AND s.t1 >= w.column2"
)


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


def _aside_rows(update: Update, sqlite: bool) -> list[tuple[Any, ...]]:
    """Rows of the aside table: the point, then the reason; times as the backend keeps them."""
    rows = []
    for aside in update.aside:
        p = aside.point
        rows.append((p[0], to_micros(p[1]) if sqlite else p[1], *p[2:], aside.reason.value))
    return rows


def _static_rows(update: Update, dimensions: Dimensions | None, sqlite: bool) -> list[Any]:
    rows = static_rows(update.statics, dimensions)
    if not sqlite:
        return rows
    return [
        row if row[_ETA] is None else (*row[:_ETA], to_micros(row[_ETA]), *row[_ETA + 1 :])
        for row in rows
    ]


# Rows given to one statement of many VALUES: executemany then steps once for each
# statement, not for each row. That is about a tenth faster, and it lets go of the GIL a
# few times a batch rather than once a row: the writing thread does not wait for the
# decoding one to hand it back each time (see ``ingest.behind``). 500 rows of 14 values
# stay far below SQLite's limit of 32,766 parameters.
_ROWS_PER_STATEMENT = 500


def _many(connection: Connection, sql: str, rows: list[Any]) -> None:
    """Run ``sql``, whose ``{values}`` is a VALUES list, for ``rows`` (tuples of equal
    width), 500 rows a statement, in their order: ids follow it, as one by one."""
    width = len(rows[0])
    one = f"({', '.join('?' * width)})"
    run = connection.exec_driver_sql
    whole = len(rows) - len(rows) % _ROWS_PER_STATEMENT
    if whole:
        # One iterator over every value, zipped with itself: tuples of a statement's values.
        values = chain.from_iterable(rows[:whole])
        run(
            sql.format(values=", ".join([one] * _ROWS_PER_STATEMENT)),
            list(zip(*[values] * (width * _ROWS_PER_STATEMENT), strict=True)),
        )
    rest = len(rows) - whole
    if rest:
        run(sql.format(values=", ".join([one] * rest)), tuple(chain.from_iterable(rows[whole:])))


class SqliteWriter:
    """executemany of statements of many rows, stepped in C."""

    # The id the next segment gets (AUTOINCREMENT: never one used before) numbers the write.
    _NEXT_BATCH = "SELECT coalesce(max(seq), 0) + 1 FROM sqlite_sequence WHERE name = 'segments'"
    _LATEST = "SELECT mmsi, at FROM vessels WHERE mmsi IN ({values})"
    _DELETE = "DELETE FROM segments WHERE id IN ({values})"
    _SEGMENTS = f"INSERT INTO segments ({_SEGMENTS}) VALUES {{values}}"
    _UPSERT_POINTS = f"INSERT INTO vessels ({_POINTS}) VALUES {{values}} {_ON_POINT_CONFLICT}"
    _UPSERT_STATICS = f"INSERT INTO vessels ({_STATICS}) VALUES {{values}} {_ON_STATIC_CONFLICT}"
    _ASIDE = f"INSERT INTO aside ({_POINTS}, reason) VALUES {{values}}"

    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def write(self, connection: Connection, update: Update, dimensions: Dimensions | None) -> None:
        points = Points.of(update.points)
        if len(points):
            driver: Any = connection.connection.driver_connection

            def query(sql: str, params: Sequence[Any]) -> list[Any]:
                rows: list[Any] = driver.execute(sql, params).fetchall()
                return rows

            batch = query(self._NEXT_BATCH, ())[0][0]
            records = records_of(points, self.sources.ids(connection, points.source), batch)
            vessels = np.unique(points.mmsi).tolist()
            latest: dict[int, int | None] = {}
            for start in range(0, len(vessels), _ROWS_PER_STATEMENT):
                some = vessels[start : start + _ROWS_PER_STATEMENT]
                latest.update(query(self._LATEST.format(values=", ".join("?" * len(some))), some))
            segments, replaced = history_rows(query, "?", points, records, latest)
            for start in range(0, len(replaced), _ROWS_PER_STATEMENT):
                some = replaced[start : start + _ROWS_PER_STATEMENT]
                query(self._DELETE.format(values=", ".join("?" * len(some))), some)
            _many(connection, self._SEGMENTS, segments)
            _many(connection, self._UPSERT_POINTS, latest_rows(points, sqlite=True))
        if update.aside:
            _many(connection, self._ASIDE, _aside_rows(update, True))
        statics = _static_rows(update, dimensions, sqlite=True)
        if statics:
            _many(connection, self._UPSERT_STATICS, statics)


class PostgresWriter:
    """COPY into the tables; vessel rows through temporary tables, then one statement each."""

    _NEXT_BATCH = "SELECT nextval(pg_get_serial_sequence('segments', 'id'))"
    _CREATE = (
        # Emptied at each commit, so each batch starts from an empty one.
        "CREATE TEMPORARY TABLE IF NOT EXISTS {table} ON COMMIT DELETE ROWS AS "
        "SELECT {columns} FROM vessels WITH NO DATA"
    )
    _UPSERT = "INSERT INTO vessels ({columns}) SELECT {columns} FROM {table} {conflict}"
    # Every vessel of the batch gets its row, and the rows are locked in MMSI order (no
    # deadlock): a writer in another process waits for this one before it looks at the
    # same vessels' history, so that what both write never overlaps.
    _HOLD = (
        "INSERT INTO vessels (mmsi) SELECT mmsi FROM vessel_keys ORDER BY mmsi "
        "ON CONFLICT (mmsi) DO NOTHING"
    )
    _LATEST = (
        "SELECT v.mmsi, v.at FROM vessels v JOIN vessel_keys k ON k.mmsi = v.mmsi "
        "ORDER BY v.mmsi FOR UPDATE OF v"
    )
    _DELETE = "DELETE FROM segments WHERE id = ANY(%s)"

    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def write(self, connection: Connection, update: Update, dimensions: Dimensions | None) -> None:
        driver: Any = connection.connection.driver_connection
        points = Points.of(update.points)
        with driver.cursor() as cursor:
            if len(points):

                def query(sql: str, params: Sequence[Any]) -> list[Any]:
                    cursor.execute(sql, params)
                    rows: list[Any] = cursor.fetchall()
                    return rows

                (batch,) = query(self._NEXT_BATCH, ())[0]
                records = records_of(points, self.sources.ids(connection, points.source), batch)
                keys = [(mmsi,) for mmsi in np.unique(points.mmsi).tolist()]
                self._temporary(cursor, "vessel_keys", ("mmsi",), keys)
                cursor.execute(self._HOLD)
                latest = {mmsi: _micros(at) for mmsi, at in query(self._LATEST, ())}
                segments, replaced = history_rows(query, "%s", points, records, latest)
                if replaced:
                    cursor.execute(self._DELETE, (replaced,))
                self._copy(cursor, "segments", _SEGMENT_COLUMNS, segments)
                self._upsert(
                    cursor,
                    "vessel_points",
                    POINT_COLUMNS,
                    latest_rows(points, sqlite=False),
                    _ON_POINT_CONFLICT,
                )
            if update.aside:
                rows = _aside_rows(update, sqlite=False)
                self._copy(cursor, "aside", (*POINT_COLUMNS, "reason"), rows)
            statics = _static_rows(update, dimensions, sqlite=False)
            if statics:
                self._upsert(
                    cursor, "vessel_statics", _STATIC_COLUMNS, statics, _ON_STATIC_CONFLICT
                )

    def _temporary(
        self, cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """``rows`` in a temporary table of some of the vessels table's columns."""
        cursor.execute(self._CREATE.format(table=table, columns=", ".join(columns)))
        self._copy(cursor, table, columns, rows)

    def _upsert(
        self,
        cursor: Any,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        conflict: str,
    ) -> None:
        self._temporary(cursor, table, columns, rows)
        names = ", ".join(columns)
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


def _micros(at: datetime | None) -> int | None:
    return None if at is None else to_micros(at)
