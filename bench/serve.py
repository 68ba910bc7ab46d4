"""The server under load: live stream latency at many clients, and the picture over HTTP.

Run: python bench/serve.py [--clients 100] [--seconds 60] [--speed 10]

1. Live. `shade serve` as a real process (SQLite, ingest on a TCP listener, every
   detector on), three parties whose units are told by flag state (Australia, China,
   Japan) and whose release rules differ (so each party's stream is its own), --clients
   WebSocket clients spread over them. The AMSA capture (../shared/data; 44,687 lines, no
   times of its own) is given tag-block times spread over --seconds x --speed of feed time
   starting now, and `shade replay --speed` sends it to the listener: --seconds of wall
   time. Each client measures, for every update frame, the time from the commit it
   carries (the frame's `committed`, the server's clock) to its arrival. Positions go to a
   client at most every ws_interval_ms (a setting: 1000 ms), merged, and each frame is
   measured from its newest commit. Target: p99 under 250 ms at 100 clients. The server's
   CPU share is its CPU time over the wall time of the run (100% is one core).
2. The picture. The MarineCadastre CSV (../shared/data) imported into SQLite, served, and
   `GET /api/vessels?at=T` (T in the middle of the day, every vessel in one page) asked in
   a loop; against `Store.vessels_at(T)` and `shade.access.picture` called in-process on
   the same file: requests per second and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from shade.access import ReleaseRules, Viewer, picture
from shade.accounts import Role
from shade.ais.nmea import checksum
from shade.parties import parse_parties
from shade.store import Store

DATA = Path(__file__).resolve().parents[1].parent / "shared/data"
AMSA = DATA / "ais_nmea/amsa_ais.txt.gz"
MARINECADASTRE = DATA / "ais_tracks/marinecadastre_AIS_2022_01_03_first99999rows.csv.gz"
SHADE = [sys.executable, "-c", "from shade.cli import main; main()"]
PASSWORD = "bench password 2026"
PARTIES = """
[[parties]]
id = "nato"
name = "NATO"
colour = "#1f4e9c"
mmsi = []
mid = [503]

[[parties]]
id = "plan"
name = "PLA Navy"
colour = "#c0392b"
mmsi = []
mid = [412, 413, 414, 477]

[[parties]]
id = "jmsdf"
name = "JMSDF"
colour = "#2e8b57"
mmsi = []
mid = [431, 432]
"""
RULES = [
    ("plan", "nato", "delayed", 10, None, True),
    ("nato", "plan", "coarsened", None, 5.0, False),
    ("nato", "jmsdf", "full", None, None, True),
    ("jmsdf", "nato", "full", None, None, True),
]
_SERVING = re.compile(r"serving (http://\S+/)")
_COMMITTED = re.compile(r'"committed":"([^"]+)"')


class Served:
    """`shade serve` as a process; its URL once it listens."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [*SHADE, "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.url = ""
        found = threading.Event()
        self.log: list[str] = []

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.log.append(line)
                match = _SERVING.search(line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(60) or not self.url:
            self.stop()
            raise SystemExit("shade serve did not start:\n" + "".join(self.log))

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def users(url: str, parties: list[str], rules: bool = True) -> dict[str, str]:
    """A viewer of each party and their API token; the rules between them."""
    tokens = {}
    with Store.open(url) as store:
        for party in parties:
            store.add_user(
                f"{party}-bench", PASSWORD, party, Role.VIEWER, actor="bench", remote=None
            )
            tokens[party] = store.create_token(f"{party}-bench", actor="bench", remote=None)[1]
        for owner, viewer, mode, minutes, nm, events in RULES if rules else ():
            store.set_release_rule(
                owner, viewer, mode, minutes, nm, events, actor="bench", remote=None
            )
    return tokens


def timed_capture(target: Path, feed_seconds: float) -> int:
    """The AMSA lines behind tag blocks spread evenly over ``feed_seconds`` from now."""
    lines = gzip.decompress(AMSA.read_bytes()).splitlines()
    start = time.time()
    step = feed_seconds / max(1, len(lines))
    with target.open("wb") as out:
        for k, line in enumerate(lines):
            tag = b"c:%d" % int(start + k * step)
            out.write(b"\\%s*%02X\\%s\r\n" % (tag, checksum(tag), line))
    return len(lines)


async def client(
    url: str, token: str, until: float, latencies: list[float], frames: list[int]
) -> None:
    async with connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None
    ) as ws:
        await ws.send(json.dumps({"type": "hello", "resume": None}))
        first = json.loads(await ws.recv())
        assert first["type"] == "snapshot", first
        while time.time() < until:
            try:
                message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, until - time.time()))
            except TimeoutError:
                break
            arrived = time.time()
            frames.append(1)
            # Read from the frame's head only: parsing all of it here would delay the
            # other clients of this one process, and count in their latency.
            found = _COMMITTED.search(message[:400] if isinstance(message, str) else "")
            if found:
                committed = datetime.fromisoformat(found.group(1)).timestamp()
                latencies.append((arrived - committed) * 1000)


