"""Capture files as sources of lines: plain or gzip (told by content, not name), or stdin.

A ``Capture`` yields raw lines in blocks of bounded size, so memory stays flat whatever the
file's size, and tells how far through the file it is, for progress bars.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from shade.errors import InputError, NotFoundError

_GZIP_MAGIC = b"\x1f\x8b"
_BLOCK_BYTES = 1 << 20


class Capture:
    """An open capture; use as a context manager."""

    def __init__(self, path: str) -> None:
        self.name = "<stdin>" if path == "-" else path
        self.size: int | None = None
        self._raw: BinaryIO
        if path == "-":
            self._raw = sys.stdin.buffer
        else:
            file = Path(path)
            if not file.exists():
                raise NotFoundError(f"{path}: no such file")
            if file.is_dir():
                raise InputError(f"{path}: is a directory, not a capture file")
            try:
                self._raw = file.open("rb")
            except OSError as exc:
                raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
            self.size = file.stat().st_size
        head = self._raw.peek(2)[:2] if isinstance(self._raw, io.BufferedReader) else b""
        self._stream: BinaryIO | gzip.GzipFile = (
            gzip.GzipFile(fileobj=self._raw, mode="rb") if head == _GZIP_MAGIC else self._raw
        )

    def __enter__(self) -> Capture:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._raw is not sys.stdin.buffer:
            self._raw.close()

    @property
    def position(self) -> int:
        """Bytes of the file (compressed bytes for gzip) read so far."""
        try:
            return self._raw.tell()
        except OSError:
            return 0

    def blocks(self) -> Iterator[list[bytes]]:
        """Lines, in lists of about a megabyte; a partial last line is kept, not lost."""
        rest = b""
        try:
            while True:
                chunk = self._stream.read(_BLOCK_BYTES)
                if not chunk:
                    break
                lines = (rest + chunk).split(b"\n")
                rest = lines.pop()
                yield lines
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{self.name}: cannot be read to the end ({exc})") from None
        if rest:
            yield [rest]

    def lines(self) -> Iterator[bytes]:
        for block in self.blocks():
            yield from block
