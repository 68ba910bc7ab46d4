"""Verifying an exported ledger offline: every signature, every hash, the checkpoint, and
consistency with an older checkpoint a party kept.

``verify_export`` reads the export once, in order, and stops at the first fault: it names
the entry (its line, counted from 0 as entries are) and why. An export made for one party
holds, in place of each entry that party may not read, ``{"redacted": LEAF, "seq": N}``:
the entry's Merkle leaf hash, which lets the tree be checked (the entry's salt keeps the
hash from telling what it holds), but not the signature. The reasons:

    malformed               a line that is not a canonical record
    out_of_place            an entry whose seq is not its line: one removed, added or moved
    unknown_key             signed by a key the verifier was not given for that party
    bad_signature           the party's signature does not verify
    checkpoint              the checkpoint cannot be read, or the log did not sign it (or a
                            known party's cosignature on it does not verify)
    checkpoint_size         the export holds more or fewer entries than the checkpoint says
    checkpoint_root         the entries do not hash to the checkpoint's root
    old_checkpoint          the older checkpoint cannot be read or the log did not sign it
    inconsistent            the older checkpoint is not a prefix of this log: the history
                            was rewritten (two signed checkpoints no proof can join)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shade.errors import InputError
from shade.ledger.checkpoint import Checkpoint, Opened, open_checkpoint
from shade.ledger.entries import RecordError, read_record, read_redacted, verify_record
from shade.ledger.export import entries_path, read_checkpoint, read_lines
from shade.ledger.keys import VerifierKey
from shade.ledger.merkle import Tree, verify_consistency
from shade.ledger.notes import NoteError


@dataclass(frozen=True, slots=True)
class Fault:
    reason: str
    message: str
    entry: int | None = None  # the first bad entry, when one is to blame

    def __str__(self) -> str:
        where = f"entry {self.entry}: " if self.entry is not None else ""
        return f"{where}{self.message} ({self.reason})"


@dataclass
class Report:
    entries: int = 0
    redacted: int = 0  # entries seen only as their leaf hash
    by_party: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    checkpoint: Checkpoint | None = None
    cosigners: dict[str, int] = field(default_factory=dict)
    older: Checkpoint | None = None  # the older checkpoint found consistent
    fault: Fault | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None


Progress = Callable[[int], None]  # bytes of the entries file read so far


def verify_export(
    directory: Path,
    keys: Mapping[str, VerifierKey],
    older: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Verify the export in ``directory`` with ``keys`` (and the text of an older
    checkpoint). InputError only for a directory that is not an export at all."""
    report = Report()
    path = entries_path(directory)
    try:
        opened = open_checkpoint(read_checkpoint(directory), keys)
    except (NoteError, InputError) as exc:
        report.fault = Fault("checkpoint", exc.message)
        return report
    report.checkpoint, report.cosigners = opened.checkpoint, opened.cosigners
    kept: Opened | None = None
    if older is not None:
        try:
            kept = open_checkpoint(older, keys)
        except (NoteError, InputError) as exc:
            report.fault = Fault("old_checkpoint", exc.message)
            return report
        if kept.checkpoint.origin != opened.checkpoint.origin:
            report.fault = Fault(
                "old_checkpoint",
                f"the older checkpoint is of the log {kept.checkpoint.origin!r}, "
                f"this export of {opened.checkpoint.origin!r}",
            )
            return report
    tree = Tree()
    read = 0
    for index, line in enumerate(read_lines(path)):
        read += len(line) + 1
        found = _entry(index, line, keys, report)
        if isinstance(found, Fault):
            report.fault = found
            return report
        tree.append(found)
        if progress is not None and index % 4096 == 4095:
            progress(read)
    report.entries = tree.size
    if progress is not None:
        progress(read)
    report.fault = _tree_fault(tree, opened.checkpoint, kept)
    if report.fault is None and kept is not None:
        report.older = kept.checkpoint
    return report


def _place(index: int, seq: int) -> Fault | None:
    if seq == index:
        return None
    if seq > index:
        hint = "an entry is missing before it, or entries were moved"
    else:
        hint = "it is there twice, or entries were moved"
    return Fault("out_of_place", f"it says it is entry {seq}: {hint}", index)


def _entry(
    index: int, line: bytes, keys: Mapping[str, VerifierKey], report: Report
) -> bytes | Fault:
    """The entry's leaf hash, or what is wrong with it."""
    if line.startswith(b'{"redacted":'):
        try:
            seq, leaf = read_redacted(line)
        except RecordError as exc:
            return Fault(exc.reason, exc.message, index)
        report.redacted += 1
        return _place(index, seq) or leaf
    try:
        record = read_record(line)
    except RecordError as exc:
        return Fault(exc.reason, exc.message, index)
    misplaced = _place(index, record.entry.seq)
    if misplaced is not None:
        return misplaced
    try:
        verify_record(record, keys)
    except RecordError as exc:
        return Fault(exc.reason, exc.message, index)
    report.by_party[record.entry.party] += 1
    report.by_kind[record.entry.kind] += 1
    return record.leaf


def _tree_fault(tree: Tree, checkpoint: Checkpoint, kept: Opened | None) -> Fault | None:
    size = tree.size
    if size != checkpoint.size:
        missing = "entries are missing at the end" if size < checkpoint.size else "extra entries"
        return Fault(
            "checkpoint_size",
            f"the export holds {size:,} entries, the checkpoint says {checkpoint.size:,}: "
            f"{missing}",
            min(size, checkpoint.size),
        )
    if tree.root() != checkpoint.root:
        return Fault("checkpoint_root", "the entries do not hash to the checkpoint's root")
    if kept is None:
        return None
    old = kept.checkpoint
    if old.size > size:
        return Fault(
            "inconsistent",
            f"the older checkpoint holds {old.size:,} entries, more than the {size:,} here: "
            "the log lost entries it had signed",
        )
    if tree.root(old.size) != old.root:
        return Fault(
            "inconsistent",
            f"the first {old.size:,} entries do not hash to the older checkpoint's root: "
            "the history was rewritten",
        )
    # What a party holding only the two checkpoints would check, from the log's proof.
    verify_consistency(
        old.size, size, old.root, checkpoint.root, tree.consistency_proof(old.size, size)
    )
    return None
