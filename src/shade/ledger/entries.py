"""Ledger entries: what a party put on the record, signed with its key.

An entry is the canonical value (``shade.ledger.canonical``)

    {"v": 1, "seq": N, "kind": K, "party": P, "author": A, "at": T, "salt": S,
     "body": {...}}

``seq`` its place in the log (0 for the first), ``kind`` what it is (``hotline.message``,
``hotline.ack`` ...), ``party`` the party whose key signs it, ``author`` the user who made
it, ``at`` its UTC time (ISO 8601), ``salt`` 128 random bits (32 hex digits), ``body`` the
kind's fields. The salt is there for the parties that may not read an entry: they get its
leaf hash only (to check the tree), and without the salt a short, predictable body (a
standard phrase) could be found again from its hash by trying them all. The party signs, with
Ed25519, the bytes ``shade/ledger/entry/v1`` + newline + the entry's canonical bytes. The
record that goes into the log (and is hashed as its Merkle leaf) is the canonical

    {"entry": {...}, "key": "<the party key's id, 8 hex digits>", "sig": "<base64>"}

so the tree commits to the signature too. Carrying ``seq`` inside what is signed lets a
verifier name the entry that is out of place when one is removed, added or moved.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from shade.errors import InputError
from shade.ledger.canonical import CanonicalError, decode, encode
from shade.ledger.keys import SignerKey, VerifierKey
from shade.ledger.merkle import leaf_hash

VERSION: Final = 1
DOMAIN: Final = b"shade/ledger/entry/v1\n"
_FIELDS: Final = ("v", "seq", "kind", "party", "author", "at", "salt", "body")
_SALT: Final = re.compile(r"[0-9a-f]{32}")


class RecordError(InputError):
    """A record that is malformed, signed by an unknown key, or not signed rightly.

    ``reason`` is one of ``malformed``, ``unknown_key``, ``bad_signature``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def new_salt() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    kind: str
    party: str
    author: str
    at: str  # UTC ISO 8601, as shade.tracks.export.iso writes it
    body: dict[str, Any]
    salt: str = field(default_factory=new_salt)

    def value(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "seq": self.seq,
            "kind": self.kind,
            "party": self.party,
            "author": self.author,
            "at": self.at,
            "salt": self.salt,
            "body": self.body,
        }


@dataclass(frozen=True)
class Record:
    """A signed entry as it is in the log: ``data`` its canonical bytes."""

    entry: Entry
    key_id: bytes
    signature: bytes
    data: bytes

    @cached_property
    def leaf(self) -> bytes:
        return leaf_hash(self.data)


def signed_message(entry: Entry) -> bytes:
    return DOMAIN + encode(entry.value())


def sign_entry(entry: Entry, key: SignerKey) -> Record:
    """The record of ``entry`` signed by its party's key (CanonicalError for a body with no
    canonical form; ValueError for another party's key)."""
    if key.name != entry.party:
        raise ValueError(f"entry of party {entry.party!r} signed with key {key.name!r}")
    signature = key.sign(signed_message(entry))
    key_id = key.verifier.id()
    data = encode(
        {"entry": entry.value(), "key": key_id.hex(), "sig": base64.b64encode(signature).decode()}
    )
    return Record(entry, key_id, signature, data)


def read_record(data: bytes) -> Record:
    """A record from its bytes; RecordError ``malformed`` saying what is wrong."""
    try:
        value = decode(data)
    except CanonicalError as exc:
        raise RecordError("malformed", exc.message) from None
    if not isinstance(value, dict) or set(value) != {"entry", "key", "sig"}:
        raise RecordError("malformed", "a record has exactly entry, key and sig")
    entry, key, sig = value["entry"], value["key"], value["sig"]
    if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
        raise RecordError("malformed", f"an entry has exactly {', '.join(_FIELDS)}")
    if entry["v"] != VERSION:
        raise RecordError("malformed", f"entry version {entry['v']!r}, not {VERSION}")
    seq = entry["seq"]
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise RecordError("malformed", f"seq {seq!r} is not a place in the log")
    for name in ("kind", "party", "author", "at"):
        if not isinstance(entry[name], str) or not entry[name]:
            raise RecordError("malformed", f"the entry's {name} is not a text")
    if not isinstance(entry["body"], dict):
        raise RecordError("malformed", "the entry's body is not an object")
    if not isinstance(entry["salt"], str) or not _SALT.fullmatch(entry["salt"]):
        raise RecordError("malformed", "the entry's salt is not 32 hex digits")
    try:
        key_id = bytes.fromhex(key) if isinstance(key, str) and len(key) == 8 else b""
        signature = base64.b64decode(sig, validate=True) if isinstance(sig, str) else b""
    except (ValueError, binascii.Error):
        key_id = signature = b""
    if (
        len(key_id) != 4
        or key_id.hex() != key
        or len(signature) != 64
        or base64.b64encode(signature).decode() != sig
    ):
        raise RecordError("malformed", "the record's key id or signature is malformed")
    fields = (entry["kind"], entry["party"], entry["author"], entry["at"])
    parsed = Entry(seq, *fields, body=entry["body"], salt=entry["salt"])
    return Record(parsed, key_id, signature, data)


def _entry_bytes(record: Record) -> bytes:
    """The canonical bytes of the record's entry, cut from the record's own: in canonical
    form the record is ``{"entry":<entry>,"key":"<8 hex>","sig":"<88 base64>"}``."""
    data = record.data
    end = len(data) - len(',"key":"00000000","sig":"') - 88 - 2
    if data.startswith(b'{"entry":') and data[end : end + 8] == b',"key":"':
        return data[len(b'{"entry":') : end]
    return encode(record.entry.value())  # a record made here, not read: encode it


def verify_record(record: Record, keys: Mapping[str, VerifierKey]) -> None:
    """RecordError unless the record is signed by the key its party has in ``keys``."""
    party = record.entry.party
    key = keys.get(party)
    if key is None or key.id() != record.key_id:
        raise RecordError("unknown_key", f"signed by a key of {party!r} that is not known")
    if not key.verify(record.signature, DOMAIN + _entry_bytes(record)):
        raise RecordError("bad_signature", f"the signature of {party!r} does not verify")


def redacted(seq: int, leaf: bytes) -> bytes:
    """The line that stands for entry ``seq`` in an export for a party that may not read
    it: its leaf hash alone."""
    return encode({"redacted": leaf.hex(), "seq": seq})


def read_redacted(data: bytes) -> tuple[int, bytes]:
    """(seq, leaf hash) of a redacted line; RecordError ``malformed`` otherwise."""
    try:
        value = decode(data)
    except CanonicalError as exc:
        raise RecordError("malformed", exc.message) from None
    if not isinstance(value, dict) or set(value) != {"redacted", "seq"}:
        raise RecordError("malformed", "a redacted entry has exactly redacted and seq")
    leaf, seq = value["redacted"], value["seq"]
    if not isinstance(leaf, str) or not re.fullmatch(r"[0-9a-f]{64}", leaf):
        raise RecordError("malformed", "a redacted entry's leaf hash is 64 hex digits")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise RecordError("malformed", f"seq {seq!r} is not a place in the log")
    return seq, bytes.fromhex(leaf)
