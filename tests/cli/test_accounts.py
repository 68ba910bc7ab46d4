"""``shade user`` and ``shade token`` as an operator runs them: real processes against a
real database (SQLite, or PostgreSQL with --db=postgresql); the password prompt on a real
terminal."""

from __future__ import annotations

import getpass
import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from shade.store import Store
from tests.commands import SHADE

PASSWORD = "correct horse battery"
PARTIES = """
[[parties]]
id = "eunavfor"
colour = "#1f4e9c"
mmsi = [247321000]

[[parties]]
id = "plan"
colour = "#aa0000"
mmsi = [412000001]
"""


def shade(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SHADE, *args], input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def parties(tmp_path: Path) -> str:
    path = tmp_path / "parties.toml"
    path.write_text(PARTIES, encoding="utf-8")
    return str(path)


def add(db: str, parties: str, name: str, *more: str) -> subprocess.CompletedProcess[str]:
    return shade(
        "user", "add", name, "--parties", parties, *more, "--password-stdin", "--db", db,
        stdin=PASSWORD + "\n",
    )  # fmt: skip


def test_users_are_added_listed_and_disabled(store_url: str, parties: str) -> None:
    done = add(store_url, parties, "alice", "--party", "eunavfor", "--role", "watch_officer")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "added user alice (party eunavfor, role watch_officer)\n"
    root = shade("user", "add", "root", "--admin", "--password-stdin", "--db", store_url,
                 stdin=PASSWORD + "x\r\n")  # fmt: skip
    assert root.stdout == "added user root (no party, role viewer, server admin)\n", root.stderr
    table = shade("user", "list", "--db", store_url)
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["NAME", "PARTY", "ROLE", "ADMIN", "STATE", "CREATED"]
    assert [row.split()[:5] for row in rows] == [
        ["alice", "eunavfor", "watch_officer", "no", "active"],
        ["root", "-", "viewer", "yes", "active"],
    ]
    listed = [json.loads(line) for line in shade("user", "list", "--json", "--db", store_url)
              .stdout.splitlines()]  # fmt: skip
    assert [list(u) for u in listed] == [
        ["id", "name", "party", "role", "admin", "disabled", "created_at"]
    ] * 2
    assert (listed[1]["name"], listed[1]["party"], listed[1]["admin"]) == ("root", None, True)
    assert listed[0]["created_at"].endswith("Z")
    with Store.open(store_url) as store:
        alice = store.verify_password("alice", PASSWORD)
        assert alice is not None and alice.id == listed[0]["id"]
        assert store.verify_password("root", PASSWORD + "x") is not None  # \r\n removed
    done = shade("user", "disable", "alice", "--db", store_url)
    assert (done.returncode, done.stdout) == (0, "disabled user alice\n")
    again = shade("user", "disable", "alice", "--db", store_url)
    assert (again.returncode, again.stdout) == (0, "user alice was disabled already\n")
    assert json.loads(shade("user", "list", "--json", "--db", store_url).stdout.splitlines()[0])[
        "disabled"
    ]
    with Store.open(store_url) as store:
        assert store.verify_password("alice", PASSWORD) is None
        log = store.audit_log()
    assert [(e.action, e.target) for e in log] == [
        ("user.disable", "alice"),
        ("user.add", "root"),
        ("user.add", "alice"),
    ]
    assert {(e.actor, e.remote) for e in log} == {(f"cli:{getpass.getuser()}", "local")}


def test_tokens_are_shown_once_and_revoked(store_url: str, parties: str) -> None:
    assert add(store_url, parties, "alice", "--party", "eunavfor").returncode == 0
    made = shade("token", "create", "alice", "--label", "nightly export", "--db", store_url)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert made.stdout == token + "\n" and token.startswith("shd_")
    token_id = token.split("_")[1]
    assert f"token {token_id} for alice" in made.stderr and "not be shown again" in made.stderr
    other = shade("token", "create", "alice", "--db", store_url).stdout.strip()
    with Store.open(store_url) as store:
        alice = store.user_for_token(token)
        assert alice is not None and alice.name == "alice"
    table = shade("token", "list", "alice", "--db", store_url)
    assert token.split("_", 2)[2] not in table.stdout
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["ID", "CREATED", "LAST", "USED", "STATE", "LABEL"]
    assert rows[0].split()[0] == token_id and rows[0].split()[3:] == ["active", "nightly", "export"]
    assert rows[0].split()[2] != "-" and rows[1].split()[2] == "-"  # used, not used
    done = shade("token", "revoke", token_id, "--db", store_url)
    assert (done.returncode, done.stdout) == (0, f"revoked token {token_id}\n")
    again = shade("token", "revoke", token, "--db", store_url)  # the whole token works too
    assert again.stdout == f"token {token_id} was revoked already\n"
    listed = [json.loads(line) for line in shade("token", "list", "alice", "--json", "--db",
              store_url).stdout.splitlines()]  # fmt: skip
    assert [(t["id"], t["user"], t["label"]) for t in listed] == [
        (token_id, "alice", "nightly export"),
        (other.split("_")[1], "alice", ""),
    ]
    assert listed[0]["revoked_at"].endswith("Z") and listed[1]["revoked_at"] is None
    with Store.open(store_url) as store:
        assert store.user_for_token(token) is None
        assert store.user_for_token(other) is not None
        actions = [(e.action, e.actor) for e in store.audit_log(action="token.revoke")]
    assert actions == [("token.revoke", f"cli:{getpass.getuser()}")]


