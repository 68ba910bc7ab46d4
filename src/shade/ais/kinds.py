"""Field kinds of AIS payloads: how raw bits become values, and back.

A field of a message layout (see ``layouts``) names a kind. The kind says whether the raw
bits are two's complement, which Python type the value has, how raw integers scale to units
(degrees, knots, metres ...) and how a value is turned back into raw bits for the encoder.
Scales follow ITU-R M.1371-5; rounding of positions follows the pyais library (6 decimals),
so that values compare equal with it.

Each kind has two forms of its conversion: ``expr``, a Python expression over ``x`` (the raw
integer) that ``codegen`` inlines into the generated fast decoders, and ``decode``, the same
as a function for the general path. ``tests/ais/test_kinds.py`` checks the two agree.
"""

from __future__ import annotations

import math
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass

Value = int | float | bool | str | bytes | None

# The AIS 6-bit character set: values 0-31 are '@A-Z[\]^_', 32-63 are ' !"#...?'.
SIXBIT_CHARS = "".join(chr(v + 64) if v < 32 else chr(v) for v in range(64))
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# base64 digits are 6-bit groups too: after b64encode, one translate gives AIS text.
_B64_TO_TEXT = bytes.maketrans(_B64_ALPHABET, SIXBIT_CHARS.encode("ascii"))


def _chars(raw: int, nchars: int) -> str:
    pad = -nchars % 4
    packed = (raw << (6 * pad)).to_bytes((nchars + pad) * 3 // 4, "big")
    return b64encode(packed)[:nchars].translate(_B64_TO_TEXT).decode("ascii")


def text(raw: int, nchars: int) -> str:
    """Decode ``nchars`` 6-bit characters held in ``raw``; trailing '@' and blanks go."""
    return _chars(raw, nchars).rstrip("@").strip()


def text_partial(raw: int, nbits: int) -> str:
    """Text from a field cut short: ``nbits`` bits, the last character possibly partial.

    The partial character keeps its bits unshifted, as the pyais library does, so that
    truncated messages decode the same with both.
    """
    whole, rest = divmod(nbits, 6)
    chars = _chars(raw >> rest, whole) if whole else ""
    if rest:
        chars += SIXBIT_CHARS[raw & ((1 << rest) - 1)]
    return chars.rstrip("@").strip()


def data_bytes(raw: int, nbits: int) -> bytes:
    """Binary data of ``nbits`` bits, left-aligned into whole bytes."""
    nbytes = (nbits + 7) // 8
    return (raw << (nbytes * 8 - nbits)).to_bytes(nbytes, "big")


def turn(x: int) -> float | None:
    """Rate of turn in degrees per minute from the ROT indicator (signed 8 bits).

    ROT_AIS = 4.733 * sqrt(ROT); +-127 mean turning faster than 5 degrees in 30 s with no
    turn indicator; -128 means not available.
    """
    if x == -128:
        return None
    if x == 0:
        return 0.0
    if x in (127, -127):
        return float(x)
    return math.copysign(round((x / 4.733) ** 2), x)


def turn_raw(value: float) -> int:
    """The ROT indicator for a rate in degrees per minute (the inverse of ``turn``)."""
    if not value:
        return 0
    if abs(value) == 127:  # no rate of turn decodes to exactly 127: this is the +-127 flag
        return int(value)
    return int(math.copysign(min(126, round(4.733 * math.sqrt(abs(value)))), value))


def _degrees(divisor: int) -> tuple[str, Callable[[int], float], Callable[[object], int]]:
    # The nearest whole multiple of 1e-6 degree: never a tie for divisors 600, 60000, 600000.
    two_div = 2 * divisor
    expr = f"((2000000 * x + {divisor}) // {two_div}) / 1e6"

    def decode(x: int) -> float:
        return ((2000000 * x + divisor) // two_div) / 1e6

    def encode(value: object) -> int:
        return round(float(value) * divisor)  # type: ignore[arg-type]

    return expr, decode, encode


@dataclass(frozen=True, slots=True)
class Kind:
    """How one kind of field is read and written."""

    name: str
    pytype: str  # 'int', 'float', 'bool', 'str', 'bytes' or '' for spare bits
    signed: bool
    expr: str  # over x, the raw integer; '' for text, data and spare
    decode: Callable[[int], Value]
    encode: Callable[[object], int]
    doc: str


def _int(value: object) -> int:
    return int(value)  # type: ignore[call-overload, no-any-return]


def _scaled(divisor: int) -> tuple[str, Callable[[int], float], Callable[[object], int]]:
    def decode(x: int) -> float:
        return x / divisor

    def encode(value: object) -> int:
        return round(float(value) * divisor)  # type: ignore[arg-type]

    return f"x / {divisor}", decode, encode


def _offset(
    scale: float, offset: float, ndigits: int
) -> tuple[str, Callable[[int], float], Callable[[object], int]]:
    def decode(x: int) -> float:
        return round(x * scale + offset, ndigits)

    def encode(value: object) -> int:
        return round((float(value) - offset) / scale)  # type: ignore[arg-type]

    return f"round(x * {scale} + {offset}, {ndigits})", decode, encode


def _plus(offset: int) -> tuple[str, Callable[[int], int], Callable[[object], int]]:
    def decode(x: int) -> int:
        return x + offset

    def encode(value: object) -> int:
        return _int(value) - offset

    return f"x + {offset}", decode, encode


def _build() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}

    def add(
        name: str,
        pytype: str,
        signed: bool,
        form: tuple[str, Callable[[int], Value], Callable[[object], int]],
        doc: str,
    ) -> None:
        expr, decode, encode = form
        kinds[name] = Kind(name, pytype, signed, expr, decode, encode, doc)

    ident: tuple[str, Callable[[int], Value], Callable[[object], int]] = ("x", int, _int)
    add("u", "int", False, ident, "unsigned integer")
    add("i", "int", True, ident, "signed integer")
    add("b", "bool", False, ("x != 0", bool, _int), "flag")
    add("f", "float", False, ("float(x)", float, lambda v: round(float(v))), "unsigned, unscaled")  # type: ignore[arg-type]
    add("f10", "float", False, _scaled(10), "unsigned, in tenths")
    add("F10", "float", True, _scaled(10), "signed, in tenths")
    add("f100", "float", False, _scaled(100), "unsigned, in hundredths")
    add("rot", "float", True, ("turn(x)", turn, lambda v: turn_raw(float(v))), "rate of turn")  # type: ignore[arg-type]
    add("deg", "float", True, _degrees(600000), "degrees, sent in 1/10000 minute")
    add("deg600", "float", True, _degrees(600), "degrees, sent in 1/10 minute")
    add("deg60k", "float", True, _degrees(60000), "degrees, sent in 1/1000 minute")
    add("air60", "float", False, _offset(0.1, -60.0, 1), "degrees C, 0.1 steps from -60")
    add("dew20", "float", False, _offset(0.1, -20.0, 1), "degrees C, 0.1 steps from -20")
    add("wl10", "float", False, _offset(0.1, -10.0, 1), "0.1 steps from -10")
    add("wl31", "float", False, _offset(0.01, -10.0, 2), "metres, 0.01 steps from -10")
    add("p800", "int", False, _plus(800), "hPa, sent as value - 800")
    add("p799", "int", False, _plus(799), "hPa, sent as value - 799")
    none: tuple[str, Callable[[int], Value], Callable[[object], int]] = ("", int, _int)
    add("t", "str", False, none, "6-bit text")
    add("d", "bytes", False, none, "binary data")
    add("_", "", False, none, "spare or reserved bits, not decoded")
    return kinds


KINDS: dict[str, Kind] = _build()