def live(work: Path, clients: int, seconds: float, speed: float) -> bool:
    db = f"sqlite:///{work / 'live.db'}"
    parties_file = work / "parties.toml"
    parties_file.write_text(PARTIES)
    party_ids = ["nato", "plan", "jmsdf"]
    with Store.open(db):
        pass
    tokens = users(db, party_ids)
    capture = work / "feed.nmea"
    lines = timed_capture(capture, seconds * speed)
    feed_port = _free_port()
    served = Served(
        [
            "--db",
            db,
            "--parties",
            str(parties_file),
            "--ingest",
            f"tcp-listen://127.0.0.1:{feed_port}",
        ]
    )
    ws_url = served.url.replace("http://", "ws://") + "ws"
    latencies: list[float] = []
    frames: list[int] = []
    try:
        cpu_before, wall_before = served.cpu_seconds(), time.monotonic()
        replay = subprocess.Popen(
            [
                *SHADE,
                "replay",
                str(capture),
                "--to",
                f"tcp://127.0.0.1:{feed_port}",
                "--speed",
                str(speed),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        until = time.time() + seconds + 3

        async def everyone() -> None:
            await asyncio.gather(
                *(
                    client(ws_url, tokens[party_ids[k % 3]], until, latencies, frames)
                    for k in range(clients)
                )
            )

        asyncio.run(everyone())
        replay.wait(60)
        cpu = (served.cpu_seconds() - cpu_before) / (time.monotonic() - wall_before)
    finally:
        served.stop()
    if not latencies:
        print("no update frames arrived: " + "".join(served.log))
        return False
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(
        f"1. live: {clients} clients of 3 parties, {lines:,} AIS lines over {seconds:g} s", end=""
    )
    print(f" ({speed:g}x)")
    heads = ("frames", "p50 ms", "p90 ms", "p99 ms", "max ms")
    print("   " + " ".join(f"{h:>8}" for h in heads) + f" {'server CPU':>11}")
    values = (statistics.median(ordered), at(0.9), at(0.99), ordered[-1])
    print(f"   {len(latencies):>8,} " + " ".join(f"{v:>8.1f}" for v in values), end="")
    print(f" {cpu * 100:>10.0f}%")
    ok = at(0.99) < 250
    print(f"   target: p99 < 250 ms at 100 clients: {at(0.99):.1f} ms  {'ok' if ok else 'MISSED'}")
    return ok


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rate(call: object, seconds: float = 5.0) -> float:
    assert callable(call)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds or count < 3:
        call()
        count += 1
    return count / (time.perf_counter() - started)


def the_picture(work: Path) -> None:
    db = f"sqlite:///{work / 'history.db'}"
    subprocess.run(
        [*SHADE, "import-csv", str(MARINECADASTRE), "--db", db], check=True, capture_output=True
    )
    # Parties that own no vessel of that day: every vessel is neutral, so the HTTP answer
    # and the library's are the same picture.
    parties_file = work / "parties-none.toml"
    parties_file.write_text(
        '[[parties]]\nid = "nato"\nname = "NATO"\ncolour = "#1f4e9c"\nmmsi = []\n'
    )
    tokens = users(db, ["nato"], rules=False)
    with Store.open(db) as store:
        middle = datetime(2022, 1, 3, 0, 12, tzinfo=UTC)
        count = len(store.vessels_at(middle))
        parties = parse_parties({"parties": []})
        viewer = Viewer("nato", ReleaseRules(), lambda mmsi: None)
        now = middle + timedelta(days=1)
        library = rate(lambda: store.vessels_at(middle))
        released = rate(lambda: picture(viewer, middle, now, store.vessels_at))
        del parties
    served = Served(
        ["--db", db, "--parties", str(parties_file)], env={"SHADE_API_PAGE_MAX": "50000"}
    )
    try:
        headers = {"Authorization": f"Bearer {tokens['nato']}"}
        with httpx.Client(base_url=served.url, headers=headers, timeout=60) as http:
            url = f"api/vessels?at={middle.isoformat().replace('+00:00', 'Z')}&limit=50000"
            got = http.get(url).json()
            assert len(got["items"]) == count, (len(got["items"]), count)
            over_http = rate(lambda: http.get(url).raise_for_status())
    finally:
        served.stop()
    print(f"\n2. the picture at {middle:%Y-%m-%d %H:%M}Z, MarineCadastre: {count:,} vessels")
    print(f"   {'path':<44}{'per s':>8}{'ms':>8}{'ratio':>8}")
    for label, value in (
        ("Store.vessels_at (reference)", library),
        ("shade.access.picture (released, in-process)", released),
        ("GET /api/vessels over HTTP (JSON)", over_http),
    ):
        print(f"   {label:<44}{value:>8.1f}{1000 / value:>8.1f}{value / library:>7.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the module docstring for what is measured.",
    )
    parser.add_argument("--clients", type=int, default=100, help="WebSocket clients (default 100)")
    parser.add_argument(
        "--seconds", type=float, default=60, help="wall time of the feed (default 60)"
    )
    parser.add_argument("--speed", type=float, default=10, help="replay speed (default 10x)")
    parser.add_argument("--skip-picture", action="store_true", help="only the live part")
    args = parser.parse_args()
    for path in (AMSA, MARINECADASTRE):
        if not path.is_file():
            raise SystemExit(f"bench/serve.py needs {path} (../shared/data beside the checkout)")
    with tempfile.TemporaryDirectory(prefix="shade-bench-") as work:
        ok = live(Path(work), args.clients, args.seconds, args.speed)
        if not args.skip_picture:
            the_picture(Path(work))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
