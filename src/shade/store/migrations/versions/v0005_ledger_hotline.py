"""The ledger and the hotline: signed entries, checkpoints, cosignatures; channels,
messages and their receipts.

See ``shade.store.schema``. New tables only: the data already stored are not touched.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _time() -> sa.types.TypeEngine[Any]:
    if op.get_bind().dialect.name == "sqlite":
        return sa.BigInteger()
    return sa.TIMESTAMP(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("at", _time(), nullable=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "ledger_readers",
        sa.Column("party", sa.Text(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), sa.ForeignKey("ledger_entries.seq"), primary_key=True),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", _time(), nullable=False),
    )
    op.create_table(
        "ledger_cosignatures",
        sa.Column(
            "size",
            sa.BigInteger(),
            sa.ForeignKey("ledger_checkpoints.size"),
            primary_key=True,
        ),
        sa.Column("party", sa.Text(), primary_key=True),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("at", _time(), nullable=False),
    )
    op.create_table(
        "hotline_channels",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
    )
    op.create_table(
        "hotline_members",
        sa.Column("channel_id", sa.Text(), sa.ForeignKey("hotline_channels.id"), primary_key=True),
        sa.Column("party", sa.Text(), primary_key=True),
    )
    op.create_index("ix_hotline_members_party", "hotline_members", ["party"])
    op.create_table(
        "hotline_messages",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("channel_id", sa.Text(), sa.ForeignKey("hotline_channels.id"), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.ForeignKey("ledger_entries.seq"), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("key", sa.Text()),
        sa.Column("precedence", sa.String(16), nullable=False),
        sa.Column("sent_at", _time(), nullable=False),
        sa.Column("deadline_at", _time(), nullable=False),
        sa.Column("phrase", sa.Text()),
        sa.Column("params", sa.Text()),
        sa.Column("text", sa.Text()),
        sa.Column("english", sa.Text()),
        sa.Column("chinese", sa.Text()),
        sa.Column("event_id", sa.Text()),
        sa.Column("event", sa.Text()),
        sa.UniqueConstraint("author_id", "key", name="ux_hotline_messages_key"),
    )
    op.create_index("ux_hotline_messages_seq", "hotline_messages", ["seq"], unique=True)
    op.create_index("ix_hotline_messages_channel", "hotline_messages", ["channel_id", "sent_at"])
    op.create_table(
        "hotline_receipts",
        sa.Column("message_id", sa.Text(), sa.ForeignKey("hotline_messages.id"), primary_key=True),
        sa.Column("party", sa.Text(), primary_key=True),
        sa.Column("deadline_at", _time(), nullable=False),
        sa.Column("delivered_at", _time()),
        sa.Column("read_at", _time()),
        sa.Column("read_by", sa.Text()),
        sa.Column("acked_at", _time()),
        sa.Column("acked_by", sa.Text()),
        sa.Column("ack_seq", sa.BigInteger()),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("escalated_at", _time()),
    )
    op.create_index("ix_hotline_receipts_open", "hotline_receipts", ["acked_at", "deadline_at"])


def downgrade() -> None:
    for table in (
        "hotline_receipts",
        "hotline_messages",
        "hotline_members",
        "hotline_channels",
        "ledger_cosignatures",
        "ledger_checkpoints",
        "ledger_readers",
        "ledger_entries",
    ):
        op.drop_table(table)
