"""The tables of the store, as SQLAlchemy Core sees them, and how times are kept in them.

The migrations in ``migrations/versions`` create these tables; ``tests/store/test_schema.py``
checks that the two agree. Times are UTC everywhere: ``timestamptz`` on PostgreSQL, whole
microseconds since 1970-01-01 UTC on SQLite (an integer sorts, indexes and compares fast and
keeps every microsecond, which SQLite's own date functions would not). Either way a time
comes back as an aware UTC datetime.

    segments    the history: each vessel's accepted points, packed a write (and ten
                minutes) to a row (``shade.store.segments``), by vessel and time
    sources     the receiving stations and feeds the history's points name, by id
    aside       points kept out of the history, with the reason
    vessels     one row per MMSI: its latest point (latest by time wins) and its static
                fields (each field overwritten by the last message that carried it)
    events      what the detectors found, one row per event id in its newest state
    users       accounts: name, party, role, admin, disabled, argon2 password hash
    tokens      API tokens: public id, owner, label, SHA-256 digest, when used, revoked
    audit       every change to the tables above (and release rules): who, when, what,
                from where; append-only
    release_rules   what each party releases to each other party, as plain fields
    ledger_entries  the signed record (``shade.ledger``): each entry's canonical bytes and
                    Merkle leaf hash, by place; append-only
    ledger_readers  which parties may read each entry (the others see its leaf hash only)
    ledger_checkpoints  a signed checkpoint of every size the log has had
    ledger_cosignatures the parties' cosignatures of checkpoints
    hotline_channels, hotline_members   channels and the parties in each
    hotline_messages    every message sent, with its ledger place and its phrase
    hotline_receipts    per message and receiving party: delivered, read, acknowledged,
                        escalated
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Boolean,
    Column,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from shade.times import EPOCH, MICROSECOND, from_micros, to_micros
from shade.tracks.model import Point


def as_utc(at: datetime) -> datetime:
    """The same instant with ``datetime.UTC`` as its zone; a naive datetime is taken as UTC."""
    if at.tzinfo is UTC:
        return at
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime: ``timestamptz`` on PostgreSQL, integer microseconds on SQLite."""

    impl = TIMESTAMP(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(TIMESTAMP(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return to_micros(value) if dialect.name == "sqlite" else as_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return from_micros(value) if dialect.name == "sqlite" else as_utc(value)

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None]:
        # The picture reads tens of thousands of times at once: one plain function per
        # value, not the generic chain through process_result_value.
        epoch, micro = EPOCH, MICROSECOND
        if dialect.name == "sqlite":
            return lambda value: None if value is None else epoch + value * micro
        return lambda value: value if value is None or value.tzinfo is UTC else as_utc(value)


# SQLite makes an INTEGER PRIMARY KEY the rowid (no separate index); PostgreSQL gets BIGINT.
ROW_ID = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()


def point_columns() -> list[Column[Any]]:
    """The columns of a table of points, a row each (``aside``)."""
    return [
        Column("id", ROW_ID, primary_key=True, autoincrement=True),
        Column("mmsi", Integer, nullable=False),
        Column("at", UtcDateTime, nullable=False),
        Column("lat", Float, nullable=False),
        Column("lon", Float, nullable=False),
        Column("speed", Float),
        Column("course", Float),
        Column("heading", SmallInteger),
        Column("status", SmallInteger),
        Column("msg_type", SmallInteger, nullable=False),
        Column("source", Text),
    ]


# The point columns in the order of ``tracks.model.Point`` (id aside).
POINT_COLUMNS: tuple[str, ...] = Point._fields

# Times of segments are integer microseconds on both backends, as in their points' records.
# AUTOINCREMENT: SQLite never gives an id twice, so the next one can number a write.
segments = Table(
    "segments",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("mmsi", Integer, nullable=False),
    Column("t0", BigInteger, nullable=False),  # the first point's time
    Column("t1", BigInteger, nullable=False),  # the last point's time
    Column("n", Integer, nullable=False),  # how many points
    Column("points", LargeBinary, nullable=False),
    # A vessel's track between two times, and its latest point at or before a time.
    Index("ix_segments_mmsi_t0", "mmsi", "t0"),
    # All the history in time order, a page at a time (``Store.points_between``).
    Index("ix_segments_t0", "t0", "id"),
    sqlite_autoincrement=True,
)

sources = Table(
    "sources",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Index("ux_sources_name", "name", unique=True),
)

aside = Table(
    "aside",
    metadata,
    *point_columns(),
    Column("reason", String(32), nullable=False),
    Index("ix_aside_mmsi_at", "mmsi", "at"),
)

vessels = Table(
    "vessels",
    metadata,
    Column("mmsi", Integer, primary_key=True, autoincrement=False),
    # The latest accepted point; all null until the vessel's first point.
    Column("at", UtcDateTime),
    Column("lat", Float),
    Column("lon", Float),
    Column("speed", Float),
    Column("course", Float),
    Column("heading", SmallInteger),
    Column("status", SmallInteger),
    Column("msg_type", SmallInteger),
    Column("source", Text),
    # Static and voyage fields (tracks.model.STATIC_FIELDS).
    Column("shipname", Text),
    Column("callsign", Text),
    Column("imo", Integer),
    Column("ship_type", SmallInteger),
    Column("to_bow", SmallInteger),
    Column("to_stern", SmallInteger),
    Column("to_port", SmallInteger),
    Column("to_starboard", SmallInteger),
    Column("destination", Text),
    Column("eta", UtcDateTime),
    Column("draught", Float),
    # Overall length and beam in metres: to_bow + to_stern and to_port + to_starboard when
    # AIS gives both halves; as given by sources that only know the sums (MarineCadastre).
    Column("length", SmallInteger),
    Column("width", SmallInteger),
    Index("ix_vessels_at", "at"),
)

# Point columns of the vessels table, then the static ones, as ``tracks.model.Vessel`` has them.
VESSEL_POINT_COLUMNS = POINT_COLUMNS[1:]

# One row per event (``detect.events.Event``), replaced by each newer state of the same id.
# Events have one vessel or two, so each has a column (b null for one): filtering by MMSI
# or party is then a plain, exact comparison on both backends, and an event is one row to
# upsert. The figures and the geometry are JSON text, read back as they were written.
events = Table(
    "events",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime),  # null while the event is open
    Column("mmsi_a", Integer, nullable=False),
    Column("mmsi_b", Integer),
    Column("party_a", Text),  # the party of mmsi_a, null if neutral
    Column("party_b", Text),
    Column("geometry", Text),  # GeoJSON geometry, or null
    Column("figures", Text, nullable=False),  # a JSON object
    Index("ix_events_start_at", "start_at"),
    Index("ix_events_kind_start_at", "kind", "start_at"),
    Index("ix_events_mmsi_a", "mmsi_a"),
    Index("ix_events_mmsi_b", "mmsi_b"),
    # Open events (end_at null), and those that end after a time: what a window on recent
    # times overlaps, which the start alone does not narrow down.
    Index("ix_events_end_at", "end_at"),
)

# Accounts (``shade.accounts``). A name is unique as written (names are lower case).
users = Table(
    "users",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("party", Text),  # a party id; null only for a server-wide admin
    Column("role", String(32), nullable=False),
    Column("admin", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("password", Text, nullable=False),  # the argon2 encoded hash, never the password
    Column("created_at", UtcDateTime, nullable=False),
    Index("ux_users_name", "name", unique=True),
)

# The id is the public part of the token; digest is SHA-256 of the whole token (hex).
tokens = Table(
    "tokens",
    metadata,
    Column("id", Text, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("label", Text, nullable=False),
    Column("digest", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),  # null while the token works
    Index("ix_tokens_user_id", "user_id"),
)

# Written in the transaction of the change it records; never updated nor deleted.
audit = Table(
    "audit",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("remote", Text),
    Column("detail", Text, nullable=False),  # a JSON object
    Index("ix_audit_at", "at"),
)

# A signed-in browser: found by SHA-256 of its cookie's secret (hex), never the secret.
# csrf is the value the page must send back on every change.
sessions = Table(
    "sessions",
    metadata,
    Column("digest", Text, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("csrf", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("remote", Text),
    Index("ix_sessions_user_id", "user_id"),
    Index("ix_sessions_expires_at", "expires_at"),
)

# What ``owner`` releases to ``viewer`` (party ids), kept as plain values: the rules
# themselves (``shade.access``) give them meaning. minutes and nm are null when the mode
# does not use them.
release_rules = Table(
    "release_rules",
    metadata,
    Column("owner", Text, primary_key=True),
    Column("viewer", Text, primary_key=True),
    Column("mode", Text, nullable=False),
    Column("minutes", Integer),
    Column("nm", Float),
    Column("events", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", Text, nullable=False),
)

# The ledger. seq is the entry's place in the log (0 for the first), set by the writer
# under the ledger's lock; record is the entry's canonical bytes (the Merkle leaf's data).
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("party", Text, nullable=False),  # the author party, whose key signed it
    Column("at", UtcDateTime, nullable=False),
    Column("leaf", LargeBinary, nullable=False),  # SHA-256(0x00 || record)
    Column("record", LargeBinary, nullable=False),
)

ledger_readers = Table(
    "ledger_readers",
    metadata,
    Column("party", Text, primary_key=True),
    Column("seq", BigInteger, ForeignKey("ledger_entries.seq"), primary_key=True),
)

# note: the checkpoint as the log signed it (its signature alone; cosignatures apart).
ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
)

# line: the note signature line as the party signed it (C2SP tlog-cosignature).
ledger_cosignatures = Table(
    "ledger_cosignatures",
    metadata,
    Column("size", BigInteger, ForeignKey("ledger_checkpoints.size"), primary_key=True),
    Column("party", Text, primary_key=True),
    Column("line", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

hotline_channels = Table(
    "hotline_channels",
    metadata,
    Column("id", Text, primary_key=True),  # random: an id says nothing of others
    Column("name", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
)

hotline_members = Table(
    "hotline_members",
    metadata,
    Column("channel_id", Text, ForeignKey("hotline_channels.id"), primary_key=True),
    Column("party", Text, primary_key=True),
    Index("ix_hotline_members_party", "party"),
)

# key: the sender's idempotency key; a retry with the same key finds this row.
hotline_messages = Table(
    "hotline_messages",
    metadata,
    Column("id", Text, primary_key=True),
    Column("channel_id", Text, ForeignKey("hotline_channels.id"), nullable=False),
    Column("seq", BigInteger, ForeignKey("ledger_entries.seq"), nullable=False),
    Column("party", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("author_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("key", Text),
    Column("precedence", String(16), nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("deadline_at", UtcDateTime, nullable=False),
    Column("phrase", Text),
    Column("params", Text),  # a JSON object, or null
    Column("text", Text),
    Column("english", Text),
    Column("chinese", Text),
    Column("event_id", Text),
    Column("event", Text),  # the event as it was when sent (JSON), or null
    UniqueConstraint("author_id", "key", name="ux_hotline_messages_key"),
    Index("ux_hotline_messages_seq", "seq", unique=True),
    Index("ix_hotline_messages_channel", "channel_id", "sent_at"),
)

hotline_receipts = Table(
    "hotline_receipts",
    metadata,
    Column("message_id", Text, ForeignKey("hotline_messages.id"), primary_key=True),
    Column("party", Text, primary_key=True),
    Column("deadline_at", UtcDateTime, nullable=False),  # the message's: for the sweep
    Column("delivered_at", UtcDateTime),
    Column("read_at", UtcDateTime),
    Column("read_by", Text),
    Column("acked_at", UtcDateTime),
    Column("acked_by", Text),
    Column("ack_seq", BigInteger),
    Column("level", SmallInteger, nullable=False),
    Column("escalated_at", UtcDateTime),
    # The sweep's question: which are still unacknowledged, by deadline.
    Index("ix_hotline_receipts_open", "acked_at", "deadline_at"),
)
