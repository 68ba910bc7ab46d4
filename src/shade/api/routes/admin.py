"""Changes: release rules, users, tokens; and the audit log that records each.

Each change is written with its audit row (who, when, what, from where) in one transaction
by the store. A party admin acts within their party only; a server admin on users and the
audit log, but on no party's rules (rules belong to the parties).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from shade.access import Release
from shade.accounts import Role, User
from shade.accounts.export import audit_json, token_json, user_json
from shade.api.auth import (
    Principal,
    access,
    actor,
    admin,
    party_admin,
    remote,
    server_of,
    signed_in,
)
from shade.api.errors import ConflictError, ForbiddenError
from shade.api.schemas import (
    AuditList,
    NewTokenOut,
    Problem,
    RuleIn,
    RuleList,
    RuleOut,
    TokenIn,
    TokenList,
    UserIn,
    UserList,
    UserOut,
)
from shade.api.shapes import rule_out
from shade.errors import InputError, NotFoundError

router = APIRouter(prefix="/api", tags=["admin"])
_PARTY_ID = Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


# Release rules


@router.get("/release-rules", response_model=RuleList, **access("signed_in"))
def release_rules(
    request: Request,
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """The rules your party set and those set for it (a server admin: all)."""
    store = server_of(request).store
    party = principal.user.party
    if party is None:
        rows = store.release_rules() if principal.user.admin else []
    else:
        rows = store.release_rules(owner=party) + store.release_rules(viewer=party)
    return {"items": [rule_out(row) for row in rows]}


def _own_party(principal: Principal, request: Request, viewer: str) -> str:
    owner = principal.user.party
    if owner is None or principal.user.role is not Role.PARTY_ADMIN:
        raise ForbiddenError("only a party admin sets what their party releases")
    if server_of(request).parties.get(viewer) is None:
        raise NotFoundError(f"no party {viewer!r}")
    if viewer == owner:
        raise InputError(f"party {owner!r} always sees its own units: no rule for itself")
    return owner


@router.put("/release-rules/{viewer}", response_model=RuleOut, **access("party_admin"))
def set_release_rule(
    request: Request,
    body: RuleIn,
    viewer: str = _PARTY_ID,
    principal: Principal = Depends(party_admin),
) -> dict[str, Any]:
    """Set how your party's units appear to ``viewer``'s users."""
    owner = _own_party(principal, request, viewer)
    release = Release.from_dict(body.model_dump())  # InputError if the values do not fit
    server = server_of(request)
    row = server.store.set_release_rule(
        owner,
        viewer,
        release.mode.value,
        release.minutes,
        release.nm,
        release.events,
        actor=actor(principal),
        remote=remote(request),
    )
    server.rules_changed()
    return rule_out(row)


@router.delete("/release-rules/{viewer}", status_code=204, **access("party_admin"))
def remove_release_rule(
    request: Request,
    viewer: str = _PARTY_ID,
    principal: Principal = Depends(party_admin),
) -> Response:
    """Remove your party's rule for ``viewer``: its users see your units no more."""
    owner = _own_party(principal, request, viewer)
    server = server_of(request)
    if not server.store.remove_release_rule(
        owner, viewer, actor=actor(principal), remote=remote(request)
    ):
        raise NotFoundError(f"no rule of {owner!r} for {viewer!r}")
    server.rules_changed()
    return Response(status_code=204)


# Users


def _manages(principal: Principal, user: User) -> bool:
    me = principal.user
    return me.admin or (me.party is not None and user.party == me.party and not user.admin)


@router.get("/users", response_model=UserList, **access("party_admin"))
def users(
    request: Request,
    principal: Principal = Depends(party_admin),
) -> dict[str, Any]:
    """The users you manage: your party's (a server admin: everyone)."""
    everyone = server_of(request).store.users()
    return {"items": [user_json(u) for u in everyone if _manages(principal, u)]}


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    responses={409: {"model": Problem, "description": "the name is taken"}},
    **access("party_admin"),
)
def add_user(
    request: Request,
    body: UserIn,
    principal: Principal = Depends(party_admin),
) -> dict[str, Any]:
    """Add a user. A party admin adds to their own party only, and no server admin."""
    server = server_of(request)
    me = principal.user
    party = body.party
    if not me.admin:
        if body.admin or (party is not None and party != me.party):
            raise ForbiddenError("a party admin adds users to their own party only")
        party = me.party
    if party is not None and server.parties.get(party) is None:
        raise InputError(f"no party {party!r} is served here")
    if server.store.user(body.name) is not None:
        raise ConflictError(f"user {body.name!r} exists already")
    user = server.store.add_user(
        body.name,
        body.password,
        party,
        Role(body.role),
        body.admin,
        actor=actor(principal),
        remote=remote(request),
    )
    return user_json(user)


@router.post("/users/{name}/disable", response_model=UserOut, **access("party_admin"))
def disable_user(
    request: Request,
    name: str = Path(max_length=64),
    principal: Principal = Depends(party_admin),
) -> dict[str, Any]:
    """Disable a user you manage: their sessions and tokens stop working at once."""
    store = server_of(request).store
    user = store.user(name)
    if user is None or not _manages(principal, user):
        raise NotFoundError(f"no user {name!r}")
    store.disable_user(name, actor=actor(principal), remote=remote(request))
    changed = store.user(name)
    assert changed is not None
    return user_json(changed)


# Tokens


@router.get("/tokens", response_model=TokenList, **access("signed_in"))
def tokens(
    request: Request,
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """Your API tokens, revoked ones too (never their secrets)."""
    name = principal.user.name
    found = server_of(request).store.tokens(name)
    return {"items": [token_json(t, name) for t in found]}


@router.post("/tokens", response_model=NewTokenOut, status_code=201, **access("signed_in"))
def create_token(
    request: Request,
    body: TokenIn,
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """Make an API token for yourself; the answer holds it, once: keep it."""
    store = server_of(request).store
    name = principal.user.name
    token_id, token = store.create_token(
        name, body.label, actor=actor(principal), remote=remote(request)
    )
    made = store.token(token_id)
    assert made is not None
    return {**token_json(made, name), "token": token}


@router.delete("/tokens/{token_id}", status_code=204, **access("signed_in"))
def revoke_token(
    request: Request,
    token_id: str = Path(max_length=64),
    principal: Principal = Depends(signed_in),
) -> Response:
    """Revoke one of your tokens (a party admin: one of their party's users')."""
    store = server_of(request).store
    found = store.token(token_id)
    owner = None if found is None else store.user_by_id(found.user_id)
    mine = owner is not None and owner.id == principal.user.id
    managed = (
        owner is not None
        and (principal.user.admin or principal.user.role is Role.PARTY_ADMIN)
        and _manages(principal, owner)
    )
    if found is None or not (mine or managed):
        raise NotFoundError(f"no token {token_id!r}")
    store.revoke_token(token_id, actor=actor(principal), remote=remote(request))
    return Response(status_code=204)


# Audit


@router.get("/audit", response_model=AuditList, **access("admin"))
def audit(
    request: Request,
    limit: int = Query(100, ge=1, le=10_000),
    principal: Principal = Depends(admin),
) -> dict[str, Any]:
    """The audit log, newest first."""
    entries = server_of(request).store.audit_log(limit)
    return {"items": [audit_json(e) for e in entries]}
