"""The AIS encoder: round trips through the real decoder, pyais both ways, framing, refusals.

Values are drawn on the grid each field is sent on (a latitude is a whole number of 1/10000
minute, rounded to 6 decimals as the decoder and pyais round it), so that a round trip is
exact. The field-by-field ranges are those of ITU-R M.1371-5; the generic test at the end
draws raw bits over the whole width of every field of every layout instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyais
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyais.constants import ShipType

from shade.ais import AISMessage, Decoder
from shade.ais.encode import encode, encode_payload, frame, message
from shade.ais.layouts import LAYOUTS, Field, Layout
from shade.ais.nmea import Sentence, parse_sentence
from shade.ais.records import PositionReport, StaticDataReportB, StaticVoyageData
from shade.errors import InputError
from tests.conftest import AIS_NMEA, read_lines

SIXBIT = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"
EXAMPLES = settings(max_examples=50, deadline=None)

Draw = st.SearchStrategy[Any]


def na(strategy: Draw) -> Draw:
    """A value, or None: "not available"."""
    return st.none() | strategy


def text(nchars: int) -> st.SearchStrategy[str]:
    # The decoder (like pyais) drops trailing '@' and blanks at either end: draw text that
    # already has that form, or it could not come back equal.
    return st.text(SIXBIT, max_size=nchars).map(lambda s: s.rstrip("@ ").lstrip(" "))


def degrees(limit: int, divisor: int = 600000) -> st.SearchStrategy[float]:
    """Whole steps of 1/divisor degree within +-limit, as the decoder rounds them."""
    return st.integers(-limit * divisor, limit * divisor).map(lambda x: round(x / divisor, 6))


def tenths(high: int) -> st.SearchStrategy[float]:
    return st.integers(0, high).map(lambda x: x / 10)


def rate_of_turn() -> Draw:
    """Turns as the ROT indicator carries them: 4.733 * sqrt(deg/min), or +-127 (no sensor)."""

    def value(raw: int) -> float:
        return float(raw) if abs(raw) == 127 else math.copysign(round((raw / 4.733) ** 2), raw)

    return na(st.integers(-127, 127).map(value))


def u(bits: int) -> st.SearchStrategy[int]:
    return st.integers(0, (1 << bits) - 1)


# pyais maps numbers its enums do not list to a default member (EPFD 9-14 to 0, ship type 39
# to a "reserved" member ...): the pyais comparisons draw only listed numbers, shade's own
# round trips any number the field holds.
PYAIS_SHIP_TYPES = sorted(int(member) for member in ShipType)
PYAIS_EPFD = [*range(9), 15]

MMSI = st.integers(0, 999_999_999)
AUXILIARY_MMSI = st.integers(980_000_000, 989_999_999)


def dimensions() -> dict[str, Draw]:
    return {"to_bow": u(9), "to_stern": u(9), "to_port": u(6), "to_starboard": u(6)}


def kinematics() -> dict[str, Draw]:
    return {
        "speed": na(tenths(1022)),
        "accuracy": st.booleans(),
        "lon": na(degrees(180)),
        "lat": na(degrees(90)),
        "course": na(tenths(3599)),
        "heading": na(st.integers(0, 359)),
        "second": na(st.integers(0, 63).filter(lambda s: s != 60)),
    }


def fields_of(case: str, *, pyais_safe: bool) -> dict[str, Draw]:
    """Strategies for every field of one case, header included."""
    ship_type = st.sampled_from(PYAIS_SHIP_TYPES) if pyais_safe else u(8)
    epfd = st.sampled_from(PYAIS_EPFD) if pyais_safe else u(4)
    head: dict[str, Draw] = {"repeat": u(2), "mmsi": MMSI}
    if case == "1-3":
        return head | {
            "msg_type": st.sampled_from([1, 2, 3]),
            "status": u(4),
            "turn": rate_of_turn(),
            **kinematics(),
            "maneuver": u(2),
            "raim": st.booleans(),
            "radio": u(19),
        }
    if case == "5":
        return head | {
            "msg_type": st.just(5),
            "ais_version": u(2),
            "imo": u(30),
            "callsign": text(7),
            "shipname": text(20),
            "ship_type": ship_type,
            **dimensions(),
            "epfd": epfd,
            "month": na(st.integers(1, 12)),
            "day": na(st.integers(1, 31)),
            "hour": na(st.integers(0, 23)),
            "minute": na(st.integers(0, 59)),
            "draught": tenths(255),
            "destination": text(20),
            "dte": st.booleans(),
        }
    if case == "18":
        flags = ("cs", "display", "dsc", "band", "msg22", "assigned", "raim")
        return (
            head
            | {"msg_type": st.just(18), "reserved_1": u(8), **kinematics(), "reserved_2": u(2)}
            | {flag: st.booleans() for flag in flags}
            | {"radio": u(20)}
        )
    if case == "19":
        return head | {
            "msg_type": st.just(19),
            "reserved_1": u(8),
            **kinematics(),
            "reserved_2": u(4),
            "shipname": text(20),
            "ship_type": ship_type,
            **dimensions(),
            "epfd": epfd,
            "raim": st.booleans(),
            "dte": st.booleans(),
            "assigned": st.booleans(),
        }
    if case == "21":
        return head | {
            "msg_type": st.just(21),
            "aid_type": u(5),
            "name": text(20),
            "accuracy": st.booleans(),
            "lon": na(degrees(180)),
            "lat": na(degrees(90)),
            **dimensions(),
            "epfd": epfd,
            "second": na(st.integers(0, 63).filter(lambda s: s != 60)),
            "off_position": st.booleans(),
            "reserved_1": u(8),
            "raim": st.booleans(),
            "virtual_aid": st.booleans(),
            "assigned": st.booleans(),
            "name_ext": na(text(14)),
        }
    if case == "24A":
        return head | {"msg_type": st.just(24), "partno": st.just(0), "shipname": text(20)}
    part_b = {
        "msg_type": st.just(24),
        "partno": st.just(1),
        "ship_type": u(8),  # a plain number in pyais's type 24, not an enum
        "vendorid": text(3),
        "model": u(4),
        "serial": u(20),
        "callsign": text(7),
    }
    if case == "24B":
        mmsi = st.integers(0, 979_999_999) | st.integers(990_000_000, 999_999_999)
        return head | part_b | {"mmsi": mmsi} | dimensions()
    assert case == "24B-auxiliary", case
    return head | part_b | {"mmsi": AUXILIARY_MMSI, "mothership_mmsi": u(30)}


CASES = {
    "1-3": "PositionReport",
    "5": "StaticVoyageData",
    "18": "ClassBPositionReport",
    "19": "ClassBExtendedReport",
    "21": "AidToNavigationReport",
    "24A": "StaticDataReportA",
    "24B": "StaticDataReportB",
    "24B-auxiliary": "StaticDataReportBAuxiliary",
}


def values_of(case: str, **options: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(fields_of(case, **options))


def decode_lines(lines: list[bytes]) -> list[AISMessage]:
    decoder = Decoder()
    messages = [decoded.message for decoded in decoder.decode(lines)]
    assert not decoder.stats.rejects, decoder.stats.rejects
    return messages


# --- round trips through shade's own decoder ----------------------------------------------


@pytest.mark.parametrize("case", CASES)
@EXAMPLES
@given(data=st.data())
def test_round_trip(case: str, data: st.DataObject) -> None:
    values = data.draw(values_of(case, pyais_safe=False))
    talker = data.draw(st.sampled_from(["AI", "AB", "BS"]))
    channel = data.draw(st.sampled_from(["A", "B"]))
    own = data.draw(st.booleans())
    record = message(**values)
    assert type(record).__name__ == CASES[case]

    lines = encode(record, talker=talker, channel=channel, own=own)

    (decoded,) = Decoder().decode(lines)
    assert decoded.message == record
    assert (decoded.talker, decoded.channel, decoded.own) == (talker, channel, own)
    assert decoded.sentences == len(lines)
    assert all(
        line.startswith(b"!" + talker.encode() + (b"VDO" if own else b"VDM")) for line in lines
    )


# --- pyais, both ways ---------------------------------------------------------------------

# What pyais gives where shade gives None: the raw "not available" value, in pyais's units.
PYAIS_NOT_AVAILABLE: dict[str, object] = {
    "lon": 181.0,
    "lat": 91.0,
    "speed": 102.3,
    "course": 360.0,
    "heading": 511,
    "second": 60,
    "turn": -128.0,
    "month": 0,
    "day": 0,
    "hour": 24,
    "minute": 60,
}


def as_pyais(record: AISMessage) -> dict[str, object]:
    """The fields pyais shows for a record: shade's, with None as the raw "not available"."""
    return {
        name: PYAIS_NOT_AVAILABLE[name] if value is None and name in PYAIS_NOT_AVAILABLE else value
        for name, value in record.as_dict().items()
    }


