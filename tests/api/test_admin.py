"""Changes through the API: release rules (seen at once by the other party), users and
tokens within one's party, each with its audit row; events listed and filtered."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shade.api import Server, create_app
from shade.sim.zones import irtc_zones
from tests.api import world
from tests.api.conftest import Running


def call(running: Running, method: str, url: str, user: str, body: Any = None) -> Any:
    return running.client.request(method, url, json=body, headers=running.token(user))


def seen_by(running: Running, user: str) -> set[int]:
    return {v["mmsi"] for v in call(running, "GET", "/api/vessels", user).json()["items"]}


def test_a_rule_set_by_a_party_admin_takes_effect_at_once_and_is_audited(running: Running) -> None:
    assert world.PLAN not in seen_by(running, "jmsdf_viewer")
    made = call(running, "PUT", "/api/release-rules/jmsdf", "plan_admin", {"mode": "full"})
    assert made.status_code == 200 and made.json()["updated_by"] == "user:plan_admin"
    assert world.PLAN in seen_by(running, "jmsdf_viewer")
    entry = running.store.audit_log(1)[0]
    assert (entry.action, entry.target, entry.remote) == (
        "release.set",
        "plan->jmsdf",
        "testclient",
    )
    assert entry.detail["new"]["mode"] == "full" and entry.detail["old"] is None
    removed = call(running, "DELETE", "/api/release-rules/jmsdf", "plan_admin")
    assert removed.status_code == 204
    assert world.PLAN not in seen_by(running, "jmsdf_viewer")
    assert running.store.audit_log(1)[0].action == "release.remove"
    again = call(running, "DELETE", "/api/release-rules/jmsdf", "plan_admin")
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"mode": "delayed"}, "minutes"),
        ({"mode": "coarsened", "nm": 900}, "grid size"),
        ({"mode": "full", "colour": "red"}, "colour"),
        ({"mode": "sometimes"}, "mode"),
    ],
)
def test_a_bad_rule_is_refused_in_one_line(running: Running, body: Any, says: str) -> None:
    refused = call(running, "PUT", "/api/release-rules/jmsdf", "plan_admin", body)
    assert refused.status_code == 400 and says in refused.json()["message"]
    assert "\n" not in refused.json()["message"]


def test_rules_name_parties_served_and_never_ones_own(running: Running) -> None:
    own = call(running, "PUT", "/api/release-rules/plan", "plan_admin", {"mode": "full"})
    assert own.status_code == 400
    unknown = call(running, "PUT", "/api/release-rules/eunavfor", "plan_admin", {"mode": "full"})
    assert unknown.status_code == 404
    listed = call(running, "GET", "/api/release-rules", "plan_viewer").json()["items"]
    assert {(r["owner"], r["viewer"]) for r in listed} == {("plan", "nato"), ("nato", "plan")}


def test_a_party_admin_manages_the_users_of_their_party_only(running: Running) -> None:
    listed = call(running, "GET", "/api/users", "nato_admin").json()["items"]
    assert {u["party"] for u in listed} == {"nato"} and len(listed) == 4
    body = {"name": "nato_new", "password": "a long password here", "role": "viewer"}
    made = call(running, "POST", "/api/users", "nato_admin", body)
    assert made.status_code == 201 and made.json()["party"] == "nato"
    assert running.store.audit_log(1)[0].actor == "user:nato_admin"
    taken = call(running, "POST", "/api/users", "nato_admin", body)
    assert taken.status_code == 409
    for other in ({**body, "name": "x1", "party": "plan"}, {**body, "name": "x2", "admin": True}):
        assert call(running, "POST", "/api/users", "nato_admin", other).status_code == 403
    weak = call(
        running, "POST", "/api/users", "nato_admin", {**body, "name": "x3", "password": "nato_new"}
    )
    assert weak.status_code == 400
    # Another party's user is answered as none.
    assert call(running, "POST", "/api/users/plan_viewer/disable", "nato_admin").status_code == 404
    disabled = call(running, "POST", "/api/users/nato_viewer/disable", "nato_admin")
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True


def test_tokens_are_shown_once_and_revoked_by_their_owner_or_party_admin(running: Running) -> None:
    made = call(running, "POST", "/api/tokens", "nato_viewer", {"label": "cron"}).json()
    token = made["token"]
    listed = call(running, "GET", "/api/tokens", "nato_viewer")
    assert token not in listed.text and made["id"] in listed.text
    headers = {"Authorization": f"Bearer {token}"}
    assert running.client.get("/api/me", headers=headers).status_code == 200
    assert call(running, "DELETE", f"/api/tokens/{made['id']}", "plan_admin").status_code == 404
    assert call(running, "DELETE", f"/api/tokens/{made['id']}", "nato_admin").status_code == 204
    assert running.client.get("/api/me", headers=headers).status_code == 401
    mine = call(running, "POST", "/api/tokens", "plan_viewer", {}).json()
    assert call(running, "DELETE", f"/api/tokens/{mine['id']}", "plan_viewer").status_code == 204


def test_events_newest_first_filtered_and_paged(running: Running) -> None:
    items = call(running, "GET", "/api/events", "nato_viewer").json()["items"]
    assert [(e["start"], e["id"]) for e in items] == sorted(
        ((e["start"], e["id"]) for e in items), reverse=True
    )
    kinds = call(running, "GET", "/api/events?kind=zone", "nato_viewer").json()["items"]
    assert kinds and {e["kind"] for e in kinds} == {"zone"}
    open_only = call(running, "GET", "/api/events?open=true", "nato_viewer").json()["items"]
    assert open_only and all(e["end"] is None for e in open_only)
    first = call(running, "GET", "/api/events?limit=1", "nato_viewer").json()
    assert first["items"] == items[:1] and first["next"] == "1"
    one = call(running, "GET", f"/api/events/{items[0]['id']}", "nato_viewer").json()
    assert one == items[0]
    bad = call(running, "GET", "/api/events?kind=storm", "nato_viewer")
    assert bad.status_code == 400


def test_zones_are_served_as_geojson(running: Running) -> None:
    app = create_app(Server.open(running.store, world.PARTIES, tuple(irtc_zones())))
    with TestClient(app, base_url="https://testserver") as client:
        zones = client.get("/api/zones", headers=running.token("plan_viewer")).json()
    assert zones["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in zones["features"]}
    assert "IRTC westbound transit lane" in names
    assert all(f["geometry"]["type"] == "Polygon" for f in zones["features"])
