"""Checkpoints (C2SP tlog-checkpoint): the log's size and root hash, signed as a note.

    <origin>
    <size>
    <base64 root hash>

signed by the log's key (named as the origin, Ed25519 note signature) and cosigned by the
parties that vouch for it (C2SP tlog-cosignature): a party cosigns a checkpoint only after
checking it is consistent with the last one it cosigned, so a log that rewrote history
would have to show two signed checkpoints that no consistency proof joins.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from shade.ledger.keys import SignerKey, VerifierKey
from shade.ledger.merkle import HASH_SIZE
from shade.ledger.notes import (
    Note,
    NoteError,
    cosign,
    cosignature_time,
    parse_note,
    sign,
    verify,
    verify_cosignature,
)

_SIZE: Final = re.compile(r"0|[1-9][0-9]{0,18}")


class CheckpointError(NoteError):
    """A checkpoint that cannot be read, or that its log did not sign."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    @property
    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
        raise CheckpointError("a checkpoint's text is three or more non-empty lines")
    origin, size, root = lines[0], lines[1], lines[2]
    if not _SIZE.fullmatch(size):
        raise CheckpointError(f"checkpoint size {size[:30]!r} is not a number")
    try:
        raw = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != HASH_SIZE or base64.b64encode(raw).decode() != root:
        raise CheckpointError("a checkpoint's root hash is 32 bytes in base64")
    return Checkpoint(origin, int(size), raw)


def sign_checkpoint(checkpoint: Checkpoint, log: SignerKey) -> Note:
    if log.name != checkpoint.origin:
        raise ValueError(f"the log key {log.name!r} does not sign for {checkpoint.origin!r}")
    return Note(checkpoint.text, (sign(checkpoint.text, log),))


def add_cosignature(note: Note, key: SignerKey, timestamp: int) -> Note:
    """The note with the party's cosignature (replacing an earlier one of the same key)."""
    return note.with_signature(cosign(note.text, key, timestamp))


@dataclass(frozen=True, slots=True)
class Opened:
    """A checkpoint whose log signature verified, and who cosigned it (name: time)."""

    checkpoint: Checkpoint
    note: Note
    cosigners: dict[str, int]


def open_checkpoint(encoded: str, keys: Mapping[str, VerifierKey]) -> Opened:
    """The checkpoint of a signed note, checked: the log (the key named as the origin)
    must have signed it; every other signature by a known key must be a valid
    cosignature (as the note format asks: one that fails spoils the note); signatures of
    keys not known are ignored. CheckpointError saying what is wrong."""
    note = parse_note(encoded)
    checkpoint = parse_checkpoint(note.text)
    log = keys.get(checkpoint.origin)
    if log is None:
        raise CheckpointError(f"no key of the log {checkpoint.origin!r} among the keys given")
    signed = False
    cosigners: dict[str, int] = {}
    for signature in note.signatures:
        key = keys.get(signature.name)
        if key is None:
            continue
        if key == log and signature.key_id == log.id():
            if not verify(note.text, signature, log):
                raise CheckpointError(f"the signature of the log {log.name!r} does not verify")
            signed = True
        elif signature.key_id == key.id(0x04):
            if not verify_cosignature(note.text, signature, key):
                raise CheckpointError(f"the cosignature of {key.name!r} does not verify")
            timestamp = cosignature_time(signature)
            assert timestamp is not None  # verified
            cosigners[key.name] = timestamp
    if not signed:
        raise CheckpointError(f"the checkpoint is not signed by the log {checkpoint.origin!r}")
    return Opened(checkpoint, note, cosigners)
