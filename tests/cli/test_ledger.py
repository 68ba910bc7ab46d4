"""``shade keys`` and ``shade ledger`` as an operator and the other parties run them: real
processes, real keys directories, and a real store (SQLite, or PostgreSQL with
--db=postgresql) holding real hotline traffic made through ``shade.hotline.actions``.

Every failure is checked to be one line on stderr with exit status 1 (2 for click's usage
errors), never a traceback."""

from __future__ import annotations

import base64
import getpass
import json
import os
import re
import shutil
import stat
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shade.accounts import Passwords, Role, User
from shade.config import Settings
from shade.hotline import actions
from shade.hotline.model import Channel, Message
from shade.ledger import (
    SignerKey,
    Signers,
    generate_key,
    leaf_hash,
    load_signers,
    open_checkpoint,
    parse_note,
    parse_verifier,
    read_keyring,
    read_record,
    read_signer,
)
from shade.ledger.export import CHECKPOINT, ENTRIES
from shade.ledger.notes import cosign
from shade.ledger.signers import LOG_KEY, PARTY_KEYS, PUBLIC_KEYS
from shade.store import Store
from tests.accounts.cheap import CHEAP
from tests.commands import SHADE
from tests.conftest import database

ORIGIN = "shade.test/ledger"
KNOWN = ("jmsdf", "nato", "plan")
PASSWORD = "correct horse battery"
START = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
REDACTED = re.compile(rb'\{"redacted":"[0-9a-f]{64}","seq":(\d+)\}')


def shade(*args: str | Path, umask: int = -1) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SHADE, *map(str, args)], capture_output=True, text=True, timeout=120, umask=umask
    )


