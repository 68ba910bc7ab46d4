"""Events in the store: rows from ``detect.events.Event`` values and back, the upsert that
keeps each event's newest state, and the filtered read.

An event is one row of ``events`` (see ``schema``): its one or two vessels and their
parties in columns ``_a`` and ``_b``, figures and geometry as JSON text written by orjson.
Finite floats come back exactly; as from any JSON, tuples come back as lists, NaN and
infinities as None, NumPy numbers as Python ones (taken rather than failing the write).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from shade.detect.events import Event, EventKind
from shade.errors import InputError
from shade.store.schema import events

_COLUMNS = (
    "id",
    "kind",
    "start_at",
    "end_at",
    "mmsi_a",
    "mmsi_b",
    "party_a",
    "party_b",
    "geometry",
    "figures",
)
_SELECT = [events.c[name] for name in _COLUMNS]
_JSON = orjson.OPT_SERIALIZE_NUMPY


def _json(value: Any) -> str:
    return orjson.dumps(value, option=_JSON).decode()


def event_row(event: Event) -> dict[str, Any]:
    """The row of ``event``; ValueError for an event the store cannot keep as it is."""
    vessels, parties = event.mmsi, event.parties
    if not 1 <= len(vessels) <= 2 or len(parties) != len(vessels):
        raise ValueError(
            f"event {event.id}: {len(vessels)} vessels and {len(parties)} parties "
            "(the store keeps one vessel or two, each with its party)"
        )
    two = len(vessels) == 2
    return {
        "id": event.id,
        "kind": EventKind(event.kind).value,
        "start_at": event.start,
        "end_at": event.end,
        "mmsi_a": vessels[0],
        "mmsi_b": vessels[1] if two else None,
        "party_a": parties[0],
        "party_b": parties[1] if two else None,
        "geometry": None if event.geometry is None else _json(event.geometry),
        "figures": _json(event.figures),
    }


def event_rows(found: Sequence[Event]) -> list[dict[str, Any]]:
    """One row per event id, its last state in ``found``: the one to keep, written once."""
    return list({event.id: event_row(event) for event in found}.values())


def upsert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the rows, each replacing the stored row of the same id."""
    if not rows:
        return
    insert = sqlite.insert if connection.dialect.name == "sqlite" else postgresql.insert
    statement = insert(events)
    statement = statement.on_conflict_do_update(
        index_elements=[events.c.id],
        set_={name: statement.excluded[name] for name in _COLUMNS[1:]},
    )
    connection.execute(statement, rows)


def _event(row: Sequence[Any]) -> Event:
    id_, kind, start, end, mmsi_a, mmsi_b, party_a, party_b, geometry, figures = row
    one = mmsi_b is None
    return Event(
        id=id_,
        kind=EventKind(kind),
        mmsi=(mmsi_a,) if one else (mmsi_a, mmsi_b),
        parties=(party_a,) if one else (party_a, party_b),
        start=start,
        end=end,
        geometry=None if geometry is None else orjson.loads(geometry),
        figures=orjson.loads(figures),
    )


def kind_of(kind: EventKind | str) -> EventKind:
    try:
        return EventKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in EventKind)
        raise InputError(f"no event kind {kind!r}: use one of {names}") from None


def select_events(
    connection: Connection,
    kind: EventKind | None,
    start: datetime | None,
    end: datetime | None,
    mmsi: int | None,
    parties: Collection[str] | None,
    open_only: bool,
    limit: int | None,
) -> list[Event]:
    """The events that pass every filter given, by start then id (see ``Store.events``)."""
    c = events.c
    where: list[ColumnElement[bool]] = []
    if kind is not None:
        where.append(c.kind == kind.value)
    if end is not None:
        where.append(c.start_at <= end)
    if start is not None:
        where.append(or_(c.end_at.is_(None), c.end_at >= start))
    if mmsi is not None:
        where.append(or_(c.mmsi_a == mmsi, c.mmsi_b == mmsi))
    if parties is not None:
        wanted = sorted(set(parties))
        if not wanted:
            return []  # naming one of no party: none does
        where.append(or_(c.party_a.in_(wanted), c.party_b.in_(wanted)))
    if open_only:
        where.append(c.end_at.is_(None))
    # Ties in start go by id in code point order on both backends (PostgreSQL's default
    # collation would order punctuation otherwise than SQLite's).
    by_id = c.id if connection.dialect.name == "sqlite" else c.id.collate("C")
    query = select(*_SELECT).where(*where).order_by(c.start_at, by_id)
    if limit is not None:
        query = query.limit(limit)
    return [_event(row) for row in connection.execute(query)]


def select_event(connection: Connection, event_id: str) -> Event | None:
    row = connection.execute(select(*_SELECT).where(events.c.id == event_id)).first()
    return None if row is None else _event(row)
