"""The canonical bytes of a ledger value: what is signed, hashed and exported.

A value is JSON restricted so that it has exactly one encoding (the JSON Canonicalization
Scheme of RFC 8785 for this subset):

- objects whose keys are lower-case ASCII names (``[a-z0-9_]``, at most 64), in byte order;
- strings of Unicode text (no lone surrogates), written as UTF-8 with only ``"``, ``\\``
  and the control characters escaped (``\\b \\t \\n \\f \\r``, the others as ``\\u00xx``);
- integers of at most 53 bits (what every JSON reader keeps exactly), booleans, null,
  arrays;
- no numbers with a fraction: figures such as a CPA of 0.342 nm are carried as decimal
  strings ("0.342"), so no reader's rounding can change what was signed;
- no whitespace between tokens.

``encode`` refuses anything else (``CanonicalError`` saying where); ``decode`` takes bytes
back to the value and refuses bytes that are not exactly its canonical encoding.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from shade.errors import InputError

MAX_INTEGER: Final = 2**53 - 1
_KEY: Final = re.compile(r"[a-z0-9_]{1,64}")


class CanonicalError(InputError):
    """A value with no canonical encoding, or bytes that are not one."""


def encode(value: Any) -> bytes:
    """The canonical bytes of ``value``."""
    check(value)
    return _dumps(value)


def _dumps(value: Any) -> bytes:
    # Python's encoder with these options writes exactly RFC 8785's form for the subset
    # ``check`` admits (it escapes as JCS does and sorts keys by code point, which for
    # ASCII keys is byte order).
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    ).encode("utf-8")


def _no_fraction(text: str) -> Any:
    raise CanonicalError(f"{text} has a fraction: carry it as a decimal string")


def _no_constant(text: str) -> Any:
    raise CanonicalError(f"{text} is not a ledger value")


def _integer(text: str) -> int:
    number = int(text)
    if not -MAX_INTEGER <= number <= MAX_INTEGER:
        raise CanonicalError(f"integer {number} is beyond 53 bits")
    return number


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    for key, _ in pairs:
        if not _KEY.fullmatch(key):
            raise CanonicalError(f"key {key!r} is not a lower-case ASCII name")
    return dict(pairs)


def decode(data: bytes) -> Any:
    """The value whose canonical bytes ``data`` are; CanonicalError otherwise."""
    # The reader's hooks refuse what the subset has not (fractions, NaN, wide integers,
    # other keys) as it reads, without walking the value again; what is left to check is
    # that these are the value's own canonical bytes (sorted keys, no spaces, no escapes
    # not needed, no key twice) and that every string is text (no lone surrogate).
    try:
        value = json.loads(
            data.decode("utf-8"),
            parse_float=_no_fraction,
            parse_constant=_no_constant,
            parse_int=_integer,
            object_pairs_hook=_object,
        )
        again = _dumps(value)
    except UnicodeError:
        raise CanonicalError("a string that is not Unicode text") from None
    except CanonicalError:
        raise
    except ValueError as exc:
        raise CanonicalError(f"not JSON: {exc}") from None
    if again != data:
        raise CanonicalError("JSON, but not in canonical form")
    return value


def check(value: Any, where: str = "$") -> None:
    """CanonicalError unless ``value`` is in the canonical subset."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise CanonicalError(f"{where}: integer {value} is beyond 53 bits")
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CanonicalError(f"{where}: a string that is not Unicode text") from None
        return
    if isinstance(value, float):
        raise CanonicalError(f"{where}: {value!r} has a fraction: carry it as a decimal string")
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not _KEY.fullmatch(key):
                raise CanonicalError(f"{where}: key {key!r} is not a lower-case ASCII name")
            check(item, f"{where}.{key}")
        return
    raise CanonicalError(f"{where}: {type(value).__name__} is not a ledger value")


def decimal(value: float | int | None, digits: int | None = None) -> str | None:
    """A number as the decimal string a ledger value carries (None stays None): the
    shortest text that reads back as the same float, or ``digits`` after the point."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CanonicalError(f"{value!r} is not a number")
    if value != value or value in (float("inf"), float("-inf")):
        raise CanonicalError(f"{value!r} is not a finite number")
    if digits is not None:
        return f"{value:.{digits}f}"
    return str(value) if isinstance(value, int) else repr(float(value))
