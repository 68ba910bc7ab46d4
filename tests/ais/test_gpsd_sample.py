"""Every hand-checked decode in GPSD's sample.aivdm, compared field by field with shade's.

gpsd_sample.aivdm (GPSD project, BSD-2-Clause; see ../shared/data/SOURCES.md) writes,
under a sentence or a group of fragments, the decode someone checked by hand or with other
decoders. The decodes come in five dialects:

- noaadata (``UserID: 371798000``, ``SOG: 12.3``): positions in degrees, ROT raw;
- dumps of gpsd's ais.py (``MMSI : 2655651``): raw integers for positions in types 9, 17,
  22 and 23 (1/10000 or 1/10 minute) and for speed and course of type 18 (tenths);
- the Kanaton decoder (``Air temperature=0x2E6(14.2 degree(s) Celcius)``): the raw value,
  then the decoded one in parentheses; its decode sometimes follows a commented copy of the
  sentence rather than the sentence itself;
- gpsd's JSON (``{"class":"AIS",...}``), numbers printed rounded (``%.1f``, ``%.3f``);
- one line of ``gpsdecode -c`` (``8|0|002711009|1|16|720:...``).

``read_blocks`` collects them. ``FIELDS`` maps each name, for the record shade decodes, to
shade's field and units (``HEADER`` holds the names every record shares); ``NOT_COMPARED``
names what cannot be compared and why; ``ERRATA`` lists, message by message, where the
comment is wrong or shade rightly differs, with the value shade must give. A name found in
none of them fails the test, so nothing is skipped unseen.

How values compare: integers, flags, text (trailing '@' and blanks removed) and binary
data exactly; decimals exactly, as noaadata, ais.py and Kanaton print exact values; positions
within 1e-6 degree, as shade rounds them to 6 decimals; numbers printed rounded (gpsd's
JSON, ais.py's values in parentheses) within half a unit of the last digit shown. ``na=``
in a mapping marks the raw "not available" value that shade gives as None (heading 511,
time stamp 60, ROT -128 ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from shade.ais import AISMessage, Decoder
from tests.conftest import AIS_NMEA, read_lines

SAMPLE = AIS_NMEA / "gpsd_sample.aivdm"

# ---------------------------------------------------------------------------------------
# The comment blocks

# A commented copy of a sentence, as Kanaton decodes begin (maybe after a quoted date).
_ECHO = re.compile(r'(?:"[^"]*"\s*)?(![A-Z]{2}VD[MO],\S+)')
# "name: value", "name=value" or "name    value"; a name is words with single blanks.
_FIELD = re.compile(r"(?P<name>[^\s:=]+(?: [^\s:=]+)*)(?:\s*[:=]\s*|\s{2,})(?P<value>.*)")
_CSV = re.compile(r"\d+\|")
# The columns of gpsdecode -c for the one type 8 message written that way.
CSV_COLUMNS = ("type", "repeat", "mmsi", "dac", "fid", "data")
# Kanaton's headings inside a decode; they carry no value.
HEADINGS = ("Binary Data", "Application data:")
# Prose that reads like "name: value" or "name=value" but is no decode: any other line
# without a value ends a decode too ("Type 13:", "From AISHub", ...).
PROSE = (
    "gpsdecode: AIVDM message type 24 collision",  # gpsdecode's diagnostics
    "Type 22 with MMSI1=",  # what the next sentence tests
)


@dataclass(frozen=True)
class Block:
    """One message of the sample with the decode written for it."""

    line: int  # line of its first sentence
    sentences: tuple[bytes, ...]
    fields: tuple[tuple[str, str], ...]  # (name, value) as the comment writes them

    @property
    def msg_type(self) -> int:
        first = ord(self.sentences[0].split(b",")[5][:1]) - 48
        return first - 8 if first > 40 else first

    @property
    def id(self) -> str:
        return f"type{self.msg_type}-line{self.line}"


def parse_comment(body: str) -> list[tuple[str, str]] | None:
    """The (name, value) pairs of one comment line of a decode, or None for prose."""
    if body.startswith("{"):
        record = json.loads(body, parse_int=str, parse_float=str)
        return [(k, str(v).lower() if isinstance(v, bool) else v) for k, v in record.items()]
    if _CSV.match(body):
        return list(zip(CSV_COLUMNS, body.split("|"), strict=True))
    if body in HEADINGS:
        return []
    if body.startswith(PROSE):
        return None
    field = _FIELD.fullmatch(body)
    if field is None or not field["value"]:
        return None
    return [(field["name"], field["value"])]


def read_blocks(lines: list[str]) -> list[Block]:
    """The messages of the sample that carry a decode, in file order.

    A decode is the run of comment lines under a sentence group, or under a commented copy
    of one of its sentences; a bare ``#`` line, a blank line or prose ends it.
    """
    groups: list[tuple[int, list[str], list[tuple[str, str]]]] = []
    echoed: dict[str, list[tuple[str, str]]] = {}
    target: list[tuple[str, str]] | None = None  # where decode lines go
    in_group = False
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            if not in_group:
                groups.append((number, [], []))
            groups[-1][1].append(line)
            target, in_group = groups[-1][2], True
            continue
        in_group = False
        body = line.lstrip("#").strip()
        echo = _ECHO.fullmatch(body)
        if not body:
            target = None
        elif echo:
            target = echoed.setdefault(echo[1], [])
        elif target is not None:
            pairs = parse_comment(body)
            if pairs is None:
                target = None
            else:
                target.extend(pairs)
    blocks = []
    for number, sentences, fields in groups:
        for sentence in sentences:
            fields.extend(echoed.pop(sentence, []))
        if fields:
            encoded = tuple(s.encode("ascii") for s in sentences)
            blocks.append(Block(number, encoded, tuple(fields)))
    orphans = [sentence for sentence, fields in echoed.items() if fields]
    if orphans:
        raise ValueError(f"decodes of sentences not in the file: {orphans}")
    return blocks


BLOCKS = read_blocks([line.decode("utf-8") for line in read_lines(SAMPLE)])

# ---------------------------------------------------------------------------------------
# Values as the comments write them, in shade's units

Convert = Callable[[str], dict[str, object]]
SIXBIT = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"
POSITION_TOLERANCE = 1e-6  # degree: shade rounds positions to 6 decimals
# gpsd's words for codes (gpsd_json.c). Its trends swap 1 and 2 against IMO 236 and 289
# (0 steady, 1 decreasing, 2 increasing): the word stands for gpsd's code, not the spec's.
GPSD_TRENDS = ("steady", "increasing", "decreasing", "N/A")
GPSD_PRECIPITATION = ("reserved", "rain", "thunderstorm", "freezing rain", "mixed/ice")
GPSD_PRECIPITATION += ("snow", "reserved", "N/A")
GPSD_ICE = ("no", "yes", "reserved", "N/A")
EPFD = {"GPS": 1, "GLONASS": 2, "Combined GPS/GLONASS": 3, "Surveyed": 7, "Galileo": 8}
# Sub-fields of the SOTDMA/ITDMA communication state, which shade keeps whole in ``radio``
# (19 bits in types 1-4 and 11; 20 bits with the selector first in types 9 and 18).
RADIO_PARTS: dict[str, Callable[[int], int]] = {
    "selector": lambda radio: radio >> 19,
    "state": lambda radio: radio & 0x7FFFF,
    "sync_state": lambda radio: radio >> 17 & 0b11,
    "slot_timeout": lambda radio: radio >> 14 & 0b111,
    "sub_message": lambda radio: radio & 0x3FFF,
}


def integer(value: str) -> int:
    return int(value)


def decimal(value: str) -> float:
    return float(value)


def flag(value: str) -> bool:
    return {"0": False, "1": True, "false": False, "true": True}[value.lower()]


def text(value: str) -> str:
    return value.rstrip("@ ")


def tenths(value: str) -> float:
    return int(value) / 10


def hundredths(value: str) -> float:
    return int(value) / 100


def degrees(value: str) -> object:
    return pytest.approx(float(value), abs=POSITION_TOLERANCE)


def raw_degrees(value: str) -> object:
    """A position in 1/10000 minute, as ais.py prints type 9."""
    return pytest.approx(int(value) / 600000, abs=POSITION_TOLERANCE)


def printed(value: str) -> object:
    """A number printed rounded to the digits shown."""
    _, dot, decimals = value.partition(".")
    if not dot:
        return int(value)
    return pytest.approx(float(value), abs=0.5 * 10 ** -len(decimals) + 1e-9)


def number(value: str) -> int | float:
    return float(value) if "." in value else int(value)


def rate_of_turn(value: str) -> float | None:
    """noaadata's raw ROT indicator; the file holds only -128 (not available), 0 and +-127
    (turning faster than 5 degrees per 30 s, no turn indicator), which shade keeps as is."""
    raw = int(value)
    if raw == -128:
        return None
    if raw not in (-127, 0, 127):
        raise ValueError(f"ROT {raw} needs the sqrt conversion; the file has none")
    return float(raw)


def ais_py(parse: Callable[[str], object]) -> Callable[[str], object]:
    """ais.py's raw integer, or its hex form ``0xFC683F6 (-6.27884)``, value in parentheses."""

    def convert(value: str) -> object:
        hexed = re.fullmatch(r"0x[0-9A-F]+ \(\s*(\S+)\s*\)", value)
        return printed(hexed[1]) if hexed else parse(value)

    return convert


