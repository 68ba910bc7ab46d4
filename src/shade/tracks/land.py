"""Where land is, which positions lie far inland (the sanity filter) and which far offshore.

The land/sea grid is the one of the ``global-land-mask`` package: 1/120 degree cells (about
1 km), from the GLOBE elevation data, in which lakes and most rivers count as land. Its own
``globe`` module holds the grid as a 933 MB boolean array and takes seconds to import, too
much for an ingest meant to stay under 300 MB. Here the grid is read once, a slice at a time,
and kept as the 0.8 million places where land turns to sea or back along its rows (3 MB);
a cell is land if an odd number of changes lies between it and the first cell (a
binary search). ``is_land`` answers exactly as ``globe.is_land`` does (a test checks).

Reading the grid is 2 to 4 s of inflating 933 MB, in every process that judges positions.
So the changes are also saved in the user's cache directory (``~/.cache/shade`` on Linux,
``$XDG_CACHE_HOME`` if set), under a name made of the package file's size and modification
time: a later process loads them in milliseconds, and a new package version is read anew.
A cache that cannot be written (a read-only home) or read is passed over: the grid is then
read from the package, as before.

``far_inland`` samples four rings (a quarter, half, three quarters and all of the radius)
of 16 bearings around the centre of each point's cell: a land cell with land at every
sample counts as far from any coast. Answers are one per cell and remembered, as vessels in
port send the same position again and again. Sampling can miss water narrower than the gaps
between samples; worse, the grid knows no lakes or narrow rivers: ships in river ports
(Hamburg, Houston, Montreal, Rouen) and on the Great Lakes lie on "land" far from the sea.
A radius of ``NEVER_INLAND_KM`` or more turns the test off, as no place is that far from
the sea.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import platformdirs

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

EARTH_RADIUS_KM: Final = 6371.0088  # mean radius (IUGG)
# The Eurasian pole of inaccessibility is about 2,500 km from the nearest sea.
NEVER_INLAND_KM: Final = 3000
# Rings of samples: with a 20 km radius, rings 5 km apart, samples on the outer one 7.8 km apart.
_BEARINGS: Final = 16
_RING_FRACTIONS: Final = (0.25, 0.5, 0.75, 1.0)
_MASK_FILE: Final = "globe_combined_mask_compressed.npz"
_MEMO_CELLS: Final = 1 << 16  # far-inland answers remembered, about 8 MB at most
_ROWS_PER_READ: Final = 128  # 5.5 MB of grid at a time: a low memory peak while loading
_CACHE_FORMAT: Final = 1  # part of the cache file's name: bump when what is saved changes


class LandMask:
    """The land/sea grid as the flat indices where it changes; see the module docstring."""

    def __init__(
        self,
        first_is_land: bool,
        changes: npt.NDArray[np.uint32],
        lat_axis: FloatArray,
        lon_axis: FloatArray,
    ) -> None:
        self._first = int(first_is_land)
        self._changes = changes  # sorted flat indices i where cell i differs from cell i - 1
        self._lat = lat_axis
        self._lon = lon_axis
        self._ncols = len(lon_axis)
        self._lat_range = (float(lat_axis.min()), float(lat_axis.max()))
        self._lon_range = (float(lon_axis.min()), float(lon_axis.max()))
        self._lat_step = float(lat_axis[1] - lat_axis[0])
        self._lon_step = float(lon_axis[1] - lon_axis[0])
        # By (radius, land): cell -> whether it is far from the other.
        self._far_memo: dict[tuple[float, bool], dict[int, bool]] = {}

    @classmethod
    def from_package(cls, path: Path | None = None) -> LandMask:
        """Read the grid of the installed ``global-land-mask`` (or the .npz at ``path``)."""
        path = path or _package_file()
        with np.load(path) as npz:
            lat_axis = np.asarray(npz["lat"], dtype=np.float64)
            lon_axis = np.asarray(npz["lon"], dtype=np.float64)
        # The .npz stores "True = ocean". Reading the member as a stream keeps the grid from
        # ever being whole in memory.
        with zipfile.ZipFile(path) as archive, archive.open("mask.npy") as stream:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
            if fortran or dtype != np.bool_ or shape != (len(lat_axis), len(lon_axis)):
                raise ValueError(f"{path}: not the land mask this code knows")
            parts: list[npt.NDArray[np.uint32]] = []
            previous: np.uint8 | None = None
            first_is_ocean = True
            offset = 0
            while chunk := stream.read(shape[1] * _ROWS_PER_READ):
                cells = np.frombuffer(chunk, dtype=np.uint8)
                if previous is None:
                    first_is_ocean = bool(cells[0])
                    before = cells[:1]
                else:
                    before = np.array([previous], dtype=np.uint8)
                flips = np.flatnonzero(cells != np.concatenate((before, cells[:-1])))
                parts.append((flips + offset).astype(np.uint32))
                previous = cells[-1]
                offset += len(cells)
        if offset != shape[0] * shape[1]:
            raise ValueError(f"{path}: the land mask is cut short")
        return cls(not first_is_ocean, np.concatenate(parts), lat_axis, lon_axis)

    def save(self, path: Path) -> None:
        """Write the changes and axes to ``path`` (an uncompressed .npz), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    first=np.array(bool(self._first)),
                    changes=self._changes,
                    lat=self._lat,
                    lon=self._lon,
                )
            # Readers see the old file or the whole new one, never half of it.
            Path(temporary).replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
            raise

    @classmethod
    def load(cls, path: Path) -> LandMask:
        """A mask written by ``save``; ValueError (or OSError) if ``path`` is not one."""
        with np.load(path) as npz:
            first, changes = npz["first"], npz["changes"]
            lat_axis, lon_axis = npz["lat"], npz["lon"]
        if (
            first.shape != ()
            or changes.dtype != np.uint32
            or changes.ndim != 1
            or lat_axis.dtype != np.float64
            or lon_axis.dtype != np.float64
            or len(lat_axis) < 2
            or len(lon_axis) < 2
            or (changes.size and int(changes[-1]) >= len(lat_axis) * len(lon_axis))
        ):
            raise ValueError(f"{path}: not a land mask this code wrote")
        return cls(bool(first), changes, lat_axis, lon_axis)

    def cells(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> IntArray:
        """The flat index (row * columns + column) of the cell of each (lat, lon) in degrees."""
        # The same arithmetic as globe.lat_to_index and lon_to_index, clipping included.
        lats = np.clip(np.asarray(lat, dtype=np.float64), *self._lat_range)
        lons = np.clip(np.asarray(lon, dtype=np.float64), *self._lon_range)
        row = ((lats - self._lat[0]) / self._lat_step).astype(np.int64)
        col = ((lons - self._lon[0]) / self._lon_step).astype(np.int64)
        return row * self._ncols + col  # type: ignore[no-any-return]

    def land_at(self, cells: IntArray) -> BoolArray:
        """Whether each cell (a flat index from ``cells``) is land."""
        # Needles of the haystack's type: an int64 needle would make NumPy convert all
        # 0.8 million changes on every call (cell indices fit in 32 bits).
        flips = np.searchsorted(self._changes, cells.astype(np.uint32), side="right")
        return ((flips + self._first) & 1).astype(np.bool_)

    def is_land(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> BoolArray:
        """Whether each (lat, lon) in degrees is land; lat in [-90, 90], lon in [-180, 180]."""
        return self.land_at(self.cells(lat, lon))

    def far_inland(self, lat: FloatArray, lon: FloatArray, radius_km: float) -> BoolArray:
        """Whether each point is on land with no sea found within ``radius_km`` of its cell.

        The rings are drawn around the centre of the point's cell, so that the answer is one
        per cell and can be remembered: vessels in port send the same position again and
        again. The cell is at most 0.7 km from the point.
        """
        if radius_km >= NEVER_INLAND_KM:
            return np.zeros(np.shape(lat), dtype=np.bool_)
        return self._far(lat, lon, radius_km, land=True)

    def far_offshore(self, lat: FloatArray, lon: FloatArray, radius_km: float) -> BoolArray:
        """Whether each point is at sea with no land found within ``radius_km`` of its cell.

        The mirror of ``far_inland``, with the same sampling: loitering and meetings at sea
        count only well away from the coast. A radius of 0 asks only whether it is at sea.
        """
        return self._far(lat, lon, radius_km, land=False)

    def _far(self, lat: FloatArray, lon: FloatArray, radius_km: float, *, land: bool) -> BoolArray:
        cells = self.cells(lat, lon)
        far = self.land_at(cells) if land else ~self.land_at(cells)
        picks = np.flatnonzero(far)
        if len(picks) == 0 or radius_km <= 0:
            return far
        unique, inverse = np.unique(cells[picks], return_inverse=True)
        memo = self._far_memo.setdefault((radius_km, land), {})
        known = list(map(memo.get, unique.tolist()))
        if None in known:
            missing = [k for k, value in enumerate(known) if value is None]
            fresh = self._far_cells(unique[missing], radius_km, land)
            if len(memo) + len(missing) > _MEMO_CELLS:
                memo.clear()
            for k, cell, value in zip(
                missing, unique[missing].tolist(), fresh.tolist(), strict=True
            ):
                memo[cell] = known[k] = value
        far[picks] = np.array(known, dtype=np.bool_)[inverse]
        return far

    def _far_cells(self, cells: IntArray, radius_km: float, land: bool) -> BoolArray:
        """Whether cells have ``land`` (or sea) at every ring sample around their centres."""
        row, col = np.divmod(cells, self._ncols)
        lat = self._lat[row] + self._lat_step / 2
        lon = self._lon[col] + self._lon_step / 2
        far = np.ones(len(cells), dtype=np.bool_)
        picks = np.arange(len(cells))
        # Ring by ring from the inside: most cells on land are in ports, and the first ring
        # finds the sea for them (and most ships at sea near a coast are near it).
        for fraction in _RING_FRACTIONS:
            if len(picks) == 0:
                break
            ring_lat, ring_lon = ring(lat[picks], lon[picks], radius_km * fraction)
            same = self.is_land(ring_lat, ring_lon) == land
            alike = same.all(axis=1)
            far[picks[~alike]] = False
            picks = picks[alike]
        return far


def ring(lat: FloatArray, lon: FloatArray, radius_km: float) -> tuple[FloatArray, FloatArray]:
    """Points ``radius_km`` away on ``_BEARINGS`` bearings around each point: (n, bearings)."""
    bearing = np.arange(_BEARINGS) * (2 * np.pi / _BEARINGS)
    angle = radius_km / EARTH_RADIUS_KM
    phi = np.radians(lat)[:, None]
    lam = np.radians(lon)[:, None]
    sin_phi2 = np.sin(phi) * np.cos(angle) + np.cos(phi) * np.sin(angle) * np.cos(bearing)
    phi2 = np.arcsin(np.clip(sin_phi2, -1.0, 1.0))
    lam2 = lam + np.arctan2(
        np.sin(bearing) * np.sin(angle) * np.cos(phi), np.cos(angle) - np.sin(phi) * sin_phi2
    )
    lon2 = (np.degrees(lam2) + 180.0) % 360.0 - 180.0
    return np.degrees(phi2), lon2


def _package_file() -> Path:
    # Found without importing the package: its __init__ loads the whole grid.
    spec = importlib.util.find_spec("global_land_mask")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the global-land-mask package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / _MASK_FILE


_lock = threading.Lock()
_mask: LandMask | None = None


def cache_file(package_file: Path | None = None) -> Path:
    """Where the changes read from ``package_file`` (the installed package's) are kept
    between processes."""
    stat = (package_file or _package_file()).stat()
    name = f"land-mask-{_CACHE_FORMAT}-{stat.st_size}-{stat.st_mtime_ns}.npz"
    return platformdirs.user_cache_path("shade", appauthor=False) / name


def _load_or_read() -> LandMask:
    package_file = _package_file()
    cached = cache_file(package_file)
    try:
        return LandMask.load(cached)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("land mask cache %s cannot be read (%s): reading the package", cached, exc)
    mask = LandMask.from_package(package_file)
    try:
        mask.save(cached)
    except OSError as exc:
        log.info("land mask cache %s cannot be written (%s)", cached, exc)
    return mask


def land_mask() -> LandMask:
    """The land mask of the installed package, loaded on first use and kept.

    From the cache (``cache_file``), a few milliseconds; else read from the package, 2 to
    4 s, and cached. Whoever wants that time out of the way can call this early, in a
    thread: reading the grid is mostly zlib and NumPy, which let other threads run.
    """
    global _mask
    with _lock:
        if _mask is None:
            _mask = _load_or_read()
        return _mask
