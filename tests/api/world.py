"""A small world for the server tests: three parties, their units and a neutral merchant
with ten minutes of track up to the present, events, release rules, users of every role,
ledger keys, and two hotline channels with a message each.

Rules (owner -> viewer): plan -> nato delayed 5 min; nato -> plan coarsened 10 nm;
jmsdf -> nato full with events; nato -> jmsdf full; every other pair hidden.
Channels: "NATO - PLA Navy" (a FLASH from nato_watch), "PLA Navy - JMSDF" (a ROUTINE from
plan_watch): jmsdf is not in the first, nato not in the second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final, NamedTuple

from shade.accounts import Passwords, Role
from shade.config import Settings
from shade.detect.events import Event, EventKind, event_id
from shade.hotline import actions
from shade.hotline.model import Channel, Message
from shade.ledger import SignerKey, Signers
from shade.parties import Parties, parse_parties
from shade.store import Store
from shade.tracks.model import Point, Static, Update
from tests.accounts.cheap import CHEAP

NATO: Final = 235000001
PLAN: Final = 412000001
PLAN_BY_FLAG: Final = 412123456  # a PLAN unit by its flag state and ship type (35)
JMSDF: Final = 431000001
MERCHANT: Final = 636000001
UNITS: Final = {NATO: "nato", PLAN: "plan", PLAN_BY_FLAG: "plan", JMSDF: "jmsdf"}
PASSWORD: Final = "correct horse battery"
MINUTES: Final = 10

PARTIES: Final[Parties] = parse_parties(
    {
        "parties": [
            {"id": "nato", "name": "NATO", "colour": "#1f4e9c", "mmsi": [NATO]},
            {
                "id": "plan",
                "name": "PLA Navy",
                "colour": "#c0392b",
                "mmsi": [PLAN],
                "mid": [412],
                "ship_types": [35],
            },
            {"id": "jmsdf", "name": "JMSDF", "colour": "#2e8b57", "mmsi": [JMSDF]},
        ]
    }
)

USERS: Final = {
    # name: (party, role, server admin)
    "nato_viewer": ("nato", Role.VIEWER, False),
    "nato_watch": ("nato", Role.WATCH_OFFICER, False),
    "nato_liaison": ("nato", Role.LIAISON_OFFICER, False),
    "nato_admin": ("nato", Role.PARTY_ADMIN, False),
    "plan_viewer": ("plan", Role.VIEWER, False),
    "plan_watch": ("plan", Role.WATCH_OFFICER, False),
    "plan_duty": ("plan", Role.DUTY_OFFICER, False),
    "plan_admin": ("plan", Role.PARTY_ADMIN, False),
    "jmsdf_viewer": ("jmsdf", Role.VIEWER, False),
    "root": (None, Role.VIEWER, True),
}

ORIGIN: Final = "shade.test/ledger"
# Keys for the whole test run: making them is cheap, but the same ones keep answers alike.
SIGNERS: Final = Signers(
    SignerKey.generate(ORIGIN), {p: SignerKey.generate(p) for p in ("nato", "plan", "jmsdf")}
)

_START_LAT = {NATO: 12.5, PLAN: 12.6, PLAN_BY_FLAG: 12.9, JMSDF: 12.9, MERCHANT: 12.2}


def present() -> datetime:
    """Now, to the second: the world's last points are at this time."""
    return datetime.now(UTC).replace(microsecond=0)


def track(mmsi: int, end: datetime) -> list[Point]:
    """One point a minute for MINUTES minutes up to ``end``, eastward at 12 kn."""
    points = []
    for minute in range(MINUTES + 1):
        at = end - timedelta(minutes=MINUTES - minute)
        lon = 47.0 + minute * 0.2 / 60 * 60 / 60  # 0.2 nm... a few cells of 10 nm overall
        points.append(
            Point(mmsi, at, _START_LAT[mmsi], lon + minute * 0.05, 12.0, 90.0, 90, 0, 1, "rx")
        )
    return points


def statics(at: datetime) -> list[Static]:
    names = {
        NATO: "NATO FRIGATE",
        PLAN: "PLAN DESTROYER",
        PLAN_BY_FLAG: "PLAN FRIGATE",
        JMSDF: "JMSDF DESTROYER",
        MERCHANT: "ORIENT STAR",
    }
    out = []
    for mmsi, name in names.items():
        kind = 70 if mmsi == MERCHANT else 35
        fields = {"shipname": name, "ship_type": kind, "destination": "DJIBOUTI"}
        out.append(Static(mmsi, at, dict(fields)))
    return out


