"""Nothing lost: the hotline and its ledger through crashes of the server, with real
processes and real sockets.

Concurrent clients send 1,000 messages (each with its own idempotency key, sent again
with the same key after a connection error until it is answered 201 or 200) and
acknowledge half of them, while ``shade serve`` is killed with SIGKILL again and again and
started again on the same database and keys. Afterwards every accepted message is
stored exactly once and has its entry in the ledger, every acknowledgement too, the
ledger has no gap, and ``shade ledger export`` then ``shade ledger verify`` (the real
commands) verify it. Also: a tampered export is refused, naming the entry.
"""

from __future__ import annotations

import json
import queue
import random
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shade.accounts import Passwords, Role
from shade.config import Settings
from shade.hotline import actions
from shade.hotline.model import Channel
from shade.ledger import Tree, generate_key, leaf_hash, load_signers, read_keyring, read_record
from shade.ledger.export import ENTRIES
from shade.ledger.verify import verify_export
from shade.store import Store
from shade.store.schema import hotline_messages, hotline_receipts, ledger_entries
from tests.accounts.cheap import CHEAP
from tests.commands import SHADE
from tests.hotline.crashing import Crashing

ORIGIN = "shade.test/ledger"
PASSWORD = "correct horse battery"
KNOWN = ("nato", "plan", "jmsdf")
MESSAGES = 1000
SENDERS = 8  # threads, each with its own connection
ACKERS = 2
ACK_EVERY = 2  # the receiver acknowledges every second message
MIN_KILLS, MAX_KILLS = 3, 5
UPTIME_S = (0.6, 1.6)  # how long each server runs before it is killed
GIVE_UP_S = 150.0  # a client still retrying after this long fails the test
SEED = 6962


@dataclass
class Hotline:
    channel: Channel
    sender: str  # nato_watch's token
    receiver: str  # plan_watch's token
    keys: Path


def hotline(db: str, tmp_path: Path) -> Hotline:
    """Keys of the log and of nato and plan, a watch officer of each, a channel between
    them; the tokens of both officers."""
    keys = tmp_path / "keys"
    generate_key(keys, "nato")
    generate_key(keys, "plan")
    generate_key(keys, ORIGIN, log=True)
    with Store.open(db, passwords=Passwords(CHEAP)) as store:
        nato = store.add_user(
            "nato_watch", PASSWORD, "nato", Role.LIAISON_OFFICER, actor="test", remote=None
        )
        store.add_user(
            "plan_watch", PASSWORD, "plan", Role.WATCH_OFFICER, actor="test", remote=None
        )
        sender = store.create_token("nato_watch", "crash", actor="test", remote=None)[1]
        receiver = store.create_token("plan_watch", "crash", actor="test", remote=None)[1]
        at = datetime.now(UTC)
        channel = actions.do_open_channel(
            store, "NATO - PLA Navy", ["nato", "plan"], nato, KNOWN, at, remote=None
        )
    return Hotline(channel, sender, receiver, keys)


def draft(n: int) -> dict[str, Any]:
    """Message ``n``: free text, a standard phrase, or both, at each precedence."""
    precedence = ("FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE")[n % 4]
    body: dict[str, Any] = {"precedence": precedence, "key": f"crash-{n:04d}"}
    if n % 3 != 1:
        body["text"] = f"message {n}: keep clear of the exercise area 请保持距离"
    if n % 3 != 0:
        body["phrase"], body["params"] = "reduce_speed", {"speed": n % 20 + 1}
    return body