def kanaton(value: str) -> int | float:
    """Kanaton's ``0x2E6(14.2 degree(s) Celcius)``: the decoded value in parentheses, or the
    plain value where the parentheses hold words (``1(International)``) or are missing."""
    raw, _, decoded = value.partition("(")
    shown = re.match(r"-?\d+(?:\.\d+)?", decoded)
    if shown:
        return number(shown[0])
    return int(raw, 16) if raw.startswith("0x") else int(raw)


def kanaton_degrees(value: str) -> object:
    """Kanaton's ``0x30CAFD(53°017.693 N)``: degrees and minutes."""
    shown = re.fullmatch(r".*\((\d+)°(\d+\.\d+) ([NSEW])\)", value)
    if shown is None:
        raise ValueError(value)
    angle = int(shown[1]) + float(shown[2]) / 60
    return pytest.approx(-angle if shown[3] in "SW" else angle, abs=POSITION_TOLERANCE)


def gpsd_code(table: tuple[str, ...]) -> Callable[[str], int]:
    """gpsd's code, or its word for it where the word names one code only."""

    def convert(value: str) -> int:
        if value.isdigit():
            return int(value)
        (code,) = (i for i, word in enumerate(table) if word == value)
        return code

    return convert


def bits(value: str) -> bytes:
    """``48:eb2f118f7ff1``: a bit count and the bits in hex, left-aligned in whole bytes."""
    count, _, hexed = value.partition(":")
    data = bytes.fromhex(hexed)
    if len(data) != (int(count) + 7) // 8:
        raise ValueError(f"{count} bits in {len(data)} bytes")
    return data


