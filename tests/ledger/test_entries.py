"""Signed entries: the record's bytes, what they sign, and refusals."""

from __future__ import annotations

import base64
import json

import pytest

from shade.ledger import RecordError, SignerKey, read_record, sign_entry, verify_record
from shade.ledger.canonical import encode
from shade.ledger.entries import DOMAIN
from tests.ledger.build import entry, keys


def test_a_record_is_the_canonical_entry_its_key_id_and_signature() -> None:
    k = keys()
    record = sign_entry(entry(7), k.nato)
    value = json.loads(record.data)
    assert set(value) == {"entry", "key", "sig"}
    assert value["entry"] == {
        "v": 1,
        "seq": 7,
        "kind": "hotline.message",
        "party": "nato",
        "author": "nato-watch",
        "at": "2026-01-15T06:07:00Z",
        "salt": record.entry.salt,
        "body": entry(7).body,
    }
    assert (
        len(record.entry.salt) == 32
        and record.entry.salt != sign_entry(entry(7), k.nato).entry.salt
    )
    assert value["key"] == k.nato.verifier.id().hex()
    signed = DOMAIN + encode(value["entry"])
    assert k.nato.verifier.verify(base64.b64decode(value["sig"]), signed)
    again = read_record(record.data)
    assert again.entry == record.entry and again.leaf == record.leaf
    verify_record(again, k.ring)


def test_an_entry_is_signed_by_its_own_party_only() -> None:
    k = keys()
    with pytest.raises(ValueError, match="signed with key 'plan'"):
        sign_entry(entry(1, "nato"), k.plan)


def test_a_key_of_the_right_name_but_not_the_one_known_is_unknown() -> None:
    k = keys()
    impostor = SignerKey.generate("nato")
    record = read_record(sign_entry(entry(1), impostor).data)
    with pytest.raises(RecordError) as raised:
        verify_record(record, k.ring)
    assert raised.value.reason == "unknown_key"


def test_a_changed_body_breaks_the_signature() -> None:
    k = keys()
    data = sign_entry(entry(1, text="alter course to starboard"), k.nato).data
    forged = read_record(data.replace(b"starboard", b"port"))
    with pytest.raises(RecordError) as raised:
        verify_record(forged, k.ring)
    assert raised.value.reason == "bad_signature"


@pytest.mark.parametrize(
    "value",
    [
        {"entry": {}, "key": "00000000", "sig": ""},
        {"entry": {"v": 2}, "key": "00000000", "sig": ""},
        {"key": "00000000", "sig": ""},
    ],
)
def test_malformed_records_are_refused(value: dict[str, object]) -> None:
    with pytest.raises(RecordError) as raised:
        read_record(encode(value))
    assert raised.value.reason == "malformed"


def test_a_record_with_a_wrong_seq_type_key_id_or_signature_length_is_malformed() -> None:
    k = keys()
    good = json.loads(sign_entry(entry(3), k.nato).data)
    for change in (
        {"entry": {**good["entry"], "seq": -1}},
        {"entry": {**good["entry"], "seq": True}},
        {"entry": {**good["entry"], "party": ""}},
        {"entry": {**good["entry"], "body": []}},
        {"entry": {**good["entry"], "salt": "short"}},
        {"key": "ABCDEF12"},
        {"key": "abc"},
        {"sig": good["sig"][:-4]},
        {"sig": "!" + good["sig"][1:]},
    ):
        with pytest.raises(RecordError) as raised:
            read_record(encode({**good, **change}))
        assert raised.value.reason == "malformed", change
