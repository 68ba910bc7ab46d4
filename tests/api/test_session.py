"""Signing in and out: cookies, CSRF, the audit of each, throttled failures, and a
disabled user cut off at once."""

from __future__ import annotations

from http.cookies import SimpleCookie

from shade.config import Settings
from tests.api import world
from tests.api.conftest import Running


def login(running: Running, name: str = "nato_admin", password: str = world.PASSWORD) -> object:
    return running.client.post("/api/session", json={"name": name, "password": password})


def test_a_login_sets_a_strict_secure_session_and_a_csrf_value(running: Running) -> None:
    response = login(running)
    assert response.status_code == 200
    answer = response.json()
    assert answer["user"]["name"] == "nato_admin" and answer["user"]["party"] == "nato"
    cookies = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        cookies.load(header)
    session, csrf = cookies["shade_session"], cookies["shade_csrf"]
    assert session["httponly"] and session["secure"] and session["samesite"] == "strict"
    assert csrf["secure"] and not csrf["httponly"]  # the page reads it after a reload
    assert csrf.value == answer["csrf"] and session.value not in response.text
    assert running.store.audit_log(1)[0].action == "session.login"
    me = running.client.get("/api/me").json()
    assert me["user"]["name"] == "nato_admin"
    assert [p["id"] for p in me["parties"]] == ["nato", "plan", "jmsdf"]
    assert me["parties"][0]["colour"] == "#1f4e9c" and me["now"].endswith("Z")


def test_a_change_by_session_needs_the_csrf_value(running: Running) -> None:
    csrf = login(running).json()["csrf"]
    for headers in ({}, {"X-CSRF-Token": "guess"}):
        refused = running.client.post("/api/tokens", json={"label": "x"}, headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    made = running.client.post("/api/tokens", json={"label": "x"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and made.json()["token"].startswith("shd_")
    # A token needs none: no browser sends it by itself.
    running.client.cookies.clear()
    by_token = running.client.post(
        "/api/tokens", json={"label": "y"}, headers=running.token("nato_viewer")
    )
    assert by_token.status_code == 201


def test_a_logout_ends_the_session_on_the_server(running: Running) -> None:
    csrf = login(running).json()["csrf"]
    secret = running.client.cookies["shade_session"]
    out = running.client.delete("/api/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert running.store.audit_log(1)[0].action == "session.logout"
    running.client.cookies.set("shade_session", secret, domain="testserver.local")
    replayed = running.client.get("/api/me")
    assert replayed.status_code == 401 and replayed.json()["code"] == "unauthenticated"


def test_a_wrong_password_is_refused_and_audited(running: Running) -> None:
    refused = login(running, password="not the password")
    assert refused.status_code == 401
    assert refused.json() == {
        "code": "unauthenticated",
        "message": "wrong user name or password",
        "detail": None,
    }
    entry = running.store.audit_log(1)[0]
    assert (entry.action, entry.actor, entry.remote) == (
        "login.fail",
        "login:nato_admin",
        "testclient",
    )
    unknown = login(running, name="nobody")
    assert unknown.json() == refused.json()


def test_failed_logins_are_throttled_by_name_and_by_address(running: Running) -> None:
    attempts = Settings().login_attempts
    for _ in range(attempts):
        assert login(running, password="wrong password").status_code == 401
    # Even the right password now waits.
    limited = login(running)
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) > 0
    # The address has used its failures too: another name from it waits as well.
    assert login(running, name="plan_viewer").status_code == 429


def test_a_disabled_user_is_cut_off_at_once(running: Running) -> None:
    headers = running.token("nato_viewer")
    login(running, name="nato_viewer")
    assert running.client.get("/api/me").status_code == 200
    running.store.disable_user("nato_viewer", actor="test", remote=None)
    assert running.client.get("/api/me").status_code == 401
    running.client.cookies.clear()
    assert running.client.get("/api/me", headers=headers).status_code == 401
    assert login(running, name="nato_viewer").status_code == 401


def test_a_user_of_a_party_not_served_is_refused(running: Running) -> None:
    running.store.add_user("stranger", world.PASSWORD, "eunavfor", actor="test", remote=None)
    refused = login(running, name="stranger")
    assert refused.status_code == 403 and "not served here" in refused.json()["message"]