def to(field: str, parse: Callable[[str], object] = integer, na: object = None) -> Convert:
    """One shade field; ``na``: the raw "not available" value, which shade gives as None."""

    def convert(value: str) -> dict[str, object]:
        parsed = parse(value)
        return {field: None if na is not None and parsed == na else parsed}

    return convert


def application_id(value: str) -> dict[str, object]:
    """noaadata's ApplicationID, Kanaton's ``0x3ACA(15050)``: DAC * 64 + FID."""
    code = int(kanaton(value))
    return {"dac": code >> 6, "fid": code & 0b111111}


def kanaton_time(value: str) -> dict[str, object]:
    """Kanaton's ``0x944F(18 17h15m)``: day, hour and minute."""
    shown = re.fullmatch(r".*\((\d+) (\d+)h(\d+)m\)", value)
    if shown is None:
        raise ValueError(value)
    return {"day": int(shown[1]), "hour": int(shown[2]), "minute": int(shown[3])}


def gpsd_timestamp(value: str) -> dict[str, object]:
    """gpsd's ``20T18:27Z``: day, hour and minute."""
    shown = re.fullmatch(r"(\d\d)T(\d\d):(\d\d)Z", value)
    if shown is None:
        raise ValueError(value)
    return {"day": int(shown[1]), "hour": int(shown[2]), "minute": int(shown[3])}


def vendor_id(value: str) -> dict[str, object]:
    """noaadata's 7-character vendor ID of ITU-R M.1371-3: M.1371-5 reads its first 3
    characters as the vendor, the 24 bits of the other 4 as a 4-bit model and a serial."""
    tail = 0
    for char in value[3:]:
        tail = tail << 6 | SIXBIT.index(char)
    return {"vendorid": value[:3], "model": tail >> 20, "serial": tail & 0xFFFFF}


