"""The hotline in the store (the SQL): channels and their parties, messages, receipts.

Every function takes the connection of a transaction the store opened. A message row and
its ledger entry are written in one transaction (``shade.store.store.Store.ledger_writing``),
so no message is ever kept without its place in the record, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, and_, insert, select, update

from shade.errors import InputError, NotFoundError
from shade.hotline.model import Change, Channel, Escalation, Level, Message, Precedence, Receipt
from shade.ledger import Signers
from shade.store import accounts
from shade.store.schema import (
    hotline_channels,
    hotline_members,
    hotline_messages,
    hotline_receipts,
)

if TYPE_CHECKING:
    from shade.store.store import Store


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _load(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def insert_channel(connection: Connection, channel: Channel) -> None:
    connection.execute(
        insert(hotline_channels).values(
            id=channel.id,
            name=channel.name,
            created_at=channel.created_at,
            created_by=channel.created_by,
        )
    )
    connection.execute(
        insert(hotline_members),
        [{"channel_id": channel.id, "party": party} for party in channel.parties],
    )


def select_channels(
    connection: Connection, party: str | None = None, channel_id: str | None = None
) -> list[Channel]:
    """Channels (of which ``party`` is a member, if given), by name then id."""
    query = select(hotline_channels)
    if party is not None:
        member = select(hotline_members.c.channel_id).where(hotline_members.c.party == party)
        query = query.where(hotline_channels.c.id.in_(member))
    if channel_id is not None:
        query = query.where(hotline_channels.c.id == channel_id)
    rows = connection.execute(query.order_by(hotline_channels.c.name, hotline_channels.c.id))
    channels = list(rows)
    if not channels:
        return []
    members: dict[str, list[str]] = {}
    ids = [row.id for row in channels]
    for channel_id_, party_ in connection.execute(
        select(hotline_members.c.channel_id, hotline_members.c.party).where(
            hotline_members.c.channel_id.in_(ids)
        )
    ):
        members.setdefault(channel_id_, []).append(party_)
    return [
        Channel(
            row.id, row.name, tuple(sorted(members.get(row.id, []))), row.created_at, row.created_by
        )
        for row in channels
    ]


def insert_message(
    connection: Connection, message: Message, author_id: int, key: str | None
) -> None:
    connection.execute(
        insert(hotline_messages).values(
            id=message.id,
            channel_id=message.channel,
            seq=message.seq,
            party=message.party,
            author=message.author,
            author_id=author_id,
            key=key,
            precedence=message.precedence.value,
            sent_at=message.sent_at,
            deadline_at=message.deadline_at,
            phrase=message.phrase,
            params=_json(message.params),
            text=message.text,
            english=message.english,
            chinese=message.chinese,
            event_id=None if message.event is None else message.event.get("id"),
            event=_json(message.event),
        )
    )
    connection.execute(
        insert(hotline_receipts),
        [
            {
                "message_id": message.id,
                "party": receipt.party,
                "deadline_at": message.deadline_at,
                "level": int(receipt.level),
            }
            for receipt in message.receipts
        ],
    )


def _receipt(row: Any) -> Receipt:
    return Receipt(
        row.party,
        row.delivered_at,
        row.read_at,
        row.read_by,
        row.acked_at,
        row.acked_by,
        row.ack_seq,
        Level(row.level),
        row.escalated_at,
    )


def _messages(connection: Connection, rows: Sequence[Any]) -> list[Message]:
    if not rows:
        return []
    receipts: dict[str, list[Receipt]] = {}
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):  # the bound parameters of one IN list
        found = connection.execute(
            select(hotline_receipts)
            .where(hotline_receipts.c.message_id.in_(ids[start : start + 500]))
            .order_by(hotline_receipts.c.party)
        )
        for row in found:
            receipts.setdefault(row.message_id, []).append(_receipt(row))
    return [
        Message(
            row.id,
            row.channel_id,
            row.seq,
            row.party,
            row.author,
            Precedence(row.precedence),
            row.sent_at,
            row.deadline_at,
            row.phrase,
            _load(row.params),
            row.text,
            row.english,
            row.chinese,
            _load(row.event),
            tuple(receipts.get(row.id, [])),
        )
        for row in rows
    ]


def select_message(connection: Connection, message_id: str) -> Message | None:
    rows = connection.execute(
        select(hotline_messages).where(hotline_messages.c.id == message_id)
    ).all()
    found = _messages(connection, rows)
    return found[0] if found else None


def message_by_key(connection: Connection, author_id: int, key: str) -> Message | None:
    rows = connection.execute(
        select(hotline_messages).where(
            hotline_messages.c.author_id == author_id, hotline_messages.c.key == key
        )
    ).all()
    found = _messages(connection, rows)
    return found[0] if found else None


def select_messages(
    connection: Connection,
    channel_ids: Iterable[str],
    before_seq: int | None = None,
    limit: int = 100,
    open_for: str | None = None,
) -> list[Message]:
    """Messages of these channels, newest first (by ledger place), before ``before_seq``;
    with ``open_for``, only those that party has not acknowledged."""
    query = select(hotline_messages).where(hotline_messages.c.channel_id.in_(list(channel_ids)))
    if before_seq is not None:
        query = query.where(hotline_messages.c.seq < before_seq)
    if open_for is not None:
        waiting = select(hotline_receipts.c.message_id).where(
            hotline_receipts.c.party == open_for, hotline_receipts.c.acked_at.is_(None)
        )
        query = query.where(hotline_messages.c.id.in_(waiting))
    rows = connection.execute(query.order_by(hotline_messages.c.seq.desc()).limit(limit)).all()
    return _messages(connection, rows)


def mark(
    connection: Connection, message_id: str, party: str, values: dict[str, Any], unset: str
) -> bool:
    """Set ``values`` on the party's receipt if its ``unset`` column is still null: whether
    it changed (the first delivery, reading or acknowledgement counts; a repeat does not)."""
    result = connection.execute(
        update(hotline_receipts)
        .where(
            hotline_receipts.c.message_id == message_id,
            hotline_receipts.c.party == party,
            hotline_receipts.c[unset].is_(None),
        )
        .values(**values)
    )
    return bool(result.rowcount)


def raise_level(
    connection: Connection, message_id: str, party: str, level: int, at: datetime
) -> bool:
    """Escalate the receipt to ``level`` if it is lower and still unacknowledged (another
    server may have done it already: then nothing changes)."""
    result = connection.execute(
        update(hotline_receipts)
        .where(
            hotline_receipts.c.message_id == message_id,
            hotline_receipts.c.party == party,
            hotline_receipts.c.acked_at.is_(None),
            hotline_receipts.c.level < level,
        )
        .values(level=level, escalated_at=at)
    )
    return bool(result.rowcount)


def unacknowledged(connection: Connection, due_by: datetime) -> list[Message]:
    """Messages with a receipt not acknowledged whose deadline is at or before ``due_by``."""
    waiting = select(hotline_receipts.c.message_id).where(
        and_(hotline_receipts.c.acked_at.is_(None), hotline_receipts.c.deadline_at <= due_by),
        hotline_receipts.c.level < int(Level.ADMINS),
    )
    rows = connection.execute(
        select(hotline_messages)
        .where(hotline_messages.c.id.in_(waiting))
        .order_by(hotline_messages.c.seq)
    ).all()
    return _messages(connection, rows)


class HotlineRecords:
    """The hotline as the rest of SHADE writes and reads it: ``store.hotline``. Every
    change is audited in its own transaction, and subscribers hear of it once committed."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add_channel(self, channel: Channel, *, actor: str, remote: str | None) -> Channel:
        with self._store.writing() as connection:
            insert_channel(connection, channel)
            detail = {"name": channel.name, "parties": list(channel.parties)}
            accounts.write_audit(
                connection, channel.created_at, actor, "hotline.channel", channel.id, detail, remote
            )
        self._store.tell([Change(frozenset(channel.parties), channel=channel)])
        return channel

    def channels(self, party: str | None = None) -> list[Channel]:
        with self._store.reading() as connection:
            return select_channels(connection, party)

    def channel(self, channel_id: str) -> Channel | None:
        with self._store.reading() as connection:
            found = select_channels(connection, channel_id=channel_id)
        return found[0] if found else None

    def message(self, message_id: str) -> Message | None:
        with self._store.reading() as connection:
            return select_message(connection, message_id)

    def messages(
        self,
        channel_ids: Iterable[str],
        before_seq: int | None = None,
        limit: int = 100,
        open_for: str | None = None,
    ) -> list[Message]:
        with self._store.reading() as connection:
            return select_messages(connection, channel_ids, before_seq, limit, open_for)

    def send(
        self,
        channel: Channel,
        message: Message,
        body: dict[str, Any],
        author_id: int,
        key: str | None,
        signers: Signers,
        *,
        remote: str | None,
    ) -> tuple[Message, bool]:
        """Store the message and append its entry (``body``) to the ledger, in one
        transaction with its checkpoint: (the message as stored, True). A message by the
        same author with the same idempotency ``key`` already stored is returned instead,
        with False, and nothing is written."""
        with self._store.ledger_writing(signers) as appender:
            connection = appender.connection
            if key is not None:
                found = message_by_key(connection, author_id, key)
                if found is not None:
                    return found, False
            record = appender.append(
                "hotline.message",
                message.party,
                message.author,
                message.sent_at,
                body,
                channel.parties,
            )
            message = replace(message, seq=record.entry.seq)
            insert_message(connection, message, author_id, key)
            appender.checkpoint(message.sent_at)
            detail = {"channel": channel.id, "seq": message.seq, "precedence": message.precedence}
            accounts.write_audit(
                connection,
                message.sent_at,
                f"user:{message.author}",
                "hotline.send",
                message.id,
                detail,
                remote,
            )
        self._store.tell([Change(frozenset(channel.parties), message=message)])
        return message, True

    def acknowledge(
        self,
        channel: Channel,
        message_id: str,
        party: str,
        user: str,
        at: datetime,
        body: Callable[[Message, bytes], dict[str, Any]],
        signers: Signers,
        *,
        remote: str | None,
    ) -> tuple[Message, bool]:
        """Record the party's acknowledgement (its entry ``body(message, leaf of the
        message's entry)`` appended to the
        ledger in the same transaction): (the message, True); (the message, False) if the
        party had acknowledged it already. NotFoundError for no such message, InputError
        for a party that is not one of its receivers."""
        with self._store.ledger_writing(signers) as appender:
            connection = appender.connection
            message = select_message(connection, message_id)
            if message is None or message.channel != channel.id:
                raise NotFoundError(f"no message {message_id!r}")
            receipt = message.receipt(party)
            if message.party == party:
                raise InputError("a party acknowledges the messages it receives, not its own")
            if receipt is None:
                raise InputError(f"party {party!r} is not a receiver of message {message_id!r}")
            if receipt.acked_at is not None:
                return message, False
            leaf = appender.leaf(message.seq)
            record = appender.append(
                "hotline.ack", party, user, at, body(message, leaf), channel.parties
            )
            values = {"acked_at": at, "acked_by": user, "ack_seq": record.entry.seq}
            mark(connection, message_id, party, values, "acked_at")
            appender.checkpoint(at)
            detail = {"party": party, "seq": record.entry.seq}
            accounts.write_audit(
                connection, at, f"user:{user}", "hotline.ack", message_id, detail, remote
            )
            message = select_message(connection, message_id)
            assert message is not None
        self._store.tell([Change(frozenset(channel.parties), message=message)])
        return message, True

    def _mark(
        self,
        message_id: str,
        party: str,
        values: dict[str, Any],
        unset: str,
        audit: tuple[str, str, str | None] | None,
    ) -> Message | None:
        with self._store.writing() as connection:
            if not mark(connection, message_id, party, values, unset):
                return None
            if audit is not None:
                actor, action, remote = audit
                at = values[unset]
                detail = {"party": party}
                accounts.write_audit(connection, at, actor, action, message_id, detail, remote)
            message = select_message(connection, message_id)
            channel = select_channels(connection, channel_id=message.channel) if message else []
        if message is not None and channel:
            self._store.tell([Change(frozenset(channel[0].parties), message=message)])
        return message

    def mark_read(
        self, message_id: str, party: str, user: str, at: datetime, *, remote: str | None
    ) -> Message | None:
        """The first reading by a user of the party: the message, or None if it had been
        read already (nothing written)."""
        values = {"read_at": at, "read_by": user}
        audit = (f"user:{user}", "hotline.read", remote)
        return self._mark(message_id, party, values, "read_at", audit)

    def mark_delivered(self, message_id: str, party: str, at: datetime) -> Message | None:
        """The first delivery to a screen of the party: the message, or None if it had
        been delivered already."""
        return self._mark(message_id, party, {"delivered_at": at}, "delivered_at", None)

    def escalate(self, message: Message, party: str, level: Level, at: datetime) -> Message | None:
        """Raise the party's receipt to ``level`` (audited, and told as a ``Change`` with
        an ``Escalation``); None if it was acknowledged or escalated meanwhile."""
        with self._store.writing() as connection:
            if not raise_level(connection, message.id, party, int(level), at):
                return None
            detail = {"party": party, "level": level.name.lower(), "channel": message.channel}
            accounts.write_audit(
                connection, at, "system:escalation", "hotline.escalate", message.id, detail, None
            )
            found = select_message(connection, message.id)
            channel = select_channels(connection, channel_id=message.channel)
        assert found is not None
        parties = frozenset(channel[0].parties) if channel else frozenset({party})
        step = Escalation(message.id, message.channel, party, level, at)
        self._store.tell([Change(parties, message=found), Change(parties, escalation=step)])
        return found

    def unacknowledged(self, due_by: datetime) -> list[Message]:
        with self._store.reading() as connection:
            return unacknowledged(connection, due_by)
