"""An exported ledger: a directory any party can verify alone, with no server.

    entries.jsonl   every record, in log order, one per line (its canonical bytes, then a
                    newline): line N is entry N, and its bytes are Merkle leaf N
    checkpoint      the signed checkpoint of exactly those entries, with the cosignatures
                    the log holds

The verifier brings its own keys (``shade ledger verify DIR --keys FILE``): an export
never says whom to trust.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from shade.errors import InputError

ENTRIES: Final = "entries.jsonl"
CHECKPOINT: Final = "checkpoint"


def write_export(directory: Path, records: Iterable[bytes], checkpoint: str) -> int:
    """Write the export into ``directory`` (made if need be; it must not hold an export
    already). Returns the number of records written."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in (ENTRIES, CHECKPOINT):
        if (directory / name).exists():
            raise InputError(f"{directory / name} exists: export into a new directory")
    count = 0
    partial = directory / (ENTRIES + ".partial")
    with partial.open("wb") as out:
        for record in records:
            if b"\n" in record:
                raise ValueError("a record holds a newline")  # canonical JSON never does
            out.write(record + b"\n")
            count += 1
        out.flush()
        os.fsync(out.fileno())
    partial.replace(directory / ENTRIES)
    (directory / CHECKPOINT).write_text(checkpoint, encoding="utf-8")
    return count


def read_checkpoint(directory: Path) -> str:
    path = directory / CHECKPOINT
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def entries_path(directory: Path) -> Path:
    path = directory / ENTRIES
    if not path.is_file():
        raise InputError(f"{path}: no such file: is {directory} an exported ledger?")
    return path


def read_lines(path: Path) -> Iterator[bytes]:
    """Each line of the entries file without its newline (a last line without one too)."""
    with path.open("rb") as handle:
        for line in handle:
            yield line[:-1] if line.endswith(b"\n") else line
