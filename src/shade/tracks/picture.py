"""Keeping the picture current: merging accepted points and static data into ``Vessel`` rows.

Pure functions for whoever holds the vessels table (``shade.store``): read the rows the
update touches, call ``merge_update``, write back what it returns.

- The position (at, lat, lon, speed, course, heading, status) is the latest point by time:
  a point older than the row's ``at`` changes nothing, one at the same time replaces it.
- Static fields are overwritten field by field, in the order the messages came: a part A of
  type 24 sets the name and leaves the call sign from an earlier part B or type 5 alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shade.tracks.model import Point, Static, Update, Vessel

_EMPTY = dict.fromkeys(Vessel._fields[1:])


def merge(
    vessel: Vessel | None, point: Point | None = None, static: Static | None = None
) -> Vessel:
    """``vessel`` (None: not seen yet) with a point and static data of it merged in."""
    mmsi = next(
        (x.mmsi for x in (vessel, point, static) if x is not None),
        None,
    )
    if mmsi is None:
        raise ValueError("merge needs a vessel, a point or static data")
    for x in (vessel, point, static):
        if x is not None and x.mmsi != mmsi:
            raise ValueError(f"cannot merge data of MMSI {x.mmsi} into vessel {mmsi}")
    current = vessel if vessel is not None else Vessel(mmsi, **_EMPTY)
    changes: dict[str, Any] = {}
    if point is not None and (current.at is None or point.at >= current.at):
        changes.update(
            at=point.at,
            lat=point.lat,
            lon=point.lon,
            speed=point.speed,
            course=point.course,
            heading=point.heading,
            status=point.status,
        )
    if static is not None:
        changes.update(static.fields)
    return current._replace(**changes) if changes else current


def merge_update(known: Mapping[int, Vessel], update: Update) -> dict[int, Vessel]:
    """The rows ``update`` changes, given the current rows of the vessels it touches.

    ``known`` needs the rows of ``touched(update)`` that exist; a vessel missing from it is
    new. Rows that come out equal to their current value are left out.
    """
    rows: dict[int, Vessel] = {}
    for point in update.points:
        mmsi = point.mmsi
        rows[mmsi] = merge(rows.get(mmsi) or known.get(mmsi), point)
    for static in update.statics:
        mmsi = static.mmsi
        rows[mmsi] = merge(rows.get(mmsi) or known.get(mmsi), static=static)
    return {mmsi: row for mmsi, row in rows.items() if known.get(mmsi) != row}


def touched(update: Update) -> set[int]:
    """The MMSIs whose rows an update may change: those with a point or static data."""
    return {x.mmsi for x in _changes(update)}


def _changes(update: Update) -> Iterable[Point | Static]:
    yield from update.points
    yield from update.statics
