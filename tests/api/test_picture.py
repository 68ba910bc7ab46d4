"""The picture routes: pages, areas, searches, past times, tracks, the export."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson

from tests.api import world
from tests.api.conftest import Running


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def get(running: Running, url: str, user: str = "nato_viewer") -> Any:
    response = running.client.get(url, headers=running.token(user))
    assert response.status_code == 200, response.text
    return response.json()


def test_pages_cover_the_picture_once(running: Running) -> None:
    whole = [v["mmsi"] for v in get(running, "/api/vessels")["items"]]
    assert whole == sorted(whole) and len(whole) == 5
    seen, cursor = [], None
    while True:
        url = "/api/vessels?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = get(running, url)
        assert len(page["items"]) <= 2
        seen += [v["mmsi"] for v in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == whole


def test_an_area_and_a_search_narrow_the_picture(running: Running) -> None:
    south = get(running, "/api/vessels?bbox=46,12,49,12.55")["items"]
    assert {v["mmsi"] for v in south} == {world.NATO, world.MERCHANT}
    assert {v["mmsi"] for v in get(running, "/api/vessels?q=frigate")["items"]} == {
        world.NATO,
        world.PLAN_BY_FLAG,
    }
    assert [v["mmsi"] for v in get(running, f"/api/vessels?q={world.JMSDF}")["items"]] == [
        world.JMSDF
    ]
    bad = running.client.get("/api/vessels?bbox=46,12,49,95", headers=running.token("nato_viewer"))
    assert bad.status_code == 400 and "latitudes" in bad.json()["message"]


def test_a_past_time_shows_positions_as_they_were(running: Running) -> None:
    then = running.now - timedelta(minutes=4)
    past = {v["mmsi"]: v for v in get(running, f"/api/vessels?at={iso(then)}")["items"]}
    assert datetime.fromisoformat(past[world.NATO]["at"]) == then
    assert past[world.NATO]["lon"] < get(running, f"/api/vessels/{world.NATO}")["lon"]


def test_each_mode_says_how_a_vessel_is_shown(running: Running) -> None:
    by_nato = {v["mmsi"]: v for v in get(running, "/api/vessels")["items"]}
    assert by_nato[world.NATO]["release"] == by_nato[world.JMSDF]["release"] == "full"
    assert by_nato[world.PLAN]["release"] == "delayed"
    assert by_nato[world.PLAN]["release_minutes"] == 5
    assert by_nato[world.PLAN]["destination"] is None  # voyage data may be newer than the cut
    assert by_nato[world.MERCHANT]["party"] == "neutral"
    by_plan = {v["mmsi"]: v for v in get(running, "/api/vessels", "plan_viewer")["items"]}
    assert by_plan[world.NATO]["release"] == "coarsened"
    assert by_plan[world.NATO]["release_nm"] == 10.0
    assert by_plan[world.NATO]["shipname"] == "NATO FRIGATE"  # identity is kept


def test_a_track_in_time_order_with_pages_and_as_geojson(running: Running) -> None:
    url = f"/api/vessels/{world.NATO}/track"
    whole = get(running, url)["items"]
    assert len(whole) == world.MINUTES + 1
    assert [p["at"] for p in whole] == sorted(p["at"] for p in whole)
    first = get(running, f"{url}?limit=4")
    rest = get(running, f"{url}?limit=100&cursor={first['next']}")
    assert first["items"] + rest["items"] == whole and rest["next"] is None
    window = get(running, f"{url}?from={iso(running.now - timedelta(minutes=3))}")["items"]
    assert len(window) == 4
    feature = get(running, f"{url}.geojson")
    assert feature["geometry"]["type"] == "LineString"
    assert len(feature["geometry"]["coordinates"]) == len(feature["properties"]["times"]) == 11


def test_an_export_is_json_lines_of_the_window(running: Running) -> None:
    start, end = iso(running.now - timedelta(minutes=2)), iso(running.now)
    response = running.client.get(
        f"/api/export/points?from={start}&to={end}", headers=running.token("jmsdf_viewer")
    )
    assert response.headers["content-type"].startswith("application/x-ndjson")
    rows = [orjson.loads(line) for line in response.content.splitlines()]
    # JMSDF sees its own, NATO's (full) and the merchant: three points a minute.
    assert len(rows) == 3 * 3
    assert {row["mmsi"] for row in rows} == {world.NATO, world.JMSDF, world.MERCHANT}
    backwards = running.client.get(
        f"/api/export/points?from={end}&to={start}", headers=running.token("jmsdf_viewer")
    )
    assert backwards.status_code == 400 and backwards.json()["code"] == "bad_input"
