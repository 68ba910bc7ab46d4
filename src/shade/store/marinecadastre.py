"""Import of decoded AIS in the MarineCadastre CSV schema (US Coast Guard / NOAA).

Columns: MMSI, BaseDateTime, LAT, LON, SOG, COG, Heading, VesselName, IMO, CallSign,
VesselType, Status, Length, Width, Draft, Cargo, TransceiverClass (any order; gzip or plain,
told by content). What each becomes:

    MMSI, LAT, LON      mmsi, lat, lon (a row without them is bad and counted)
    BaseDateTime        at (naive in the file: UTC)
    SOG, COG, Heading   speed, course, heading; the AIS "not available" values 102.3, 360
                        and 511 become null, as the decoder makes them
    Status              status (empty for class B)
    VesselName, CallSign, VesselType, Draft     shipname, callsign, ship_type, draught
    IMO                 imo: "IMO9241061" -> 9241061; IMO0000000 ("none") -> null
    Length, Width       the vessel's length and width columns; to_bow, to_stern, to_port and
                        to_starboard stay null, for the file does not say where the antenna is
    TransceiverClass    msg_type: B -> 18 (class B position report), otherwise 1
    Cargo               not kept (it repeats VesselType in most rows)

Every row becomes a history point with source "marinecadastre", written as it is: the file
is decoded and cleaned by its publisher, so the tracker's sanity filter is not applied.
Static fields are written once per vessel and again only when they change. A row that
cannot be read is counted by reason and skipped; an optional field that cannot be read is
counted (``bad_values``) and left null. Neither stops the import.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shade.errors import InputError
from shade.ingest.files import Capture
from shade.store.store import Store
from shade.tracks.model import Point, Static, Update

COLUMNS = (
    "MMSI",
    "BaseDateTime",
    "LAT",
    "LON",
    "SOG",
    "COG",
    "Heading",
    "VesselName",
    "IMO",
    "CallSign",
    "VesselType",
    "Status",
    "Length",
    "Width",
    "Draft",
    "Cargo",
    "TransceiverClass",
)
SOURCE = "marinecadastre"
_STATIC_FROM = ("shipname", "callsign", "imo", "ship_type", "draught")
_STATIC_COLUMNS = ("VesselName", "CallSign", "IMO", "VesselType", "Draft", "Length", "Width")
_TIME_CACHE_MAX = 100_000


@dataclass
class CsvImport:
    """What an import did: rows read, points written, rows and values it could not use."""

    rows: int = 0
    points: int = 0
    vessels: int = 0
    bad_rows: Counter[str] = field(default_factory=Counter)  # by reason, e.g. bad_position
    bad_values: int = 0  # optional fields that could not be read, left null


class _BadRowError(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Rows:
    """Turns CSV rows into points, static fields and dimensions."""

    def __init__(self, header: list[str], result: CsvImport) -> None:
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise InputError(f"not a MarineCadastre CSV file: no column {missing[0]}")
        self._at = {name: header.index(name) for name in COLUMNS}
        self._width = len(header)
        self._result = result
        self._times: dict[str, datetime] = {}
        self._static_at = [header.index(name) for name in _STATIC_COLUMNS]

    def _time(self, text: str) -> datetime:
        at = self._times.get(text)
        if at is None:
            if len(self._times) >= _TIME_CACHE_MAX:
                self._times.clear()
            try:
                at = datetime.fromisoformat(text)
            except ValueError:
                raise _BadRowError("bad_time") from None
            at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
            self._times[text] = at
        return at

    def _number(self, text: str, kind: Callable[[str], Any]) -> Any:
        if not text:
            return None
        try:
            return kind(text)
        except ValueError:
            self._result.bad_values += 1
            return None

    def _imo(self, text: str) -> int | None:
        digits = text[3:] if text[:3].upper() == "IMO" else text
        number = self._number(digits, int) if digits else None
        return number or None  # IMO0000000 means "no IMO number"

    def point(self, row: list[str]) -> Point:
        if len(row) != self._width:
            raise _BadRowError("bad_field_count")
        c = self._at
        try:
            mmsi = int(row[c["MMSI"]])
        except ValueError:
            raise _BadRowError("bad_mmsi") from None
        if not 0 < mmsi < 1 << 30:
            raise _BadRowError("bad_mmsi")
        at = self._time(row[c["BaseDateTime"]])
        try:
            lat, lon = float(row[c["LAT"]]), float(row[c["LON"]])
        except ValueError:
            raise _BadRowError("bad_position") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _BadRowError("bad_position")  # includes AIS "not available" 91 and 181
        speed = self._number(row[c["SOG"]], float)
        course = self._number(row[c["COG"]], float)
        heading = self._number(row[c["Heading"]], _integer)
        return Point(
            mmsi,
            at,
            lat,
            lon,
            None if speed is None or speed >= 102.3 else speed,
            None if course is None or course >= 360 else course,
            None if heading is None or heading >= 360 else heading,
            self._number(row[c["Status"]], _integer),
            18 if row[c["TransceiverClass"]] == "B" else 1,
            SOURCE,
        )

    def static_text(self, row: list[str]) -> tuple[str, ...]:
        """The row's static columns as written: rows of one vessel mostly repeat them."""
        return tuple([row[i] for i in self._static_at])

    def statics(self, text: tuple[str, ...]) -> tuple[dict[str, Any], tuple[int | None, ...]]:
        """The static fields (None left out) and (length, width) of ``static_text``."""
        name, callsign, imo, ship_type, draught, length, width = text
        values = (
            name.strip() or None,
            callsign.strip() or None,
            self._imo(imo.strip()),
            self._number(ship_type, _integer),
            self._number(draught, float),
        )
        fields = {k: v for k, v in zip(_STATIC_FROM, values, strict=True) if v is not None}
        return fields, (self._number(length, _integer), self._number(width, _integer))


