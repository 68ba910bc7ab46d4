"""Position reports in bulk: a block of raw lines in, NumPy columns out.

    from shade.ais.positions import iter_positions
    with open(path, "rb") as lines:
        for block in iter_positions(lines):    # Positions: equal-length arrays
            block.mmsi, block.lat, block.lon, block.received_at

This module owns the batched positions path. It takes the position reports (types 1, 2, 3,
18, 19 and 27) of single-fragment sentences and gives, column by column, the values the full
decoder (``Decoder``) gives for the same messages; ``tests/ais/test_positions.py`` compares
the two on every recorded capture.

The rules are those of ``nmea.parse_sentence`` and ``payload.decode_payload``, applied to a
whole block at once: the lines are joined into one buffer, every field is located by looking
up the commas, asterisks and backslashes of the buffer, checksums are XOR reductions, and
payloads become rows of 6-bit values from which fields are cut with shifts. Python handles
one at a time only what is rare: tag blocks (by ``nmea.parse_tag_block``) and payloads shorter
than their layout, whose cut-short rules stay in ``decode_payload``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from shade.ais.layouts import BY_NAME, Field, Layout
from shade.ais.nmea import TagBlock, parse_tag_block
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
    block = b"\n".join([*lines, _PAD])
    buf = np.frombuffer(block, np.uint8)
    ends = np.flatnonzero(buf == ord("\n"))
    if len(ends) != len(lines):
        # Some line holds a '\n' of its own (a line ending, say): count the bytes instead,
        # which is slower than finding the separators.
        ends = np.cumsum(np.fromiter(map(len, lines), np.int64, len(lines)) + 1) - 1
    starts = np.concatenate(([0], ends + 1))[:-1]
    return _decode(block, buf, _frame(block, buf, starts, ends))


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


# Room after the last line, so that lookups a few bytes past any line stay in the buffer.
_PAD = bytes(16)
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


def _lookup(chars: bytes, fill: int = 0, values: Iterable[int] | None = None) -> NDArray[np.uint8]:
    """A table from byte to value: ``values`` (1 by default) for ``chars``, ``fill`` elsewhere."""
    table = np.full(256, fill, np.uint8)
    table[list(chars)] = 1 if values is None else list(values)
    return table


_SPACE = _lookup(b" \t\n\r\x0b\x0c").astype(bool)  # what bytes.strip() removes
_HEX = _lookup(b"0123456789ABCDEFabcdef", 16, [*range(16), *range(10, 16)])
# nmea takes a checksum in upper or in lower case, not in both at once.
_HEX_CASE = _lookup(b"ABCDEFabcdef", 0, [1] * 6 + [2] * 6)
_FILL = _lookup(b"012345").astype(bool)
_VDM_VDO = _lookup(b"MO").astype(bool)
# A type below 40 is sent as the payload's first character, '0' + type.
_IS_POSITION = _lookup(bytes(ord("0") + t for t in _LAYOUT_OF_TYPE)).astype(bool)
_LAYOUTS = tuple(dict.fromkeys(_LAYOUT_OF_TYPE.values()))
_LAYOUT_INDEX = np.full(64, -1, np.int64)
_NEEDED_BITS = np.zeros(64, np.int64)  # below which the full decoder's cut-short rules apply
for _type, _name in _LAYOUT_OF_TYPE.items():
    _LAYOUT_INDEX[_type] = _LAYOUTS.index(_name)
    _NEEDED_BITS[_type] = DECODERS[_name][2]
_POWERS_OF_TEN = 10 ** np.arange(13, dtype=np.int64)
# A receiver's trailing UNIX time is in milliseconds from here on, as in nmea.
_MILLISECONDS_FROM = 10**11
# Whitespace at the ends of a line is a line ending or so; longer runs go to bytes.strip().
_SHORT_RUN = 4


def _degrees(divisor: int) -> Callable[[Index], Floats]:
    # The arithmetic of kinds._degrees: the nearest whole multiple of 1e-6 degree.
    def convert(x: Index) -> Floats:
        return ((2_000_000 * x + divisor) // (2 * divisor)) / 1e6

    return convert


def _as_float(x: Index) -> Floats:
    return x.astype(np.float64)


def _tenths(x: Index) -> Floats:
    return x / 10


# The kinds the position columns are read with (see kinds.KINDS), as array arithmetic.
_CONVERT: dict[str, Callable[[Index], Floats]] = {
    "u": _as_float,
    "f": _as_float,
    "f10": _tenths,
    "deg": _degrees(600_000),
    "deg600": _degrees(600),
}


@dataclass(frozen=True, slots=True)
class _Sentences:
    """Sentences that passed framing and checksum, with what their payload decoding needs."""

    payload_start: Index
    payload_end: Index
    fill: Index
    received_at: Floats


def _frame(block: bytes, buf: NDArray[np.uint8], starts: Index, ends: Index) -> _Sentences:
    """The single-fragment sentences that may carry a position report, by nmea's rules.

    Each test is made for all rows at once; a row failing one test may read nonsense in the
    next, which the sentinels of ``_offsets`` and the padding keep inside the buffer.
    """
    first, last = _strip(block, buf, starts, ends)
    begin, tag_time = _tag_blocks(block, buf, first, last)
    # '!', a two-character talker of any bytes, then VDM or VDO.
    rows = np.flatnonzero(
        (begin >= 0)
        & (begin + 6 <= last)
        & (buf[begin] == ord("!"))
        & (buf[begin + 3] == ord("V"))
        & (buf[begin + 4] == ord("D"))
        & _VDM_VDO[buf[begin + 5]]
    )
    start, last, tag_time = begin[rows], last[rows], tag_time[rows]
    commas, stars = _offsets(buf, b","), _offsets(buf, b"*")
    star = stars[np.searchsorted(stars, start + 6)]
    comma = sliding_window_view(commas, 8)[np.searchsorted(commas, start + 1)]
    gofree = comma[:, 6] < star  # a field after the fill bits, as GoFree writes
    fill_end = np.where(gofree, comma[:, 6], star)
    payload_start, payload_end = comma[:, 4] + 1, comma[:, 5]
    hi, lo = buf[star + 1], buf[star + 2]
    ok = (
        (star + 3 <= last)
        & ((_HEX[hi] | _HEX[lo]) < 16)
        & ((_HEX_CASE[hi] | _HEX_CASE[lo]) != 3)
        & (comma[:, 5] < star)  # seven or eight fields
        & (comma[:, 7] > star)
        & (comma[:, 1] == comma[:, 0] + 2)  # one fragment, the first
        & (buf[comma[:, 0] + 1] == ord("1"))
        & (comma[:, 2] == comma[:, 1] + 2)
        & (buf[comma[:, 1] + 1] == ord("1"))
        & (fill_end == comma[:, 5] + 2)
        & _FILL[buf[comma[:, 5] + 1]]
        & (payload_end > payload_start)
        & _IS_POSITION[buf[payload_start]]
    )
    rows = np.flatnonzero(ok)
    if rows.size:
        bounds = np.column_stack((start[rows] + 1, star[rows])).ravel()
        xor = np.bitwise_xor.reduceat(buf, bounds)[::2]
        rows = rows[xor == _HEX[hi[rows]] * np.uint8(16) + _HEX[lo[rows]]]
    return _Sentences(
        payload_start[rows],
        payload_end[rows],
        (buf[comma[rows, 5] + 1] - ord("0")).astype(np.int64),
        _as_datetime(_received_at(block, buf, commas, star[rows], last[rows], tag_time[rows])),
    )


def _received_at(
    block: bytes, buf: NDArray[np.uint8], commas: Index, star: Index, last: Index, tag_time: Floats
) -> Floats:
    """The tag block's time, else a UNIX time as the last receiver field after the checksum."""
    out = tag_time.copy()
    rows = np.flatnonzero(np.isnan(tag_time) & (star + 3 < last))
    last_comma = commas[np.searchsorted(commas, last[rows]) - 1]
    first = np.maximum(last_comma + 1, star[rows] + 3)
    out[rows] = _epoch(buf, *_strip(block, buf, first, last[rows]))
    return out


