"""Ledgers for tests: keys of a log and two parties, signed entries, an export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shade.ledger import (
    Checkpoint,
    Entry,
    KeyRing,
    Record,
    SignerKey,
    Tree,
    sign_checkpoint,
    sign_entry,
)
from shade.ledger.export import write_export

ORIGIN = "shade.test/ledger"


@dataclass
class Keys:
    log: SignerKey
    nato: SignerKey
    plan: SignerKey

    @property
    def ring(self) -> KeyRing:
        return KeyRing(k.verifier for k in (self.log, self.nato, self.plan))


def keys() -> Keys:
    return Keys(SignerKey.generate(ORIGIN), SignerKey.generate("nato"), SignerKey.generate("plan"))


def entry(seq: int, party: str = "nato", text: str = "") -> Entry:
    return Entry(
        seq,
        "hotline.message",
        party,
        f"{party}-watch",
        f"2026-01-15T06:{seq % 60:02d}:00Z",
        {"text": text or f"message {seq}: keep clear 请保持距离", "precedence": "FLASH"},
    )


def records(k: Keys, count: int, start: int = 0, salt: str = "") -> list[Record]:
    out = []
    for seq in range(start, start + count):
        party = "nato" if seq % 3 else "plan"
        key = k.nato if party == "nato" else k.plan
        out.append(sign_entry(entry(seq, party, salt + f"message {seq}" if salt else ""), key))
    return out


def checkpoint_of(k: Keys, recs: list[Record]) -> str:
    tree = Tree(r.leaf for r in recs)
    return sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), k.log).encoded


def export(directory: Path, k: Keys, recs: list[Record]) -> Path:
    write_export(directory, [r.data for r in recs], checkpoint_of(k, recs))
    return directory