@pytest.mark.parametrize("case", CASES)
@EXAMPLES
@given(data=st.data())
def test_pyais_decodes_what_shade_encodes(case: str, data: st.DataObject) -> None:
    record = message(**data.draw(values_of(case, pyais_safe=True)))

    decoded = pyais.decode(*encode(record)).asdict()

    expected = as_pyais(record)
    assert {name: decoded[name] for name in expected} == expected


@pytest.mark.parametrize("case", CASES)
@EXAMPLES
@given(data=st.data())
def test_shade_decodes_what_pyais_encodes(case: str, data: st.DataObject) -> None:
    record = message(**data.draw(values_of(case, pyais_safe=True)))
    if case == "21":
        # pyais always sends the 14 characters of name_ext, '@' where there is no text.
        record = record._replace(name_ext=record.name_ext or "")

    sentences = pyais.encode_dict(
        as_pyais(record), talker_id="AI", sentence_type="VDM", radio_channel="A", seq_id=0
    )

    assert decode_lines([s.encode("ascii") for s in sentences]) == [record]
    if case != "21":
        # Same bits too, and same framing: sentence for sentence, checksums included. (Type
        # 21 differs by design: shade sends only the characters of name_ext there are.)
        assert encode(record, seq_id=0) == [s.encode("ascii") for s in sentences]


