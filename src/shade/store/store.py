"""``Store``: the one interface to the database, SQLite or PostgreSQL alike.

    with Store.open("postgresql://shade@db/shade") as store:   # None: the default SQLite file
        store.write(update)                                   # one transaction per Update
        store.vessels_at(at, bbox=(42, 10, 54, 16))           # the picture at a time
        store.track(mmsi, start, end)                         # one vessel's points, in order

Writes come from one thread (SQLite has one writer per file; a PostgreSQL deployment may
have several processes writing, each with its own Store). Reads may come from any thread.
A failure of the database becomes a ``ShadeError`` with a one-line message: no driver
traceback reaches the user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from shade.config import Settings
from shade.errors import ShadeError
from shade.store import engine as engines
from shade.store import picture, queries
from shade.store.picture import BBox
from shade.store.schema import as_utc
from shade.store.writes import Dimensions, PostgresWriter, SqliteWriter, aware
from shade.tracks.model import Aside, Point, Update, Vessel


def _one_line(exc: BaseException) -> str:
    # Driver messages run over several lines (DETAIL, HINT, the SQL): the first says it.
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


class Store:
    """An open database; use ``Store.open``, and close it (or use it as a context manager)."""

    def __init__(self, engine: Engine, url: URL, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._url = url
        self._writer = SqliteWriter() if engine.dialect.name == "sqlite" else PostgresWriter()
        self._errors: tuple[type[BaseException], ...] = (
            SQLAlchemyError,
            engine.dialect.loaded_dbapi.Error,
        )

    @classmethod
    def open(cls, url: str | None = None, settings: Settings | None = None) -> Store:
        """Open (creating if need be) and migrate the database at ``url``.

        None means a SQLite file in the user's data directory (``default_path``); no
        settings, the defaults (the commands pass ``load_settings()``). Raises
        InputError for a URL that cannot be used, ShadeError when the database cannot be
        reached or migrated.
        """
        resolved = engines.resolve_url(url)
        engine = engines.create(resolved)
        store = cls(engine, resolved, settings or Settings())
        try:
            with store._failures("cannot be opened"):
                engines.migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def url(self) -> str:
        """The database's URL, printable: the password is hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """Which database: sqlite or postgresql."""
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _failures(self, doing: str) -> Iterator[None]:
        try:
            yield
        except self._errors as exc:
            raise ShadeError(f"database {self.url} {doing}: {_one_line(exc)}") from exc

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with (
            self._failures("cannot be read"),
            self.engine.connect() as connection,
            connection.begin(),
        ):
            yield connection

    # Writing

    def write(self, update: Update) -> None:
        """Store one batch in one transaction: all of it, or (on failure) none of it."""
        self._write(update)

    def _write(self, update: Update, dimensions: Dimensions | None = None) -> None:
        if not (update.points or update.aside or update.statics or dimensions):
            return
        with (
            self._failures("cannot be written"),
            self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
            connection.begin(),
        ):
            self._writer.write(connection, aware(update), dimensions)

    # Reading

    def vessels_at(
        self,
        at: datetime | None = None,
        bbox: BBox | None = None,
        polygon: Any = None,
    ) -> list[Vessel]:
        """Each vessel's latest point at or before ``at``, if at most picture_max_age old.

        ``at`` None means the time of the newest point in the store (never the clock).
        ``bbox`` is (west, south, east, north) in degrees, west > east crossing the
        antimeridian; ``polygon`` a shapely Polygon or MultiPolygon in lon, lat, not across
        the antimeridian (points on its edge are in); with both, a vessel must be in both.
        Static fields are the vessel's latest known, whatever ``at``.
        Ordered by MMSI.
        """
        max_age = timedelta(minutes=self.settings.picture_max_age_minutes)
        with self._reading() as connection:
            when = as_utc(at) if at is not None else queries.latest_time(connection)
            if when is None:
                return []
            return picture.vessels_at(connection, when, max_age, bbox, polygon)

    def track(
        self, mmsi: int, start: datetime | None = None, end: datetime | None = None
    ) -> list[Point]:
        """The vessel's history points with start <= at <= end, in time order."""
        with self._reading() as connection:
            return queries.track(connection, mmsi, _utc(start), _utc(end))

    def aside(
        self, mmsi: int, start: datetime | None = None, end: datetime | None = None
    ) -> list[Aside]:
        """The vessel's kept-aside points with start <= at <= end, in time order."""
        with self._reading() as connection:
            return queries.aside_points(connection, mmsi, _utc(start), _utc(end))

    def vessel(self, mmsi: int) -> Vessel | None:
        """The vessel as the store knows it now (position fields None if it has none)."""
        with self._reading() as connection:
            return queries.vessel(connection, mmsi)

    def search(self, text: str, limit: int = 50) -> list[Vessel]:
        """Vessels whose name or call sign contains ``text`` (any case), or whose MMSI or
        IMO is ``text`` when it is a number; exact numbers first, then by MMSI."""
        with self._reading() as connection:
            return queries.search(connection, text, limit)

    def counts(self) -> dict[str, int]:
        """points, vessels, aside, and aside_<reason> for each AsideReason."""
        with self._reading() as connection:
            return queries.counts(connection)

    def latest_time(self) -> datetime | None:
        """The time of the newest point in the store, or None when it has none."""
        with self._reading() as connection:
            return queries.latest_time(connection)


def _utc(at: datetime | None) -> datetime | None:
    return None if at is None else as_utc(at)