def fails(done: subprocess.CompletedProcess[str], status: int = 1) -> str:
    """The one line a failed command printed on stderr (asserting it is one, no traceback)."""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == status, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def usage_error(done: subprocess.CompletedProcess[str]) -> str:
    """Click's usage error: exit status 2, its last line the error."""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    return done.stderr.splitlines()[-1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def key_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


# The hotline: three parties, a channel of two of them and a channel of the third.


@dataclass
class Hotline:
    store: Store
    signers: Signers
    users: dict[str, User]
    channels: dict[str, Channel]
    at: datetime = START
    sent: list[Message] = field(default_factory=list)

    def tick(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at

    def send(
        self,
        channel: str,
        party: str,
        phrase: str | None = None,
        text: str | None = None,
        params: dict[str, object] | None = None,
        precedence: str = "FLASH",
    ) -> Message:
        user = self.users[party]
        draft = actions.check_draft(precedence, phrase, params, text, None)
        message, new = actions.do_send(
            self.store, self.signers, self.channels[channel], user, draft, Settings(),
            self.tick(), user_id=user.id, remote=None,
        )  # fmt: skip
        assert new
        self.sent.append(message)
        return message

    def ack(self, channel: str, message: Message, party: str) -> None:
        _, new = actions.do_acknowledge(
            self.store, self.signers, self.channels[channel], message.id, self.users[party],
            self.tick(), remote=None,
        )  # fmt: skip
        assert new


def hotline(store: Store, signers: Signers) -> Hotline:
    users = {
        party: store.add_user(
            f"{party}_watch", PASSWORD, party, Role.LIAISON_OFFICER, actor="test", remote=None
        )
        for party in KNOWN
    }
    channels = {
        "nato-plan": actions.do_open_channel(
            store, "NATO - PLA Navy", ["nato", "plan"], users["nato"], KNOWN, START, remote=None
        ),
        "plan-jmsdf": actions.do_open_channel(
            store,
            "PLA Navy - JMSDF",
            ["plan", "jmsdf"],
            users["jmsdf"],
            KNOWN,
            START,
            remote=None,
        ),
    }
    return Hotline(store, signers, users, channels)


def first_round(line: Hotline, text: str = "keep clear of the exercise area 请保持距离") -> None:
    """Entries 0-4: a message and its ack in each channel, and one more in plan-jmsdf."""
    request = line.send("nato-plan", "nato", "request_intentions")  # 0
    line.ack("nato-plan", request, "plan")  # 1
    warning = line.send("plan-jmsdf", "plan", text=text)  # 2
    line.send("plan-jmsdf", "jmsdf", "reduce_speed", params={"speed": 5})  # 3
    line.ack("plan-jmsdf", warning, "jmsdf")  # 4


def second_round(line: Hotline) -> None:
    """Entries 5-8."""
    answer = line.send("nato-plan", "plan", text="altering to starboard", precedence="ROUTINE")
    line.ack("nato-plan", answer, "nato")  # 6
    jmsdf = next(m for m in line.sent if m.party == "jmsdf")
    line.ack("plan-jmsdf", jmsdf, "plan")  # 7
    line.send("nato-plan", "nato", "pass_port_to_port", precedence="IMMEDIATE")  # 8


def make_keys(directory: Path) -> Path:
    for party in KNOWN:
        generate_key(directory, party)
    generate_key(directory, ORIGIN, log=True)
    return directory


@dataclass
class World:
    keys: Path  # the server's keys directory
    public: Path  # its public-keys.txt
    db: str
    early: Path  # the export after the first round (5 entries)
    full: Path  # after the second (9 entries)
    nato: Path  # the full ledger as nato may read it
    fork: Path  # another store, same keys, another first round
    channels: dict[str, tuple[str, ...]]  # channel id: its parties


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("ledger")
    (root / "a").mkdir()
    (root / "b").mkdir()
    keys = make_keys(root / "keys")
    signers = load_signers(keys)
    with (
        database(backend, root / "a") as db,
        database(backend, root / "b") as other,
    ):
        with Store.open(db, passwords=Passwords(CHEAP)) as store:
            line = hotline(store, signers)
            first_round(line)
            done = shade("ledger", "export", "--db", db, "--to", root / "early")
            assert done.returncode == 0, done.stderr
            second_round(line)
            channels = {c.id: c.parties for c in store.hotline.channels()}
        for target, more in (("full", ()), ("nato", ("--party", "nato"))):
            done = shade("ledger", "export", "--db", db, "--to", root / target, *more)
            assert done.returncode == 0, done.stderr
        with Store.open(other, passwords=Passwords(CHEAP)) as store:
            first_round(hotline(store, signers), text="nothing was said")
        done = shade("ledger", "export", "--db", other, "--to", root / "fork")
        assert done.returncode == 0, done.stderr
        yield World(
            keys, keys / PUBLIC_KEYS, db, root / "early", root / "full", root / "nato",
            root / "fork", channels,
        )  # fmt: skip


def lines_of(export: Path) -> list[bytes]:
    return (export / ENTRIES).read_bytes().splitlines()


def verify(export: Path, keys: Path, *more: str | Path) -> subprocess.CompletedProcess[str]:
    return shade("ledger", "verify", export, "--keys", keys, *more)


def copy(export: Path, tmp_path: Path, name: str = "copy") -> Path:
    return Path(shutil.copytree(export, tmp_path / name))


# shade keys


def test_keys_generate_prints_the_public_key_and_writes_the_private_one(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    done = shade("keys", "generate", "--party", "nato", "--dir", keys)
    assert done.returncode == 0, done.stderr
    printed = parse_verifier(done.stdout)
    assert done.stdout == printed.text + "\n"
    path = keys / PARTY_KEYS / "nato.key"
    held = read_signer(path)
    assert (printed.name, printed.id(), printed) == ("nato", held.verifier.id(), held.verifier)
    assert mode(path) == 0o600 and mode(keys / PARTY_KEYS) == 0o700
    assert "PRIVATE" not in done.stdout + done.stderr
    assert str(keys / PUBLIC_KEYS) in done.stderr
    log = shade("keys", "generate", "--log", ORIGIN, "--dir", keys)
    assert log.returncode == 0, log.stderr
    verifier = parse_verifier(log.stdout)
    assert verifier.name == ORIGIN and verifier == read_signer(keys / LOG_KEY).verifier
    assert mode(keys / LOG_KEY) == 0o600
    # The public keys file: both keys, each as printed, read back as a keyring.
    assert dict(read_keyring(keys / PUBLIC_KEYS)) == {"nato": printed, ORIGIN: verifier}
    assert "PRIVATE" not in (keys / PUBLIC_KEYS).read_text(encoding="utf-8")


def test_keys_generate_rewrites_the_public_keys_with_every_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    printed = {}
    for party in ("plan", "nato"):
        printed[party] = shade("keys", "generate", "--party", party, "--dir", keys).stdout
    (keys / PUBLIC_KEYS).write_text("# spoiled by hand\nnot a key\n", encoding="utf-8")
    printed[ORIGIN] = shade("keys", "generate", "--log", ORIGIN, "--dir", keys).stdout
    assert sorted(key_lines(keys / PUBLIC_KEYS)) == sorted(t.strip() for t in printed.values())
    listed = shade("keys", "list", "--dir", keys)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == key_lines(keys / PUBLIC_KEYS)
    assert {parse_verifier(line).name for line in listed.stdout.splitlines()} == {
        "plan",
        "nato",
        ORIGIN,
    }


def test_keys_generate_never_replaces_a_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert shade("keys", "generate", "--party", "nato", "--dir", keys).returncode == 0
    assert shade("keys", "generate", "--log", ORIGIN, "--dir", keys).returncode == 0
    before = {p: p.read_bytes() for p in keys.rglob("*") if p.is_file()}
    for args in (("--party", "nato"), ("--log", ORIGIN), ("--log", "another.origin")):
        done = shade("keys", "generate", *args, "--dir", keys)
        line = fails(done)
        assert "exists" in line and "never replaced" in line and done.stdout == ""
    assert {p: p.read_bytes() for p in keys.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("args", [(), ("--party", "nato", "--log", ORIGIN)])
def test_keys_generate_wants_one_of_party_or_log(tmp_path: Path, args: tuple[str, ...]) -> None:
    keys = tmp_path / "keys"
    line = usage_error(shade("keys", "generate", *args, "--dir", keys))
    assert "--party" in line and "--log" in line
    assert not keys.exists()


BAD_NAMES = [("--party", "two words"), ("--party", "a+b"), ("--log", "a b"), ("--party", "")]


@pytest.mark.parametrize(("option", "name"), BAD_NAMES)
def test_keys_generate_refuses_a_bad_name(tmp_path: Path, option: str, name: str) -> None:
    keys = tmp_path / "keys"
    done = shade("keys", "generate", option, name, "--dir", keys)
    line = fails(done)
    said = "party id " if option == "--party" else "key name "
    assert line.startswith(f"shade: error: {said}") and repr(name) in line
    assert done.stdout == "" and not keys.exists()


def test_keys_generate_keeps_the_modes_under_a_permissive_umask(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    done = shade("keys", "generate", "--party", "nato", "--dir", keys, umask=0)
    assert done.returncode == 0, done.stderr
    assert mode(keys / PARTY_KEYS / "nato.key") == 0o600
    assert mode(keys / PARTY_KEYS) == 0o700


def test_keys_generate_leaves_nothing_writable_by_others_under_umask_0(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert shade("keys", "generate", "--party", "nato", "--dir", keys, umask=0).returncode == 0
    assert mode(keys) & 0o022 == 0
    assert mode(keys / PUBLIC_KEYS) & 0o022 == 0


def test_keys_generate_refuses_a_party_id_that_is_a_path(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    done = shade("keys", "generate", "--party", "../evil", "--dir", keys)
    assert not (keys / "evil.key").exists()
    fails(done)


def test_keys_generate_refusing_a_name_taken_leaves_the_directory_usable(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert shade("keys", "generate", "--log", "nato", "--dir", keys).returncode == 0
    assert "holds a key named 'nato' already" in fails(
        shade("keys", "generate", "--party", "nato", "--dir", keys)
    )
    assert not (keys / PARTY_KEYS / "nato.key").exists()
    assert shade("keys", "list", "--dir", keys).returncode == 0


def test_keys_generate_where_no_directory_can_be_made_is_one_line(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / PARTY_KEYS).write_text("a file where parties/ should be\n")
    fails(shade("keys", "generate", "--party", "nato", "--dir", keys))


def test_keys_list_names_a_spoiled_key_file_in_one_line(tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "keys")
    (keys / PARTY_KEYS / "plan.key").write_text("PRIVATE+KEY+plan+00000000+AAAA\n")
    line = fails(shade("keys", "list", "--dir", keys))
    assert "plan.key" in line and "AAAA" not in line


# shade ledger export


def test_a_full_export_holds_every_entry_and_verifies(world: World) -> None:
    lines = lines_of(world.full)
    assert len(lines) == 9
    records = [read_record(line) for line in lines]
    assert [r.entry.seq for r in records] == list(range(9))
    kinds = Counter(r.entry.kind for r in records)
    assert kinds == {"hotline.message": 5, "hotline.ack": 4}
    with Store.open(world.db) as store:
        stored = store.ledger.checkpoint()
        assert stored is not None and stored.size == 9
        assert [leaf_hash(line) for line in lines] == [store.ledger.leaf(i) for i in range(9)]
    assert (world.full / CHECKPOINT).read_text(encoding="utf-8") == stored.note
    done = verify(world.full, world.public)
    assert done.returncode == 0, done.stderr
    by_party = Counter(r.entry.party for r in records)
    counts = ", ".join(f"{party} {n}" for party, n in sorted(by_party.items()))
    assert done.stdout.splitlines()[0] == f"ok: 9 entries ({counts})"
    assert done.stdout.splitlines()[1].startswith("ok: every signature and hash; root ")
    assert f"root {stored.root.hex()[:16]}... of size 9 signed by the log {ORIGIN}" in done.stdout
    assert "cosigned" not in done.stdout and "Traceback" not in done.stderr


def test_a_party_export_hides_the_channels_it_is_not_in_and_still_verifies(
    world: World,
) -> None:
    full, nato = lines_of(world.full), lines_of(world.nato)
    assert len(nato) == len(full)
    hidden = 0
    for seq, (record, line) in enumerate(zip(full, nato, strict=True)):
        entry = read_record(record).entry
        readable = "nato" in world.channels[entry.body["channel"]]
        if readable:
            assert line == record
        else:
            hidden += 1
            found = REDACTED.fullmatch(line)
            assert found is not None and int(found.group(1)) == seq, line
            assert json.loads(line)["redacted"] == leaf_hash(record).hex()
            assert b"plan_watch" not in line and b"jmsdf" not in line
    assert hidden == 4  # entries 2, 3, 4 and 7: the plan-jmsdf channel
    assert (world.nato / CHECKPOINT).read_bytes() == (world.full / CHECKPOINT).read_bytes()
    done = verify(world.nato, world.public)
    assert done.returncode == 0, done.stderr
    readable = Counter(read_record(line).entry.party for line in nato if not REDACTED.match(line))
    counts = ", ".join(f"{party} {n}" for party, n in sorted(readable.items()))
    assert (
        done.stdout.splitlines()[0]
        == f"ok: 9 entries ({counts}; {hidden} seen as leaf hashes only)"
    )
    assert "jmsdf" not in done.stdout.splitlines()[0]


def test_export_says_how_many_entries_it_wrote(world: World, tmp_path: Path) -> None:
    done = shade(
        "ledger", "export", "--db", world.db, "--to", tmp_path / "a" / "b", "--party", "jmsdf"
    )
    assert done.returncode == 0, done.stderr
    lines = lines_of(tmp_path / "a" / "b")
    redacted = sum(1 for line in lines if REDACTED.fullmatch(line))
    assert redacted == 5  # jmsdf is only in plan-jmsdf: entries 2, 3, 4 and 7 are readable
    assert (
        f"{len(lines)} entries, {redacted} as leaf hashes only, checkpoint of size 9" in done.stderr
    )
    assert verify(tmp_path / "a" / "b", world.public).returncode == 0


def test_an_empty_ledger_is_not_exported(store_url: str, tmp_path: Path) -> None:
    with Store.open(store_url) as store:
        assert store.ledger.size() == 0
    done = shade("ledger", "export", "--db", store_url, "--to", tmp_path / "out")
    assert "the ledger is empty" in fails(done)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("held", [ENTRIES, CHECKPOINT, "both"])
def test_an_export_is_never_written_over(world: World, tmp_path: Path, held: str) -> None:
    target = copy(world.early, tmp_path)
    if held != "both":
        (target / (CHECKPOINT if held == ENTRIES else ENTRIES)).unlink()
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    done = shade("ledger", "export", "--db", world.db, "--to", target)
    line = fails(done)
    assert "exists" in line and "export into a new directory" in line
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


# shade ledger verify: tampering


def flip_salt(lines: list[bytes]) -> list[bytes]:
    """A hex digit of entry 3's salt changed: the record is still well formed."""
    line = bytearray(lines[3])
    at = line.index(b'"salt":"') + len(b'"salt":"')
    line[at] = ord("1") if line[at] != ord("1") else ord("2")
    return [*lines[:3], bytes(line), *lines[4:]]


def flip_author(lines: list[bytes]) -> list[bytes]:
    line = bytearray(lines[3])
    at = line.index(b'"author":"jmsdf_watch"') + len(b'"author":"')
    line[at] ^= 0x01  # jmsdf_watch -> kmsdf_watch
    return [*lines[:3], bytes(line), *lines[4:]]


def break_json(lines: list[bytes]) -> list[bytes]:
    line = bytearray(lines[3])
    line[line.index(b'"sig":')] ^= 0x01  # a quote no more
    return [*lines[:3], bytes(line), *lines[4:]]


TAMPERING: dict[str, tuple[Callable[[list[bytes]], list[bytes]], int, str]] = {
    "salt flipped": (flip_salt, 3, "bad_signature"),
    "author flipped": (flip_author, 3, "bad_signature"),
    "not JSON": (break_json, 3, "malformed"),
    "line deleted": (lambda ls: [*ls[:2], *ls[3:]], 2, "out_of_place"),
    "lines swapped": (lambda ls: [ls[0], ls[2], ls[1], *ls[3:]], 1, "out_of_place"),
    "line twice": (lambda ls: [*ls[:5], ls[4], *ls[5:-1]], 5, "out_of_place"),
    "last line gone": (lambda ls: ls[:-1], 8, "checkpoint_size"),
    "line added": (lambda ls: [*ls, ls[0]], 9, "out_of_place"),
    "blank line": (lambda ls: [*ls[:6], b"", *ls[6:]], 6, "malformed"),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_a_tampered_export_fails_naming_the_entry(world: World, tmp_path: Path, how: str) -> None:
    change, entry, reason = TAMPERING[how]
    work = copy(world.full, tmp_path)
    (work / ENTRIES).write_bytes(b"".join(line + b"\n" for line in change(lines_of(world.full))))
    done = verify(work, world.public)
    line = fails(done)
    assert line.startswith(f"shade: verify: FAILED: entry {entry}: "), line
    assert line.endswith(f"({reason})"), line
    assert done.stdout == ""


def test_a_tampered_party_export_fails_too(world: World, tmp_path: Path) -> None:
    work = copy(world.nato, tmp_path)
    lines = lines_of(world.nato)
    assert REDACTED.fullmatch(lines[3])
    leaf = json.loads(lines[3])["redacted"]
    lines[3] = lines[3].replace(
        leaf.encode(), (("0" if leaf[0] != "0" else "1") + leaf[1:]).encode()
    )
    (work / ENTRIES).write_bytes(b"".join(line + b"\n" for line in lines))
    line = fails(verify(work, world.public))
    assert line.endswith("(checkpoint_root)"), line
    # A redacted line that names another place is out of place, like a record.
    lines = lines_of(world.nato)
    lines[3] = lines[3].replace(b'"seq":3', b'"seq":4')
    (work / ENTRIES).write_bytes(b"".join(line + b"\n" for line in lines))
    line = fails(verify(work, world.public))
    assert line.endswith(
        "entry 3: it says it is entry 4: an entry is missing before it, or entries were moved "
        "(out_of_place)"
    )


def cosignature_line(name: str, key_id: bytes, data: bytes) -> str:
    return f"\u2014 {name} {base64.b64encode(key_id + data).decode()}\n"


def test_a_forged_cosignature_spoils_the_checkpoint(world: World, tmp_path: Path) -> None:
    nato = read_signer(world.keys / PARTY_KEYS / "nato.key").verifier
    work = copy(world.full, tmp_path)
    good = (world.full / CHECKPOINT).read_text(encoding="utf-8")
    stamp = int(time.time()).to_bytes(8, "big")
    # nato's cosignature key id, but not its signature.
    forged = cosignature_line("nato", nato.id(0x04), stamp + os.urandom(64))
    (work / CHECKPOINT).write_text(good + forged, encoding="utf-8")
    line = fails(verify(work, world.public))
    assert line == "shade: verify: FAILED: the cosignature of 'nato' does not verify (checkpoint)"


def test_a_cosignature_moved_from_another_checkpoint_spoils_it(
    world: World, tmp_path: Path
) -> None:
    # nato really cosigns the early checkpoint; the line is put under the full one.
    early = copy(world.early, tmp_path, "early")
    key = world.keys / PARTY_KEYS / "nato.key"
    done = shade("ledger", "cosign", early, "--key", key, "--keys", world.public)
    assert done.returncode == 0, done.stderr
    work = copy(world.full, tmp_path, "full")
    text = (world.full / CHECKPOINT).read_text(encoding="utf-8")
    (work / CHECKPOINT).write_text(text + done.stdout, encoding="utf-8")
    line = fails(verify(work, world.public))
    assert "cosignature of 'nato' does not verify" in line and line.endswith("(checkpoint)")


def test_a_cosignature_by_a_key_not_trusted_counts_for_nothing(
    world: World, tmp_path: Path
) -> None:
    stranger = SignerKey.generate("nato")  # named nato, but not nato's key
    work = copy(world.full, tmp_path)
    note = parse_note((world.full / CHECKPOINT).read_text(encoding="utf-8"))
    line = cosign(note.text, stranger, int(time.time())).line
    (work / CHECKPOINT).write_text(note.encoded + line, encoding="utf-8")
    done = verify(work, world.public)
    assert done.returncode == 0, done.stderr
    assert "cosigned" not in done.stdout


@pytest.mark.parametrize("line", [0, 1, 2])
def test_a_checkpoint_changed_is_not_the_logs(world: World, tmp_path: Path, line: int) -> None:
    work = copy(world.full, tmp_path)
    text = (world.full / CHECKPOINT).read_text(encoding="utf-8").split("\n")
    changed = {0: "shade.test/other", 1: "8", 2: base64.b64encode(bytes(32)).decode()}[line]
    text[line] = changed
    (work / CHECKPOINT).write_text("\n".join(text), encoding="utf-8")
    message = fails(verify(work, world.public))
    assert message.startswith("shade: verify: FAILED: ") and message.endswith("(checkpoint)")


def test_an_export_without_a_checkpoint_or_entries_is_one_line(
    world: World, tmp_path: Path
) -> None:
    work = copy(world.full, tmp_path)
    (work / CHECKPOINT).unlink()
    assert fails(verify(work, world.public)).endswith("(checkpoint)")
    (work / ENTRIES).unlink()
    assert "is " + str(work) + " an exported ledger?" in fails(verify(work, world.public))
    assert "does not exist" in usage_error(verify(tmp_path / "nothing", world.public))


# shade ledger verify: an older checkpoint


def test_an_older_checkpoint_of_the_same_log_is_extended(world: World, tmp_path: Path) -> None:
    kept = shutil.copy(world.early / CHECKPOINT, tmp_path / "kept")
    for export in (world.full, world.nato):
        done = verify(export, world.public, "--checkpoint", kept)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "ok: extends the older checkpoint of size 5"
    done = verify(world.full, world.public, "--checkpoint", world.full / CHECKPOINT)
    assert done.stdout.splitlines()[-1] == "ok: extends the older checkpoint of size 9"


def test_a_newer_checkpoint_than_the_export_is_inconsistent(world: World) -> None:
    done = verify(world.early, world.public, "--checkpoint", world.full / CHECKPOINT)
    line = fails(done)
    assert "older checkpoint holds 9 entries, more than the 5 here" in line
    assert line.endswith("(inconsistent)") and done.stdout == ""


def test_a_forked_history_is_inconsistent(world: World, tmp_path: Path) -> None:
    # The fork is signed with the same keys: it verifies alone...
    done = verify(world.fork, world.public)
    assert done.returncode == 0, done.stderr
    assert lines_of(world.fork) != lines_of(world.full)[:5]
    # ...but neither history extends the other's checkpoint.
    line = fails(verify(world.full, world.public, "--checkpoint", world.fork / CHECKPOINT))
    assert "the first 5 entries do not hash to the older checkpoint's root" in line
    assert line.endswith("(inconsistent)")
    line = fails(verify(world.fork, world.public, "--checkpoint", world.early / CHECKPOINT))
    assert line.endswith("(inconsistent)")


def test_an_older_checkpoint_not_the_logs_is_refused(world: World, tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.write_text((world.early / CHECKPOINT).read_text().replace("\n5\n", "\n4\n"))
    assert fails(verify(world.full, world.public, "--checkpoint", kept)).endswith(
        "(old_checkpoint)"
    )
    kept.write_text("not a checkpoint\n")
    assert fails(verify(world.full, world.public, "--checkpoint", kept)).endswith(
        "(old_checkpoint)"
    )


def test_an_older_checkpoint_that_is_not_text_is_one_line(world: World, tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.write_bytes(b"\xff\xfe\x00binary")
    fails(verify(world.full, world.public, "--checkpoint", kept))


# shade ledger verify: the keys file


def test_a_garbled_keys_file_is_one_line(world: World, tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    lines = key_lines(world.public)
    keys.write_text("# ours\n" + lines[0] + "\n" + lines[1][:-3] + "\n", encoding="utf-8")
    line = fails(verify(world.full, keys))
    assert line.startswith(f"shade: error: {keys}, line 3: ")
    keys.write_bytes(b"\xff\xfe")
    assert f"{keys}: not a text file of keys" in fails(verify(world.full, keys))
    key = world.keys / PARTY_KEYS / "nato.key"
    assert "private (signer) key" in fails(verify(world.full, key))
    assert "PRIVATE" not in fails(verify(world.full, key))
    assert "does not exist" in usage_error(verify(world.full, tmp_path / "missing.txt"))


def test_keys_that_lack_the_log_or_a_party_fail_verification(world: World, tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    lines = key_lines(world.public)
    keys.write_text("".join(f"{line}\n" for line in lines if not line.startswith(ORIGIN)))
    assert fails(verify(world.full, keys)).endswith(
        f"no key of the log {ORIGIN!r} among the keys given (checkpoint)"
    )
    keys.write_text("".join(f"{line}\n" for line in lines if not line.startswith("plan+")))
    line = fails(verify(world.full, keys))
    assert line.startswith("shade: verify: FAILED: entry 1: ") and line.endswith("(unknown_key)")
    # Another server's keys of the same names: nothing verifies.
    other = make_keys(tmp_path / "other")
    assert fails(verify(world.full, other / PUBLIC_KEYS)).endswith("(checkpoint)")


# shade ledger cosign


def test_cosign_adds_the_partys_cosignature(world: World, tmp_path: Path) -> None:
    work = copy(world.nato, tmp_path)
    before = (work / CHECKPOINT).read_text(encoding="utf-8")
    key = world.keys / PARTY_KEYS / "nato.key"
    started = int(time.time())
    done = shade("ledger", "cosign", work, "--key", key, "--keys", world.public)
    assert done.returncode == 0, done.stderr
    assert "cosigned size 9 as nato" in done.stderr
    after = (work / CHECKPOINT).read_text(encoding="utf-8")
    assert after == before + done.stdout and done.stdout.startswith("\u2014 nato ")
    opened = open_checkpoint(after, read_keyring(world.public))
    assert list(opened.cosigners) == ["nato"]
    assert started <= opened.cosigners["nato"] <= int(time.time())
    checked = verify(work, world.public)
    assert checked.returncode == 0 and "ok: cosigned by nato\n" in checked.stdout
    # Cosigning again replaces the party's cosignature; another party's is added.
    again = shade("ledger", "cosign", work, "--key", key, "--keys", world.public)
    assert again.returncode == 0, again.stderr
    plan = world.keys / PARTY_KEYS / "plan.key"
    assert shade("ledger", "cosign", work, "--key", plan, "--keys", world.public).returncode == 0
    names = [s.name for s in parse_note((work / CHECKPOINT).read_text()).signatures]
    assert names == [ORIGIN, "nato", "plan"]
    assert "ok: cosigned by nato, plan\n" in verify(work, world.public).stdout
    # The log itself untouched: the export's entries are those it had.
    assert (work / ENTRIES).read_bytes() == (world.nato / ENTRIES).read_bytes()


def test_cosign_refuses_an_export_that_does_not_verify(world: World, tmp_path: Path) -> None:
    work = copy(world.full, tmp_path)
    (work / ENTRIES).write_bytes(b"".join(line + b"\n" for line in flip_salt(lines_of(work))))
    before = (work / CHECKPOINT).read_bytes()
    key = world.keys / PARTY_KEYS / "nato.key"
    done = shade("ledger", "cosign", work, "--key", key, "--keys", world.public)
    line = fails(done)
    assert line.startswith("shade: cosign: refused: verification FAILED: entry 3: ")
    assert line.endswith("(bad_signature)") and done.stdout == ""
    assert (work / CHECKPOINT).read_bytes() == before
    # Nor one that does not extend the checkpoint the party cosigned last.
    fork = copy(world.fork, tmp_path, "fork")
    before = (fork / CHECKPOINT).read_bytes()
    done = shade("ledger", "cosign", fork, "--key", key, "--keys", world.public,
                 "--checkpoint", world.early / CHECKPOINT)  # fmt: skip
    assert fails(done).endswith("(inconsistent)") and done.stdout == ""
    assert (fork / CHECKPOINT).read_bytes() == before


def test_cosign_refuses_a_key_that_is_not_the_partys(world: World, tmp_path: Path) -> None:
    work = copy(world.full, tmp_path)
    before = (work / CHECKPOINT).read_bytes()
    stranger = tmp_path / "nato.key"
    stranger.write_text(SignerKey.generate("nato").text + "\n")
    done = shade("ledger", "cosign", work, "--key", stranger, "--keys", world.public)
    assert fails(done) == "shade: error: the keys file has no public key of 'nato' matching --key"
    unknown = tmp_path / "rn.key"
    unknown.write_text(SignerKey.generate("royal_navy").text + "\n")
    done = shade("ledger", "cosign", work, "--key", unknown, "--keys", world.public)
    assert "'royal_navy'" in fails(done)
    done = shade("ledger", "cosign", work, "--key", world.public, "--keys", world.public)
    assert "not a signer key" in fails(done)
    assert (work / CHECKPOINT).read_bytes() == before


def test_cosign_keeps_the_cosignature_in_the_store(store_url: str, tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "keys")
    with Store.open(store_url, passwords=Passwords(CHEAP)) as store:
        first_round(hotline(store, load_signers(keys)))
    export = tmp_path / "export"
    assert shade("ledger", "export", "--db", store_url, "--to", export).returncode == 0
    done = shade("ledger", "cosign", export, "--key", keys / PARTY_KEYS / "plan.key",
                 "--keys", keys / PUBLIC_KEYS, "--store", "--db", store_url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Store.open(store_url) as store:
        stored = store.ledger.checkpoint(5)
        assert stored is not None and stored.cosigners == ("plan",)
        assert stored.note == (export / CHECKPOINT).read_text(encoding="utf-8")
        assert stored.note.endswith(done.stdout)
        last = store.ledger.last_cosigned("plan")
        assert last is not None and last.size == 5
        audit = store.audit_log(action="ledger.cosign")
    assert [(e.actor, e.target, e.remote, e.detail) for e in audit] == [
        (f"cli:{getpass.getuser()}", "plan", "local", {"size": 5})
    ]
    # The next export carries it, and verifies as cosigned.
    again = tmp_path / "again"
    assert shade("ledger", "export", "--db", store_url, "--to", again).returncode == 0
    assert "ok: cosigned by plan\n" in verify(again, keys / PUBLIC_KEYS).stdout


def test_cosign_refuses_to_keep_a_cosignature_in_another_store(
    world: World, store_url: str, tmp_path: Path
) -> None:
    keys = world.keys
    with Store.open(store_url, passwords=Passwords(CHEAP)) as store:
        first_round(hotline(store, load_signers(keys)), text="another ledger")
    work = copy(world.early, tmp_path)
    done = shade("ledger", "cosign", work, "--key", keys / PARTY_KEYS / "plan.key",
                 "--keys", world.public, "--store", "--db", store_url)  # fmt: skip
    assert "this store holds no such checkpoint: not the same ledger" in done.stderr
    assert done.returncode == 1 and "Traceback" not in done.stderr
    with Store.open(store_url) as store:
        stored = store.ledger.checkpoint(5)
        assert stored is not None and stored.cosigners == ()
        assert store.audit_log(action="ledger.cosign") == []


def test_cosign_refused_by_the_store_leaves_the_export_as_it_was(
    world: World, store_url: str, tmp_path: Path
) -> None:
    with Store.open(store_url, passwords=Passwords(CHEAP)) as store:
        first_round(hotline(store, load_signers(world.keys)), text="another ledger")
    work = copy(world.early, tmp_path)
    before = (work / CHECKPOINT).read_bytes()
    done = shade("ledger", "cosign", work, "--key", world.keys / PARTY_KEYS / "plan.key",
                 "--keys", world.public, "--store", "--db", store_url)  # fmt: skip
    assert done.returncode == 1
    assert (work / CHECKPOINT).read_bytes() == before and done.stdout == ""
