"""Sources (receiving stations, feeds, files) as numbers: the ``sources`` table, remembered.

A history point keeps the id of its source (``segments``), not the text: a file path or a
station name repeated on every point was a third of a point's bytes. ``Sources`` maps both
ways and remembers what it has seen, so a write looks up only names new to it and a read
only ids new to it (both rare: a feed has a handful of stations).

Names a write adds count once its transaction commits (``committed``): until then they
may be rolled back, and their ids given to other names.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from shade.store.segments import NO_SOURCE

_NAMES_PER_QUERY = 500


class Sources:
    """Source ids and names of one database; shared by the threads of one Store."""

    def __init__(self) -> None:
        self._ids: dict[str | None, int] = {None: NO_SOURCE}
        self._pending: dict[str | None, int] = {}
        self._names: list[str | None] = []  # by id
        self._reading = threading.Lock()

    def ids(self, connection: Connection, names: npt.NDArray[np.object_]) -> npt.NDArray[np.int32]:
        """The id of each name (NO_SOURCE for None), adding those not in the table yet, in
        the writing transaction of ``connection``."""
        listed: list[str | None] = names.tolist()
        known = self._ids
        missing = [n for n in dict.fromkeys(listed) if n is not None and n not in known]
        if missing:
            self._pending = self._add(connection, missing)
            known = {**known, **self._pending}
        return np.fromiter(map(known.__getitem__, listed), np.int32, len(listed))

    def committed(self) -> None:
        """The writing transaction that asked ``ids`` committed: its new names count."""
        if self._pending:
            self._ids = {**self._ids, **self._pending}
            self._pending = {}

    def rolled_back(self) -> None:
        self._pending = {}

    def names(self, connection: Connection, largest: int) -> list[str | None]:
        """Each id's name, by id, for ids up to ``largest`` (read again when it is new)."""
        names = self._names
        if largest < len(names):
            return names
        with self._reading:
            if largest >= len(self._names):
                rows = connection.exec_driver_sql("SELECT id, name FROM sources").all()
                made: list[str | None] = [None] * (max((r[0] for r in rows), default=-1) + 1)
                for number, name in rows:
                    made[number] = name
                self._names = made
            names = self._names
        if largest >= len(names):
            raise ValueError(f"the history names source {largest}, which is not in sources")
        return names

    @staticmethod
    def _add(connection: Connection, names: list[str]) -> dict[str | None, int]:
        sqlite = connection.dialect.name == "sqlite"
        p = "?" if sqlite else "%s"
        driver: Any = connection.connection.driver_connection
        cursor = driver.cursor()
        try:
            cursor.executemany(
                f"INSERT INTO sources (name) VALUES ({p}) ON CONFLICT (name) DO NOTHING",
                [(name,) for name in names],
            )
            found: dict[str | None, int] = {}
            for start in range(0, len(names), _NAMES_PER_QUERY):
                some = names[start : start + _NAMES_PER_QUERY]
                marks = ", ".join([p] * len(some))
                cursor.execute(f"SELECT name, id FROM sources WHERE name IN ({marks})", some)
                found.update(cursor.fetchall())
        finally:
            cursor.close()
        return found
