"""The values of the hotline: channels, messages, receipts, and what changes in them.

A channel joins two or more parties. A message is sent by a user of one of them and must be
acknowledged by each of the others: each receiving party has a ``Receipt`` that says when
the message was delivered to it (pushed to one of its users' screens), read (opened by one
of its users) and acknowledged (a deliberate act of one of its watch officers, which goes
into the ledger), and how far it was escalated while it was not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from shade.config import Settings


class Precedence(StrEnum):
    """Military message precedence, most urgent first."""

    FLASH = "FLASH"
    IMMEDIATE = "IMMEDIATE"
    PRIORITY = "PRIORITY"
    ROUTINE = "ROUTINE"

    def deadline(self, settings: Settings) -> timedelta:
        """How long the receivers have to acknowledge (hotline_<precedence>_minutes)."""
        minutes = getattr(settings, f"hotline_{self.value.lower()}_minutes")
        return timedelta(minutes=float(minutes))


class Level(IntEnum):
    """How far an unacknowledged message has been escalated, in the receiving party."""

    NONE = 0
    REMINDER = 1  # at the deadline: a reminder to the channel
    DUTY_OFFICER = 2  # one more deadline later: the party's duty officers
    ADMINS = 3  # one more again: the party's admins


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    name: str
    parties: tuple[str, ...]  # sorted
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class Receipt:
    party: str
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    read_by: str | None = None
    acked_at: datetime | None = None
    acked_by: str | None = None
    ack_seq: int | None = None  # the acknowledgement's place in the ledger
    level: Level = Level.NONE
    escalated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    channel: str
    seq: int  # its place in the ledger
    party: str  # the sender's party
    author: str  # the sender's user name
    precedence: Precedence
    sent_at: datetime
    deadline_at: datetime
    phrase: str | None
    params: dict[str, Any] | None
    text: str | None  # free text, as written
    english: str | None  # the phrase in English (None without a phrase)
    chinese: str | None
    event: dict[str, Any] | None  # the event it is about, as it was when sent
    receipts: tuple[Receipt, ...] = field(default=())

    def receipt(self, party: str) -> Receipt | None:
        return next((r for r in self.receipts if r.party == party), None)

    @property
    def acknowledged(self) -> bool:
        return all(r.acked_at is not None for r in self.receipts)


@dataclass(frozen=True, slots=True)
class Draft:
    """A message as checked, before it is sent."""

    precedence: Precedence
    phrase: str | None
    params: dict[str, Any] | None
    text: str | None
    english: str | None
    chinese: str | None
    event: dict[str, Any] | None
    key: str | None  # the client's idempotency key


@dataclass(frozen=True, slots=True)
class Escalation:
    """One escalation step taken: shown on the picture and written in the audit log."""

    message: str
    channel: str
    party: str  # the receiving party escalated within
    level: Level
    at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """What a committed hotline write changed, for the live streams: the channel or the
    message in its new state (receipts included), or an escalation step. ``parties`` are
    those who may see it: the channel's."""

    parties: frozenset[str]
    channel: Channel | None = None
    message: Message | None = None
    escalation: Escalation | None = None

    @property
    def key(self) -> str:
        if self.message is not None:
            return f"message:{self.message.id}"
        if self.channel is not None:
            return f"channel:{self.channel.id}"
        assert self.escalation is not None
        e = self.escalation
        return f"escalation:{e.message}:{e.party}:{int(e.level)}"