# ---------------------------------------------------------------------------------------
# Names in the comments → shade's fields

HEADER: dict[str, Convert] = {
    **dict.fromkeys(("MessageID", "Message Type", "Message type", "Message ID"), to("msg_type")),
    **dict.fromkeys(("RepeatIndicator", "Repeat Indicator"), to("repeat")),
    "Repleat Indicator": to("repeat"),  # sic, in the Inland AIS blocks
    **dict.fromkeys(("UserID", "MMSI", "SourceMMSI", "Source ID (MMSI)"), to("mmsi")),
    "type": to("msg_type"),  # gpsd JSON and gpsdecode -c
    "repeat": to("repeat"),
    "mmsi": to("mmsi"),
}

_NOAADATA_KINEMATICS: dict[str, Convert] = {
    "SOG": to("speed", decimal, na=102.3),
    "PositionAccuracy": to("accuracy", flag),
    "longitude": to("lon", degrees, na=181),
    "latitude": to("lat", degrees, na=91),
    "COG": to("course", decimal, na=360),
    "TrueHeading": to("heading", na=511),
    "TimeStamp": to("second", na=60),
    "RAIM": to("raim", flag),
}
_NOAADATA_SOTDMA: dict[str, Convert] = {
    "state_syncstate": to("radio.sync_state"),
    "state_slottimeout": to("radio.slot_timeout"),
    "stare_slottimeout": to("radio.slot_timeout"),  # sic, in the second type 1 block
    "state_slotoffset": to("radio.sub_message"),  # whatever the time-out, the 14 bits
}
_NOAADATA_DIMENSIONS: dict[str, Convert] = {
    "dimA": to("to_bow"),
    "dimB": to("to_stern"),
    "dimC": to("to_port"),
    "dimD": to("to_starboard"),
}
_BINARY: dict[str, Convert] = {
    "DAC": to("dac", kanaton),
    "FID": to("fid"),
    "Function identifier": to("fid", kanaton),
    "Application identifier": application_id,
    "ApplicationID": application_id,
    "Data": to("data", bits),
    "data": to("data", bits),
    "dac": to("dac"),
    "fid": to("fid"),
}
_ADDRESSED: dict[str, Convert] = {
    "SeqNum": to("seqno"),
    "Sequence Number": to("seqno"),
    "Sequence number": to("seqno"),
    "seqno": to("seqno"),
    "DestinationID": to("dest_mmsi"),
    "Destination MMSI": to("dest_mmsi"),
    "Destination ID (MMSI)": to("dest_mmsi"),
    "dest_mmsi": to("dest_mmsi"),
    "RetransmitFlag": to("retransmit", flag),
    "Retransmit flag": to("retransmit", flag),
    "retransmit": to("retransmit", flag),
}
_KANATON_METEO_NAMES = {
    "Average wind speed": "wspeed",
    "Wind gust": "wgust",
    "Wind direction": "wdir",
    "Wind gust direction": "wgustdir",
    "Air temperature": "airtemp",
    "Relative humidity": "humidity",
    "Dew point": "dewpoint",
    "Air pressure": "pressure",
    "Air pressure tendency": "pressuretend",
    "Horizontal visibility": "visibility",
    "Water level": "waterlevel",
    "Water level trend": "leveltrend",
    "Surface current speed": "cspeed",
    "Surface current direction": "cdir",
    "Current speed #2": "cspeed2",
    "Current direction #2": "cdir2",
    "Current measuring level #2": "cdepth2",
    "Current speed #3": "cspeed3",
    "Current direction #3": "cdir3",
    "Current measuring level #3": "cdepth3",
    "Significant wave height": "waveheight",
    "Wave period": "waveperiod",
    "Wave direction": "wavedir",
    "Swell height": "swellheight",
    "Swell period": "swellperiod",
    "Swell direction": "swelldir",
    "Sea state": "seastate",
    "Water temperature": "watertemp",
    "Precipitation": "preciptype",
    "Salinity": "salinity",
    "Ice": "ice",
}
_METEO: dict[str, Convert] = {
    **_BINARY,
    **{name: to(field, kanaton) for name, field in _KANATON_METEO_NAMES.items()},
    "Latitude": to("lat", kanaton_degrees),
    "Longitude": to("lon", kanaton_degrees),
    "Date and time": kanaton_time,
    "Pos. acc.": to("accuracy", flag),
    # gpsd's JSON uses shade's names
    **{name: to(name, printed) for name in set(_KANATON_METEO_NAMES.values()) | {"lat", "lon"}},
    "timestamp": gpsd_timestamp,
    "pressuretend": to("pressuretend", gpsd_code(GPSD_TRENDS)),
    "leveltrend": to("leveltrend", gpsd_code(GPSD_TRENDS)),
    "preciptype": to("preciptype", gpsd_code(GPSD_PRECIPITATION)),
    "ice": to("ice", gpsd_code(GPSD_ICE)),
    "accuracy": to("accuracy", flag),
    "visgreater": to("visgreater", flag),
}

