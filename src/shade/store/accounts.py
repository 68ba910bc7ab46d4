"""Accounts in the store: users, API tokens, the audit log, release rules (the SQL).

Every function takes the connection of a transaction ``Store`` opened; a change and the
audit row that records it are written in the same one, so neither is ever kept without the
other. Password hashing and token digests are ``shade.accounts``'s; this module keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from shade.accounts import AuditEntry, Role, Token, User
from shade.errors import InputError, NotFoundError
from shade.store.schema import audit, release_rules, sessions, tokens, users

_USER = [users.c[name] for name in ("id", "name", "party", "role", "admin", "disabled")]
_USER.append(users.c.created_at)
_TOKEN = [
    tokens.c[name]
    for name in ("id", "user_id", "label", "created_at", "last_used_at", "revoked_at")
]


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    """One stored release rule: what ``owner`` releases to ``viewer`` (party ids), as plain
    values (``shade.access`` gives them meaning), and who set it last, when."""

    owner: str
    viewer: str
    mode: str
    minutes: int | None
    nm: float | None
    events: bool
    updated_at: datetime
    updated_by: str


def now() -> datetime:
    return datetime.now(UTC)


def by_code_point(connection: Connection, column: Any) -> Any:
    # PostgreSQL's default collation would order punctuation otherwise than SQLite does.
    return column if connection.dialect.name == "sqlite" else column.collate("C")


def check_actor(actor: str, remote: str | None) -> None:
    """An audit row says who and from where: refuse a change that would not."""
    if not actor.strip():
        raise InputError("a change needs an actor (who makes it) for the audit log")
    if remote is not None and not remote.strip():
        raise InputError("remote, when given, must say where the change comes from")


def write_audit(
    connection: Connection,
    at: datetime,
    actor: str,
    action: str,
    target: str | None,
    detail: Mapping[str, Any],
    remote: str | None,
) -> None:
    check_actor(actor, remote)
    if not action or len(action) > 32:
        raise InputError(f"audit action {action!r}: 1 to 32 characters")
    connection.execute(
        insert(audit).values(
            at=at,
            actor=actor,
            action=action,
            target=target,
            remote=remote,
            detail=orjson.dumps(dict(detail), option=orjson.OPT_SORT_KEYS).decode(),
        )
    )


def audit_entries(
    connection: Connection,
    limit: int,
    actor: str | None,
    action: str | None,
    target: str | None,
) -> list[AuditEntry]:
    """The newest ``limit`` entries that pass the filters given, newest first."""
    c = audit.c
    where: list[ColumnElement[bool]] = []
    if actor is not None:
        where.append(c.actor == actor)
    if action is not None:
        where.append(c.action == action)
    if target is not None:
        where.append(c.target == target)
    query = (
        select(c.id, c.at, c.actor, c.action, c.target, c.remote, c.detail)
        .where(*where)
        .order_by(c.id.desc())
        .limit(limit)
    )
    return [
        AuditEntry(id_, at, actor_, action_, target_, remote, orjson.loads(detail))
        for id_, at, actor_, action_, target_, remote, detail in connection.execute(query)
    ]


# Users


def _user(row: Sequence[Any]) -> User:
    id_, name, party, role, admin, disabled, created_at = row
    return User(id_, name, party, Role(role), bool(admin), bool(disabled), created_at)


def select_user(
    connection: Connection, name: str | None = None, user_id: int | None = None
) -> User | None:
    where = users.c.name == name if user_id is None else users.c.id == user_id
    row = connection.execute(select(*_USER).where(where)).first()
    return None if row is None else _user(row)


def existing_user(connection: Connection, name: str) -> User:
    found = select_user(connection, name)
    if found is None:
        raise NotFoundError(f"no user {name!r}")
    return found


def select_users(connection: Connection) -> list[User]:
    return [
        _user(row)
        for row in connection.execute(
            select(*_USER).order_by(by_code_point(connection, users.c.name))
        )
    ]


def login_row(connection: Connection, name: str) -> tuple[User, str] | None:
    """The user and their password hash."""
    row = connection.execute(select(*_USER, users.c.password).where(users.c.name == name)).first()
    return None if row is None else (_user(row[:-1]), row[-1])


def insert_user(
    connection: Connection,
    name: str,
    party: str | None,
    role: Role,
    admin: bool,
    password_hash: str,
    at: datetime,
) -> User:
    """The new user; InputError if the name is taken."""
    taken = InputError(f"user {name!r} exists already")
    if select_user(connection, name) is not None:
        raise taken
    values = {
        "name": name,
        "party": party,
        "role": role.value,
        "admin": admin,
        "disabled": False,
        "password": password_hash,
        "created_at": at,
    }
    try:
        # Another writer may have taken the name since (PostgreSQL): the unique index says.
        new_id = connection.execute(insert(users).values(values).returning(users.c.id)).scalar()
    except IntegrityError:
        raise taken from None
    assert new_id is not None
    return User(new_id, name, party, role, admin, False, at)


def disable(connection: Connection, user_id: int) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(disabled=True))


# Tokens


def _token(row: Sequence[Any]) -> Token:
    id_, user_id, label, created_at, last_used_at, revoked_at = row
    return Token(id_, user_id, label, created_at, last_used_at, revoked_at)


def token_ids_taken(connection: Connection, token_id: str) -> bool:
    return (
        connection.execute(select(tokens.c.id).where(tokens.c.id == token_id)).first() is not None
    )


def insert_token(
    connection: Connection, token_id: str, user_id: int, label: str, digest: str, at: datetime
) -> None:
    connection.execute(
        insert(tokens).values(
            id=token_id, user_id=user_id, label=label, digest=digest, created_at=at
        )
    )


def select_tokens(connection: Connection, user_id: int) -> list[Token]:
    query = (
        select(*_TOKEN)
        .where(tokens.c.user_id == user_id)
        .order_by(tokens.c.created_at, tokens.c.id)
    )
    return [_token(row) for row in connection.execute(query)]


def select_token(connection: Connection, token_id: str) -> Token | None:
    row = connection.execute(select(*_TOKEN).where(tokens.c.id == token_id)).first()
    return None if row is None else _token(row)


def token_login(connection: Connection, token_id: str) -> tuple[Token, str, User] | None:
    """The token, its digest and its user."""
    query = (
        select(*_TOKEN, tokens.c.digest, *_USER)
        .join(users, users.c.id == tokens.c.user_id)
        .where(tokens.c.id == token_id)
    )
    row = connection.execute(query).first()
    if row is None:
        return None
    split = len(_TOKEN)
    return _token(row[:split]), row[split], _user(row[split + 1 :])


def revoke(connection: Connection, token_id: str, at: datetime) -> None:
    connection.execute(update(tokens).where(tokens.c.id == token_id).values(revoked_at=at))


def touch(connection: Connection, token_id: str, at: datetime) -> None:
    connection.execute(update(tokens).where(tokens.c.id == token_id).values(last_used_at=at))


# Sessions


def insert_session(
    connection: Connection,
    digest: str,
    user_id: int,
    csrf: str,
    at: datetime,
    expires_at: datetime,
    remote: str | None,
) -> None:
    connection.execute(
        insert(sessions).values(
            digest=digest,
            user_id=user_id,
            csrf=csrf,
            created_at=at,
            expires_at=expires_at,
            remote=remote,
        )
    )


def session_login(connection: Connection, digest: str) -> tuple[User, str, datetime] | None:
    """The session's user, CSRF value and expiry."""
    query = (
        select(*_USER, sessions.c.csrf, sessions.c.expires_at)
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.digest == digest)
    )
    row = connection.execute(query).first()
    if row is None:
        return None
    return _user(row[:-2]), row[-2], row[-1]


