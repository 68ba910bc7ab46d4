"""Signing in and out, who am I, and the health check."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request, Response

from shade import __version__
from shade.accounts import is_name
from shade.accounts.export import user_json
from shade.api.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Principal,
    access,
    remote,
    server_of,
    signed_in,
)
from shade.api.errors import RateLimitedError, UnauthenticatedError
from shade.api.schemas import Health, Login, Me, Problem, Session
from shade.tracks.export import iso

router = APIRouter(prefix="/api", tags=["session"])


@router.get("/health", response_model=Health, **access("public"))
def health() -> dict[str, str]:
    """Whether the server is up."""
    return {"status": "ok", "version": __version__}


@router.post(
    "/session",
    response_model=Session,
    responses={
        401: {"model": Problem, "description": "wrong user name or password"},
        429: {"model": Problem, "description": "too many failed logins: see Retry-After"},
    },
    **access("public"),
)
def login(body: Login, request: Request, response: Response) -> dict[str, object]:
    """Sign in with a user name and password: sets the session cookie, answers the CSRF
    value to send back in ``X-CSRF-Token`` on every change."""
    server = server_of(request)
    where = remote(request)
    keys = [f"name:{body.name.lower()}", f"remote:{where}"]
    wall = datetime.now(UTC)
    wait = server.throttle.wait(keys, wall)
    if wait is not None:
        seconds = max(1, int(wait.total_seconds() + 0.999))
        raise RateLimitedError(f"too many failed logins: try again in {seconds} s", seconds)
    user = server.store.verify_password(body.name, body.password)
    if user is None:
        server.throttle.failed(keys, datetime.now(UTC))
        who = body.name if is_name(body.name) else "?"  # not a user name: not kept as such
        server.store.audit(f"login:{who}", "login.fail", None, {}, where)
        raise UnauthenticatedError("wrong user name or password")
    server.viewer(user)  # ForbiddenError for a party not served here
    secret, csrf = server.store.start_session(user, server.settings.session_hours, remote=where)
    age = server.settings.session_hours * 3600
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=age, httponly=True, secure=True, samesite="strict"
    )
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, secure=True, samesite="strict")
    return {"user": user_json(user), "csrf": csrf}


@router.delete("/session", status_code=204, **access("signed_in"))
def logout(
    request: Request,
    response: Response,
    principal: Principal = Depends(signed_in),
) -> Response:
    """Sign out: the session is deleted on the server and its cookies cleared."""
    if principal.via == "session":
        server_of(request).store.end_session(principal.secret, remote=remote(request))
    response.status_code = 204
    response.delete_cookie(SESSION_COOKIE, secure=True, httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, secure=True, samesite="strict")
    return response


@router.get("/me", response_model=Me, **access("signed_in"))
def me(request: Request, principal: Principal = Depends(signed_in)) -> dict[str, object]:
    """The signed-in user, the parties served (for their names and colours), the time now."""
    server = server_of(request)
    parties = [
        {"id": party.id, "name": party.name, "colour": party.colour}
        for party in server.parties.parties
    ]
    return {"user": user_json(principal.user), "parties": parties, "now": iso(server.hub.now())}
