"""Framing of a whole block of lines at once: the fast lane of ``nmea``, as columns.

One compiled pattern takes the common sentence forms of a block in a single C-level pass,
NumPy verifies all their checksums at once, and the fields come out as columns. A line the
pattern does not take, or whose checksum or fragment numbers fail, is left to
``nmea.parse_sentence``, which says why: the two paths accept exactly the same sentences
with the same fields (``tests/ais/test_frames.py`` checks it on every recorded capture).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shade.ais.nmea import Sentence, TagBlock, parse_tag_block, trailing_fields

# A sentence as receivers usually write it; anything else falls to the other alternatives.
# Seq ids other than one digit, odd talkers or channels and invalid payload characters all
# go the slow way, which knows how to name what is wrong with them.
_LINE = re.compile(
    rb"^(?:\\([^\\\r\n]*)\\)?"  # tag block
    rb"!(([A-Z0-9=]{2})VD([MO]),([1-9]),([1-9]),([0-9]?),([A-Za-z0-9]?),([0-9:;<=>?@A-W`a-w]*),"
    rb"([0-5])(?:,[^,*\r\n]*)?)"  # body: talker ... fill, and the GoFree extra field
    rb"\*([0-9A-Fa-f]{2})([^\r\n]*?)[ \t\r]*$"  # checksum, receiver fields
    rb"|^([ \t\r\x0b\x0c]*[!\\][^\n]*)$"  # perhaps a sentence: the slow path decides
    rb"|^[^\n]*$",  # never a sentence (parse_sentence would say None): skipped
    re.MULTILINE,
)
_HEX = np.full(256, 0, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX[_c] = _i
    _HEX[bytes([_c]).lower()[0]] = _i

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(slots=True)
class Frames:
    """The sentences of a block that took the fast lane, as columns (``rows`` index them)."""

    lines: int  # lines in the block
    rows: IntArray  # line index of each fast sentence, ascending
    slow: IntArray  # line indices left to parse_sentence
    skipped: int  # lines that cannot be AIS sentences
    talker: list[str]
    own: list[bool]
    total: IntArray
    number: IntArray
    seq_id: list[bytes]
    channel: list[str]
    payload: list[bytes]
    fill: IntArray
    received_at: list[float | None]
    source: list[str | None]
    group: list[str | None]

    def sentence(self, k: int) -> Sentence:
        """The k-th fast sentence as ``nmea.parse_sentence`` would have given it."""
        return Sentence(
            self.talker[k],
            self.own[k],
            int(self.total[k]),
            int(self.number[k]),
            self.seq_id[k],
            self.channel[k],
            self.payload[k],
            int(self.fill[k]),
            self.received_at[k],
            self.source[k],
            self.group[k],
        )


def _xor_of_each(parts: tuple[bytes, ...]) -> npt.NDArray[np.uint8]:
    """The XOR of the bytes of each part, all at once."""
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    flat = np.frombuffer(b"".join(parts) + b"\0", dtype=np.uint8)
    starts = np.cumsum(lengths) - lengths
    # Every body is at least 15 bytes long, so reduceat never sees an empty segment.
    return np.bitwise_xor.reduceat(flat, starts)[: len(parts)]


def _digits(column: tuple[bytes, ...], rows: list[int]) -> IntArray:
    """One-digit fields of the given rows, as numbers."""
    joined = b"".join(map(column.__getitem__, rows))
    return (np.frombuffer(joined, dtype=np.uint8).astype(np.int64) - 48) if rows else _NONE


def frame_block(lines: list[bytes]) -> Frames:
    """Frame a block of lines (without line endings)."""
    found = _LINE.findall(b"\n".join(lines))
    if len(found) != len(lines):
        # A stray carriage return inside a line splits it differently: frame it all slowly.
        return _slow_only(np.arange(len(lines), dtype=np.int64))
    (tags, bodies, talkers, formatters, totals, numbers, seqs, channels, payloads, fills) = (
        columns := list(zip(*found, strict=True))
    )[:10]
    sums, rests, maybe = columns[10:]
    fast = np.flatnonzero(np.fromiter(map(bool, bodies), dtype=np.bool_, count=len(bodies)))
    maybe_rows = np.flatnonzero(np.fromiter(map(bool, maybe), dtype=np.bool_, count=len(maybe)))
    candidates = fast.tolist()
    pairs = np.frombuffer(b"".join(map(sums.__getitem__, candidates)), dtype=np.uint8)
    expected = (_HEX[pairs[0::2]] << 4) | _HEX[pairs[1::2]]
    good = (_xor_of_each(tuple(map(bodies.__getitem__, candidates))) == expected) & (
        _digits(numbers, candidates) <= _digits(totals, candidates)
    )
    rows = fast[good].tolist()
    received_at: list[float | None] = [None] * len(rows)
    source: list[str | None] = [None] * len(rows)
    group: list[str | None] = [None] * len(rows)
    broken: list[int] = []
    tag_cache: dict[bytes, TagBlock | None] = {}
    # Python only for the lines that carry a tag block or receiver fields.
    extra = np.fromiter(map(bool, tags), np.bool_, len(tags)) | np.fromiter(
        map(bool, rests), np.bool_, len(rests)
    )
    for k in np.flatnonzero(extra[rows]).tolist() if rows else ():
        i = rows[k]
        tag_text, rest = tags[i], rests[i]
        time = src = None
        if tag_text:
            tag = tag_cache.get(tag_text, _MISSING)
            if tag is _MISSING:
                tag = tag_cache[tag_text] = parse_tag_block(tag_text)
            if tag is None:
                broken.append(k)  # a broken tag block: the slow path names it
                continue
            assert isinstance(tag, TagBlock)
            time, src = tag.time, tag.source
            group[k] = tag.group[2] if tag.group is not None else None
        if rest:
            extra_time, extra_source = trailing_fields(rest)
            time = time if time is not None else extra_time
            src = src if src is not None else extra_source
        received_at[k], source[k] = time, src
    slow = set(maybe_rows.tolist()) | set(fast[~good].tolist())
    if broken:
        slow |= {rows[k] for k in broken}
        for k in reversed(broken):
            del rows[k], received_at[k], source[k], group[k]
    return Frames(
        lines=len(lines),
        rows=np.array(rows, dtype=np.int64),
        slow=np.array(sorted(slow), dtype=np.int64),
        skipped=len(lines) - len(fast) - len(maybe_rows),
        talker=list(map(_TEXT.__getitem__, map(talkers.__getitem__, rows))),
        own=list(map(_OWN.__getitem__, map(formatters.__getitem__, rows))),
        total=_digits(totals, rows),
        number=_digits(numbers, rows),
        seq_id=list(map(seqs.__getitem__, rows)),
        channel=list(map(_TEXT.__getitem__, map(channels.__getitem__, rows))),
        payload=list(map(payloads.__getitem__, rows)),
        fill=_digits(fills, rows),
        received_at=received_at,
        source=source,
        group=group,
    )


# Every talker and channel the pattern admits, as text: looked up, not decoded, per line.
_TALKER_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789="
_TEXT = {(a + b).encode(): a + b for a in _TALKER_CHARS for b in _TALKER_CHARS} | {
    c.encode(): c for c in _TALKER_CHARS + "abcdefghijklmnopqrstuvwxyz"
}
_TEXT[b""] = ""
_OWN = {b"M": False, b"O": True}
_NONE = np.zeros(0, dtype=np.int64)
_MISSING = TagBlock()


def _slow_only(everything: IntArray) -> Frames:
    none = _NONE
    return Frames(
        len(everything), none, everything, 0, [], [], none, none, [], [], [], none, [], [], []
    )
