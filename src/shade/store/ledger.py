"""The ledger in the store (the SQL), and the Merkle tree it keeps in memory.

Entries are appended under the ledger's lock: SQLite's one writer (``BEGIN IMMEDIATE``),
and on PostgreSQL a transaction-scoped advisory lock, so two processes never take the
same place. The ``Book`` holds the tree of every leaf in the store (``shade.ledger.Tree``),
brought up to date from the table before each use: entries are never changed, so the
leaves after the last one it holds are all it needs to read. An append extends the tree
inside the writing transaction (the checkpoint signed there needs the new root) and a
rollback cuts it back; both happen under the book's lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, delete, func, insert, literal, select

from shade.ledger import (
    Checkpoint,
    Entry,
    Note,
    Record,
    Signers,
    Tree,
    parse_note,
    sign_checkpoint,
    sign_entry,
)
from shade.ledger.entries import redacted
from shade.store import accounts
from shade.store.schema import (
    ledger_checkpoints,
    ledger_cosignatures,
    ledger_entries,
    ledger_readers,
)
from shade.tracks.export import iso

if TYPE_CHECKING:
    from shade.store.store import Store

# Any fixed number, other than the migrations': ledger appends, one at a time.
_LEDGER_LOCK: Final = 0x5AAD1E


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str  # the log's signed note, with every cosignature the store holds
    signed_at: datetime
    cosigners: tuple[str, ...]


class Book:
    """The tree of the stored log, kept in memory, and the lock appends take."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tree = Tree()

    def sync(self, connection: Connection) -> Tree:
        """The tree with every leaf stored (call with ``lock`` held)."""
        rows = connection.execute(
            select(ledger_entries.c.seq, ledger_entries.c.leaf)
            .where(ledger_entries.c.seq >= self.tree.size)
            .order_by(ledger_entries.c.seq)
        )
        for seq, leaf in rows:
            if seq != self.tree.size:
                raise RuntimeError(f"the ledger has no entry {self.tree.size} (next is {seq})")
            self.tree.append(bytes(leaf))
        return self.tree

    def truncate(self, size: int) -> None:
        """Forget the leaves from ``size`` on (a rolled-back append)."""
        if self.tree.size > size:
            self.tree = Tree(self.tree.leaf(i) for i in range(size))


class Appender:
    """Appends within one writing transaction (see ``Store.ledger_writing``)."""

    def __init__(self, connection: Connection, book: Book, signers: Signers) -> None:
        self.connection = connection
        self.signers = signers
        self._book = book
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LEDGER_LOCK})")
        self.base = book.sync(connection).size
        self.appended: list[Record] = []

    @property
    def size(self) -> int:
        return self._book.tree.size

    def leaf(self, seq: int) -> bytes:
        """The leaf hash of entry ``seq`` (the tree is up to date under the lock)."""
        return self._book.tree.leaf(seq)

    def append(
        self,
        kind: str,
        party: str,
        author: str,
        at: datetime,
        body: dict[str, Any],
        readers: Iterable[str],
    ) -> Record:
        """Sign and store one entry at the log's end; ``readers``: the parties that may
        read it. LedgerKeyError if the party's key is not held here."""
        key = self.signers.party(party)
        entry = Entry(self.size, kind, party, author, iso(at) or "", body)
        record = sign_entry(entry, key)
        self.connection.execute(
            insert(ledger_entries).values(
                seq=entry.seq,
                kind=kind,
                party=party,
                at=at,
                leaf=record.leaf,
                record=record.data,
            )
        )
        rows = [{"party": reader, "seq": entry.seq} for reader in sorted(set(readers))]
        if rows:
            self.connection.execute(insert(ledger_readers), rows)
        self._book.tree.append(record.leaf)
        self.appended.append(record)
        return record

    def checkpoint(self, at: datetime) -> Note:
        """Sign and store the checkpoint of the log as it is now."""
        log = self.signers.log_key()
        tree = self._book.tree
        note = sign_checkpoint(Checkpoint(log.name, tree.size, tree.root()), log)
        self.connection.execute(
            insert(ledger_checkpoints).values(
                size=tree.size, root=tree.root(), note=note.encoded, signed_at=at
            )
        )
        return note


