"""One error body everywhere ({code, message, detail}); security headers on every answer;
control characters refused before they reach a database; a fault says nothing inside."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shade.api import Server, create_app
from tests.api import world
from tests.api.conftest import Running


def test_an_unknown_path_and_a_wrong_method_get_the_one_body(running: Running) -> None:
    missing = running.client.get("/api/nowhere", headers=running.token("nato_viewer"))
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "not_found",
        "message": "no such path /api/nowhere",
        "detail": None,
    }
    wrong = running.client.put("/api/health")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"


def test_a_bad_parameter_says_where(running: Running) -> None:
    bad = running.client.get("/api/vessels?limit=abc", headers=running.token("nato_viewer"))
    assert bad.status_code == 400
    problem = bad.json()
    assert problem["code"] == "bad_input" and problem["message"].startswith("query.limit:")
    assert problem["detail"][0]["where"] == "query.limit"
    box = running.client.get("/api/vessels?bbox=1,2,3", headers=running.token("nato_viewer"))
    assert box.status_code == 400 and box.json()["message"].startswith("query.bbox:")


def test_security_headers_are_on_every_answer(running: Running) -> None:
    for response in (running.client.get("/api/health"), running.client.get("/api/me")):
        headers = response.headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "http" not in policy  # no other origin may serve anything to the page


@pytest.mark.parametrize(
    "url", ["/api/events/a%00b", "/api/vessels?q=a%00b", "/api/users/x%01/disable"]
)
def test_control_characters_are_refused_as_bad_input(running: Running, url: str) -> None:
    response = running.client.request(
        "POST" if url.endswith("disable") else "GET", url, headers=running.token("nato_admin")
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_input"


def test_a_token_label_with_a_control_character_is_refused(running: Running) -> None:
    response = running.client.post(
        "/api/tokens", json={"label": "cron\x00job"}, headers=running.token("nato_viewer")
    )
    assert response.status_code == 400
    assert [t.label for t in running.store.tokens("nato_viewer")] == ["test"]


def test_a_login_with_a_name_no_user_can_have_is_a_wrong_login(running: Running) -> None:
    response = running.client.post("/api/session", json={"name": "a\x00b", "password": "x"})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert running.store.audit_log(1)[0].actor == "login:?"


def test_a_fault_is_logged_and_answered_without_its_insides(running: Running) -> None:
    app = create_app(Server.open(running.store, world.PARTIES))

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        response = client.get("/api/boom")
    assert response.status_code == 500
    assert response.json() == {
        "code": "error",
        "message": "the server failed; the fault is logged",
        "detail": None,
    }
    assert "secret" not in response.text
