"""From an armoured AIS payload to a message record: de-armouring, dispatch, decoding.

``decode_payload`` is pure and total: it returns a record, or a reason code (``Reject``)
saying why the payload is not a message. Types whose layout depends on their content (6, 8,
16, 22, 24, 25, 26) choose the layout here, the way ITU-R M.1371-5 and pyais do.
"""

from __future__ import annotations

from base64 import b64decode
from binascii import Error as Base64Error

from shade.ais.kinds import data_bytes, text_partial
from shade.ais.layouts import BY_NAME, Layout
from shade.ais.message import AISMessage
from shade.ais.records import DECODERS
from shade.ais.rejects import Reject

_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Payload armour: '0'-'W' carry 0-39, '`'-'w' carry 40-63. As base64 digits, b64decode turns
# four characters into three bytes in C. Characters outside the armour map to '!', which
# b64decode rejects in validating mode.
_ARMOUR = bytes(range(48, 88)) + bytes(range(96, 120))
_ARMOUR_TO_B64 = bytes(
    _B64_ALPHABET[_ARMOUR.index(c)] if c in _ARMOUR else ord("!") for c in range(256)
)
_PAD = (b"", b"AAA", b"AA", b"A")

# Layout names for the content-dependent types.
_MSG6_VARIANTS = {
    (1, 16): "PersonsOnBoard",
    (1, 18): "ArrivalTime",
    (1, 20): "BerthingDataAddressed",
    (1, 23): "AreaNoticeAddressed",
    (1, 25): "DangerousCargo",
}
_MSG8_VARIANTS = {
    (1, 0): "TextDescription",
    (1, 11): "MeteoHydro",
    (1, 16): "VTSTargets",
    (1, 17): "SyntheticTargets",
    (1, 19): "MarineTrafficSignal",
    (1, 20): "BerthingDataBroadcast",
    (1, 21): "WeatherObservation",
    (1, 22): "AreaNoticeBroadcast",
    (1, 24): "ExtendedShipStatic",
    (1, 26): "EnvironmentalReports",
    (1, 27): "RouteInformation",
    (1, 29): "TextDescriptionLinked",
    (1, 31): "MeteoHydroV2",
    (200, 10): "InlandStaticVoyage",
    (200, 23): "InlandEMMA",
    (200, 24): "InlandWaterLevel",
    (200, 40): "InlandSignalStation",
    (367, 33): "USEnvironmental",
}
FIXED_LAYOUTS = {
    1: "PositionReport",
    2: "PositionReport",
    3: "PositionReport",
    4: "BaseStationReport",
    5: "StaticVoyageData",
    7: "BinaryAcknowledge",
    9: "SARAircraftReport",
    10: "UTCDateInquiry",
    11: "BaseStationReport",
    12: "AddressedSafetyMessage",
    13: "BinaryAcknowledge",
    14: "SafetyBroadcast",
    15: "Interrogation",
    17: "DGNSSBroadcast",
    18: "ClassBPositionReport",
    19: "ClassBExtendedReport",
    20: "DataLinkManagement",
    21: "AidToNavigationReport",
    23: "GroupAssignmentCommand",
    27: "LongRangeReport",
}
_MSG25 = (
    "SingleSlotBinaryBroadcast",
    "SingleSlotBinaryBroadcastStructured",
    "SingleSlotBinaryAddressed",
    "SingleSlotBinaryAddressedStructured",
)
_MSG26 = (
    "MultiSlotBinaryBroadcast",
    "MultiSlotBinaryBroadcastStructured",
    "MultiSlotBinaryAddressed",
    "MultiSlotBinaryAddressed",
)
# The header (type, repeat, MMSI) is the least a message must carry.
MIN_BITS = 38
# Types ``layout_for`` knows: of a payload of valid armour with one of these types and at
# least MIN_BITS bits, decode_payload always makes a message.
KNOWN_TYPES = frozenset(FIXED_LAYOUTS) | {6, 8, 16, 22, 24, 25, 26}


