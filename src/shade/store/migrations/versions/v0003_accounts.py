"""Accounts: users, API tokens, the audit log, release rules between parties.

See ``shade.store.schema``. New tables only: the data already stored are not touched.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _time() -> sa.types.TypeEngine[Any]:
    if op.get_bind().dialect.name == "sqlite":
        return sa.BigInteger()
    return sa.TIMESTAMP(timezone=True)


def _row_id() -> sa.Column[Any]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def upgrade() -> None:
    op.create_table(
        "users",
        _row_id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("party", sa.Text()),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("password", sa.Text(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
    )
    op.create_index("ux_users_name", "users", ["name"], unique=True)
    op.create_table(
        "tokens",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("last_used_at", _time()),
        sa.Column("revoked_at", _time()),
    )
    op.create_index("ix_tokens_user_id", "tokens", ["user_id"])
    op.create_table(
        "audit",
        _row_id(),
        sa.Column("at", _time(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.Text()),
        sa.Column("remote", sa.Text()),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_table(
        "release_rules",
        sa.Column("owner", sa.Text(), primary_key=True),
        sa.Column("viewer", sa.Text(), primary_key=True),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Integer()),
        sa.Column("nm", sa.Float()),
        sa.Column("events", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("release_rules")
    op.drop_table("audit")
    op.drop_table("tokens")
    op.drop_table("users")