@dataclass
class Tally:
    """What the clients were answered, and how often the line was cut on them."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    accepted: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # by key
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)  # by message id
    cut: Counter[str] = field(default_factory=Counter)  # transport errors, by kind
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


def _client(token: str, url: str) -> httpx.Client:
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(15.0, connect=2.0),
    )


def _until_answered(
    client: httpx.Client, path: str, body: dict[str, Any] | None, tally: Tally, until: float
) -> httpx.Response | None:
    """POST until the server answers (the same request again after each cut line)."""
    while time.monotonic() < until:
        try:
            return client.post(path, json=body)
        except httpx.TransportError as exc:
            with tally.lock:
                tally.cut[type(exc).__name__] += 1
            time.sleep(0.1)
    tally.fail(f"{path}: no answer within {GIVE_UP_S:.0f} s")
    return None


def _thread(target: Callable[[], None], tally: Tally) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test
            tally.fail(f"{target.__name__}: {exc!r}")

    return threading.Thread(target=run, daemon=True)


def _send(
    numbers: range, world: Hotline, url: str, tally: Tally, acks: queue.Queue[str | None]
) -> Callable[[], None]:
    until = time.monotonic() + GIVE_UP_S
    path = f"api/hotline/channels/{world.channel.id}/messages"

    def sender() -> None:
        with _client(world.sender, url) as client:
            for n in numbers:
                body = draft(n)
                answer = _until_answered(client, path, body, tally, until)
                if answer is None:
                    return
                if answer.status_code not in (200, 201):
                    tally.fail(f"{body['key']}: {answer.status_code} {answer.text}")
                    continue
                message = answer.json()
                with tally.lock:
                    tally.accepted[body["key"]] = (answer.status_code, message)
                if n % ACK_EVERY == 0:
                    acks.put(message["id"])

    return sender


def _acknowledge(
    world: Hotline, url: str, tally: Tally, acks: queue.Queue[str | None]
) -> Callable[[], None]:
    until = time.monotonic() + GIVE_UP_S

    def acknowledger() -> None:
        with _client(world.receiver, url) as client:
            while (message_id := acks.get()) is not None:
                path = f"api/hotline/messages/{message_id}/ack"
                answer = _until_answered(client, path, None, tally, until)
                if answer is None:
                    return
                if answer.status_code != 200:
                    tally.fail(f"ack {message_id}: {answer.status_code} {answer.text}")
                    continue
                with tally.lock:
                    tally.acked[message_id] = answer.json()

    return acknowledger


def _crash_again_and_again(server: Crashing, done: threading.Event) -> Callable[[], None]:
    rng = random.Random(SEED)

    def killer() -> None:
        while server.kills < MAX_KILLS:
            if done.wait(rng.uniform(*UPTIME_S)):
                return
            server.kill()
            server.start()  # on the same port, database and keys

    return killer


def _check_store(db: str, tally: Tally) -> None:
    """Every accepted message stored once and in the ledger, every acknowledgement too,
    the ledger without gaps, its latest checkpoint of all of it."""
    with Store.open(db) as store, store.engine.connect() as connection:
        rows = connection.execute(
            select(hotline_messages.c.id, hotline_messages.c.key, hotline_messages.c.seq)
        ).all()
        receipts = connection.execute(
            select(
                hotline_receipts.c.message_id,
                hotline_receipts.c.party,
                hotline_receipts.c.ack_seq,
            ).where(hotline_receipts.c.acked_at.is_not(None))
        ).all()
        entries = connection.execute(
            select(ledger_entries.c.seq, ledger_entries.c.leaf, ledger_entries.c.record).order_by(
                ledger_entries.c.seq
            )
        ).all()
        checkpoint = store.ledger.checkpoint()

    by_key = Counter(row.key for row in rows)
    twice = sorted(key for key, n in by_key.items() if n > 1)
    assert not twice, f"messages stored twice: {twice[:10]}"
    lost = sorted(set(tally.accepted) - set(by_key))
    assert not lost, f"accepted but not stored: {lost[:10]}"
    extra = sorted(set(by_key) - set(tally.accepted))
    assert not extra, f"stored but never accepted: {extra[:10]}"
    for row in rows:
        _, answered = tally.accepted[row.key]
        assert (row.id, row.seq) == (answered["id"], answered["seq"]), row.key

    # The ledger: entries 0..n-1, no gap, each leaf the hash of its record.
    seqs = [entry.seq for entry in entries]
    assert seqs == list(range(len(entries))), "the ledger has a gap"
    records = {}
    for entry in entries:
        data = bytes(entry.record)
        assert bytes(entry.leaf) == leaf_hash(data), entry.seq
        records[entry.seq] = read_record(data)
    for row in rows:
        found = records[row.seq].entry
        assert (found.kind, found.body["message"]) == ("hotline.message", row.id), row.seq
    assert {r.message_id for r in receipts} == set(tally.acked)
    message_seq = {row.id: row.seq for row in rows}
    for receipt in receipts:
        assert receipt.party == "plan"
        answered = next(
            r for r in tally.acked[receipt.message_id]["receipts"] if r["party"] == "plan"
        )
        assert answered["ack_seq"] == receipt.ack_seq, receipt.message_id
        found = records[receipt.ack_seq].entry
        assert (found.kind, found.party) == ("hotline.ack", "plan"), receipt.ack_seq
        assert found.body["message"] == receipt.message_id
        assert found.body["message_seq"] == message_seq[receipt.message_id]
    assert len(entries) == len(rows) + len(receipts), "entries other than messages and acks"
    places = [row.seq for row in rows] + [r.ack_seq for r in receipts]
    assert sorted(places) == seqs, "an entry that is no message and no acknowledgement"

    assert checkpoint is not None
    assert checkpoint.size == len(entries), "the latest checkpoint is not of the whole log"
    assert checkpoint.root == Tree(bytes(e.leaf) for e in entries).root()


def _export_and_verify(db: str, keys: Path, target: Path) -> subprocess.CompletedProcess[str]:
    subprocess.run(
        [*SHADE, "ledger", "export", "--db", db, "--to", str(target)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return subprocess.run(
        [*SHADE, "ledger", "verify", str(target), "--keys", str(keys / "public-keys.txt")],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_nothing_is_lost_or_doubled_when_the_server_is_killed_again_and_again(
    tmp_path: Path, store_url: str
) -> None:
    world = hotline(store_url, tmp_path)
    server = Crashing(tmp_path, store_url, world.keys)
    server.start()
    tally = Tally()
    acks: queue.Queue[str | None] = queue.Queue()
    done = threading.Event()
    started = time.monotonic()
    killer = _thread(_crash_again_and_again(server, done), tally)
    try:
        senders = [
            _thread(_send(range(k, MESSAGES, SENDERS), world, server.url, tally, acks), tally)
            for k in range(SENDERS)
        ]
        ackers = [
            _thread(_acknowledge(world, server.url, tally, acks), tally) for _ in range(ACKERS)
        ]
        for thread in (*senders, *ackers, killer):
            thread.start()
        for thread in senders:
            thread.join()
        for _ in ackers:
            acks.put(None)
        for thread in ackers:
            thread.join()
        done.set()
        killer.join()
        took = time.monotonic() - started
        report = (
            f"{server.kills} kills, {len(tally.accepted)} messages accepted "
            f"({sum(s == 200 for s, _ in tally.accepted.values())} answered 200 after a cut), "
            f"{len(tally.acked)} acknowledged, cut lines {dict(tally.cut)}, in {took:.1f} s "
            f"(starts took {', '.join(f'{s:.1f}' for s in server.startups)} s)"
        )
        print(report)  # shown with -s
        if tally.failures:
            shown = "\n".join(tally.failures[:5])
            pytest.fail(f"{report}\n{len(tally.failures)} requests failed, the first:\n{shown}")
        assert server.kills >= MIN_KILLS, report
        assert len(tally.accepted) == MESSAGES, report
        assert len(tally.acked) == len(range(0, MESSAGES, ACK_EVERY)), report

        # After the last restart: a retry of any message is the message sent, answered 200.
        path = f"api/hotline/channels/{world.channel.id}/messages"
        with _client(world.sender, server.url) as client:
            for n in random.Random(SEED).sample(range(MESSAGES), 25):
                again = client.post(path, json=draft(n))
                assert again.status_code == 200, again.text
                assert again.json()["id"] == tally.accepted[draft(n)["key"]][1]["id"]
        _check_store(store_url, tally)
        verified = _export_and_verify(store_url, world.keys, tmp_path / "export")
        entries = MESSAGES + len(tally.acked)
        assert verified.returncode == 0, (report, verified.stdout, verified.stderr)
        assert f"ok: {entries:,} entries (nato {MESSAGES:,}, plan {len(tally.acked):,})" in (
            verified.stdout
        ), verified.stdout
    finally:
        done.set()
        for _ in range(ACKERS):
            acks.put(None)
        if killer.is_alive():
            killer.join(timeout=90)  # it may be starting a server: then that one is stopped
        code = server.stop()
    assert code == 0, server.output()


# Tampering


def small_ledger(db: str, tmp_path: Path) -> tuple[Path, Path]:
    """Eight entries made in-process (six messages, two acknowledgements), exported with
    the real command; (the export, the public keys file)."""
    world = hotline(db, tmp_path)
    signers = load_signers(world.keys)
    with Store.open(db, passwords=Passwords(CHEAP)) as store:
        nato, plan = store.user("nato_watch"), store.user("plan_watch")
        assert nato is not None and plan is not None
        at = datetime.now(UTC)
        sent = []
        for n in range(6):
            body = draft(n)
            made = actions.check_draft(
                body["precedence"], body.get("phrase"), body.get("params"), body.get("text"), None
            )
            message, _ = actions.do_send(
                store,
                signers,
                world.channel,
                nato,
                made,
                Settings(),
                at,
                user_id=nato.id,
                remote=None,
            )
            sent.append(message)
        for message in sent[:2]:
            actions.do_acknowledge(store, signers, world.channel, message.id, plan, at, remote=None)
    export = tmp_path / "export"
    keys = world.keys / "public-keys.txt"
    verified = _export_and_verify(db, world.keys, export)
    assert verified.returncode == 0, verified.stderr
    assert "ok: 8 entries (nato 6, plan 2)" in verified.stdout
    return export, keys


def _flip(path: Path, line: int, offset: int) -> None:
    """Flip the lowest bit of one byte of one line of the file."""
    lines = path.read_bytes().split(b"\n")
    changed = bytearray(lines[line])
    changed[offset] ^= 0x01
    lines[line] = bytes(changed)
    path.write_bytes(b"\n".join(lines))


TAMPERED = 3  # a message of nato's, in free text and a standard phrase


@pytest.mark.parametrize(
    ("marker", "shift", "reason"),
    [
        (b"keep clear", 0, "bad_signature"),  # a letter of the text: k becomes j
        (b'"seq":3', 6, "out_of_place"),  # the place it claims: 3 becomes 2
        (b'"sig":"', 6, "malformed"),  # the quote that opens the signature
    ],
)
def test_a_tampered_export_is_refused_naming_the_entry(
    tmp_path: Path, store_url: str, marker: bytes, shift: int, reason: str
) -> None:
    export, keys = small_ledger(store_url, tmp_path)
    entries = export / ENTRIES
    offset = entries.read_bytes().split(b"\n")[TAMPERED].index(marker) + shift
    _flip(entries, TAMPERED, offset)
    refused = subprocess.run(
        [*SHADE, "ledger", "verify", str(export), "--keys", str(keys)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert f"FAILED: entry {TAMPERED}: " in refused.stderr, refused.stderr
    assert f"({reason})" in refused.stderr, refused.stderr
    assert not refused.stdout.startswith("ok"), refused.stdout


def test_every_single_byte_flipped_in_an_entry_is_found_at_that_entry(
    tmp_path: Path, store_url: str
) -> None:
    """The same in-process, for each byte of the line in turn: whichever it is (its JSON,
    its salt, its key id, its signature, a Chinese character), that entry is named."""
    export, keys = small_ledger(store_url, tmp_path)
    ring = read_keyring(keys)
    entries = export / ENTRIES
    original = entries.read_bytes()
    length = len(original.split(b"\n")[TAMPERED])
    reasons: Counter[str] = Counter()
    for offset in range(length):
        entries.write_bytes(original)
        _flip(entries, TAMPERED, offset)
        report = verify_export(export, ring)
        assert report.fault is not None, f"byte {offset} flipped and it verifies"
        assert report.fault.entry == TAMPERED, (offset, str(report.fault))
        reasons[report.fault.reason] += 1
    assert set(reasons) <= {"malformed", "bad_signature", "unknown_key", "out_of_place"}
    assert reasons["bad_signature"] and reasons["malformed"], reasons
    entries.write_bytes(original)
    assert verify_export(export, ring).ok
    assert json.loads(original.split(b"\n")[TAMPERED])["entry"]["seq"] == TAMPERED
