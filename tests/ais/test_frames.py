"""Block framing (``frames.frame_block``) gives, line by line, what ``nmea.parse_sentence`` gives.

Each line of a block is either taken by the fast lane, with exactly the fields of
``parse_sentence(line.strip())``, or left to it (``slow``), or, when it cannot be an AIS
sentence at all, only counted (``skipped``). Checked on every recorded capture, on sentences
written to sit at the edges of the lane, and on Hypothesis input (random bytes, real lines
edited, sentences built with one part past a rule: the strategies of ``test_positions``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.ais.frames import Frames, frame_block
from shade.ais.nmea import Sentence, parse_sentence
from shade.ais.rejects import Reject
from tests.ais.test_positions import TAGGED, TRAILING, built_lines, edited_lines
from tests.conftest import nmea_files, read_lines

GOFREE = b"!AIVDM,1,1,1,,14eGrSPP00ncMJTO5C6aBwvP2D0?,0,0*16"
# A GoFree field that makes the checksum 0xAB: it can hold bytes past 0x7f.
GOFREE_AB = b"!AIVDM,1,1,1,,14eGrSPP00ncMJTO5C6aBwvP2D0?,0,\x8d*"


def assert_frames_as_nmea(lines: list[bytes]) -> Frames:
    frames = frame_block(lines)
    rows, slow = frames.rows.tolist(), frames.slow.tolist()
    assert frames.lines == len(lines)
    assert rows == sorted(rows) and slow == sorted(slow)
    assert not set(rows) & set(slow)
    fast = {row: k for k, row in enumerate(rows)}
    # The columns of the sentences asked for are those of each sentence.
    every = np.arange(len(rows))
    columns = zip(
        frames.talker(every),
        frames.own(every),
        frames.channel(every),
        frames.payload(every),
        frames.received_at(every),
        strict=True,
    )
    for k, values in enumerate(columns):
        one = frames.sentence(k)
        assert repr(values) == repr(
            (one.talker, one.own, one.channel, one.payload, one.received_at)
        )
    skipped = 0
    for row, line in enumerate(lines):
        want = parse_sentence(line.strip())
        if row in fast:
            k = fast[row]
            assert isinstance(want, Sentence), line
            # repr: a NaN time equals itself, and 1 is not taken for 1.0.
            assert repr(frames.sentence(k)) == repr(want), line
            assert bool(frames.timed[k]) == (want.received_at is not None)
            if want.received_at is not None:
                assert repr(float(frames.time[k])) == repr(want.received_at)
        elif row in slow:
            assert line.strip()[:1] in (b"!", b"\\"), line
        else:
            assert want is None and line.strip()[:1] not in (b"!", b"\\"), line
            skipped += 1
    assert frames.skipped == skipped
    return frames


@pytest.mark.parametrize("path", nmea_files(), ids=lambda path: path.name)
def test_every_capture_frames_as_nmea_does(path: Path) -> None:
    lines = read_lines(path)
    frames = assert_frames_as_nmea(lines)
    # The lane takes nearly every sentence of a real capture (the rest are broken).
    sentences = sum(isinstance(parse_sentence(line.strip()), Sentence) for line in lines)
    assert len(frames.rows) >= 0.98 * sentences


@pytest.mark.parametrize(
    "line",
    [
        b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
        b"!AIVDO,1,1,,,B52K>;h00Fc>jpUlNV@ikwpUoP06,0*0f",  # VDO, no channel, lower case
        b"!=IVDM,1,1,,B,15RTgt0PAso;90TKcjM8h6g208CQ,0*35",  # a receiver's odd talker
        b"!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E",
        b"!AIVDM,2,2,3,B,1@0000000000000,2*55",
        b"!AIVDM,1,1,,A,,0*26",  # an empty payload: the payload decoder refuses it
        TAGGED,
        TRAILING,
        GOFREE,
        GOFREE_AB + b"AB",  # a checksum of two letters, in upper case
        GOFREE_AB + b"ab",  # or in lower case
        b"  \t" + TRAILING + b" \r\n",
        b"\x0b" * 9 + TAGGED + b"\x0c" * 9,  # longer runs of whitespace than the lane strips
    ],
)
def test_the_lane_takes_the_usual_forms(line: bytes) -> None:
    frames = assert_frames_as_nmea([line])
    assert frames.rows.tolist() == [0]


@pytest.mark.parametrize(
    "line",
    [
        b"!\xa0IVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*AB",  # any talker: parse_sentence's
        b"!AIVDM,1,1,12,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*49",  # a two-digit seq id
        b"!AIVDM,1,1,,AB,15RTgt0PAso;90TKcjM8h6g208CQ,0*08",  # a two-letter channel
        GOFREE_AB + b"aB",  # a checksum in upper and lower case at once
        GOFREE_AB + b"Ab",
        b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B",  # a bad checksum
        b"!AIVDM,1,2,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*49",  # fragment 2 of 1
        b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,6*4C",  # fill 6
        b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0,0,0*4A",  # nine fields
        b"!AIVDM,1,1,,A,15RTgt0PAsX;90TKcjM8h6g208CQ,0*7D",  # 'X' is not armour
        b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0",  # no checksum
        rb"\c:14200307x*00\!ABVDM,1,1,4,B,17P;HV?P008F98Il;EC1mOwL0@KP,0*22",  # broken tag
        rb"\c:1420030798*00!ABVDM,1,1,4,B,17P;HV?P008F98Il;EC1mOwL0@KP,0*22",  # unclosed
    ],
)
def test_the_rest_goes_to_nmea(line: bytes) -> None:
    frames = assert_frames_as_nmea([line])
    assert frames.slow.tolist() == [0]


def test_what_cannot_be_ais_is_only_counted() -> None:
    lines = [b"", b"   ", b"$GPRMC,,V*00", b"# !AIVDM,1,1,,A,,0*26", b"\x00!"]
    frames = assert_frames_as_nmea(lines)
    assert (len(frames.rows), len(frames.slow), frames.skipped) == (0, 0, len(lines))


def test_no_lines() -> None:
    frames = assert_frames_as_nmea([])
    none = np.zeros(0, dtype=np.int64)
    assert (frames.lines, frames.skipped, frames.payload(none), frames.received_at(none)) == (
        0,
        0,
        [],
        [],
    )


def test_line_breaks_inside_lines_are_bytes_of_them() -> None:
    # As parse_sentence sees them: a sentence after "$GPZDA\n" is no sentence, and a
    # receiver's time after "\n" is still the last receiver field.
    lines = [b"$GPZDA\n" + TRAILING, TRAILING + b"\n1272412827", TRAILING + b"\r" + GOFREE]
    assert_frames_as_nmea(lines)


def test_times_and_stations_from_tag_blocks_and_receiver_fields() -> None:
    station = TRAILING.replace(b",b003669794,", b",r003669794,")
    untimed = station[: station.rindex(b",")]
    lines = [
        TAGGED + b",1272412827",  # the tag block's time first
        station,  # a receiver's station and time
        untimed + b",1272412827123",  # milliseconds
        untimed + b", 1272412827",  # a space trailing_fields strips
        GOFREE + b",100000000000",  # from 10**11 on: milliseconds
        rb"\s:x,g:1-2-77*00\!ABVDM,1,1,4,B,17P;HV?P008F98Il;EC1mOwL0@KP,0*22,rX,9",
    ]
    frames = assert_frames_as_nmea(lines)
    assert len(frames.rows) == len(lines)
    assert frames.source == [None, "003669794", "003669794", "003669794", None, "x"]
    assert frames.group == [None] * 5 + ["77"]
    times = frames.received_at(np.arange(len(lines)))
    assert times[:3] == [1420030798.0, 1272412827.0, 1272412827.123]
    assert times[4] == 10**8


@pytest.mark.parametrize("stamp", [b"nan", b"inf", b"1e300", b"-5"])
def test_a_corrupt_tag_block_time_goes_the_slow_way(stamp: bytes) -> None:
    line = rb"\c:" + stamp + rb"*00\!ABVDM,1,1,4,B,17P;HV?P008F98Il;EC1mOwL0@KP,0*22"
    frames = assert_frames_as_nmea([line])
    assert frames.slow.tolist() == [0]
    assert parse_sentence(line) is Reject.BAD_TAG_BLOCK


@pytest.mark.parametrize(
    ("fields", "time"),
    [
        (b",99999999999", 99999999999.0),
        (b",123456789", 123456789.0),
        (b",1234567890123", 1234567890.123),
        (b",12345678", None),  # too short for a UNIX time
        (b",12345678901234", None),  # too long
        (b",12345x7890", None),
        (b",-123456789", None),
        (b"1234567890", 1234567890.0),  # straight after the checksum: still the last field
        (b",,1234567890", 1234567890.0),
    ],
)
def test_a_receiver_time_has_9_to_13_digits(fields: bytes, time: float | None) -> None:
    frames = assert_frames_as_nmea([GOFREE + fields])
    assert frames.received_at(np.arange(1)) == [time]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=120), max_size=8))
def test_random_bytes_frame_as_nmea_does(lines: list[bytes]) -> None:
    assert_frames_as_nmea(lines)


@settings(max_examples=300, deadline=None)
@given(edited_lines())
def test_edited_lines_frame_as_nmea_does(lines: list[bytes]) -> None:
    assert_frames_as_nmea(lines)


@settings(max_examples=400, deadline=None)
@given(st.lists(built_lines(), min_size=1, max_size=5))
def test_lines_built_at_the_edges_frame_as_nmea_does(lines: list[bytes]) -> None:
    assert_frames_as_nmea(lines)
