"""Domain values as the API's JSON: vessels, points and events as a viewer gets them (with
``party`` and ``release``), users, tokens, rules, audit entries. Pure: values in, dicts out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import Response

from shade.access import Mode, Viewer
from shade.detect.events import Event, event_json
from shade.errors import InputError
from shade.hotline.escalation import next_step_at
from shade.hotline.model import Channel, Escalation, Message, Receipt
from shade.parties import NEUTRAL
from shade.store.accounts import ReleaseRow
from shade.tracks.export import iso, point_json, vessel_json
from shade.tracks.model import Point, Static, Vessel


def utc(at: datetime | None) -> datetime | None:
    """A time from a request: one without a zone is taken as UTC."""
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def vessel_out(viewer: Viewer, vessel: Vessel) -> dict[str, Any]:
    rule = viewer.release(vessel.mmsi)
    out = vessel_json(vessel)
    out["party"] = viewer.party_of(vessel.mmsi) or NEUTRAL
    out["release"] = rule.mode.value
    if rule.mode is Mode.DELAYED:
        out["release_minutes"] = rule.minutes
    if rule.mode is Mode.COARSENED:
        out["release_nm"] = rule.nm
    return out


def point_out(viewer: Viewer, point: Point) -> dict[str, Any]:
    out = point_json(point)
    out["party"] = viewer.party_of(point.mmsi) or NEUTRAL
    return out


def static_out(static: Static) -> dict[str, Any]:
    fields = {
        key: iso(value) if isinstance(value, datetime) else value
        for key, value in static.fields.items()
    }
    return {"mmsi": static.mmsi, **fields}


def event_out(event: Event) -> dict[str, Any]:
    return event_json(event)


def rule_out(row: ReleaseRow) -> dict[str, Any]:
    return {
        "owner": row.owner,
        "viewer": row.viewer,
        "mode": row.mode,
        "minutes": row.minutes,
        "nm": row.nm,
        "events": row.events,
        "updated_at": iso(row.updated_at),
        "updated_by": row.updated_by,
    }


CURSOR = r"^[0-9]{1,12}$"  # what ``page`` hands out


def json_answer(data: Any) -> Response:
    """``data`` as the answer, encoded by orjson and not checked again against the route's
    model: for the long lists (the picture, tracks, events), where the check would cost
    more than the query. The models still describe them, and the schema tests hold the
    answers to them."""
    return Response(orjson.dumps(data), media_type="application/json")


def page(
    items: list[dict[str, Any]], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of ``items`` (an ordered list) from an offset cursor: (page, next cursor)."""
    start = 0
    if cursor is not None:
        if not cursor.isdigit() or len(cursor) > 12:
            raise InputError(f"cursor {cursor!r} is not one this server gave")
        start = int(cursor)
    chosen = items[start : start + limit]
    more = start + limit < len(items)
    return chosen, str(start + limit) if more else None


def channel_out(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "parties": list(channel.parties),
        "created_at": iso(channel.created_at),
        "created_by": channel.created_by,
    }


def _receipt_out(message: Message, receipt: Receipt) -> dict[str, Any]:
    return {
        "party": receipt.party,
        "delivered_at": iso(receipt.delivered_at),
        "read_at": iso(receipt.read_at),
        "read_by": receipt.read_by,
        "acked_at": iso(receipt.acked_at),
        "acked_by": receipt.acked_by,
        "ack_seq": receipt.ack_seq,
        "level": receipt.level.name.lower(),
        "escalated_at": iso(receipt.escalated_at),
        "next_step_at": iso(next_step_at(message, receipt)),
    }


def message_out(message: Message) -> dict[str, Any]:
    """A hotline message as every party of its channel sees it, receipts included."""
    return {
        "id": message.id,
        "channel": message.channel,
        "seq": message.seq,
        "party": message.party,
        "author": message.author,
        "precedence": message.precedence.value,
        "sent_at": iso(message.sent_at),
        "deadline_at": iso(message.deadline_at),
        "phrase": message.phrase,
        "params": message.params,
        "text": message.text,
        "english": message.english,
        "chinese": message.chinese,
        "event": message.event,
        "acknowledged": message.acknowledged,
        "receipts": [_receipt_out(message, r) for r in message.receipts],
    }


def escalation_out(step: Escalation) -> dict[str, Any]:
    return {
        "message": step.message,
        "channel": step.channel,
        "party": step.party,
        "level": step.level.name.lower(),
        "at": iso(step.at),
    }
