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
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from shade.times import micros_of, to_micros

if TYPE_CHECKING:
    from shade.ais.decoder import Decoded

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
SmallArray = npt.NDArray[np.int16]
ObjectArray = npt.NDArray[np.object_]

# Position reports: class A (1 to 3), class B (18, 19), long range (27).
REPORT_TYPES: Final = frozenset({1, 2, 3, 18, 19, 27})
# The time of a report whose sentence carried none, until the block is stamped.
NO_TIME: Final = np.iinfo(np.int64).min
# A heading or status that is not known (or not sent: type 27 has no heading, 18 and 19
# no status); both are never negative.
UNKNOWN: Final = -1
_new: Callable[[type[Any], Iterable[object]], Any] = tuple.__new__


@dataclass(frozen=True, slots=True, eq=False)
class Reports:
    """Position reports as columns of equal length, in message order.

    The values of the records (``records.PositionReport`` and the others), as numbers:
    where a record has None, lat, lon, speed and course hold NaN, heading and status
    ``UNKNOWN``. Times are microseconds since 1970 UTC (``shade.times``), ``NO_TIME``
    where the sentence gave none; sources are text, or None.
    """

    order: IntArray  # each report's place among the messages of its block, ascending
    mmsi: IntArray
    msg_type: IntArray
    lat: FloatArray  # degrees
    lon: FloatArray
    speed: FloatArray  # knots (type 27: whole knots)
    course: FloatArray
    heading: SmallArray
    status: SmallArray
    received_at: IntArray
    source: ObjectArray

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
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))

    def take(self, rows: IntArray) -> Reports:
        """The given rows, in that order."""
        if len(rows) == len(self) and (len(rows) == 0 or (rows == np.arange(len(self))).all()):
            return self
        return Reports(*(getattr(self, f)[rows] for f in _FIELDS))

    def between(self, start: int, stop: int) -> Reports:
        """Rows ``start`` to ``stop`` (exclusive): views, no copy."""
        if start == 0 and stop >= len(self):
            return self
        return Reports(*(getattr(self, f)[start:stop] for f in _FIELDS))

    def shifted(self, by: int) -> Reports:
        """The same rows, their places in ``order`` moved by ``by``."""
        if by == 0 or not len(self):
            return self
        return replace(self, order=self.order + by)

    def stamped(self, at: datetime, source: str) -> Reports:
        """The same rows, a report without a time taking ``at`` and one without a station
        ``source``."""
        untimed = self.received_at == NO_TIME
        sourceless = self.source == None  # noqa: E711 (element-wise, on objects)
        if not untimed.any() and not sourceless.any():
            return self
        times = self.received_at.copy()
        times[untimed] = to_micros(at)
        sources = self.source.copy()
        sources[sourceless] = source
        return replace(self, received_at=times, source=sources)


_FIELDS: Final = tuple(f.name for f in fields(Reports))


def _empty() -> Reports:
    def ints() -> IntArray:
        return np.zeros(0, np.int64)

    def reals() -> FloatArray:
        return np.zeros(0, np.float64)

    small = np.zeros(0, np.int16)
    return Reports(
        ints(),
        ints(),
        ints(),
        reals(),
        reals(),
        reals(),
        reals(),
        small,
        small,
        ints(),
        np.zeros(0, dtype=object),
    )


EMPTY_REPORTS: Final = _empty()


class Part(NamedTuple):
    """Position reports of one kind (one layout, or decoded one by one), not yet in order:
    ``rows`` says where each goes. The columns are those of ``Reports``."""

    rows: IntArray
    mmsi: IntArray
    msg_type: IntArray
    lat: FloatArray
    lon: FloatArray
    speed: FloatArray
    course: FloatArray
    heading: SmallArray
    status: SmallArray
    received_at: IntArray
    source: ObjectArray

    @classmethod
    def of_records(cls, records: Sequence[Decoded], rows: Sequence[int]) -> Part | None:
        """The position reports among ``records`` (None if there is none), at ``rows``.

        ValueError for a message whose time is naive: a report's time must be an instant.
        """
        found: list[tuple[Any, ...]] = []
        nan = np.nan
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
                    nan if m.lat is None else m.lat,
                    nan if m.lon is None else m.lon,
                    nan if m.speed is None else m.speed,
                    nan if m.course is None else m.course,
                    UNKNOWN if heading is None else heading,
                    UNKNOWN if status is None else status,
                    decoded.received_at,
                    decoded.source,
                )
            )
        if not found:
            return None
        places, mmsi, kinds, lat, lon, speed, course, heading, status, at, source = map(
            list, zip(*found, strict=True)
        )
        timed = [k for k, one in enumerate(at) if one is not None]
        times = np.full(len(at), NO_TIME, dtype=np.int64)
        times[timed] = micros_of([at[k] for k in timed])
        boxed = np.empty(len(source), dtype=object)
        boxed[:] = source
        return cls(
            np.array(places, dtype=np.int64),
            np.array(mmsi, dtype=np.int64),
            np.array(kinds, dtype=np.int64),
            np.array(lat, dtype=np.float64),
            np.array(lon, dtype=np.float64),
            np.array(speed, dtype=np.float64),
            np.array(course, dtype=np.float64),
            np.array(heading, dtype=np.int16),
            np.array(status, dtype=np.int16),
            times,
            boxed,
        )


def in_order(parts: Sequence[Part]) -> Reports:
    """The reports of ``parts`` in the order of their rows, which become their ``order``."""
    if not parts:
        return EMPTY_REPORTS
    if len(parts) == 1:
        (part,) = parts
        rows = part.rows
        if len(rows) < 2 or bool((rows[1:] > rows[:-1]).all()):
            return Reports(*part)
    rows = np.concatenate([part.rows for part in parts])
    order = np.argsort(rows, kind="stable")
    return Reports(
        *(np.concatenate([part[k] for part in parts])[order] for k in range(len(_FIELDS)))
    )


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
