"""Static and voyage data out of AIS messages: which fields each type carries, and the ETA.

Types 5 (class A static and voyage data), 19 (class B extended position report) and 24
(class B static data, part A: the name; part B: type, call sign and dimensions) carry them.
A field is left out when the message did not carry it or sent "not available": None, empty
text, and the zeros ITU-R M.1371-5 gives that meaning: IMO 0, ship type 0, draught 0, and
the dimensions when all are 0 (one 0 among others is real: an antenna at the bow).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any, Final

from shade.ais.kinds import Value
from shade.ais.message import AISMessage
from shade.ais.records import (
    ClassBExtendedReport,
    StaticDataReportA,
    StaticDataReportB,
    StaticDataReportBAuxiliary,
    StaticVoyageData,
)
from shade.tracks.model import Static

STATIC_TYPES: Final = frozenset({5, 19, 24})
_DIMENSIONS: Final = ("to_bow", "to_stern", "to_port", "to_starboard")
_ZERO_NOT_AVAILABLE: Final = frozenset({"imo", "ship_type", "draught"})  # and empty text
# The fields each message record may carry; a record of another class (type 24 with an
# undefined part number) carries none.
_FIELDS: Final[dict[type[AISMessage], tuple[str, ...]]] = {
    StaticVoyageData: (
        "shipname",
        "callsign",
        "imo",
        "ship_type",
        *_DIMENSIONS,
        "destination",
        "draught",
    ),
    ClassBExtendedReport: ("shipname", "ship_type", *_DIMENSIONS),
    StaticDataReportA: ("shipname",),
    StaticDataReportB: ("ship_type", "callsign", *_DIMENSIONS),
    StaticDataReportBAuxiliary: ("ship_type", "callsign"),
}
# Per record class: each field with whether "not available" is any false value (empty
# text; IMO, ship type and draught 0) rather than only None (the dimensions, below), and
# the getter that gives the MMSI, then the fields.
_SPECS: Final = {
    cls: (
        tuple((name, name not in _DIMENSIONS) for name in names),
        attrgetter("mmsi", *names),
    )
    for cls, names in _FIELDS.items()
}
# An ETA this far before the message is taken as last year's rather than next year's:
# a vessel may be a little late, or slow to update its ETA.
ETA_PAST: Final = timedelta(days=31)


def static_of(message: AISMessage, at: datetime) -> Static | None:
    """The static data a message of type 5, 19 or 24 carries, or None if it carries none."""
    return _static(message, _fields(message), at)


class StaticReader:
    """``static_of`` for a stream: each vessel's last message of each class remembered.

    Vessels send their static data again and again unchanged (type 5 every six minutes):
    a message equal to the one before it takes that one's fields, and only its ETA, which
    depends on when it was sent, is worked out again. What comes out is ``static_of``'s.
    """

    def __init__(self) -> None:
        self._last: dict[tuple[int, type[AISMessage]], tuple[AISMessage, dict[str, Any]]] = {}

    def __call__(self, message: AISMessage, at: datetime) -> Static | None:
        key = (message.mmsi, type(message))
        held = self._last.get(key)
        if held is not None and held[0] == message:
            fields = held[1]
        else:
            fields = _fields(message)
            self._last[key] = (message, fields)
        return _static(message, fields, at)


def _fields(message: AISMessage) -> dict[str, Any]:
    """The fields a message carries but the ETA (not to be changed: they may be shared)."""
    spec = _SPECS.get(type(message))
    if spec is None:
        return {}
    rules, getter = spec
    _, *values = getter(message)
    fields: dict[str, Any] = {}
    dimensions = False  # some dimension given, and not 0
    for (name, false_is_missing), value in zip(rules, values, strict=True):
        if false_is_missing:
            if value:
                fields[name] = value
        elif value is not None:
            fields[name] = value
            dimensions = dimensions or value != 0
    if not dimensions:
        for name in _DIMENSIONS:
            fields.pop(name, None)  # all 0: not available
    return fields


def _static(message: AISMessage, fields: dict[str, Any], at: datetime) -> Static | None:
    """The Static of a message's ``fields`` (copied), with its ETA if it is a type 5."""
    made: dict[str, Value | datetime] = dict(fields)
    if message.msg_type == 5:
        record: Any = message
        arrival = eta(record.month, record.day, record.hour, record.minute, at)
        if arrival is not None:
            made["eta"] = arrival
    if not made:
        return None
    return Static(message.mmsi, at, made)


def eta(
    month: int | None, day: int | None, hour: int | None, minute: int | None, at: datetime
) -> datetime | None:
    """The ETA of a type 5 message sent at ``at``, in UTC, or None if unknown or invalid.

    The message gives no year: the year taken is the one that puts the ETA at the earliest
    moment not more than ``ETA_PAST`` before the message, so between about a month before
    and eleven months after it. A date that does not exist (30 February; 29 February outside
    a leap year around the message), an hour over 23 or a minute over 59 give None.
    """
    if month is None or day is None or hour is None or minute is None:
        return None
    earliest = at - ETA_PAST
    # From the year of ``earliest`` on: an ETA in a year before it is earlier still.
    for year in range(earliest.year, at.year + 2):
        try:
            candidate = datetime(year, month, day, hour, minute, tzinfo=UTC)
        except ValueError:
            continue
        if candidate >= earliest:
            return candidate
    return None
