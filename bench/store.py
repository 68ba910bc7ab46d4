"""The store's speed: bulk writes, the MarineCadastre import, the picture at a time T.

Run: python bench/store.py [--points N] [--postgres URL] [--repeat N]
  --postgres: a PostgreSQL server URL whose role may create databases; the benchmark makes
  its own database there and drops it at the end. Without it, SQLite only.

Import: the 99,999-row MarineCadastre file (../shared/data/ais_tracks), parsing included.
Picture: ``Store.vessels_at`` over that import (10,631 vessels) at three times, right after
it (and, on PostgreSQL, ANALYZE); each row is the best and the median of --repeat runs.
Target: under 50 ms. Writes: N synthetic points (default 1,000,000) in batches of 5,000
from 2,000 vessels (two or three points a vessel a batch), a static message every 50
points, as lists of ``Point`` into an empty database; the clock runs only around
``Store.write``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scratch import postgres_database  # bench/scratch.py
from shade.store import Store
from shade.store.marinecadastre import import_marinecadastre_csv
from shade.tracks.model import Point, Static, Update

CSV = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/ais_tracks/marinecadastre_AIS_2022_01_03_first99999rows.csv.gz"
)
BATCH = 5000
VESSELS = 2000
PICTURE_TIMES = {
    "T = newest (23:59:59)": None,
    "T = 00:25:16 (all in view)": datetime(2022, 1, 3, 0, 25, 16, tzinfo=UTC),
    "T = 00:12:00 (most moved on)": datetime(2022, 1, 3, 0, 12, tzinfo=UTC),
}


def batches(points: int) -> Iterator[Update]:
    rnd = random.Random(4)
    start = datetime(2022, 1, 3, tzinfo=UTC)
    for first in range(0, points, BATCH):
        batch = []
        statics = []
        for k in range(first, min(first + BATCH, points)):
            mmsi = 200_000_000 + k % VESSELS
            at = start + timedelta(milliseconds=100 * k)
            batch.append(
                Point(
                    mmsi,
                    at,
                    rnd.uniform(-60, 60),
                    rnd.uniform(-180, 180),
                    12.3,
                    rnd.uniform(0, 359.9),
                    rnd.randrange(360),
                    0,
                    1,
                    "bench",
                )
            )
            if k % 50 == 0:
                statics.append(
                    Static(mmsi, at, {"shipname": f"VESSEL {mmsi}", "ship_type": 70, "imo": k})
                )
        yield Update(batch, [], statics)


def bench_writes(url: str, points: int) -> float:
    with Store.open(url) as store:
        spent = 0.0
        for update in batches(points):
            started = time.perf_counter()
            store.write(update)
            spent += time.perf_counter() - started
        assert store.counts()["points"] == points
    return points / spent


def bench_import(url: str) -> tuple[float, Store]:
    store = Store.open(url)
    started = time.perf_counter()
    result = import_marinecadastre_csv(store, str(CSV))
    rate = result.rows / (time.perf_counter() - started)
    assert result.vessels == 10_631
    return rate, store


def bench_picture(store: Store, repeat: int) -> list[tuple[str, int, float, float]]:
    rows = []
    for label, at in PICTURE_TIMES.items():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            found = store.vessels_at(at)
            times.append(time.perf_counter() - started)
        rows.append((label, len(found), min(times) * 1000, statistics.median(times) * 1000))
    return rows


def run(backend: str, write_url: str, import_url: str, points: int, repeat: int) -> None:
    print(f"\n{backend}")
    # The picture first: the bulk write leaves PostgreSQL busy a while after (checkpoints,
    # autovacuum), on the same cores.
    rate, store = bench_import(import_url)
    with store:
        if store.backend == "postgresql":
            with store.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")  # as after any bulk load
        print(f"  MarineCadastre import           {rate:>12,.0f} rows/s")
        for label, found, best, median in bench_picture(store, repeat):
            print(
                f"  vessels_at {label:<29} {found:>6,} vessels  "
                f"best {best:5.1f} ms  median {median:5.1f} ms"
            )
    print(f"  bulk write, batches of {BATCH:,}  {bench_writes(write_url, points):>12,.0f} points/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="a server whose role may CREATE DATABASE")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if not CSV.is_file():
        sys.exit(f"bench/store.py: {CSV} is missing (the shared data)")
    print(f"python {sys.version.split()[0]}, {args.points:,} points, {VESSELS:,} vessels")
    with tempfile.TemporaryDirectory() as directory:
        run(
            "SQLite (WAL, synchronous=NORMAL)",
            f"sqlite:///{directory}/writes.db",
            f"sqlite:///{directory}/import.db",
            args.points,
            args.repeat,
        )
    if args.postgres:
        with postgres_database(args.postgres) as writes, postgres_database(args.postgres) as imp:
            run("PostgreSQL", writes, imp, args.points, args.repeat)


if __name__ == "__main__":
    main()
