"""The authorization matrix, generated from the OpenAPI description: every operation x
every principal (no one, each role of a party, a server admin) x own/other party where
the path names one; the expected allow or deny follows from the level the operation
declares (``x-shade-access``). An operation without a level fails the first test."""

from __future__ import annotations

from typing import Any, Final

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from shade.accounts import Role
from shade.api import Server, create_app
from shade.store import Store
from tests.api import world
from tests.api.conftest import Running

LEVELS: Final = {"public", "signed_in", "officer", "liaison", "party_admin", "admin"}
PRINCIPALS: Final = ["anonymous", *world.USERS]


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of the served API, read from a server over no data."""
    store = Store.open("sqlite://")
    try:
        spec = create_app(Server.open(store, world.PARTIES)).openapi()
    finally:
        store.close()
    return [
        (method.upper(), path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


OPERATIONS: Final = operations()


def test_every_operation_declares_who_may_call_it() -> None:
    missing = [
        f"{method} {path}"
        for method, path, operation in OPERATIONS
        if operation.get("x-shade-access") not in LEVELS
    ]
    assert missing == [], f"routes without an access level: {missing}"
    assert len(OPERATIONS) >= 20


def expected(level: str, principal: str, names_a_party: bool) -> str:
    """ "allow", "unauthenticated" (401) or "forbidden" (403)."""
    if level == "public":
        return "allow"
    if principal == "anonymous":
        return "unauthenticated"
    party, role, admin = world.USERS[principal]
    if level == "admin":
        return "allow" if admin else "forbidden"
    if level == "officer":
        return "allow" if party is not None and role.at_least(Role.WATCH_OFFICER) else "forbidden"
    if level == "liaison":
        return "allow" if admin or role.at_least(Role.LIAISON_OFFICER) else "forbidden"
    if level == "party_admin" and not (admin or role is Role.PARTY_ADMIN):
        return "forbidden"
    if names_a_party and party is None:
        return "forbidden"  # rules belong to parties: a server admin sets none
    return "allow"


def cases() -> list[Any]:
    found = []
    for method, path, operation in OPERATIONS:
        level = operation.get("x-shade-access", "missing")
        for principal in PRINCIPALS:
            sides = ("own", "other") if "{viewer}" in path else ("",)
            for side in sides:
                label = f"{method} {path} as {principal}" + (f" ({side} party)" if side else "")
                found.append(pytest.param(method, path, level, principal, side, id=label))
    return found


def _other_party(party: str | None) -> str:
    return "jmsdf" if party != "jmsdf" else "nato"


def request_for(
    running: Running, method: str, path: str, principal: str, side: str
) -> tuple[str, dict[str, Any] | None]:
    """A valid request for the operation by ``principal``: path and query filled from the
    world, a body that would be accepted."""
    party = None if principal == "anonymous" else world.USERS[principal][0]
    token_id = "000000000000"  # none: no one signed in to own one
    if principal != "anonymous":
        token_id, _ = running.store.create_token(principal, "own", actor="test", remote=None)
    event = running.store.events()[0]
    channel = next(c for c in running.store.hotline.channels() if c.parties == ("nato", "plan"))
    message = running.store.hotline.messages([channel.id])[0]
    values = {
        "{mmsi}": str(world.NATO),
        "{event_id}": event.id,
        "{viewer}": (party or "nato") if side == "own" else _other_party(party),
        "{name}": "nato_viewer",
        "{token_id}": token_id,
        "{channel_id}": channel.id,
        "{message_id}": message.id,
        "{seq}": "0",
    }
    for key, value in values.items():
        path = path.replace(key, value)
    if path == "/api/export/points":
        start = (running.now.replace(microsecond=0)).isoformat().replace("+00:00", "Z")
        path += f"?from={start}&to={start}"
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/session"): {"name": "nato_viewer", "password": world.PASSWORD},
        ("POST", "/api/users"): {"name": "newcomer", "password": "a long password here"},
        ("POST", "/api/tokens"): {"label": "matrix"},
        ("POST", "/api/hotline/preview"): {"phrase": "understood"},
        ("POST", "/api/hotline/channels"): {
            "name": "matrix",
            "parties": sorted({party or "plan", _other_party(party)}),
        },
        ("POST", f"/api/hotline/channels/{channel.id}/messages"): {
            "precedence": "ROUTINE",
            "text": f"matrix {principal}",
        },
    }
    body = bodies.get((method, path))
    if method == "PUT" and path.startswith("/api/release-rules/"):
        body = {"mode": "full"}
    return path, body


@pytest.mark.parametrize(("method", "path", "level", "principal", "side"), cases())
def test_the_matrix(
    running: Running, method: str, path: str, level: str, principal: str, side: str
) -> None:
    assert level in LEVELS
    url, body = request_for(running, method, path, principal, side)
    headers = {} if principal == "anonymous" else running.token(principal)
    response = running.client.request(method, url, json=body, headers=headers)
    want = expected(level, principal, bool(side))
    got = {401: "unauthenticated", 403: "forbidden"}.get(response.status_code, "allow")
    assert got == want, f"{response.status_code} {response.text}"
    if got != "allow":
        assert response.json()["code"] == want
    else:
        assert response.status_code < 500, response.text
        if side == "own":  # a party sets no rule for itself: refused as bad input
            assert response.status_code == 400, response.text


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_the_live_stream(running: Running, principal: str) -> None:
    headers = {} if principal == "anonymous" else running.token(principal)
    if principal == "anonymous":
        with (
            pytest.raises(WebSocketDisconnect),
            running.client.websocket_connect("wss://testserver/ws", headers=headers) as ws,
        ):
            ws.receive_json()
        return
    with running.client.websocket_connect("wss://testserver/ws", headers=headers) as ws:
        ws.send_json({"type": "hello", "resume": None})
        assert ws.receive_json()["type"] == "snapshot"


def _signed_in(client: TestClient) -> None:
    response = client.post("/api/session", json={"name": "nato_viewer", "password": world.PASSWORD})
    assert response.status_code == 200


def test_a_session_opens_the_stream_from_the_servers_own_pages_only(running: Running) -> None:
    _signed_in(running.client)
    with running.client.websocket_connect(
        "wss://testserver/ws", headers={"Origin": "https://testserver"}
    ) as ws:
        ws.send_json({"type": "hello", "resume": None})
        assert ws.receive_json()["type"] == "snapshot"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        running.client.websocket_connect(
            "wss://testserver/ws", headers={"Origin": "https://elsewhere.example"}
        ) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 1008
