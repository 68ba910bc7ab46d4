"""Signed notes (C2SP signed-note): a text, a blank line, then signature lines

    — <key name> <base64(4-byte key id || signature)>

Ed25519 signatures (type 0x01) sign the text itself. Cosignatures (type 0x04, C2SP
tlog-cosignature) sign ``cosignature/v1\\ntime <T>\\n`` followed by the text, and carry
the 8-byte big-endian time T before the signature.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from typing import Final

from shade.errors import InputError
from shade.ledger.keys import COSIGNATURE, ED25519, SignerKey, VerifierKey, check_key_name

_DASH: Final = "\u2014 "
MAX_SIGNATURES: Final = 64


class NoteError(InputError):
    """A note that is not a well-formed signed note."""


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: the key's name, its 4-byte id, and what follows it."""

    name: str
    key_id: bytes
    data: bytes  # the signature (type 0x01), or time and signature (type 0x04)

    @property
    def line(self) -> str:
        return f"{_DASH}{self.name} {base64.b64encode(self.key_id + self.data).decode()}\n"


@dataclass(frozen=True, slots=True)
class Note:
    text: str  # ends with a newline
    signatures: tuple[Signature, ...]

    @property
    def encoded(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)

    def with_signature(self, signature: Signature) -> Note:
        """The note with ``signature`` added, replacing one by the same key."""
        kept = tuple(
            s for s in self.signatures if (s.name, s.key_id) != (signature.name, signature.key_id)
        )
        return Note(self.text, (*kept, signature))


def parse_note(encoded: str) -> Note:
    """A note from its text; NoteError saying what is wrong."""
    if any(ord(c) < 0x20 and c != "\n" for c in encoded):
        raise NoteError("a note may hold no control character other than newline")
    if not encoded.endswith("\n"):
        raise NoteError("a note ends with a newline")
    split = encoded.rfind("\n\n")
    if split < 0:
        raise NoteError("no blank line between the text and the signatures")
    text, lines = encoded[: split + 1], encoded[split + 2 :].splitlines()
    if not lines:
        raise NoteError("a note without signatures")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        if not line.startswith(_DASH):
            raise NoteError(f"not a signature line: {line[:60]!r}")
        name, _, data = line[len(_DASH) :].partition(" ")
        try:
            check_key_name(name)
            raw = base64.b64decode(data, validate=True)
        except (InputError, binascii.Error, ValueError):
            raise NoteError(f"a malformed signature line: {line[:60]!r}") from None
        if len(raw) < 5 or base64.b64encode(raw).decode() != data:
            raise NoteError(f"a malformed signature line: {line[:60]!r}")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return Note(text, tuple(signatures))


def sign(text: str, key: SignerKey) -> Signature:
    """An Ed25519 note signature (type 0x01) of ``text``."""
    return Signature(key.name, key.verifier.id(ED25519), key.sign(text.encode()))


def verify(text: str, signature: Signature, key: VerifierKey) -> bool:
    """Whether ``signature`` is ``key``'s Ed25519 signature (type 0x01) of ``text``."""
    return (
        signature.name == key.name
        and signature.key_id == key.id(ED25519)
        and key.verify(signature.data, text.encode())
    )


def _cosigned(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, key: SignerKey, timestamp: int) -> Signature:
    """A timestamped cosignature (type 0x04) of a checkpoint's text."""
    if not 0 <= timestamp < 2**63:
        raise ValueError("a cosignature's time is a POSIX time below 2**63")
    data = struct.pack(">Q", timestamp) + key.sign(_cosigned(text, timestamp))
    return Signature(key.name, key.verifier.id(COSIGNATURE), data)


def cosignature_time(signature: Signature) -> int | None:
    """The time a cosignature line carries (None if it is too short to be one)."""
    if len(signature.data) != 8 + 64:
        return None
    (timestamp,) = struct.unpack(">Q", signature.data[:8])
    return int(timestamp)


def verify_cosignature(text: str, signature: Signature, key: VerifierKey) -> bool:
    """Whether ``signature`` is ``key``'s cosignature (type 0x04) of ``text``."""
    timestamp = cosignature_time(signature)
    return (
        timestamp is not None
        and timestamp < 2**63
        and signature.name == key.name
        and signature.key_id == key.id(COSIGNATURE)
        and key.verify(signature.data[8:], _cosigned(text, timestamp))
    )
