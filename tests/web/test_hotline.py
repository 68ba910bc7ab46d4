"""The hotline in the browser, end to end: ``shade serve`` (a real process, with ledger keys)
driven in Debian's Chromium by Playwright.

A NATO watch officer composes a FLASH message from a standard phrase (the bilingual
preview comes as the parameters are typed) and sends it; the PLA Navy's watch officer,
in a browser of their own, sees it arrive without a reload, in English and Chinese, with
a ticking countdown, and acknowledges it; NATO sees the acknowledgement arrive. A second
FLASH is left unacknowledged: with FLASH deadlines shortened to 6 s it is escalated
(reminder, then the duty officers, then the admins), as both sides see; the PLA Navy's
duty officer gets the louder banner, its viewer no Acknowledge button. The first
message is then verified in the browser against the signed ledger (every step ok), and a
tampered answer is caught. The hotline panel is saved as a screenshot
(SHADE_HOTLINE_SCREENSHOT names the file; by default it goes in the test's directory).

The page's ledger checks (web/src/ledger.js) are also run under Node against what the
Python ledger makes: inclusion proofs of every leaf of trees of 1 to 40 leaves, a signed
checkpoint and its cosignature, and a signed entry; changed ones must fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from shade.accounts import Passwords, Role
from shade.api.run import default_web
from shade.detect.events import Event, EventKind, event_id
from shade.hotline.actions import do_open_channel
from shade.ledger import (
    Checkpoint,
    Entry,
    SignerKey,
    Tree,
    add_cosignature,
    generate_key,
    leaf_hash,
    sign_checkpoint,
    sign_entry,
)
from shade.store import Store
from tests.accounts.cheap import CHEAP
from tests.serving import Served, serve

PASSWORD = "correct horse battery"
USERS = {
    "nato_watch": ("nato", Role.WATCH_OFFICER),
    "nato_liaison": ("nato", Role.LIAISON_OFFICER),
    "plan_watch": ("plan", Role.WATCH_OFFICER),
    "plan_duty": ("plan", Role.DUTY_OFFICER),
    "plan_viewer": ("plan", Role.VIEWER),
}
NATO_FRIGATE, PLAN_FRIGATE = 235000001, 412000002
ENGLISH = "I am maintaining course 045° and speed 12.5 knots."
CHINESE = "我船保持航向045度，航速12.5节。"
TEXT = "Passing east of your group."
WARNING = "On present courses we will pass within 0.40 nautical miles of each other in 3.0 minutes."
# Every check the verify view makes of a message with one acknowledgement.
STEPS = {
    "checkpoint",
    "log-key",
    "checkpoint-signature",
    "entry",
    "content",
    "entry-signature",
    "inclusion",
    "ack-plan-entry",
    "ack-plan-content",
    "ack-plan-signature",
    "ack-plan-inclusion",
}


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Served, str]]:
    """The server, FLASH deadlines at 6 s, with keys for nato, plan and the log, a channel
    between nato and plan (its id with it), and an open encounter of their frigates that
    both may see (plan releases its units to nato in full, with events)."""
    web = default_web()
    assert web is not None, "the browser view is not built: ./run web"
    monkeypatch.setenv("SHADE_HOTLINE_FLASH_MINUTES", "0.1")  # the served process inherits it
    keys = tmp_path / "keys"
    generate_key(keys, "nato")
    generate_key(keys, "plan")
    generate_key(keys, "shade.test/ledger", log=True)
    db = f"sqlite:///{tmp_path / 'hotline.db'}"
    with Store.open(db, passwords=Passwords(CHEAP)) as store:
        for name, (party, role) in USERS.items():
            store.add_user(name, PASSWORD, party, role, actor="t", remote=None)
        store.set_release_rule("plan", "nato", "full", None, None, True, actor="t", remote=None)
        now = datetime.now(UTC)
        start = now - timedelta(minutes=10)
        pair = (NATO_FRIGATE, PLAN_FRIGATE)
        encounter = Event(
            event_id(EventKind.ENCOUNTER, pair, start),
            EventKind.ENCOUNTER,
            pair,
            ("nato", "plan"),
            start,
            None,
            {"type": "Point", "coordinates": [47.2, 12.55]},
            {"cpa_nm": 0.4, "tcpa_min": 3.0, "closest_nm": 0.5},
        )
        store.write_events([encounter])
        liaison = store.user("nato_liaison")
        assert liaison is not None
        channel = do_open_channel(
            store,
            "NATO - PLA Navy",
            ["nato", "plan"],
            liaison,
            ["nato", "plan", "jmsdf"],
            now,
            remote=None,
        )
    with serve(tmp_path, db, "--keys", str(keys)) as running:
        yield running, channel.id


def sign_in(browser: Browser, url: str, name: str) -> Page:
    """A browser of the user's own, signed in, on the hotline tab."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(url)
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#whoami")).to_contain_text(name)
    expect(page.locator("#live-status")).to_have_text("live")
    page.click("#hotline-tab")
    expect(page.locator("#hotline-panel")).to_be_visible()
    expect(page.locator("#picture-panel")).to_be_hidden()
    return page