# --- every layout, raw bits over each field's whole width ---------------------------------

# Fields that choose the layout when the decoder reads a payload (see payload.layout_for).
NOT_A_VARIANT_DAC = st.integers(0, 1023).filter(lambda dac: dac not in (1, 200, 367))
CHOSEN: dict[str, dict[str, Draw]] = {
    "BinaryAddressed": {"dac": NOT_A_VARIANT_DAC},
    "BinaryBroadcast": {"dac": NOT_A_VARIANT_DAC},
    "PersonsOnBoardBroadcast": {"dac": st.just(1), "fid": st.just(16)},
    "PersonsOnBoard": {"dac": st.just(1), "fid": st.just(16)},
    "ArrivalTime": {"dac": st.just(1), "fid": st.just(18)},
    "BerthingDataAddressed": {"dac": st.just(1), "fid": st.just(20)},
    "AreaNoticeAddressed": {"dac": st.just(1), "fid": st.just(23)},
    "DangerousCargo": {"dac": st.just(1), "fid": st.just(25)},
    "TextDescription": {"dac": st.just(1), "fid": st.just(0)},
    "MeteoHydro": {"dac": st.just(1), "fid": st.just(11)},
    "VTSTargets": {"dac": st.just(1), "fid": st.just(16)},
    "SyntheticTargets": {"dac": st.just(1), "fid": st.just(17)},
    "MarineTrafficSignal": {"dac": st.just(1), "fid": st.just(19)},
    "BerthingDataBroadcast": {"dac": st.just(1), "fid": st.just(20)},
    "WeatherObservation": {"dac": st.just(1), "fid": st.just(21), "wmo": st.just(False)},
    "AreaNoticeBroadcast": {"dac": st.just(1), "fid": st.just(22)},
    "ExtendedShipStatic": {"dac": st.just(1), "fid": st.just(24)},
    "EnvironmentalReports": {"dac": st.just(1), "fid": st.just(26)},
    "RouteInformation": {"dac": st.just(1), "fid": st.just(27)},
    "TextDescriptionLinked": {"dac": st.just(1), "fid": st.just(29)},
    "MeteoHydroV2": {"dac": st.just(1), "fid": st.just(31)},
    "InlandStaticVoyage": {"dac": st.just(200), "fid": st.just(10)},
    "InlandEMMA": {"dac": st.just(200), "fid": st.just(23)},
    "InlandWaterLevel": {"dac": st.just(200), "fid": st.just(24)},
    "InlandSignalStation": {"dac": st.just(200), "fid": st.just(40)},
    "USEnvironmental": {"dac": st.just(367), "fid": st.just(33)},
    "ChannelManagementAddressed": {"addressed": st.just(True)},
    "ChannelManagementBroadcast": {"addressed": st.just(False)},
    "StaticDataReportA": {"partno": st.just(0)},
    "StaticDataReportB": {"partno": st.just(1), "mmsi": st.integers(0, 979_999_999)},
    "StaticDataReportBAuxiliary": {"partno": st.just(1), "mmsi": AUXILIARY_MMSI},
    "StaticDataReportOther": {"partno": st.sampled_from([2, 3])},
    "SingleSlotBinaryAddressedStructured": {
        "addressed": st.just(True),
        "structured": st.just(True),
    },
    "SingleSlotBinaryAddressed": {"addressed": st.just(True), "structured": st.just(False)},
    "SingleSlotBinaryBroadcastStructured": {
        "addressed": st.just(False),
        "structured": st.just(True),
    },
    "SingleSlotBinaryBroadcast": {"addressed": st.just(False), "structured": st.just(False)},
    "MultiSlotBinaryAddressed": {"addressed": st.just(True)},
    "MultiSlotBinaryBroadcastStructured": {
        "addressed": st.just(False),
        "structured": st.just(True),
    },
    "MultiSlotBinaryBroadcast": {"addressed": st.just(False), "structured": st.just(False)},
}


