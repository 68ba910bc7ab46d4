"""The keys directory a server keeps (``shade.ledger.signers``): log.key, parties/<id>.key
readable by the owner alone, public-keys.txt rewritten from them; keys never replaced,
keys that do not match their file refused."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from shade.ledger import (
    Entry,
    LedgerKeyError,
    SignerKey,
    Signers,
    generate_key,
    load_signers,
    parse_keyring,
    read_keyring,
    read_signer,
    sign_entry,
    verify_record,
)
from shade.ledger.entries import RecordError
from shade.ledger.signers import LOG_KEY, PARTY_KEYS, PUBLIC_KEYS, write_public_keys

ORIGIN = "shade.test/ledger"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def public_lines(directory: Path) -> list[str]:
    """The key lines of the public keys file (comments and blank lines left out)."""
    text = (directory / PUBLIC_KEYS).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_a_party_key_is_written_for_its_owner_alone_and_reads_back(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    key = generate_key(keys, "nato")
    path = keys / PARTY_KEYS / "nato.key"
    assert mode(path) == 0o600
    assert mode(keys / PARTY_KEYS) == 0o700
    read = read_signer(path)
    assert read.name == "nato" and read.verifier == key.verifier
    # The same private key: what one signs, the other's public key verifies.
    assert read.verifier.verify(key.sign(b"shade"), b"shade")
    assert not (keys / LOG_KEY).exists()


def test_the_log_key_is_log_key_and_named_as_the_origin(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    key = generate_key(keys, ORIGIN, log=True)
    assert mode(keys / LOG_KEY) == 0o600
    assert read_signer(keys / LOG_KEY).verifier == key.verifier
    assert not (keys / PARTY_KEYS).exists()
    signers = load_signers(keys)
    assert signers.log_key().verifier == key.verifier and signers.parties == {}


def test_the_public_keys_file_holds_every_key_and_no_private_one(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    made = [generate_key(keys, "plan"), generate_key(keys, ORIGIN, log=True)]
    made.append(generate_key(keys, "nato"))
    ring = read_keyring(keys / PUBLIC_KEYS)
    assert dict(ring) == {k.name: k.verifier for k in made}
    text = (keys / PUBLIC_KEYS).read_text(encoding="utf-8")
    assert "PRIVATE" not in text
    for key in made:  # no secret seed of any key in it
        seed = key.text.split("+", 4)[4]  # PRIVATE+KEY+NAME+ID+DATA
        assert seed not in text
    # It is the keyring of what load_signers finds: the log first, then the parties.
    assert public_lines(keys) == load_signers(keys).keyring().text.splitlines()
    assert public_lines(keys)[0].startswith(ORIGIN + "+")


def test_a_key_is_never_replaced(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    generate_key(keys, "nato")
    generate_key(keys, ORIGIN, log=True)
    party, log = (keys / PARTY_KEYS / "nato.key").read_bytes(), (keys / LOG_KEY).read_bytes()
    public = (keys / PUBLIC_KEYS).read_bytes()
    with pytest.raises(LedgerKeyError, match="never replaced"):
        generate_key(keys, "nato")
    with pytest.raises(LedgerKeyError, match="never replaced"):
        generate_key(keys, "another.log", log=True)  # one log key, whatever its name
    assert (keys / PARTY_KEYS / "nato.key").read_bytes() == party
    assert (keys / LOG_KEY).read_bytes() == log
    assert (keys / PUBLIC_KEYS).read_bytes() == public


@pytest.mark.parametrize("name", ["", "two words", "a+b", "tab\there", "new\nline"])
def test_a_bad_name_is_refused_before_anything_is_written(tmp_path: Path, name: str) -> None:
    keys = tmp_path / "keys"
    with pytest.raises(LedgerKeyError, match="party id") as raised:
        generate_key(keys, name)
    assert "\n" not in str(raised.value)  # one line, the name shown escaped
    with pytest.raises(LedgerKeyError, match="no spaces and no '\\+'"):
        generate_key(keys, name, log=True)
    assert not keys.exists()


def test_the_public_keys_file_is_rewritten_from_the_keys_held(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    generate_key(keys, "nato")
    generate_key(keys, "plan")
    # Spoiled by hand, and a key removed by hand: the next key made puts it right.
    (keys / PUBLIC_KEYS).write_text("garbage\n", encoding="utf-8")
    (keys / PARTY_KEYS / "plan.key").unlink()
    jmsdf = generate_key(keys, "jmsdf")
    ring = read_keyring(keys / PUBLIC_KEYS)
    assert sorted(ring) == ["jmsdf", "nato"] and ring["jmsdf"] == jmsdf.verifier
    (keys / PARTY_KEYS / "nato.key").unlink()
    write_public_keys(keys)
    assert list(read_keyring(keys / PUBLIC_KEYS)) == ["jmsdf"]


def test_loading_a_directory_that_is_not_there_holds_no_key(tmp_path: Path) -> None:
    signers = load_signers(tmp_path / "nothing")
    assert signers.log is None and signers.parties == {} and len(signers.keyring()) == 0
    with pytest.raises(LedgerKeyError, match=r"shade keys generate --party nato"):
        signers.party("nato")
    with pytest.raises(LedgerKeyError, match=r"shade keys generate --log"):
        signers.log_key()


def test_only_key_files_are_loaded(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    generate_key(keys, "nato")
    (keys / PARTY_KEYS / "notes.txt").write_text("not a key\n", encoding="utf-8")
    (keys / PARTY_KEYS / "plan.key.bak").write_text("not a key\n", encoding="utf-8")
    assert list(load_signers(keys).parties) == ["nato"]


def test_a_key_file_named_for_another_party_is_refused(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    generate_key(keys, "nato")
    (keys / PARTY_KEYS / "nato.key").rename(keys / PARTY_KEYS / "plan.key")
    with pytest.raises(LedgerKeyError, match=r"plan\.key: the key is named 'nato', not 'plan'"):
        load_signers(keys)


def test_a_spoiled_key_file_is_named_and_its_secret_never_shown(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    key = generate_key(keys, "nato")
    path = keys / PARTY_KEYS / "nato.key"
    *head, seed = key.text.split("+", 4)  # PRIVATE+KEY+NAME+ID+DATA
    prefix = "+".join(head)
    raw = bytearray(base64.b64decode(seed))
    raw[5] ^= 0xFF  # another private key: its id no longer matches
    other = base64.b64encode(bytes(raw)).decode()
    path.write_text(f"{prefix}+{other}\n", encoding="utf-8")
    with pytest.raises(LedgerKeyError) as raised:
        load_signers(keys)
    message = str(raised.value)
    assert str(path) in message and "key id does not match" in message
    assert seed not in message and other not in message and "\n" not in message
    path.write_bytes(b"\xff\xfe not text")
    with pytest.raises(LedgerKeyError, match="not a key file"):
        load_signers(keys)
    path.write_text(key.verifier.text + "\n", encoding="utf-8")  # a public key, not a signer
    with pytest.raises(LedgerKeyError, match="not a signer key"):
        load_signers(keys)


def test_entries_signed_with_generated_keys_verify_with_the_public_keys_file(
    tmp_path: Path,
) -> None:
    keys = tmp_path / "keys"
    generate_key(keys, "nato")
    generate_key(keys, "plan")
    generate_key(keys, ORIGIN, log=True)
    signers = load_signers(keys)
    ring = read_keyring(keys / PUBLIC_KEYS)
    body = {"text": "keep clear 请保持距离"}
    for seq, party in enumerate(("nato", "plan")):
        entry = Entry(seq, "hotline.message", party, f"{party}_watch", "2026-01-15T06:00:00Z", body)
        verify_record(sign_entry(entry, signers.party(party)), ring)
    # Another server's nato key, of the same name, is not the one in the file.
    stranger = Signers(parties={"nato": SignerKey.generate("nato")})
    entry = Entry(2, "hotline.message", "nato", "nato_watch", "2026-01-15T06:01:00Z", body)
    with pytest.raises(RecordError) as raised:
        verify_record(sign_entry(entry, stranger.party("nato")), ring)
    assert raised.value.reason == "unknown_key"


def test_two_directories_never_make_the_same_key(tmp_path: Path) -> None:
    one = generate_key(tmp_path / "a", "nato")
    two = generate_key(tmp_path / "b", "nato")
    assert one.verifier != two.verifier
    with pytest.raises(LedgerKeyError, match="two different keys named 'nato'"):
        parse_keyring(
            (tmp_path / "a" / PUBLIC_KEYS).read_text() + (tmp_path / "b" / PUBLIC_KEYS).read_text()
        )


def test_a_party_key_is_never_written_outside_parties(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    with pytest.raises(LedgerKeyError):
        generate_key(keys, "../evil")
    assert not (keys / "evil.key").exists()


def test_a_party_key_named_as_the_log_is_refused_and_nothing_written(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    generate_key(keys, "nato", log=True)
    with pytest.raises(LedgerKeyError):
        generate_key(keys, "nato")
    assert not (keys / PARTY_KEYS / "nato.key").exists()
    assert load_signers(keys).log is not None


def test_the_modes_hold_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        generate_key(tmp_path / "keys", "nato")
        generate_key(tmp_path / "keys", ORIGIN, log=True)
    finally:
        os.umask(old)
    assert mode(tmp_path / "keys" / PARTY_KEYS / "nato.key") == 0o600
    assert mode(tmp_path / "keys" / LOG_KEY) == 0o600
    assert mode(tmp_path / "keys" / PARTY_KEYS) == 0o700
