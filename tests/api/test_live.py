"""The live stream ``/ws`` in-process: snapshot, updates as commits land, what each party
may see, resume by sequence number without loss or duplicates, new epochs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from shade.api import Server, create_app
from shade.config import Settings
from shade.detect.events import EventKind
from shade.store import Store
from shade.tracks.model import Point, Update
from tests.api import world

WS = "wss://testserver/ws"


@pytest.fixture
def live(store_url: str) -> Iterator[tuple[Store, TestClient, datetime, dict[str, dict[str, str]]]]:
    store, now = world.build(store_url)
    settings = Settings(ws_interval_ms=50)
    server = Server.open(store, world.PARTIES, settings=settings)
    headers = {}
    for name in ("nato_viewer", "plan_viewer", "jmsdf_viewer", "root"):
        _, token = store.create_token(name, "test", actor="test", remote=None)
        headers[name] = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(server), base_url="https://testserver") as client:
        yield store, client, now, headers
    store.close()


def point(mmsi: int, at: datetime, lon: float = 48.0) -> Point:
    return Point(mmsi, at, 12.5, lon, 11.0, 90.0, 90, 0, 1, "rx")


def hello(ws: WebSocketTestSession, resume: int | None = None, epoch: str | None = None) -> None:
    ws.send_json({"type": "hello", "resume": resume, "epoch": epoch})


def updates_until(ws: WebSocketTestSession, seq: int) -> list[dict[str, Any]]:
    """Update frames until one reaches ``seq``."""
    frames = []
    while True:
        frame = ws.receive_json()
        assert frame["type"] == "update", frame
        frames.append(frame)
        if frame["seq"] >= seq:
            return frames


def test_a_snapshot_first_as_the_party_may_see_it(live: Any) -> None:
    _, client, now, headers = live
    with client.websocket_connect(WS, headers=headers["nato_viewer"]) as ws:
        hello(ws)
        snapshot = ws.receive_json()
    assert snapshot["type"] == "snapshot" and snapshot["seq"] == 0 and snapshot["epoch"]
    shown = {v["mmsi"]: v for v in snapshot["vessels"]}
    assert set(shown) == {world.NATO, world.PLAN, world.PLAN_BY_FLAG, world.JMSDF, world.MERCHANT}
    cut = now - timedelta(minutes=5)
    assert shown[world.PLAN]["release"] == "delayed"
    assert datetime.fromisoformat(shown[world.PLAN]["at"]) <= cut
    ids = {e["id"] for e in snapshot["events"]}
    # jmsdf releases its events to nato: their encounter; plan does not (delayed, open).
    assert any(e.startswith("encounter:235000001-431000001") for e in ids)
    assert not any("412000001" in e for e in ids)


def test_a_client_that_says_no_hello_gets_its_snapshot_all_the_same(live: Any) -> None:
    _, client, _, headers = live
    with client.websocket_connect(WS, headers=headers["root"]) as ws:
        snapshot = ws.receive_json()
    assert snapshot["type"] == "snapshot"
    assert [v["mmsi"] for v in snapshot["vessels"]] == [world.MERCHANT]


def test_commits_arrive_as_updates_released_per_party(live: Any) -> None:
    store, client, now, headers = live
    later = now + timedelta(seconds=30)
    with (
        client.websocket_connect(WS, headers=headers["nato_viewer"]) as nato,
        client.websocket_connect(WS, headers=headers["plan_viewer"]) as plan,
    ):
        hello(nato)
        hello(plan)
        assert nato.receive_json()["type"] == plan.receive_json()["type"] == "snapshot"
        fresh = [point(world.NATO, later), point(world.PLAN, later), point(world.JMSDF, later)]
        store.write(Update(fresh, [], []))
        [to_nato] = updates_until(nato, 1)
        [to_plan] = updates_until(plan, 1)
    assert (to_nato["first"], to_nato["seq"]) == (1, 1)
    # nato: its own and JMSDF's at once; PLAN's is 5 minutes away.
    assert sorted(p["mmsi"] for p in to_nato["points"]) == [world.NATO, world.JMSDF]
    assert {p["party"] for p in to_nato["points"]} == {"nato", "jmsdf"}
    # plan: its own at once; NATO's coarsened point only once its minute is over; no JMSDF.
    assert [p["mmsi"] for p in to_plan["points"]] == [world.PLAN]


def test_events_go_out_at_once_to_parties_that_may_see_them(live: Any) -> None:
    store, client, now, headers = live
    event = world.encounter(world.NATO, world.JMSDF, now, None)
    with client.websocket_connect(WS, headers=headers["nato_viewer"]) as nato:
        hello(nato)
        nato.receive_json()
        store.write_events([event, world.encounter(world.PLAN, world.JMSDF, now, None)])
        [frame] = updates_until(nato, 1)
    assert [e["id"] for e in frame["events"]] == [event.id]
    assert frame["events"][0]["kind"] == EventKind.ENCOUNTER.value
    assert frame["events"][0]["cpa_nm"] == 0.4


def test_a_client_resumes_where_it_was_without_loss_or_duplicates(live: Any) -> None:
    store, client, now, headers = live
    with client.websocket_connect(WS, headers=headers["nato_viewer"]) as ws:
        hello(ws)
        snapshot = ws.receive_json()
        store.write(Update([point(world.NATO, now + timedelta(seconds=10), 48.0)], [], []))
        [first] = updates_until(ws, 1)
    assert first["seq"] == 1
    # Away: three commits, one of them of an event.
    for k in range(3):
        at = now + timedelta(seconds=20 + k * 10)
        store.write(Update([point(world.NATO, at, 48.1 + k / 10)], [], []))
    store.write_events([world.zone_visit(world.NATO, now)])
    with client.websocket_connect(WS, headers=headers["nato_viewer"]) as ws:
        hello(ws, resume=1, epoch=snapshot["epoch"])
        frames = updates_until(ws, 5)
    assert frames[0]["first"] == 2
    assert all(b["first"] == a["seq"] + 1 for a, b in itertools.pairwise(frames))
    points = [p for frame in frames for p in frame["points"]]
    # Merged: the newest point of the vessel, once.
    assert [(p["mmsi"], p["lon"]) for p in points][-1] == (world.NATO, pytest.approx(48.3))
    assert len({(p["mmsi"], p["at"]) for p in points}) == len(points)
    events = [e["id"] for frame in frames for e in frame["events"]]
    assert events == [world.zone_visit(world.NATO, now).id]


def test_a_resume_from_another_epoch_or_ahead_gets_a_snapshot(live: Any) -> None:
    _, client, _, headers = live
    for resume, epoch in ((0, "not-this-run"), (99, None), (-1, None)):
        with client.websocket_connect(WS, headers=headers["nato_viewer"]) as ws:
            hello(ws, resume=resume, epoch=epoch)
            assert ws.receive_json()["type"] == "snapshot"


def test_new_rules_start_a_new_epoch_and_a_snapshot_by_them(live: Any) -> None:
    store, client, _, headers = live
    with client.websocket_connect(WS, headers=headers["jmsdf_viewer"]) as ws:
        hello(ws)
        before = ws.receive_json()
        assert world.PLAN not in {v["mmsi"] for v in before["vessels"]}
        # plan's admin releases its units to jmsdf, through the API.
        response = client.put(
            "/api/release-rules/jmsdf", json={"mode": "full"}, headers=_admin(store, "plan_admin")
        )
        assert response.status_code == 200, response.text
        after = ws.receive_json()
    assert after["type"] == "snapshot" and after["epoch"] != before["epoch"]
    assert world.PLAN in {v["mmsi"] for v in after["vessels"]}


def _admin(store: Store, name: str) -> dict[str, str]:
    _, token = store.create_token(name, "test", actor="test", remote=None)
    return {"Authorization": f"Bearer {token}"}


def test_a_disabled_user_is_cut_off_while_updates_flow(
    live: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, client, now, headers = live
    monkeypatch.setattr("shade.api.live._RECHECK_S", 0.0)  # check before every frame
    with client.websocket_connect(WS, headers=headers["nato_viewer"]) as ws:
        hello(ws)
        assert ws.receive_json()["type"] == "snapshot"
        store.write(Update([point(world.NATO, now + timedelta(seconds=5))], [], []))
        assert ws.receive_json()["type"] == "update"
        store.disable_user("nato_viewer", actor="test", remote=None)
        store.write(Update([point(world.NATO, now + timedelta(seconds=15))], [], []))
        with pytest.raises(WebSocketDisconnect) as cut:
            ws.receive_json()
    assert cut.value.code == 1008
