"""The hotline: channels between parties, messages that must be acknowledged, receipts.

Thin: each route checks who asks (``shade.api.auth``), calls ``shade.hotline.actions``
and shapes the answer. A channel (or message) of which the user's party is not a member is
answered exactly as one that does not exist. A message is answered 201 only once it is
committed and in the ledger; a retry with the same idempotency key gets the first answer
again, with 200, and nothing is sent twice.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from shade.api.auth import Principal, access, liaison, officer, remote, server_of, signed_in
from shade.api.schemas import (
    ChannelIn,
    ChannelList,
    ChannelOut,
    MessageIn,
    MessageOut,
    MessagePage,
    Phrases,
    PreviewIn,
    PreviewOut,
)
from shade.api.server import Server
from shade.api.shapes import channel_out, json_answer, message_out
from shade.errors import InputError, NotFoundError
from shade.hotline import actions
from shade.hotline.model import Channel, Message
from shade.hotline.phrases import ACTIVITIES, SIDES, catalogue, render

router = APIRouter(prefix="/api/hotline", tags=["hotline"])
_ID_PATTERN = r"^[0-9a-f]{1,64}$"


def _id() -> Any:
    # A Path marker of its own for each parameter: FastAPI names a shared one after the
    # first parameter it met, and then asks the other routes for that name.
    return Path(pattern=_ID_PATTERN)


def _channel(server: Server, principal: Principal, channel_id: str) -> Channel:
    found = server.store.hotline.channel(channel_id)
    return actions.check_member(found, principal.user, channel_id)


def _message(server: Server, principal: Principal, message_id: str) -> tuple[Channel, Message]:
    found = server.store.hotline.message(message_id)
    if found is None:
        raise NotFoundError(f"no message {message_id!r}")
    try:
        channel = _channel(server, principal, found.channel)
    except NotFoundError:
        raise NotFoundError(f"no message {message_id!r}") from None
    return channel, found


@router.get("/phrases", response_model=Phrases, **access("signed_in"))
def phrases(principal: Principal = Depends(signed_in)) -> dict[str, Any]:
    """The standard phrases (English and Chinese) and their parameters."""
    return {
        "items": catalogue(),
        "activities": {k: list(v) for k, v in ACTIVITIES.items()},
        "sides": {k: list(v) for k, v in SIDES.items()},
    }


@router.post("/preview", response_model=PreviewOut, **access("signed_in"))
def preview(body: PreviewIn, principal: Principal = Depends(signed_in)) -> dict[str, Any]:
    """A standard phrase with its parameters, in both languages, as it would be sent."""
    rendered = render(body.phrase, body.params)
    return {
        "phrase": rendered.phrase,
        "params": rendered.params,
        "english": rendered.english,
        "chinese": rendered.chinese,
    }


@router.get("/channels", response_model=ChannelList, **access("signed_in"))
def channels(request: Request, principal: Principal = Depends(signed_in)) -> dict[str, Any]:
    """The channels your party is in."""
    party = principal.user.party
    found = server_of(request).store.hotline.channels(party) if party is not None else []
    return {"items": [channel_out(c) for c in found]}


@router.post("/channels", response_model=ChannelOut, status_code=201, **access("liaison"))
def open_channel(
    request: Request, body: ChannelIn, principal: Principal = Depends(liaison)
) -> dict[str, Any]:
    """Open a channel between two or more parties (your own among them)."""
    server = server_of(request)
    known = [party.id for party in server.parties.parties]
    channel = actions.do_open_channel(
        server.store,
        body.name,
        body.parties,
        principal.user,
        known,
        server.clock(),
        remote=remote(request),
    )
    return channel_out(channel)


@router.get("/channels/{channel_id}", response_model=ChannelOut, **access("signed_in"))
def one_channel(
    request: Request, channel_id: str = _id(), principal: Principal = Depends(signed_in)
) -> dict[str, Any]:
    return channel_out(_channel(server_of(request), principal, channel_id))


@router.get("/channels/{channel_id}/messages", response_model=MessagePage, **access("signed_in"))
def messages(
    request: Request,
    channel_id: str = _id(),
    before: int | None = Query(None, ge=0, le=2**53, description="ledger place: older only"),
    open: bool = Query(False, description="only those your party has not acknowledged"),
    limit: int = Query(100, ge=1),
    principal: Principal = Depends(signed_in),
) -> Response:
    """The channel's messages, newest first; ``next`` is the ``before`` of the next page."""
    server = server_of(request)
    channel = _channel(server, principal, channel_id)
    size = min(limit, server.settings.api_page_max)
    party = principal.user.party if open else None
    found = server.store.hotline.messages([channel.id], before, size, party)
    following = str(found[-1].seq) if len(found) == size else None
    return json_answer({"items": [message_out(m) for m in found], "next": following})


