"""What users do on the hotline: ``check_*`` validates and raises, ``do_*`` writes through
the store (which tells the live streams once the transaction is committed).

Who may do what (``Role``): any user of a party sees its channels; a watch officer or
above sends and acknowledges; a liaison officer or above (or a server admin) opens a
channel. A channel the user's party is not in is answered as one that does not exist.

A message about an event carries the event as it was (its figures, positions and
parties) to every party of the channel. It may do so only if each receiving party may see
the event already, the sender's own units apart: by sending, the sender releases what the
event says of its own units, and nothing of anyone else's (``check_event``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from shade.access import Mode, Release, ReleaseRules, Viewer, event_visible
from shade.accounts import Role, User
from shade.config import Settings
from shade.detect.events import Event, event_json
from shade.errors import ForbiddenError, InputError, NotFoundError
from shade.hotline import escalation
from shade.hotline.model import Channel, Draft, Escalation, Message, Precedence, Receipt
from shade.hotline.phrases import render
from shade.ledger import Signers, decimal
from shade.tracks.export import iso

if TYPE_CHECKING:
    from shade.store import Store

MAX_TEXT: Final = 2000
MAX_NAME: Final = 120
MAX_KEY: Final = 128


def check_member(channel: Channel | None, user: User, channel_id: str) -> Channel:
    """The channel if the user's party is in it; NotFoundError (as for none) otherwise."""
    if channel is None or user.party is None or user.party not in channel.parties:
        raise NotFoundError(f"no channel {channel_id!r}")
    return channel


def check_officer(user: User) -> None:
    if user.party is None or not user.role.at_least(Role.WATCH_OFFICER):
        raise ForbiddenError("only a watch officer (or above) of a party sends or acknowledges")


def _printable(text: str, most: int, what: str) -> str:
    text = text.strip()
    if not text:
        raise InputError(f"{what} is empty")
    if len(text) > most:
        raise InputError(f"{what} is longer than {most} characters")
    if any(not (c.isprintable() or c in "\n\t") for c in text):
        raise InputError(f"{what} holds a control character")
    return text


def check_channel(
    name: str, parties: Iterable[str], user: User, known: Iterable[str]
) -> tuple[str, tuple[str, ...]]:
    """(name, parties) of a channel the user may open: two or more parties of this server,
    the user's own among them (a server admin may open any)."""
    if not user.admin and (user.party is None or not user.role.at_least(Role.LIAISON_OFFICER)):
        raise ForbiddenError("only a liaison officer (or above) or a server admin opens a channel")
    wanted = tuple(sorted(set(parties)))
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise InputError(f"no party {', '.join(map(repr, unknown))} on this server")
    if len(wanted) < 2:
        raise InputError("a channel joins two or more parties")
    if not user.admin and user.party not in wanted:
        raise ForbiddenError("a party opens channels it is in")
    return _printable(name, MAX_NAME, "a channel name"), wanted


def check_draft(
    precedence: str,
    phrase: str | None,
    params: Mapping[str, Any] | None,
    text: str | None,
    key: str | None,
) -> Draft:
    """A message as it will be sent (without its event): a precedence, and a standard
    phrase with its parameters, or free text, or both."""
    try:
        wanted = Precedence(precedence.upper())
    except ValueError:
        choices = ", ".join(p.value for p in Precedence)
        raise InputError(f"precedence {precedence!r}: use one of {choices}") from None
    if phrase is None and not (text and text.strip()):
        raise InputError("a message needs a standard phrase or a text")
    if phrase is None and params:
        raise InputError("parameters go with a standard phrase")
    rendered = render(phrase, params) if phrase is not None else None
    free = _printable(text, MAX_TEXT, "the text") if text and text.strip() else None
    if key is not None:
        key = _printable(key, MAX_KEY, "an idempotency key")
    return Draft(
        wanted,
        rendered.phrase if rendered else None,
        rendered.params if rendered else None,
        free,
        rendered.english if rendered else None,
        rendered.chinese if rendered else None,
        None,
        key,
    )


def check_event(
    event: Event | None,
    event_id: str,
    sender: str,
    receivers: Iterable[str],
    rules: ReleaseRules,
    party_of: Callable[[int], str | None],
    now: datetime,
) -> dict[str, Any]:
    """The event's JSON as the message will carry it, if the sender may send it to these
    receivers (see the module's docstring); NotFoundError for one the sender may not see
    (as for none), ForbiddenError for one a receiver may not be shown."""
    if event is None or not event_visible(Viewer(sender, rules, party_of), event, now):
        raise NotFoundError(f"no event {event_id!r}")
    own = Release(Mode.FULL, events=True)
    for receiver in receivers:
        released = rules.with_rule(sender, receiver, own)
        if not event_visible(Viewer(receiver, released, party_of), event, now):
            raise ForbiddenError(
                f"event {event_id!r} names units that {receiver!r} may not see: "
                "send the message without it"
            )
    return event_json(event)


