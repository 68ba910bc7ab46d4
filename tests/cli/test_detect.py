"""``shade ingest --detect``, ``shade detect`` and ``shade events`` as a user runs them: real
processes, a real database (SQLite, or PostgreSQL with --db=postgresql), a scenario capture."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.commands import SHADE
from tests.detect.scenarios import Voyage, nmea
from tests.detect.test_scenarios import ZONES

PARTIES = """
[[parties]]
id = "nato"
name = "NATO"
colour = "#1f4e9c"
mmsi = [235000001]

[[parties]]
id = "plan"
name = "PLA Navy"
colour = "#c0392b"
mid = [412]
"""

EVENT_KEYS = ["id", "kind", "mmsi", "parties", "start", "end"]


def scenario(tmp_path: Path) -> tuple[Path, Path]:
    frigate = Voyage(235000001, "NATO FRIGATE", 35, (13.0, 49.75), ((120, 90, 15.0),))
    destroyer = Voyage(
        412000001, "PLAN DESTROYER", 35, (13.0 + 0.5 / 60, 50.25), ((120, 270, 15.0),)
    )
    # As long as the others: a feed whose vessels stop one by one would show gaps.
    crosser = Voyage(538000002, "CROSSER", 70, (13.40, 49.0), ((120, 180, 12.0),))
    parties = tmp_path / "parties.toml"
    parties.write_text(PARTIES)
    return nmea([frigate, destroyer, crosser], tmp_path / "feed.nmea"), parties


def shade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SHADE, *args], capture_output=True, text=True, timeout=300)


def events_json(url: str, *args: str) -> list[dict[str, object]]:
    done = shade("events", "--db", url, "--json", *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_ingest_detect_then_events(tmp_path: Path, store_url: str) -> None:
    feed, parties = scenario(tmp_path)
    done = shade(
        "ingest", str(feed), "--db", store_url, "--parties", str(parties), "--zones", str(ZONES)
    )
    assert done.returncode == 0, done.stderr
    assert "parties from" in done.stderr and "nato, plan" in done.stderr
    assert "zones from" in done.stderr and "skipped (not polygons)" in done.stderr
    assert "encounter" in done.stderr  # the totals of events by kind
    found = events_json(store_url)
    kinds = sorted(str(event["kind"]) for event in found)
    # The crosser passes through the westbound lane and then the IRTC's buffer zone and
    # beyond (several zones of the file): at least the lane, and one encounter.
    assert kinds.count("encounter") == 1
    lanes = [e for e in found if e["kind"] == "zone" and e["zone"] == "irtc_westbound_lane"]
    assert len(lanes) == 1
    encounter = next(e for e in found if e["kind"] == "encounter")
    assert list(encounter)[: len(EVENT_KEYS)] == EVENT_KEYS
    assert encounter["mmsi"] == [235000001, 412000001]
    assert encounter["parties"] == ["nato", "plan"]
    assert str(encounter["start"]).endswith("Z")
    assert {"cpa_nm", "tcpa_min", "closest_nm", "geometry"} <= set(encounter)
    only = events_json(store_url, "--kind", "encounter")
    assert only == [encounter]
    assert events_json(store_url, "--party", "nato") == [encounter]
    assert events_json(store_url, "--mmsi", "538000002") == [
        e
        for e in found
        if 538000002 in e["mmsi"]  # type: ignore[operator]
    ]
    table = shade("events", "--db", store_url)
    assert table.returncode == 0
    assert "235000001(nato) 412000001(plan)" in table.stdout


def test_detect_over_history_finds_what_ingest_found(tmp_path: Path, store_url: str) -> None:
    feed, parties = scenario(tmp_path)
    done = shade("ingest", str(feed), "--db", store_url)
    assert done.returncode == 0, done.stderr
    assert events_json(store_url) == []  # no --detect: no events
    done = shade("detect", "--db", store_url, "--parties", str(parties), "--zones", str(ZONES))
    assert done.returncode == 0, done.stderr
    history = events_json(store_url)
    live_url = f"sqlite:///{tmp_path / 'live.db'}"
    done = shade(
        "ingest", str(feed), "--db", live_url, "--parties", str(parties), "--zones", str(ZONES)
    )
    assert done.returncode == 0, done.stderr
    assert history == events_json(live_url)
    assert any(e["kind"] == "encounter" for e in history)
    # Again over the same history: the same events, replaced, not doubled.
    done = shade("detect", "--db", store_url, "--parties", str(parties), "--zones", str(ZONES))
    assert done.returncode == 0, done.stderr
    assert events_json(store_url) == history


def test_bad_parties_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "parties.toml"
    bad.write_text("[[parties]]\nid = 'x'\ncolour = 'red'\n")
    done = shade("events", "--db", str(tmp_path / "x.db"), "--kind", "nonsense")
    assert done.returncode == 2 and "nonsense" in done.stderr
    done = shade("detect", "--db", str(tmp_path / "x.db"), "--parties", str(bad))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"shade: error: parties file {bad}: party 'x': 'colour' must be like \"#1f4e9c\", not 'red'"
    ]
