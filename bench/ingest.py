"""End-to-end ingest speed: a capture through decoder, tracker and store, against pyais.

Run: python bench/ingest.py [--copies N] [--postgres URL] [--repeat N]

Each row is the best of --repeat runs (a fresh database each), with the median beside it:
a run of a tenth of a second moves by a fifth from one run to the next on a busy machine.
Each ratio is of best times, against pyais decoding the same file in the same run. Rows:
- pyais 3.3.1 decoding the unpacked AMSA capture (../shared/data), the reference;
- `shade ingest` of the same lines into a fresh SQLite file, in this process: the clock runs
  around `Pipeline.run`, from reading the file to the last commit (the store opened, and the
  land mask loaded, beforehand; the mask's load time is printed on its own: milliseconds
  from the cache that the first load on a machine writes, 2 to 4 s when it reads the
  package);
- the same with every detector on (two parties by flag state, the Gulf of Aden zones):
  target at least 60% of the throughput without them;
- the same into PostgreSQL with --postgres (a server URL whose role may create databases);
- the MarineCadastre CSV (99,999 decoded rows) imported into SQLite, and PostgreSQL with
  --postgres, parsing included: rows a second (pyais has nothing to decode there);
- pyais decoding a file of about a million messages (the AMSA sentences repeated --copies
  times behind tag blocks whose times move on by one capture length a copy), the
  reference for the next row (at most 2 runs: each takes seconds);
- `shade ingest` as a real process over that file into a new SQLite file, start-up and
  all (at most 3 runs), with its peak RSS. Targets: ingest >= 3x pyais decoding alone;
  peak RSS under 300 MB for a million messages.
"""

from __future__ import annotations

import argparse
import gzip
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from pyais.stream import IterMessages

from scratch import postgres_database  # bench/scratch.py
from shade.ais.nmea import checksum
from shade.config import Settings
from shade.detect.runner import Detection
from shade.detect.zones import load_zones
from shade.ingest.pipeline import Pipeline
from shade.ingest.sources import open_source
from shade.parties import Parties, parse_parties
from shade.store import Store
from shade.store.marinecadastre import import_marinecadastre_csv
from shade.tracks.land import cache_file, land_mask
from shade.tracks.tracker import Tracker

AMSA = Path(__file__).resolve().parents[1].parent / "shared/data/ais_nmea/amsa_ais.txt.gz"
CSV = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/ais_tracks/marinecadastre_AIS_2022_01_03_first99999rows.csv.gz"
)
ZONES = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/zones/goa_io_security_zones_transcribed.geojson"
)
START = 1_700_000_000  # the first copy's tag-block time (2023-11-14)


def pyais_decode(lines: list[bytes]) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    for sentence in IterMessages(lines):
        try:
            sentence.decode().asdict()
        except Exception:  # pyais raises several kinds on bad input
            continue
        count += 1
    return count, time.perf_counter() - started


def bench_parties() -> Parties:
    """Two parties by flag state, so that close encounters are looked for between many
    vessels: Australian-flagged (MID 503) against every other flag."""
    others = [mid for mid in range(200, 800) if mid != 503]
    return parse_parties(
        {
            "parties": [
                {"id": "au", "colour": "#00843d", "mid": [503]},
                {"id": "others", "colour": "#888888", "mid": others},
            ]
        }
    )


def shade_ingest(path: Path, url: str, detect: bool = False) -> tuple[int, float, dict[str, int]]:
    settings = Settings()
    with Store.open(url, settings) as store:
        observe = None
        if detect:
            zones = load_zones(ZONES).zones if ZONES.is_file() else []
            observe = Detection(settings, bench_parties(), zones).observe
        source = open_source(str(path), settings)
        pipeline = Pipeline([source], Tracker(settings), store.write, settings, observe)
        started = time.perf_counter()
        stats = pipeline.run()
        took = time.perf_counter() - started
        return stats.decoded, took, store.counts()


def best_and_median(times: list[float]) -> tuple[float, float]:
    return min(times), statistics.median(times)


