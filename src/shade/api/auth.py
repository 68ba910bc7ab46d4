"""Who is asking: a browser session (cookie, CSRF header on changes) or an API token.

Each route declares who may call it with one of ``ACCESS``'s levels (the dependency that
checks it, and an ``x-shade-access`` mark in the OpenAPI description, from which the tests
build the authorization matrix):

    public        anyone
    signed_in     any user of a party served here, or a server admin
    officer       a user of a party with the role watch_officer or above (not a server
                  admin, who belongs to no party: the hotline is between parties)
    liaison       a liaison officer or party admin, or a server admin
    party_admin   a party admin (of their own party), or a server admin
    admin         a server admin

A session authenticates by its cookie; a request that changes something must also carry
the session's CSRF value in ``X-CSRF-Token`` (a page of another site can make the browser
send the cookie, but cannot read the value). A token (``Authorization: Bearer``) needs no
CSRF value: no browser sends one by itself.
"""

from __future__ import annotations

import hmac
from typing import Any, Final, Literal, NamedTuple

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from shade.accounts import Role, User
from shade.api.errors import ForbiddenError, UnauthenticatedError
from shade.api.server import Server

SESSION_COOKIE: Final = "shade_session"
CSRF_COOKIE: Final = "shade_csrf"
CSRF_HEADER: Final = "X-CSRF-Token"
_SAFE: Final = frozenset({"GET", "HEAD", "OPTIONS"})

Level = Literal["public", "signed_in", "officer", "liaison", "party_admin", "admin"]


class Principal(NamedTuple):
    user: User
    via: Literal["session", "token"]
    csrf: str | None  # the session's; None for a token
    secret: str  # the session cookie's secret, or the token: to check it again later


def server_of(connection: HTTPConnection) -> Server:
    server: Server = connection.app.state.server
    return server


def remote(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"


def actor(principal: Principal) -> str:
    return f"user:{principal.user.name}"


def authenticate(connection: HTTPConnection) -> Principal | None:
    """The principal of a request or socket, or None. A header that names a token that does
    not work is None too: a wrong token is not a fallback to the cookie."""
    store = server_of(connection).store
    header = connection.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = store.user_for_token(token.strip())
        return None if user is None else Principal(user, "token", None, token.strip())
    secret = connection.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    found = store.session(secret)
    if found is None:
        return None
    user, csrf = found
    return Principal(user, "session", csrf, secret)


def still_valid(server: Server, principal: Principal) -> bool:
    """Whether the principal's session or token still works (a long-lived socket asks)."""
    if principal.via == "session":
        return server.store.session(principal.secret) is not None
    return server.store.user_for_token(principal.secret) is not None


def signed_in(request: Request) -> Principal:
    principal = authenticate(request)
    if principal is None:
        raise UnauthenticatedError("sign in first: a session cookie or an API token")
    if principal.via == "session" and request.method not in _SAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        expected = principal.csrf or ""
        if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise ForbiddenError(f"a change needs the session's {CSRF_HEADER} header")
    server_of(request).viewer(principal.user)  # ForbiddenError for a party not served here
    return principal


def officer(principal: Principal = Depends(signed_in)) -> Principal:
    user = principal.user
    if user.party is None or not user.role.at_least(Role.WATCH_OFFICER):
        raise ForbiddenError("only a watch officer (or above) of a party may do this")
    return principal


def liaison(principal: Principal = Depends(signed_in)) -> Principal:
    user = principal.user
    if not user.admin and not user.role.at_least(Role.LIAISON_OFFICER):
        raise ForbiddenError("only a liaison officer, a party admin or a server admin may do this")
    return principal


def party_admin(principal: Principal = Depends(signed_in)) -> Principal:
    user = principal.user
    if not user.admin and user.role is not Role.PARTY_ADMIN:
        raise ForbiddenError("only a party admin (or a server admin) may do this")
    return principal


def admin(principal: Principal = Depends(signed_in)) -> Principal:
    if not principal.user.admin:
        raise ForbiddenError("only a server admin may do this")
    return principal


def access(level: Level) -> dict[str, Any]:
    """The route keywords that mark its level in the OpenAPI description."""
    return {"openapi_extra": {"x-shade-access": level}}
