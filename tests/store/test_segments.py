"""Segments: the history's points packed a vessel and ten minutes to a row, never
overlapping, each in order; and what the store makes of points written out of order."""

from __future__ import annotations

import random

import numpy as np
import pytest

from shade.store import Store
from shade.store import segments as segments_module
from shade.store.segments import (
    BUCKET_MICROS,
    FORMAT,
    PLACE_BITS,
    decode,
    records_of,
    segments_of,
)
from shade.times import from_micros, to_micros
from shade.tracks.model import Points
from tests.store.make import T0, point, update


def stored(store: Store) -> list[tuple[int, int, int, int, bytes]]:
    """Every segment (mmsi, t0, t1, n, points), by vessel and time."""
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT mmsi, t0, t1, n, points FROM segments ORDER BY mmsi, t0"
        ).all()
    return [tuple(row) for row in rows]


def assert_disjoint_and_in_order(segments: list[tuple[int, int, int, int, bytes]]) -> None:
    """Each segment within one bucket, its points in the history's order; a vessel's
    segments one after another in time, never touching."""
    for k, (mmsi, t0, t1, n, blob) in enumerate(segments):
        records = np.frombuffer(blob, dtype=FORMAT)
        assert len(records) == n and (t0, t1) == (records["at"][0], records["at"][-1])
        assert t0 // BUCKET_MICROS == t1 // BUCKET_MICROS
        keys = list(zip(records["at"].tolist(), records["seq"].tolist(), strict=True))
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        if k and segments[k - 1][0] == mmsi:
            assert segments[k - 1][2] < t0


def test_records_number_the_points_of_a_write_in_order() -> None:
    points = Points.of([point(seconds=s, source=None) for s in (3, 1, 2)])
    records = records_of(points, np.full(3, -1, dtype=np.int32), batch=7)
    assert records["seq"].tolist() == [
        7 << PLACE_BITS,
        (7 << PLACE_BITS) + 1,
        (7 << PLACE_BITS) + 2,
    ]
    assert records["at"].tolist() == points.at.tolist()


def test_segments_are_cut_at_vessels_and_buckets_and_sorted() -> None:
    # A bucket's first second, its last, the next bucket's first; written out of order.
    start = to_micros(T0) // BUCKET_MICROS * BUCKET_MICROS
    seconds = [599, 0, 600, 30]
    made = [point(mmsi=1)._replace(at=from_micros(start + s * 10**6)) for s in seconds]
    made.append(point(mmsi=2))
    points = Points.of(made)
    records = records_of(points, np.zeros(len(made), dtype=np.int32), batch=1)
    segments = segments_of(points.mmsi, records)
    assert [(s[0], s[3]) for s in segments] == [(1, 3), (1, 1), (2, 1)]
    assert_disjoint_and_in_order(segments)
    back = decode([(s[0], s[3], s[4]) for s in segments])
    assert sorted(back.records["seq"].tolist()) == sorted(records["seq"].tolist())


def test_a_write_of_too_many_points_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments_module, "PLACE_BITS", 2)  # places 0 to 3
    points = Points.of([point(seconds=s) for s in range(4)])
    with pytest.raises(ValueError, match="fewer than 4 points"):
        records_of(points, np.zeros(4, dtype=np.int32), batch=1)
    assert len(records_of(points.take(slice(0, 3)), np.zeros(3, dtype=np.int32), 1)) == 3


def test_points_out_of_order_are_merged_into_the_segments_they_fall_among(
    store_url: str,
) -> None:
    """Writes in shuffled order (as a capture imported in file order): every vessel's
    segments stay disjoint and in order, and its track is every point by time."""
    rnd = random.Random(5)
    written = [
        point(mmsi=366000001 + k % 3, seconds=rnd.choice([0, 1, 59.5, 600, 1200]) + k * 7)
        for k in range(400)
    ]
    rnd.shuffle(written)
    with Store.open(store_url) as store:
        for start in range(0, len(written), 37):
            store.write(update(written[start : start + 37]))
        segments = stored(store)
        assert_disjoint_and_in_order(segments)
        assert sum(s[3] for s in segments) == len(written)
        for mmsi in (366000001, 366000002, 366000003):
            mine = [p for p in written if p.mmsi == mmsi]
            assert store.track(mmsi) == sorted(mine, key=lambda p: p.at)


def test_points_in_time_order_add_segments_and_rewrite_none(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update([point(seconds=s) for s in range(0, 60, 10)]))
        first = stored(store)
        store.write(update([point(seconds=s) for s in range(60, 120, 10)]))
        second = stored(store)
    assert second[: len(first)] == first  # the first write's segments stand as they were
    assert len(second) > len(first)
