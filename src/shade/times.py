"""Instants as whole microseconds since 1970-01-01 UTC: how columns of times are kept.

A datetime holds whole microseconds, so an int64 keeps every instant exactly, sorts and
compares as the instants do, and whole arrays of times cost no Python object each. The
decoder's report columns, the tracks' ``Points`` and the store's history use this form;
``datetime`` is for single values and for the contract's tuples.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND: Final = timedelta(microseconds=1)
MICROS_PER_SECOND: Final = 1_000_000

Micros = npt.NDArray[np.int64]


def to_micros(at: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    """The UTC datetime of ``micros``."""
    return EPOCH + micros * MICROSECOND


def micros_of(times: Iterable[datetime], naive_as_utc: bool = False) -> Micros:
    """Many datetimes as microseconds, each distinct datetime object converted once
    (messages come in runs sharing one). A naive one is ValueError (it names no instant),
    or taken as UTC with ``naive_as_utc``."""
    listed = times if isinstance(times, list) else list(times)
    each: dict[datetime, int] = {}
    for at in dict.fromkeys(listed):
        if at.tzinfo is None:
            if not naive_as_utc:
                raise ValueError(f"times must be timezone-aware (UTC), not {at!r}")
            each[at] = to_micros(at)
        else:
            each[at] = (at - EPOCH) // MICROSECOND
    return np.fromiter(map(each.__getitem__, listed), np.int64, len(listed))


def datetimes_of(micros: Micros) -> list[datetime]:
    """The UTC datetimes of an array of microseconds, each distinct value made once."""
    values: list[int] = micros.tolist()
    epoch, micro = EPOCH, MICROSECOND
    made = {value: epoch + value * micro for value in set(values)}
    return list(map(made.__getitem__, values))


def stamp_micros(stamps: npt.NDArray[np.float64]) -> Micros:
    """UNIX times in float seconds as microseconds, rounded as ``datetime.fromtimestamp``
    rounds them (half to even on the fraction): exact for every stamp below 2**33 s."""
    whole = np.trunc(stamps)
    fraction = np.round((stamps - whole) * 1e6)
    micros: Any = whole.astype(np.int64) * MICROS_PER_SECOND + fraction.astype(np.int64)
    return np.asarray(micros, dtype=np.int64)
