"""The values of accounts: roles, users, API tokens, audit entries; what a user name may be.

Each user belongs to one party (a party id of the parties file) with a role in it; a
server-wide admin may belong to none. Passwords and token digests are never part of these
values: they stay in the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from shade.errors import InputError

# Lower case only, so "Alice" and "alice" cannot be two users that read alike in the log.
_NAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# As shade.parties has them.
_PARTY: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class Role(StrEnum):
    """What a user may do within their party (least to most).

    viewer           sees the picture and the party's hotline channels
    watch_officer    also sends hotline messages and acknowledges those received
    duty_officer     a watch officer to whom unacknowledged messages are escalated
    liaison_officer  also opens hotline channels with other parties
    party_admin      also manages the party's users and release rules
    """

    VIEWER = "viewer"
    WATCH_OFFICER = "watch_officer"
    DUTY_OFFICER = "duty_officer"
    LIAISON_OFFICER = "liaison_officer"
    PARTY_ADMIN = "party_admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    party: str | None  # a party id; None only for a server-wide admin
    role: Role
    admin: bool  # server-wide admin
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Token:
    """An API token as listed: never its secret, which is shown once when made."""

    id: str  # public: the part of the token after "shd_", before the secret
    user_id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: who (actor), when (at), what (action, target, detail), from where."""

    id: int
    at: datetime
    actor: str  # e.g. "cli:root", "user:alice"
    action: str  # e.g. "user.add", "token.revoke", "release.set"
    target: str | None  # what was changed: a user name, a token id, "owner->viewer"
    remote: str | None  # e.g. "local", an IP address
    detail: dict[str, Any] = field(default_factory=dict)


def check_name(name: str) -> str:
    """``name`` if it can be a user name; InputError saying what one may be otherwise."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(
            f"user name {name!r}: use 1 to 64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def is_name(name: str) -> bool:
    """Whether ``name`` can be a user name."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def check_label(label: str) -> str:
    """A token's label, stripped, if printable and at most 200 characters; InputError
    otherwise (a control character would spoil listings and the audit log)."""
    label = label.strip()
    if len(label) > 200 or any(not character.isprintable() for character in label):
        raise InputError("a token label is up to 200 printable characters")
    return label


def check_user(name: str, party: str | None, role: Role | str, admin: bool) -> Role:
    """The role of a user that may be made so; InputError for one that may not."""
    check_name(name)
    try:
        wanted = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InputError(f"no role {role!r}: use one of {roles}") from None
    if party is None:
        if not admin:
            raise InputError(f"user {name!r} needs a party (only a server admin may have none)")
    elif not _PARTY.fullmatch(party) or party == "neutral":
        raise InputError(f"user {name!r}: {party!r} is not a party id")
    return wanted
