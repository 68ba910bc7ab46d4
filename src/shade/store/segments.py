"""How the history is kept: each vessel's points in segments, rows of packed points.

A write (one ``Update``: one ingest batch) stores the points of each vessel as a row of the
``segments`` table, with the points packed in a blob, rather than a row apiece: the
database then inserts a row and two index entries per vessel and batch instead of per
point, which is most of what made ingest slow. Reads unpack whole arrays at once (NumPy).

    records = records_of(points, sources, batch)   # the points as FORMAT records
    rows = segments_of(mmsi, records)              # (mmsi, t0, t1, n, blob) per segment
    found = decode(rows)                           # the records back, with their vessels

Two rules keep every read simple:

- A segment never spans a boundary of ``BUCKET_MICROS`` (ten minutes): so every segment
  with a point at or after a time T began after ``T - BUCKET_MICROS``, which bounds every
  search by time to an index range.
- A vessel's segments never overlap in time, and each holds its points in the history's
  order: by time, then by ``seq`` (the order written). A vessel's track is its segments in
  order of ``t0``, one after another, and its latest point at or before T is in the segment
  that began last at or before T. Points that arrive out of order (a capture imported in
  the order of its file, say) are merged into the segments they fall among, which are
  written again (``shade.store.writes``).

The blob is the points' records one after another (``FORMAT``, little-endian): time (µs
since 1970 UTC), lat, lon, speed, course (NaN: not known), heading, status (-1: not known),
message type, the source's id in the ``sources`` table (-1: none), and ``seq``: the write's
number times 2**24 plus the point's place in it, unique, so that points of one time keep
the order they were written in, as one row per point used to number them. ``t0`` and
``t1`` are the segment's first and last times.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from shade.tracks.model import Points

BUCKET_MICROS: Final = 600_000_000  # ten minutes
NO_SOURCE: Final = -1
PLACE_BITS: Final = 24  # a point's place in its write, in the low bits of seq
FORMAT: Final = np.dtype(
    [
        ("at", "<i8"),
        ("lat", "<f8"),
        ("lon", "<f8"),
        ("speed", "<f8"),
        ("course", "<f8"),
        ("heading", "<i2"),
        ("status", "<i2"),
        ("msg_type", "<i2"),
        ("source", "<i4"),
        ("seq", "<i8"),
    ]
)

IntArray = npt.NDArray[np.int64]
Records = npt.NDArray[Any]  # of FORMAT
Segment = tuple[int, int, int, int, bytes]  # mmsi, t0, t1, n, points


def records_of(points: Points, sources: npt.NDArray[np.int32], batch: int) -> Records:
    """The points of write number ``batch``, in the order written, as records; ``sources``
    is the id of each one's source. ValueError for a write of 2**24 points or more."""
    if len(points) >= 1 << PLACE_BITS:
        raise ValueError(f"a write holds fewer than {1 << PLACE_BITS:,} points")
    records = np.empty(len(points), dtype=FORMAT)
    records["at"] = points.at
    records["lat"] = points.lat
    records["lon"] = points.lon
    records["speed"] = points.speed
    records["course"] = points.course
    records["heading"] = points.heading
    records["status"] = points.status
    records["msg_type"] = points.msg_type
    records["source"] = sources
    records["seq"] = (batch << PLACE_BITS) + np.arange(len(points), dtype=np.int64)
    return records


def segments_of(mmsi: IntArray, records: Records) -> list[Segment]:
    """Records of vessels (``mmsi`` of each) as segments: each vessel's in the history's
    order, cut where the vessel or the bucket changes. Ordered by vessel, then time."""
    if not len(records):
        return []
    order = np.lexsort((records["seq"], records["at"], mmsi))
    mmsi, records = mmsi[order], records[order]
    at = records["at"]
    bucket = at // BUCKET_MICROS
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = (mmsi[1:] != mmsi[:-1]) | (bucket[1:] != bucket[:-1])
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(order))
    packed = records.tobytes()
    size = FORMAT.itemsize
    bounds = [*(starts * size).tolist(), len(packed)]
    return list(
        zip(
            mmsi[starts].tolist(),
            at[starts].tolist(),
            at[ends - 1].tolist(),
            (ends - starts).tolist(),
            [packed[a:b] for a, b in pairwise(bounds)],
            strict=True,
        )
    )


class Decoded(NamedTuple):
    """Points unpacked from segments, with their vessels and segments."""

    records: Records
    mmsi: IntArray
    segment: IntArray  # the index of its segment among those decoded

    def __len__(self) -> int:
        return len(self.records)

    def take(self, rows: Any) -> Decoded:
        return Decoded(self.records[rows], self.mmsi[rows], self.segment[rows])

    @classmethod
    def concat(cls, parts: Sequence[Decoded]) -> Decoded:
        """The points of ``parts`` one after another (their segments numbered on)."""
        if len(parts) == 1:
            return parts[0]
        sizes = [int(p.segment[-1]) + 1 if len(p) else 0 for p in parts]
        offsets = np.cumsum([0, *sizes[:-1]])
        return cls(
            np.concatenate([p.records for p in parts]),
            np.concatenate([p.mmsi for p in parts]),
            np.concatenate([p.segment + o for p, o in zip(parts, offsets, strict=True)]),
        )

    def in_history_order(self) -> IntArray:
        """The rows in the history's order: by time, then as written."""
        order: IntArray = np.lexsort((self.records["seq"], self.records["at"]))
        return order

    def after(self, place: tuple[int, int]) -> npt.NDArray[np.bool_]:
        """Which points come after the one at ``place`` (its at and seq)."""
        at, seq = place
        times = self.records["at"]
        later: npt.NDArray[np.bool_] = (times > at) | ((times == at) & (self.records["seq"] > seq))
        return later

    def place(self, row: int) -> tuple[int, int]:
        """The (at, seq) of a point: where it stands in the history."""
        record = self.records[row]
        return int(record["at"]), int(record["seq"])

    def points(self, names: Sequence[str | None] | None = None) -> Points:
        """The points themselves; ``names`` gives each source id's text (``Sources``), or
        None for points without their sources."""
        records = self.records
        if names is None:
            source = np.full(len(records), None, dtype=object)
        else:
            table = np.empty(len(names) + 1, dtype=object)
            table[:-1] = names
            table[-1] = None  # NO_SOURCE
            source = table[records["source"]]
        return Points(
            self.mmsi,
            records["at"],
            records["lat"],
            records["lon"],
            records["speed"],
            records["course"],
            records["heading"],
            records["status"],
            records["msg_type"],
            source,
        )


def decode(rows: Sequence[tuple[int, int, bytes]]) -> Decoded:
    """The points of segments given as (mmsi, n, points) rows, in the rows' order."""
    if not rows:
        return _EMPTY
    mmsi, counts, blobs = zip(*rows, strict=True)
    return decode_columns(mmsi, counts, blobs)


def decode_columns(mmsi: Sequence[int], counts: Sequence[int], blobs: Sequence[bytes]) -> Decoded:
    """``decode`` of the rows' columns."""
    if not blobs:
        return _EMPTY
    records = np.frombuffer(b"".join(blobs), dtype=FORMAT)
    sizes = np.array(counts, dtype=np.int64)
    if sizes.sum() != len(records):
        raise ValueError("a segment holds other than the points it says")
    segment = np.repeat(np.arange(len(blobs)), sizes)
    return Decoded(records, np.array(mmsi, dtype=np.int64)[segment], segment)


_EMPTY: Final = Decoded(
    np.zeros(0, dtype=FORMAT), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
)
