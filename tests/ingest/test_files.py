"""Capture files: gzip told by content, lines across block edges, a progress bar on a terminal."""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

import pytest

from shade.errors import InputError, NotFoundError
from shade.ingest import files
from shade.ingest.files import Capture
from tests.commands import SHADE, run_on_terminal
from tests.conftest import AIS_NMEA


def test_gzip_is_told_by_content_not_name(tmp_path: Path) -> None:
    packed = tmp_path / "capture.nmea"  # no .gz suffix
    packed.write_bytes(gzip.compress(b"line one\nline two\n"))
    with Capture(str(packed)) as capture:
        assert list(capture.lines()) == [b"line one", b"line two"]


def test_lines_survive_block_edges_and_a_missing_last_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "_BLOCK_BYTES", 7)
    path = tmp_path / "capture.nmea"
    lines = [b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", b"", b"$GPRMC,1", b"tail"]
    path.write_bytes(b"\n".join(lines))
    with Capture(str(path)) as capture:
        assert list(capture.lines()) == lines
        assert capture.position == path.stat().st_size


def test_missing_and_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such file"):
        Capture(str(tmp_path / "nope"))
    with pytest.raises(InputError, match="is a directory"):
        Capture(str(tmp_path))
    broken = tmp_path / "broken"
    broken.write_bytes(gzip.compress(os.urandom(5000))[:2000])
    with Capture(str(broken)) as capture, pytest.raises(InputError, match="to the end"):
        list(capture.lines())


def test_progress_bar_on_a_terminal_only() -> None:
    """With stderr on a terminal a bar is drawn; piped, stderr stays empty."""
    path = str(AIS_NMEA / "amsa_ais.txt.gz")
    command = [*SHADE, "decode", path]
    done, drawn = run_on_terminal(command)
    assert done.returncode == 0
    assert b"amsa_ais.txt.gz" in drawn and b"100%" in drawn
    piped = subprocess.run(command, capture_output=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == b""
