"""Decoding many payloads of one layout at once, field by field over NumPy columns.

Position and base-station reports are most of any feed, and static and voyage data (type
5) most of the rest. For those layouts (numbers and text of fixed widths, no binary data)
every field of a whole batch is cut out with a few array operations instead of a run of
Python per message. Values are exactly those of the generated per-message decoders in
``records``: integer arithmetic gives the positions, lookup tables give the rate of turn and
the characters of text, and ``tests/ais/test_blocks.py``, ``tests/ais/test_positions.py``
and ``tests/ais/test_reports.py`` compare the two on every recorded capture.

This module owns the payload armour (``ARMOUR``, ``unarmoured``): ``frames`` checks payload
characters with it, and the decoder and ``positions`` read message types with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from shade.ais.kinds import SIXBIT_CHARS, turn
from shade.ais.layouts import Field, Layout

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Bytes = npt.NDArray[np.uint8]

# 6-bit value of each armour character; 255 marks a character outside the armour.
ARMOUR = np.full(256, 255, dtype=np.uint8)
ARMOUR[48:88] = np.arange(40, dtype=np.uint8)
ARMOUR[96:120] = np.arange(40, 64, dtype=np.uint8)
_ROT = np.array([turn(x) for x in range(-128, 128)], dtype=object)
_WORD_CHARS = 10  # 60 bits in each 64-bit word
_TEXT = np.frombuffer(SIXBIT_CHARS.encode("ascii"), dtype=np.uint8)  # 6-bit value -> ASCII


def columnar(layout: Layout) -> bool:
    """Whether a layout can be decoded by columns: fixed numbers of at most 60 bits, and
    text of a fixed number of characters."""
    return all(f.spare or _columnar_field(f) for f in layout.fields)


def _columnar_field(f: Field) -> bool:
    if f.variable or f.kind.name == "d":
        return False
    if f.kind.name == "t":
        return f.width % 6 == 0
    return f.width <= 60


# Over whole buffers, arithmetic on the bytes is several times faster than a lookup in
# ARMOUR, for which NumPy first makes an index of eight bytes per byte.


def unarmoured(chars: Bytes) -> npt.NDArray[np.bool_]:
    """Whether each byte is outside the armour (one ``ARMOUR`` gives 255)."""
    value = chars - np.uint8(48)  # bytes below '0' wrap around to 208 and up
    outside = value >= 72
    np.subtract(value, np.uint8(40), out=value)  # in place: a buffer may be megabytes long
    outside |= value < 8  # 'X' to '_'
    return outside


def _values(chars: Bytes) -> Bytes:
    """The 6-bit values of armour characters: '0'-'W' carry 0-39, '`'-'w' 40-63 (other
    bytes give nonsense: ``unarmoured`` finds them)."""
    value = chars - np.uint8(48)
    return value - (value >= 48).view(np.uint8) * np.uint8(8)


def sixbit(payloads: Sequence[bytes], nchars: int) -> Bytes:
    """The 6-bit values of payloads that all have ``nchars`` armour characters, one row each."""
    chars = np.frombuffer(b"".join(payloads), dtype=np.uint8).reshape(len(payloads), nchars)
    return _values(chars)


def sixbit_at(buffer: Bytes, starts: IntArray, nchars: int) -> Bytes:
    """The 6-bit values of the ``nchars`` armour characters from each start in ``buffer``."""
    return _values(sliding_window_view(buffer, nchars)[starts])


def words(six: Bytes) -> npt.NDArray[np.uint64]:
    """Rows of 6-bit values packed into 60-bit words, the first character highest."""
    rows, nchars = six.shape
    nwords = -(-nchars // _WORD_CHARS)
    padded = np.zeros((rows, nwords * _WORD_CHARS), dtype=np.uint32)
    padded[:, :nchars] = six
    # Five characters to each half word in 32 bits, then halves to words: a third of the
    # work of shifting every character in 64 bits.
    chars = padded.reshape(rows, 2 * nwords, _WORD_CHARS // 2)
    halves = chars[:, :, 0]
    for column in range(1, _WORD_CHARS // 2):
        halves = (halves << 6) | chars[:, :, column]
    pairs = halves.astype(np.uint64).reshape(rows, nwords, 2)
    packed: npt.NDArray[np.uint64] = (pairs[:, :, 0] << np.uint64(30)) | pairs[:, :, 1]
    return packed


def raw_field(packed: npt.NDArray[np.uint64], field: Field) -> IntArray:
    """The raw integer of one field for every row (two's complement applied)."""
    result = _raw_bits(packed, field.start, field.width)
    if field.kind.signed:
        half = 1 << (field.width - 1)
        result = (result ^ half) - half
    return result


def _raw_bits(packed: npt.NDArray[np.uint64], start: int, width: int) -> IntArray:
    """``width`` (at most 60) bits from bit ``start`` of every row, unsigned."""
    word, offset = divmod(start, 60)
    if offset + width <= 60:
        value = (packed[:, word] >> np.uint64(60 - offset - width)) & np.uint64((1 << width) - 1)
    else:
        high = 60 - offset
        low = width - high
        value = ((packed[:, word] & np.uint64((1 << high) - 1)) << np.uint64(low)) | (
            packed[:, word + 1] >> np.uint64(60 - low)
        )
    return value.astype(np.int64)


def texts(packed: npt.NDArray[np.uint64], field: Field) -> list[str]:
    """A text field's values for every row, as ``kinds.text`` gives them: trailing '@' and
    blanks removed."""
    nchars = field.width // 6
    codes = np.empty((len(packed), nchars), dtype=np.uint8)
    for k in range(nchars):
        codes[:, k] = _raw_bits(packed, field.start + 6 * k, 6)
    # One decode for the whole column, then a slice per row.
    joined = _TEXT[codes].tobytes().decode("ascii")
    return [
        joined[start : start + nchars].rstrip("@").strip()
        for start in range(0, len(joined), nchars)
    ]


def converted(raw: IntArray, field: Field) -> FloatArray | IntArray | npt.NDArray[np.bool_]:
    """A field's values as numbers, "not available" left as the raw value (see ``values``)."""
    name = field.kind.name
    if name in ("u", "i"):
        return raw
    if name == "b":
        flags: npt.NDArray[np.bool_] = raw != 0
        return flags
    if name == "f":
        return raw.astype(np.float64)
    if name in ("f10", "F10"):
        return raw / 10
    if name == "f100":
        return raw / 100
    divisor = {"deg": 600000, "deg600": 600, "deg60k": 60000}.get(name)
    if divisor is not None:
        degrees: FloatArray = ((2000000 * raw + divisor) // (2 * divisor)) / 1e6
        return degrees
    raise ValueError(f"kind {name} has no columnar form")


def floats(raw: IntArray, field: Field) -> FloatArray:
    """A numeric field's values as floats, NaN where "not available"."""
    column = converted(raw, field).astype(np.float64)  # a copy, even of ``raw`` itself
    if field.na is not None:
        column[raw == field.na] = np.nan
    return column


def values(raw: IntArray, field: Field) -> list[object]:
    """A field's Python values for every row: None where "not available"."""
    if field.kind.name == "rot":
        return list(_ROT[raw + 128])
    return boxed(raw, field).tolist()  # type: ignore[no-any-return]


def boxed(raw: IntArray, field: Field) -> npt.NDArray[Any]:
    """``values`` as an array: of objects where some are "not available" (None), else of
    numbers, which NumPy makes Python ints, floats or bools when they are taken out."""
    if field.kind.name == "rot":
        rot: npt.NDArray[Any] = _ROT[raw + 128]
        return rot
    column = converted(raw, field)
    if field.na is None:
        return column
    objects = column.astype(object)
    objects[raw == field.na] = None
    return objects


def decode_columns(layout: Layout, payloads: Sequence[bytes], nchars: int) -> list[list[object]]:
    """Every value field of the layout, as one list per field, for payloads of one length.

    The payloads must be valid armour and at least as long as the layout's fixed part.
    """
    return decode_packed(layout, words(sixbit(payloads, nchars)))


def decode_packed(layout: Layout, packed: npt.NDArray[np.uint64]) -> list[list[object]]:
    """``decode_columns`` of payloads already packed by ``words``."""
    columns: list[list[object]] = []
    for f in layout.values:
        columns.append(
            list(texts(packed, f)) if f.kind.name == "t" else values(raw_field(packed, f), f)
        )
    return columns
