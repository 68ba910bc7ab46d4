"""The read side but the history, the picture and the events: one vessel's kept-aside
points, one vessel, ship types, search, counts, the newest time. Each function takes an
open connection and returns the contract's values (``tracks.model``); the history is
``history``'s, the picture at a time ``picture``'s, events ``events``'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    case,
    func,
    literal,
    or_,
    select,
)

from shade.errors import InputError
from shade.store.schema import aside, events, segments, vessels
from shade.tracks.model import Aside, AsideReason, Point, Vessel

_ASIDE = [aside.c[name] for name in Point._fields] + [aside.c.reason]
_VESSEL = [vessels.c[name] for name in Vessel._fields]


def latest_time(connection: Connection) -> datetime | None:
    """The time of the newest point in the store."""
    latest: datetime | None = connection.scalar(select(func.max(vessels.c.at)))
    return latest


def _window(column: Any, start: datetime | None, end: datetime | None) -> list[Any]:
    return ([column >= start] if start is not None else []) + (
        [column <= end] if end is not None else []
    )


def aside_points(
    connection: Connection, mmsi: int, start: datetime | None, end: datetime | None
) -> list[Aside]:
    query = (
        select(*_ASIDE)
        .where(aside.c.mmsi == mmsi, *_window(aside.c.at, start, end))
        .order_by(aside.c.at, aside.c.id)
    )
    return [Aside(Point._make(row[:-1]), AsideReason(row[-1])) for row in connection.execute(query)]


def vessel(connection: Connection, mmsi: int) -> Vessel | None:
    row = connection.execute(select(*_VESSEL).where(vessels.c.mmsi == mmsi)).first()
    return None if row is None else Vessel._make(row)


def ship_types(connection: Connection) -> dict[int, int]:
    query = select(vessels.c.mmsi, vessels.c.ship_type).where(vessels.c.ship_type.is_not(None))
    return dict(connection.execute(query).all())


def search(connection: Connection, text: str, limit: int) -> list[Vessel]:
    """Name or call sign containing ``text`` (any case); MMSI or IMO equal to it if numeric.

    Exact number matches come first, then by MMSI: the same order on both backends, which
    sort text by different collations.
    """
    words = text.strip()
    if not words:
        raise InputError("search text is empty")
    if limit < 1:
        raise InputError(f"search limit must be at least 1, not {limit}")
    named = or_(
        vessels.c.shipname.icontains(words, autoescape=True),
        vessels.c.callsign.icontains(words, autoescape=True),
    )
    exact: ColumnElement[bool] = literal(False)
    if words.isdigit() and int(words) < 2**31:
        number = int(words)
        exact = or_(vessels.c.mmsi == number, vessels.c.imo == number)
    rank = case((exact, 0), else_=1)
    query = select(*_VESSEL).where(or_(exact, named)).order_by(rank, vessels.c.mmsi).limit(limit)
    return [Vessel._make(row) for row in connection.execute(query).all()]


def counts(connection: Connection) -> dict[str, int]:
    """points, vessels, events, aside, and aside_<reason> for every reason (0 when none)."""
    total = {
        "points": connection.scalar(select(func.coalesce(func.sum(segments.c.n), 0))) or 0,
        "vessels": connection.scalar(select(func.count()).select_from(vessels)) or 0,
        "events": connection.scalar(select(func.count()).select_from(events)) or 0,
    }
    grouped = connection.execute(select(aside.c.reason, func.count()).group_by(aside.c.reason))
    by_reason = {str(reason): int(n) for reason, n in grouped.all()}
    total["aside"] = sum(by_reason.values())
    for reason in AsideReason:
        total[f"aside_{reason.value}"] = by_reason.get(reason.value, 0)
    return total
