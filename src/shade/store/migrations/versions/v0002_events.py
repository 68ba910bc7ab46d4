"""Events: what the detectors found, one row per event id; the history by time.

See ``shade.store.schema``. The index of positions by (at, id) is built over all the
points already stored: on a large database this upgrade takes a while.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _time() -> sa.types.TypeEngine[Any]:
    if op.get_bind().dialect.name == "sqlite":
        return sa.BigInteger()
    return sa.TIMESTAMP(timezone=True)


def upgrade() -> None:
    op.create_index("ix_positions_at_id", "positions", ["at", "id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("start_at", _time(), nullable=False),
        sa.Column("end_at", _time()),
        sa.Column("mmsi_a", sa.Integer(), nullable=False),
        sa.Column("mmsi_b", sa.Integer()),
        sa.Column("party_a", sa.Text()),
        sa.Column("party_b", sa.Text()),
        sa.Column("geometry", sa.Text()),
        sa.Column("figures", sa.Text(), nullable=False),
    )
    op.create_index("ix_events_start_at", "events", ["start_at"])
    op.create_index("ix_events_kind_start_at", "events", ["kind", "start_at"])
    op.create_index("ix_events_mmsi_a", "events", ["mmsi_a"])
    op.create_index("ix_events_mmsi_b", "events", ["mmsi_b"])
    op.create_index("ix_events_end_at", "events", ["end_at"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_index("ix_positions_at_id", "positions")
