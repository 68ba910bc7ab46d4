"""The land mask: the same answers as global-land-mask itself, and the far-inland test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shade.tracks import land
from shade.tracks.land import NEVER_INLAND_KM, LandMask, land_mask, ring
from shade.tracks.sanity import distance_nm
from tests.tracks.build import BAVARIA, CENTRAL_AUSTRALIA, NORTH_SEA, ROTTERDAM

# Run apart: importing global_land_mask.globe takes about 1 GB, which the test process
# should not keep for the rest of the session.
_COMPARE = """
import numpy as np
from global_land_mask import globe
from shade.tracks.land import LandMask, land_mask

rng = np.random.default_rng(20240501)
lat = np.concatenate([rng.uniform(-90, 90, 300_000), [-90, 90, 0, 89.999, -89.999, 45]])
lon = np.concatenate([rng.uniform(-180, 180, 300_000), [-180, 180, 0, 179.999, -179.999, -180]])
# Points along coasts too, where cells change: around a grid of coastal places.
coast_lat = 51.9 + rng.uniform(-2, 2, 100_000)
coast_lon = 4.4 + rng.uniform(-2, 2, 100_000)
lat = np.concatenate([lat, coast_lat])
lon = np.concatenate([lon, coast_lon])
theirs = globe.is_land(lat, lon)
# Read from the package, and as the process gets it (from the cache, once one is written).
for ours in LandMask.from_package().is_land(lat, lon), land_mask().is_land(lat, lon):
    print(int((ours != theirs).sum()), int(theirs.sum()), len(lat))
