"""decode_reports gives what decode_block gives: the same messages, values and counts.

Its position reports, as columns, hold the values of decode_block's records (as numbers:
NaN or -1 where a record has None, times in microseconds); its records are decode_block's
records of the types kept; its message count and its decoder's stats are decode_block's.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.ais import Decoder
from shade.ais.block import NO_TIME, REPORT_TYPES, Block, Reports
from shade.ais.decoder import Decoded
from shade.ais.payload import KNOWN_TYPES, MIN_BITS, layout_for
from shade.times import from_micros, to_micros
from tests.conftest import AIS_NMEA, nmea_files, read_lines

STATIC = frozenset({5, 19, 24})
KEEPS = [STATIC, frozenset(), frozenset({1, 4, 5})]


def assert_same_reports(got: Reports, expected: Reports) -> None:
    assert got.order.tolist() == expected.order.tolist()
    assert got.mmsi.dtype == expected.mmsi.dtype == np.int64
    for name in ("mmsi", "msg_type", "heading", "status", "received_at"):
        ours, theirs = getattr(got, name), getattr(expected, name)
        assert ours.dtype == theirs.dtype and ours.tolist() == theirs.tolist(), name
    for name in ("lat", "lon", "speed", "course"):
        ours, theirs = getattr(got, name), getattr(expected, name)
        assert ours.dtype == theirs.dtype == np.float64, name
        assert np.array_equal(ours, theirs, equal_nan=True), name
    assert got.source.tolist() == expected.source.tolist()


def test_report_columns_hold_the_records_values() -> None:
    """What a one-by-one block's columns hold, against the records themselves."""
    lines = read_lines(AIS_NMEA / "libais_test.aivdm") + read_lines(AIS_NMEA / "nca_norwegian.raw")
    decoded = Decoder().decode_block(lines)
    block = Block.of_records(decoded, STATIC)
    reports = [one for one in decoded if one.message.msg_type in REPORT_TYPES]
    assert len(block.reports) == len(reports) > 100
    columns = block.reports
    for k, one in enumerate(reports):
        m: Any = one.message
        assert columns.mmsi[k] == m.mmsi and columns.msg_type[k] == m.msg_type
        for name in ("lat", "lon", "speed", "course"):
            value = getattr(m, name)
            assert (
                np.isnan(getattr(columns, name)[k])
                if value is None
                else (getattr(columns, name)[k] == value)
            ), name
        heading = None if m.msg_type == 27 else m.heading
        status = None if m.msg_type in (18, 19) else m.status
        assert columns.heading[k] == (-1 if heading is None else heading)
        assert columns.status[k] == (-1 if status is None else status)
        if one.received_at is None:
            assert columns.received_at[k] == NO_TIME
        else:
            assert from_micros(int(columns.received_at[k])) == one.received_at
        assert columns.source[k] == one.source


def expected_block(decoded: list[Decoded], keep: Collection[int]) -> Block:
    """The block made one record at a time, the way decode_block's records are."""
    return Block.of_records(decoded, keep)


def assert_same_block(got: Block, expected: Block) -> None:
    assert got.messages == expected.messages
    assert_same_reports(got.reports, expected.reports)
    assert got.records == expected.records
    assert got.record_order == expected.record_order


def both_ways(
    lines: list[bytes], keep: Collection[int], block_lines: int
) -> tuple[list[Block], list[Block], Decoder, Decoder]:
    by_records, by_columns = Decoder(), Decoder()
    got, expected = [], []
    for start in range(0, len(lines), block_lines):
        part = lines[start : start + block_lines]
        expected.append(expected_block(by_records.decode_block(part), keep))
        got.append(by_columns.decode_reports(part, keep))
    by_records.flush()
    by_columns.flush()
    return got, expected, by_columns, by_records


@pytest.mark.parametrize("keep", KEEPS, ids=lambda k: "keep " + ",".join(map(str, sorted(k))))
@pytest.mark.parametrize("path", nmea_files(), ids=lambda p: p.name)
def test_reports_equal_records_on_real_captures(path: Path, keep: frozenset[int]) -> None:
    lines = read_lines(path)
    # Blocks of 1,000 lines too: multipart messages then straddle blocks.
    for block_lines in (len(lines) or 1, 1000):
        got, expected, fast, slow = both_ways(lines, keep, block_lines)
        for ours, theirs in zip(got, expected, strict=True):
            assert_same_block(ours, theirs)
        assert fast.stats == slow.stats
    assert sum(len(b.reports) for b in got) > 0 or path.name in _WITHOUT_REPORTS


