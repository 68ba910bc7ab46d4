"""Ed25519 keys of the log and of the parties, and the text forms they travel in.

The forms are those of C2SP signed notes (the Go ``note`` package's):

    verifier key   <name>+<key id, 8 hex digits>+<base64(0x01 || 32-byte public key)>
    signer key     PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte seed)>

where the key id is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``. A party's one key
signs its ledger entries and cosigns checkpoints; the cosignature's key id is computed the
same way with the type byte 0x04 (C2SP tlog-cosignature), so one verifier key line serves
both. A public keys file holds verifier keys one per line (blank lines and ``#`` comments
are ignored); parties exchange such files and keep their signer keys to themselves.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Final

import nacl.exceptions
import nacl.signing
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shade.errors import InputError

ED25519: Final = 0x01
COSIGNATURE: Final = 0x04
_NAME: Final = re.compile(r"[^\s+]+")


class LedgerKeyError(InputError):
    """A key that cannot be read or used."""


def check_key_name(name: str) -> str:
    """``name`` if it can name a key (non-empty; no spaces, no '+'); LedgerKeyError otherwise."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise LedgerKeyError(f"key name {name!r}: non-empty, with no spaces and no '+'")
    return name


def key_id(name: str, kind: int, public: bytes) -> bytes:
    """The 4-byte key id of a key of signature type ``kind``."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    """A named Ed25519 public key."""

    name: str
    public: bytes  # 32 bytes

    def id(self, kind: int = ED25519) -> bytes:
        return key_id(self.name, kind, self.public)

    @cached_property
    def _key(self) -> nacl.signing.VerifyKey:
        # Made once per key: a verifier checks a hundred thousand entries with one key.
        return nacl.signing.VerifyKey(self.public)

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``.

        Checked with libsodium (PyNaCl) rather than OpenSSL (``cryptography``, which makes
        the keys and signs): on the machines measured it verifies in about 55% of the
        time, and verifying a whole exported ledger is mostly that (bench/ledger.py).
        libsodium is the stricter of the two (it refuses small-order keys and
        non-canonical points): a signature it accepts, any RFC 8032 verifier accepts.
        """
        if len(signature) != 64:
            return False
        try:
            self._key.verify(message, signature)
        except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
            return False
        return True

    @property
    def text(self) -> str:
        data = base64.b64encode(bytes([ED25519]) + self.public).decode()
        return f"{self.name}+{self.id().hex()}+{data}"


class SignerKey:
    """A named Ed25519 private key (held by the one who signs)."""

    def __init__(self, name: str, private: Ed25519PrivateKey) -> None:
        self.name = check_key_name(name)
        self._private = private
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = VerifierKey(name, public)

    @classmethod
    def generate(cls, name: str) -> SignerKey:
        return cls(name, Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    @property
    def text(self) -> str:
        seed = self._private.private_bytes_raw()
        data = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id().hex()}+{data}"

    def __repr__(self) -> str:
        return f"SignerKey({self.name!r})"  # never the key itself


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise LedgerKeyError(f"{what}: the key data is not base64") from None


def _parts(text: str, what: str) -> tuple[str, bytes, bytes]:
    # The name has no "+" (the key data may): split from the left.
    name, hexid, data = text.split("+", 2) if text.count("+") >= 2 else ("", "", "")
    if not name or not re.fullmatch(r"[0-9a-f]{8}", hexid):
        raise LedgerKeyError(f"{what}: expected NAME+KEYID+DATA")
    check_key_name(name)
    raw = _b64(data, what)
    if len(raw) != 33 or raw[0] != ED25519:
        raise LedgerKeyError(f"{what}: not an Ed25519 key (type byte 0x01 and 32 bytes)")
    return name, bytes.fromhex(hexid), raw[1:]


def parse_verifier(text: str) -> VerifierKey:
    """A verifier key from its text form; LedgerKeyError saying what is wrong."""
    text = text.strip()
    if text.startswith("PRIVATE+KEY+"):
        raise LedgerKeyError("that is a private (signer) key: give the public key")
    name, wanted, public = _parts(text, f"verifier key {text[:40]!r}")
    key = VerifierKey(name, public)
    if key.id() != wanted:
        raise LedgerKeyError(f"verifier key {name!r}: its key id does not match its key")
    return key


def parse_signer(text: str) -> SignerKey:
    """A signer key from its text form; LedgerKeyError saying what is wrong (never the key)."""
    text = text.strip()
    if not text.startswith("PRIVATE+KEY+"):
        raise LedgerKeyError("not a signer key (it starts PRIVATE+KEY+)")
    name, wanted, seed = _parts(text[len("PRIVATE+KEY+") :], "signer key")
    key = SignerKey(name, Ed25519PrivateKey.from_private_bytes(seed))
    if key.verifier.id() != wanted:
        raise LedgerKeyError(f"signer key {name!r}: its key id does not match its key")
    return key


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LedgerKeyError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise LedgerKeyError(f"{path}: not {what}") from None


def read_signer(path: Path) -> SignerKey:
    text = _read(path, "a key file")
    try:
        return parse_signer(text)
    except LedgerKeyError as exc:
        raise LedgerKeyError(f"{path}: {exc.message}") from None


class KeyRing(Mapping[str, VerifierKey]):
    """Verifier keys by name: whom a verifier trusts."""

    def __init__(self, keys: Iterable[VerifierKey] = ()) -> None:
        self._keys: dict[str, VerifierKey] = {}
        for key in keys:
            held = self._keys.get(key.name)
            if held is not None and held != key:
                raise LedgerKeyError(f"two different keys named {key.name!r}")
            self._keys[key.name] = key

    def __getitem__(self, name: str) -> VerifierKey:
        return self._keys[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def text(self) -> str:
        return "".join(f"{key.text}\n" for key in self._keys.values())


def parse_keyring(text: str, where: str = "keys") -> KeyRing:
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            keys.append(parse_verifier(line))
        except LedgerKeyError as exc:
            raise LedgerKeyError(f"{where}, line {number}: {exc.message}") from None
    return KeyRing(keys)


def read_keyring(path: Path) -> KeyRing:
    """The verifier keys of a public keys file."""
    return parse_keyring(_read(path, "a text file of keys"), str(path))
