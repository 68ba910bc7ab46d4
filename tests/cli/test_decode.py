"""``shade decode`` as a user runs it: a real process, real captures, one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from shade.ais import Decoder
from tests.commands import SHADE
from tests.conftest import AIS_NMEA, read_lines


def shade(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*SHADE, *args], input=stdin, capture_output=True, timeout=120)


def test_json_lines_of_a_gzip_capture() -> None:
    path = AIS_NMEA / "amsa_ais.txt.gz"
    done = shade("decode", str(path), "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    expected = list(Decoder().decode(read_lines(path)))
    assert len(rows) == len(expected) > 30000
    first = expected[0]
    assert rows[0] == {
        **first.message.as_dict(),
        "received_at": None if first.received_at is None else rows[0]["received_at"],
        "source": first.source,
    }
    assert {"mmsi", "lat", "lon", "speed", "course", "heading", "received_at"} <= set(rows[0])


def test_received_at_and_source_from_tag_blocks(tmp_path: Path) -> None:
    done = shade("decode", str(AIS_NMEA / "nca_norwegian.raw"), "--json")
    row = json.loads(done.stdout.splitlines()[0])
    assert row["received_at"] == "2024-12-09T22:07:14Z" and row["source"] == "2573238"


def test_stats_count_types_and_rejects() -> None:
    done = shade("decode", str(AIS_NMEA / "gfw_errors.nmea"), "--stats")
    assert done.returncode == 0
    out = done.stdout.decode()
    assert "messages              3" in out
    assert "bad_checksum                2" in out


def test_stdin_and_plain_text_output() -> None:
    data = (AIS_NMEA / "gpsd_ais-nmea.log").read_bytes()
    done = shade("decode", "-", stdin=data)
    assert done.returncode == 0
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 171
    assert "PositionReport" in lines[0] or "ClassB" in lines[0] or "Static" in lines[0]


def test_bad_input_gets_one_line_and_no_traceback(tmp_path: Path) -> None:
    for args in (["decode", str(tmp_path / "missing.nmea")], ["decode", str(tmp_path)]):
        done = shade(*args)
        assert done.returncode == 1
        err = done.stderr.decode()
        assert err.startswith("shade: error: ") and err.count("\n") == 1
        assert "Traceback" not in err
    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    done = shade("decode", str(broken))
    assert done.returncode == 1 and b"Traceback" not in done.stderr


def test_a_bad_setting_is_one_line() -> None:
    done = subprocess.run(
        [*SHADE, "decode", str(AIS_NMEA / "gfw_errors.nmea")],
        capture_output=True,
        env={"SHADE_MULTIPART_MAX_AGE": "soon", "PATH": ""},
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.decode().strip() == (
        "shade: error: multipart_max_age from $SHADE_MULTIPART_MAX_AGE must be a whole number, "
        "not 'soon'"
    )