def latest_checkpoint(connection: Connection, size: int | None = None) -> StoredCheckpoint | None:
    """The checkpoint of that size (the largest if None), with its cosignatures."""
    query = select(ledger_checkpoints)
    if size is None:
        query = query.order_by(ledger_checkpoints.c.size.desc()).limit(1)
    else:
        query = query.where(ledger_checkpoints.c.size == size)
    row = connection.execute(query).first()
    if row is None:
        return None
    note = parse_note(row.note)
    lines = connection.execute(
        select(ledger_cosignatures.c.party, ledger_cosignatures.c.line)
        .where(ledger_cosignatures.c.size == row.size)
        .order_by(ledger_cosignatures.c.party)
    ).all()
    encoded = note.encoded + "".join(line for _, line in lines)
    return StoredCheckpoint(
        row.size, bytes(row.root), encoded, row.signed_at, tuple(p for p, _ in lines)
    )


def put_cosignature(connection: Connection, size: int, party: str, line: str, at: datetime) -> None:
    connection.execute(
        delete(ledger_cosignatures).where(
            ledger_cosignatures.c.size == size, ledger_cosignatures.c.party == party
        )
    )
    connection.execute(insert(ledger_cosignatures).values(size=size, party=party, line=line, at=at))


def last_cosigned(connection: Connection, party: str) -> StoredCheckpoint | None:
    """The largest checkpoint the party cosigned."""
    size = connection.scalar(
        select(func.max(ledger_cosignatures.c.size)).where(ledger_cosignatures.c.party == party)
    )
    return None if size is None else latest_checkpoint(connection, int(size))


def size(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(ledger_entries)) or 0)


def lines(
    connection: Connection, start: int, end: int, party: str | None
) -> Iterator[tuple[int, bytes, bool]]:
    """(seq, line, readable) of entries start..end-1 as an export gives them: the record
    where ``party`` may read it (every record when ``party`` is None), else the redacted
    line with its leaf hash."""
    readable: Any = literal(True)
    if party is not None:
        readable = (
            select(ledger_readers.c.seq)
            .where(ledger_readers.c.party == party, ledger_readers.c.seq == ledger_entries.c.seq)
            .exists()
        )
    query = (
        select(ledger_entries.c.seq, ledger_entries.c.leaf, ledger_entries.c.record, readable)
        .where(ledger_entries.c.seq >= start, ledger_entries.c.seq < end)
        .order_by(ledger_entries.c.seq)
    )
    for seq, leaf, record, may in connection.execute(query):
        yield (seq, bytes(record), True) if may else (seq, redacted(seq, bytes(leaf)), False)


class LedgerRecords:
    """The ledger as the rest of SHADE reads it: ``store.ledger``."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def checkpoint(self, size: int | None = None) -> StoredCheckpoint | None:
        """The latest signed checkpoint (of that size, if given), with its cosignatures."""
        with self._store.reading() as connection:
            return latest_checkpoint(connection, size)

    def size(self) -> int:
        with self._store.reading() as connection:
            return size(connection)

    def _tree(self) -> Tree:
        with self._store.book.lock, self._store.reading() as connection:
            return self._store.book.sync(connection)

    def inclusion_proof(self, seq: int, tree_size: int) -> list[bytes]:
        """The audit path of entry ``seq`` in the tree of ``tree_size`` (ProofError if
        there is no such entry or tree)."""
        with self._store.book.lock:
            return self._tree().inclusion_proof(seq, tree_size)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        with self._store.book.lock:
            return self._tree().consistency_proof(old, new)

    def leaf(self, seq: int) -> bytes | None:
        with self._store.book.lock:
            tree = self._tree()
            return tree.leaf(seq) if 0 <= seq < tree.size else None

    def lines(
        self, party: str | None, start: int = 0, end: int | None = None, chunk: int = 10_000
    ) -> Iterator[tuple[int, bytes, bool]]:
        """(seq, line, readable) of entries start..end-1 (to the end if None), as an export
        for ``party`` gives them (None: every record), read ``chunk`` at a time."""
        end = self.size() if end is None else end
        for first in range(start, end, chunk):
            with self._store.reading() as connection:
                found = list(lines(connection, first, min(first + chunk, end), party))
            yield from found

    def add_cosignature(
        self, size: int, party: str, line: str, at: datetime, *, actor: str, remote: str | None
    ) -> None:
        """Keep a party's cosignature of the checkpoint of ``size`` (checked by the caller),
        replacing an earlier one of that party for that size; audited."""
        with self._store.writing() as connection:
            put_cosignature(connection, size, party, line, at)
            accounts.write_audit(
                connection, accounts.now(), actor, "ledger.cosign", party, {"size": size}, remote
            )

    def last_cosigned(self, party: str) -> StoredCheckpoint | None:
        with self._store.reading() as connection:
            return last_cosigned(connection, party)