FIELDS: dict[str, dict[str, Convert]] = {
    "PositionReport": {
        "NavigationStatus": to("status"),
        "ROT": to("turn", rate_of_turn),
        **_NOAADATA_KINEMATICS,
        **_NOAADATA_SOTDMA,
    },
    "BaseStationReport": {
        "Time_year": to("year", na=0),
        "Time_month": to("month", na=0),
        "Time_day": to("day", na=0),
        "Time_hour": to("hour", na=24),
        "Time_min": to("minute", na=60),
        "Time_sec": to("second", na=60),
        "PositionAccuracy": to("accuracy", flag),
        "Position_longitude": to("lon", degrees, na=181),
        "Position_latitude": to("lat", degrees, na=91),
        "fixtype": to("epfd"),
        "RAIM": to("raim", flag),
        **_NOAADATA_SOTDMA,
    },
    "StaticVoyageData": {
        "AISversion": to("ais_version"),
        "IMOnumber": to("imo"),
        "callsign": to("callsign", text),
        "name": to("shipname", text),
        "shipandcargo": to("ship_type"),
        **_NOAADATA_DIMENSIONS,
        "fixtype": to("epfd"),
        "ETAmonth": to("month", na=0),
        "ETAday": to("day", na=0),
        "ETAhour": to("hour", na=24),
        "ETAminute": to("minute", na=60),
        "draught": to("draught", decimal),
        "destination": to("destination", text),
        "dte": to("dte", flag),
    },
    "BinaryAddressed": {**_ADDRESSED, **_BINARY},
    "BinaryAcknowledge": {
        "MMSI number 1": to("mmsi1"),
        **{f"MMSI{n}": to(f"mmsi{n}") for n in range(1, 5)},
    },
    "BinaryBroadcast": _BINARY,
    "MeteoHydro": _METEO,
    "MeteoHydroV2": _METEO,
    "VTSTargets": {**_BINARY, "data": to("target_data", bits)},
    "InlandStaticVoyage": {
        **_BINARY,
        "VIN": to("vin", text),
        "Length": to("length", tenths),  # decimetres
        "Beam": to("beam", tenths),
        "Vessel type": to("shiptype"),
        "Hazard": to("hazard"),
        "Draught": to("draught", hundredths),  # centimetres
        "Loaded": to("loaded"),
        "speed_q": to("speed_q", flag),
        "course_q": to("course_q", flag),
        "heading_q": to("heading_q", flag),
    },
    "SARAircraftReport": {
        "Altitude": to("alt", na=4095),
        "SOG": to("speed", decimal, na=1023),  # whole knots in type 9
        "Position Accuracy": to("accuracy", flag),
        "Longitude": to("lon", ais_py(raw_degrees), na=181),
        "Latitude": to("lat", ais_py(raw_degrees), na=91),
        "Course Over Ground": to("course", ais_py(tenths), na=360),
        "Time Stamp": to("second", na=60),
        "Regional reserved": to("reserved_1"),
        "DTE": to("dte", flag),
        "Assigned": to("assigned", flag),
        "RAIM flag": to("raim", flag),
        "Radio status": to("radio"),
    },
    "UTCDateInquiry": {"DestID": to("dest_mmsi"), "Destination MMSI": to("dest_mmsi")},
    "AddressedSafetyMessage": {**_ADDRESSED, "Text": to("text", text)},
    "SafetyBroadcast": {"Text": to("text", text)},
    "Interrogation": {
        "Destination MMSI": to("mmsi1"),
        "First interrogated MMSI": to("mmsi1"),
        "First Message Type": to("type1_1"),
        "First message type": to("type1_1"),
        "First Slot Offset": to("offset1_1"),
        "First slot offset": to("offset1_1"),
        "Second message type": to("type1_2"),
        "Second slot offset": to("offset1_2"),
        "Second interrogated MMSI": to("mmsi2"),
        "Message type": to("type2_1"),  # the second station's; HEADER's for other types
        "Slot offset": to("offset2_1"),
    },
    "AssignmentCommandA": {
        "Interrogated MMSI 1": to("mmsi1"),
        "First slot offset": to("offset1"),
        "First slot increment": to("increment1"),
    },
    "DGNSSBroadcast": {
        "Longitude": to("lon", tenths),  # 1/10 minute; shade gives minutes
        "Latitude": to("lat", tenths),
        "DGNSS data": to("data", bits),
    },
    "ClassBPositionReport": {
        **_NOAADATA_KINEMATICS,
        "CommStateSelector": to("radio.selector"),
        "CommState": to("radio.state"),
        "Speed Over Ground": to("speed", tenths, na=102.3),
        "Position Accuracy": to("accuracy", flag),
        "Longitude": to("lon", degrees, na=181),
        "Latitude": to("lat", degrees, na=91),
        "Course Over Ground": to("course", tenths, na=360),
        "True Heading": to("heading", na=511),
        "Time Stamp": to("second", na=60),
        "CS Unit": to("cs", flag),
        "Display Flag": to("display", flag),
        "DSC Flag": to("dsc", flag),
        "Band Flag": to("band", flag),
        "Message 22 Flag": to("msg22", flag),
        "Assigned-Mode Flag": to("assigned", flag),
        "Sync State": to("radio.sync_state"),
        "Slot Time-Out": to("radio.slot_timeout"),
        "Sub Message": to("radio.sub_message"),
    },
    "ClassBExtendedReport": {
        **_NOAADATA_KINEMATICS,
        "name": to("shipname", text),
        "shipandcargo": to("ship_type"),
        **_NOAADATA_DIMENSIONS,
        "fixtype": to("epfd"),
        "DTE": to("dte", flag),
    },
    "DataLinkManagement": {
        name: to(f"{field}{n}")
        for n in range(1, 5)
        for name, field in (
            (f"Offset {n}", "offset"),
            (f"Reserved Slots {n}", "number"),
            (f"Timeout {n}", "timeout"),
            (f"Increment {n}", "increment"),
        )
    },
    "AidToNavigationReport": {
        "Aid Type": to("aid_type"),
        "Name": to("full_name", text),
        "Position Accuracy": to("accuracy", flag),
        "Longitude": to("lon", degrees, na=181),
        "Latitude": to("lat", degrees, na=91),
        "Dimension to Bow": to("to_bow"),
        "Dimension to Stern": to("to_stern"),
        "Dimension to Port": to("to_port"),
        "Dimension to Starboard": to("to_starboard"),
        "Type of EPFD": to("epfd", EPFD.__getitem__),
        "UTC Second": to("second", na=60),
        "Off-Position Indicator": to("off_position", flag),
        "Regional Reserved": to("reserved_1"),
        "RAIM Flag": to("raim", flag),
        "Virtual-Aid Flag": to("virtual_aid", flag),
        "Assigned-Mode Flag": to("assigned", flag),
    },
    "ChannelManagementBroadcast": {
        "Channel A": to("channel_a"),
        "Channel B": to("channel_b"),
        "Tx/Rx mode": to("txrx"),
        "Power": to("power", flag),
        "NE Longitude": to("ne_lon", tenths),  # 1/10 minute; shade gives minutes
        "NE Latitude": to("ne_lat", tenths),
        "SW Longitude": to("sw_lon", tenths),
        "SW Latitude": to("sw_lat", tenths),
        "Addressed": to("addressed", flag),
        "Channel A Band": to("band_a", flag),
        "Channel B Band": to("band_b", flag),
        "Zone size": to("zonesize"),
    },
    "GroupAssignmentCommand": {
        "NE Longitude": to("ne_lon", tenths),
        "NE Latitude": to("ne_lat", tenths),
        "SW Longitude": to("sw_lon", tenths),
        "SW Latitude": to("sw_lat", tenths),
        "Station Type": to("station_type"),
        "Ship Type": to("ship_type"),
        "Tx/Rx mode": to("txrx"),
        "Reporting interval": to("interval"),
        "Quiet time": to("quiet"),
    },
    "StaticDataReportA": {"partnum": to("partno"), "name": to("shipname", text)},
    "StaticDataReportB": {
        "partnum": to("partno"),
        "shipandcargo": to("ship_type"),
        "vendorid": vendor_id,
        "callsign": to("callsign", text),
        **_NOAADATA_DIMENSIONS,
    },
}

