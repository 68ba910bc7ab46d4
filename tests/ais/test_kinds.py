"""Each kind's inlined expression and its function give the same value, and encode inverts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shade.ais import kinds
from shade.ais.kinds import KINDS, Kind

NUMERIC = [k for k in KINDS.values() if k.expr]


@pytest.mark.parametrize("kind", NUMERIC, ids=lambda k: k.name)
@given(x=st.integers(-(1 << 27), (1 << 28) - 1))
def test_expression_equals_function(kind: Kind, x: int) -> None:
    namespace = {"x": x, "turn": kinds.turn}
    assert eval(kind.expr, namespace) == kind.decode(x)


@pytest.mark.parametrize("kind", NUMERIC, ids=lambda k: k.name)
@given(x=st.integers(-100000, 100000))
def test_encode_inverts_decode(kind: Kind, x: int) -> None:
    if kind.name == "rot" and not -126 <= x <= 126:
        return
    value = kind.decode(x)
    if kind.name == "rot":
        # Several indicators share one rate in whole degrees per minute.
        assert kind.decode(kind.encode(value)) == value
    else:
        assert kind.encode(value) == (x != 0 if kind.name == "b" else x)


def test_text_drops_trailing_at_signs_and_blanks() -> None:
    raw = int("".join(f"{kinds.SIXBIT_CHARS.index(c):06b}" for c in "AB C @@"), 2)
    assert kinds.text(raw, 7) == "AB C"
    assert kinds.text_partial(raw >> 2, 40) == "AB C"


def test_data_bytes_are_left_aligned() -> None:
    assert kinds.data_bytes(0b101, 3) == b"\xa0"
    assert kinds.data_bytes(0xABCD, 16) == b"\xab\xcd"
