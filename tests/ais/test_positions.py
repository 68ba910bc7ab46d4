"""The positions path gives, column by column, what the full decoder gives.

Every recorded capture is decoded both ways. Hypothesis then feeds both decoders three kinds of
input: real lines with random edits (their checksums made good again half of the time, so
that the edits reach the fields the checksum guards), sentences built with one part pushed
past one rule, and random bytes; the two must agree on all of them.
"""

from __future__ import annotations

import gzip
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.ais import Decoder, Reject
from shade.ais.nmea import checksum
from shade.ais.positions import Positions, decode_positions, iter_positions
from tests.conftest import AIS_NMEA, nmea_files, read_lines

POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
TAGGED = rb"\c:1420030798*00\!ABVDM,1,1,4,B,17P;HV?P008F98Il;EC1mOwL0@KP,0*22"
TRAILING = rb"!AIVDM,1,1,,A,15B4FT5000JRP>PE6E68Nbkl0PS5,0*70,b003669794,1272412827"


def by_decoder(lines: list[bytes]) -> dict[str, np.ndarray]:
    """What the full decoder finds, as the columns of ``Positions``: None as NaN or -1."""
    found = [
        d
        for d in Decoder().decode(lines)
        if d.sentences == 1 and d.message.msg_type in POSITION_TYPES
    ]
    messages = [d.message for d in found]

    def measure(name: str) -> np.ndarray:
        values = (getattr(m, name, None) for m in messages)
        return np.array([np.nan if v is None else v for v in values], np.float64)

    statuses = (getattr(m, "status", None) for m in messages)
    return {
        "mmsi": np.array([m.mmsi for m in messages], np.uint32),
        "msg_type": np.array([m.msg_type for m in messages], np.uint8),
        "received_at": np.array(
            [np.nan if d.received_at is None else d.received_at.timestamp() for d in found]
        ),
        "lat": measure("lat"),
        "lon": measure("lon"),
        "speed": measure("speed"),
        "course": measure("course"),
        "heading": measure("heading"),
        "status": np.array([-1 if s is None else s for s in statuses], np.int8),
    }


def assert_same(got: Positions, want: dict[str, np.ndarray]) -> None:
    assert [f.name for f in fields(got)] == list(want)
    for name, expected in want.items():
        actual = getattr(got, name)
        assert actual.dtype == expected.dtype, name
        np.testing.assert_array_equal(actual, expected, err_msg=name)  # NaN equals NaN here


def assert_equal(got: Positions, want: Positions) -> None:
    assert_same(got, {f.name: getattr(want, f.name) for f in fields(want)})


@pytest.mark.parametrize("path", nmea_files(), ids=lambda path: path.name)
def test_every_capture_decodes_as_the_full_decoder_does(path: Path) -> None:
    lines = read_lines(path)
    assert_same(decode_positions(lines), by_decoder(lines))


def test_the_captures_hold_every_case() -> None:
    """The comparison above covers every type, both sources of time and short payloads."""
    found = {path.name: decode_positions(read_lines(path)) for path in nmea_files()}
    every = Positions.concat(list(found.values()))
    assert set(every.msg_type.tolist()) == POSITION_TYPES
    assert np.isfinite(found["nca_norwegian.raw"].received_at).sum() > 100  # tag blocks
    assert np.isfinite(found["libais_test.aivdm"].received_at).all()  # receiver fields
    assert len(found["signalk_gofree-merrimac.log"]) > 1000  # the GoFree layout
    # Type 27 reports cut short before their latitude: the rules for short payloads.
    libais = found["libais_test.aivdm"]
    assert np.isnan(libais.lat[libais.msg_type == 27]).any()