def _offsets(buf: NDArray[np.uint8], char: bytes) -> Index:
    """Where ``char`` is, after a -1 and before sentinels in the padding, so that lookups
    past either end stay in the buffer."""
    end = len(buf) - len(_PAD)
    return np.concatenate(([-1], np.flatnonzero(buf == ord(char)), np.full(8, end)))


def _strip(block: bytes, buf: NDArray[np.uint8], first: Index, last: Index) -> tuple[Index, Index]:
    """The spans [first, last) of ``block`` without the whitespace ``bytes.strip()`` removes."""
    first, last = first.copy(), last.copy()
    rows = np.flatnonzero(_SPACE[buf[first]] & (first < last))
    for _ in range(_SHORT_RUN if rows.size else 0):
        first[rows] += 1
        rows = rows[_SPACE[buf[first[rows]]] & (first[rows] < last[rows])]
    for row in rows.tolist():
        first[row] = last[row] - len(block[first[row] : last[row]].lstrip())
    rows = np.flatnonzero(_SPACE[buf[last - 1]] & (first < last))
    for _ in range(_SHORT_RUN if rows.size else 0):
        last[rows] -= 1
        rows = rows[_SPACE[buf[last[rows] - 1]] & (first[rows] < last[rows])]
    for row in rows.tolist():
        last[row] = first[row] + len(block[first[row] : last[row]].rstrip())
    return first, last


