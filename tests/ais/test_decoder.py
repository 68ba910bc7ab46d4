"""The stream decoder: multipart reassembly, its bounds, and robustness on any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.ais import Decoder, Reject
from shade.ais import decoder as decoder_module
from shade.ais.nmea import checksum
from shade.ais.records import PositionReport, StaticVoyageData
from shade.config import Settings
from tests.conftest import AIS_NMEA, read_lines

PART1 = b"!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E"
PART2 = b"!AIVDM,2,2,3,B,1@0000000000000,2*55"
TYPE1 = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"


def with_checksum(body: bytes) -> bytes:
    return b"!" + body + b"*%02X" % checksum(body)


def test_two_fragments_make_one_message() -> None:
    decoder = Decoder()
    (decoded,) = decoder.decode([PART1, PART2])
    assert isinstance(decoded.message, StaticVoyageData)
    assert decoded.message.shipname == "MT.MITCHELL" and decoded.sentences == 2
    assert decoder.stats.messages == {5: 1} and not decoder.stats.rejects


def test_interleaved_fragments_are_joined() -> None:
    (first, second) = Decoder().decode([PART1, TYPE1, PART2])
    assert isinstance(first.message, PositionReport)
    assert isinstance(second.message, StaticVoyageData)


def test_fragments_of_other_stations_do_not_mix() -> None:
    other = b"\\s:other*00\\" + PART2
    decoder = Decoder()
    assert list(decoder.decode([b"\\s:here*00\\" + PART1, other])) == []
    assert decoder.stats.rejects == {Reject.ORPHAN_FRAGMENT: 1, Reject.INCOMPLETE_MESSAGE: 1}


def test_a_continuation_without_tag_block_joins_its_first_fragment() -> None:
    (decoded,) = Decoder().decode([b"\\s:2573238,c:1733782034*0A\\" + PART1, PART2])
    assert decoded.source == "2573238" and decoded.received_at is not None
    assert decoded.received_at.timestamp() == 1733782034


def test_orphan_and_incomplete_are_counted() -> None:
    decoder = Decoder()
    assert list(decoder.decode([PART2, PART1])) == []
    assert decoder.stats.rejects == {Reject.ORPHAN_FRAGMENT: 1, Reject.INCOMPLETE_MESSAGE: 1}


def test_pending_messages_are_bounded_in_count_and_age() -> None:
    firsts = [
        with_checksum(b"AIVDM,2,1,%d,%s,55P5TL01VIaAL@7WKO@mBplU@<PDhh,0" % (i % 10, ch))
        for i in range(50)
        for ch in (b"A", b"B")
    ]
    decoder = Decoder(Settings(multipart_max_pending=5, multipart_max_age=1000))
    for line in firsts:
        decoder.feed(line)
    assert len(decoder._pending) <= 5
    aged = Decoder(Settings(multipart_max_pending=1000, multipart_max_age=3))
    assert list(aged.decode([PART1, TYPE1, TYPE1, TYPE1, TYPE1, PART2])) != []
    assert aged.stats.rejects == {Reject.INCOMPLETE_MESSAGE: 1, Reject.ORPHAN_FRAGMENT: 1}


def test_memory_stays_flat_over_a_stream_of_unfinished_fragments() -> None:
    decoder = Decoder(Settings(multipart_max_pending=50, multipart_max_age=100))
    for i in range(20000):
        decoder.feed(with_checksum(b"AIVDM,3,1,%d,A,55P5TL01VIaAL@7WKO@mBpl,0" % (i % 10)))
        assert len(decoder._pending) <= 50
    decoder.flush()
    assert decoder.stats.rejects[Reject.INCOMPLETE_MESSAGE] == 20000 - 10 + 10


_REAL = [line for line in read_lines(AIS_NMEA / "gpsd_sample.aivdm") if line.startswith(b"!")]


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=100),
            st.sampled_from(_REAL),
            st.tuples(st.sampled_from(_REAL), st.integers(0, 99), st.integers(0, 255)).map(
                lambda t: t[0][: t[1]] + bytes([t[2]]) + t[0][t[1] + 1 :]
            ),
        ),
        max_size=30,
    )
)
def test_random_and_mutated_input_never_raises(lines: list[bytes]) -> None:
    decoder = Decoder()
    decoded = list(decoder.decode(lines))
    stats = decoder.stats
    assert stats.lines == len(lines)
    assert len(decoded) == stats.decoded
    # Every line is accounted for: skipped, decoded, or rejected.
    assert stats.skipped + stats.sentences == stats.lines


@pytest.mark.parametrize("kept", [65536, 7])
def test_static_data_met_again_decodes_as_the_first_time(
    kept: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records of payloads met before are given again (vessels repeat their static data),
    however few the decoder keeps: the same as a fresh decoder's, every time."""
    monkeypatch.setattr(decoder_module, "_RECORDS_KEPT", kept)
    lines = read_lines(AIS_NMEA / "amsa_ais.txt.gz")
    static = {5, 19, 24}
    decoder = Decoder()
    first = decoder.decode_reports(lines, static).records
    again = decoder.decode_reports(lines, static).records
    fresh = Decoder().decode_reports(lines, static).records
    assert len(first) > 2000
    assert [d.message for d in again] == [d.message for d in first] == [d.message for d in fresh]
    # Type 5 carries no time: repeats of one are common even within this capture.
    messages = [d.message for d in first if d.message.msg_type == 5]
    assert len(set(messages)) < len(messages)