def million_file(lines: list[bytes], copies: int, target: Path) -> int:
    """The AMSA sentences, ``copies`` times, each copy later by the capture's length."""
    sentences = [line for line in lines if line.startswith(b"!")]
    written = 0
    with target.open("wb") as out:
        for copy in range(copies):
            for index, sentence in enumerate(sentences):
                tag = b"c:%d" % (START + copy * 400 + index * 400 // len(sentences))
                out.write(b"\\%s*%02X\\%s\n" % (tag, checksum(tag), sentence))
                written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=30, help="copies of AMSA in the big file")
    parser.add_argument("--postgres", help="PostgreSQL server URL (role may create databases)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per in-process row")
    args = parser.parse_args()
    with gzip.open(AMSA, "rb") as handle:
        lines = [line.rstrip(b"\r\n") for line in handle if line.strip()]
    cached = cache_file().is_file()
    started = time.perf_counter()
    land_mask()
    how = "from the cache" if cached else "read from the package, then cached"
    print(f"land mask loaded in {time.perf_counter() - started:.2f} s ({how})\n")

    decodes = [pyais_decode(lines) for _ in range(args.repeat)]
    count = decodes[0][0]
    took, median = best_and_median([seconds for _, seconds in decodes])
    reference = count / took
    print(f"best of {args.repeat} runs; the median beside it\n")
    header = f"{'path':<40}{'messages':>10}{'seconds':>9}{'median':>8}{'msg/s':>10}{'vs pyais':>10}"
    print(header)
    label = "pyais 3.3.1 decode (reference)"
    print(f"{label:<40}{count:>10,}{took:>9.3f}{median:>8.3f}{reference:>10,.0f}")
    with tempfile.TemporaryDirectory() as work:
        plain = Path(work) / "amsa.nmea"
        plain.write_bytes(b"\n".join(lines) + b"\n")
        targets: list[tuple[str, Callable[[int], AbstractContextManager[str]], bool]] = [
            (
                "ingest AMSA -> SQLite",
                lambda k: nullcontext(f"sqlite:///{work}/plain{k}.db"),
                False,
            ),
            (
                "  the same, every detector on",
                lambda k: nullcontext(f"sqlite:///{work}/detect{k}.db"),
                True,
            ),
        ]
        if args.postgres:
            server = args.postgres
            targets.append(
                ("ingest AMSA -> PostgreSQL", lambda k: postgres_database(server), False)
            )
        rates = []
        for label, database, detect in targets:
            times: list[float] = []
            counts: dict[str, int] = {}
            decoded = 0
            for k in range(args.repeat):
                with database(k) as url:
                    decoded, took, counts = shade_ingest(plain, url, detect)
                times.append(took)
            took, median = best_and_median(times)
            rate = decoded / took
            rates.append(rate)
            print(
                f"{label:<40}{decoded:>10,}{took:>9.3f}{median:>8.3f}{rate:>10,.0f}"
                f"{rate / reference:>9.2f}x"
            )
            print(f"  stored: {counts}")
            if detect:
                share = rate / rates[0]
                print(f"  with detectors: {share:.0%} of the throughput (target >= 60%)")
        imports = [
            (
                "import MarineCadastre CSV -> SQLite",
                lambda k: nullcontext(f"sqlite:///{work}/csv{k}.db"),
            )
        ]
        if args.postgres:
            server = args.postgres
            imports.append(
                ("import MarineCadastre CSV -> PostgreSQL", lambda k: postgres_database(server))
            )
        for label, database in imports:
            times = []
            for k in range(args.repeat):
                with database(k) as url, Store.open(url) as store:
                    started = time.perf_counter()
                    rows = import_marinecadastre_csv(store, str(CSV)).rows
                    times.append(time.perf_counter() - started)
            took, median = best_and_median(times)
            print(f"{label:<40}{rows:>10,}{took:>9.3f}{median:>8.3f}{rows / took:>10,.0f}   (rows)")

        big = Path(work) / "million.nmea"
        million_file(lines, args.copies, big)
        # The processes first: the peak RSS of a child counts its parent's pages at fork,
        # and this one grows when pyais decodes the file.
        command = [sys.executable, "-c", "from shade.cli import main; main()", "ingest"]
        times = []
        for k in range(min(args.repeat, 3)):
            started = time.perf_counter()
            done = subprocess.run(
                [*command, str(big), "--db", f"sqlite:///{work}/million{k}.db"],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - started)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        found = re.search(rb"^messages +([\d,]+)", done.stderr, re.MULTILINE)
        if found is None:
            raise SystemExit(f"shade ingest printed no totals: {done.stderr.decode()}")
        messages = int(found.group(1).replace(b",", b""))
        with big.open("rb") as handle:
            sentences = [line.rstrip(b"\n") for line in handle]
        decodes = [pyais_decode(sentences) for _ in range(min(args.repeat, 2))]
        count = decodes[0][0]
        took, median = best_and_median([seconds for _, seconds in decodes])
        reference = count / took
        label = f"pyais decode, {count / 1e6:.2f}M (reference)"
        print(f"{label:<40}{count:>10,}{took:>9.2f}{median:>8.2f}{reference:>10,.0f}")
        took, median = best_and_median(times)
        rate = messages / took
        label = "shade ingest process, same file"
        print(
            f"{label:<40}{messages:>10,}{took:>9.2f}{median:>8.2f}{rate:>10,.0f}"
            f"{rate / reference:>9.2f}x"
        )
        print(f"  peak RSS of the ingest process: {peak_mb:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