def encounter(a: int, b: int, start: datetime, end: datetime | None) -> Event:
    pair = tuple(sorted((a, b)))
    parties = tuple(UNITS.get(m) for m in pair)
    return Event(
        event_id(EventKind.ENCOUNTER, pair, start),
        EventKind.ENCOUNTER,
        pair,
        parties,
        start,
        end,
        {"type": "Point", "coordinates": [47.2, 12.55]},
        {"cpa_nm": 0.4, "tcpa_min": 3.0, "closest_nm": 0.5},
    )


def zone_visit(mmsi: int, start: datetime) -> Event:
    return Event(
        event_id(EventKind.ZONE, (mmsi,), start, "irtc"),
        EventKind.ZONE,
        (mmsi,),
        (UNITS.get(mmsi),),
        start,
        None,
        {"type": "Point", "coordinates": [47.1, 12.2]},
        {"zone_id": "irtc", "zone_name": "IRTC", "dwell_min": 5.0},
    )


def events(now: datetime) -> list[Event]:
    early = now - timedelta(minutes=MINUTES)
    return [
        encounter(NATO, PLAN, early, None),  # nato & plan: open
        encounter(NATO, JMSDF, early, now - timedelta(minutes=8)),
        encounter(PLAN, JMSDF, early, None),
        zone_visit(MERCHANT, early),
        zone_visit(PLAN, early),
        zone_visit(JMSDF, early),
    ]


class Hotline(NamedTuple):
    nato_plan: Channel
    plan_jmsdf: Channel
    flash: Message  # nato -> plan, FLASH, not acknowledged
    routine: Message  # plan -> jmsdf, ROUTINE


def hotline(store: Store, now: datetime) -> Hotline:
    """The world's channels and messages (with their ledger entries)."""
    known = [p.id for p in PARTIES.parties]
    admin = store.user("root")
    assert admin is not None
    nato_plan = actions.do_open_channel(
        store, "NATO - PLA Navy", ["nato", "plan"], admin, known, now, remote=None
    )
    plan_jmsdf = actions.do_open_channel(
        store, "PLA Navy - JMSDF", ["plan", "jmsdf"], admin, known, now, remote=None
    )
    sent = []
    for channel, name, precedence, phrase in (
        (nato_plan, "nato_watch", "FLASH", "request_intentions"),
        (plan_jmsdf, "plan_watch", "ROUTINE", "understood"),
    ):
        user = store.user(name)
        assert user is not None
        draft = actions.check_draft(precedence, phrase, None, None, None)
        message, _ = actions.do_send(
            store, SIGNERS, channel, user, draft, Settings(), now, user_id=user.id, remote=None
        )
        # Seen on a screen of the receiver already: a client's first snapshot then has
        # nothing to mark delivered, and the picture's tests count frames undisturbed.
        for receipt in message.receipts:
            store.hotline.mark_delivered(message.id, receipt.party, now)
        found = store.hotline.message(message.id)
        assert found is not None
        sent.append(found)
    return Hotline(nato_plan, plan_jmsdf, sent[0], sent[1])


def build(url: str) -> tuple[Store, datetime]:
    """The world in a fresh store at ``url``; returns it open, with the present."""
    store = Store.open(url, passwords=Passwords(CHEAP))
    now = present()
    points = [p for mmsi in (NATO, PLAN, PLAN_BY_FLAG, JMSDF, MERCHANT) for p in track(mmsi, now)]
    points.sort(key=lambda p: p.at)
    store.write(Update(points, [], statics(now - timedelta(minutes=MINUTES))), events(now))
    for name, (party, role, admin) in USERS.items():
        store.add_user(name, PASSWORD, party, role, admin, actor="test", remote=None)
    rules = [
        ("plan", "nato", "delayed", 5, None, False),
        ("nato", "plan", "coarsened", None, 10.0, False),
        ("jmsdf", "nato", "full", None, None, True),
        ("nato", "jmsdf", "full", None, None, False),
    ]
    for owner, viewer, mode, minutes, nm, with_events in rules:
        store.set_release_rule(
            owner, viewer, mode, minutes, nm, with_events, actor="test", remote=None
        )
    hotline(store, now)
    return store, now
