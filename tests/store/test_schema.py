"""The migrations make exactly the tables ``shade.store.schema`` describes, which is how a
new database is made at once."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from shade.store import Store
from shade.store import engine as engines
from shade.store.schema import metadata
from tests.store.make import HEAD


def test_migrations_match_the_schema(store_url: str) -> None:
    """Every migration in turn, from an empty database, makes what a new database gets."""
    engine = engines.create(engines.resolve_url(store_url))
    try:
        engines.upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert version.all() == [(HEAD,)]
    finally:
        engine.dispose()


def test_a_new_database_is_made_from_the_schema_at_the_newest_revision(store_url: str) -> None:
    with Store.open(store_url) as store, store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
        assert set(inspect(connection).get_table_names()) == {*metadata.tables, "alembic_version"}
        assert MigrationContext.configure(connection).get_current_revision() == HEAD


def test_migrations_run_once(store_url: str) -> None:
    with Store.open(store_url) as store, store.engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    Store.open(store_url).close()
    assert [tuple(v) for v in versions] == [(HEAD,)]
