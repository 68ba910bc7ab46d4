"""The shapes the API answers with and takes, for validation and the OpenAPI description.

Field names are those of ``shade.tracks.export`` and ``shade.detect.events`` (the CLI's
``--json``): the API adds fields (``party``, ``release``), never renames one.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    code: str
    message: str
    detail: Any = None


class PartyOut(BaseModel):
    id: str
    name: str
    colour: str


class UserOut(BaseModel):
    id: int
    name: str
    party: str | None
    role: str
    admin: bool
    disabled: bool
    created_at: str


class Me(BaseModel):
    user: UserOut
    parties: list[PartyOut]
    now: str


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Session(BaseModel):
    user: UserOut
    csrf: str


class VesselOut(BaseModel):
    mmsi: int
    at: str | None
    lat: float | None
    lon: float | None
    speed: float | None
    course: float | None
    heading: int | None
    status: int | None
    shipname: str | None
    callsign: str | None
    imo: int | None
    ship_type: int | None
    to_bow: int | None
    to_stern: int | None
    to_port: int | None
    to_starboard: int | None
    destination: str | None
    eta: str | None
    draught: float | None
    party: str
    release: Literal["full", "delayed", "coarsened"]
    release_minutes: int | None = None
    release_nm: float | None = None


class PointOut(BaseModel):
    mmsi: int
    at: str
    lat: float
    lon: float
    speed: float | None
    course: float | None
    heading: int | None
    status: int | None
    msg_type: int | None
    source: str | None
    party: str


class EventOut(BaseModel):
    """An event: these fields, then its kind's figures (see docs/detect.md)."""

    model_config = ConfigDict(extra="allow")
    id: str
    kind: str
    mmsi: list[int]
    parties: list[str | None]
    start: str
    end: str | None
    geometry: dict[str, Any] | None


class VesselPage(BaseModel):
    items: list[VesselOut]
    next: str | None
    at: str
    now: str


class PointPage(BaseModel):
    items: list[PointOut]
    next: str | None


class EventPage(BaseModel):
    items: list[EventOut]
    next: str | None


class Feature(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["Feature"]
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[Feature]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["full", "delayed", "coarsened", "hidden"]
    minutes: int | None = None
    nm: float | None = None
    events: bool = False


class RuleOut(BaseModel):
    owner: str
    viewer: str
    mode: str
    minutes: int | None
    nm: float | None
    events: bool
    updated_at: str
    updated_by: str


class RuleList(BaseModel):
    items: list[RuleOut]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    password: str = Field(min_length=12, max_length=1024)
    party: str | None = None
    role: Literal["viewer", "watch_officer", "duty_officer", "liaison_officer", "party_admin"] = (
        "viewer"
    )
    admin: bool = False


class UserList(BaseModel):
    items: list[UserOut]


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(default="", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


class TokenOut(BaseModel):
    id: str
    user: str
    label: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


class NewTokenOut(TokenOut):
    token: str


class TokenList(BaseModel):
    items: list[TokenOut]


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target: str | None
    remote: str | None
    detail: dict[str, Any]


class AuditList(BaseModel):
    items: list[AuditOut]


class Health(BaseModel):
    status: Literal["ok"]
    version: str


# The hotline and the ledger

Level = Literal["none", "reminder", "duty_officer", "admins"]


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")
    parties: list[str] = Field(min_length=2, max_length=32)


class ChannelOut(BaseModel):
    id: str
    name: str
    parties: list[str]
    created_at: str
    created_by: str


class ChannelList(BaseModel):
    items: list[ChannelOut]


class ReceiptOut(BaseModel):
    party: str
    delivered_at: str | None
    read_at: str | None
    read_by: str | None
    acked_at: str | None
    acked_by: str | None
    ack_seq: int | None
    level: Level
    escalated_at: str | None
    next_step_at: str | None


class MessageIn(BaseModel):
    """A standard phrase with its parameters, or free text, or both; ``event``: the id of
    an event the message is about; ``key``: an idempotency key (or the Idempotency-Key
    header), so that a retry never sends twice."""

    model_config = ConfigDict(extra="forbid")
    precedence: Literal["FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"]
    phrase: str | None = Field(None, max_length=64)
    params: dict[str, Any] | None = None
    text: str | None = Field(None, max_length=2000)
    event: str | None = Field(None, max_length=200)
    key: str | None = Field(None, min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]*$")


class MessageOut(BaseModel):
    id: str
    channel: str
    seq: int
    party: str
    author: str
    precedence: str
    sent_at: str
    deadline_at: str
    phrase: str | None
    params: dict[str, Any] | None
    text: str | None
    english: str | None
    chinese: str | None
    event: dict[str, Any] | None
    acknowledged: bool
    receipts: list[ReceiptOut]


class MessagePage(BaseModel):
    items: list[MessageOut]
    next: str | None


class PhraseOut(BaseModel):
    id: str
    group: str
    english: str
    chinese: str
    parameters: list[str]


class Phrases(BaseModel):
    items: list[PhraseOut]
    activities: dict[str, list[str]]
    sides: dict[str, list[str]]


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str = Field(max_length=64)
    params: dict[str, Any] | None = None


class PreviewOut(BaseModel):
    phrase: str
    params: dict[str, Any]
    english: str
    chinese: str


class CheckpointOut(BaseModel):
    origin: str
    size: int
    root: str  # base64, as in the note
    note: str  # the signed note: the log's signature and the cosignatures held
    signed_at: str
    cosigners: list[str]


class EntryOut(BaseModel):
    """An entry as your party may read it: ``line`` is the record (its canonical bytes as
    text), or, for one of another party's channels, ``{"redacted": LEAF, "seq": N}``."""

    seq: int
    line: str
    readable: bool
    leaf: str  # hex


class EntryPage(BaseModel):
    items: list[EntryOut]
    next: str | None


class InclusionOut(BaseModel):
    seq: int
    size: int
    leaf: str  # hex
    proof: list[str]  # hex, leaf side first


class ConsistencyOut(BaseModel):
    old: int
    new: int
    proof: list[str]  # hex


class KeysOut(BaseModel):
    """The verifier keys this server holds (log and hosted parties), one per line: compare
    them with the file the parties exchanged, which is what to verify with."""

    text: str