_NOAADATA_CONSTANT = (
    "noaadata prints the constant 0 its message description declares (<required>0</required>) "
    "without reading the bits (ais_msg_1.py: r['RegionalReserved']=0); here they are "
)
_GLA = (
    "a sub-field of GLA AtoN monitoring data (DAC 235, FID 10), an application shade does "
    "not decode: it keeps the 48 bits as raw bytes in `data`"
)
_GPSD_WORDS = "gpsd's words for the code in the field before it, which is compared"
NOT_COMPARED: dict[str, str] = {
    "Spare": "spare bits, which shade does not decode (`_:N` in layouts.py); in noaadata's "
    "blocks also a constant (see Spare2), in type 19 for the 8 bits shade reads as "
    "reserved_1 = 248",
    "Spare1": "spare bits of type 10, which shade does not decode",
    "Spare2": _NOAADATA_CONSTANT + "type 10's spare bits and type 19's 4 regional bits, "
    "which shade reads as reserved_2 = 4",
    "Spare3": _NOAADATA_CONSTANT + "type 19's assigned flag and 4 spare bits",
    "RegionalReserved": _NOAADATA_CONSTANT + "the manoeuvre indicator of types 1-3, and in "
    "type 18 (ITU-R M.1371-1 layout) the regional bits and the CS and display flags",
    "Reserved1": _NOAADATA_CONSTANT + "type 18's 8 reserved bits",
    "class": "gpsd's JSON report class, not a message field",
    "device": "gpsd's input device, not a message field",
    "scaled": "gpsd's output option (scaled or raw units), not a message field",
    "AIS channel": "the Kanaton receiver's channel number (1 for sentences of channel A and "
    "B alike), not a message field",
    **dict.fromkeys(
        (
            "Analogue internal",
            "Analogue input1",
            "Analogue input2",
            "AtoN status",
            "status",  # the wrapped second line of AtoN status
            "Digital status",
            "Off position",
        ),
        _GLA,
    ),
    **dict.fromkeys(
        ("Type text", "Hazard text", "Loaded text", "preciptype_text", "ice_text"), _GPSD_WORDS
    ),
}

