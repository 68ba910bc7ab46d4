"""``shade demo`` runs from a clean checkout: no recorded data needed, every ship shown."""

from __future__ import annotations

import subprocess
from pathlib import Path

from shade.ais import Decoder
from shade.sim.scenario import SHIPS
from tests.commands import SHADE


def test_demo_prints_every_ship_and_writes_its_capture(tmp_path: Path) -> None:
    capture = tmp_path / "demo.nmea"
    done = subprocess.run(
        [*SHADE, "demo", "--minutes", "7",
         "--nmea", str(capture)],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    for ship in SHIPS:
        assert f"{ship.mmsi:<10} {ship.name:<20}" in out
    assert "rejected              0" in out
    decoder = Decoder()
    decoded = list(decoder.decode(capture.read_bytes().splitlines()))
    assert decoder.stats.rejects == {} and len(decoded) == decoder.stats.decoded > 0
    assert {d.message.mmsi for d in decoded} == {ship.mmsi for ship in SHIPS}
