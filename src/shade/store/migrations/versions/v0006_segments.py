"""The history in segments: each vessel's points packed a write (and ten minutes) to a row.

``positions`` (a row per point) becomes ``segments`` and ``sources`` (see
``shade.store.segments``). The points already stored are moved over vessel by vessel in
time order, 100,000 at a time, each ten minutes of a vessel one segment; their ``seq`` is
their id, so the history keeps its order, ties included, and later writes are numbered
after them. On a large database this takes a while.

The points are packed in ``segments.FORMAT`` as this revision knows it: a later change of
the format comes with a migration of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import op

from shade.store.segments import BUCKET_MICROS, PLACE_BITS, decode, records_of, segments_of
from shade.store.sources import Sources
from shade.times import datetimes_of, to_micros
from shade.tracks.model import Point, Points

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_LOT = 100_000
_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_POINT = ("mmsi", "at", "lat", "lon", "speed", "course", "heading", "status", "msg_type", "source")
_SEGMENT = ("mmsi", "t0", "t1", "n", "points")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _time() -> sa.types.TypeEngine[Any]:
    return sa.BigInteger() if _sqlite() else sa.TIMESTAMP(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text(), nullable=False),
    )
    op.create_index("ux_sources_name", "sources", ["name"], unique=True)
    op.create_table(
        "segments",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("mmsi", sa.Integer(), nullable=False),
        sa.Column("t0", sa.BigInteger(), nullable=False),
        sa.Column("t1", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("points", sa.LargeBinary(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_segments_mmsi_t0", "segments", ["mmsi", "t0"])
    op.create_index("ix_segments_t0", "segments", ["t0", "id"])
    _move_positions()
    op.drop_table("positions")


def _move_positions() -> None:
    connection = op.get_bind()
    sqlite = _sqlite()
    p = "?" if sqlite else "%s"
    sources = Sources()
    segments = sa.table("segments", *(sa.column(name) for name in _SEGMENT))
    select = f"SELECT id, {', '.join(_POINT)} FROM positions "
    page = f"ORDER BY mmsi, at, id LIMIT {_LOT}"
    after = f"WHERE (mmsi, at, id) > ({p}, {p}, {p}) "
    held: list[Any] = []  # a vessel's ten minutes that the next page may go on with
    largest = 0
    place: tuple[Any, ...] = ()
    while True:
        found = list(connection.exec_driver_sql(select + (after if place else "") + page, place))
        if found:
            place = (found[-1][1], found[-1][2], found[-1][0])
            largest = max(largest, max(row[0] for row in found))
        rows, held = held + found, []
        if len(found) == _LOT:
            cut = len(rows)
            while cut > 0 and _bucket_of(rows[cut - 1], sqlite) == _bucket_of(rows[-1], sqlite):
                cut -= 1
            rows, held = rows[:cut], rows[cut:]
        if rows:
            _write(connection, sources, segments, rows, sqlite)
        if len(found) < _LOT:
            break
    # The next write's number shifted past every id moved: its points come after them.
    following_batch = (largest >> PLACE_BITS) + 1
    if largest and sqlite:
        connection.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'segments'",
            (following_batch,),
        )
    elif largest:
        connection.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('segments', 'id'), "
            "greatest((SELECT max(id) FROM segments), %s))",
            (following_batch,),
        )


def _bucket_of(row: Any, sqlite: bool) -> tuple[int, int]:
    at = row[2] if sqlite else to_micros(row[2])
    return row[1], at // BUCKET_MICROS


def _write(connection: Any, sources: Sources, table: Any, rows: list[Any], sqlite: bool) -> None:
    """Points of positions rows (id, then the point's columns) as segments."""
    at = [row[2] for row in rows]
    times = datetimes_of(np.array(at, dtype=np.int64)) if sqlite else at
    points = Points.of([Point(row[1], t, *row[3:]) for row, t in zip(rows, times, strict=True)])
    records = records_of(points, sources.ids(connection, points.source), 0)
    records["seq"] = [row[0] for row in rows]  # the id: the order of old
    sources.committed()
    written = segments_of(points.mmsi, records)
    connection.execute(table.insert(), [dict(zip(_SEGMENT, s, strict=True)) for s in written])


def downgrade() -> None:
    op.create_table(
        "positions",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("mmsi", sa.Integer(), nullable=False),
        sa.Column("at", _time(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("speed", sa.Float()),
        sa.Column("course", sa.Float()),
        sa.Column("heading", sa.SmallInteger()),
        sa.Column("status", sa.SmallInteger()),
        sa.Column("msg_type", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.Text()),
    )
    op.create_index("ix_positions_mmsi_at", "positions", ["mmsi", "at"])
    op.create_index("ix_positions_at_id", "positions", ["at", "id"])
    connection = op.get_bind()
    sqlite = _sqlite()
    names: dict[int, str] = dict(connection.exec_driver_sql("SELECT id, name FROM sources").all())
    table = [names.get(k) for k in range(max(names, default=-1) + 1)]
    positions = sa.table("positions", *(sa.column(name) for name in _POINT))
    select = "SELECT id, mmsi, n, points FROM segments WHERE id > {} ORDER BY id LIMIT {}"
    last = 0
    # A lot of segments at a time, in the order written.
    while rows := connection.exec_driver_sql(select.format(last, _LOT // 10)).all():
        last = rows[-1][0]
        found = decode([tuple(row[1:]) for row in rows])
        points = found.take(found.in_history_order()).points(table)
        times: list[Any] = points.at.tolist() if sqlite else datetimes_of(points.at)
        connection.execute(
            positions.insert(),
            [
                dict(zip(_POINT, (p[0], t, *p[2:]), strict=True))
                for p, t in zip(points.rows(), times, strict=True)
            ],
        )
    op.drop_table("segments")
    op.drop_table("sources")