# (message, name in its comment) → (what shade must give instead, why)
ERRATA: dict[tuple[str, str], tuple[dict[str, object], str]] = {
    ("type5-line124", "ETAhour"): (
        {"hour": 14},
        "the ETA hour bits (283-287) are 01110 = 14, as pyais also reads them",
    ),
    ("type7-line230", "MMSI3"): (
        {"mmsi3": 13068117},
        "the payload ends 24 bits into MMSI3 (128 bits, not 136): noaadata pads it with "
        "zero bits (836359488 = 13068117 * 2**6), shade takes the bits there, as pyais does",
    ),
    ("type7-line230", "MMSI4"): (
        {"mmsi4": None},
        "not in the payload: noaadata prints 0, shade gives None",
    ),
    ("type7-line240", "MMSI3"): (
        {"mmsi3": 74376},
        "the payload ends 20 bits into MMSI3 (124 bits): the dump pads it with zero "
        "bits (76161024 = 74376 * 2**10), shade takes the bits there, as pyais does",
    ),
    ("type8-line252", "FID"): (
        {"fid": 56},
        "bits 50-55 are 111000 = 56, as the block's own ApplicationID 23480 = 366 * 64 + 56 says",
    ),
    ("type8-line265", "FID"): (
        {"fid": 56},
        "bits 50-55 are 111000 = 56, the same application as the message at line 252",
    ),
    ("type8-line458", "data"): (
        {},
        "gpsd keeps these 368 bits as data because their length is not that of Inland "
        "static data (112 bits); shade reads the first 112 as InlandStaticVoyage fields and "
        "has no data field to compare",
    ),
    ("type9-line469", "Radio status"): (
        {"radio": 49194},
        "the dump read 19 bits at bit 148 of the 20-bit field (24597 = 49194 >> 1); the "
        "other type 9 block reads all 20, as shade does",
    ),
    ("type15-line649", "Message type"): (
        {"type2_1": None},
        "the 112-bit message ends before the second station's request: the dump prints 0, "
        "shade gives None",
    ),
    ("type15-line649", "Slot offset"): (
        {"offset2_1": None},
        "the 112-bit message ends before the second station's request: the dump prints 0, "
        "shade gives None",
    ),
    ("type22-line861", "Channel A Band"): (
        {"band_a": False, "band_b": False},
        "the block writes 'Channel A Band' twice; the second stands for 'Channel B Band', both 0",
    ),
    ("type24-line910", "partnum"): (
        {"partno": 1},
        "this is part B: bits 38-39 are 01; the block repeats part A's 0",
    ),
    ("type24-line910", "shipandcargo"): (
        {"ship_type": 60},
        "the block writes '60|', with a stray '|'",
    ),
    ("type8-line1056", "watertemp"): (
        {"watertemp": -9.9},
        "written by a gpsd whose unsigned arithmetic wrapped ((1 - 100) mod 2**32 / 10, in "
        "single precision, is 429496729.6; see 'Temp conversion with unsigned failed' above): "
        "raw 1 is 0.1 * 1 - 10 = -9.9 degrees C, as gpsd_json.c now computes too",
    ),
}


