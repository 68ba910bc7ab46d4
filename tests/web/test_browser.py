"""The browser view end to end: ``shade serve`` (a real process, real sockets, the built
``web/dist``) driven in Debian's Chromium by Playwright.

Two users of two navies sign in, each in a browser of their own, and each sees exactly
the vessels the release rules allow their navy; a close encounter detected from a feed
sent while the pages are open appears without a reload where the rules allow it, and
nowhere else. The page is saved as a
screenshot (SHADE_SCREENSHOT names the file; by default it goes in the test's directory).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from shade.accounts import Passwords, Role
from shade.api.run import default_web
from shade.sim.scenario import SHIPS, reports, sentences
from shade.sim.zones import irtc_geojson
from shade.store import Store
from tests.accounts.cheap import CHEAP
from tests.serving import Served, free_port, serve

PASSWORD = "correct horse battery"
NATO_FRIGATE, PLAN_FRIGATE, PLAN_DESTROYER, JMSDF_DESTROYER = (
    235000001,
    412000002,
    412000001,
    431000001,
)
NEUTRAL = {ship.mmsi for ship in SHIPS} - {
    NATO_FRIGATE,
    PLAN_FRIGATE,
    PLAN_DESTROYER,
    JMSDF_DESTROYER,
}
# plan releases its units to nato in full, with events; nato and jmsdf release nothing.
SEEN = {
    "nato": {NATO_FRIGATE, PLAN_FRIGATE, PLAN_DESTROYER} | NEUTRAL,
    "plan": {PLAN_FRIGATE, PLAN_DESTROYER} | NEUTRAL,
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, int]]:
    web = default_web()
    assert web is not None, "the browser view is not built: ./run web"
    db = f"sqlite:///{tmp_path / 'web.db'}"
    with Store.open(db, passwords=Passwords(CHEAP)) as store:
        for party in ("nato", "plan", "jmsdf"):
            store.add_user(party, PASSWORD, party, Role.WATCH_OFFICER, actor="t", remote=None)
        store.set_release_rule("plan", "nato", "full", None, None, True, actor="t", remote=None)
    zones = tmp_path / "irtc.geojson"
    zones.write_text(json.dumps(irtc_geojson()))
    feed = free_port()
    with serve(
        tmp_path, db, "--zones", str(zones), "--ingest", f"tcp-listen://127.0.0.1:{feed}"
    ) as running:
        yield running, feed


def send(feed: int, minutes: int, start: datetime) -> None:
    lines = sentences(reports(minutes, start_at=start))
    with socket.create_connection(("127.0.0.1", feed)) as connection:
        connection.sendall(b"\r\n".join(lines) + b"\r\n")


def sign_in(browser: Browser, url: str, name: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 850}).new_page()
    page.goto(url)
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#whoami")).to_contain_text(name)
    return page


def shown(page: Page) -> set[int]:
    rows = page.locator("#vessel-list tr[data-mmsi]")
    return {int(m) for m in rows.evaluate_all("rows => rows.map(r => r.dataset.mmsi)")}


def test_a_wrong_password_is_refused_on_the_login_page(
    browser: Browser, served: tuple[Served, int]
) -> None:
    running, _ = served
    page = browser.new_context().new_page()
    page.goto(running.url)
    page.fill("#login-name", "nato")
    page.fill("#login-password", "not the password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_contain_text("wrong user name or password")
    expect(page.locator("#whoami")).to_have_count(0)


def test_two_navies_see_what_the_rules_allow_and_an_encounter_appears_live(
    browser: Browser, served: tuple[Served, int], tmp_path: Path
) -> None:
    running, feed = served
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=4)
    nato = sign_in(browser, running.url, "nato")
    plan = sign_in(browser, running.url, "plan")
    for page in (nato, plan):
        expect(page.locator("#live-status")).to_contain_text("live")
        expect(page.locator("#event-list li[data-event-id]")).to_have_count(0)
    # The feed starts now: four minutes of the scenario, the encounter among it.
    send(feed, 4, start)
    encounter = f'#event-list li[data-event-id^="encounter:{NATO_FRIGATE}-{PLAN_FRIGATE}:"]'
    expect(nato.locator(encounter)).to_have_count(1, timeout=30_000)
    for party, page in (("nato", nato), ("plan", plan)):
        page.wait_for_function(
            "n => document.querySelectorAll('#vessel-list tr[data-mmsi]').length >= n",
            arg=len(SEEN[party]),
            timeout=30_000,
        )
        assert shown(page) == SEEN[party], party
    # The PLA Navy may not see NATO's frigate: nor the encounter that names it; its own
    # units' zone visits it sees.
    expect(plan.locator('#event-list li[data-event-id^="zone:412000001:"]')).to_have_count(1)
    expect(plan.locator(encounter)).to_have_count(0)
    # Selecting a vessel shows its details.
    nato.locator(f'#vessel-list tr[data-mmsi="{PLAN_FRIGATE}"]').click()
    expect(nato.locator("#details")).to_contain_text("PLAN FRIGATE TWO")
    nato.locator(encounter).click()
    nato.wait_for_timeout(4500)  # the map flies to the event; the new events stop flashing
    screenshot = Path(os.environ.get("SHADE_SCREENSHOT") or tmp_path / "shade-web.png")
    nato.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 20_000  # a map was drawn, not a blank page
