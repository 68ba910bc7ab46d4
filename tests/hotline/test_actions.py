"""The hotline's actions over a real store (SQLite, or PostgreSQL with --db=postgresql):
who may do what, messages and acknowledgements in the ledger, idempotent retries,
receipts, escalation, and what subscribers hear once a write is committed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shade.access import ReleaseRules
from shade.accounts import Passwords, Role, User
from shade.config import Settings
from shade.detect.events import Event, EventKind, event_id
from shade.errors import ForbiddenError, InputError, NotFoundError
from shade.hotline import actions
from shade.hotline.model import Change, Channel, Level, Message, Precedence
from shade.ledger import (
    LedgerKeyError,
    SignerKey,
    Signers,
    read_record,
    verify_export,
    verify_inclusion,
)
from shade.ledger.export import write_export
from shade.store import Store
from shade.store.store import Commit
from tests.accounts.cheap import CHEAP

NOW = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
PARTIES = ["nato", "plan", "jmsdf"]
SIGNERS = Signers(
    SignerKey.generate("shade.test/ledger"), {p: SignerKey.generate(p) for p in PARTIES}
)
SETTINGS = Settings()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url, passwords=Passwords(CHEAP)) as opened:
        for name, party, role in (
            ("alice", "nato", Role.WATCH_OFFICER),
            ("nato-liaison", "nato", Role.LIAISON_OFFICER),
            ("nato-viewer", "nato", Role.VIEWER),
            ("bob", "plan", Role.WATCH_OFFICER),
            ("plan-duty", "plan", Role.DUTY_OFFICER),
            ("kenji", "jmsdf", Role.WATCH_OFFICER),
        ):
            opened.add_user(name, "correct horse battery", party, role, actor="t", remote=None)
        opened.add_user(
            "root", "correct horse battery", None, Role.VIEWER, True, actor="t", remote=None
        )
        yield opened


def user(store: Store, name: str) -> User:
    found = store.user(name)
    assert found is not None
    return found


def channel(store: Store, *parties: str) -> Channel:
    return actions.do_open_channel(
        store, " - ".join(parties), list(parties), user(store, "root"), PARTIES, NOW, remote=None
    )


def send(
    store: Store,
    ch: Channel,
    who: str = "alice",
    key: str | None = None,
    at: datetime = NOW,
    **kw: Any,
) -> tuple[Message, bool]:
    draft = actions.check_draft(
        kw.pop("precedence", "FLASH"), kw.pop("phrase", "request_keep_clear"),
        kw.pop("params", {"distance": 2}), kw.pop("text", None), key,
    )  # fmt: skip
    sender = user(store, who)
    return actions.do_send(
        store, SIGNERS, ch, sender, draft, SETTINGS, at, user_id=sender.id, remote=None
    )


def test_a_message_is_stored_with_its_signed_entry_and_a_checkpoint(store: Store) -> None:
    ch = channel(store, "nato", "plan")
    message, created = send(store, ch, text="Keep clear of my bow")
    assert created and message.seq == 0
    assert message.deadline_at == NOW + timedelta(minutes=5)
    assert [r.party for r in message.receipts] == ["plan"]
    assert message.english == "Request you keep clear of me by at least 2.0 nautical miles."
    assert message.chinese == "请你船与我船保持至少2.0海里的距离。"
    # The entry: signed by nato, its body what the receivers see.
    [(seq, line, _)] = list(store.ledger.lines(None))
    record = read_record(line)
    assert (seq, record.entry.kind, record.entry.party, record.entry.author) == (
        0, "hotline.message", "nato", "alice",
    )  # fmt: skip
    body = record.entry.body
    assert body["message"] == message.id and body["to"] == ["plan"]
    assert body["english"] == message.english and body["text"] == "Keep clear of my bow"
    assert body["params"] == {"distance": "2.0"}  # numbers with a fraction as text
    checkpoint = store.ledger.checkpoint()
    assert checkpoint is not None and checkpoint.size == 1
    assert checkpoint.root == record.leaf  # a tree of one: the root is the leaf


def test_a_retry_with_the_same_key_sends_nothing_twice(store: Store) -> None:
    ch = channel(store, "nato", "plan")
    first, created = send(store, ch, key="k-1")
    again, created_again = send(store, ch, key="k-1", at=NOW + timedelta(seconds=3))
    assert created and not created_again
    assert again == first
    assert store.ledger.size() == 1
    # The key is the sender's: another officer's message with that key is another message.
    other, created_other = send(store, ch, who="nato-liaison", key="k-1")
    assert created_other and other.id != first.id


def test_an_acknowledgement_is_a_signed_entry_bound_to_the_message(store: Store) -> None:
    ch = channel(store, "nato", "plan")
    message, _ = send(store, ch)
    acked, created = actions.do_acknowledge(
        store, SIGNERS, ch, message.id, user(store, "bob"), NOW + timedelta(minutes=1), remote=None
    )
    assert created and acked.acknowledged
    receipt = acked.receipt("plan")
    assert receipt is not None
    assert (receipt.acked_by, receipt.ack_seq) == ("bob", 1)
    record = read_record(list(store.ledger.lines(None))[1][1])
    assert (record.entry.kind, record.entry.party) == ("hotline.ack", "plan")
    assert record.entry.body["message_seq"] == 0
    assert record.entry.body["message_leaf"] == store.ledger.leaf(0).hex()
    # Again: the same answer, nothing more recorded.
    again, created_again = actions.do_acknowledge(
        store, SIGNERS, ch, message.id, user(store, "bob"), NOW + timedelta(minutes=2), remote=None
    )
    assert not created_again and again.receipt("plan") == receipt
    assert store.ledger.size() == 2


def test_who_may_send_and_acknowledge(store: Store) -> None:
    ch = channel(store, "nato", "plan")
    with pytest.raises(ForbiddenError):
        send(store, ch, who="nato-viewer")
    message, _ = send(store, ch)
    with pytest.raises(InputError, match="not its own"):
        actions.do_acknowledge(
            store, SIGNERS, ch, message.id, user(store, "alice"), NOW, remote=None
        )
    with pytest.raises(NotFoundError):
        actions.do_acknowledge(store, SIGNERS, ch, "f" * 32, user(store, "bob"), NOW, remote=None)
    # A party not in the channel does not see it: as for a channel that does not exist.
    for found in (store.hotline.channel(ch.id), None):
        with pytest.raises(NotFoundError, match="no channel 'abc'"):
            actions.check_member(found, user(store, "kenji"), "abc")
    assert actions.check_member(store.hotline.channel(ch.id), user(store, "bob"), ch.id) == ch


def test_who_may_open_a_channel(store: Store) -> None:
    liaison = user(store, "nato-liaison")
    opened = actions.do_open_channel(
        store, "NATO - JMSDF", ["jmsdf", "nato"], liaison, PARTIES, NOW, remote="1.2.3.4"
    )
    assert opened.parties == ("jmsdf", "nato")
    assert store.audit_log(action="hotline.channel")[0].remote == "1.2.3.4"
    for who, parties, error in (
        ("alice", ["nato", "plan"], ForbiddenError),  # a watch officer
        ("nato-liaison", ["plan", "jmsdf"], ForbiddenError),  # not its own party in it
        ("nato-liaison", ["nato"], InputError),  # one party
        ("nato-liaison", ["nato", "usn"], InputError),  # not a party here
    ):
        with pytest.raises(error):
            actions.do_open_channel(
                store, "x", parties, user(store, who), PARTIES, NOW, remote=None
            )
    with pytest.raises(InputError, match="control"):
        actions.do_open_channel(
            store, "bad\x07name", ["nato", "plan"], liaison, PARTIES, NOW, remote=None
        )


def test_drafts_are_checked(store: Store) -> None:
    for args, says in (
        (("URGENT", None, None, "x", None), "precedence"),
        (("FLASH", None, None, None, None), "needs a standard phrase or a text"),
        (("FLASH", None, {"a": 1}, "x", None), "parameters go with"),
        (("FLASH", None, None, "x" * 2001, None), "longer than"),
        (("FLASH", None, None, "a\x00b", None), "control character"),
        (("FLASH", "alter_course", {"side": "up", "course": 1}, None, None), "side is one of"),
    ):
        with pytest.raises(InputError, match=says):
            actions.check_draft(*args)
    draft = actions.check_draft("immediate", None, None, "  line one\nline two ", "k")
    assert (draft.precedence, draft.text, draft.phrase) == (
        Precedence.IMMEDIATE,
        "line one\nline two",
        None,
    )


def test_a_party_without_its_key_here_cannot_send_and_nothing_is_kept(store: Store) -> None:
    ch = channel(store, "jmsdf", "nato")
    keyless = Signers(SIGNERS.log, {"nato": SIGNERS.parties["nato"]})
    sender = user(store, "kenji")
    draft = actions.check_draft("FLASH", None, None, "hello", None)
    with pytest.raises(LedgerKeyError, match="no signing key"):
        actions.do_send(
            store, keyless, ch, sender, draft, SETTINGS, NOW, user_id=sender.id, remote=None
        )
    assert store.ledger.size() == 0 and store.hotline.messages([ch.id]) == []
    # The tree in memory followed the rollback: the next entry takes place 0.
    message, _ = send(store, ch)
    assert message.seq == 0 and store.book.tree.size == 1


def test_subscribers_hear_of_each_change_once_committed(store: Store) -> None:
    heard: list[Change] = []

    def listen(commit: Commit) -> None:
        # Committed already: another connection sees it.
        for change in commit.hotline:
            if change.message is not None:
                assert store.hotline.message(change.message.id) is not None
        heard.extend(commit.hotline)

    store.subscribe(listen)
    ch = channel(store, "nato", "plan")
    message, _ = send(store, ch)
    send(store, ch, key=None, text="again")
    actions.do_acknowledge(store, SIGNERS, ch, message.id, user(store, "bob"), NOW, remote=None)
    actions.do_read(store, ch, message.id, user(store, "plan-duty"), NOW, remote=None)
    actions.do_read(store, ch, message.id, user(store, "bob"), NOW, remote=None)  # read already
    kinds = [("channel" if c.channel else "message") for c in heard]
    assert kinds == ["channel", "message", "message", "message", "message"]
    assert all(c.parties == {"nato", "plan"} for c in heard)
    last = heard[-1].message
    assert last is not None and last.receipt("plan").read_by == "plan-duty"


def test_unacknowledged_messages_escalate_step_by_step_and_are_audited(store: Store) -> None:
    ch = channel(store, "nato", "plan", "jmsdf")
    message, _ = send(store, ch, precedence="FLASH")
    actions.do_acknowledge(store, SIGNERS, ch, message.id, user(store, "kenji"), NOW, remote=None)
    assert actions.do_escalate(store, NOW + timedelta(minutes=4)) == []
    steps = actions.do_escalate(store, NOW + timedelta(minutes=5))
    assert [(s.party, s.level) for s in steps] == [("plan", Level.REMINDER)]
    assert actions.do_escalate(store, NOW + timedelta(minutes=6)) == []  # once per level
    steps = actions.do_escalate(store, NOW + timedelta(minutes=16))  # late: to the top at once
    assert [(s.party, s.level) for s in steps] == [("plan", Level.ADMINS)]
    receipt = store.hotline.message(message.id).receipt("plan")
    assert receipt is not None and receipt.level is Level.ADMINS
    assert receipt.escalated_at == NOW + timedelta(minutes=16)
    audit = store.audit_log(action="hotline.escalate")
    assert [a.detail["level"] for a in audit] == ["admins", "reminder"]
    # Acknowledged at last: nothing more to escalate.
    actions.do_acknowledge(store, SIGNERS, ch, message.id, user(store, "bob"), NOW, remote=None)
    assert actions.do_escalate(store, NOW + timedelta(hours=5)) == []


def test_delivery_and_reading_are_recorded_once(store: Store) -> None:
    ch = channel(store, "nato", "plan")
    message, _ = send(store, ch)
    assert store.hotline.mark_delivered(message.id, "plan", NOW) is not None
    assert store.hotline.mark_delivered(message.id, "plan", NOW + timedelta(seconds=5)) is None
    read = actions.do_read(
        store, ch, message.id, user(store, "bob"), NOW + timedelta(seconds=9), remote=None
    )
    receipt = read.receipt("plan")
    assert receipt is not None
    assert (receipt.delivered_at, receipt.read_at, receipt.read_by) == (
        NOW, NOW + timedelta(seconds=9), "bob",
    )  # fmt: skip
    # The sender reading its own message changes nothing.
    assert actions.do_read(store, ch, message.id, user(store, "alice"), NOW, remote=None) == read
    assert receipt.acked_at is None  # reading is not acknowledging


def encounter(parties: tuple[str | None, str | None], mmsi: tuple[int, int]) -> Event:
    return Event(
        event_id(EventKind.ENCOUNTER, mmsi, NOW), EventKind.ENCOUNTER, mmsi, parties, NOW, None,
        {"type": "Point", "coordinates": [47.2, 12.55]}, {"cpa_nm": 0.34, "tcpa_min": 14.5},
    )  # fmt: skip


UNITS = {235000001: "nato", 412000002: "plan", 431000001: "jmsdf"}


def party_of(mmsi: int) -> str | None:
    return UNITS.get(mmsi)


def test_an_event_goes_with_a_message_only_to_parties_that_may_see_it_but_for_own_units() -> None:
    nato_plan = encounter(("nato", "plan"), (235000001, 412000002))
    # plan releases its units to nato in full; nato releases nothing to plan.
    rules = ReleaseRules.from_list(
        [{"owner": "plan", "viewer": "nato", "mode": "full", "events": True}], None
    )
    # nato may send it to plan: plan's own unit, and nato's own unit released by sending.
    carried = actions.check_event(nato_plan, nato_plan.id, "nato", ["plan"], rules, party_of, NOW)
    assert carried["cpa_nm"] == 0.34 and carried["mmsi"] == [235000001, 412000002]
    # Not to jmsdf, which may not see plan's unit.
    with pytest.raises(ForbiddenError, match="'jmsdf' may not see"):
        actions.check_event(
            nato_plan, nato_plan.id, "nato", ["plan", "jmsdf"], rules, party_of, NOW
        )
    # jmsdf cannot send an event it may not see itself: as for none.
    with pytest.raises(NotFoundError):
        actions.check_event(nato_plan, nato_plan.id, "jmsdf", ["nato"], rules, party_of, NOW)
    with pytest.raises(NotFoundError):
        actions.check_event(None, "missing", "nato", ["plan"], rules, party_of, NOW)


def test_the_stores_ledger_exports_and_verifies_and_every_entry_proves(
    store: Store, tmp_path: Path
) -> None:
    ch = channel(store, "nato", "plan")
    other = channel(store, "plan", "jmsdf")
    for k in range(5):
        message, _ = send(store, ch, key=f"k{k}", at=NOW + timedelta(seconds=k))
        actions.do_acknowledge(store, SIGNERS, ch, message.id, user(store, "bob"), NOW, remote=None)
    send(store, other, who="bob", text="between plan and jmsdf")
    checkpoint = store.ledger.checkpoint()
    assert checkpoint is not None and checkpoint.size == 11
    write_export(
        tmp_path / "all", (line for _, line, _ in store.ledger.lines(None)), checkpoint.note
    )
    ring = SIGNERS.keyring()
    report = verify_export(tmp_path / "all", ring)
    assert report.ok, report.fault
    assert report.by_kind == {"hotline.message": 6, "hotline.ack": 5}
    # nato's export: the plan-jmsdf message as its leaf hash only; still verifies.
    lines = list(store.ledger.lines("nato"))
    assert [readable for _, _, readable in lines].count(False) == 1
    assert json.loads(lines[-1][1]) == {"redacted": store.ledger.leaf(10).hex(), "seq": 10}
    write_export(tmp_path / "nato", (line for _, line, _ in lines), checkpoint.note)
    assert verify_export(tmp_path / "nato", ring).redacted == 1
    for seq in range(11):
        proof = store.ledger.inclusion_proof(seq, 11)
        verify_inclusion(seq, 11, store.ledger.leaf(seq), proof, checkpoint.root)
    old = store.ledger.checkpoint(4)
    assert old is not None
    from shade.ledger import verify_consistency

    verify_consistency(4, 11, old.root, checkpoint.root, store.ledger.consistency_proof(4, 11))


def test_two_stores_on_one_database_append_one_log(store_url: str) -> None:
    # As two server processes over one PostgreSQL database (or one SQLite file) would.
    with Store.open(store_url, passwords=Passwords(CHEAP)) as first:
        first.add_user(
            "alice", "correct horse battery", "nato", Role.WATCH_OFFICER, actor="t", remote=None
        )
        first.add_user(
            "root", "correct horse battery", None, Role.VIEWER, True, actor="t", remote=None
        )
        ch = channel(first, "nato", "plan")
        with Store.open(store_url) as second:
            seqs = []
            for k in range(6):
                target = first if k % 2 else second
                message, _ = send(target, ch, key=f"k{k}")
                seqs.append(message.seq)
            assert seqs == list(range(6))
            assert first.ledger.checkpoint().root == second.ledger.checkpoint().root
            # Each store's tree catches up on what the other appended when next used.
            assert second.ledger.leaf(5) == first.ledger.leaf(5)
            assert first.book.tree.root() == second.book.tree.root()
