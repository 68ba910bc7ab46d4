"""The live stream, ``/ws``: a snapshot, then numbered updates of the user's party's stream.

See docs/api.md for the protocol. Per connection: authenticate before accepting (a browser
session must come from the server's own origin: another site's page could otherwise open
the socket with the user's cookie), wait briefly for the client's ``hello``, then send
what the hub's party stream has after the client's frame, merged, with positions at most
every ``ws_interval_ms`` and events at once. The session or token is checked again every
``_RECHECK_S``: a user disabled or signed out is cut off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from shade.access import Viewer, events, picture
from shade.access.stream import Batch, Frame, merge
from shade.api.auth import Principal, authenticate, server_of, still_valid
from shade.api.errors import ForbiddenError
from shade.api.server import Server
from shade.api.shapes import (
    channel_out,
    escalation_out,
    event_out,
    message_out,
    point_out,
    static_out,
    vessel_out,
)
from shade.hotline.model import Change, Message
from shade.tracks.export import iso

log = logging.getLogger(__name__)
router = APIRouter()
_HELLO_S = 2.0
_RECHECK_S = 30.0
_POLICY = 1008  # the WebSocket close code for "policy violation"
_RECENT = timedelta(hours=6)  # closed events this recent come with a snapshot
_RECENT_MESSAGES = 50  # per channel, with a snapshot (and every one not acknowledged)


def _hotline_snapshot(server: Server, party: str | None) -> dict[str, Any]:
    if party is None:
        return {"channels": [], "messages": []}
    hotline = server.store.hotline
    channels = hotline.channels(party)
    ids = [c.id for c in channels]
    found: dict[str, Message] = {}
    for channel in ids:
        for message in hotline.messages([channel], limit=_RECENT_MESSAGES):
            found[message.id] = message
    for message in hotline.messages(ids, limit=10_000, open_for=party) if ids else []:
        found[message.id] = message
    ordered = sorted(found.values(), key=lambda m: m.seq)
    return {
        "channels": [channel_out(c) for c in channels],
        "messages": [message_out(m) for m in ordered],
    }


def _hotline_out(change: Change) -> dict[str, Any]:
    if change.message is not None:
        return {"type": "message", "message": message_out(change.message)}
    if change.channel is not None:
        return {"type": "channel", "channel": channel_out(change.channel)}
    assert change.escalation is not None
    return {"type": "escalation", "escalation": escalation_out(change.escalation)}


def _undelivered(party: str | None, messages: list[Message]) -> list[str]:
    """Messages to the party not yet marked delivered to it: a screen of it has them now."""
    if party is None:
        return []
    waiting = []
    for message in messages:
        receipt = message.receipt(party)
        if receipt is not None and receipt.delivered_at is None:
            waiting.append(message.id)
    return waiting


def _mark_delivered(server: Server, party: str, ids: list[str]) -> None:
    at = server.clock()
    for message_id in ids:
        server.store.hotline.mark_delivered(message_id, party, at)


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: no page of another site is behind it
    return urlsplit(origin).netloc == websocket.headers.get("host")


def _snapshot(
    server: Server, viewer: Viewer, party: str | None
) -> tuple[str, int, bytes, list[str]]:
    epoch, seq = server.hub.position(party)
    now = server.hub.now()
    shown = picture(viewer, now, now, server.store.vessels_at)
    recent = server.store.events(start=now - _RECENT)
    hotline = _hotline_snapshot(server, party)
    frame = {
        "type": "snapshot",
        "epoch": epoch,
        "seq": seq,
        "now": iso(now),
        "vessels": [vessel_out(viewer, v) for v in shown],
        "events": [event_out(e) for e in events(viewer, recent, now)],
        "hotline": hotline,
    }
    waiting = [
        m["id"]
        for m in hotline["messages"]
        if any(r["party"] == party and r["delivered_at"] is None for r in m["receipts"])
    ]
    return epoch, seq, orjson.dumps(frame), waiting


class Encoded:
    """Update frames as sent, by (party, epoch, after, last frame): the clients of one
    party that are at the same place get the same text, merged and encoded once."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._texts: OrderedDict[tuple[str | None, str, int, int], str] = OrderedDict()

    def get(self, key: tuple[str | None, str, int, int]) -> str | None:
        text = self._texts.get(key)
        if text is not None:
            self._texts.move_to_end(key)
        return text

    def put(self, key: tuple[str | None, str, int, int], text: str) -> str:
        self._texts[key] = text
        if len(self._texts) > self.size:
            self._texts.popitem(last=False)
        return text


