"""The hotline over HTTP and the live stream, in-process: sending answered only once in
the ledger, retries that send nothing twice, acknowledgements, receipts, escalations, and
a channel (or message) of another party answered as one that does not exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shade.hotline import actions
from tests.api import world
from tests.api.conftest import Running

WS = "wss://testserver/ws"


def channels(running: Running, name: str) -> list[dict[str, Any]]:
    response = running.client.get("/api/hotline/channels", headers=running.token(name))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def nato_plan(running: Running) -> dict[str, Any]:
    return next(c for c in channels(running, "nato_watch") if c["parties"] == ["nato", "plan"])


def post(running: Running, name: str, path: str, body: Any = None, **headers: str) -> Any:
    return running.client.post(path, json=body, headers={**running.token(name), **headers})


def test_each_party_lists_its_own_channels_only(running: Running) -> None:
    assert [c["name"] for c in channels(running, "nato_viewer")] == ["NATO - PLA Navy"]
    assert [c["name"] for c in channels(running, "plan_viewer")] == [
        "NATO - PLA Navy",
        "PLA Navy - JMSDF",
    ]
    assert [c["name"] for c in channels(running, "jmsdf_viewer")] == ["PLA Navy - JMSDF"]
    assert channels(running, "root") == []


def test_another_partys_channel_and_message_are_answered_as_none(running: Running) -> None:
    theirs = next(c for c in channels(running, "plan_viewer") if "jmsdf" in c["parties"])
    message = running.store.hotline.messages([theirs["id"]])[0]
    for path, made_up in (
        (f"/api/hotline/channels/{theirs['id']}", "/api/hotline/channels/0123456789abcdef"),
        (f"/api/hotline/channels/{theirs['id']}/messages", "/api/hotline/channels/00/messages"),
        (f"/api/hotline/messages/{message.id}", f"/api/hotline/messages/{'0' * 32}"),
    ):
        guessed = running.client.get(path, headers=running.token("nato_admin"))
        invented = running.client.get(made_up, headers=running.token("nato_admin"))
        assert guessed.status_code == invented.status_code == 404
        assert guessed.json()["code"] == invented.json()["code"] == "not_found"
    for action in ("read", "ack"):
        response = post(running, "nato_watch", f"/api/hotline/messages/{message.id}/{action}")
        assert response.status_code == 404, response.text
    response = post(
        running, "nato_watch", f"/api/hotline/channels/{theirs['id']}/messages",
        {"precedence": "FLASH", "text": "let me in"},
    )  # fmt: skip
    assert response.status_code == 404
    assert running.store.ledger.size() == 2  # the world's two messages, nothing more


def test_a_message_is_answered_once_committed_and_a_retry_gets_the_same(running: Running) -> None:
    channel = nato_plan(running)
    path = f"/api/hotline/channels/{channel['id']}/messages"
    body = {"precedence": "IMMEDIATE", "phrase": "reduce_speed", "params": {"speed": 8}}
    first = post(running, "nato_watch", path, body, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == 201, first.text
    sent = first.json()
    assert sent["english"] == "I am reducing my speed to 8.0 knots."
    assert sent["chinese"] == "我船正在减速至8.0节。"
    assert sent["seq"] == 2 and sent["receipts"][0]["party"] == "plan"
    # In the ledger already when answered: its entry, and a checkpoint covering it.
    entry = running.client.get(
        f"/api/ledger/entries/{sent['seq']}", headers=running.token("plan_viewer")
    )
    assert entry.status_code == 200 and sent["id"] in entry.json()["line"]
    assert running.store.ledger.checkpoint().size == 3
    again = post(running, "nato_watch", path, body, **{"Idempotency-Key": "retry-1"})
    assert again.status_code == 200 and again.json() == sent
    by_body = post(running, "nato_watch", path, {**body, "key": "retry-1"})
    assert by_body.status_code == 200 and by_body.json()["id"] == sent["id"]
    clash = post(running, "nato_watch", path, {**body, "key": "a"}, **{"Idempotency-Key": "b"})
    assert clash.status_code == 400
    assert running.store.ledger.size() == 3


def test_acknowledging_reading_and_who_may(running: Running) -> None:
    channel = nato_plan(running)
    flash = running.store.hotline.messages([channel["id"]])[-1]
    path = f"/api/hotline/messages/{flash.id}"
    # A viewer reads (recorded) but may not acknowledge.
    read = post(running, "plan_viewer", f"{path}/read")
    assert read.status_code == 200 and read.json()["receipts"][0]["read_by"] == "plan_viewer"
    assert post(running, "plan_viewer", f"{path}/ack").status_code == 403
    own = post(running, "nato_watch", f"{path}/ack")
    assert own.status_code == 400  # the sender's party does not acknowledge its own
    acked = post(running, "plan_watch", f"{path}/ack")
    assert acked.status_code == 200, acked.text
    receipt = acked.json()["receipts"][0]
    assert receipt["acked_by"] == "plan_watch" and receipt["ack_seq"] == 2
    assert acked.json()["acknowledged"] is True
    assert receipt["read_by"] == "plan_viewer"  # the first reading stays
    again = post(running, "plan_duty", f"{path}/ack")
    assert again.status_code == 200 and again.json()["receipts"][0]["acked_by"] == "plan_watch"
    assert [a.action for a in running.store.audit_log(target=flash.id)] == [
        "hotline.ack",
        "hotline.read",
        "hotline.send",
    ]


def test_a_message_about_an_event_carries_it_only_where_it_may_go(running: Running) -> None:
    early = running.now - timedelta(minutes=world.MINUTES)
    nato_plan_event = world.encounter(world.NATO, world.PLAN, early, None)
    nato_jmsdf_event = world.encounter(world.NATO, world.JMSDF, early, running.now)
    path = f"/api/hotline/channels/{nato_plan(running)['id']}/messages"
    # plan's units reach nato delayed, without their events: nato may not see the open
    # NATO/PLAN encounter, so cannot send it (answered as none).
    body = {"precedence": "FLASH", "text": "x", "event": nato_plan_event.id}
    assert post(running, "nato_watch", path, body).status_code == 404
    # JMSDF releases its events to nato: nato may send their encounter to jmsdf...
    opened = post(
        running, "nato_liaison", "/api/hotline/channels",
        {"name": "NATO - JMSDF", "parties": ["nato", "jmsdf"]},
    )  # fmt: skip
    assert opened.status_code == 201, opened.text
    to_jmsdf = f"/api/hotline/channels/{opened.json()['id']}/messages"
    body = {
        "precedence": "FLASH",
        "phrase": "cpa_warning",
        "params": {"cpa": 0.4, "minutes": 3},
        "event": nato_jmsdf_event.id,
    }
    with_event = post(running, "nato_watch", to_jmsdf, body)
    assert with_event.status_code == 201, with_event.text
    carried = with_event.json()["event"]
    assert (carried["id"], carried["cpa_nm"], carried["mmsi"]) == (
        nato_jmsdf_event.id, 0.4, [world.NATO, world.JMSDF],
    )  # fmt: skip
    # ...its figures in the ledger as decimal text.
    seq = with_event.json()["seq"]
    entry = running.client.get(f"/api/ledger/entries/{seq}", headers=running.token("jmsdf_viewer"))
    assert '"cpa_nm":"0.4"' in entry.json()["line"]
    # ...but not to a channel where plan would learn of JMSDF's unit.
    three = post(
        running, "nato_liaison", "/api/hotline/channels",
        {"name": "All three", "parties": ["nato", "plan", "jmsdf"]},
    ).json()  # fmt: skip
    refused = post(running, "nato_watch", f"/api/hotline/channels/{three['id']}/messages", body)
    assert refused.status_code == 403 and "'plan' may not see" in refused.json()["message"]


def test_phrases_and_preview(running: Running) -> None:
    phrases = running.client.get(
        "/api/hotline/phrases", headers=running.token("jmsdf_viewer")
    ).json()
    assert {p["id"] for p in phrases["items"]} >= {"alter_course", "cpa_warning", "understood"}
    assert phrases["sides"]["starboard"] == ["starboard", "右"]
    preview = post(
        running,
        "jmsdf_viewer",
        "/api/hotline/preview",
        {"phrase": "alter_course", "params": {"side": "port", "course": 270}},
    )
    assert preview.status_code == 200
    assert preview.json()["chinese"] == "我船正在向左转向，新航向270度。"
    bad = post(
        running,
        "jmsdf_viewer",
        "/api/hotline/preview",
        {"phrase": "alter_course", "params": {"side": "port"}},
    )
    assert bad.status_code == 400 and "needs course" in bad.json()["message"]


def test_pages_of_messages_newest_first(running: Running) -> None:
    channel = nato_plan(running)
    path = f"/api/hotline/channels/{channel['id']}/messages"
    for k in range(5):
        post(
            running, "nato_watch", path, {"precedence": "ROUTINE", "text": f"m{k}", "key": f"p{k}"}
        )
    first = running.client.get(f"{path}?limit=3", headers=running.token("plan_viewer")).json()
    assert [m["text"] for m in first["items"]] == ["m4", "m3", "m2"]
    second = running.client.get(
        f"{path}?limit=3&before={first['next']}", headers=running.token("plan_viewer")
    ).json()
    assert [m["text"] for m in second["items"]] == ["m1", "m0", None]
    assert second["next"] == str(second["items"][-1]["seq"])
    waiting = running.client.get(f"{path}?open=true", headers=running.token("plan_viewer")).json()
    assert len(waiting["items"]) == 6  # nothing acknowledged yet
    assert (
        running.client.get(f"{path}?open=true", headers=running.token("nato_viewer")).json()[
            "items"
        ]
        == []
    )


def receive_until(ws: Any, wanted: Any) -> dict[str, Any]:
    for _ in range(20):
        frame = ws.receive_json()
        if wanted(frame):
            return dict(frame)
    raise AssertionError("the frame never came")


def hotline_of(frame: dict[str, Any]) -> list[dict[str, Any]]:
    return list(frame.get("hotline", [])) if frame["type"] == "update" else []


def test_the_live_stream_carries_messages_acknowledgements_and_escalations_to_members_only(
    running: Running,
) -> None:
    channel = nato_plan(running)
    path = f"/api/hotline/channels/{channel['id']}/messages"
    with (
        running.client.websocket_connect(WS, headers=running.token("nato_viewer")) as nato,
        running.client.websocket_connect(WS, headers=running.token("plan_viewer")) as plan,
        running.client.websocket_connect(WS, headers=running.token("jmsdf_viewer")) as jmsdf,
    ):
        for ws in (nato, plan, jmsdf):
            ws.send_json({"type": "hello", "resume": None})
        snapshots = [ws.receive_json() for ws in (nato, plan, jmsdf)]
        assert [len(s["hotline"]["channels"]) for s in snapshots] == [1, 2, 1]
        assert {m["party"] for m in snapshots[2]["hotline"]["messages"]} == {"plan"}
        sent = post(running, "nato_watch", path, {"precedence": "FLASH", "text": "live"}).json()
        to_plan = receive_until(
            plan, lambda f: any(h.get("message", {}).get("id") == sent["id"] for h in hotline_of(f))
        )
        assert to_plan["first"] == snapshots[1]["seq"] + 1
        # Delivered to a screen of plan's: recorded, and the sender sees it.
        delivered = receive_until(
            nato,
            lambda f: any(
                h.get("message", {}).get("id") == sent["id"]
                and h["message"]["receipts"][0]["delivered_at"]
                for h in hotline_of(f)
            ),
        )
        assert delivered["type"] == "update"
        post(running, "plan_watch", f"/api/hotline/messages/{sent['id']}/ack")
        acked = receive_until(
            nato,
            lambda f: any(
                h.get("message", {}).get("id") == sent["id"] and h["message"]["acknowledged"]
                for h in hotline_of(f)
            ),
        )
        assert acked["type"] == "update"
        # An escalation, the clock past the deadline of the world's unanswered FLASH.
        later = running.now + timedelta(minutes=11)
        steps = actions.do_escalate(running.store, later)
        assert [(s.party, s.level.name) for s in steps] == [("plan", "DUTY_OFFICER")]
        step = receive_until(plan, lambda f: any(h["type"] == "escalation" for h in hotline_of(f)))
        [told] = [h["escalation"] for h in hotline_of(step) if h["type"] == "escalation"]
        assert (told["party"], told["level"]) == ("plan", "duty_officer")
        # jmsdf heard none of it: the next frame it gets is of a change it may see.
        theirs = next(c["id"] for c in channels(running, "jmsdf_viewer"))
        body = {"precedence": "ROUTINE", "text": "to jmsdf"}
        post(running, "plan_watch", f"/api/hotline/channels/{theirs}/messages", body)
        frame = receive_until(jmsdf, lambda f: bool(hotline_of(f)))
        assert [h["message"]["text"] for h in hotline_of(frame)] == ["to jmsdf"]
        assert frame["first"] == snapshots[2]["seq"] + 1
