"""``shade keys`` and ``shade ledger``: the ledger's keys, its export, and the offline
verifier that needs no server and no database."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from shade.cli.history import db_option
from shade.cli.options import default_keys_dir
from shade.errors import InputError

_EXPORT = click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))


def _file_option(
    name: str, dest: str, help: str, required: bool = False
) -> Callable[[click.decorators.FC], click.decorators.FC]:
    return click.option(
        name,
        dest,
        required=required,
        metavar="FILE",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help=help,
    )


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a {what} (not UTF-8 text)") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


@click.group()
def keys() -> None:
    """The ledger's keys: the log's (signs checkpoints) and each hosted party's (signs its
    entries and cosigns checkpoints).

    \b
    Examples:
      shade keys generate --log shade.example.org/ledger
      shade keys generate --party nato
      shade keys list            the public keys to hand to the other parties
    """


@keys.command("generate")
@click.option("--party", metavar="ID", help="A party's key (its id, as in the parties file).")
@click.option("--log", "origin", metavar="ORIGIN", help="The log's key, named as its origin.")
@click.option(
    "--dir",
    "directory",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="The keys directory (default: keys/ in your data directory).",
)
def generate(party: str | None, origin: str | None, directory: Path | None) -> None:
    """Make a new key (never replacing one) and print its public key.

    The signer key is written readable by you alone; DIR/public-keys.txt, rewritten, holds
    the public keys of every key in DIR: the file the other parties verify with.
    """
    from shade.ledger import generate_key
    from shade.ledger.signers import PUBLIC_KEYS

    if (party is None) == (origin is None):
        raise click.UsageError("give one of --party ID or --log ORIGIN")
    where = directory or Path(default_keys_dir())
    name = party if party is not None else origin
    assert name is not None
    key = generate_key(where, name, log=origin is not None)
    click.echo(key.verifier.text)
    click.echo(f"shade: key {name!r} in {where}; public keys in {where / PUBLIC_KEYS}", err=True)


@keys.command("list")
@click.option(
    "--dir",
    "directory",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="The keys directory (default: keys/ in your data directory).",
)
def list_keys(directory: Path | None) -> None:
    """Print the public key of every key held in DIR, one per line."""
    from shade.ledger import load_signers

    where = directory or Path(default_keys_dir())
    if not where.is_dir():
        raise InputError(f"{where}: no keys directory (shade keys generate makes one)")
    click.echo(load_signers(where).keyring().text, nl=False)


@click.group()
def ledger() -> None:
    """The signed record of the hotline: export it, verify it offline, cosign it.

    \b
    Examples:
      shade ledger export --to record/                   every entry (the server's view)
      shade ledger export --to record/ --party plan      what the PLA Navy may read
      shade ledger verify record/ --keys public-keys.txt
      shade ledger verify record/ --keys public-keys.txt --checkpoint kept-checkpoint
      shade ledger cosign record/ --key plan.key         vouch for it, as a witness
    """


@ledger.command("export")
@db_option
@click.option(
    "--to",
    "target",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="A new (or empty) directory.",
)
@click.option(
    "--party",
    metavar="ID",
    help="Export as this party may read it: the entries of other parties' channels as "
    "their leaf hashes only (the tree still verifies).",
)
def export(db: str | None, target: Path, party: str | None) -> None:
    """Write the ledger as of its latest checkpoint: entries.jsonl and checkpoint."""
    from shade.cli.history import open_store
    from shade.ledger.export import write_export

    with open_store(db) as store:
        checkpoint = store.ledger.checkpoint()
        if checkpoint is None:
            raise InputError("the ledger is empty: nothing has been signed yet")
        redacted = 0

        def lines() -> Iterator[bytes]:
            nonlocal redacted
            for _, line, readable in store.ledger.lines(party, 0, checkpoint.size):
                redacted += not readable
                yield line

        count = write_export(target, lines(), checkpoint.note)
    if party is not None and redacted == count and count:
        click.echo(
            f"shade: note: party {party!r} may read no entry (is it in a channel?)", err=True
        )
    hidden = f", {redacted:,} as leaf hashes only" if party else ""
    click.echo(
        f"shade: {count:,} entries{hidden}, checkpoint of size {checkpoint.size:,}, in {target}",
        err=True,
    )


@ledger.command("verify")
@_EXPORT
@_file_option(
    "--keys",
    "keys_path",
    "The public keys you trust: the log's and the parties' (one per line).",
    required=True,
)
@_file_option(
    "--checkpoint", "older", "A checkpoint you kept from before: the export must extend it."
)
def verify(directory: Path, keys_path: Path, older: Path | None) -> None:
    """Check an exported ledger alone: every entry's signature, every hash, the
    checkpoint's signature and cosignatures, and consistency with an older checkpoint.

    Exit status 0 when all of it holds; 1 naming the first bad entry and why.
    """
    from shade.ledger import read_keyring, verify_export
    from shade.ledger.export import entries_path

    ring = read_keyring(keys_path)
    old = _read_text(older, "checkpoint") if older is not None else None
    total = entries_path(directory).stat().st_size
    started = time.monotonic()
    with click.progressbar(
        length=total,
        label="verifying",
        file=sys.stderr,
        hidden=not sys.stderr.isatty() or total < 1 << 20,
    ) as bar:
        done = [0]

        def progress(read: int) -> None:
            bar.update(read - done[0])
            done[0] = read

        report = verify_export(directory, ring, old, progress)
    took = time.monotonic() - started
    if report.fault is not None:
        click.echo(f"shade: verify: FAILED: {report.fault}", err=True)
        sys.exit(1)
    assert report.checkpoint is not None
    checkpoint = report.checkpoint
    parties = ", ".join(f"{p} {n:,}" for p, n in sorted(report.by_party.items())) or "none"
    click.echo(f"ok: {report.entries:,} entries ({parties}", nl=False)
    click.echo(f"; {report.redacted:,} seen as leaf hashes only)" if report.redacted else ")")
    click.echo(
        f"ok: every signature and hash; root {checkpoint.root.hex()[:16]}... of "
        f"size {checkpoint.size:,} signed by the log {checkpoint.origin}"
    )
    if report.cosigners:
        click.echo(f"ok: cosigned by {', '.join(sorted(report.cosigners))}")
    if report.older is not None:
        click.echo(f"ok: extends the older checkpoint of size {report.older.size:,}")
    click.echo(f"shade: verified in {took:.1f} s", err=True)


@ledger.command("cosign")
@_EXPORT
@_file_option("--key", "key_path", "Your party's signer key.", required=True)
@_file_option(
    "--keys", "keys_path", "The public keys you trust (the log's among them).", required=True
)
@_file_option(
    "--checkpoint", "older", "The last checkpoint you cosigned: the export must extend it."
)
@db_option
@click.option("--store", "keep", is_flag=True, help="Also keep the cosignature in --db.")
def cosign(
    directory: Path,
    key_path: Path,
    keys_path: Path,
    older: Path | None,
    db: str | None,
    keep: bool,
) -> None:
    """Verify the export as `shade ledger verify` does, then cosign its checkpoint.

    The cosigned checkpoint replaces DIR/checkpoint, and the signature line is printed:
    keep the checkpoint, to check the next export against it (--checkpoint).
    """
    from shade.cli.accounts import REMOTE, actor
    from shade.cli.history import open_store
    from shade.ledger import add_cosignature, read_keyring, read_signer, verify_export
    from shade.ledger.export import CHECKPOINT, read_checkpoint
    from shade.ledger.notes import parse_note

    key = read_signer(key_path)
    ring = read_keyring(keys_path)
    if ring.get(key.name) != key.verifier:
        raise InputError(f"the keys file has no public key of {key.name!r} matching --key")
    old = _read_text(older, "checkpoint") if older is not None else None
    report = verify_export(directory, ring, old)
    if report.fault is not None:
        click.echo(f"shade: cosign: refused: verification FAILED: {report.fault}", err=True)
        sys.exit(1)
    assert report.checkpoint is not None
    if key.name == report.checkpoint.origin:
        raise InputError("that is the log's own key: a witness cosigns with a party's key")
    now = int(time.time())
    note = add_cosignature(parse_note(read_checkpoint(directory)), key, now)
    line = note.signatures[-1].line
    if keep:
        from datetime import UTC, datetime

        # The store first: a refusal there leaves the export as it was.
        with open_store(db) as store:
            stored = store.ledger.checkpoint(report.checkpoint.size)
            if stored is None or stored.root != report.checkpoint.root:
                raise InputError("this store holds no such checkpoint: not the same ledger")
            at = datetime.fromtimestamp(now, UTC)
            store.ledger.add_cosignature(
                report.checkpoint.size, key.name, line, at, actor=actor(), remote=REMOTE
            )
    (directory / CHECKPOINT).write_text(note.encoded, encoding="utf-8")
    click.echo(line, nl=False)
    click.echo(f"shade: cosigned size {report.checkpoint.size:,} as {key.name}", err=True)