def at_once(runs: list[tuple[list[str], str | None]]) -> list[tuple[int, str]]:
    """Run shade with each (arguments, stdin) at the same time: their (status, stderr)."""
    started = [
        subprocess.Popen(
            [*SHADE, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args, _ in runs
    ]
    errors = [
        process.communicate(stdin or "", timeout=120)[1]
        for process, (_, stdin) in zip(started, runs, strict=True)
    ]
    return [(process.returncode, stderr) for process, stderr in zip(started, errors, strict=True)]


def test_errors_are_one_line_and_change_nothing(store_url: str, parties: str) -> None:
    assert add(store_url, parties, "alice", "--party", "plan").returncode == 0
    db = ["--db", store_url]
    new = ["user", "add", "bob", "--parties", parties, "--password-stdin", *db]
    cases = [
        ([*new, "--party", "navy"], PASSWORD, "no party 'navy' in "),
        ([*new, "--party", "plan"], "too short", "at least 12 characters"),
        ([*new, "--party", "plan"], "bob", "at least 12 characters"),
        ([*new, "--party", "plan"], None, "no password on standard input"),
        ([*new[:2], "Bob", *new[3:], "--party", "plan"], PASSWORD, "lower-case letters"),
        (["user", "add", "alice", "--admin", "--password-stdin", *db], PASSWORD, "exists already"),
        (["user", "add", "root", "--admin", *db], PASSWORD, "no terminal to ask the password"),
        (["user", "disable", "bob", *db], None, "no user 'bob'"),
        (["token", "create", "bob", *db], None, "no user 'bob'"),
        (["token", "list", "bob", *db], None, "no user 'bob'"),
        (["token", "revoke", "feedfacecafe", *db], None, "no token 'feedfacecafe'"),
    ]
    done = at_once([(args, None if stdin is None else stdin + "\n") for args, stdin, _ in cases])
    for (args, _, message), (status, stderr) in zip(cases, done, strict=True):
        assert status == 1, (args, stderr)
        assert stderr.count("\n") == 1 and stderr.startswith("shade: error: "), stderr
        assert message in stderr, (message, stderr)
    with Store.open(store_url) as store:
        assert [u.name for u in store.users()] == ["alice"] and len(store.audit_log()) == 1


def test_usage_errors(store_url: str, parties: str) -> None:
    db = ["--db", store_url]
    cases = [
        (["user", "add", "bob", "--party", "plan", *db], "--party needs --parties FILE"),
        (["user", "add", "bob", *db], "a user needs --party ID"),
        (["user", "add", "bob", "--admin", "--role", "admiral", *db], "Invalid value for '--role'"),
        (["token", "create", *db], "Missing argument 'NAME'"),
        (["token", "revoke", *db], "Missing argument 'TOKEN_ID'"),
    ]
    done = at_once([(args, PASSWORD + "\n") for args, _ in cases])
    for (args, message), (status, stderr) in zip(cases, done, strict=True):
        assert status == 2 and message in stderr and "Traceback" not in stderr, (args, stderr)


def _converse(args: list[str], replies: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """Run shade on a new terminal (its controlling one), answering each prompt; the exit
    status and all it wrote."""
    pid, leader = pty.fork()
    if pid == 0:  # the child: becomes shade, on the terminal
        os.execv(SHADE[0], [*SHADE, *args])
    seen = b""
    deadline = time.monotonic() + 60

    def read_until(wanted: bytes) -> None:
        nonlocal seen
        while wanted not in seen:
            assert time.monotonic() < deadline, seen
            ready, _, _ = select.select([leader], [], [], 1)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the child is gone
                    chunk = b""
                assert chunk, f"shade ended before asking {wanted!r}: {seen!r}"
                seen += chunk

    try:
        for prompt, answer in replies:
            read_until(prompt)
            seen = seen.replace(prompt, b"<asked>", 1)
            os.write(leader, answer + b"\n")
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen


def test_the_password_is_asked_twice_on_the_terminal(store_url: str, parties: str) -> None:
    args = ["user", "add", "alice", "--party", "plan", "--parties", parties, "--db", store_url]
    status, seen = _converse(
        args,
        [
            (b"Password for alice: ", b"short"),  # refused by the policy: asked again
            (b"Password for alice: ", PASSWORD.encode()),
            (b"Repeat for confirmation: ", b"something else!"),  # no match: asked again
            (b"Password for alice: ", PASSWORD.encode()),
            (b"Repeat for confirmation: ", PASSWORD.encode()),
        ],
    )
    assert status == 0, seen
    assert b"at least 12 characters" in seen and b"do not match" in seen
    assert PASSWORD.encode() not in seen and b"short" not in seen  # never echoed
    assert b"added user alice (party plan, role viewer)" in seen
    with Store.open(store_url) as store:
        assert store.verify_password("alice", PASSWORD) is not None