def _update(viewer: Viewer, epoch: str, batch: Batch) -> str:
    frame: dict[str, Any] = {
        "type": "update",
        "epoch": epoch,
        "seq": batch.seq,
        "first": batch.first,
        "now": iso(batch.now),
        "committed": iso(batch.committed),
        "points": [point_out(viewer, p) for p in batch.points],
        "statics": [static_out(s) for s in batch.statics],
        "events": [event_out(e) for e in batch.events],
        "hotline": [_hotline_out(c) for c in batch.hotline],
    }
    return orjson.dumps(frame).decode()


async def _hello(websocket: WebSocket) -> tuple[str | None, int | None]:
    """The client's (epoch, resume) if it says hello in time; (None, None) otherwise."""
    try:
        message = await asyncio.wait_for(websocket.receive_json(), _HELLO_S)
    except (TimeoutError, ValueError):
        return None, None
    if not isinstance(message, dict) or message.get("type") != "hello":
        return None, None
    resume, epoch = message.get("resume"), message.get("epoch")
    if isinstance(resume, bool) or not isinstance(resume, int):
        resume = None
    return (epoch if isinstance(epoch, str) else None), resume


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    server = server_of(websocket)
    principal = await run_in_threadpool(authenticate, websocket)
    if principal is None or (principal.via == "session" and not _same_origin(websocket)):
        await websocket.close(code=_POLICY)
        return
    try:
        server.viewer(principal.user)  # ForbiddenError for a party not served here
    except ForbiddenError:
        await websocket.close(code=_POLICY)
        return
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await _serve(websocket, server, principal)


async def _serve(websocket: WebSocket, server: Server, principal: Principal) -> None:
    party = principal.user.party
    encoded: Encoded = websocket.app.state.encoded
    wake = asyncio.Event()
    stop = server.hub.listen(party, (asyncio.get_running_loop(), wake))
    reader: asyncio.Task[None] | None = None
    try:
        epoch, seq = await _hello(websocket)
        gone = asyncio.Event()
        reader = asyncio.create_task(_read(websocket, gone))
        interval = server.settings.ws_interval_ms / 1000
        last_points = 0.0
        checked = time.monotonic()
        while not gone.is_set():
            # Before anything else is sent: a busy stream must not keep out the check.
            if time.monotonic() - checked >= _RECHECK_S:
                checked = time.monotonic()
                if not await run_in_threadpool(still_valid, server, principal):
                    await websocket.close(code=_POLICY)
                    return
            viewer = server.hub.viewer(party)
            frames: list[Frame] | None = None
            if epoch is not None and seq is not None:
                frames = server.hub.since(party, seq, epoch)
            if frames is None:
                epoch, seq, data, waiting = await run_in_threadpool(
                    _snapshot, server, viewer, party
                )
                await websocket.send_text(data.decode())
                if waiting and party is not None:
                    await run_in_threadpool(_mark_delivered, server, party, waiting)
                continue
            assert epoch is not None and seq is not None  # set with frames
            if frames:
                only_points = not any(f.events or f.statics or f.hotline for f in frames)
                # Positions at most every interval, counted between the commits sent (the
                # feed commits about once a second: counted between sends, they would
                # alias with it and wait most of a commit each time).
                newest = max((f.committed for f in frames if f.committed), default=None)
                due, wall = last_points + interval, time.time()
                if only_points and wall < due and (newest is None or newest.timestamp() < due):
                    await _sleep(gone, due - wall)  # positions merge meanwhile
                    continue
                key = (party, epoch, seq, frames[-1].seq)
                text = encoded.get(key) or encoded.put(
                    key, _update(viewer, epoch, merge(frames, seq))
                )
                await websocket.send_text(text)
                seq = frames[-1].seq
                sent = [c.message for f in frames for c in f.hotline if c.message is not None]
                waiting = _undelivered(party, sent)
                if waiting and party is not None:
                    await run_in_threadpool(_mark_delivered, server, party, waiting)
                if any(f.points for f in frames):
                    newest = max((f.committed for f in frames if f.committed), default=None)
                    last_points = newest.timestamp() if newest else time.time()
                continue
            await _wait(wake, gone, max(0.0, checked + _RECHECK_S - time.monotonic()))
            wake.clear()
    finally:
        stop()
        if reader is not None:
            reader.cancel()


async def _read(websocket: WebSocket, gone: asyncio.Event) -> None:
    """Reads (and ignores) what the client sends, to notice when it goes."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        gone.set()


async def _wait(wake: asyncio.Event, gone: asyncio.Event, seconds: float) -> None:
    waits = [asyncio.create_task(wake.wait()), asyncio.create_task(gone.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()


async def _sleep(gone: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(gone.wait(), seconds)