"""


@pytest.mark.slow
def test_is_land_answers_as_global_land_mask_does() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _COMPARE], capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(out) == 6
    for differ, on_land, total in (map(int, out[:3]), map(int, out[3:])):
        assert differ == 0
        assert 0.2 * total < on_land < 0.5 * total  # a third of the earth's surface is land


def _tiny_mask() -> LandMask:
    """A 4 x 8 grid of 45-degree cells, land in one cell (its changes: 9 and 10)."""
    lat_axis = np.array([67.5, 22.5, -22.5, -67.5])
    lon_axis = np.arange(-157.5, 180, 45.0)
    return LandMask(False, np.array([9, 10], dtype=np.uint32), lat_axis, lon_axis)


def test_a_saved_mask_loads_with_the_same_answers(tmp_path: Path) -> None:
    mask = land_mask()
    mask.save(tmp_path / "mask.npz")
    again = LandMask.load(tmp_path / "mask.npz")
    rng = np.random.default_rng(11)
    lat, lon = rng.uniform(-90, 90, 200_000), rng.uniform(-180, 180, 200_000)
    assert (again.is_land(lat, lon) == mask.is_land(lat, lon)).all()
    assert (
        again.far_inland(lat[:2000], lon[:2000], 200)
        == mask.far_inland(lat[:2000], lon[:2000], 200)
    ).all()
    assert [p.name for p in tmp_path.iterdir()] == ["mask.npz"]  # no temporary file left


def test_the_package_is_read_once_then_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    reads: list[Path | None] = []

    def from_package(path: Path | None = None) -> LandMask:
        reads.append(path)
        return _tiny_mask()

    monkeypatch.setattr(LandMask, "from_package", staticmethod(from_package))
    first = land._load_or_read()
    cached = land.cache_file()
    assert len(reads) == 1 and cached.is_file() and cached.is_relative_to(tmp_path)
    second = land._load_or_read()
    assert len(reads) == 1  # from the cache
    points = (np.array([0.0, 0.0, -50.0]), np.array([-100.0, 30.0, -100.0]))
    assert first.is_land(*points).tolist() == second.is_land(*points).tolist()
    assert second.is_land(*points).tolist() == [True, False, False]
    # A cache file that is not a mask is passed over (and said), then written anew.
    cached.write_bytes(b"not a mask")
    third = land._load_or_read()
    assert len(reads) == 2 and "cannot be read" in caplog.text
    assert third.is_land(*points).tolist() == [True, False, False]
    assert LandMask.load(cached).is_land(*points).tolist() == [True, False, False]
    # So is one cut short (a zip without its end).
    cached.write_bytes(cached.read_bytes()[:1000])
    assert land._load_or_read().is_land(*points).tolist() == [True, False, False]
    assert len(reads) == 3


def test_a_cache_that_cannot_be_written_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no directory can be made in it
    monkeypatch.setattr(LandMask, "from_package", staticmethod(lambda path=None: _tiny_mask()))
    mask = land._load_or_read()
    assert mask.is_land(np.array([0.0]), np.array([-100.0])).tolist() == [True]


def test_known_places() -> None:
    mask = land_mask()
    places = [NORTH_SEA, BAVARIA, CENTRAL_AUSTRALIA, ROTTERDAM, (0.0, 0.0)]
    lat, lon = (np.array(c) for c in zip(*places, strict=True))
    assert mask.is_land(lat, lon).tolist() == [False, True, True, True, False]
    assert mask.far_inland(lat, lon, 20).tolist() == [False, True, True, False, False]


def test_no_point_is_far_inland_from_never_inland_km_on() -> None:
    lat, lon = np.array([CENTRAL_AUSTRALIA[0]]), np.array([CENTRAL_AUSTRALIA[1]])
    assert land_mask().far_inland(lat, lon, 500).tolist() == [True]
    assert land_mask().far_inland(lat, lon, NEVER_INLAND_KM).tolist() == [False]


def test_far_inland_is_the_same_point_by_point_and_all_at_once() -> None:
    rng = np.random.default_rng(7)
    # Europe: coasts, rivers and plains.
    lat = rng.uniform(44, 56, 3000)
    lon = rng.uniform(-5, 20, 3000)
    together = land_mask().far_inland(lat, lon, 20)
    apart = [land_mask().far_inland(lat[k : k + 1], lon[k : k + 1], 20)[0] for k in range(300)]
    assert together[:300].tolist() == apart
    assert together.any() and not together.all()
    # Far inland is on land.
    assert not (together & ~land_mask().is_land(lat, lon)).any()


@given(
    lat=st.floats(-80, 80),
    lon=st.floats(-180, 180),
    radius_km=st.floats(0.5, 2000),
)
def test_ring_samples_lie_at_the_radius(lat: float, lon: float, radius_km: float) -> None:
    ring_lat, ring_lon = ring(np.array([lat]), np.array([lon]), radius_km)
    assert ring_lat.shape == ring_lon.shape == (1, 16)
    assert (np.abs(ring_lat) <= 90).all() and (np.abs(ring_lon) <= 180).all()
    distances = distance_nm(np.full(16, lat), np.full(16, lon), ring_lat[0], ring_lon[0])
    assert np.allclose(distances * 1.852, radius_km, rtol=1e-6, atol=1e-6)


def test_far_offshore_needs_sea_all_around() -> None:
    mask = land_mask()
    # Open Arabian Sea; the Gulf of Aden 50 nm from either coast; just off Aden harbour;
    # on land in Yemen.
    lat = np.array([14.0, 13.0, 12.75, 15.0])
    lon = np.array([62.0, 50.0, 45.05, 46.0])
    assert mask.far_offshore(lat, lon, 37.0).tolist() == [True, True, False, False]
    assert mask.far_offshore(lat, lon, 0).tolist() == [True, True, True, False]
    # 300 km: the Gulf of Aden is narrower than that; the open Arabian Sea is not.
    assert mask.far_offshore(lat, lon, 300.0).tolist() == [True, False, False, False]


def test_far_offshore_is_the_same_point_by_point_and_all_at_once() -> None:
    mask = land_mask()
    rng = np.random.default_rng(7)
    lat = rng.uniform(-60, 70, 300)
    lon = rng.uniform(-180, 180, 300)
    together = mask.far_offshore(lat, lon, 20.0)
    alone = [bool(mask.far_offshore(lat[k : k + 1], lon[k : k + 1], 20.0)[0]) for k in range(300)]
    assert together.tolist() == alone
    assert not (together & mask.is_land(lat, lon)).any()
    assert 0 < together.sum() < 300