def data_bytes(nbits: int) -> st.SearchStrategy[bytes]:
    """Bytes holding nbits, left-aligned as the decoder gives them: the padding bits zero."""
    nbytes, pad = (nbits + 7) // 8, -nbits % 8
    return st.binary(min_size=nbytes, max_size=nbytes).map(
        lambda b: b[:-1] + bytes([b[-1] & (0xFF << pad) & 0xFF])
    )


def raw_field(field: Field) -> Draw:
    """Any value the field can carry, as the decoder reads it from raw bits."""
    kind = field.kind
    if kind.name == "t":
        return na(text(field.width // 6)) if field.variable else text(field.width // 6)
    if kind.name == "d":
        if field.variable:
            return na(st.integers(1, field.width // 8).flatmap(lambda n: data_bytes(8 * n)))
        return data_bytes(field.width)
    if kind.signed:
        raws = st.integers(-(1 << (field.width - 1)), (1 << (field.width - 1)) - 1)
    else:
        raws = u(field.width)
    # kind.decode is exercised here only to put values on the grid; the decoder under test
    # is the generated one in records.py.
    return raws.map(lambda raw: None if raw == field.na else kind.decode(raw))


def layout_values(layout: Layout) -> st.SearchStrategy[dict[str, Any]]:
    fields = {f.name: raw_field(f) for f in layout.values} | CHOSEN.get(layout.name, {})
    return st.fixed_dictionaries(fields | {"msg_type": st.sampled_from(layout.types)})


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_layout_round_trips(data: st.DataObject) -> None:
    layout = data.draw(st.sampled_from(LAYOUTS))
    record = message(**data.draw(layout_values(layout)))
    assert type(record).__name__ == layout.name

    assert decode_lines(encode(record)) == [record]


def test_every_layout_is_covered() -> None:
    # Layouts the decoder picks by content need a rule above, or the generic test would
    # draw records that read back as another layout. (Type 16's two are told by length.)
    by_content = {layout.name for layout in LAYOUTS if {6, 8, 22, 24, 25, 26} & set(layout.types)}
    assert by_content <= set(CHOSEN)


def cut_short(record: AISMessage, layout: Layout) -> bool:
    """Whether a decoded record came from a message shorter than its layout."""
    for field in layout.values:
        if field.variable:
            continue
        value = getattr(record, field.name)
        if value is None and field.na is None:
            return True
        if isinstance(value, bytes) and len(value) < (field.width + 7) // 8:
            return True
    return False


@pytest.mark.parametrize(
    "name",
    [
        "gpsd_ais-nmea-type6-fid55.log",
        "gpsd_ais-nmea.log",
        "gpsd_ais-18-27.log",
        "libais_test.aivdm",
        "gfw_multi-part.nmea",
        "nca_norwegian.raw",
    ],
)
def test_recorded_messages_are_sent_again_unchanged(name: str) -> None:
    """Re-broadcast: every complete message of a capture encodes to one that decodes equal."""
    by_name = {layout.name: layout for layout in LAYOUTS}
    originals = [
        decoded.message
        for decoded in Decoder().decode(read_lines(AIS_NMEA / name))
        if not cut_short(decoded.message, by_name[type(decoded.message).__name__])
    ]
    assert originals
    again = decode_lines([line for record in originals for line in encode(record)])
    assert again == originals


def test_turns_are_sent_as_the_rot_indicator() -> None:
    def turn_back(turn: float | None) -> object:
        (record,) = decode_lines(encode(message(msg_type=1, turn=turn)))
        return record.turn

    # 130 deg/min is 4.733 * sqrt(130) = 53.96, sent as 54; +-127 is the "no sensor" flag.
    assert [turn_back(t) for t in (130.0, -709.0, 127.0, -127.0, None, 0.0)] == [
        130.0, -709.0, 127.0, -127.0, None, 0.0,
    ]  # fmt: skip
    # Faster than the indicator can say (709 deg/min at 126) is sent as the fastest.
    assert turn_back(1000.0) == 709.0


# --- payload details ----------------------------------------------------------------------


def test_a_known_sentence_is_reproduced_exactly() -> None:
    line = b"!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C"
    (record,) = decode_lines([line])
    assert encode_payload(record) == (b"15M67FC000G?ufbE`FepT@3n00Sa", 0)
    assert encode(record, channel="B") == [line]


def test_message_fills_in_what_is_not_given() -> None:
    record = message(msg_type=1, mmsi=244670316, lat=52.3, lon=4.9)
    assert isinstance(record, PositionReport)
    # "Not available" where the field has such a value, else what raw 0 reads as.
    assert (record.speed, record.heading, record.turn) == (None, None, None)
    assert (record.repeat, record.status, record.accuracy) == (0, 0, False)
    assert decode_lines(encode(record)) == [record]
    static = message(msg_type=5)
    assert isinstance(static, StaticVoyageData)
    assert (static.mmsi, static.shipname, static.draught, static.month) == (0, "", 0.0, None)
    assert decode_lines(encode(static)) == [static]


def test_message_picks_the_record_class_the_decoder_would() -> None:
    assert type(message(msg_type=24, partno=1, mmsi=244670316)).__name__ == "StaticDataReportB"
    auxiliary = message(msg_type=24, partno=1, mmsi=981234567, mothership_mmsi=244670316)
    assert type(auxiliary).__name__ == "StaticDataReportBAuxiliary"
    assert type(message(msg_type=24, partno=0, shipname="X")).__name__ == "StaticDataReportA"
    arrival = message(msg_type=6, dac=1, fid=18, port_name="ROTTERDAM")
    assert type(arrival).__name__ == "ArrivalTime"
    assert type(message(msg_type=6, dac=235, fid=10, data=b"\x01")).__name__ == "BinaryAddressed"
    assert type(message(msg_type=16, mmsi1=1)).__name__ == "AssignmentCommandA"
    assert type(message(msg_type=16, mmsi2=1)).__name__ == "AssignmentCommandAB"


def test_text_is_upper_cased_and_scaled_values_rounded_onto_their_grid() -> None:
    record = message(msg_type=5, mmsi=1, shipname="evergreen ace", draught=7.44)
    (back,) = decode_lines(encode(record))
    assert isinstance(back, StaticVoyageData)
    assert (back.shipname, back.draught) == ("EVERGREEN ACE", 7.4)
    (back,) = decode_lines(encode(message(msg_type=1, lat=52.1234567, lon=-4.0000001)))
    assert isinstance(back, PositionReport)
    assert (back.lat, back.lon) == (52.123457, -4.0)


def test_text_ending_in_at_signs_comes_back_as_sent() -> None:
    # Decoders strip trailing '@' as padding; recorded destinations such as '@@@@@@@@@@@@'
    # (followed by blanks on the air) must survive a re-broadcast.
    record = message(msg_type=5, destination="@@@@@@@@@@@@", callsign="AB@")
    assert decode_lines(encode(record)) == [record]
    aid = message(msg_type=21, name="A" * 20, name_ext="B@")
    assert decode_lines(encode(aid)) == [aid]


def payload_bits(record: AISMessage) -> int:
    payload, fill = encode_payload(record)
    return 6 * len(payload) - fill


def test_variable_fields_use_only_the_bits_they_need() -> None:
    assert payload_bits(message(msg_type=21, name="BUOY")) == 272
    assert payload_bits(message(msg_type=21, name="BUOY", name_ext="")) == 278
    assert payload_bits(message(msg_type=21, name="BUOY", name_ext="AB")) == 284
    assert payload_bits(message(msg_type=8, dac=235, fid=1, data=b"\x01\x02")) == 72
    # A field of 870 bits holds 109 bytes whose last two bits are padding.
    notice = message(msg_type=8, dac=1, fid=22, area_data=bytes(108) + b"\xfc")
    assert payload_bits(notice) == 56 + 10 + 7 + 4 + 5 + 5 + 6 + 18 + 870
    assert decode_lines(encode(notice)) == [notice]
    # Fixed fields are sent whole: type 5 is 424 bits, 71 characters with 2 fill bits.
    assert payload_bits(message(msg_type=5)) == 424


# --- framing ------------------------------------------------------------------------------


def sentence(line: bytes) -> Sentence:
    parsed = parse_sentence(line)
    assert isinstance(parsed, Sentence), parsed
    return parsed


def test_a_type_5_takes_two_sentences_that_the_decoder_joins() -> None:
    record = message(msg_type=5, mmsi=244670316, shipname="EVERGREEN", destination="NLRTM")
    payload, fill = encode_payload(record)
    lines = encode(record)

    first, second = (sentence(line) for line in lines)
    assert (first.total, first.number, second.total, second.number) == (2, 1, 2, 2)
    assert first.seq_id == second.seq_id and first.seq_id.isdigit()
    assert (first.fill, second.fill) == (0, fill) and fill == 2
    assert (len(first.payload), first.payload + second.payload) == (60, payload)
    (decoded,) = Decoder().decode(lines)
    assert decoded.message == record and decoded.sentences == 2


def test_sequential_ids_cycle_through_0_to_9_for_multipart_messages_only() -> None:
    record = message(msg_type=5, mmsi=1)
    ids = [sentence(encode(record)[0]).seq_id for _ in range(10)]
    assert sorted(ids) == [str(i).encode() for i in range(10)]
    assert {sentence(line).seq_id for line in encode(record, seq_id=7)} == {b"7"}
    assert sentence(encode(message(msg_type=1), seq_id=7)[0]).seq_id == b""


def test_interleaved_multipart_messages_decode_apart() -> None:
    one = message(msg_type=5, mmsi=1, shipname="ONE")
    two = message(msg_type=5, mmsi=2, shipname="TWO")
    a1, a2 = encode(one)
    b1, b2 = encode(two)
    assert decode_lines([a1, b1, a2, b2]) == [one, two]


def test_max_payload_splits_into_more_fragments() -> None:
    record = message(msg_type=5, mmsi=1, shipname="SMALL PIECES")
    lines = encode(record, max_payload=10)
    assert [sentence(line).number for line in lines] == list(range(1, 9))
    assert all(len(sentence(line).payload) <= 10 for line in lines)
    assert decode_lines(lines) == [record]
    with pytest.raises(InputError, match="at most 9"):
        encode(record, max_payload=7)


def test_own_ship_sentences_are_vdo() -> None:
    (line,) = encode(message(msg_type=18, mmsi=1), own=True, talker="AB", channel="B")
    assert line.startswith(b"!ABVDO,1,1,,B,")
    (decoded,) = Decoder().decode([line])
    assert decoded.own and decoded.talker == "AB"


# --- refusals -----------------------------------------------------------------------------


def encoding(**fields: Any) -> Callable[[], object]:
    return lambda: encode(message(**fields))


class NotARecord(AISMessage):
    __slots__ = ()


REFUSALS = [
    pytest.param(encoding(msg_type=5, shipname="ÅLAND"), "shipname", id="text-character"),
    pytest.param(encoding(msg_type=5, shipname="STRAßE"), "shipname", id="no-unicode-upper"),
    pytest.param(encoding(msg_type=5, callsign="TOOLONG1"), "callsign", id="text-too-long"),
    pytest.param(encoding(msg_type=5, shipname=42), "shipname", id="text-not-str"),
    pytest.param(encoding(msg_type=1, speed=150.0), "speed", id="speed-out-of-range"),
    pytest.param(encoding(msg_type=1, lat=-120.0), "lat", id="lat-out-of-range"),
    pytest.param(encoding(msg_type=1, mmsi=-1), "mmsi", id="negative-mmsi"),
    pytest.param(encoding(msg_type=1, mmsi=1 << 30), "mmsi", id="mmsi-too-large"),
    pytest.param(encoding(msg_type=1, heading=12.5), "heading", id="not-whole"),
    pytest.param(encoding(msg_type=1, status="moored"), "status", id="not-a-number"),
    pytest.param(encoding(msg_type=1, course=math.nan), "course", id="nan"),
    pytest.param(encoding(msg_type=8, dac=2, data=bytes(120)), "data", id="data-too-long"),
    pytest.param(
        encoding(msg_type=25, addressed=True, structured=True, data=b"\xff" * 11),
        "data",
        id="data-padding-not-zero",
    ),
    pytest.param(encoding(msg_type=1, shipname="X"), "shipname", id="field-of-another-type"),
    pytest.param(encoding(msg_type=28), "28", id="unknown-type"),
    pytest.param(
        encoding(msg_type=24, partno=1, mmsi=981234567, to_bow=5), "to_bow", id="no-layout-fits"
    ),
    pytest.param(
        lambda: encode(PositionReport(5, 0, 1, *[None] * 12)), "PositionReport", id="wrong-type"
    ),
    pytest.param(
        lambda: encode(StaticDataReportB(24, 0, 981234567, 1, *[None] * 9)),
        "StaticDataReportBAuxiliary",
        id="read-back-as-another-layout",
    ),
    pytest.param(lambda: encode_payload(NotARecord()), "NotARecord", id="not-a-record"),
    pytest.param(lambda: encode(message(msg_type=1), talker="A"), "talker", id="talker"),
    pytest.param(lambda: encode(message(msg_type=1), channel="AB"), "channel", id="channel"),
    pytest.param(lambda: encode(message(msg_type=1), seq_id=10), "seq_id", id="seq-id"),
    pytest.param(lambda: encode(message(msg_type=1), max_payload=0), "max_payload", id="max"),
    pytest.param(lambda: frame(b"15M67F", 6), "fill", id="fill"),
    pytest.param(lambda: frame(b"15M67F!", 0), "payload", id="payload-armour"),
]


@pytest.mark.parametrize(("call", "named"), REFUSALS)
def test_refusals_are_one_line_input_errors_naming_the_field(
    call: Callable[[], object], named: str
) -> None:
    with pytest.raises(InputError) as caught:
        call()
    assert named in caught.value.message
    assert "\n" not in caught.value.message and caught.value.code == "bad_input"


def test_out_of_range_message_gives_the_range_in_the_fields_units() -> None:
    with pytest.raises(InputError, match=r"PositionReport\.speed: 150\.0 .* \(0\.0 to 102\.3\)"):
        encode(message(msg_type=1, speed=150.0))
