"""Framing of single lines: the accepted layouts, and a reason code for each refusal."""

from __future__ import annotations

from functools import reduce
from operator import xor

from hypothesis import given
from hypothesis import strategies as st

from shade.ais.nmea import Sentence, checksum, parse_sentence, parse_tag_block
from shade.ais.rejects import Reject

TYPE1 = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"


def sentence(line: bytes) -> Sentence:
    parsed = parse_sentence(line)
    assert isinstance(parsed, Sentence), parsed
    return parsed


@given(st.binary(max_size=200))
def test_checksum_is_the_xor_of_every_byte(text: bytes) -> None:
    assert checksum(text) == reduce(xor, text, 0)


def test_a_plain_sentence() -> None:
    s = sentence(TYPE1)
    assert (s.talker, s.own, s.total, s.number, s.channel, s.fill) == ("AI", False, 1, 1, "A", 0)
    assert s.payload == b"15RTgt0PAso;90TKcjM8h6g208CQ"
    assert s.received_at is None and s.source is None


def test_tag_block_gives_source_time_and_group() -> None:
    s = sentence(
        rb"\g:1-2-1604,s:rORBCOMM008,c:1418169601,T:2014-12-10 00.00.01*37"
        rb"\!AIVDM,2,1,6,A,53@o0E000001Q0CG37U8u<Tp4q@D00000000000018330400000000000000,0*63"
    )
    assert (s.source, s.received_at, s.group, s.total, s.number) == (
        "rORBCOMM008",
        1418169601.0,
        "1604",
        2,
        1,
    )


def test_tag_block_time_in_milliseconds() -> None:
    tag = parse_tag_block(b"c:1418169601123*00")
    assert tag is not None and tag.time == 1418169601.123


def test_receiver_fields_after_the_checksum() -> None:
    s = sentence(b"!AIVDM,1,1,,B,15Mw1U?P00qNGTP@v`0@9wwn26sd,0*0E,d-125,S9999,r05RTUC1,1272412827")
    assert (s.received_at, s.source) == (1272412827.0, "05RTUC1")


def test_gofree_layout_and_any_talker() -> None:
    s = sentence(b"!AIVDM,1,1,1,,13aI8e?P00PGpU:NR6s00?vT2000,0,0*1C")
    assert s.payload == b"13aI8e?P00PGpU:NR6s00?vT2000" and s.fill == 0
    s = sentence(b"!=IVDO,1,1,,B,404k0TiuhMcg28FL6il<w`G00p1O,0*08")
    assert (s.talker, s.own) == ("=I", True)


def test_lines_that_are_not_ais_are_skipped() -> None:
    for line in (b"", b"$GPRMC,195719,A,5310.8115,N*00", b"!AIPWR,UNIT=0,PWV", b"# comment"):
        assert parse_sentence(line) is None


def test_each_fault_has_its_reason() -> None:
    assert parse_sentence(TYPE1[:-1] + b"B") is Reject.BAD_CHECKSUM
    assert parse_sentence(b"!BSVDM,1,1,,A,3") is Reject.NO_CHECKSUM
    assert parse_sentence(b"!AIVDM,1,1,A,0*" + b"%02X" % checksum(b"AIVDM,1,1,A,0")) is (
        Reject.MALFORMED
    )
    body = b"AIVDM,1,2,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"
    assert parse_sentence(b"!" + body + b"*%02X" % checksum(body)) is Reject.BAD_FRAGMENT
    body = b"AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,7"
    assert parse_sentence(b"!" + body + b"*%02X" % checksum(body)) is Reject.BAD_FILL
    assert parse_sentence(rb"\c:123" + TYPE1) is Reject.BAD_TAG_BLOCK


@given(st.binary(max_size=120))
def test_random_bytes_never_raise(line: bytes) -> None:
    parse_sentence(line)
    parse_sentence(b"!AIVDM," + line)
    parse_sentence(b"\\" + line)
