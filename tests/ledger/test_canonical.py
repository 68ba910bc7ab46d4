"""Canonical bytes: one encoding per value (RFC 8785 for the subset), refused otherwise."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shade.ledger.canonical import MAX_INTEGER, CanonicalError, decimal, decode, encode


def test_keys_are_sorted_and_there_is_no_whitespace() -> None:
    assert encode({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'


def test_text_is_utf8_with_only_quotes_backslashes_and_controls_escaped() -> None:
    # RFC 8785 3.2.2.2: \b \t \n \f \r by name, other controls as \u00xx, the rest as is.
    value = {"t": 'say "hi"\\\n\t\b\f\r\x01\x1f é 中文 \u2028 😀 /'}
    expected = '{"t":"say \\"hi\\"\\\\\\n\\t\\b\\f\\r\\u0001\\u001f é 中文 \u2028 😀 /"}'
    assert encode(value) == expected.encode()
    assert decode(expected.encode()) == value


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ({"cpa_nm": 0.342}, "decimal string"),
        ({"n": MAX_INTEGER + 1}, "53 bits"),
        ({"Upper": 1}, "lower-case"),
        ({"": 1}, "lower-case"),
        ({"a b": 1}, "lower-case"),
        ({1: 1}, "lower-case"),
        ({"s": "\ud800"}, "Unicode"),
        ({"x": b"bytes"}, "bytes"),
        ({"x": {1, 2}}, "set"),
    ],
)
def test_what_has_no_canonical_form_is_refused_saying_where(value: object, says: str) -> None:
    with pytest.raises(CanonicalError, match=says):
        encode(value)


@pytest.mark.parametrize(
    "data",
    [
        b'{"b":1,"a":2}',  # keys out of order
        b'{"a": 1}',  # whitespace
        b'{"a":1,"a":1}',  # a key twice
        b'{"a":"\\u0041"}',  # an escape not needed
        b'{"a":1.0}',  # a fraction
        b'{"a":NaN}',
        b'{"a":1e2}',
        b"\xff",
        b"",
        b'{"a":1}\n',
    ],
)
def test_bytes_that_are_not_the_canonical_encoding_are_refused(data: bytes) -> None:
    with pytest.raises(CanonicalError):
        decode(data)


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_INTEGER, max_value=MAX_INTEGER)
    | st.text(st.characters(exclude_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.from_regex(r"[a-z0-9_]{1,8}", fullmatch=True), children, max_size=4)
    ),
    max_leaves=12,
)


@given(values)
def test_encode_then_decode_round_trips_and_is_what_any_json_reader_reads(value: object) -> None:
    data = encode(value)
    assert decode(data) == value
    assert json.loads(data) == value
    assert encode(decode(data)) == data


def test_decimals_read_back_as_the_same_number() -> None:
    assert decimal(0.342) == "0.342"
    assert decimal(14) == "14"
    assert decimal(0.1 + 0.2) == "0.30000000000000004"
    assert decimal(2.0 / 3, 3) == "0.667"
    assert decimal(None) is None
    for bad in (float("nan"), float("inf"), True, "1"):
        with pytest.raises(CanonicalError):
            decimal(bad)  # type: ignore[arg-type]
