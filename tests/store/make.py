"""Small builders of the tracks model's values for the store tests; the newest migration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table

from shade.store.engine import MIGRATIONS
from shade.store.schema import point_columns
from shade.tracks.model import Aside, AsideReason, Point, Static, Update

# The revision a migrated database is at.
HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()

# The history as revisions 0001 to 0005 kept it, a row per point: to fill old databases.
OLD_POSITIONS = Table("positions", MetaData(), *point_columns())

T0 = datetime(2022, 1, 3, 0, 0, 0, 123456, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def point(
    mmsi: int = 366000001,
    seconds: float = 0,
    lat: float = 12.5,
    lon: float = 45.25,
    **fields: Any,
) -> Point:
    values: dict[str, Any] = {
        "speed": 10.5,
        "course": 90.25,
        "heading": 91,
        "status": 0,
        "msg_type": 1,
        "source": "rx1",
    }
    values.update(fields)
    return Point(mmsi=mmsi, at=at(seconds), lat=lat, lon=lon, **values)


def static(mmsi: int = 366000001, seconds: float = 0, **fields: Any) -> Static:
    return Static(mmsi, at(seconds), fields)


def update(
    points: list[Point] | None = None,
    aside: list[tuple[Point, AsideReason]] | None = None,
    statics: list[Static] | None = None,
) -> Update:
    return Update(points or [], [Aside(p, reason) for p, reason in aside or []], statics or [])
