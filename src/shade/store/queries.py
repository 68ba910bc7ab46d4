"""The read side but the picture and the events: one vessel's track and kept-aside points,
pages of all the history in time order, one vessel, ship types, search, counts, the newest
time. Each function takes an open connection and returns the contract's values
(``tracks.model``); the picture at a time is ``picture``'s, events are ``events``'.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
from shade.store.picture import driver_rows
from shade.store.schema import (
    EPOCH,
    MICROSECOND,
    as_utc,
    aside,
    events,
    positions,
    to_micros,
    vessels,
)
from shade.tracks.model import Aside, AsideReason, Point, Vessel

_POINT = [positions.c[name] for name in Point._fields]
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


def count_points(connection: Connection, start: datetime | None, end: datetime | None) -> int:
    query = select(func.count()).select_from(positions)
    return connection.scalar(query.where(*_window(positions.c.at, start, end))) or 0


def track(
    connection: Connection, mmsi: int, start: datetime | None, end: datetime | None
) -> list[Point]:
    query = (
        select(*_POINT)
        .where(positions.c.mmsi == mmsi, *_window(positions.c.at, start, end))
        .order_by(positions.c.at, positions.c.id)
    )
    return [Point._make(row) for row in connection.execute(query).all()]


_PAGE = (
    "SELECT mmsi, at, lat, lon, speed, course, heading, status, msg_type, source, id "
    "FROM positions WHERE {where} ORDER BY at, id LIMIT {p}"
)


def points_page(
    connection: Connection,
    start: datetime | None,
    end: datetime | None,
    after: tuple[datetime, int] | None,
    size: int,
) -> tuple[list[Point], tuple[datetime, int] | None]:
    """Up to ``size`` history points with start <= at <= end, after the point ``after``
    (its at and id) in (at, id) order; and the at and id of the last one, where the next
    page starts (None when there are none).

    Rows come straight from the driver (see ``picture.driver_rows``): a rerun over history
    reads millions, three to five times faster so than through SQLAlchemy's rows.
    """
    sqlite = connection.dialect.name == "sqlite"
    p = "?" if sqlite else "%s"

    def time(at: datetime) -> Any:
        return to_micros(at) if sqlite else at

    where, params = ["TRUE"], []
    if start is not None:
        where.append(f"at >= {p}")
        params.append(time(start))
    if end is not None:
        where.append(f"at <= {p}")
        params.append(time(end))
    if after is not None:
        where.append(f"(at, id) > ({p}, {p})")
        params += [time(after[0]), after[1]]
    sql = _PAGE.format(where=" AND ".join(where), p=p)
    rows = driver_rows(connection, sql, [*params, size])
    if not rows:
        return [], None
    new = tuple.__new__
    if sqlite:
        epoch, micro = EPOCH, MICROSECOND
        points = [
            new(Point, (r[0], epoch + r[1] * micro, r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]))
            for r in rows
        ]
    else:
        points = [new(Point, r[:10]) for r in rows]
        # As in the picture: times come in UTC unless a pooler dropped the session's zone.
        if points[0].at.tzinfo is not UTC:
            points = [point._replace(at=as_utc(point.at)) for point in points]
    return points, (points[-1].at, rows[-1][10])


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
        "points": connection.scalar(select(func.count()).select_from(positions)) or 0,
        "vessels": connection.scalar(select(func.count()).select_from(vessels)) or 0,
        "events": connection.scalar(select(func.count()).select_from(events)) or 0,
    }
    grouped = connection.execute(select(aside.c.reason, func.count()).group_by(aside.c.reason))
    by_reason = {str(reason): int(n) for reason, n in grouped.all()}
    total["aside"] = sum(by_reason.values())
    for reason in AsideReason:
        total[f"aside_{reason.value}"] = by_reason.get(reason.value, 0)
    return total