_parse_tag = lru_cache(maxsize=4096)(parse_tag_block)


def _tag_blocks(
    block: bytes, buf: NDArray[np.uint8], first: Index, last: Index
) -> tuple[Index, Floats]:
    """Where each sentence starts after its tag block (-1: a broken one), and the block's time.

    Tag blocks go one by one through nmea's parser (each distinct one once): they are few,
    and their rules (any order of fields, a ``c:`` in seconds or milliseconds) are its own.
    """
    begin = first.copy()
    time = np.full(len(first), np.nan)
    tagged = np.flatnonzero((buf[first] == ord("\\")) & (first < last))
    if not tagged.size:
        return begin, time
    slashes = _offsets(buf, b"\\")
    closing = slashes[np.searchsorted(slashes, first[tagged] + 1)]
    for row, opening, end, stop in zip(
        tagged.tolist(),
        first[tagged].tolist(),
        closing.tolist(),
        last[tagged].tolist(),
        strict=True,
    ):
        tag: TagBlock | None = _parse_tag(block[opening + 1 : end]) if end < stop else None
        if tag is None:
            begin[row] = -1
            continue
        begin[row] = end + 1
        if tag.time is not None:
            time[row] = tag.time
    return begin, time


def _epoch(buf: NDArray[np.uint8], first: Index, last: Index) -> Floats:
    """The UNIX time each span holds as 9 to 13 digits (NaN if it does not), as nmea reads it."""
    width = last - first
    out = np.full(len(first), np.nan)
    rows = np.flatnonzero((width >= 9) & (width <= 13))
    digits = sliding_window_view(buf, 13)[first[rows]].astype(np.int64) - ord("0")
    power = width[rows, None] - 1 - np.arange(13)  # of each digit; negative past the span
    inside = power >= 0
    numeric = (((digits >= 0) & (digits <= 9)) | ~inside).all(axis=1)
    value = (np.where(inside, digits, 0) * _POWERS_OF_TEN[np.maximum(power, 0)]).sum(axis=1)
    stamp = np.where(value >= _MILLISECONDS_FROM, value / 1000, value.astype(np.float64))
    out[rows[numeric]] = stamp[numeric]
    return out