def delete_session(connection: Connection, digest: str) -> bool:
    return bool(connection.execute(delete(sessions).where(sessions.c.digest == digest)).rowcount)


def delete_sessions(
    connection: Connection, user_id: int | None = None, expired_at: datetime | None = None
) -> int:
    """Delete a user's sessions, or those expired by ``expired_at``."""
    query = delete(sessions)
    if user_id is not None:
        query = query.where(sessions.c.user_id == user_id)
    if expired_at is not None:
        query = query.where(sessions.c.expires_at <= expired_at)
    return int(connection.execute(query).rowcount)


# Release rules

_RULE = [
    release_rules.c[name]
    for name in ("owner", "viewer", "mode", "minutes", "nm", "events", "updated_at", "updated_by")
]


def _rule(row: Sequence[Any]) -> ReleaseRow:
    owner, viewer, mode, minutes, nm, events, updated_at, updated_by = row
    return ReleaseRow(owner, viewer, mode, minutes, nm, bool(events), updated_at, updated_by)


def rule_fields(rule: ReleaseRow | None) -> dict[str, Any] | None:
    """What the audit log keeps of a rule: its values."""
    if rule is None:
        return None
    return {"mode": rule.mode, "minutes": rule.minutes, "nm": rule.nm, "events": rule.events}


def select_rule(connection: Connection, owner: str, viewer: str) -> ReleaseRow | None:
    c = release_rules.c
    row = connection.execute(select(*_RULE).where(c.owner == owner, c.viewer == viewer)).first()
    return None if row is None else _rule(row)


def select_rules(connection: Connection, owner: str | None, viewer: str | None) -> list[ReleaseRow]:
    c = release_rules.c
    where: list[ColumnElement[bool]] = []
    if owner is not None:
        where.append(c.owner == owner)
    if viewer is not None:
        where.append(c.viewer == viewer)
    query = select(*_RULE).where(*where)
    query = query.order_by(by_code_point(connection, c.owner), by_code_point(connection, c.viewer))
    return [_rule(row) for row in connection.execute(query)]


def put_rule(connection: Connection, rule: ReleaseRow, replace: bool) -> None:
    c = release_rules.c
    values = asdict(rule)
    if replace:
        keys = ("owner", "viewer")
        connection.execute(
            update(release_rules)
            .where(c.owner == rule.owner, c.viewer == rule.viewer)
            .values({k: v for k, v in values.items() if k not in keys})
        )
    else:
        connection.execute(insert(release_rules).values(values))


def delete_rule(connection: Connection, owner: str, viewer: str) -> None:
    c = release_rules.c
    connection.execute(delete(release_rules).where(c.owner == owner, c.viewer == viewer))
