"""Decoding many payloads of one layout at once, field by field over NumPy columns.

Position and base-station reports are most of any feed. For those layouts (numbers only,
no text, no binary data) every field of a whole batch is cut out with a few array
operations instead of a run of Python per message. Values are exactly those of the
generated per-message decoders in ``records``: integer arithmetic gives the positions,
lookup tables give the rate of turn, and ``tests/ais/test_columns.py`` compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from shade.ais.kinds import turn
from shade.ais.layouts import Field, Layout

IntArray = npt.NDArray[np.int64]

# 6-bit value of each armour character; 255 marks a character outside the armour.
ARMOUR = np.full(256, 255, dtype=np.uint8)
ARMOUR[48:88] = np.arange(40, dtype=np.uint8)
ARMOUR[96:120] = np.arange(40, 64, dtype=np.uint8)
_ROT = np.array([turn(x) for x in range(-128, 128)], dtype=object)
_WORD_CHARS = 10  # 60 bits in each 64-bit word


def columnar(layout: Layout) -> bool:
    """Whether a layout can be decoded by columns: fixed numbers of at most 60 bits."""
    return all(
        f.spare or (f.kind.name not in ("t", "d") and not f.variable and f.width <= 60)
        for f in layout.fields
    )


def sixbit(payloads: Sequence[bytes], nchars: int) -> npt.NDArray[np.uint8]:
    """The 6-bit values of payloads that all have ``nchars`` characters, one row each."""
    chars = np.frombuffer(b"".join(payloads), dtype=np.uint8).reshape(len(payloads), nchars)
    return ARMOUR[chars]


def words(six: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """Rows of 6-bit values packed into 60-bit words, the first character highest."""
    rows, nchars = six.shape
    nwords = -(-nchars // _WORD_CHARS)
    padded = np.zeros((rows, nwords * _WORD_CHARS), dtype=np.uint64)
    padded[:, :nchars] = six
    shifts = np.arange(_WORD_CHARS - 1, -1, -1, dtype=np.uint64) * np.uint64(6)
    packed: npt.NDArray[np.uint64] = (padded.reshape(rows, nwords, _WORD_CHARS) << shifts).sum(
        axis=2, dtype=np.uint64
    )
    return packed


def raw_field(packed: npt.NDArray[np.uint64], field: Field) -> IntArray:
    """The raw integer of one field for every row (two's complement applied)."""
    word, offset = divmod(field.start, 60)
    width = field.width
    if offset + width <= 60:
        value = (packed[:, word] >> np.uint64(60 - offset - width)) & np.uint64((1 << width) - 1)
    else:
        high = 60 - offset
        low = width - high
        value = ((packed[:, word] & np.uint64((1 << high) - 1)) << np.uint64(low)) | (
            packed[:, word + 1] >> np.uint64(60 - low)
        )
    result = value.astype(np.int64)
    if field.kind.signed:
        half = 1 << (width - 1)
        result = (result ^ half) - half
    return result


def converted(
    raw: IntArray, field: Field
) -> npt.NDArray[np.float64] | IntArray | npt.NDArray[np.bool_]:
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
        degrees: npt.NDArray[np.float64] = ((2000000 * raw + divisor) // (2 * divisor)) / 1e6
        return degrees
    raise ValueError(f"kind {name} has no columnar form")


def values(raw: IntArray, field: Field) -> list[object]:
    """A field's Python values for every row: None where "not available"."""
    if field.kind.name == "rot":
        return list(_ROT[raw + 128])
    column = converted(raw, field)
    if field.na is None:
        return column.tolist()  # type: ignore[no-any-return]
    boxed = column.astype(object)
    boxed[raw == field.na] = None
    return boxed.tolist()  # type: ignore[no-any-return]


def decode_columns(layout: Layout, payloads: Sequence[bytes], nchars: int) -> list[list[object]]:
    """Every value field of the layout, as one list per field, for payloads of one length.

    The payloads must be valid armour and at least as long as the layout's fixed part.
    """
    packed = words(sixbit(payloads, nchars))
    return [values(raw_field(packed, f), f) for f in layout.values]
