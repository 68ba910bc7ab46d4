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

# A sentence as receivers usually write it; anything else falls to the last alternative.
# Seq ids other than one digit, odd talkers and invalid payload characters all go the slow
# way, which knows how to name what is wrong with them.
_LINE = re.compile(
    rb"^(?:\\([^\\\r\n]*)\\)?"  # tag block
    rb"!([A-Z0-9=]{2}VD[MO],([1-9]),([1-9]),([0-9]?),([^,*\r\n]*),([0-9:;<=>?@A-W`a-w]*),"
    rb"([0-5])(?:,[^,*\r\n]*)?)"  # body: talker ... fill, and the GoFree extra field
    rb"\*([0-9A-Fa-f]{2})([^\r\n]*?)[ \t\r]*$"  # checksum, receiver fields
    rb"|^([^\n]*)$",
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
    everything = np.arange(len(lines), dtype=np.int64)
    found = _LINE.findall(b"\n".join(lines))
    if len(found) != len(lines):
        # A stray carriage return inside a line splits it differently: frame it all slowly.
        return _slow_only(everything)
    (tags, bodies, totals, numbers, seqs, channels, payloads, fills, sums, rests, _) = zip(
        *found, strict=True
    )
    fast = np.flatnonzero(np.fromiter(map(bool, bodies), dtype=np.bool_, count=len(bodies)))
    if not len(fast):
        return _slow_only(everything)
    candidates = fast.tolist()
    pairs = np.frombuffer(b"".join(map(sums.__getitem__, candidates)), dtype=np.uint8)
    pairs = pairs.reshape(-1, 2)
    expected = (_HEX[pairs[:, 0]] << 4) | _HEX[pairs[:, 1]]
    good = (_xor_of_each(tuple(map(bodies.__getitem__, candidates))) == expected) & (
        _digits(numbers, candidates) <= _digits(totals, candidates)
    )

    rows: list[int] = []
    received_at: list[float | None] = []
    source: list[str | None] = []
    group: list[str | None] = []
    tag_cache: dict[bytes, TagBlock | None] = {}
    for i in fast[good].tolist():
        time = src = grp = None
        tag_text = tags[i]
        if tag_text:
            tag = tag_cache.get(tag_text, _MISSING)
            if tag is _MISSING:
                tag = tag_cache[tag_text] = parse_tag_block(tag_text)
            if tag is None:
                continue  # a broken tag block: the slow path names it
            assert isinstance(tag, TagBlock)
            time, src = tag.time, tag.source
            grp = tag.group[2] if tag.group is not None else None
        if rests[i]:
            extra_time, extra_source = trailing_fields(rests[i])
            time = time if time is not None else extra_time
            src = src if src is not None else extra_source
        rows.append(i)
        received_at.append(time)
        source.append(src)
        group.append(grp)
    slow = np.ones(len(lines), dtype=np.bool_)
    slow[rows] = False
    return Frames(
        lines=len(lines),
        rows=np.array(rows, dtype=np.int64),
        slow=np.flatnonzero(slow),
        talker=[bodies[i][:2].decode("ascii") for i in rows],
        own=[bodies[i][4:5] == b"O" for i in rows],
        total=_digits(totals, rows),
        number=_digits(numbers, rows),
        seq_id=list(map(seqs.__getitem__, rows)),
        channel=[channels[i].decode("ascii") for i in rows],
        payload=list(map(payloads.__getitem__, rows)),
        fill=_digits(fills, rows),
        received_at=received_at,
        source=source,
        group=group,
    )


_NONE = np.zeros(0, dtype=np.int64)
_MISSING = TagBlock()


def _slow_only(everything: IntArray) -> Frames:
    return Frames(
        len(everything), _NONE, everything, [], [], _NONE, _NONE, [], [], [], _NONE, [], [], []
    )
