"""The demo's accounts and release rules: a user per party and role, and rules that show
each mode (full, delayed, coarsened, hidden) between the demo's navies.

Passwords are drawn fresh for each run and printed by ``shade demo``: a demo left running
on a reachable address must not open to a password in the source.

    NATO  -> JMSDF  full          JMSDF -> NATO   full
    NATO  -> PLAN   coarsened 5 nm, events released (both see their encounter)
    PLAN  -> NATO   delayed 10 minutes, events released
    PLAN  -> JMSDF  hidden        JMSDF -> PLAN   hidden
"""

from __future__ import annotations

import secrets
from typing import NamedTuple

from shade.accounts import Role
from shade.store import Store

_ACTOR = "demo"
_RULES = (
    ("nato", "jmsdf", "full", None, None, False),
    ("jmsdf", "nato", "full", None, None, False),
    ("nato", "plan", "coarsened", None, 5.0, True),
    ("plan", "nato", "delayed", 10, None, True),
)


class DemoUser(NamedTuple):
    name: str
    password: str
    party: str | None
    role: Role
    admin: bool


def demo_users() -> list[DemoUser]:
    def password() -> str:
        return "-".join(secrets.token_hex(3) for _ in range(3))

    return [
        DemoUser("nato", password(), "nato", Role.WATCH_OFFICER, False),
        DemoUser("plan", password(), "plan", Role.WATCH_OFFICER, False),
        DemoUser("jmsdf", password(), "jmsdf", Role.WATCH_OFFICER, False),
        DemoUser("jmsdf-duty", password(), "jmsdf", Role.DUTY_OFFICER, False),
        DemoUser("nato-admin", password(), "nato", Role.PARTY_ADMIN, False),
        DemoUser("admin", password(), None, Role.VIEWER, True),
    ]


def seed(store: Store) -> list[DemoUser]:
    """Add the demo's users and rules to a fresh store; returns the users with passwords."""
    users = demo_users()
    for user in users:
        store.add_user(
            user.name, user.password, user.party, user.role, user.admin, actor=_ACTOR, remote=None
        )
    for owner, viewer, mode, minutes, nm, events in _RULES:
        store.set_release_rule(owner, viewer, mode, minutes, nm, events, actor=_ACTOR, remote=None)
    return users
