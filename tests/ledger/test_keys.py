"""Keys and signed notes in the C2SP / Go ``note`` forms, checked against the reference
implementation's published example (golang.org/x/mod/sumdb/note) byte for byte."""

from __future__ import annotations

import base64
import hashlib
import struct
from pathlib import Path

import pytest

from shade.ledger.keys import (
    KeyRing,
    LedgerKeyError,
    SignerKey,
    parse_keyring,
    parse_signer,
    parse_verifier,
    read_keyring,
)
from shade.ledger.notes import (
    NoteError,
    cosign,
    cosignature_time,
    parse_note,
    sign,
    verify,
    verify_cosignature,
)

# The example of the Go note package's documentation.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
    "fqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_the_reference_keys_read_and_write_back_the_same() -> None:
    verifier = parse_verifier(GO_VKEY)
    signer = parse_signer(GO_SKEY)
    assert verifier.name == "PeterNeumann"
    assert verifier.id().hex() == "c74f20a3"
    assert signer.verifier == verifier
    assert verifier.text == GO_VKEY
    assert signer.text == GO_SKEY
    assert "AYEK" not in repr(signer)  # a signer key never shows itself


def test_a_note_signed_with_the_reference_key_is_the_reference_note() -> None:
    signer = parse_signer(GO_SKEY)
    signature = sign(GO_TEXT, signer)
    assert parse_note(GO_NOTE).signatures == (signature,)
    assert parse_note(GO_NOTE).encoded == GO_NOTE
    assert verify(GO_TEXT, signature, parse_verifier(GO_VKEY))
    assert not verify(GO_TEXT.replace("you", "we"), signature, parse_verifier(GO_VKEY))


def test_a_cosignature_is_timestamped_with_key_id_type_4() -> None:
    key = SignerKey.generate("witness.example/w1")
    text = "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    line = cosign(text, key, 1679315147)
    public = key.verifier.public
    assert line.key_id == hashlib.sha256(b"witness.example/w1\n\x04" + public).digest()[:4]
    assert line.data[:8] == struct.pack(">Q", 1679315147)
    assert cosignature_time(line) == 1679315147
    message = b"cosignature/v1\ntime 1679315147\n" + text.encode()
    assert key.verifier.verify(line.data[8:], message)
    assert verify_cosignature(text, line, key.verifier)
    assert not verify_cosignature(text.replace("2085", "2086"), line, key.verifier)
    assert not verify(text, line, key.verifier)  # not an Ed25519 note signature


@pytest.mark.parametrize(
    "text",
    [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),  # the id is not that of the key
        "PeterNeumann+c74f20a3",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # not Ed25519
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",  # too short
        "PeterNeumann+c74f20a3+!!!!",
        GO_SKEY,  # a private key where a public one is wanted
    ],
)
def test_a_bad_verifier_key_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(LedgerKeyError) as raised:
        parse_verifier(text)
    assert "\n" not in raised.value.message
    assert "AYEK" not in raised.value.message


def test_a_mangled_signer_key_is_refused() -> None:
    for bad in (GO_SKEY[:-4], GO_SKEY.replace("c74f20a3", "00000000"), GO_VKEY, "PRIVATE+KEY+"):
        with pytest.raises(LedgerKeyError):
            parse_signer(bad)


def test_a_keys_file_skips_comments_names_the_bad_line_and_refuses_two_keys_of_one_name(
    tmp_path: Path,
) -> None:
    other = SignerKey.generate("PeterNeumann").verifier
    path = tmp_path / "keys.txt"
    path.write_text(f"# ours\n\n{GO_VKEY}\n")
    assert list(read_keyring(path)) == ["PeterNeumann"]
    path.write_text(f"{GO_VKEY}\nnot a key\n")
    with pytest.raises(LedgerKeyError, match="line 2"):
        read_keyring(path)
    with pytest.raises(LedgerKeyError, match="two different keys"):
        parse_keyring(f"{GO_VKEY}\n{other.text}\n")
    with pytest.raises(LedgerKeyError, match="No such file"):
        read_keyring(tmp_path / "missing.txt")
    assert parse_keyring(KeyRing([other]).text) == KeyRing([other])


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,  # no signatures
        GO_TEXT + "\n",
        GO_NOTE.replace("— ", "- "),
        GO_NOTE.replace("x08go", "x08g"),  # not base64
        GO_NOTE[:-1],  # no final newline
        GO_NOTE.replace("problem,", "problem,\x07"),  # a control character
        GO_TEXT + "\n— PeterNeumann AAAA\n",  # too short to hold a key id and a signature
    ],
)
def test_a_malformed_note_is_refused(note: str) -> None:
    with pytest.raises(NoteError):
        parse_note(note)


def test_signatures_replace_those_of_the_same_key() -> None:
    key = parse_signer(GO_SKEY)
    note = parse_note(GO_NOTE)
    again = note.with_signature(sign(GO_TEXT, key))
    assert again.signatures == note.signatures
    witness = SignerKey.generate("w")
    both = again.with_signature(cosign(GO_TEXT, witness, 5))
    assert [s.name for s in both.signatures] == ["PeterNeumann", "w"]
    assert base64.b64decode(both.encoded.splitlines()[-1].split()[-1])[:4] == witness.verifier.id(4)
