"""The history in segments: each vessel's points of a write packed in one row.

``positions`` (a row per point) becomes ``segments`` and ``sources`` (see
``shade.store.segments``), and vessels get ``overlap``. The points already stored are
moved over, 100,000 at a time in the order of their ids, each lot as one write would store
it: the history keeps its order, ties included. On a large database this takes a while.

The points are packed in ``segments.FORMAT`` as this revision knows it: a later change of
the format comes with a migration of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import op

from shade.store.segments import decode, encode
from shade.store.sources import Sources
from shade.times import datetimes_of
from shade.tracks.model import Point, Points

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_LOT = 100_000
_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_POINT = ("mmsi", "at", "lat", "lon", "speed", "course", "heading", "status", "msg_type", "source")
_SEGMENT = ("mmsi", "batch", "t0", "t1", "n", "points")


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
        sa.Column("batch", sa.BigInteger(), nullable=False),
        sa.Column("t0", sa.BigInteger(), nullable=False),
        sa.Column("t1", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("points", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_segments_mmsi_t0", "segments", ["mmsi", "t0", "batch"])
    op.create_index("ix_segments_t0", "segments", ["t0", "id"])
    with op.batch_alter_table("vessels") as vessels:
        vessels.add_column(
            sa.Column("overlap", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _move_positions()
    op.drop_table("positions")


def _move_positions() -> None:
    connection = op.get_bind()
    sqlite = _sqlite()
    sources = Sources()
    segments = sa.table("segments", *(sa.column(name) for name in _SEGMENT))
    reach: dict[int, int] = {}  # each vessel's latest time moved so far
    overlapping: set[int] = set()
    select = f"SELECT id, {', '.join(_POINT)} FROM positions WHERE id > {{}} ORDER BY id"
    last, batch = 0, 0
    while rows := connection.exec_driver_sql(f"{select.format(last)} LIMIT {_LOT}").all():
        last, batch = rows[-1][0], batch + 1
        at = [row[2] for row in rows]
        times = datetimes_of(np.array(at, dtype=np.int64)) if sqlite else at
        points = Points.of([Point(row[1], t, *row[3:]) for row, t in zip(rows, times, strict=True)])
        written = encode(points, sources.ids(connection, points.source), batch)
        sources.committed()
        connection.execute(
            segments.insert(), [dict(zip(_SEGMENT, s, strict=True)) for s in written]
        )
        for mmsi, _, t0, t1, _, _ in written:
            if mmsi in reach and t0 < reach[mmsi]:
                overlapping.add(mmsi)
            reach[mmsi] = max(reach.get(mmsi, t1), t1)
    vessels = sa.table("vessels", sa.column("mmsi"), sa.column("overlap"))
    flagged = sorted(overlapping)
    for start in range(0, len(flagged), 500):
        some = flagged[start : start + 500]
        connection.execute(
            vessels.update().where(vessels.c.mmsi.in_(some)).values(overlap=sa.true())
        )


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
    select = "SELECT id, mmsi, batch, n, points FROM segments WHERE id > {} ORDER BY id LIMIT {}"
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
    with op.batch_alter_table("vessels") as vessels:
        vessels.drop_column("overlap")
