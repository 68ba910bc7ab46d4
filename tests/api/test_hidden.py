"""No path leaks what a party may not see. In the world, the PLA Navy hides its units from
the JMSDF; a server admin (no party) sees neutral vessels only; the PLA Navy's units reach
NATO 5 minutes late; NATO's reach the PLA Navy coarsened to a 10 nm grid. Every route that
returns positions or events, and the live stream, is asked; a hidden unit must be answered
exactly as an MMSI never seen, even when its id is guessed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from shade.access import snap
from shade.tracks.model import Point, Update
from tests.api import world
from tests.api.conftest import Running

PLAN_UNITS = {world.PLAN, world.PLAN_BY_FLAG}
NEVER = 273999999  # no vessel of the world
WS = "wss://testserver/ws"


def get(running: Running, user: str, url: str) -> Any:
    response = running.client.get(url, headers=running.token(user))
    return response


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def mentioned(payload: Any) -> set[int]:
    """Every MMSI-like number anywhere in a JSON answer."""
    found: set[int] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, int) and not isinstance(value, bool):
            found.add(value)
        elif isinstance(value, str):
            found.update(int(part) for part in value.replace(":", "-").split("-") if part.isdigit())

    walk(payload)
    return found


@pytest.mark.parametrize("user", ["jmsdf_viewer", "root"])
def test_the_picture_never_holds_a_hidden_unit(running: Running, user: str) -> None:
    hidden = PLAN_UNITS | ({world.NATO, world.JMSDF} if user == "root" else set())
    queries = [
        "/api/vessels",
        "/api/vessels?bbox=46,12,49,13.5",
        "/api/vessels?q=PLAN",
        f"/api/vessels?q={world.PLAN}",
        f"/api/vessels?at={iso(running.now - timedelta(minutes=3))}",
    ]
    for url in queries:
        response = get(running, user, url)
        assert response.status_code == 200
        assert not mentioned(response.json()["items"]) & hidden, url
    everything = get(running, user, "/api/vessels").json()["items"]
    expected = {world.MERCHANT} if user == "root" else {world.NATO, world.JMSDF, world.MERCHANT}
    assert {v["mmsi"] for v in everything} == expected


def _alike(hidden: Any, never: Any, mmsi: int) -> None:
    assert hidden.status_code == never.status_code
    assert hidden.headers.get("content-type") == never.headers.get("content-type")
    text = hidden.text.replace(str(mmsi), str(NEVER))
    assert text == never.text


@pytest.mark.parametrize("mmsi", sorted(PLAN_UNITS))
def test_a_hidden_unit_is_answered_as_one_never_seen(running: Running, mmsi: int) -> None:
    for path in ("/api/vessels/{}", "/api/vessels/{}/track", "/api/vessels/{}/track.geojson"):
        hidden = get(running, "jmsdf_viewer", path.format(mmsi))
        never = get(running, "jmsdf_viewer", path.format(NEVER))
        _alike(hidden, never, mmsi)
    assert get(running, "jmsdf_viewer", f"/api/vessels/{mmsi}").status_code == 404
    # While a party that may see it gets it.
    assert get(running, "plan_viewer", f"/api/vessels/{mmsi}").status_code == 200


def test_events_naming_a_hidden_unit_are_answered_as_none(running: Running) -> None:
    listed = get(running, "jmsdf_viewer", "/api/events").json()["items"]
    assert listed and not mentioned(listed) & PLAN_UNITS
    for mmsi in PLAN_UNITS:
        by_vessel = get(running, "jmsdf_viewer", f"/api/events?mmsi={mmsi}")
        assert by_vessel.json() == {"items": [], "next": None}
    for event in running.store.events():
        if not set(event.mmsi) & PLAN_UNITS:
            continue
        guessed = get(running, "jmsdf_viewer", f"/api/events/{event.id}")
        made_up = get(running, "jmsdf_viewer", f"/api/events/{event.id}x")
        assert guessed.status_code == made_up.status_code == 404
        told = made_up.json()
        assert guessed.json() == {
            **told,
            "message": told["message"].replace(f"{event.id}x", event.id),
        }


def test_an_export_holds_no_hidden_unit(running: Running) -> None:
    start, end = iso(running.now - timedelta(hours=1)), iso(running.now)
    for user, hidden in (("jmsdf_viewer", PLAN_UNITS), ("root", PLAN_UNITS | {world.NATO})):
        response = get(running, user, f"/api/export/points?from={start}&to={end}")
        assert response.status_code == 200
        rows = [orjson.loads(line) for line in response.content.splitlines()]
        assert rows and not {row["mmsi"] for row in rows} & hidden


def test_the_live_stream_never_carries_a_hidden_unit(running: Running) -> None:
    later = running.now + timedelta(seconds=20)
    fresh = [
        Point(m, later, 12.7, 47.9, 12.0, 90.0, 90, 0, 1, "rx")
        for m in (*sorted(PLAN_UNITS), world.JMSDF)
    ]
    with running.client.websocket_connect(WS, headers=running.token("jmsdf_viewer")) as ws:
        ws.send_json({"type": "hello", "resume": None})
        snapshot = ws.receive_json()
        assert not mentioned(snapshot["vessels"]) & PLAN_UNITS
        assert not mentioned(snapshot["events"]) & PLAN_UNITS
        running.store.write(Update(fresh, [], []), [world.zone_visit(world.PLAN, later)])
        update = ws.receive_json()
    assert [p["mmsi"] for p in update["points"]] == [world.JMSDF]
    assert update["events"] == []


def test_a_delayed_unit_never_shows_a_position_newer_than_the_delay(running: Running) -> None:
    cut = running.now - timedelta(minutes=5)
    seen: list[str] = []
    for vessel in get(running, "nato_viewer", "/api/vessels").json()["items"]:
        if vessel["mmsi"] in PLAN_UNITS:
            assert vessel["release"] == "delayed" and vessel["release_minutes"] == 5
            seen.append(vessel["at"])
    for mmsi in PLAN_UNITS:
        seen.append(get(running, "nato_viewer", f"/api/vessels/{mmsi}").json()["at"])
        track = get(running, "nato_viewer", f"/api/vessels/{mmsi}/track").json()["items"]
        assert track
        seen += [p["at"] for p in track]
        geo = get(running, "nato_viewer", f"/api/vessels/{mmsi}/track.geojson").json()
        seen += geo["properties"]["times"]
    start, end = iso(running.now - timedelta(hours=1)), iso(running.now)
    exported = get(running, "nato_viewer", f"/api/export/points?from={start}&to={end}")
    rows = [orjson.loads(line) for line in exported.content.splitlines()]
    seen += [row["at"] for row in rows if row["mmsi"] in PLAN_UNITS]
    assert len(seen) > 20
    assert all(datetime.fromisoformat(at) <= cut for at in seen)
    # Live: a fresh point of theirs is not sent now, while NATO's own goes at once.
    later = running.now + timedelta(seconds=20)
    fresh = [
        Point(m, later, 12.7, 47.9, 12.0, 90.0, 90, 0, 1, "rx") for m in (world.PLAN, world.NATO)
    ]
    with running.client.websocket_connect(WS, headers=running.token("nato_viewer")) as ws:
        ws.send_json({"type": "hello", "resume": None})
        snapshot = ws.receive_json()
        for vessel in snapshot["vessels"]:
            if vessel["mmsi"] in PLAN_UNITS:
                assert datetime.fromisoformat(vessel["at"]) <= cut
        running.store.write(Update(fresh, [], []))
        update = ws.receive_json()
    assert [p["mmsi"] for p in update["points"]] == [world.NATO]


def test_a_coarsened_unit_shows_its_cell_the_minute_and_no_heading(running: Running) -> None:
    vessel = get(running, "plan_viewer", f"/api/vessels/{world.NATO}").json()
    assert vessel["release"] == "coarsened" and vessel["release_nm"] == 10.0
    answers = [
        vessel,
        *get(running, "plan_viewer", f"/api/vessels/{world.NATO}/track").json()["items"],
    ]
    answers += [
        v
        for v in get(running, "plan_viewer", "/api/vessels").json()["items"]
        if v["mmsi"] == world.NATO
    ]
    exact = {(p.lat, p.lon) for p in running.store.track(world.NATO)}
    cells = {snap(lat, lon, 10.0) for lat, lon in exact}
    for answer in answers:
        assert (answer["lat"], answer["lon"]) in cells
        assert (answer["lat"], answer["lon"]) not in exact
        assert answer["heading"] is None
        at = datetime.fromisoformat(answer["at"])
        assert at.second == 0 and at.microsecond == 0
