"""The ledger over HTTP: the signed checkpoint, entries as each party may read them, proofs
a client checks for itself, and a party admin's cosignature."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import update

from shade.ledger import (
    open_checkpoint,
    read_record,
    verify_consistency,
    verify_inclusion,
)
from shade.ledger.merkle import leaf_hash
from shade.store.ledger import Book
from shade.store.schema import ledger_entries
from tests.api import world
from tests.api.conftest import Running


def get(running: Running, name: str, path: str) -> dict[str, Any]:
    response = running.client.get(path, headers=running.token(name))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_checkpoint_is_signed_by_the_log_and_covers_every_entry(running: Running) -> None:
    answer = get(running, "jmsdf_viewer", "/api/ledger/checkpoint")
    opened = open_checkpoint(answer["note"], world.SIGNERS.keyring())
    assert (opened.checkpoint.origin, opened.checkpoint.size) == (world.ORIGIN, 2)
    assert base64.b64decode(answer["root"]) == opened.checkpoint.root
    older = get(running, "jmsdf_viewer", "/api/ledger/checkpoint?size=1")
    assert older["size"] == 1 and older["root"] != answer["root"]
    missing = running.client.get("/api/ledger/checkpoint?size=99", headers=running.token("root"))
    assert missing.status_code == 404


def test_entries_are_readable_by_the_channels_parties_and_leaf_hashes_to_others(
    running: Running,
) -> None:
    # Entry 0: NATO -> PLA Navy; entry 1: PLA Navy -> JMSDF.
    seen = {
        name: [e["readable"] for e in get(running, name, "/api/ledger/entries")["items"]]
        for name in ("nato_viewer", "plan_viewer", "jmsdf_viewer", "root")
    }
    assert seen == {
        "nato_viewer": [True, False],
        "plan_viewer": [True, True],
        "jmsdf_viewer": [False, True],
        "root": [False, False],
    }
    hidden = get(running, "nato_viewer", "/api/ledger/entries/1")
    assert json.loads(hidden["line"]) == {"redacted": hidden["leaf"], "seq": 1}
    assert "understood" not in hidden["line"]
    shown = get(running, "plan_viewer", "/api/ledger/entries/1")
    record = read_record(shown["line"].encode())
    assert record.entry.body["phrase"] == "understood"
    assert leaf_hash(shown["line"].encode()).hex() == shown["leaf"] == hidden["leaf"]
    assert (
        running.client.get("/api/ledger/entries/7", headers=running.token("root")).status_code
        == 404
    )


def test_a_client_checks_an_entry_against_the_checkpoint_itself(running: Running) -> None:
    checkpoint = get(running, "plan_viewer", "/api/ledger/checkpoint")
    root = base64.b64decode(checkpoint["root"])
    for seq in (0, 1):
        entry = get(running, "plan_viewer", f"/api/ledger/entries/{seq}")
        proof = get(running, "plan_viewer", f"/api/ledger/proof/inclusion?seq={seq}&size=2")
        leaf = leaf_hash(entry["line"].encode())
        assert leaf.hex() == proof["leaf"]
        verify_inclusion(seq, 2, leaf, [bytes.fromhex(h) for h in proof["proof"]], root)
    consistency = get(running, "plan_viewer", "/api/ledger/proof/consistency?old=1&new=2")
    old = base64.b64decode(get(running, "plan_viewer", "/api/ledger/checkpoint?size=1")["root"])
    verify_consistency(1, 2, old, root, [bytes.fromhex(h) for h in consistency["proof"]])
    beyond = running.client.get(
        "/api/ledger/proof/inclusion?seq=5&size=9", headers=running.token("plan_viewer")
    )
    assert beyond.status_code == 404


def test_a_party_admin_cosigns_with_its_key_and_the_log_must_extend_what_it_cosigned(
    running: Running,
) -> None:
    response = running.client.post("/api/ledger/cosign", headers=running.token("plan_admin"))
    assert response.status_code == 200, response.text
    assert response.json()["cosigners"] == ["plan"]
    opened = open_checkpoint(response.json()["note"], world.SIGNERS.keyring())
    assert set(opened.cosigners) == {"plan"}
    assert running.store.audit_log(action="ledger.cosign")[0].actor == "user:plan_admin"
    # Someone with the database rewrites entry 0 (and the server, restarted, reads it
    # back); the log then signs on over the forged history.
    with running.store.engine.begin() as connection:
        connection.execute(
            update(ledger_entries).where(ledger_entries.c.seq == 0).values(leaf=b"\x00" * 32)
        )
    running.store.book = Book()
    channel = next(c for c in running.store.hotline.channels() if c.parties == ("nato", "plan"))
    sent = running.client.post(
        f"/api/hotline/channels/{channel.id}/messages",
        json={"precedence": "ROUTINE", "text": "after the rewrite"},
        headers=running.token("nato_watch"),
    )
    assert sent.status_code == 201
    # plan checks the new checkpoint against the one it cosigned, and refuses.
    refused = running.client.post("/api/ledger/cosign", headers=running.token("plan_admin"))
    assert refused.status_code == 400 and "does not extend" in refused.json()["message"]
    assert len(running.store.audit_log(action="ledger.cosign")) == 1


def test_the_keys_held_here_are_listed(running: Running) -> None:
    text = get(running, "nato_viewer", "/api/ledger/keys")["text"]
    assert text == world.SIGNERS.keyring().text
    assert "PRIVATE" not in text
