"""Fixtures shared by every test: where the real recorded data lives, and how to read it;
fresh real databases for the store (``store_url``; ``--db=postgresql`` for PostgreSQL).

The data sit beside the repository in ../shared/data (see its SOURCES.md). Tests never copy
them; a checkout without them fails here with one clear line rather than skipping.
"""

from __future__ import annotations

import gzip
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
AIS_NMEA = SHARED_DATA / "ais_nmea"
MARINECADASTRE_CSV = (
    SHARED_DATA / "ais_tracks" / "marinecadastre_AIS_2022_01_03_first99999rows.csv.gz"
)


def read_lines(path: Path) -> list[bytes]:
    """Every line of a capture, plain or gzip, line endings removed."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return [line.rstrip(b"\r\n") for line in handle]


def nmea_files() -> list[Path]:
    if not AIS_NMEA.is_dir():
        raise RuntimeError(f"the recorded AIS data are missing: expected them in {AIS_NMEA}")
    return sorted(p for p in AIS_NMEA.iterdir() if p.is_file())


@pytest.fixture(scope="session")
def ais_nmea_dir() -> Path:
    if not AIS_NMEA.is_dir():
        pytest.fail(f"the recorded AIS data are missing: expected them in {AIS_NMEA}")
    return AIS_NMEA


# Databases: every test that needs one gets a fresh, empty, real database. SQLite by
# default; with --db=postgresql, a new database on the PostgreSQL server named by
# SHADE_TEST_POSTGRES_URL (a role that may create databases), dropped after the test.
POSTGRES_ENV = "SHADE_TEST_POSTGRES_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help=f"backend of the store tests (postgresql needs ${POSTGRES_ENV})",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --db=postgresql, only the tests that use a database run: those that ask for
    the ``backend`` fixture, which ``database`` needs (so through ``store_url`` or any
    fixture that makes one). The others do not depend on the backend, and the SQLite run
    has run them already. They are deselected, not skipped: the run says how many."""
    if config.getoption("--db") != "postgresql":
        return
    kept, dropped = [], []
    for item in items:
        (kept if "backend" in getattr(item, "fixturenames", ()) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--db") == "postgresql" and not os.environ.get(POSTGRES_ENV):
        raise pytest.UsageError(
            f"--db=postgresql needs {POSTGRES_ENV}=postgresql://USER:PASSWORD@HOST/postgres "
            "(a role that may create databases)"
        )


def postgres_server() -> str | None:
    """The PostgreSQL server for tests, if one is configured."""
    return os.environ.get(POSTGRES_ENV) or None


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A new, empty database on ``server`` for the duration; its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"shade_test_{uuid.uuid4().hex[:12]}"
    admin = make_url(server).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            for attempt in range(20):
                try:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except psycopg.errors.InsufficientPrivilege:
                    # An autovacuum worker (the server's, not ours to end) is in the new
                    # database: it leaves within moments.
                    if attempt == 19:
                        raise
                    time.sleep(0.25)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The backend the run is for (--db): what ``database`` is given."""
    return str(request.config.getoption("--db"))


@contextmanager
def database(backend: str, directory: Path) -> Iterator[str]:
    """A fresh database of ``backend`` (the fixture): its URL."""
    if backend == "postgresql":
        server = postgres_server()
        assert server is not None  # pytest_configure made sure
        with postgres_database(server) as url:
            yield url
    else:
        yield f"sqlite:///{directory / 'shade.db'}"


@pytest.fixture
def store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test (SQLite or PostgreSQL, after --db)."""
    with database(backend, tmp_path) as url:
        yield url
