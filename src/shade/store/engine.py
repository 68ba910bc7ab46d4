"""Opening a database: which URL, the engine with each backend's settings, the migrations.

A URL is ``sqlite:///PATH`` (or a bare path), ``sqlite://`` for memory, or
``postgresql://USER:PASSWORD@HOST:PORT/DB`` (``postgres://`` and ``postgresql+psycopg://``
too; the driver is psycopg 3). No URL means a SQLite file in the user's data directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from shade.errors import InputError, NotFoundError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed number: PostgreSQL sessions opening the same database migrate one at a time.
_MIGRATION_LOCK = 0x5AADE
_BUSY_TIMEOUT_MS = 30_000
_CACHE_KIB = 64 * 1024
_CHECKPOINT_PAGES = 10_000  # about 40 MB of WAL
_WAL_KEEP_BYTES = 64 * 1024 * 1024


def default_path() -> Path:
    """The SQLite file used when no URL is given, e.g. ~/.local/share/shade/shade.db."""
    return platformdirs.user_data_path("shade", appauthor=False) / "shade.db"


def resolve_url(url: str | None) -> URL:
    """The SQLAlchemy URL for what a user typed; raises InputError for what cannot be used."""
    if url is None:
        return URL.create("sqlite", database=str(default_path()))
    text = url.strip()
    if not text:
        raise InputError("database URL is empty")
    if "://" not in text:
        return URL.create("sqlite", database=text)
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):
        raise InputError(f"database URL {text!r} cannot be parsed") from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed.set(drivername="sqlite")
    raise InputError(
        f"database URL {parsed.render_as_string(hide_password=True)!r}: use sqlite:///PATH "
        "or postgresql://USER:PASSWORD@HOST/DB"
    )


def _memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def create(url: URL, new: bool = True) -> Engine:
    """An engine for ``url`` with its backend's settings (see the notes in each branch).

    ``new=False``: a SQLite file that does not exist is a NotFoundError rather than made, so
    that a mistyped path given to a command that only reads says so instead of answering
    from an empty database.
    """
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, new)
    # Sessions in UTC, so timestamptz values come back with UTC as their zone.
    return create_engine(
        url,
        connect_args={"options": "-c timezone=UTC", "connect_timeout": 10},
        pool_pre_ping=True,
    )


def _sqlite_engine(url: URL, new: bool) -> Engine:
    kwargs: dict[str, Any] = {}
    if _memory(url):
        # Every connection to ":memory:" is a new database: share one.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        path = Path(url.database or "")
        if path.is_dir():
            raise InputError(f"database {path} is a directory, not a SQLite file")
        if not new and not path.exists():
            raise NotFoundError(f"no database at {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"database {path}: cannot create {path.parent} ({exc})") from None
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # sqlite3's own transaction handling skips BEGIN before SELECT and DDL; SQLAlchemy
        # emits BEGIN instead (below), so reads see one snapshot and migrations are atomic.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer nor it them. NORMAL is durable across a
        # crash of the process (kill -9); only a power cut may lose the last commits.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        # A batch touches one index page per vessel in it: a page cache that holds the
        # (mmsi, at) index of millions of points, and fewer, larger checkpoints, keep bulk
        # writes near their speed on an empty file (measured by bench/store.py).
        cursor.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={_CHECKPOINT_PAGES}")
        cursor.execute(f"PRAGMA journal_size_limit={_WAL_KEEP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock at BEGIN (waiting up to busy_timeout) rather than
        # failing at once when a read transaction would have to become a write one.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


@cache  # read once a process: every Store.open asks
def newest_revision() -> str:
    """The newest migration's revision: each is in ``versions/vNNNN_what.py`` as ``NNNN``."""
    return max(path.name[1:5] for path in (MIGRATIONS / "versions").glob("v[0-9]*_*.py"))


def _revision(engine: Engine) -> str | None:
    """The revision the database is at; None when it has none yet."""
    with engine.connect() as connection, connection.begin():
        if not inspect(connection).has_table("alembic_version"):
            return None
        found: str | None = connection.exec_driver_sql(
            "SELECT version_num FROM alembic_version"
        ).scalar()
        return found


def migrate(engine: Engine) -> None:
    """Bring the database up to the newest revision, one process at a time.

    A database at the newest revision, as most are, is opened without Alembic, a fifth of
    a second of imports that every command would otherwise pay. A new one (no tables) is
    made at once from ``schema`` and marked as at the newest revision, as Alembic advises
    (``tests/store/test_schema.py`` checks that the migrations make the same tables); one
    at an older revision is upgraded by the migrations (``upgrade``).
    """
    found = _revision(engine)
    if found == newest_revision():
        return
    if found is None:
        with _locked(engine) as connection:
            if not inspect(connection).get_table_names():
                _create(connection)
                return
    upgrade(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision``, one process at a time."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    # configparser reads "%" as interpolation.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    with _locked(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database against other processes migrating it."""
    with (
        engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
        connection.begin(),
    ):
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        yield connection


def _create(connection: Connection) -> None:
    """Make every table of a new database, and mark it as at the newest revision."""
    from shade.store.schema import metadata

    metadata.create_all(connection)
    # The table Alembic keeps its revision in, as Alembic makes it.
    version = Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(connection)
    connection.execute(version.insert().values(version_num=newest_revision()))
