"""The values tracks are made of: history points, points kept aside, static data, vessels.

These are the contract between the tracker (``tracks.tracker``), the store (``shade.store``),
the ingest pipeline and the commands. Times are UTC datetimes; units are in the names or
as the decoder gives them (degrees, knots).

A batch's points travel as ``Points``: the same values as columns (NumPy arrays), which is
how the tracker makes them and the store writes them, tens of thousands at a time. It is a
sequence of ``Point`` too, made on first use, for whoever wants them one by one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from itertools import repeat
from typing import Any, Final, NamedTuple, overload

import numpy as np
import numpy.typing as npt

from shade.ais.kinds import Value
from shade.times import datetimes_of, micros_of

# The static and voyage fields merged from types 5, 19 and 24, as the decoder names them
# (eta is a datetime made from the ETA fields of type 5).
STATIC_FIELDS = (
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
)


class Point(NamedTuple):
    """One position report accepted into a vessel's history."""

    mmsi: int
    at: datetime  # UTC: the report's tag-block or receiver time, else its receive time
    lat: float  # degrees
    lon: float  # degrees
    speed: float | None  # knots over ground
    course: float | None  # degrees over ground
    heading: int | None  # degrees true
    status: int | None  # navigation status (types 1-3, 27)
    msg_type: int
    source: str | None  # receiving station or feed


class AsideReason(StrEnum):
    IMPOSSIBLE_SPEED = "impossible_speed"  # implies a speed no vessel makes since its last point
    INLAND = "inland"  # on land, far from any coast
    OUT_OF_ORDER = "out_of_order"  # older than the vessel's last accepted point


class Aside(NamedTuple):
    """A position report kept out of the history, with why; stored and counted, never lost."""

    point: Point
    reason: AsideReason


class Static(NamedTuple):
    """Static and voyage data of one vessel, from one message: only the fields it carried."""

    mmsi: int
    at: datetime
    fields: dict[str, Value | datetime]  # a subset of STATIC_FIELDS, None values left out


# A heading or a navigation status that is not known, in ``Points`` (both are never negative).
UNKNOWN: Final = -1
_COLUMNS: Final = Point._fields
_new = tuple.__new__