def _ledger_value(value: Any) -> Any:
    """A JSON value with its numbers that have a fraction as decimal strings."""
    if isinstance(value, float):
        return decimal(value)
    if isinstance(value, dict):
        return {k: _ledger_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_ledger_value(v) for v in value]
    return value


def message_body(message: Message) -> dict[str, Any]:
    """The ledger entry's body of a message: all of it, as the receivers see it."""
    return {
        "message": message.id,
        "channel": message.channel,
        "to": [r.party for r in message.receipts],
        "precedence": message.precedence.value,
        "deadline": iso(message.deadline_at),
        "phrase": message.phrase,
        "params": _ledger_value(message.params),
        "text": message.text,
        "english": message.english,
        "chinese": message.chinese,
        "event": _ledger_value(message.event),
    }


def ack_body(message: Message, leaf: bytes) -> dict[str, Any]:
    """The ledger entry's body of an acknowledgement: which message, by its place and its
    leaf hash, so the acknowledgement is of exactly what was sent."""
    return {
        "message": message.id,
        "channel": message.channel,
        "message_seq": message.seq,
        "message_leaf": leaf.hex(),
    }


def do_open_channel(
    store: Store,
    name: str,
    parties: Iterable[str],
    user: User,
    known: Iterable[str],
    at: datetime,
    *,
    remote: str | None,
) -> Channel:
    name, members = check_channel(name, parties, user, known)
    channel = Channel(secrets.token_hex(8), name, members, at, user.name)
    return store.hotline.add_channel(channel, actor=f"user:{user.name}", remote=remote)


def do_send(
    store: Store,
    signers: Signers,
    channel: Channel,
    user: User,
    draft: Draft,
    settings: Settings,
    at: datetime,
    *,
    user_id: int,
    remote: str | None,
) -> tuple[Message, bool]:
    """Send: (the message, True) once it is committed and in the ledger; for a retry with
    the same idempotency key, (the message sent the first time, False)."""
    check_officer(user)
    assert user.party is not None
    message = Message(
        uuid.uuid4().hex,
        channel.id,
        -1,  # its place in the ledger, given there
        user.party,
        user.name,
        draft.precedence,
        at,
        at + draft.precedence.deadline(settings),
        draft.phrase,
        draft.params,
        draft.text,
        draft.english,
        draft.chinese,
        draft.event,
        tuple(Receipt(party) for party in channel.parties if party != user.party),
    )
    return store.hotline.send(
        channel, message, message_body(message), user_id, draft.key, signers, remote=remote
    )


def do_acknowledge(
    store: Store,
    signers: Signers,
    channel: Channel,
    message_id: str,
    user: User,
    at: datetime,
    *,
    remote: str | None,
) -> tuple[Message, bool]:
    """Acknowledge for the user's party: (the message, True) once committed and in the
    ledger; (the message, False) if the party had acknowledged it already."""
    check_officer(user)
    assert user.party is not None
    # The message is read, and its leaf found, in the acknowledgement's own transaction.
    return store.hotline.acknowledge(
        channel, message_id, user.party, user.name, at, ack_body, signers, remote=remote
    )


def do_read(
    store: Store, channel: Channel, message_id: str, user: User, at: datetime, *, remote: str | None
) -> Message:
    """Mark the message read by the user's party (the first reading counts)."""
    assert user.party is not None
    found = store.hotline.message(message_id)
    if found is None or found.channel != channel.id:
        raise NotFoundError(f"no message {message_id!r}")
    if found.receipt(user.party) is None:
        return found  # the sender's own message: nothing to mark
    marked = store.hotline.mark_read(message_id, user.party, user.name, at, remote=remote)
    return marked or found


def do_escalate(store: Store, now: datetime) -> list[Escalation]:
    """Take every escalation step due by ``now`` (see ``shade.hotline.escalation``)."""
    taken = []
    for message in store.hotline.unacknowledged(now):
        for receipt, level in escalation.due(message, now):
            if store.hotline.escalate(message, receipt.party, level, now) is not None:
                taken.append(Escalation(message.id, message.channel, receipt.party, level, now))
    return taken


def with_event(draft: Draft, event: dict[str, Any] | None) -> Draft:
    return replace(draft, event=event)