def test_a_hand_checked_report() -> None:
    """gpsd_sample.aivdm's first sentence, decoded by hand in the comments beside it."""
    got = decode_positions([b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"])
    assert got.mmsi.tolist() == [371798000]
    assert got.msg_type.tolist() == [1]
    assert got.status.tolist() == [0]
    assert got.speed.tolist() == [12.3]
    assert got.course.tolist() == [224.0]
    assert got.heading.tolist() == [215.0]
    assert got.lon.tolist() == [-123.395383]
    assert got.lat.tolist() == [48.381633]
    assert np.isnan(got.received_at).all()


def test_a_bad_checksum_drops_the_line() -> None:
    assert len(decode_positions([TAGGED])) == 1
    assert len(decode_positions([TAGGED.replace(b"*22", b"*23")])) == 0
    assert len(decode_positions([TAGGED.replace(b"17P;", b"17P:")])) == 0


def test_a_checksum_is_in_upper_or_lower_case() -> None:
    # Only a byte above 0x7f in the sentence gives a checksum of two letters: 0xAB here.
    line = b"!\xa0IVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*"
    lines = [line + b"AB", line + b"ab", line + b"Ab", line + b"aB"]
    assert len(decode_positions(lines)) == 2
    assert_same(decode_positions(lines), by_decoder(lines))


def test_lines_left_to_nmea_keep_their_place() -> None:
    # Only nmea.parse_sentence takes a talker of any bytes (frames' fast lane does not).
    odd = b"!\xa0IVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*AB"
    lines = [TAGGED, odd, b"$GPZDA", TRAILING, odd]
    got = decode_positions(lines)
    assert got.mmsi[[1, 3]].tolist() == [371798000, 371798000]
    assert_same(got, by_decoder(lines))


def test_times_from_tag_blocks_and_receiver_fields() -> None:
    milliseconds = TAGGED.replace(b"c:1420030798", b"c:1420030798123")
    both = TAGGED + b",1272412827"  # the tag block's time comes first
    got = decode_positions([TAGGED, TRAILING, milliseconds, both, TRAILING[:-11]])
    assert got.received_at[:2].tolist() == [1420030798.0, 1272412827.0]
    assert got.received_at[2] == datetime.fromtimestamp(1420030798.123, UTC).timestamp()
    assert got.received_at[3] == 1420030798.0
    assert np.isnan(got.received_at[4])


def test_a_corrupt_tag_block_time_refuses_the_sentence() -> None:
    stamps = (b"c:nan", b"c:1e300", b"c:-5", b"c:inf")
    lines = [TAGGED.replace(b"c:1420030798", stamp) for stamp in stamps]
    assert len(decode_positions(lines)) == 0
    decoder = Decoder()
    assert list(decoder.decode(lines)) == []
    assert decoder.stats.rejects == {Reject.BAD_TAG_BLOCK: len(stamps)}


def test_blocks_do_not_change_the_result() -> None:
    lines = [line for path in nmea_files() if path.suffix != ".gz" for line in read_lines(path)]
    whole = decode_positions(lines)
    assert len(whole) > 3000
    assert_equal(Positions.concat(list(iter_positions(lines, block_lines=7))), whole)


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_lines_may_keep_their_endings(ending: bytes) -> None:
    with gzip.open(AIS_NMEA / "amsa_ais.txt.gz", "rb") as handle:
        lines = handle.read().splitlines()[:5000]
    got = Positions.concat(list(iter_positions(line + ending for line in lines)))
    assert_equal(got, decode_positions(lines))


def test_a_newline_inside_a_line_is_one_more_byte_of_it() -> None:
    # The full decoder reads neither the sentence after "$GPZDA\n" nor, after the
    # checksum, "\n1272412827" as anything but the rest of the line they are in.
    lines = [b"$GPZDA\n" + TRAILING, TAGGED[TAGGED.index(b"!") :] + b"\n1272412827"]
    got = decode_positions(lines)
    assert got.received_at.tolist() == [1272412827.0]
    assert_same(got, by_decoder(lines))


def test_block_lines_must_be_positive() -> None:
    with pytest.raises(ValueError, match="block_lines"):
        next(iter_positions([TAGGED], block_lines=0))


def test_no_lines_no_positions() -> None:
    assert len(decode_positions([])) == 0
    assert list(iter_positions([])) == []
    assert len(Positions.concat([])) == 0


def sample_lines() -> list[bytes]:
    """Real lines of every kind: tag blocks, receiver fields, GoFree, types 18, 19, 27, junk."""
    names = [
        "nca_norwegian.raw",
        "libais_test.aivdm",
        "signalk_gofree-merrimac.log",
        "gpsd_ais-18-27.log",
        "gpsd_sample.aivdm",
        "gfw_errors.nmea",
    ]
    return [line for name in names for line in read_lines(AIS_NMEA / name)[:80]]


SAMPLE = sample_lines()
PAYLOADS = sorted({line.split(b",")[5] for line in SAMPLE if line.startswith(b"!AIVDM")})
# Bytes that move fields around, and bytes at the edges of the payload armour.
STRUCTURE = b",*!\\: \t\r\n0123456789ABCDEFabcdefVDMOWX_`wx\x0b\x0c\x1c"
SPACE = [b"", b" ", b"\t", b"\r", b"\n", b"\r\n", b"\x0b", b"\x0c", b"\x1c", b" " * 9]


def with_checksum(line: bytes) -> bytes:
    """The line with its sentence checksum made right again, where it still has one."""
    bang = line.find(b"!")
    star = line.find(b"*", bang + 6)
    if bang < 0 or star < 0:
        return line
    return line[: star + 1] + b"%02X" % checksum(line[bang + 1 : star]) + line[star + 3 :]


@st.composite
def edited_lines(draw: st.DrawFn) -> list[bytes]:
    """Real lines, each with up to three bytes replaced, inserted or deleted, or cut short."""
    lines = draw(st.lists(st.sampled_from(SAMPLE), min_size=1, max_size=6))
    edited = []
    for line in lines:
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(line)))
            new = bytes([draw(st.sampled_from(STRUCTURE) | st.integers(0, 255))])
            edit = draw(st.sampled_from(["replace", "insert", "delete", "cut"]))
            if edit == "replace":
                line = line[:at] + new + line[at + 1 :]
            elif edit == "insert":
                line = line[:at] + new + line[at:]
            elif edit == "delete":
                line = line[:at] + line[at + 1 :]
            else:
                line = line[:at]
        edited.append(with_checksum(line) if draw(st.booleans()) else line)
    return edited


