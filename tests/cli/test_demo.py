"""``shade demo`` from a clean checkout: the scenario through a real socket into ingest,
detectors on, events printed as committed, the picture at the end."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from shade.ais import Decoder
from shade.sim.scenario import SHIPS
from shade.store import Store
from tests.commands import SHADE
from tests.conftest import AIS_NMEA


def demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *SHADE,
            "demo",
            "--no-serve",
            "--speed",
            "0",
            "--db",
            f"sqlite:///{tmp_path / 'demo.db'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


def test_demo_feeds_the_scenario_through_a_socket_with_detectors(tmp_path: Path) -> None:
    capture = tmp_path / "demo.nmea"
    done = demo(tmp_path, "--minutes", "40", "--nmea", str(capture))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"sent as fast as possible to tcp://127\.0\.0\.1:\d+", out)
    sent = re.search(r"([\d,]+) lines sent, ([\d,]+) received", out)
    assert sent is not None and sent.group(1) == sent.group(2)
    for ship in SHIPS:
        assert re.search(rf"^{ship.mmsi} +{re.escape(ship.name)} ", out, re.M), ship.name
    # The encounter the scenario was written for, opened and closed, nothing else between
    # parties; zone visits of the IRTC lanes.
    assert "encounter  open   235000001 (nato) / 412000002 (plan)" in out
    assert "encounter  closed 235000001 (nato) / 412000002 (plan)" in out
    assert out.count("encounter  open") == 1
    assert "zone       closed 412000002 (plan): IRTC westbound transit lane, 20.0 min" in out
    with Store.open(f"sqlite:///{tmp_path / 'demo.db'}") as store:
        (encounter,) = store.events(kind="encounter")
        assert encounter.end is not None and encounter.figures["closest_nm"] < 0.5
        assert store.counts()["vessels"] == len(SHIPS)
    decoder = Decoder()
    decoded = list(decoder.decode(capture.read_bytes().splitlines()))
    assert decoder.stats.rejects == {} and len(decoded) == decoder.stats.decoded > 0
    assert {d.message.mmsi for d in decoded} == {ship.mmsi for ship in SHIPS}


def test_demo_replays_any_capture(tmp_path: Path) -> None:
    done = demo(tmp_path, "--replay", str(AIS_NMEA / "nca_norwegian.raw"))
    assert done.returncode == 0, done.stderr
    sent = re.search(r"([\d,]+) lines sent, ([\d,]+) received", done.stdout)
    assert sent is not None and sent.group(1) == sent.group(2)
    assert int(sent.group(1).replace(",", "")) > 0


def test_demo_refuses_a_missing_capture_in_one_line(tmp_path: Path) -> None:
    done = demo(tmp_path, "--replay", str(tmp_path / "nope.nmea"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("shade: error:")
    assert "nope.nmea" in done.stderr and "Traceback" not in done.stderr


def test_demo_into_a_reader_that_leaves_ends_quietly(tmp_path: Path) -> None:
    # `shade demo | head -2`: the demo runs on to its end and exits 0, with no traceback.
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    command = [*SHADE, "demo", "--no-serve", "--speed", "0", "--db", db]
    reader = subprocess.Popen(["head", "-2"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert reader.stdin is not None
    done = subprocess.run(
        command, stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=300
    )
    head = reader.communicate(timeout=60)[0].decode()  # closes our end of its input
    assert head.startswith("SHADE demo:")
    assert done.returncode == 0
    assert "Traceback" not in done.stderr and done.stderr == ""


def test_the_served_demo_plays_its_hotline_exchange_into_a_ledger_that_verifies(
    tmp_path: Path,
) -> None:
    # The demo's clock at 30x; PRIORITY's deadline made 1 minute, so 2 s of wall time.
    env = {**os.environ, "SHADE_HOTLINE_PRIORITY_MINUTES": "1"}
    keys = tmp_path / "keys"
    command = [
        *SHADE, "demo", "--port", "0", "--speed", "30", "--minutes", "30",
        "--db", f"sqlite:///{tmp_path / 'demo.db'}", "--keys", str(keys),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        awaited = {"escalated jmsdf: admins", "nato (nato) acknowledged IMMEDIATE"}
        for line in process.stdout:
            lines.append(line)
            awaited = {text for text in awaited if text not in line}
            if not awaited or time.monotonic() > deadline:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=60)[0]
    out = "".join(lines) + rest
    assert process.returncode == 0, out
    assert "jmsdf-duty" in out and "duty_officer" in out  # the account is printed
    assert re.search(r"hotline +FLASH +nato -> plan: On present courses .* \[ledger 0\]", out)
    assert re.search(r"hotline +ack +plan \(plan\) acknowledged FLASH from nato", out)
    assert re.search(r"hotline +IMMEDIATE +plan -> nato: I am altering my course", out)
    for level in ("reminder", "duty officer", "admins"):
        assert f"escalated jmsdf: {level}" in out, out
    export = tmp_path / "record"
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    subprocess.run(
        [*SHADE, "ledger", "export", "--db", db, "--to", str(export)],
        check=True,
        capture_output=True,
    )
    verified = subprocess.run(
        [*SHADE, "ledger", "verify", str(export), "--keys", str(keys / "public-keys.txt")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert "ok: 5 entries (nato 3, plan 2)" in verified.stdout
