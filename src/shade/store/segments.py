"""How the history is kept: each vessel's points of a write, packed into segments.

A write (one ``Update``: one ingest batch) stores the points of each vessel as one row of
the ``segments`` table, with the points packed in a blob, rather than a row apiece: the
database then inserts a row and two index entries per vessel and batch instead of per
point, which is most of what made ingest slow. Reads unpack whole arrays at once (NumPy).

    rows = encode(points, sources, batch)    # (mmsi, batch, t0, t1, n, blob) per segment
    found = decode(blobs, counts)            # Points, and each one's batch and k

A segment never spans a boundary of ``BUCKET_MICROS`` (ten minutes): points of one vessel
in one write are split at them. So every segment with a point at or after a time T began
at or after ``bucket_start(T)``, which bounds every search by time to an index range.

The blob is the points' records one after another, in the order written (``FORMAT``,
little-endian): time (µs since 1970 UTC), lat, lon, speed, course (NaN: not known),
heading, status (-1: not known), message type, the source's id in the ``sources`` table
(-1: none), and k, the point's place in its write. A point's place in the history is
(at, batch, k): by time, then in the order written, as one row per point used to number
them. ``t0`` and ``t1`` are the segment's earliest and latest times.
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
        ("k", "<i4"),
    ]
)

IntArray = npt.NDArray[np.int64]
Segment = tuple[int, int, int, int, int, bytes]  # mmsi, batch, t0, t1, n, points


def bucket_start(micros: int) -> int:
    """The start of the bucket ``micros`` falls in."""
    return micros // BUCKET_MICROS * BUCKET_MICROS


def encode(points: Points, sources: npt.NDArray[np.int32], batch: int) -> list[Segment]:
    """The segments of one write: ``points`` in the order written, ``sources`` the id of
    each one's source. Ordered by vessel, then time bucket."""
    if not len(points):
        return []
    bucket = points.at // BUCKET_MICROS
    # Stable: within a segment the points keep the order they were written in.
    order = np.lexsort((bucket, points.mmsi))
    mmsi, bucket = points.mmsi[order], bucket[order]
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = (mmsi[1:] != mmsi[:-1]) | (bucket[1:] != bucket[:-1])
    starts = np.flatnonzero(first)
    records = np.empty(len(order), dtype=FORMAT)
    at = points.at[order]
    records["at"] = at
    records["lat"] = points.lat[order]
    records["lon"] = points.lon[order]
    records["speed"] = points.speed[order]
    records["course"] = points.course[order]
    records["heading"] = points.heading[order]
    records["status"] = points.status[order]
    records["msg_type"] = points.msg_type[order]
    records["source"] = sources[order]
    records["k"] = order
    packed = records.tobytes()
    size = FORMAT.itemsize
    bounds = [*(starts * size).tolist(), len(packed)]
    counts = np.diff(np.append(starts, len(order)))
    return list(
        zip(
            mmsi[starts].tolist(),
            [batch] * len(starts),
            np.minimum.reduceat(at, starts).tolist(),
            np.maximum.reduceat(at, starts).tolist(),
            counts.tolist(),
            [packed[a:b] for a, b in pairwise(bounds)],
            strict=True,
        )
    )


class Decoded(NamedTuple):
    """Points unpacked from segments, with where each stands in the history."""

    records: npt.NDArray[Any]  # of FORMAT
    mmsi: IntArray
    batch: IntArray
    segment: IntArray  # the index of its segment among those decoded

    def __len__(self) -> int:
        return len(self.records)

    def take(self, rows: Any) -> Decoded:
        return Decoded(self.records[rows], self.mmsi[rows], self.batch[rows], self.segment[rows])

    @classmethod
    def concat(cls, parts: Sequence[Decoded]) -> Decoded:
        """The points of ``parts`` one after another (their segments numbered on)."""
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0, *(int(p.segment[-1]) + 1 if len(p) else 0 for p in parts)])
        return cls(
            np.concatenate([p.records for p in parts]),
            np.concatenate([p.mmsi for p in parts]),
            np.concatenate([p.batch for p in parts]),
            np.concatenate([p.segment + offset for p, offset in zip(parts, offsets, strict=False)]),
        )

    def in_history_order(self) -> IntArray:
        """The rows in the history's order: by time, then batch, then place in it."""
        records = self.records
        order: IntArray = np.lexsort((records["k"], self.batch, records["at"]))
        return order

    def after(self, place: tuple[int, int, int]) -> npt.NDArray[np.bool_]:
        """Which points come after the one at ``place`` (its at, batch and k)."""
        at, batch, k = place
        times = self.records["at"]
        later: npt.NDArray[np.bool_] = (times > at) | (
            (times == at)
            & ((self.batch > batch) | ((self.batch == batch) & (self.records["k"] > k)))
        )
        return later

    def place(self, row: int) -> tuple[int, int, int]:
        """The (at, batch, k) of a point."""
        record = self.records[row]
        return int(record["at"]), int(self.batch[row]), int(record["k"])

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


def decode(rows: Sequence[tuple[int, int, int, bytes]]) -> Decoded:
    """The points of segments given as (mmsi, batch, n, points) rows, in the rows' order."""
    if not rows:
        return _EMPTY
    mmsi, batch, counts, blobs = zip(*rows, strict=True)
    records = np.frombuffer(b"".join(blobs), dtype=FORMAT)
    sizes = np.array(counts, dtype=np.int64)
    if sizes.sum() != len(records):
        raise ValueError("a segment holds other than the points it says")
    segment = np.repeat(np.arange(len(rows)), sizes)
    return Decoded(
        records,
        np.array(mmsi, dtype=np.int64)[segment],
        np.array(batch, dtype=np.int64)[segment],
        segment,
    )


_EMPTY: Final = Decoded(
    np.zeros(0, dtype=FORMAT),
    np.zeros(0, dtype=np.int64),
    np.zeros(0, dtype=np.int64),
    np.zeros(0, dtype=np.int64),
)
