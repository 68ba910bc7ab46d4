"""AIS decoding speed: shade against pyais 3.3.1, on the same lines, in the same run.

Run: python bench/decode.py [--repeat N] [--file PATH]
Input: ../shared/data/ais_nmea/amsa_ais.txt.gz, unpacked in memory (44,687 lines, 34,029
AIS sentences). Each row is the best of --repeat runs on one core; the ratio is shade's
throughput over the reference's. Targets: full decode >= 3x, JSON >= 3x, positions >= 20x.
"""

from __future__ import annotations

import argparse
import gzip
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

from pyais.messages import AISJSONEncoder
from pyais.stream import IterMessages

from shade.ais import Decoder
from shade.ais.jsonlines import JsonLines

DEFAULT_FILE = Path(__file__).resolve().parents[1].parent / "shared/data/ais_nmea/amsa_ais.txt.gz"
POSITION_TYPES = {1, 2, 3, 18, 19, 27}


def pyais_records(lines: list[bytes]) -> int:
    n = 0
    for sentence in IterMessages(lines):
        try:
            sentence.decode().asdict()
        except Exception:  # pyais raises several kinds on bad input
            continue
        n += 1
    return n


def pyais_json(lines: list[bytes]) -> int:
    encode = AISJSONEncoder().encode
    n = 0
    for sentence in IterMessages(lines):
        try:
            encode(sentence.decode().asdict())
        except Exception:
            continue
        n += 1
    return n


def pyais_positions(lines: list[bytes]) -> int:
    n = 0
    for sentence in IterMessages(lines):
        try:
            fields = sentence.decode().asdict()
        except Exception:
            continue
        if fields["msg_type"] in POSITION_TYPES:
            n += 1
    return n


def shade_records(lines: list[bytes]) -> int:
    return sum(1 for _ in Decoder().decode(lines))


def shade_json(lines: list[bytes]) -> int:
    line = JsonLines().line
    return sum(1 for decoded in Decoder().decode(lines) if line(decoded))


def shade_positions(lines: list[bytes]) -> int:
    from shade.ais.positions import decode_positions

    return len(decode_positions(lines))


def best(run: Callable[[list[bytes]], int], lines: list[bytes], repeat: int) -> tuple[int, float]:
    times = []
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run(lines)
        times.append(time.perf_counter() - start)
    return count, min(times)


def peak_memory_mb(lines: list[bytes], copies: int) -> float:
    def stream() -> Iterator[bytes]:
        for _ in range(copies):
            yield from lines

    tracemalloc.start()
    for _ in Decoder().decode(stream()):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the best counts")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="an NMEA capture")
    args = parser.parse_args()
    opener = gzip.open if args.file.suffix == ".gz" else open
    with opener(args.file, "rb") as handle:
        lines = [line.rstrip(b"\r\n") for line in handle if line.strip()]
    print(f"{args.file.name}: {len(lines):,} lines; best of {args.repeat} runs\n")
    print(
        f"{'path':<34}{'messages':>10}{'reference/s':>14}{'shade/s':>12}{'ratio':>8}{'target':>8}"
    )
    rows = (
        ("records (pyais decode+asdict)", pyais_records, shade_records, 3),
        ("JSON (pyais asdict+json)", pyais_json, shade_json, 3),
        ("positions (pyais, filtered)", pyais_positions, shade_positions, 20),
    )
    for label, reference, ours, target in rows:
        ref_count, ref_time = best(reference, lines, args.repeat)
        count, took = best(ours, lines, args.repeat)
        ratio = (count / took) / (ref_count / ref_time) if ref_count else float("nan")
        ok = "ok" if ratio >= target else "MISSED"
        print(
            f"{label:<34}{count:>10,}{ref_count / ref_time:>14,.0f}{count / took:>12,.0f}"
            f"{ratio:>7.1f}x{f'{target}x {ok}':>10}"
        )
    one, four = peak_memory_mb(lines, 1), peak_memory_mb(lines, 4)
    print(f"\nmemory: peak {one:.1f} MB decoding the capture once, {four:.1f} MB for 4 copies")


if __name__ == "__main__":
    main()
