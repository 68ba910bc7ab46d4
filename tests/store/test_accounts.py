"""Accounts in the store (SQLite, or PostgreSQL with --db=postgresql): users, passwords,
API tokens shown once and kept hashed, the audit row of every change written with it,
release rules; a v0002 database upgraded with its data."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, inspect, text

from shade.accounts import Passwords, Role, User
from shade.errors import InputError, NotFoundError, ShadeError
from shade.store import Store
from shade.store import engine as engines
from shade.store.accounts import ReleaseRow
from shade.store.schema import events
from tests.accounts.cheap import CHEAP
from tests.store.make import HEAD, OLD_POSITIONS, point

PASSWORD = "correct horse battery"
CLI = {"actor": "cli:root", "remote": "local"}
WEB = {"actor": "user:boss", "remote": "192.0.2.7"}


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url, passwords=Passwords(CHEAP)) as opened:
        yield opened


def everything(store: Store) -> str:
    """Every value of every row of every table, as text: what a stolen database shows."""
    found = []
    with store.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                found.extend(str(value) for value in row)
    return "\n".join(found)


def test_users_are_added_and_found(store: Store) -> None:
    before = datetime.now(UTC)
    alice = store.add_user("alice", PASSWORD, "eunavfor", Role.WATCH_OFFICER, **CLI)
    root = store.add_user("root", PASSWORD + "!", None, "viewer", admin=True, **CLI)
    after = datetime.now(UTC)
    assert alice == User(
        alice.id, "alice", "eunavfor", Role.WATCH_OFFICER, False, False, alice.created_at
    )
    assert before <= alice.created_at <= root.created_at <= after
    assert root.party is None and root.admin and root.role is Role.VIEWER
    assert store.user("alice") == alice and store.user_by_id(alice.id) == alice
    assert store.user("bob") is None and store.user_by_id(alice.id + root.id + 1) is None
    assert store.users() == [alice, root]
    assert store.user("Alice") is None  # names are lower case: looked up as written


def test_users_are_listed_by_name_in_code_point_order(store: Store) -> None:
    for name in ["b.x", "a-z", "a_b", "a.c", "ab", "0"]:
        store.add_user(name, PASSWORD, "plan", **CLI)
    assert [u.name for u in store.users()] == sorted(["b.x", "a-z", "a_b", "a.c", "ab", "0"])


def test_a_name_is_taken_once(store: Store) -> None:
    store.add_user("alice", PASSWORD, "eunavfor", **CLI)
    with pytest.raises(InputError, match="user 'alice' exists already") as caught:
        store.add_user("alice", "another password", "plan", Role.PARTY_ADMIN, **WEB)
    assert "\n" not in caught.value.message
    assert [u.party for u in store.users()] == ["eunavfor"]
    assert [e.action for e in store.audit_log()] == ["user.add"]


@pytest.mark.parametrize(
    ("name", "password", "party", "role", "admin", "message"),
    [
        ("alice", "short", "eunavfor", "viewer", False, "at least 12 characters"),
        ("alice", "alice", "eunavfor", "viewer", False, "at least 12 characters"),
        ("longer.name.x", "longer.name.x", "eunavfor", "viewer", False, "not be the user name"),
        ("Alice", PASSWORD, "eunavfor", "viewer", False, "lower-case letters"),
        ("alice", PASSWORD, None, "viewer", False, "needs a party"),
        ("alice", PASSWORD, "eunavfor", "admiral", False, "no role 'admiral'"),
        ("alice", PASSWORD, "neutral", "viewer", False, "not a party id"),
    ],
)
def test_users_refused_leave_nothing(
    store: Store,
    name: str,
    password: str,
    party: str | None,
    role: str,
    admin: bool,
    message: str,
) -> None:
    with pytest.raises(InputError, match=message):
        store.add_user(name, password, party, role, admin, **CLI)
    assert store.users() == [] and store.audit_log() == []


def test_a_change_needs_an_actor(store: Store) -> None:
    with pytest.raises(InputError, match="needs an actor"):
        store.add_user("alice", PASSWORD, "plan", actor=" ", remote="local")
    with pytest.raises(InputError, match="where the change comes from"):
        store.add_user("alice", PASSWORD, "plan", actor="cli:root", remote="")
    assert store.users() == []


def test_passwords_verify(store: Store) -> None:
    alice = store.add_user("alice", PASSWORD, "eunavfor", **CLI)
    assert store.verify_password("alice", PASSWORD) == alice
    assert store.verify_password("alice", PASSWORD + " ") is None
    assert store.verify_password("alice", "") is None
    assert store.verify_password("bob", PASSWORD) is None
    assert store.verify_password("ALICE", PASSWORD) is None


def test_a_disabled_user_cannot_log_in(store: Store) -> None:
    store.add_user("alice", PASSWORD, "eunavfor", **CLI)
    store.add_user("bob", PASSWORD, "eunavfor", **CLI)
    assert store.disable_user("alice", **WEB) is True
    assert store.disable_user("alice", **CLI) is False  # already: nothing more written
    assert store.verify_password("alice", PASSWORD) is None
    bob = store.verify_password("bob", PASSWORD)
    assert bob is not None and not bob.disabled
    alice = store.user("alice")
    assert alice is not None and alice.disabled
    with pytest.raises(NotFoundError, match="no user 'carol'"):
        store.disable_user("carol", **CLI)
    disabled = [e for e in store.audit_log() if e.action == "user.disable"]
    assert [(e.actor, e.target, e.remote) for e in disabled] == [
        ("user:boss", "alice", "192.0.2.7")
    ]


def test_an_unknown_name_costs_a_verification(store_url: str) -> None:
    # With production parameters a verification takes ~0.1 s: a name that does not exist
    # must not answer much sooner, or the time would tell which names exist.
    with Store.open(store_url) as real:
        real.add_user("alice", PASSWORD, "eunavfor", **CLI)
        real.verify_password("nobody", PASSWORD)  # the dummy hash is made once, here

        def fastest(name: str) -> float:
            times = []
            for _ in range(3):
                start = time.perf_counter()
                assert real.verify_password(name, "wrong password!") is None
                times.append(time.perf_counter() - start)
            return min(times)

        known, unknown = fastest("alice"), fastest("nobody")
    assert known > 0.02 and unknown > 0.5 * known


def test_passwords_are_stored_hashed(store: Store) -> None:
    store.add_user("alice", PASSWORD, "eunavfor", **CLI)
    dump = everything(store)
    assert PASSWORD not in dump and "$argon2id$" in dump


def test_tokens_are_shown_once_and_stored_hashed(store: Store) -> None:
    alice = store.add_user("alice", PASSWORD, "eunavfor", **CLI)
    before = datetime.now(UTC)
    token_id, token = store.create_token("alice", " nightly export ", **CLI)
    assert token.startswith(f"shd_{token_id}_")
    secret = token.removeprefix(f"shd_{token_id}_")
    dump = everything(store)
    assert token_id in dump and secret not in dump and token not in dump
    [listed] = store.tokens("alice")
    assert (listed.id, listed.user_id, listed.label) == (token_id, alice.id, "nightly export")
    assert before <= listed.created_at and listed.last_used_at is None and not listed.revoked
    assert secret not in repr(listed)
    assert store.token(token_id) == listed and store.token("0" * 12) is None


def test_a_token_finds_its_user_and_records_its_use(store: Store) -> None:
    alice = store.add_user("alice", PASSWORD, "eunavfor", **CLI)
    store.add_user("bob", PASSWORD, "plan", **CLI)
    token_id, token = store.create_token("alice", **CLI)
    _, bobs = store.create_token("bob", "b", **CLI)
    before = datetime.now(UTC)
    assert store.user_for_token(token) == alice
    used = store.tokens("alice")[0].last_used_at
    assert used is not None and before <= used <= datetime.now(UTC)
    assert store.user_for_token(token) == alice
    assert store.tokens("alice")[0].last_used_at == used  # within the minute: not rewritten
    assert store.user_for_token(bobs) == store.user("bob")
    # Another token's secret under this id, a changed secret, anything else: nobody.
    forged = f"shd_{token_id}_{bobs.rsplit('_', 1)[-1]}"
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in [forged, changed, "", token_id, token + "x", f"shd_{'0' * 12}_{'a' * 43}"]:
        assert store.user_for_token(wrong) is None, wrong
    assert [e.action for e in store.audit_log()].count("token.create") == 2


def test_revoked_tokens_and_disabled_users_do_not_log_in(store: Store) -> None:
    store.add_user("alice", PASSWORD, "eunavfor", **CLI)
    store.add_user("bob", PASSWORD, "plan", **CLI)
    first, token = store.create_token("alice", "one", **CLI)
    second, other = store.create_token("alice", "two", **CLI)
    _, bobs = store.create_token("bob", **CLI)
    assert store.revoke_token(first, **WEB) is True
    assert store.revoke_token(first, **CLI) is False
    assert store.user_for_token(token) is None and store.user_for_token(other) is not None
    listed = {t.id: t for t in store.tokens("alice")}
    assert listed[first].revoked and not listed[second].revoked
    with pytest.raises(NotFoundError, match="no token 'feedfacecafe'"):
        store.revoke_token("feedfacecafe", **CLI)
    store.disable_user("bob", **CLI)
    assert store.user_for_token(bobs) is None
    with pytest.raises(InputError, match="'bob' is disabled"):
        store.create_token("bob", **CLI)
    with pytest.raises(NotFoundError, match="no user 'carol'"):
        store.create_token("carol", **CLI)
    with pytest.raises(NotFoundError, match="no user 'carol'"):
        store.tokens("carol")
    [revoked] = store.audit_log(action="token.revoke")
    assert (revoked.actor, revoked.target, revoked.remote) == ("user:boss", first, "192.0.2.7")
    assert revoked.detail == {"user": "alice"}


def test_every_change_is_audited_who_when_what_where(store: Store) -> None:
    start = datetime.now(UTC)
    store.add_user("alice", PASSWORD, "eunavfor", Role.LIAISON_OFFICER, **CLI)
    token_id, _ = store.create_token("alice", "cron", **WEB)
    store.revoke_token(token_id, **CLI)
    store.disable_user("alice", **WEB)
    store.set_release_rule("eunavfor", "plan", "delayed", 30, None, False, **WEB)
    store.audit("user:alice", "login.refused", "alice", {"why": "password"}, "198.51.100.1")
    end = datetime.now(UTC)
    log = store.audit_log()
    assert [(e.action, e.actor, e.target, e.remote) for e in log] == [
        ("login.refused", "user:alice", "alice", "198.51.100.1"),
        ("release.set", "user:boss", "eunavfor->plan", "192.0.2.7"),
        ("user.disable", "user:boss", "alice", "192.0.2.7"),
        ("token.revoke", "cli:root", token_id, "local"),
        ("token.create", "user:boss", token_id, "192.0.2.7"),
        ("user.add", "cli:root", "alice", "local"),
    ]
    assert [e.at for e in log] == sorted((e.at for e in log), reverse=True)
    assert start <= log[-1].at and log[0].at <= end and all(e.at.tzinfo is UTC for e in log)
    assert log[-1].detail == {"party": "eunavfor", "role": "liaison_officer", "admin": False}
    assert log[-2].detail == {"user": "alice", "label": "cron"}
    assert log[0].detail == {"why": "password"}
    assert store.audit_log(limit=2) == log[:2]
    assert store.audit_log(actor="cli:root") == [log[3], log[5]]
    assert store.audit_log(target="alice", action="user.disable") == [log[2]]
    with pytest.raises(InputError, match="at least 1"):
        store.audit_log(limit=0)
    with pytest.raises(TypeError):
        store.audit("cli:root", "x", None, {"when": object()}, "local")
    assert len(store.audit_log()) == len(log)


def test_a_change_is_not_kept_without_its_audit_row(store: Store) -> None:
    # The audit row is written in the change's transaction: when it cannot be written,
    # the change is not kept either.
    store.add_user("alice", PASSWORD, "eunavfor", **CLI)
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE audit"))
    with pytest.raises(ShadeError, match="cannot be written"):
        store.add_user("bob", PASSWORD, "eunavfor", **CLI)
    with pytest.raises(ShadeError, match="cannot be written"):
        store.disable_user("alice", **CLI)
    with pytest.raises(ShadeError, match="cannot be written"):
        store.set_release_rule("a", "b", "full", None, None, True, **CLI)
    assert [(u.name, u.disabled) for u in store.users()] == [("alice", False)]
    assert store.release_rules() == []


def test_release_rules_are_set_read_and_audited(store: Store) -> None:
    assert store.release_rule("eunavfor", "plan") is None and store.release_rules() == []
    first = store.set_release_rule("eunavfor", "plan", "delayed", 30, None, False, **WEB)
    assert first == ReleaseRow(
        "eunavfor", "plan", "delayed", 30, None, False, first.updated_at, "user:boss"
    )
    assert store.release_rule("eunavfor", "plan") == first
    assert store.release_rule("plan", "eunavfor") is None  # one way only
    second = store.set_release_rule("eunavfor", "plan", "coarse", None, 2.5, True, **CLI)
    assert store.release_rule("eunavfor", "plan") == second and second.updated_by == "cli:root"
    assert second.updated_at >= first.updated_at
    store.set_release_rule("plan", "eunavfor", "full", None, None, True, **CLI)
    store.set_release_rule("eu-navfor", "plan", "none", None, None, False, **CLI)
    assert [(r.owner, r.viewer) for r in store.release_rules()] == [
        ("eu-navfor", "plan"),
        ("eunavfor", "plan"),
        ("plan", "eunavfor"),
    ]
    assert [r.owner for r in store.release_rules(viewer="plan")] == ["eu-navfor", "eunavfor"]
    assert [r.viewer for r in store.release_rules(owner="plan")] == ["eunavfor"]
    changes = store.audit_log(target="eunavfor->plan")
    assert [e.detail for e in changes] == [
        {
            "old": {"mode": "delayed", "minutes": 30, "nm": None, "events": False},
            "new": {"mode": "coarse", "minutes": None, "nm": 2.5, "events": True},
        },
        {"old": None, "new": {"mode": "delayed", "minutes": 30, "nm": None, "events": False}},
    ]
    assert store.remove_release_rule("eunavfor", "plan", **WEB) is True
    assert store.remove_release_rule("eunavfor", "plan", **WEB) is False
    assert store.release_rule("eunavfor", "plan") is None
    [removed] = store.audit_log(action="release.remove")
    assert removed.detail["old"]["nm"] == 2.5 and removed.detail["new"] is None
    with pytest.raises(InputError, match="between two parties"):
        store.set_release_rule("plan", "plan", "full", None, None, True, **CLI)


def test_a_v0002_database_with_data_is_upgraded(store_url: str) -> None:
    engine = engines.create(engines.resolve_url(store_url))
    try:
        engines.upgrade(engine, "0002")
        with engine.begin() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert version.all() == [("0002",)]
            assert "users" not in inspect(connection).get_table_names()
            connection.execute(
                insert(OLD_POSITIONS), [point(366000001, s)._asdict() for s in (0, 1)]
            )
            row = {
                "id": "e1",
                "kind": "gap",
                "start_at": point().at,
                "mmsi_a": 366000001,
                "figures": "{}",
            }
            connection.execute(insert(events), [row])
    finally:
        engine.dispose()
    with Store.open(store_url, passwords=Passwords(CHEAP)) as store:
        with store.engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert [tuple(v) for v in version] == [(HEAD,)]
        assert store.track(366000001) == [point(366000001, 0), point(366000001, 1)]
        assert [e.id for e in store.events()] == ["e1"]
        assert store.users() == [] and store.audit_log() == [] and store.release_rules() == []
        alice = store.add_user("alice", PASSWORD, "eunavfor", **CLI)
        assert store.verify_password("alice", PASSWORD) == alice