# The parts of a sentence built_lines() may push past a rule, one per line.
EDGES = ("talker", "format", "total", "number", "seq", "payload", "fill", "extra", "checksum")


@st.composite
def built_lines(draw: st.DrawFn) -> bytes:
    """A good sentence with a real payload, or one with a single part pushed past a rule;
    either way with tag blocks, receiver fields and whitespace of many kinds."""
    edge = draw(st.sampled_from((None, *EDGES)))

    def part(name: str, good: bytes, *others: bytes) -> bytes:
        return draw(st.sampled_from(others)) if edge == name else good

    payload = draw(st.sampled_from(PAYLOADS))
    at = draw(st.integers(0, len(payload)))
    wrong = part("payload", payload[at : at + 1], b"", b"X", b"_", b"`", b"x", b",", b"*")
    fields = [
        part("talker", draw(st.sampled_from([b"AI", b"=I", b"**", b"\xa0I"])), b"A,", b"I")
        + part("format", draw(st.sampled_from([b"VDM", b"VDO"])), b"VDX", b"VDMX", b"VDM,"),
        part("total", b"1", b"2", b"0", b"11", b""),
        part("number", b"1", b"2", b"0", b""),
        part("seq", draw(st.sampled_from([b"", b"3"])), b"12", b"*", b"\\"),
        draw(st.sampled_from([b"A", b"B", b""])),
        payload[:at] + wrong + payload[at + 1 :],
        part("fill", b"0", b"2", b"5", b"6", b"00", b"", b"x"),
    ]
    body = b",".join(fields) + part("extra", b"", b",0", b",", b",12", b",0,0")  # GoFree: one
    good = b"%02X" % checksum(body)
    sum_ = part("checksum", good, good.lower(), good[:1] + good[1:].lower(), good[:1], b"", b"0G")
    tag = draw(
        st.sampled_from(
            [
                b"",
                b"\\c:1420030798*00\\",
                b"\\s:r3669959,c:1420030798123*5A\\",
                b"\\c:100000000000,s:x*00\\",
                b"\\g:1-1-7,s:2573238*00\\",
                b"\\c:14200307x*00\\",
                b"\\g:1-x-7*00\\",
                b"\\c:1420030798",
                b"\\c:1420030798\\",
            ]
        )
    )
    stamp = str(draw(st.integers(10**7, 10**14 - 1))).encode()
    rest = draw(st.sampled_from([b"", b",", b",r003669959,", b",d-130,S0160,", b", ", b",,"]))
    rest += draw(st.sampled_from([b"", stamp, b"1272412827", b"100000000000", b"99999999999"]))
    rest += draw(st.sampled_from([b"", b" ", b",", b"x"]))
    line = tag + b"!" + body + b"*" + sum_ + rest
    return draw(st.sampled_from(SPACE)) + line + draw(st.sampled_from(SPACE))


def assert_agrees(lines: list[bytes]) -> None:
    assert_same(decode_positions(lines), by_decoder(lines))


@settings(max_examples=300, deadline=None)
@given(edited_lines())
def test_edited_lines_agree_with_the_full_decoder(lines: list[bytes]) -> None:
    assert_agrees(lines)


@settings(max_examples=400, deadline=None)
@given(st.lists(built_lines(), min_size=1, max_size=5))
def test_lines_built_at_the_edges_agree_with_the_full_decoder(lines: list[bytes]) -> None:
    assert_agrees(lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=120), max_size=8))
def test_random_bytes_never_raise(lines: list[bytes]) -> None:
    assert_agrees(lines)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers(-(10**12), 10**14).map(str),
        st.floats(-1e10, 1e14, allow_nan=False).map(repr),
    ),
    st.sampled_from([TAGGED, TRAILING]),
)
def test_any_time_is_read_as_the_full_decoder_reads_it(stamp: str, line: bytes) -> None:
    if line == TAGGED:
        line = line.replace(b"c:1420030798", b"c:" + stamp.encode())
    else:
        line = line.replace(b"1272412827", stamp.encode())
    assert_agrees([line])
