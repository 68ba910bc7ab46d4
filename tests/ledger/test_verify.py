"""The offline verifier: a good export verifies; any tampering is found and the first bad
entry named, with the right reason, every time (mutation tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.ledger import SignerKey, add_cosignature, parse_note, sign_entry, verify_export
from shade.ledger.export import CHECKPOINT, ENTRIES, write_export
from tests.ledger.build import Keys, checkpoint_of, entry, export, keys, records

ENTRY_REASONS = {"malformed", "out_of_place", "unknown_key", "bad_signature"}


@pytest.fixture(scope="module")
def k() -> Keys:
    return keys()


def test_a_good_export_verifies(tmp_path: Path, k: Keys) -> None:
    recs = records(k, 25)
    report = verify_export(export(tmp_path, k, recs), k.ring)
    assert report.ok, report.fault
    assert report.entries == 25
    assert report.by_party == {"nato": 16, "plan": 9}
    assert report.checkpoint is not None and report.checkpoint.size == 25


def test_an_empty_log_verifies(tmp_path: Path, k: Keys) -> None:
    report = verify_export(export(tmp_path, k, []), k.ring)
    assert report.ok and report.entries == 0


def test_an_export_is_never_written_over(tmp_path: Path, k: Keys) -> None:
    export(tmp_path, k, records(k, 2))
    with pytest.raises(Exception, match="exists"):
        write_export(tmp_path, [], checkpoint_of(k, []))


def copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_every_single_byte_changed_in_the_entries_is_found_at_its_entry(
    tmp_path: Path, k: Keys
) -> None:
    recs = records(k, 6)
    good = export(tmp_path / "good", k, recs)
    data = (good / ENTRIES).read_bytes()
    ends = []  # the offset of each line's newline
    for index, byte in enumerate(data):
        if byte == 0x0A:
            ends.append(index)
    for offset in range(len(data)):
        work = copy(good, tmp_path / f"m{offset}")
        changed = bytearray(data)
        changed[offset] ^= 0x01 if data[offset] != 0x0B else 0x02  # never make a newline
        (work / ENTRIES).write_bytes(bytes(changed))
        report = verify_export(work, k.ring)
        assert not report.ok, offset
        line = sum(1 for end in ends if end < offset)
        assert report.fault is not None
        if data[offset] == 0x0A:
            # The newline after entry `line`: two entries merge into one bad line.
            assert (report.fault.entry, report.fault.reason) == (line, "malformed"), offset
        else:
            assert report.fault.entry == line, (offset, report.fault)
            assert report.fault.reason in ENTRY_REASONS, (offset, report.fault)
        shutil.rmtree(work)


def test_every_single_byte_changed_in_the_checkpoint_is_found(tmp_path: Path, k: Keys) -> None:
    good = export(tmp_path / "good", k, records(k, 5))
    text = (good / CHECKPOINT).read_bytes()
    for offset in range(len(text)):
        work = copy(good, tmp_path / f"c{offset}")
        changed = bytearray(text)
        changed[offset] ^= 0x01
        (work / CHECKPOINT).write_bytes(bytes(changed))
        report = verify_export(work, k.ring)
        assert report.fault is not None, offset
        assert report.fault.reason in {"checkpoint", "checkpoint_size", "checkpoint_root"}, (
            offset,
            report.fault,
        )
        shutil.rmtree(work)


@pytest.mark.parametrize("removed", [0, 1, 4, 7])
def test_an_entry_removed_is_named(tmp_path: Path, k: Keys, removed: int) -> None:
    recs = records(k, 8)
    # The entries without one, beside the checkpoint the log signed over all eight.
    kept = recs[:removed] + recs[removed + 1 :]
    write_export(tmp_path, [r.data for r in kept], checkpoint_of(k, recs))
    report = verify_export(tmp_path, k.ring)
    assert report.fault is not None
    if removed == 7:
        assert (report.fault.reason, report.fault.entry) == ("checkpoint_size", 7)
    else:
        assert (report.fault.reason, report.fault.entry) == ("out_of_place", removed)
        assert "missing" in report.fault.message


@pytest.mark.parametrize(("a", "b"), [(0, 1), (2, 5), (6, 7)])
def test_two_entries_swapped_are_named(tmp_path: Path, k: Keys, a: int, b: int) -> None:
    recs = records(k, 8)
    recs[a], recs[b] = recs[b], recs[a]
    report = verify_export(export(tmp_path, k, recs), k.ring)
    assert report.fault is not None
    assert (report.fault.reason, report.fault.entry) == ("out_of_place", a)


def test_an_entry_added_twice_is_named(tmp_path: Path, k: Keys) -> None:
    recs = records(k, 5)
    report = verify_export(export(tmp_path, k, [*recs[:3], recs[2], *recs[3:]]), k.ring)
    assert report.fault is not None
    assert (report.fault.reason, report.fault.entry) == ("out_of_place", 3)


def test_an_entry_signed_with_the_wrong_key_is_named(tmp_path: Path, k: Keys) -> None:
    recs = records(k, 5)
    recs[3] = sign_entry(entry(3, "nato"), SignerKey.generate("nato"))
    report = verify_export(export(tmp_path, k, recs), k.ring)
    assert report.fault is not None
    assert (report.fault.reason, report.fault.entry) == ("unknown_key", 3)


def test_a_party_whose_key_the_verifier_lacks_is_unknown(tmp_path: Path, k: Keys) -> None:
    good = export(tmp_path, k, records(k, 3))
    ring = {name: key for name, key in k.ring.items() if name != "plan"}
    report = verify_export(good, ring)
    assert report.fault is not None
    assert (report.fault.reason, report.fault.entry) == ("unknown_key", 0)


def test_a_checkpoint_by_another_log_key_or_none_is_refused(tmp_path: Path, k: Keys) -> None:
    recs = records(k, 3)
    other = Keys(SignerKey.generate(k.log.name), k.nato, k.plan)
    report = verify_export(export(tmp_path / "a", other, recs), k.ring)
    assert report.fault is not None and report.fault.reason == "checkpoint"
    assert "not signed by the log" in report.fault.message
    ring = {name: key for name, key in k.ring.items() if name != k.log.name}
    report = verify_export(export(tmp_path / "b", k, recs), ring)
    assert report.fault is not None and "no key of the log" in report.fault.message


def test_entries_that_do_not_hash_to_the_checkpoint_are_refused(tmp_path: Path, k: Keys) -> None:
    recs = records(k, 4)
    directory = export(tmp_path, k, recs)
    # The same number of entries, all well signed, but not those the checkpoint covers.
    (directory / ENTRIES).write_bytes(b"".join(r.data + b"\n" for r in records(k, 4, salt="x")))
    report = verify_export(directory, k.ring)
    assert report.fault is not None and report.fault.reason == "checkpoint_root"


def test_consistency_with_an_older_checkpoint(tmp_path: Path, k: Keys) -> None:
    recs = records(k, 12)
    older = checkpoint_of(k, recs[:7])
    report = verify_export(export(tmp_path / "now", k, recs), k.ring, older)
    assert report.ok, report.fault
    assert report.older is not None and report.older.size == 7
    # The same size is consistent with itself.
    assert verify_export(tmp_path / "now", k.ring, checkpoint_of(k, recs)).ok


def test_a_forked_history_is_inconsistent_with_the_checkpoint_a_party_kept(
    tmp_path: Path, k: Keys
) -> None:
    recs = records(k, 10)
    kept = checkpoint_of(k, recs[:6])
    # The log rewrites entry 4 and signs the new history: everything verifies on its own...
    forked = [*recs[:4], *records(k, 6, start=4, salt="rewritten")]
    directory = export(tmp_path, k, forked)
    assert verify_export(directory, k.ring).ok
    # ...but not against the checkpoint the party kept.
    report = verify_export(directory, k.ring, kept)
    assert report.fault is not None and report.fault.reason == "inconsistent"
    assert "rewritten" in report.fault.message


def test_a_log_that_shrank_is_inconsistent(tmp_path: Path, k: Keys) -> None:
    recs = records(k, 6)
    report = verify_export(export(tmp_path, k, recs[:4]), k.ring, checkpoint_of(k, recs))
    assert report.fault is not None and report.fault.reason == "inconsistent"


def test_an_older_checkpoint_not_signed_by_the_log_is_refused(tmp_path: Path, k: Keys) -> None:
    recs = records(k, 4)
    forged = checkpoint_of(Keys(SignerKey.generate(k.log.name), k.nato, k.plan), recs[:2])
    report = verify_export(export(tmp_path, k, recs), k.ring, forged)
    assert report.fault is not None and report.fault.reason == "old_checkpoint"


def test_cosignatures_are_reported_and_a_bad_one_spoils_the_checkpoint(
    tmp_path: Path, k: Keys
) -> None:
    recs = records(k, 3)
    note = parse_note(checkpoint_of(k, recs))
    note = add_cosignature(add_cosignature(note, k.nato, 1_700_000_000), k.plan, 1_700_000_100)
    directory = tmp_path / "ok"
    write_export(directory, [r.data for r in recs], note.encoded)
    report = verify_export(directory, k.ring)
    assert report.ok and report.cosigners == {"nato": 1_700_000_000, "plan": 1_700_000_100}
    # A cosignature from a key the verifier does not know is ignored, as notes say.
    stranger = add_cosignature(note, SignerKey.generate("stranger"), 5)
    write_export(tmp_path / "stranger", [r.data for r in recs], stranger.encoded)
    assert verify_export(tmp_path / "stranger", k.ring).ok
    # One by a known key that does not verify spoils the note.
    bad = add_cosignature(parse_note(checkpoint_of(k, records(k, 2))), k.nato, 7)
    spoiled = note.with_signature(bad.signatures[-1])
    write_export(tmp_path / "bad", [r.data for r in recs], spoiled.encoded)
    report = verify_export(tmp_path / "bad", k.ring)
    assert report.fault is not None and "cosignature of 'nato'" in report.fault.message


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=70), st.data())
def test_append_export_verify_for_random_sizes(size: int, data: st.DataObject) -> None:
    import tempfile

    k = keys()
    recs = records(k, size)
    old = data.draw(st.integers(min_value=0, max_value=size))
    with tempfile.TemporaryDirectory() as work:
        directory = export(Path(work), k, recs)
        report = verify_export(directory, k.ring, checkpoint_of(k, recs[:old]))
        assert report.ok, report.fault
        assert report.entries == size


def test_an_export_for_one_party_checks_the_tree_over_what_it_may_not_read(
    tmp_path: Path, k: Keys
) -> None:
    from shade.ledger.entries import redacted

    recs = records(k, 9)
    lines = [r.data if r.entry.party == "nato" else redacted(r.entry.seq, r.leaf) for r in recs]
    write_export(tmp_path / "nato", lines, checkpoint_of(k, recs))
    report = verify_export(tmp_path / "nato", k.ring)
    assert report.ok, report.fault
    assert (report.entries, report.redacted, report.by_party["nato"]) == (9, 3, 6)
    # A redacted line with a leaf hash that is not the entry's: the root gives it away.
    lines[0] = redacted(0, recs[1].leaf)
    write_export(tmp_path / "forged", lines, checkpoint_of(k, recs))
    report = verify_export(tmp_path / "forged", k.ring)
    assert report.fault is not None and report.fault.reason == "checkpoint_root"
    lines[0] = redacted(1, recs[0].leaf)
    write_export(tmp_path / "moved", lines, checkpoint_of(k, recs))
    report = verify_export(tmp_path / "moved", k.ring)
    assert report.fault is not None
    assert (report.fault.reason, report.fault.entry) == ("out_of_place", 0)
