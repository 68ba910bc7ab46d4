"""The keys a server holds, in a directory of its own: the log's and its parties'.

    log.key             the log's signer key (named as the log's origin): signs checkpoints
    parties/<id>.key    the signer key of each party hosted here: signs its entries, and
                        cosigns checkpoints when one of its admins asks
    public-keys.txt     the verifier keys of all of them, rewritten at each change: the
                        file to hand to the other parties (``shade ledger verify --keys``)

Signer key files are made readable by their owner only. A party that keeps its key
elsewhere (it cosigns offline) is simply absent from ``parties/``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from shade.ledger.keys import KeyRing, LedgerKeyError, SignerKey, read_signer

LOG_KEY: Final = "log.key"
PARTY_KEYS: Final = "parties"
PUBLIC_KEYS: Final = "public-keys.txt"


@dataclass
class Signers:
    log: SignerKey | None = None
    parties: dict[str, SignerKey] = field(default_factory=dict)

    def party(self, party: str) -> SignerKey:
        """The party's signer key; LedgerKeyError (saying how to make one) if it is not here."""
        key = self.parties.get(party)
        if key is None:
            raise LedgerKeyError(
                f"party {party!r} has no signing key on this server "
                f"(shade keys generate --party {party})"
            )
        return key

    def log_key(self) -> SignerKey:
        if self.log is None:
            raise LedgerKeyError("this server has no log key (shade keys generate --log)")
        return self.log

    def keyring(self) -> KeyRing:
        """The verifier keys of every key held here."""
        held = [self.log] if self.log is not None else []
        return KeyRing(key.verifier for key in [*held, *self.parties.values()])


def load_signers(directory: Path) -> Signers:
    """The keys in ``directory`` (none if it does not exist); LedgerKeyError for a key file
    that cannot be read or whose name does not match its file."""
    signers = Signers()
    log = directory / LOG_KEY
    if log.is_file():
        signers.log = read_signer(log)
    parties = directory / PARTY_KEYS
    if parties.is_dir():
        for path in sorted(parties.glob("*.key")):
            key = read_signer(path)
            if key.name != path.stem:
                raise LedgerKeyError(f"{path}: the key is named {key.name!r}, not {path.stem!r}")
            signers.parties[key.name] = key
    return signers


# As shade.parties has party ids: a name that is also a safe file name.
_PARTY_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def check_party_id(party: str) -> str:
    if not _PARTY_ID.fullmatch(party) or party == "neutral":
        raise LedgerKeyError(
            f"party id {party!r}: 1 to 64 letters, digits, '-' or '_', as in the parties file"
        )
    return party


def _private_dir(path: Path) -> None:
    """Make ``path`` and its missing parents, each readable by the owner alone (mkdir's
    mode applies only to the last one made, and is cut by the umask)."""
    missing = []
    for parent in (path, *path.parents):
        if parent.exists():
            break
        missing.append(parent)
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
        directory.chmod(0o700)
    if not path.is_dir():
        raise LedgerKeyError(f"{path} is not a directory")


def generate_key(directory: Path, name: str, *, log: bool = False) -> SignerKey:
    """A new signer key, written to ``directory`` (made if need be, private to its owner),
    and the public keys file brought up to date. A key that exists, or a name another key
    of the directory has, is never replaced: LedgerKeyError, with nothing written."""
    if not log:
        check_party_id(name)
    key = SignerKey.generate(name)  # checks the name: no spaces, no '+'
    path = directory / LOG_KEY if log else directory / PARTY_KEYS / f"{name}.key"
    try:
        if path.exists():
            raise LedgerKeyError(f"{path} exists: a key is never replaced (remove it by hand)")
        held = load_signers(directory) if directory.is_dir() else Signers()
        if name in held.keyring():
            raise LedgerKeyError(f"{directory} holds a key named {name!r} already")
        _private_dir(path.parent)
        # Created readable by the owner alone, before anything is written into it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(key.text + "\n")
        write_public_keys(directory)
    except OSError as exc:
        raise LedgerKeyError(f"{exc.filename or directory}: {exc.strerror or exc}") from None
    return key


def write_public_keys(directory: Path) -> Path:
    """Rewrite ``public-keys.txt`` from the keys held in ``directory``."""
    path = directory / PUBLIC_KEYS
    text = "# SHADE ledger verifier keys: the log's and the parties'\n"
    partial = path.with_name(PUBLIC_KEYS + ".partial")
    partial.write_text(text + load_signers(directory).keyring().text, encoding="utf-8")
    partial.chmod(0o644)  # public, but written by the owner alone, whatever the umask
    partial.replace(path)
    return path
