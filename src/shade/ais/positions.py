"""Position reports in bulk: a block of raw lines in, NumPy columns out.

    from shade.ais.positions import iter_positions
    with open(path, "rb") as lines:
        for block in iter_positions(lines):    # Positions: equal-length arrays
            block.mmsi, block.lat, block.lon, block.received_at

This module owns the batched positions path. It takes the position reports (types 1, 2, 3,
18, 19 and 27) of single-fragment sentences and gives, column by column, the values the full
decoder (``Decoder``) gives for the same messages; ``tests/ais/test_positions.py`` compares
the two on every recorded capture.

It frames as the decoder's block path does (``frames.frame_block``) and cuts fields as its
column path does (``columns``). What is its own: the choice of rows and columns, times
rounded as the decoder's datetimes round them, and the rare rest, one message at a time:
sentences the fast lane of ``frames`` leaves to ``nmea.parse_sentence``, and payloads shorter
than their layout, whose cut-short rules stay in ``payload.decode_payload``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from itertools import islice

import numpy as np
from numpy.typing import NDArray

from shade.ais.columns import ARMOUR, floats, raw_field, sixbit_at, words
from shade.ais.frames import Frames, frame_block
from shade.ais.layouts import BY_NAME, Layout
from shade.ais.nmea import Sentence, parse_sentence
from shade.ais.payload import decode_payload
from shade.ais.records import DECODERS
from shade.ais.rejects import Reject

Index = NDArray[np.int64]
Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Positions:
    """Position reports as columns of equal length, in input order."""

    mmsi: NDArray[np.uint32]
    msg_type: NDArray[np.uint8]
    received_at: Floats  # UNIX seconds; NaN when the line carries no time
    lat: Floats  # degrees; NaN when not available
    lon: Floats  # degrees; NaN when not available
    speed: Floats  # knots over ground; NaN when not available
    course: Floats  # degrees over ground; NaN when not available
    heading: Floats  # degrees true; NaN when not available, and always for type 27
    status: NDArray[np.int8]  # navigation status; -1 for types 18 and 19, which have none

    def __len__(self) -> int:
        return len(self.mmsi)

    @classmethod
    def concat(cls, parts: Sequence[Positions]) -> Positions:
        """The rows of ``parts`` one after another."""
        if not parts:
            return _blank(0)
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


def decode_positions(lines: Sequence[bytes]) -> Positions:
    """The position reports of a block of lines (line endings optional)."""
    frames = frame_block(lines)
    fast, fast_lines = _decode_fast(frames)
    if not frames.slow.size:
        return fast
    slow, slow_lines = _decode_slow(lines, frames.slow)
    order = np.argsort(np.concatenate((fast_lines, slow_lines)), kind="stable")
    return _take(Positions.concat([fast, slow]), order)


def iter_positions(lines: Iterable[bytes], block_lines: int = 8192) -> Iterator[Positions]:
    """The position reports of any number of lines, a block of ``block_lines`` at a time.

    Memory stays flat in the length of the input. Blocks without a position yield nothing.
    """
    if block_lines < 1:
        raise ValueError(f"block_lines must be at least 1, not {block_lines}")
    source = iter(lines)
    while block := list(islice(source, block_lines)):
        positions = decode_positions(block)
        if len(positions):
            yield positions


_LAYOUT_OF_TYPE = {
    1: "PositionReport",
    2: "PositionReport",
    3: "PositionReport",
    18: "ClassBPositionReport",
    19: "ClassBExtendedReport",
    27: "LongRangeReport",
}
# The columns a layout may lack, in which case they stay NaN.
_MEASURES = ("lat", "lon", "speed", "course", "heading")
_LAYOUTS = tuple(dict.fromkeys(_LAYOUT_OF_TYPE.values()))
# By message type, the 6-bit value of a payload's first character: the index of its layout
# in _LAYOUTS, -1 for the other types and for ARMOUR's 255 (not a payload character: the
# comma after an empty payload, say).
_LAYOUT_INDEX = np.full(256, -1, np.int64)
_NEEDED_BITS = np.zeros(256, np.int64)  # below which the full decoder's cut-short rules apply
for _type, _name in _LAYOUT_OF_TYPE.items():
    _LAYOUT_INDEX[_type] = _LAYOUTS.index(_name)
    _NEEDED_BITS[_type] = DECODERS[_name][2]


def _decode_fast(frames: Frames) -> tuple[Positions, Index]:
    """The position reports of the sentences ``frames`` took, and the lines they are on."""
    buf = frames.buffer
    msg_type = ARMOUR[buf[frames.payload_start]]
    picks = np.flatnonzero((frames.total == 1) & (_LAYOUT_INDEX[msg_type] >= 0))
    start, end = frames.payload_start[picks], frames.payload_end[picks]
    fill, msg_type = frames.fill[picks], msg_type[picks]
    out = _blank(len(picks))
    out.received_at[:] = _as_datetime(frames.time[picks])
    short = 6 * (end - start) - fill < _NEEDED_BITS[msg_type]
    layout_index = _LAYOUT_INDEX[msg_type]
    for index, name in enumerate(_LAYOUTS):
        rows = np.flatnonzero(~short & (layout_index == index))
        if rows.size:
            chars = -(-DECODERS[name][2] // 6)
            _decode_layout(out, rows, words(sixbit_at(buf, start[rows], chars)), BY_NAME[name])
    keep = np.ones(len(picks), np.bool_)
    for row in np.flatnonzero(short).tolist():
        payload = frames.block[start[row] : end[row]]
        keep[row] = _decode_one(out, row, payload, int(fill[row]))
    return _take(out, keep), frames.rows[picks[keep]]


def _decode_slow(lines: Sequence[bytes], slow: Index) -> tuple[Positions, Index]:
    """The position reports of the lines ``frames`` left to ``nmea``, and their lines."""
    found: list[tuple[int, Sentence]] = []
    for line in slow.tolist():
        sentence = parse_sentence(lines[line].strip())
        if isinstance(sentence, Sentence) and sentence.total == 1 and _is_position(sentence):
            found.append((line, sentence))
    out = _blank(len(found))
    keep = np.ones(len(found), np.bool_)
    for row, (_, sentence) in enumerate(found):
        keep[row] = _decode_one(out, row, sentence.payload, sentence.fill)
        if sentence.received_at is not None:
            out.received_at[row] = sentence.received_at
    out.received_at[:] = _as_datetime(out.received_at)
    return _take(out, keep), np.array([line for line, _ in found], np.int64)[keep]


def _as_datetime(stamp: Floats) -> Floats:
    """What ``datetime.fromtimestamp(stamp, UTC).timestamp()`` gives, as the full decoder does.

    A datetime holds whole microseconds, rounded half to even from the float; on arrays that
    is exact while the microseconds stay below 2**53, which holds for every time ``nmea``
    accepts (below 2**33 seconds).
    """
    whole = np.trunc(stamp)
    exact: Floats = (whole * 1e6 + np.round((stamp - whole) * 1e6)) / 1e6
    return exact


def _blank(size: int) -> Positions:
    """``size`` rows with every value absent (0 for the two that are always there)."""

    def missing() -> Floats:
        return np.full(size, np.nan)

    return Positions(
        np.zeros(size, np.uint32),
        np.zeros(size, np.uint8),
        missing(),
        missing(),
        missing(),
        missing(),
        missing(),
        missing(),
        np.full(size, -1, np.int8),
    )


def _take(positions: Positions, rows: Index | NDArray[np.bool_]) -> Positions:
    """The given rows (indices or a mask), in that order."""
    return Positions(*(getattr(positions, f.name)[rows] for f in fields(positions)))


def _is_position(sentence: Sentence) -> bool:
    """Whether a sentence's payload starts as a position report does."""
    return sentence.payload[:1] != b"" and _LAYOUT_INDEX[ARMOUR[sentence.payload[0]]] >= 0


def _decode_layout(out: Positions, rows: Index, packed: NDArray[np.uint64], layout: Layout) -> None:
    """Fill ``rows`` of ``out`` from their payloads, packed by ``columns.words``."""
    by_name = {f.name: f for f in layout.fields}
    out.mmsi[rows] = raw_field(packed, by_name["mmsi"])
    out.msg_type[rows] = raw_field(packed, by_name["msg_type"])
    if "status" in by_name:
        out.status[rows] = raw_field(packed, by_name["status"])
    for name in _MEASURES:
        field = by_name.get(name)
        if field is not None:
            getattr(out, name)[rows] = floats(raw_field(packed, field), field)


def _decode_one(out: Positions, row: int, payload: bytes, fill: int) -> bool:
    """Decode one payload with the full decoder's rules into ``row``; False if it refuses it."""
    message = decode_payload(payload, fill)
    if isinstance(message, Reject):
        return False
    out.mmsi[row] = message.mmsi
    out.msg_type[row] = message.msg_type
    status = getattr(message, "status", None)
    if status is not None:
        out.status[row] = status
    for name in _MEASURES:
        value = getattr(message, name, None)
        if value is not None:
            getattr(out, name)[row] = value
    return True
