"""Fixtures shared by every test: where the real recorded data lives, and how to read it.

The data sit beside the repository in ../shared/data (see its SOURCES.md). Tests never copy
them; a checkout without them fails here with one clear line rather than skipping.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
AIS_NMEA = SHARED_DATA / "ais_nmea"


def read_lines(path: Path) -> list[bytes]:
    """Every line of a capture, plain or gzip, line endings removed."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return [line.rstrip(b"\r\n") for line in handle]


def nmea_files() -> list[Path]:
    if not AIS_NMEA.is_dir():
        raise RuntimeError(f"the recorded AIS data are missing: expected them in {AIS_NMEA}")
    return sorted(p for p in AIS_NMEA.iterdir() if p.is_file())


@pytest.fixture(scope="session")
def ais_nmea_dir() -> Path:
    if not AIS_NMEA.is_dir():
        pytest.fail(f"the recorded AIS data are missing: expected them in {AIS_NMEA}")
    return AIS_NMEA
