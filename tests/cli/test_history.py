"""``shade import-csv``, ``shade vessels`` and ``shade track`` as a user runs them: real
processes against a real database (SQLite, or PostgreSQL with --db=postgresql)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shade.store import Store
from shade.tracks.export import iso, point_json, track_geojson, vessel_json
from shade.tracks.model import Point, Vessel
from tests.commands import SHADE, run_on_terminal
from tests.conftest import MARINECADASTRE_CSV, database

VESSEL_KEYS = [
    "mmsi",
    "at",
    "lat",
    "lon",
    "speed",
    "course",
    "heading",
    "status",
    "shipname",
    "callsign",
    "imo",
    "ship_type",
    "to_bow",
    "to_stern",
    "to_port",
    "to_starboard",
    "destination",
    "eta",
    "draught",
]
POINT_KEYS = [
    "mmsi",
    "at",
    "lat",
    "lon",
    "speed",
    "course",
    "heading",
    "status",
    "msg_type",
    "source",
]
ROWS = 400  # the first rows of the real MarineCadastre file


def shade(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SHADE, *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def csv_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("csv") / "head.csv"
    with gzip.open(MARINECADASTRE_CSV, "rt", newline="") as source:
        lines = [next(source) for _ in range(ROWS + 1)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def db(backend: str, tmp_path_factory: pytest.TempPathFactory, csv_head: Path) -> Iterator[str]:
    with database(backend, tmp_path_factory.mktemp("db")) as url:
        done = shade("import-csv", str(csv_head), "--db", url)
        assert done.returncode == 0, done.stderr
        yield url


def test_import_csv_prints_counts(store_url: str, csv_head: Path) -> None:
    done = shade("import-csv", str(csv_head), "--db", store_url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["rows", f"{ROWS}"]
    assert lines[1].split() == ["points", f"{ROWS}"]
    assert lines[3].startswith("bad rows") and lines[3].split()[2] == "0"
    assert "importing" in done.stderr and "\x1b" not in done.stderr  # no bar when piped
    with Store.open(store_url) as store:
        assert store.counts()["points"] == ROWS


def test_vessels_json_lines(db: str) -> None:
    done = shade("vessels", "--db", db, "--json", "--at", "2022-01-03T00:03:00Z")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    with Store.open(db) as store:
        expected = store.vessels_at(datetime(2022, 1, 3, 0, 3, tzinfo=UTC))
    assert [r["mmsi"] for r in rows] == [v.mmsi for v in expected] and len(rows) > 100
    assert all(list(r) == VESSEL_KEYS for r in rows)
    first = rows[0]
    assert first["at"].endswith("Z")
    assert datetime.fromisoformat(first["at"]) == expected[0].at
    assert f"shade: {len(rows):,} vessels at 2022-01-03T00:03:00Z" in done.stderr


def test_vessels_default_to_the_newest_time(db: str) -> None:
    done = shade("vessels", "--db", db, "--json")
    with Store.open(db) as store:
        newest = store.latest_time()
        expected = [v.mmsi for v in store.vessels_at()]
    assert (
        newest is not None
        and [json.loads(line)["mmsi"] for line in done.stdout.splitlines()] == expected
    )
    assert f"vessels at {newest.isoformat().replace('+00:00', 'Z')}" in done.stderr


def test_vessels_at_a_time_in_a_box(db: str) -> None:
    box = "-119,33,-117,34.5"
    done = shade("vessels", "--db", db, "--at", "2022-01-03T00:01:00", "--bbox", box, "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    with Store.open(db) as store:
        when = datetime(2022, 1, 3, 0, 1, tzinfo=UTC)
        expected = store.vessels_at(when, bbox=(-119, 33, -117, 34.5))
    assert [r["mmsi"] for r in rows] == [v.mmsi for v in expected] and rows
    assert all(r["at"] <= "2022-01-03T00:01:00Z" for r in rows)
    assert all(33 <= r["lat"] <= 34.5 and -119 <= r["lon"] <= -117 for r in rows)


def test_vessels_table(db: str) -> None:
    done = shade("vessels", "--db", db, "--at", "2022-01-03T01:00:00+01:00")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split()[:3] == ["MMSI", "AT", "(UTC)"]
    assert rows and all(row.split()[1].startswith("2022-01-03T00:") for row in rows)
    assert "vessels at 2022-01-03T00:00:00Z" in done.stderr


def test_track_json_and_window(db: str) -> None:
    mmsi = "367678390"  # six rows in the first 400
    done = shade("track", mmsi, "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) >= 2 and all(list(r) == POINT_KEYS for r in rows)
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    times = [r["at"] for r in rows]
    start, end = times[0], sorted(set(times))[1]
    window = shade("track", mmsi, "--db", db, "--json", "--from", start, "--to", end)
    assert [json.loads(line)["at"] for line in window.stdout.splitlines()] == [
        t for t in times if start <= t <= end
    ]
    table = shade("track", mmsi, "--db", db, "--from", end)
    header, *lines = table.stdout.splitlines()
    assert header.startswith("AT (UTC)")
    assert [line.split()[0] for line in lines] == [t for t in times if t >= end]


def test_track_geojson(db: str) -> None:
    done = shade("track", "367678390", "--db", db, "--geojson")
    assert done.returncode == 0, done.stderr
    feature = json.loads(done.stdout)
    points = [
        json.loads(line)
        for line in shade("track", "367678390", "--db", db, "--json").stdout.splitlines()
    ]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "LineString"
    assert feature["geometry"]["coordinates"] == [[p["lon"], p["lat"]] for p in points]
    assert feature["properties"]["times"] == [p["at"] for p in points]
    assert feature["properties"]["mmsi"] == 367678390


def test_unknown_vessel_has_an_empty_track(db: str) -> None:
    done = shade("track", "123456789", "--db", db, "--json")
    assert done.returncode == 0 and done.stdout == ""
    assert "0 positions" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["vessels", "--at", "yesterday"], "Invalid value for '--at'"),
        (["vessels", "--bbox", "1,2,3"], "Invalid value for '--bbox'"),
        (["vessels", "--bbox", "0,10,1,5"], "bbox latitudes"),
        (["track", "0"], "Invalid value for 'MMSI'"),
        (["track", "1", "--from", "2022-01-02", "--to", "2022-01-01"], "is after --to"),
        (["track", "1", "--json", "--geojson"], "cannot go together"),
        (["import-csv", "/no/such/file.csv"], "does not exist"),
    ],
)
def test_usage_errors(db: str, args: list[str], message: str) -> None:
    done = shade(*args, "--db", db)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/d", "use sqlite:///PATH or postgresql://"),
        ("postgresql://u:secret@127.0.0.1:1/d", "cannot be opened"),
    ],
)
def test_database_errors_are_one_line(url: str, message: str) -> None:
    done = shade("vessels", "--db", url)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("shade: error: ")
    assert message in done.stderr and "secret" not in done.stderr


def no_database(path: Path) -> str:
    return (
        f"shade: error: no database at {path}: check --db (shade ingest, import-csv, serve "
        "and user add make one)"
    )


def test_default_database_is_printed_and_made_by_what_stores(
    tmp_path: Path, csv_head: Path
) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    path = tmp_path / "shade" / "shade.db"
    done = shade("vessels", env=env)
    assert done.returncode == 1 and not path.exists()
    assert done.stderr.splitlines() == [f"shade: database {path}", no_database(path)]
    done = shade("import-csv", str(csv_head), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == f"shade: database {path}" and path.is_file()
    done = shade("vessels", "--json", env=env)
    assert done.returncode == 0, done.stderr
    mmsis = [json.loads(line)["mmsi"] for line in done.stdout.splitlines()]
    assert mmsis and len(set(mmsis)) == len(mmsis)


@pytest.mark.parametrize(
    "args",
    [
        ["vessels"],
        ["track", "123456789"],
        ["events"],
        ["detect"],
        ["user", "list"],
        ["user", "disable", "someone"],
        ["token", "create", "someone"],
        ["token", "list", "someone"],
        ["token", "revoke", "0123456789abcdef"],
        ["ledger", "export", "--to", "out"],
    ],
)
def test_commands_that_only_read_refuse_a_missing_file(tmp_path: Path, args: list[str]) -> None:
    """A mistyped --db is said to be one, and nothing is made in its place."""
    missing = tmp_path / "typo" / "shade.db"
    done = subprocess.run(
        [*SHADE, *args, "--db", str(missing)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr == no_database(missing) + "\n"
    assert list(tmp_path.iterdir()) == []


def test_import_csv_draws_a_bar_on_a_terminal(tmp_path: Path) -> None:
    command = [*SHADE, "import-csv", str(MARINECADASTRE_CSV), "--db", str(tmp_path / "t.db")]
    done, drawn = run_on_terminal(command)
    assert done.returncode == 0
    assert MARINECADASTRE_CSV.name.encode() in drawn and b"100%" in drawn
    assert b"vessels          10,631" in done.stdout


def test_json_shapes() -> None:
    at = datetime(2022, 1, 3, 0, 0, 9, 250000, tzinfo=UTC)
    point = Point(1, at, 12.5, 45.25, None, 90.0, None, 0, 1, None)
    assert point_json(point) == {
        "mmsi": 1,
        "at": "2022-01-03T00:00:09.250000Z",
        "lat": 12.5,
        "lon": 45.25,
        "speed": None,
        "course": 90.0,
        "heading": None,
        "status": 0,
        "msg_type": 1,
        "source": None,
    }
    vessel = Vessel(1, None, *[None] * 15, at.replace(microsecond=0), 3.3)
    shape = vessel_json(vessel)
    assert list(shape) == VESSEL_KEYS
    assert (shape["at"], shape["eta"], shape["draught"]) == (None, "2022-01-03T00:00:09Z", 3.3)
    assert iso(datetime(2022, 1, 3, 5, 30)) == "2022-01-03T05:30:00Z"  # naive: UTC
    assert iso(datetime.fromisoformat("2022-01-03T05:30:00+05:30")) == "2022-01-03T00:00:00Z"


def test_geojson_of_short_tracks() -> None:
    one = Point(7, datetime(2022, 1, 3, tzinfo=UTC), 1.0, 2.0, None, None, None, None, 1, None)
    assert track_geojson(7, [one])["geometry"] == {"type": "Point", "coordinates": [2.0, 1.0]}
    empty = track_geojson(7, [])
    assert empty["geometry"] is None
    assert empty["properties"] == {"mmsi": 7, "times": [], "start": None, "end": None}