def _as_datetime(stamp: Floats) -> Floats:
    """What ``datetime.fromtimestamp(stamp, UTC).timestamp()`` gives, as the full decoder does.

    A datetime holds whole microseconds, rounded half to even from the float; on arrays that
    is exact while the microseconds stay below 2**53. Other times go through datetime itself.
    """
    whole = np.trunc(stamp)
    out = (whole * 1e6 + np.round((stamp - whole) * 1e6)) / 1e6
    for row in np.flatnonzero(~(np.abs(stamp) < 2.0**33) & ~np.isnan(stamp)).tolist():
        try:
            out[row] = datetime.fromtimestamp(float(stamp[row]), UTC).timestamp()
        except (ValueError, OverflowError, OSError):  # the full decoder fails on these
            out[row] = np.nan
    return out


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


def _decode(block: bytes, buf: NDArray[np.uint8], found: _Sentences) -> Positions:
    """Decode the payloads of ``found``; those the full decoder refuses drop out."""
    start, end, fill = found.payload_start, found.payload_end, found.fill
    out = _blank(len(start))
    out.received_at[:] = found.received_at
    msg_type = buf[start] - ord("0")  # as for _IS_POSITION
    length = end - start
    short = 6 * length - fill < _NEEDED_BITS[msg_type]
    keep = np.ones(len(start), bool)
    for size in np.flatnonzero(np.bincount(length[~short])).tolist():
        rows = np.flatnonzero(~short & (length == size))
        valid = _armoured(sliding_window_view(buf, size)[start[rows]])
        keep[rows[np.flatnonzero(~valid) // size]] = False
    layout_index = _LAYOUT_INDEX[msg_type]
    for index, name in enumerate(_LAYOUTS):
        rows = np.flatnonzero(keep & ~short & (layout_index == index))
        if not rows.size:
            continue
        chars = -(-DECODERS[name][2] // 6)
        six = _sixbit(sliding_window_view(buf, chars)[start[rows]])
        _decode_layout(out, rows, six, BY_NAME[name])
    for row in np.flatnonzero(short).tolist():
        keep[row] = _decode_one(out, row, block[start[row] : end[row]], int(fill[row]))
    return Positions(*(getattr(out, f.name)[keep] for f in fields(out)))


def _sixbit(chars: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The 6-bit values of payload characters: '0'-'W' carry 0-39, '`'-'w' 40-63.

    Arithmetic on the bytes is several times faster than a table lookup, for which NumPy
    makes an index of eight bytes per character.
    """
    value = chars - np.uint8(48)
    return value - (value >= 48).view(np.uint8) * np.uint8(8)


def _armoured(chars: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Whether each character is one of the payload armour."""
    value = chars - np.uint8(48)  # bytes below '0' wrap around to 208 and up
    return (value < 72) & (value - np.uint8(40) >= 8)  # 'X' to '_' are none


def _decode_layout(out: Positions, rows: Index, six: NDArray[np.uint8], layout: Layout) -> None:
    """Fill ``rows`` of ``out`` from payloads given as rows of 6-bit values."""
    by_name = {f.name: f for f in layout.fields}
    out.mmsi[rows] = _field(six, by_name["mmsi"])
    out.msg_type[rows] = _field(six, by_name["msg_type"])
    if "status" in by_name:
        out.status[rows] = _field(six, by_name["status"])
    for name in _MEASURES:
        field = by_name.get(name)
        if field is None:
            continue
        raw = _field(six, field)
        value = _CONVERT[field.kind.name](raw)
        if field.na is not None:
            value[raw == field.na] = np.nan
        getattr(out, name)[rows] = value


def _field(six: NDArray[np.uint8], field: Field) -> Index:
    """The raw bits of ``field``, from payloads given as rows of 6-bit values."""
    first, last = field.start // 6, (field.end - 1) // 6
    raw = np.zeros(len(six), np.int64)
    for column in range(first, last + 1):
        raw = (raw << 6) | six[:, column]
    raw = (raw >> (6 * (last + 1) - field.end)) & ((1 << field.width) - 1)
    if field.kind.signed:
        sign = 1 << (field.width - 1)
        raw = (raw ^ sign) - sign
    return raw


def _decode_one(out: Positions, row: int, payload: bytes, fill: int) -> bool:
    """Decode a payload shorter than its layout with the full decoder's rules; False if refused."""
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