class Points(Sequence[Point]):
    """History points as columns of equal length, in order (a batch's: arrival order).

    ``at`` is in microseconds since 1970 UTC (``shade.times``); speed and course are NaN
    where not known, heading and status ``UNKNOWN``; source is an array of objects (text,
    or None). The columns are not to be changed once made.
    """

    __slots__ = (*_COLUMNS, "_rows")

    mmsi: npt.NDArray[np.int64]
    at: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    speed: npt.NDArray[np.float64]
    course: npt.NDArray[np.float64]
    heading: npt.NDArray[np.int16]
    status: npt.NDArray[np.int16]
    msg_type: npt.NDArray[np.int16]
    source: npt.NDArray[np.object_]

    def __init__(
        self,
        mmsi: Any,
        at: Any,
        lat: Any,
        lon: Any,
        speed: Any,
        course: Any,
        heading: Any,
        status: Any,
        msg_type: Any,
        source: Any,
    ) -> None:
        self.mmsi = np.asarray(mmsi, dtype=np.int64)
        self.at = np.asarray(at, dtype=np.int64)
        self.lat = np.asarray(lat, dtype=np.float64)
        self.lon = np.asarray(lon, dtype=np.float64)
        self.speed = np.asarray(speed, dtype=np.float64)
        self.course = np.asarray(course, dtype=np.float64)
        self.heading = np.asarray(heading, dtype=np.int16)
        self.status = np.asarray(status, dtype=np.int16)
        self.msg_type = np.asarray(msg_type, dtype=np.int16)
        self.source = _objects(source)
        self._rows: list[Point] | None = None
        size = len(self.mmsi)
        if any(len(getattr(self, name)) != size for name in _COLUMNS):
            raise ValueError("the columns of Points must be of equal length")

    @classmethod
    def of(cls, points: Sequence[Point]) -> Points:
        """``points`` as columns (itself if it is ``Points``). A naive time is taken as
        UTC; ValueError for a point without lat or lon, or with a heading or status that
        is negative or above 32767."""
        if isinstance(points, Points):
            return points
        if not points:
            return EMPTY_POINTS
        mmsi, at, lat, lon, speed, course, heading, status, msg_type, source = map(
            list, zip(*points, strict=True)
        )
        made = cls(
            mmsi,
            micros_of(at, naive_as_utc=True),
            lat,
            lon,
            _floats(speed),
            _floats(course),
            _whole(heading, "heading"),
            _whole(status, "status"),
            msg_type,
            source,
        )
        if np.isnan(made.lat).any() or np.isnan(made.lon).any():
            raise ValueError("a point must have a position: lat and lon are not None")
        return made

    def rows(self) -> list[Point]:
        """The points as ``Point`` tuples (made once, then kept)."""
        if self._rows is None:
            self._rows = list(
                map(
                    _new,
                    repeat(Point),
                    zip(
                        self.mmsi.tolist(),
                        datetimes_of(self.at),
                        self.lat.tolist(),
                        self.lon.tolist(),
                        known(self.speed),
                        known(self.course),
                        known(self.heading),
                        known(self.status),
                        self.msg_type.tolist(),
                        self.source.tolist(),
                        strict=True,
                    ),
                )
            )
        return self._rows

    def take(self, rows: Any) -> Points:
        """The given rows (indices or a mask of booleans), in that order."""
        return Points(*(getattr(self, name)[rows] for name in _COLUMNS))

    def latest(self) -> npt.NDArray[np.int64]:
        """The row of each vessel's latest point (of points of one time, the last), in
        MMSI order."""
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        order = np.lexsort((np.arange(len(self)), self.at, self.mmsi))
        mmsi = self.mmsi[order]
        last = np.ones(len(order), dtype=np.bool_)
        last[:-1] = mmsi[1:] != mmsi[:-1]
        rows: npt.NDArray[np.int64] = order[last]
        return rows

    def __len__(self) -> int:
        return len(self.mmsi)

    @overload
    def __getitem__(self, index: int) -> Point: ...

    @overload
    def __getitem__(self, index: slice) -> Points: ...

    def __getitem__(self, index: int | slice) -> Point | Points:
        if isinstance(index, slice):
            return self.take(index)
        return self.rows()[index]

    def __iter__(self) -> Iterator[Point]:
        return iter(self.rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Points):
            return len(self) == len(other) and all(
                np.array_equal(getattr(self, n), getattr(other, n), equal_nan=n != "source")
                for n in _COLUMNS
            )
        if isinstance(other, Sequence):
            return self.rows() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Points({len(self)} points of {len(np.unique(self.mmsi))} vessels)"


def known(column: npt.NDArray[Any]) -> list[Any]:
    """A column's values, None where not known: NaN, or ``UNKNOWN`` (heading, status)."""
    values = column.astype(object)
    values[np.isnan(column) if column.dtype.kind == "f" else column < 0] = None
    listed: list[Any] = values.tolist()
    return listed


def _objects(values: Any) -> npt.NDArray[np.object_]:
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values
    # Filled in place: NumPy would look into each text for a sequence otherwise.
    listed = list(values)
    boxed = np.empty(len(listed), dtype=object)
    boxed[:] = listed
    return boxed


def _floats(values: list[Any]) -> list[float]:
    nan = np.nan
    return [nan if v is None else v for v in values]


def _whole(values: list[Any], name: str) -> npt.NDArray[np.int16]:
    for value in values:
        if value is not None and not 0 <= value <= 32767:
            raise ValueError(f"a point's {name} must be None or 0 to 32767, not {value!r}")
    return np.array([UNKNOWN if v is None else v for v in values], dtype=np.int16)


EMPTY_POINTS: Final = Points([], [], [], [], [], [], [], [], [], [])


class Update(NamedTuple):
    """What a batch of decoded messages adds to the tracks: points (``Points`` from the
    tracker; any sequence of ``Point`` will do), points kept aside, static data."""

    points: Sequence[Point]
    aside: list[Aside]
    statics: list[Static]


class Vessel(NamedTuple):
    """A vessel as the picture shows it: its latest point, and its merged static data."""

    mmsi: int
    at: datetime | None  # time of the position below; None if none is known
    lat: float | None
    lon: float | None
    speed: float | None
    course: float | None
    heading: int | None
    status: int | None
    shipname: str | None
    callsign: str | None
    imo: int | None
    ship_type: int | None
    to_bow: int | None
    to_stern: int | None
    to_port: int | None
    to_starboard: int | None
    destination: str | None
    eta: datetime | None
    draught: float | None