def dearmour(payload: bytes, fill: int) -> tuple[int, int] | None:
    """The payload's bits as one integer and their count, or None if a character is invalid."""
    try:
        rest = len(payload) & 3
        if rest:
            value = int.from_bytes(
                b64decode(payload.translate(_ARMOUR_TO_B64) + _PAD[rest], validate=True), "big"
            ) >> (6 * (4 - rest))
        else:
            value = int.from_bytes(
                b64decode(payload.translate(_ARMOUR_TO_B64), validate=True), "big"
            )
    except (Base64Error, ValueError):
        return None
    return value >> fill, len(payload) * 6 - fill


def _bits(v: int, n: int, start: int, width: int) -> int:
    """``width`` bits at ``start``; 0 for bits past the end."""
    if start >= n:
        return 0
    available = min(width, n - start)
    return (v >> (n - start - available)) & ((1 << available) - 1)


def layout_for(v: int, n: int) -> str | None:
    """The name of the layout a payload is read with, or None for an unknown type."""
    msg_type = v >> (n - 6)
    name = FIXED_LAYOUTS.get(msg_type)
    if name is not None:
        return name
    if msg_type == 6:
        if n <= 72 and (_bits(v, n, 40, 10), _bits(v, n, 50, 6)) == (1, 16):
            return "PersonsOnBoardBroadcast"
        key = (_bits(v, n, 72, 10), _bits(v, n, 82, 6))
        return _MSG6_VARIANTS.get(key, "BinaryAddressed")
    if msg_type == 8:
        key = (_bits(v, n, 40, 10), _bits(v, n, 50, 6))
        if key == (1, 21) and _bits(v, n, 56, 1):
            return "BinaryBroadcast"  # the WMO form of FID 21 is BUFR: kept as data
        return _MSG8_VARIANTS.get(key, "BinaryBroadcast")
    if msg_type == 16:
        return "AssignmentCommandAB" if n > 96 else "AssignmentCommandA"
    if msg_type == 22:
        return "ChannelManagementAddressed" if _bits(v, n, 139, 1) else "ChannelManagementBroadcast"
    if msg_type == 24:
        part = _bits(v, n, 38, 2)
        if part == 0:
            return "StaticDataReportA"
        if part == 1:
            if 980000000 <= _bits(v, n, 8, 30) <= 989999999:
                return "StaticDataReportBAuxiliary"
            return "StaticDataReportB"
        return "StaticDataReportOther"
    if msg_type == 25:
        return _MSG25[_bits(v, n, 38, 2)]
    if msg_type == 26:
        return _MSG26[_bits(v, n, 38, 2)]
    return None


def decode_partial(layout: Layout, v: int, n: int) -> AISMessage:
    """Decode a payload shorter than its layout.

    A field past the end is None; a field cut by the end takes the bits that are there,
    as pyais does, so that both read such messages alike.
    """
    values: list[object] = []
    for field in layout.values:
        if field.start >= n:
            values.append(None)
            continue
        available = min(field.width, n - field.start)
        raw = (v >> (n - field.start - available)) & ((1 << available) - 1)
        kind = field.kind
        if kind.name == "t":
            values.append(text_partial(raw, available))
        elif kind.name == "d":
            values.append(data_bytes(raw, available))
        else:
            if kind.signed and raw >> (available - 1):
                raw -= 1 << available
            values.append(None if raw == field.na else kind.decode(raw))
    cls = DECODERS[layout.name][0]
    return cls(*values)


def decode_bits(v: int, n: int) -> AISMessage | Reject:
    """Decode a payload already de-armoured into ``n`` bits held by ``v``."""
    if n < MIN_BITS:
        return Reject.TOO_SHORT
    name = layout_for(v, n)
    if name is None:
        return Reject.UNKNOWN_TYPE
    _cls, fast, needed = DECODERS[name]
    if n >= needed:
        return fast(v, n)
    return decode_partial(BY_NAME[name], v, n)


def decode_payload(payload: bytes, fill: int = 0) -> AISMessage | Reject:
    """Decode one whole armoured payload (all fragments joined)."""
    if not payload:
        return Reject.EMPTY_PAYLOAD
    bits = dearmour(payload, fill)
    if bits is None:
        return Reject.BAD_PAYLOAD
    return decode_bits(*bits)
