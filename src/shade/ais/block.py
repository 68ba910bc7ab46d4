"""Decoded messages for ingest: position reports as columns, the messages asked for as records.

    block = decoder.decode_reports(lines, keep={5, 24})
    block.messages                   # how many messages the lines gave, of every type
    block.reports.mmsi, block.reports.lat, block.reports.speed ...   # every position report
    block.records                    # the messages of the types in keep, as ``Decoded``

Position reports (types 1, 2, 3, 18, 19 and 27) are most of any feed, and ingest only needs
a few of their fields: as columns the tracker judges them with NumPy and makes points of
the accepted ones, and no record is made for each. The other messages ingest wants (static
data) are few and come as records; the rest are only counted. ``Decoder.decode_reports``
makes blocks; ``tests/ais/test_reports.py`` checks that one holds exactly what
``Decoder.decode_block`` gives for the same lines.

This module owns the two shapes; putting the reports of each layout, decoded apart, in
message order (``Part``, ``in_order``); making reports of records (for what was decoded one
message at a time: fragments, cut-short payloads, live lines); and putting blocks one after
another and cutting one at a message, as ingest batches do.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from shade.ais.kinds import Value

if TYPE_CHECKING:
    from shade.ais.decoder import Decoded

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Position reports: class A (1 to 3), class B (18, 19), long range (27).
REPORT_TYPES: Final = frozenset({1, 2, 3, 18, 19, 27})
_new: Callable[[type[Any], Iterable[object]], Any] = tuple.__new__


@dataclass(frozen=True, slots=True, eq=False)
class Reports:
    """Position reports as columns of equal length, in message order.

    Values are those of the records (``records.PositionReport`` and the others); where a
    record has None, lat and lon hold NaN.
    """

    order: IntArray  # each report's place among the messages of its block, ascending
    mmsi: IntArray
    msg_type: IntArray
    lat: FloatArray  # degrees
    lon: FloatArray
    speed: list[Value]  # knots (type 27: whole knots, as an int)
    course: list[Value]
    heading: list[Value]  # None for type 27, which sends none
    status: list[Value]  # None for types 18 and 19, which send none
    received_at: list[datetime | None]
    source: list[str | None]

    def __len__(self) -> int:
        return len(self.order)

    @classmethod
    def of_records(cls, records: Sequence[Decoded], order: Sequence[int]) -> Reports:
        """The position reports among ``records`` (the others are passed over), each at
        the place in ``order`` (ascending) of its record."""
        part = Part.of_records(records, order)
        return EMPTY_REPORTS if part is None else in_order([part])

    @classmethod
    def concat(cls, parts: Sequence[Reports]) -> Reports:
        """The rows of ``parts`` one after another (their orders as they are)."""
        parts = [part for part in parts if len(part)]
        if len(parts) <= 1:
            return parts[0] if parts else EMPTY_REPORTS

        def arrays(name: str) -> Any:
            return np.concatenate([getattr(p, name) for p in parts])

        def lists(name: str) -> Any:
            return list(chain.from_iterable(getattr(p, name) for p in parts))

        return cls(
            arrays("order"),
            arrays("mmsi"),
            arrays("msg_type"),
            arrays("lat"),
            arrays("lon"),
            lists("speed"),
            lists("course"),
            lists("heading"),
            lists("status"),
            lists("received_at"),
            lists("source"),
        )

    def take(self, rows: IntArray) -> Reports:
        """The given rows, in that order."""
        if len(rows) == len(self) and (len(rows) == 0 or (rows == np.arange(len(self))).all()):
            return self
        picks = rows.tolist()
        return Reports(
            self.order[rows],
            self.mmsi[rows],
            self.msg_type[rows],
            self.lat[rows],
            self.lon[rows],
            pick(self.speed, picks),
            pick(self.course, picks),
            pick(self.heading, picks),
            pick(self.status, picks),
            pick(self.received_at, picks),
            pick(self.source, picks),
        )

    def between(self, start: int, stop: int) -> Reports:
        """Rows ``start`` to ``stop`` (exclusive): slices, no copy of each value."""
        if start == 0 and stop >= len(self):
            return self
        return Reports(
            self.order[start:stop],
            self.mmsi[start:stop],
            self.msg_type[start:stop],
            self.lat[start:stop],
            self.lon[start:stop],
            self.speed[start:stop],
            self.course[start:stop],
            self.heading[start:stop],
            self.status[start:stop],
            self.received_at[start:stop],
            self.source[start:stop],
        )

    def shifted(self, by: int) -> Reports:
        """The same rows, their places in ``order`` moved by ``by``."""
        if by == 0 or not len(self):
            return self
        return replace(self, order=self.order + by)

    def stamped(self, at: datetime, source: str) -> Reports:
        """The same rows, a report without a time taking ``at`` and one without a station
        ``source``."""
        times, sources = self.received_at, self.source
        if None in times:
            times = [at if t is None else t for t in times]
        if None in sources:
            sources = [source if s is None else s for s in sources]
        if times is self.received_at and sources is self.source:
            return self
        return replace(self, received_at=times, source=sources)


EMPTY_REPORTS: Final = Reports(
    np.zeros(0, np.int64),
    np.zeros(0, np.int64),
    np.zeros(0, np.int64),
    np.zeros(0, np.float64),
    np.zeros(0, np.float64),
    [],
    [],
    [],
    [],
    [],
    [],
)


def pick(values: list[Any], rows: list[int]) -> list[Any]:
    """``values`` at ``rows``, in that order (itemgetter: one C call, not a loop)."""
    if len(rows) > 1:
        return list(itemgetter(*rows)(values))
    return [values[row] for row in rows]


class Part(NamedTuple):
    """Position reports of one kind (one layout, or decoded one by one), not yet in order:
    ``rows`` says where each goes. The columns of Python values may be lists or NumPy
    arrays of objects."""

    rows: IntArray
    mmsi: IntArray
    msg_type: IntArray
    lat: FloatArray
    lon: FloatArray
    speed: Sequence[Any]
    course: Sequence[Any]
    heading: Sequence[Any]
    status: Sequence[Any]
    received_at: Sequence[Any]
    source: Sequence[Any]

    @classmethod
    def of_records(cls, records: Sequence[Decoded], rows: Sequence[int]) -> Part | None:
        """The position reports among ``records`` (None if there is none), at ``rows``."""
        found: list[tuple[Any, ...]] = []
        for row, decoded in zip(rows, records, strict=True):
            m: Any = decoded.message
            kind = m.msg_type
            if kind not in REPORT_TYPES:
                continue
            heading = None if kind == 27 else m.heading
            status = None if kind == 18 or kind == 19 else m.status
            found.append(
                (
                    row,
                    m.mmsi,
                    kind,
                    np.nan if m.lat is None else m.lat,
                    np.nan if m.lon is None else m.lon,
                    m.speed,
                    m.course,
                    heading,
                    status,
                    decoded.received_at,
                    decoded.source,
                )
            )
        if not found:
            return None
        places, mmsi, kinds, lat, lon, speed, course, heading, status, at, source = map(
            list, zip(*found, strict=True)
        )
        return cls(
            np.array(places, dtype=np.int64),
            np.array(mmsi, dtype=np.int64),
            np.array(kinds, dtype=np.int64),
            np.array(lat, dtype=np.float64),
            np.array(lon, dtype=np.float64),
            speed,
            course,
            heading,
            status,
            at,
            source,
        )


def in_order(parts: Sequence[Part]) -> Reports:
    """The reports of ``parts`` in the order of their rows, which become their ``order``.

    Python values are put in place in arrays of objects and made lists once: cheaper than
    picking each list apart and joining the pieces.
    """
    if not parts:
        return EMPTY_REPORTS
    rows = np.concatenate([part.rows for part in parts])
    if len(parts) == 1 and (len(rows) < 2 or bool((rows[1:] > rows[:-1]).all())):
        (part,) = parts
        return Reports(
            part.rows,
            part.mmsi,
            part.msg_type,
            part.lat,
            part.lon,
            *(_as_list(getattr(part, name)) for name in _PYTHON),
        )
    order = np.argsort(rows, kind="stable")
    where = np.empty(len(rows), dtype=np.int64)
    where[order] = np.arange(len(rows))  # where each row of the parts, one after another, goes
    bounds = np.cumsum([0, *(len(part.rows) for part in parts)])

    def numbers(name: str) -> Any:
        return np.concatenate([getattr(part, name) for part in parts])[order]

    def python(name: str) -> list[Any]:
        out = np.empty(len(rows), dtype=object)
        for part, start, stop in zip(parts, bounds[:-1], bounds[1:], strict=True):
            values = getattr(part, name)
            if isinstance(values, list):
                # Assigning a list would make NumPy look into each value for a sequence.
                boxed = np.empty(len(values), dtype=object)
                boxed[:] = values
                values = boxed
            out[where[start:stop]] = values
        listed: list[Any] = out.tolist()
        return listed

    return Reports(
        rows[order],
        numbers("mmsi"),
        numbers("msg_type"),
        numbers("lat"),
        numbers("lon"),
        *(python(name) for name in _PYTHON),
    )


_PYTHON: Final = ("speed", "course", "heading", "status", "received_at", "source")


def _as_list(values: Sequence[Any]) -> list[Any]:
    if isinstance(values, list):
        return values
    listed: list[Any] = np.asarray(values).tolist()
    return listed


@dataclass(frozen=True, slots=True, eq=False)
class Block:
    """What a block of lines decoded to, for ingest (see the module docstring)."""

    messages: int  # every message decoded, counted or kept
    reports: Reports  # every position report; ``order`` counts all ``messages``
    records: list[Decoded]  # the messages of the types asked for, in message order
    record_order: list[int]  # each record's place among the messages, ascending

    @classmethod
    def of_records(cls, decoded: Sequence[Decoded], keep: Collection[int]) -> Block:
        """A block of messages decoded one by one: their position reports as columns and
        those of the types in ``keep`` as records."""
        places = range(len(decoded))
        kept = [k for k, one in enumerate(decoded) if one.message.msg_type in keep]
        return cls(
            len(decoded),
            Reports.of_records(decoded, places),
            [decoded[k] for k in kept],
            kept,
        )

    @classmethod
    def concat(cls, blocks: Sequence[Block]) -> Block:
        """The messages of ``blocks`` one after another."""
        if len(blocks) == 1:
            return blocks[0]
        reports: list[Reports] = []
        records: list[Decoded] = []
        order: list[int] = []
        offset = 0
        for block in blocks:
            reports.append(block.reports.shifted(offset))
            records += block.records
            order += [place + offset for place in block.record_order]
            offset += block.messages
        return cls(offset, Reports.concat(reports), records, order)

    def split(self, count: int) -> tuple[Block, Block]:
        """The first ``count`` messages, and the rest (their places counted from 0)."""
        reports = self.reports
        cut = int(np.searchsorted(reports.order, count))
        at = bisect_left(self.record_order, count)
        head = Block(
            count,
            reports.between(0, cut),
            self.records[:at],
            self.record_order[:at],
        )
        tail = Block(
            self.messages - count,
            reports.between(cut, len(reports)).shifted(-count),
            self.records[at:],
            [place - count for place in self.record_order[at:]],
        )
        return head, tail

    def stamped(self, at: datetime, source: str) -> Block:
        """The same messages, one without a time of its own taking ``at`` (its
        ``received_at``) and one without a station ``source``: every one then has both."""
        records = self.records
        if any(one.received_at is None or one.source is None for one in records):
            records = [
                one
                if one.received_at is not None and one.source is not None
                else _new(
                    type(one),
                    (
                        one.message,
                        at if one.received_at is None else one.received_at,
                        source if one.source is None else one.source,
                        *one[3:],
                    ),
                )
                for one in records
            ]
        return Block(self.messages, self.reports.stamped(at, source), records, self.record_order)
