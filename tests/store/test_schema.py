"""The migrations make exactly the tables ``shade.store.schema`` describes."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shade.store import Store
from shade.store.schema import metadata
from tests.store.make import HEAD


def test_migrations_match_the_schema(store_url: str) -> None:
    with Store.open(store_url) as store, store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_migrations_run_once(store_url: str) -> None:
    with Store.open(store_url) as store, store.engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    Store.open(store_url).close()
    assert [tuple(v) for v in versions] == [(HEAD,)]
