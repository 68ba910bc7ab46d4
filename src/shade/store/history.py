"""Reading the history back out of its segments: one vessel's track, all of it in time order
a page at a time, and how many points lie between two times.

Segments are found by time through ``t0`` alone: no segment spans a bucket boundary
(``segments``), so one with a point at or after T began after T less a bucket. A vessel's
segments follow each other in time; all vessels' points are put in the history's order,
(at, seq), when they are read together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from shade.store.picture import driver_rows
from shade.store.segments import BUCKET_MICROS, Decoded, decode
from shade.store.sources import Sources
from shade.times import to_micros
from shade.tracks.model import Point, Points

Place = tuple[int, int]  # a point's at and seq: where it stands in the history
_FIRST_SEGMENTS = 256  # segments read at first for a page; twice as many each time after


def _mark(connection: Any) -> str:
    return "?" if connection.dialect.name == "sqlite" else "%s"


def points_of(connection: Any, sources: Sources, decoded: Decoded) -> Points:
    """The points of ``decoded``, their sources named."""
    largest = int(decoded.records["source"].max()) if len(decoded) else -1
    return decoded.points(sources.names(connection, largest))


def track(
    connection: Any,
    sources: Sources,
    mmsi: int,
    start: datetime | None,
    end: datetime | None,
) -> list[Point]:
    """The vessel's points with start <= at <= end, in the history's order: its segments
    one after another (they never overlap, and each holds its points in order)."""
    p = _mark(connection)
    where, params = [f"mmsi = {p}"], [mmsi]
    low = high = None
    if start is not None:
        low = to_micros(start)
        where += [f"t0 > {p}", f"t1 >= {p}"]
        params += [low - BUCKET_MICROS, low]
    if end is not None:
        high = to_micros(end)
        where.append(f"t0 <= {p}")
        params.append(high)
    sql = f"SELECT mmsi, n, points FROM segments WHERE {' AND '.join(where)} ORDER BY t0"
    decoded = decode(driver_rows(connection, sql, params))
    return points_of(connection, sources, decoded.take(_within(decoded, low, high))).rows()


def _within(decoded: Decoded, low: int | None, high: int | None) -> Any:
    times = decoded.records["at"]
    keep = np.ones(len(times), dtype=np.bool_)
    if low is not None:
        keep &= times >= low
    if high is not None:
        keep &= times <= high
    return keep


def points_page(
    connection: Any,
    sources: Sources,
    start: datetime | None,
    end: datetime | None,
    after: Place | None,
    size: int,
) -> tuple[Points, Place | None]:
    """Up to ``size`` points with start <= at <= end that come after the point at
    ``after`` in the history's order; and the place of the last one, where the next page
    starts (None when there are none).

    Segments are read in order of their start, more at a time until enough points are
    known to come before every segment not read yet: those starting at or after the last
    one read hold no point earlier than its start.
    """
    p = _mark(connection)
    low = None if start is None else to_micros(start)
    high = None if end is None else to_micros(end)
    floors = [x for x in (low, None if after is None else after[0]) if x is not None]
    floor = max(floors) if floors else None
    where, params = [], []
    if floor is not None:
        where += [f"t0 > {p}", f"t1 >= {p}"]
        params += [floor - BUCKET_MICROS, floor]
    if high is not None:
        where.append(f"t0 <= {p}")
        params.append(high)
    base = "SELECT t0, id, mmsi, n, points FROM segments WHERE "
    parts: list[Decoded] = []
    resume: list[Any] = []  # the (t0, id) of the last segment read
    limit = _FIRST_SEGMENTS
    while True:
        more = [f"(t0, id) > ({p}, {p})"] if resume else []
        sql = base + " AND ".join([*where, *more] or ["TRUE"]) + f" ORDER BY t0, id LIMIT {p}"
        rows = driver_rows(connection, sql, [*params, *resume, limit])
        exhausted = len(rows) < limit
        if rows:
            parts.append(decode([row[2:] for row in rows]))  # mmsi, n, points
            resume = [rows[-1][0], rows[-1][1]]
        found = Decoded.concat(parts) if parts else decode([])
        keep = _within(found, low, high)
        if after is not None:
            keep &= found.after(after)
        if not exhausted:
            keep &= found.records["at"] < resume[0]  # the horizon: unread ones start there
        if exhausted or np.count_nonzero(keep) >= size:
            break
        limit *= 2
    chosen = found.take(keep)
    chosen = chosen.take(chosen.in_history_order()[:size])
    if not len(chosen):
        return points_of(connection, sources, chosen), None
    return points_of(connection, sources, chosen), chosen.place(len(chosen) - 1)


def count_points(connection: Any, start: datetime | None, end: datetime | None) -> int:
    """Points with start <= at <= end: whole segments summed, those across an end unpacked."""
    p = _mark(connection)
    low = None if start is None else to_micros(start)
    high = None if end is None else to_micros(end)
    where, params = [], []
    if low is not None:
        where.append(f"t0 >= {p}")
        params.append(low)
    if high is not None:
        where += [f"t1 <= {p}", f"t0 <= {p}"]
        params += [high, high]
    sql = "SELECT coalesce(sum(n), 0) FROM segments WHERE " + (" AND ".join(where) or "TRUE")
    total = int(driver_rows(connection, sql, params)[0][0])
    across: dict[int, Any] = {}
    select = "SELECT id, mmsi, n, points FROM segments WHERE "
    if low is not None:
        # Those that begin before start and end at or after it.
        sql = select + f"t0 > {p} AND t0 < {p} AND t1 >= {p}"
        for row in driver_rows(connection, sql, [low - BUCKET_MICROS, low, low]):
            across[row[0]] = row[1:]
    if high is not None:
        # Those that begin at or before end and end after it.
        sql = select + f"t0 > {p} AND t0 <= {p} AND t1 > {p}"
        for row in driver_rows(connection, sql, [high - BUCKET_MICROS, high, high]):
            across[row[0]] = row[1:]
    decoded = decode(list(across.values()))
    return total + int(np.count_nonzero(_within(decoded, low, high)))
