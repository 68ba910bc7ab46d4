"""Block decoding (frames + columns) gives exactly what line-by-line decoding gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.ais import Decoder
from shade.ais.decoder import Decoded
from tests.conftest import AIS_NMEA, nmea_files, read_lines


def one_by_one(lines: list[bytes]) -> tuple[list[Decoded], Decoder]:
    decoder = Decoder()
    out = [d for line in lines if (d := decoder.feed(line)) is not None]
    decoder.flush()
    return out, decoder


def in_blocks(lines: list[bytes]) -> tuple[list[Decoded], Decoder]:
    decoder = Decoder()
    return list(decoder.decode(lines)), decoder


@pytest.mark.parametrize("path", nmea_files(), ids=lambda p: p.name)
def test_blocks_equal_lines_on_real_captures(path: Path) -> None:
    lines = read_lines(path)
    expected, slow = one_by_one(lines)
    got, fast = in_blocks(lines)
    assert got == expected
    assert fast.stats == slow.stats


def test_line_endings_do_not_matter() -> None:
    lines = read_lines(AIS_NMEA / "nca_norwegian.raw")
    expected, _ = in_blocks(lines)
    assert in_blocks([line + b"\r\n" for line in lines])[0] == expected
    assert in_blocks([line + b"\n" for line in lines])[0] == expected


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
    )
)
def test_blocks_equal_lines_on_any_input(lines: list[bytes]) -> None:
    expected, slow = one_by_one(lines)
    got, fast = in_blocks(lines)
    assert got == expected
    assert fast.stats == slow.stats