def _integer(text: str) -> int:
    # Some exports write whole numbers as "14.0".
    return int(float(text)) if "." in text else int(text)


def _text_lines(capture: Capture, progress: Callable[[int], None] | None) -> Iterable[str]:
    for block in capture.blocks():
        for line in block:
            yield line.decode("utf-8", "replace").replace("\x00", "")
        if progress is not None:
            progress(capture.position)


def import_marinecadastre_csv(
    store: Store,
    path: str,
    progress: Callable[[int], None] | None = None,
) -> CsvImport:
    """Import a MarineCadastre CSV file (plain or gzip) into ``store``, in batches.

    ``progress`` is called with the bytes of the file read so far (compressed bytes for
    gzip). Each batch of ``settings.ingest_batch_size`` rows is one transaction, so an
    interrupted import keeps the batches written before.
    """
    result = CsvImport()
    batch_size = store.settings.ingest_batch_size
    seen: dict[int, tuple[str, ...]] = {}
    with Capture(path) as capture:
        reader = csv.reader(_text_lines(capture, progress))
        header = next(reader, None)
        if header is None:
            raise InputError(f"{path}: empty file, no MarineCadastre CSV header")
        rows = _Rows([name.strip().lstrip("\ufeff") for name in header], result)
        points: list[Point] = []
        statics: list[Static] = []
        dimensions: dict[int, tuple[int | None, int | None]] = {}
        for row in reader:
            if not row:
                continue
            result.rows += 1
            try:
                point = rows.point(row)
            except _BadRowError as bad:
                result.bad_rows[bad.reason] += 1
                continue
            points.append(point)
            text = rows.static_text(row)
            if seen.get(point.mmsi) != text:
                seen[point.mmsi] = text
                fields, dims = rows.statics(text)
                statics.append(Static(point.mmsi, point.at, fields))
                if dims != (None, None):
                    dimensions[point.mmsi] = (dims[0], dims[1])
            if len(points) >= batch_size:
                # _write, not write: the file's lengths and widths have no field in the
                # tracks' Static (which has to_bow ... to_starboard), only a column here.
                store._write(Update(points, [], statics), dimensions)
                result.points += len(points)
                points, statics, dimensions = [], [], {}
        if points or statics:
            store._write(Update(points, [], statics), dimensions)
            result.points += len(points)
    result.vessels = len(seen)
    return result