# Captures of other messages only (multipart static data and binary messages).
_WITHOUT_REPORTS = {"gfw_multi-part.nmea"}


def test_the_common_reports_take_the_column_path() -> None:
    """On AMSA, where nearly every report is one sentence, no record is made for them."""
    lines = read_lines(AIS_NMEA / "amsa_ais.txt.gz")
    decoder = Decoder()
    block = decoder.decode_reports(lines, STATIC)
    assert len(block.reports) > 25_000
    assert {one.message.msg_type for one in block.records} <= STATIC
    assert block.messages == decoder.stats.decoded == 34_008


_REAL = [
    line
    for name in ("gpsd_sample.aivdm", "nca_norwegian.raw", "libais_test.aivdm")
    for line in read_lines(AIS_NMEA / name)
    if line.startswith((b"!", b"\\"))
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_REAL),
            st.binary(max_size=90),
            st.tuples(st.sampled_from(_REAL), st.integers(0, 120), st.binary(max_size=3)).map(
                lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + len(t[2]) :]
            ),
        ),
        max_size=40,
    ),
    st.sampled_from(KEEPS),
)
def test_reports_equal_records_on_any_input(lines: list[bytes], keep: frozenset[int]) -> None:
    got, expected, fast, slow = both_ways(lines, keep, 16)
    for ours, theirs in zip(got, expected, strict=True):
        assert_same_block(ours, theirs)
    assert fast.stats == slow.stats


def _amsa_block() -> Block:
    lines = read_lines(AIS_NMEA / "amsa_ais.txt.gz")[:3000]
    return Decoder().decode_reports(lines, STATIC)


def test_a_block_split_and_put_together_again_is_the_same() -> None:
    block = _amsa_block()
    for count in (0, 1, 17, block.messages // 2, block.messages - 1, block.messages):
        head, tail = block.split(count)
        assert head.messages == count and tail.messages == block.messages - count
        assert (head.reports.order < count).all() and (tail.reports.order >= 0).all()
        assert all(place < count for place in head.record_order)
        assert_same_block(Block.concat([head, tail]), block)


def test_stamping_fills_only_what_is_missing() -> None:
    lines = [
        b"!AIVDM,1,1,,A,17P@<J?P00blFWmjG@5a5?v62<10,0*27",  # no time, no station
        b"\\s:rORBCOMM104,q:u,c:1418172113,T:2014-12-10 00.41.53*55\\"
        b"!AIVDM,1,1,,B,13F?Vv700<DJuLEtvep`iToV0<00,0*78",
    ]
    block = Decoder().decode_reports(lines, STATIC)
    at = datetime(2024, 1, 1, tzinfo=UTC)
    stamped = block.stamped(at, "feed")
    assert block.reports.received_at[0] == NO_TIME and block.reports.source[0] is None
    assert stamped.reports.received_at[0] == to_micros(at)
    assert stamped.reports.source[0] == "feed"
    assert stamped.reports.received_at[1] == block.reports.received_at[1] != at
    assert stamped.reports.source[1] == "rORBCOMM104"
    assert len(block.reports) == 2


def test_known_types_are_those_layout_for_knows() -> None:
    """decode_reports counts a message of a known type without decoding it: every payload
    of such a type (of MIN_BITS or more) must have a layout, and no other."""
    rng = np.random.default_rng(3)
    for msg_type in range(64):
        for nbits in (MIN_BITS, 72, 168, 424, 1008):
            for _ in range(20):
                rest = int(rng.integers(0, 1 << 62)) ^ (int(rng.integers(0, 1 << 62)) << 62)
                v = (msg_type << (nbits - 6)) | (rest & ((1 << (nbits - 6)) - 1))
                assert (layout_for(v, nbits) is not None) == (msg_type in KNOWN_TYPES)