def expectations(block: Block, layout: str) -> list[tuple[str, str, dict[str, object]]]:
    """(name, value, {shade field: expected}) for every field of a block's decode."""
    fields = FIELDS.get(layout, {})
    found = []
    for name, value in block.fields:
        if (block.id, name) in ERRATA:
            expected = ERRATA[block.id, name][0]
        elif name in fields:
            expected = fields[name](value)
        elif name in HEADER:
            expected = HEADER[name](value)
        elif name in NOT_COMPARED:
            continue
        else:
            raise LookupError(f"{block.id}: no mapping for {name!r} in {layout}")
        found.append((name, value, expected))
    return found


def observed(message: AISMessage, key: str) -> object:
    """A field of shade's record; ``radio.<part>``: a sub-field of the communication state."""
    field, _, part = key.partition(".")
    value = message.as_dict()[field]
    if not part:
        return value
    assert isinstance(value, int)
    return RADIO_PARTS[part](value)


def layout_of(block: Block) -> str:
    """The record shade decodes a block's sentences into."""
    (decoded,) = Decoder().decode(block.sentences)
    return type(decoded.message).__name__


# ---------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS])
def test_shade_agrees_with_the_hand_checked_decode(block: Block) -> None:
    (decoded,) = Decoder().decode(block.sentences)
    message = decoded.message
    assert message.msg_type == block.msg_type
    differences = [
        f"{name} = {value!r}: {key} should be {want!r}, shade gives {observed(message, key)!r}"
        for name, value, expected in expectations(block, type(message).__name__)
        for key, want in expected.items()
        if observed(message, key) != want
    ]
    assert not differences, "\n".join(differences)


def test_every_decode_of_the_file_is_checked() -> None:
    # 63 messages carry a decode, of every type from 1 to 24; types 25-27 have none.
    assert len(BLOCKS) == 63
    assert {b.msg_type for b in BLOCKS} == set(range(1, 25))
    fields = [(b.id, name) for b in BLOCKS for name, _ in b.fields]
    not_compared = [f for f in fields if f[1] in NOT_COMPARED and f not in ERRATA]
    compared = [e for b in BLOCKS for e in expectations(b, layout_of(b)) if e[2]]
    assert (len(fields), len(compared), len(not_compared)) == (1030, 942, 87)
    assert set(NOT_COMPARED) <= {name for _, name in fields}


def test_every_erratum_names_a_field_of_the_file() -> None:
    assert set(ERRATA) <= {(b.id, name) for b in BLOCKS for name, _ in b.fields}
