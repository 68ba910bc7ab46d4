"""What the detectors at sea share: which MMSIs are ships and which
positions lie far offshore (remembered per cell of the land mask)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt

from shade.tracks.land import LandMask

FloatArray = npt.NDArray[np.float64]

SHIP_MMSI_MIN: Final = 200_000_000
SHIP_MMSI_MAX: Final = 799_999_999
_MEMO_CELLS: Final = 1 << 18  # cells remembered at most (2.3 MB)


def is_ship(mmsi: int) -> bool:
    """Whether an MMSI is a ship's (see the module docstring)."""
    return SHIP_MMSI_MIN <= mmsi <= SHIP_MMSI_MAX


class FarOffshore:
    """Whether positions are far offshore (``LandMask.far_offshore``), remembered per cell
    of the land mask, whose answers are per cell: ships at anchor or in port cost a look-up
    in a sorted array. A radius of 0 counts everywhere; the mask is read on first need."""

    def __init__(self, mask: Callable[[], LandMask], radius_km: float) -> None:
        self._source = mask
        self._mask: LandMask | None = None
        self.radius_km = radius_km
        self._cells: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)  # sorted
        self._answers: npt.NDArray[np.bool_] = np.zeros(0, dtype=np.bool_)

    def __call__(self, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
        if self.radius_km <= 0 or len(lat) == 0:
            return np.ones(len(lat), dtype=np.bool_)
        if self._mask is None:
            self._mask = self._source()
        cells = self._mask.cells(lat, lon)
        keys, answers = self._cells, self._answers
        far = np.zeros(len(cells), dtype=np.bool_)
        if len(keys):
            at = np.minimum(np.searchsorted(keys, cells), len(keys) - 1)
            known = keys[at] == cells
            far[known] = answers[at[known]]
            unknown = np.flatnonzero(~known)
        else:
            unknown = np.arange(len(cells))
        if len(unknown):
            new, first = np.unique(cells[unknown], return_index=True)
            asked = unknown[first]
            fresh = self._mask.far_offshore(lat[asked], lon[asked], self.radius_km)
            far[unknown] = fresh[np.searchsorted(new, cells[unknown])]
            if len(keys) + len(new) > _MEMO_CELLS:
                keys, answers = keys[:0], answers[:0]
            keys = np.concatenate((keys, new))
            order = np.argsort(keys, kind="stable")
            self._cells = keys[order]
            self._answers = np.concatenate((answers, fresh))[order]
        return far
