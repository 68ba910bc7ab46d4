"""Alembic's entry point: migrate the connection ``shade.store`` hands over, nothing else."""

from __future__ import annotations

from alembic import context


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("shade's migrations run from shade.store (Store.open), not alone")
    # Batch mode lets later revisions alter tables on SQLite, which has little ALTER TABLE.
    context.configure(connection=connection, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