def compose(
    page: Page,
    phrase: str,
    params: dict[str, str],
    english: str,
    choices: dict[str, str] | None = None,
) -> None:
    """Fill in a FLASH from a standard phrase and wait for its English preview."""
    expect(page.locator("#hotline-compose")).to_have_attribute("data-ready", "true")
    page.select_option("#compose-precedence", "FLASH")
    page.select_option("#compose-phrase", phrase)
    for name, value in (choices or {}).items():
        page.select_option(f"#compose-param-{name}", value)
    for name, value in params.items():
        page.fill(f"#compose-param-{name}", value)
    expect(page.locator("#compose-preview-en")).to_have_text(english)


def send(page: Page) -> str:
    """Press Send; the id of the message sent."""
    page.click("#compose-send")
    status = page.locator("#compose-status")
    expect(status).to_contain_text("sent FLASH to PLA Navy")
    sent = status.get_attribute("data-sent-id")
    assert sent and re.fullmatch(r"[0-9a-f]{32}", sent), sent
    return sent


def verify_steps(page: Page) -> dict[str, str]:
    steps = page.locator("#verify-result li[data-step]")
    pairs = steps.evaluate_all("items => items.map(i => [i.dataset.step, i.dataset.result])")
    return dict(pairs)


def test_a_flash_message_is_sent_acknowledged_escalated_and_verified_in_the_browser(
    browser: Browser, served: tuple[Served, str], tmp_path: Path
) -> None:
    running, channel = served
    nato = sign_in(browser, running.url, "nato_watch")
    plan = sign_in(browser, running.url, "plan_watch")
    duty = sign_in(browser, running.url, "plan_duty")
    viewer = sign_in(browser, running.url, "plan_viewer")
    for page in (nato, plan, duty, viewer):
        expect(page.locator("#hotline-channel")).to_have_value(channel)
        expect(page.locator("#hotline-badge")).to_be_hidden()
        expect(page.locator("#hotline-banner")).to_be_hidden()
    # A viewer reads the hotline but does not send.
    expect(viewer.locator("#compose-form")).to_be_hidden()
    expect(viewer.locator("#compose-readonly")).to_be_visible()

    # Each parameter has an input of its kind: a choice, a position, a time.
    compose(
        nato,
        "conducting_activity",
        {"position-lat": "12.5", "position-lon": "45.1667", "time": "2030-01-15T06:30"},
        "I am conducting replenishment at sea near 12°30.0′N 045°10.0′E until"
        " 2030-01-15 06:30Z. Request you keep clear.",
        choices={"activity": "replenishment"},
    )
    expect(nato.locator("#compose-preview-zh")).to_have_text(
        "我船正在12°30.0′N 045°10.0′E附近进行海上补给，至2030-01-15 06:30Z。请你船避让。"
    )
    # NATO composes a FLASH from a template: the preview comes in both languages.
    compose(nato, "maintain_course_speed", {"course": "45", "speed": "12.5"}, ENGLISH)
    expect(nato.locator("#compose-preview-zh")).to_have_text(CHINESE)
    nato.fill("#compose-param-speed", "70")  # beyond what the phrase takes: the server says so
    expect(nato.locator("#compose-error")).to_contain_text("speed must be within 0..60")
    expect(nato.locator("#compose-preview-en")).to_have_attribute("data-state", "invalid")
    nato.fill("#compose-param-speed", "12.5")
    expect(nato.locator("#compose-preview-en")).to_have_attribute("data-state", "ready")
    expect(nato.locator("#compose-preview-en")).to_have_text(ENGLISH)
    expect(nato.locator("#compose-error")).to_have_text("")
    nato.fill("#compose-text", TEXT)
    first = send(nato)
    sent = nato.locator(f'#hotline-messages [data-message-id="{first}"]')
    expect(sent.locator(".precedence")).to_have_text("FLASH")
    expect(sent.locator(".msg-en")).to_have_text(ENGLISH)

    # The PLA Navy sees it arrive, without a reload, with a countdown that runs.
    waiting = plan.locator(f'#hotline-awaiting [data-message-id="{first}"]')
    expect(waiting).to_be_visible()
    expect(waiting.locator(".precedence")).to_have_text("FLASH")
    expect(waiting.locator(".from")).to_contain_text("NATO · nato_watch")
    expect(waiting.locator(".msg-en")).to_have_text(ENGLISH)
    expect(waiting.locator(".msg-zh")).to_have_text(CHINESE)
    expect(waiting.locator(".msg-text")).to_have_text(TEXT)
    expect(plan.locator("#hotline-badge")).to_have_text("1")
    countdown = waiting.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^(\d:\d\d left|overdue \d:\d\d)$"))
    expect(countdown).not_to_have_text(countdown.inner_text())  # it ticks
    # Its screens showed it: NATO sees it read by the PLA Navy.
    receipt = sent.locator('[data-receipt-party="plan"]')
    expect(receipt).to_have_attribute("data-state", "read")
    expect(receipt).to_contain_text("read by plan_")
    # The viewer sees it too, and cannot acknowledge it.
    seen_by_viewer = viewer.locator(f'#hotline-awaiting [data-message-id="{first}"]')
    expect(seen_by_viewer.locator(".msg-en")).to_have_text(ENGLISH)
    expect(seen_by_viewer.locator(".ack-button")).to_have_count(0)
    expect(waiting.locator(".ack-button")).to_have_count(1)

    waiting.locator(".ack-button").click()
    expect(waiting).to_have_count(0)
    listed = plan.locator(f'#hotline-messages [data-message-id="{first}"]')
    expect(listed.locator('[data-receipt-party="plan"]')).to_have_attribute(
        "data-state", "acknowledged"
    )
    expect(plan.locator("#hotline-badge")).to_be_hidden()
    # NATO sees the acknowledgement arrive: who, when, its place in the ledger.
    expect(receipt).to_have_attribute("data-state", "acknowledged")
    expect(receipt).to_contain_text(
        re.compile(r"acknowledged by plan_watch at \d\d:\d\d:\d\dZ \(entry #\d+\)")
    )
    expect(sent.locator(".countdown")).to_have_count(0)
    # ... and so does the viewer, whose party has acknowledged it.
    expect(viewer.locator(f'#hotline-messages [data-message-id="{first}"]')).to_be_visible()
    expect(viewer.locator("#hotline-badge")).to_be_hidden()

    # A second FLASH, about the encounter: its figures fill in the phrase's parameters.
    about = nato.locator("#compose-event option", has_text="CPA 0.40 nm in 3.0 min")
    expect(about).to_have_count(1)
    nato.select_option("#compose-event", about.get_attribute("value"))
    compose(nato, "cpa_warning", {}, WARNING)
    expect(nato.locator("#compose-param-cpa")).to_have_value("0.4")
    expect(nato.locator("#compose-preview-zh")).to_have_text(
        "按目前航向，两船将在3.0分钟内接近至0.40海里以内。"
    )
    second = send(nato)
    listed_ids = nato.locator("#hotline-messages [data-message-id]").evaluate_all(
        "items => items.map(i => i.dataset.messageId)"
    )
    assert listed_ids == [second, first]  # newest first
    # It is left unacknowledged, and escalated as its deadlines pass.
    waiting = plan.locator(f'#hotline-awaiting [data-message-id="{second}"]')
    expect(waiting.locator(".msg-en")).to_have_text(WARNING)
    expect(waiting.locator(".msg-event")).to_contain_text(
        "about encounter CPA 0.40 nm, TCPA 3.0 min"
    )
    expect(plan.locator("#hotline-badge")).to_have_text("1")
    own = waiting.locator('[data-receipt-party="plan"]')
    expect(own).to_have_attribute("data-level", "reminder", timeout=20_000)
    expect(waiting.locator(".countdown")).to_have_class(re.compile(r"\boverdue\b"))
    expect(waiting.locator(".due .level")).to_have_text("reminder sent")
    expect(plan.locator("#hotline-badge")).to_have_class(re.compile(r"\boverdue\b"))
    expect(own).to_have_attribute("data-level", "duty_officer", timeout=20_000)
    # To the duty officers: a banner over the map; the louder one for the duty officer.
    duty_banner = duty.locator("#hotline-banner")
    expect(duty_banner).to_have_attribute("data-level", "duty_officer")
    expect(duty_banner).to_have_class(re.compile(r"\bmine\b"))
    expect(duty_banner).to_contain_text("DUTY OFFICER")
    banner = plan.locator("#hotline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("FLASH from NATO not acknowledged")
    expect(banner).not_to_have_class(re.compile(r"\bmine\b"))
    expect(waiting.locator(".due .level")).to_have_text(
        re.compile("escalated to (duty officers|admins)")
    )
    # NATO sees how far the PLA Navy has escalated it.
    theirs = nato.locator(
        f'#hotline-messages [data-message-id="{second}"] [data-receipt-party="plan"]'
    )
    expect(theirs).to_have_attribute("data-level", re.compile("^(duty_officer|admins)$"))
    expect(nato.locator('#hotline-banner [data-side="sent"]')).to_contain_text(
        "not acknowledged by PLA Navy"
    )
    expect(own).to_have_attribute("data-level", "admins", timeout=20_000)
    expect(banner).to_have_attribute("data-level", "admins")
    expect(theirs).to_have_attribute("data-level", "admins")

    # The first message, checked in NATO's browser against the signed ledger.
    sent.locator(".verify-button").click()
    result = nato.locator("#verify-result")
    expect(result).to_have_attribute("data-outcome", "ok", timeout=20_000)
    steps = verify_steps(nato)
    assert set(steps) >= STEPS, steps
    assert set(steps.values()) == {"ok"}, steps
    expect(nato.locator("#verify-summary")).to_contain_text("Verified")
    expect(nato.locator('#verify-record [data-record="English"]')).to_have_text(ENGLISH)
    expect(nato.locator('#verify-record [data-record="Chinese"]')).to_have_text(CHINESE)
    expect(nato.locator('#verify-record [data-record="free text"]')).to_have_text(TEXT)
    nato.click("#verify-close")
    expect(nato.locator("#verify-dialog")).to_be_hidden()

    # An entry changed on its way to the browser does not verify.
    def tamper(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["line"] = body["line"].replace("045°", "046°")
        route.fulfill(response=answer, json=body)

    nato.route("**/api/ledger/entries/*", tamper)
    sent.locator(".verify-button").click()
    expect(result).to_have_attribute("data-outcome", "failed", timeout=20_000)
    steps = verify_steps(nato)
    for step in ("entry", "content", "entry-signature", "inclusion"):
        assert steps[step] == "failed", steps
    assert steps["checkpoint-signature"] == "ok", steps
    expect(nato.locator("#verify-summary")).to_contain_text("FAILED")
    expect(nato.locator('#verify-result [data-step="content"]')).to_contain_text("English")
    nato.click("#verify-close")
    nato.unroute("**/api/ledger/entries/*")

    # The PLA Navy's view, a reply being composed, as a screenshot.
    compose(plan, "understood", {}, "Your message is understood.")
    expect(plan.locator("#compose-preview-zh")).to_have_text("你船的信息已收悉。")
    screenshot = Path(os.environ.get("SHADE_HOTLINE_SCREENSHOT") or tmp_path / "shade-hotline.png")
    plan.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 20_000


LEDGER_JS = Path(__file__).resolve().parents[2] / "web" / "src" / "ledger.js"
# Reads the vectors on stdin, checks them with web/src/ledger.js, writes what it found.
NODE_SCRIPT = r"""
const L = await import(process.argv[2]);
let text = "";
for await (const chunk of process.stdin) text += chunk;
const v = JSON.parse(text);
const out = { roots: [], tooShort: [], tooLong: [] };
for (const t of v.trees) {
  const leaf = L.fromHex(t.leaf);
  const proof = t.proof.map(L.fromHex);
  out.roots.push(L.hex(await L.rootFromInclusion(t.index, t.size, leaf, proof)));
  for (const [name, bad] of [["tooShort", proof.slice(0, -1)], ["tooLong", [...proof, leaf]]]) {
    if (!proof.length && name === "tooShort") continue;
    try {
      out[name].push(L.hex(await L.rootFromInclusion(t.index, t.size, leaf, bad)));
    } catch (failure) {
      out[name].push(failure instanceof L.CheckError ? "refused" : String(failure));
    }
  }
}
out.leaf = L.hex(await L.leafHash(L.bytes(v.line)));
const keys = L.parseKeys(v.keys);
out.keys = await Promise.all(
  keys.map(async (k) => [k.name, k.id, L.hex(await L.keyId(k.name, L.ED25519, k.pub))]),
);
const log = keys.find((k) => k.name === v.origin);
const party = keys.find((k) => k.name === "nato");
const note = L.parseNote(v.note);
const checkpoint = L.parseCheckpoint(note.text);
out.checkpoint = [checkpoint.origin, String(checkpoint.size), L.hex(checkpoint.root)];
const [signed, cosig] = note.signatures;
out.logSignature = await L.ed25519Verify(log.pub, signed.data, L.bytes(note.text));
const forged = L.bytes(note.text.replace(/\n(\d+)\n/, (m, n) => `\n${Number(n) + 1}\n`));
out.forgedSignature = await L.ed25519Verify(log.pub, signed.data, forged);
out.cosignatureId = L.hex(cosig.keyId) === L.hex(await L.keyId("nato", L.COSIGNATURE, party.pub));
const c = L.cosigned(note.text, cosig.data);
out.cosignature = [String(c.time), await L.ed25519Verify(party.pub, c.signature, c.message)];
const record = L.splitRecord(v.line);
out.entry = [record.keyId, record.entry.body.chinese];
out.entrySignature = await L.ed25519Verify(
  party.pub, record.signature, L.bytes(L.ENTRY_DOMAIN, record.entryText),
);
const changed = L.splitRecord(v.line.replace("045", "046"));
out.changedSignature = await L.ed25519Verify(
  party.pub, changed.signature, L.bytes(L.ENTRY_DOMAIN, changed.entryText),
);
console.log(JSON.stringify(out));
"""


def test_the_pages_ledger_checks_agree_with_the_python_ledger(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed to build the browser view and for this test"
    trees = []
    for size in range(1, 41):
        tree = Tree(leaf_hash(f"entry {i}".encode()) for i in range(size))
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            trees.append(
                {
                    "index": index,
                    "size": size,
                    "leaf": tree.leaf(index).hex(),
                    "proof": [h.hex() for h in proof],
                    "root": tree.root(size).hex(),
                }
            )
    log, nato = SignerKey.generate("shade.test/ledger"), SignerKey.generate("nato")
    note = sign_checkpoint(Checkpoint(log.name, tree.size, tree.root()), log)
    note = add_cosignature(note, nato, 1_767_225_600)
    body = {"english": ENGLISH, "chinese": CHINESE, "text": None, "message": "ab" * 16}
    record = sign_entry(
        Entry(7, "hotline.message", "nato", "nato_watch", "2026-01-01T00:00:00Z", body), nato
    )
    vectors = {
        "trees": trees,
        "keys": f"# keys\n{log.verifier.text}\n{nato.verifier.text}\n",
        "origin": log.name,
        "note": note.encoded,
        "line": record.data.decode(),
    }
    script = tmp_path / "checks.mjs"
    script.write_text(NODE_SCRIPT)
    done = subprocess.run(
        [node, str(script), LEDGER_JS.as_uri()],
        input=json.dumps(vectors),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["roots"] == [t["root"] for t in trees]
    assert set(out["tooShort"]) == {"refused"} and set(out["tooLong"]) == {"refused"}
    assert out["leaf"] == record.leaf.hex()
    assert out["keys"] == [
        [log.name, log.verifier.id().hex(), log.verifier.id().hex()],
        ["nato", nato.verifier.id().hex(), nato.verifier.id().hex()],
    ]
    assert out["checkpoint"] == [log.name, "40", tree.root().hex()]
    assert out["logSignature"] is True and out["forgedSignature"] is False
    assert out["cosignatureId"] is True and out["cosignature"] == ["1767225600", True]
    assert out["entry"] == [nato.verifier.id().hex(), CHINESE]
    assert out["entrySignature"] is True and out["changedSignature"] is False