@router.post(
    "/channels/{channel_id}/messages",
    response_model=MessageOut,
    status_code=201,
    responses={200: {"model": MessageOut, "description": "a retry: the message sent before"}},
    **access("officer"),
)
def send(
    request: Request,
    response: Response,
    body: MessageIn,
    channel_id: str = _id(),
    idempotency_key: str | None = Header(
        None, max_length=128, pattern=r"^[\x21-\x7e]+$", description="or the body's key"
    ),
    principal: Principal = Depends(officer),
) -> dict[str, Any]:
    """Send a message; answered once it is committed and appended to the ledger."""
    server = server_of(request)
    channel = _channel(server, principal, channel_id)
    key = body.key or idempotency_key
    if body.key and idempotency_key and body.key != idempotency_key:
        raise InputError("the body's key and the Idempotency-Key header differ")
    draft = actions.check_draft(body.precedence, body.phrase, body.params, body.text, key)
    if body.event is not None:
        sender = principal.user.party
        assert sender is not None  # an officer has a party
        viewer = server.hub.viewer(sender)
        event = actions.check_event(
            server.store.event(body.event),
            body.event,
            sender,
            [p for p in channel.parties if p != sender],
            viewer.rules,
            viewer.party_of,
            server.hub.now(),
        )
        draft = actions.with_event(draft, event)
    message, created = actions.do_send(
        server.store,
        server.signers,
        channel,
        principal.user,
        draft,
        server.settings,
        server.clock(),
        user_id=principal.user.id,
        remote=remote(request),
    )
    if not created:
        response.status_code = 200
    return message_out(message)


@router.get("/messages/{message_id}", response_model=MessageOut, **access("signed_in"))
def one_message(
    request: Request, message_id: str = _id(), principal: Principal = Depends(signed_in)
) -> dict[str, Any]:
    return message_out(_message(server_of(request), principal, message_id)[1])


@router.post("/messages/{message_id}/read", response_model=MessageOut, **access("signed_in"))
def read(
    request: Request, message_id: str = _id(), principal: Principal = Depends(signed_in)
) -> dict[str, Any]:
    """Mark the message read by your party (the first reading is recorded)."""
    server = server_of(request)
    channel, _ = _message(server, principal, message_id)
    found = actions.do_read(
        server.store, channel, message_id, principal.user, server.clock(), remote=remote(request)
    )
    return message_out(found)


@router.post("/messages/{message_id}/ack", response_model=MessageOut, **access("officer"))
def acknowledge(
    request: Request, message_id: str = _id(), principal: Principal = Depends(officer)
) -> dict[str, Any]:
    """Acknowledge the message for your party; answered once the acknowledgement is
    committed and in the ledger (again, the same answer: it is recorded once)."""
    server = server_of(request)
    channel, _ = _message(server, principal, message_id)
    message, _ = actions.do_acknowledge(
        server.store,
        server.signers,
        channel,
        message_id,
        principal.user,
        server.clock(),
        remote=remote(request),
    )
    return message_out(message)
