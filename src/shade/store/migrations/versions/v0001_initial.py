"""Initial schema: positions, aside, vessels.

Times are ``timestamptz`` on PostgreSQL and integer microseconds since the epoch (UTC) on
SQLite; see ``shade.store.schema``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _time() -> sa.types.TypeEngine[Any]:
    if op.get_bind().dialect.name == "sqlite":
        return sa.BigInteger()
    return sa.TIMESTAMP(timezone=True)


def _point_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
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
    ]


def upgrade() -> None:
    op.create_table("positions", *_point_columns())
    op.create_index("ix_positions_mmsi_at", "positions", ["mmsi", "at"])
    op.create_table("aside", *_point_columns(), sa.Column("reason", sa.String(32), nullable=False))
    op.create_index("ix_aside_mmsi_at", "aside", ["mmsi", "at"])
    op.create_table(
        "vessels",
        sa.Column("mmsi", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", _time()),
        sa.Column("lat", sa.Float()),
        sa.Column("lon", sa.Float()),
        sa.Column("speed", sa.Float()),
        sa.Column("course", sa.Float()),
        sa.Column("heading", sa.SmallInteger()),
        sa.Column("status", sa.SmallInteger()),
        sa.Column("msg_type", sa.SmallInteger()),
        sa.Column("source", sa.Text()),
        sa.Column("shipname", sa.Text()),
        sa.Column("callsign", sa.Text()),
        sa.Column("imo", sa.Integer()),
        sa.Column("ship_type", sa.SmallInteger()),
        sa.Column("to_bow", sa.SmallInteger()),
        sa.Column("to_stern", sa.SmallInteger()),
        sa.Column("to_port", sa.SmallInteger()),
        sa.Column("to_starboard", sa.SmallInteger()),
        sa.Column("destination", sa.Text()),
        sa.Column("eta", _time()),
        sa.Column("draught", sa.Float()),
        sa.Column("length", sa.SmallInteger()),
        sa.Column("width", sa.SmallInteger()),
    )
    op.create_index("ix_vessels_at", "vessels", ["at"])


def downgrade() -> None:
    op.drop_table("vessels")
    op.drop_table("aside")
    op.drop_table("positions")
