"""Framing of a whole block of lines at once: the fast lane of ``nmea``, as columns.

This module owns block framing, for the decoder and for ``positions`` alike. The lines are
joined into one buffer and the usual sentence, ``[\\tag block\\]!ccVDM,t,n,[s],[c],payload,
f[,x]*hh[receiver fields]``, is read for all of them at once: every field sits at a fixed
offset from the ``!`` up to the payload, whose end is the first byte after it outside the
payload armour, so a handful of gathers, one scan of the buffer and one XOR reduction frame
the block. Python goes one line at a time only through what is rare or irregular: tag
blocks (each distinct one parsed once by ``nmea.parse_tag_block``), receiver fields after
the checksum (``nmea.trailing_fields``) and the GoFree field before it.

The lane is deliberately narrow: a line that starts (after whitespace) with ``!`` or ``\\``
but is not in the usual form, or fails its checksum or fragment numbers, is left to
``nmea.parse_sentence``, which says why. The two paths give the same fields for every
sentence the lane takes; ``tests/ais/test_frames.py`` checks it line by line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from shade.ais.columns import unarmoured
from shade.ais.nmea import MILLISECONDS_FROM, Sentence, TagBlock, parse_tag_block, trailing_fields

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
Bytes = npt.NDArray[np.uint8]


@dataclass(eq=False)
class Frames:
    """The sentences of a block that took the fast lane, as columns (``rows`` index them).

    Python values (``received_at``, ``talker``, ``own``, ``channel``, ``payload``) are made
    for the sentences asked for only: ingest needs them of the few messages it keeps as
    records, ``positions`` of none.
    """

    lines: int  # lines in the block
    rows: IntArray  # line index of each fast sentence, ascending
    slow: IntArray  # line indices left to parse_sentence
    skipped: int  # lines that cannot be AIS sentences
    total: IntArray
    number: IntArray
    fill: IntArray
    time: FloatArray  # UNIX seconds, from the tag block or a receiver field; NaN if none
    timed: BoolArray  # whether the sentence has a time (a tag block's may be NaN)
    source: list[str | None]
    group: list[str | None]
    block: bytes  # the lines joined by '\n'; the offsets below point into it
    bang: IntArray  # where each sentence's '!' is: the talker and formatter follow it
    channel_at: IntArray  # its channel, or the comma after an empty channel
    payload_start: IntArray
    payload_end: IntArray

    @property
    def buffer(self) -> Bytes:
        """``block`` as an array of bytes (shares its memory)."""
        return np.frombuffer(self.block, np.uint8)

    def received_at(self, picks: IntArray) -> list[float | None]:
        """The times of the sentences ``picks`` (indices of fast sentences); None: none."""
        stamps = np.full(len(picks), None, dtype=object)
        timed = self.timed[picks]
        stamps[timed] = self.time[picks[timed]]
        received_at: list[float | None] = stamps.tolist()
        return received_at

    def talker(self, picks: IntArray) -> list[str]:
        buf, bang = self.buffer, self.bang[picks]
        talkers: list[str] = _TALKERS[
            (buf[bang + 1].astype(np.int64) << 8) | buf[bang + 2]
        ].tolist()
        return talkers

    def own(self, picks: IntArray) -> list[bool]:
        own: list[bool] = (self.buffer[self.bang[picks] + 5] == ord("O")).tolist()
        return own

    def channel(self, picks: IntArray) -> list[str]:
        channels: list[str] = _CHANNELS[self.buffer[self.channel_at[picks]]].tolist()
        return channels

    def payload(self, picks: IntArray) -> list[bytes]:
        block = self.block
        starts, ends = self.payload_start[picks].tolist(), self.payload_end[picks].tolist()
        return [block[start:end] for start, end in zip(starts, ends, strict=True)]

    def sentence(self, k: int) -> Sentence:
        """The k-th fast sentence as ``nmea.parse_sentence`` would have given it."""
        block, bang = self.block, int(self.bang[k])
        return Sentence(
            _TALKERS[(block[bang + 1] << 8) | block[bang + 2]],
            block[bang + 5] == ord("O"),
            int(self.total[k]),
            int(self.number[k]),
            _SEQ_IDS[block[bang + _SEQ_AT]],
            _CHANNELS[block[self.channel_at[k]]],
            block[int(self.payload_start[k]) : int(self.payload_end[k])],
            int(self.fill[k]),
            float(self.time[k]) if self.timed[k] else None,
            self.source[k],
            self.group[k],
        )


def frame_block(lines: Sequence[bytes]) -> Frames:
    """Frame a block of lines (line endings optional).

    Each line is a fast sentence (in ``rows``), or left to ``nmea.parse_sentence`` (in
    ``slow``), or, if it cannot be an AIS sentence (its first byte past any whitespace is
    neither ``!`` nor ``\\``), only counted (in ``skipped``).
    """
    block = b"\n".join([*lines, _PAD])
    buf = np.frombuffer(block, np.uint8)
    # Where the bytes outside the payload armour are: the ends of payloads are among them,
    # and so are the ends of lines, found there faster than by a second scan of the block.
    outside = np.flatnonzero(unarmoured(buf))  # the pad's zeros end any search in the block
    ends = outside[buf[outside] == ord("\n")]
    if len(ends) != len(lines):
        # Some line holds a '\n' of its own: count the bytes instead, which is slower.
        ends = np.cumsum(np.fromiter(map(len, lines), np.int64, len(lines)) + 1) - 1
    first, last = _strip(block, buf, np.concatenate(([0], ends + 1))[:-1], ends)
    lead = buf[first]  # the '\n' after the line if it is blank
    maybe = (lead == ord("!")) | (lead == ord("\\"))
    begin, tags = _tag_blocks(block, buf, first, last, np.flatnonzero(lead == ord("\\")))
    candidates = np.flatnonzero(maybe & (begin >= 0))
    bang, stop = begin[candidates], last[candidates]
    fits = bang + len(_SHORTEST) <= stop  # keeps every fixed offset below inside the line
    candidates, bang, stop = candidates[fits], bang[fits], stop[fits]
    ok, channel_at, payload_start = _head(buf, bang)
    # The payload ends at the first byte past it outside the armour, which must be a comma.
    payload_end = outside[np.searchsorted(outside, payload_start)]
    star = payload_end + 2  # after the fill bits
    after = buf[star]
    ok &= (buf[payload_end] == ord(",")) & _has(_FILL, buf[payload_end + 1])
    ok &= (after == ord("*")) | (after == ord(","))
    for i in np.flatnonzero(ok & (after == ord(","))).tolist():
        ok[i] = _gofree(block, star, i, int(stop[i]))
    hi, lo = buf[star + 1], buf[star + 2]
    ok &= (star + 3 <= stop) & _has(_HEX_DIGIT, hi) & _has(_HEX_DIGIT, lo)
    # nmea reads a checksum in upper or in lower case, not in both at once.
    ok &= ((_CLASS[hi] | _CLASS[lo]) & _HEX_CASES) != _HEX_CASES
    fast = np.flatnonzero(ok)
    if fast.size:
        # The XOR of each body, '!' to '*' exclusive: reduceat over (start, end) pairs.
        bounds = np.column_stack((bang[fast] + 1, star[fast])).ravel()
        xor = np.bitwise_xor.reduceat(buf, bounds)[::2]
        fast = fast[xor == (_HEX[hi[fast]] << 4) | _HEX[lo[fast]]]
    rows = candidates[fast]
    bang, star, stop = bang[fast], star[fast], stop[fast]
    slow = maybe.copy()
    slow[rows] = False
    time, timed, source, group = _receiver(block, buf, rows, tags, star + 3, stop)
    return Frames(
        lines=len(lines),
        rows=rows,
        slow=np.flatnonzero(slow),
        skipped=len(lines) - int(np.count_nonzero(maybe)),
        total=(buf[bang + _TOTAL_AT] - ord("0")).astype(np.int64),
        number=(buf[bang + _NUMBER_AT] - ord("0")).astype(np.int64),
        fill=(buf[payload_end[fast] + 1] - ord("0")).astype(np.int64),
        time=time,
        timed=timed,
        source=source,
        group=group,
        block=block,
        bang=bang,
        channel_at=channel_at[fast],
        payload_start=payload_start[fast],
        payload_end=payload_end[fast],
    )


# Room after the last line, so that every offset read a few bytes past a line is in the buffer.
_PAD = bytes(16)
# The shortest sentence the lane takes; every offset up to its payload is fixed.
_SHORTEST = b"!AIVDM,1,1,,,,0*hh"
_TOTAL_AT, _NUMBER_AT, _SEQ_AT = 7, 9, 11
_HEAD = {0: "!", 3: "V", 4: "D", 6: ",", 8: ",", 10: ","}

# Classes of bytes, as bits of one table: what each field of the lane may hold.
_TALKER, _FORMAT, _FRAGMENT, _SEQ, _CHANNEL, _FILL, _SPACE = (1 << bit for bit in range(7))
_HEX_DIGIT, _HEX_UPPER, _HEX_LOWER = 1 << 7, 1 << 8, 1 << 9
_HEX_CASES = _HEX_UPPER | _HEX_LOWER
_DIGITS = b"0123456789"
_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CLASS = np.zeros(256, np.uint16)
for _bit, _chars in (
    (_TALKER, _UPPER + _DIGITS + b"="),
    (_FORMAT, b"MO"),  # VDM or VDO
    (_FRAGMENT, _DIGITS[1:]),
    (_SEQ, b"," + _DIGITS),  # one digit, or the comma of an empty field
    (_CHANNEL, b"," + _UPPER + _UPPER.lower() + _DIGITS),  # the same for the channel
    (_FILL, b"012345"),
    (_SPACE, b" \t\n\r\x0b\x0c"),  # what bytes.strip() removes
    (_HEX_DIGIT, b"0123456789ABCDEFabcdef"),
    (_HEX_UPPER, b"ABCDEF"),
    (_HEX_LOWER, b"abcdef"),
):
    _CLASS[list(_chars)] |= _bit
_HEX = np.zeros(256, np.uint8)
_HEX[list(b"0123456789ABCDEFabcdef")] = [*range(16), *range(10, 16)]
# Texts of the fields the lane admits, looked up by their bytes rather than decoded per line.
_TALKERS = np.full(1 << 16, "", dtype=object)
for _a in (_UPPER + _DIGITS + b"=").decode():
    for _b in (_UPPER + _DIGITS + b"=").decode():
        _TALKERS[(ord(_a) << 8) | ord(_b)] = _a + _b
_SEQ_IDS = np.full(256, b"", dtype=object)
_CHANNELS = np.full(256, "", dtype=object)
for _c in np.flatnonzero(_CLASS & _SEQ).tolist():
    _SEQ_IDS[_c] = bytes([_c]) if _c != ord(",") else b""
for _c in np.flatnonzero(_CLASS & _CHANNEL).tolist():
    _CHANNELS[_c] = chr(_c) if _c != ord(",") else ""
# A receiver's UNIX time has 9 to 13 digits, in milliseconds from nmea's MILLISECONDS_FROM.
_MIN_DIGITS, _MAX_DIGITS = 9, 13
_POWERS_OF_TEN = 10 ** np.arange(_MAX_DIGITS - 1, -1, -1, dtype=np.int64)
# A line whose whitespace runs are longer is stripped by bytes.strip(), one line at a time.
_SHORT_RUN = 4
_MISSING = TagBlock()


def _has(kind: int, chars: Bytes) -> npt.NDArray[np.bool_]:
    """Whether each byte is of the class ``kind`` (a bit of ``_CLASS``)."""
    found: npt.NDArray[np.bool_] = (_CLASS[chars] & kind) != 0
    return found


def _head(buf: Bytes, bang: IntArray) -> tuple[npt.NDArray[np.bool_], IntArray, IntArray]:
    """Whether ``!ccVD[MO],t,n,[s],[c],`` starts at each ``bang``; where the channel and the
    payload are."""
    ok = np.ones(len(bang), np.bool_)
    for offset, char in _HEAD.items():
        ok &= buf[bang + offset] == ord(char)
    ok &= _has(_TALKER, buf[bang + 1]) & _has(_TALKER, buf[bang + 2])
    ok &= _has(_FORMAT, buf[bang + 5])
    total, number = buf[bang + _TOTAL_AT], buf[bang + _NUMBER_AT]
    ok &= _has(_FRAGMENT, total) & _has(_FRAGMENT, number) & (number <= total)
    seq = buf[bang + _SEQ_AT]
    channel_at = bang + _SEQ_AT + 1 + (seq != ord(","))  # past the seq id and its comma
    channel = buf[channel_at]
    payload_start = channel_at + 1 + (channel != ord(","))
    ok &= _has(_SEQ, seq) & _has(_CHANNEL, channel)
    # The commas after a seq id and a channel of one character (else they are the fields).
    ok &= (buf[channel_at - 1] == ord(",")) & (buf[payload_start - 1] == ord(","))
    return ok, channel_at, payload_start


def _gofree(block: bytes, star: IntArray, i: int, stop: int) -> bool:
    """Whether sentence ``i`` ends in one GoFree field and a '*'; moves its ``star`` there."""
    after = int(star[i]) + 1
    found = block.find(b"*", after, stop)
    if found < 0 or block.find(b",", after, found) >= 0:
        return False  # no checksum, or more than eight fields: the slow path names them
    star[i] = found
    return True


def _strip(block: bytes, buf: Bytes, first: IntArray, last: IntArray) -> tuple[IntArray, IntArray]:
    """The spans [first, last) of ``block`` without the whitespace ``bytes.strip()`` removes."""
    first, last = first.copy(), last.copy()
    rows = np.flatnonzero(_has(_SPACE, buf[first]) & (first < last))
    for _ in range(_SHORT_RUN if rows.size else 0):
        first[rows] += 1
        rows = rows[_has(_SPACE, buf[first[rows]]) & (first[rows] < last[rows])]
    for row in rows.tolist():
        first[row] = last[row] - len(block[first[row] : last[row]].lstrip())
    rows = np.flatnonzero(_has(_SPACE, buf[last - 1]) & (first < last))
    for _ in range(_SHORT_RUN if rows.size else 0):
        last[rows] -= 1
        rows = rows[_has(_SPACE, buf[last[rows] - 1]) & (first[rows] < last[rows])]
    for row in rows.tolist():
        last[row] = first[row] + len(block[first[row] : last[row]].rstrip())
    return first, last


class _Tags(NamedTuple):
    """The tag blocks of a block's lines: each distinct one parsed once."""

    of_line: IntArray  # per line, the index of its tag block in ``parsed``; -1: none
    parsed: list[TagBlock]


def _tag_blocks(
    block: bytes, buf: Bytes, first: IntArray, last: IntArray, tagged: IntArray
) -> tuple[IntArray, _Tags]:
    """Where each line's sentence starts, past its tag block (-1: a broken one), and the
    tag blocks of the lines; each distinct one is parsed once."""
    begin = first.copy()
    of_line = np.full(len(first), -1, dtype=np.int64)
    if not len(tagged):
        return begin, _Tags(of_line, [])
    # The backslash closing each tag block: the first one past the opening, in the line.
    slashes = np.flatnonzero(buf == ord("\\"))
    opening = first[tagged]
    after = np.searchsorted(slashes, opening + 1)
    end = slashes[np.minimum(after, len(slashes) - 1)]
    closed = (after < len(slashes)) & (end < last[tagged])
    begin[tagged[~closed]] = -1
    rows, opening, end = tagged[closed], opening[closed], end[closed]
    distinct, found = _distinct_texts(block, buf, opening + 1, end)
    parsed = [parse_tag_block(text) for text in distinct]
    broken = np.array([tag is None for tag in parsed], dtype=np.bool_)[found]
    begin[rows[broken]] = -1
    begin[rows[~broken]] = end[~broken] + 1
    of_line[rows[~broken]] = found[~broken]
    # A broken one is never pointed at: an empty tag block holds its place.
    return begin, _Tags(of_line, [_MISSING if tag is None else tag for tag in parsed])


def _distinct_texts(
    block: bytes, buf: Bytes, start: IntArray, end: IntArray
) -> tuple[list[bytes], IntArray]:
    """The distinct texts ``block[start:end]`` of many spans, and which one each span
    holds. Spans of one length are compared as rows of bytes, all at once: a feed's tag
    blocks are mostly of one or two lengths, and repeat (one time a second, one station)."""
    lengths = end - start
    found = np.empty(len(start), dtype=np.int64)
    distinct: list[bytes] = []
    for length in np.unique(lengths).tolist():
        rows = np.flatnonzero(lengths == length)
        if length == 0:
            found[rows] = len(distinct)
            distinct.append(b"")
            continue
        spans = sliding_window_view(buf, length)[start[rows]]
        keys = np.ascontiguousarray(spans).view(np.dtype((np.void, length))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        found[rows] = len(distinct) + inverse.ravel()
        at = start[rows[first]].tolist()
        distinct += [block[a : a + length] for a in at]
    return distinct, found


def _receiver(
    block: bytes,
    buf: Bytes,
    rows: IntArray,
    tags: _Tags,
    rest: IntArray,
    stop: IntArray,
) -> tuple[FloatArray, BoolArray, list[str | None], list[str | None]]:
    """When (and whether), where and in which group each fast sentence was received, as
    ``parse_sentence`` reads it from its tag block and the receiver fields after its checksum
    (from ``rest`` to ``stop``)."""
    size = len(rows)
    source: list[str | None] = [None] * size
    group: list[str | None] = [None] * size
    time, timed = _unix_times(buf, rest, stop)
    tag_of = tags.of_line[rows]
    tagged = tag_of >= 0
    trailing = rest < stop
    if tagged.any():
        # A tag block and nothing after the checksum (the usual form): all from the tag.
        only = np.flatnonzero(tagged & ~trailing)
        parsed = tags.parsed
        times = np.array([np.nan if t.time is None else t.time for t in parsed])
        stations = np.empty(len(parsed), dtype=object)
        stations[:] = [t.source for t in parsed]
        groups = np.empty(len(parsed), dtype=object)
        groups[:] = [None if t.group is None else t.group[2] for t in parsed]
        which = tag_of[only]
        time[only] = times[which]
        timed[only] = ~np.isnan(times[which])
        boxed = np.empty(size, dtype=object)
        boxed[only] = stations[which]
        source = boxed.tolist()
        boxed = np.empty(size, dtype=object)
        boxed[only] = groups[which]
        group = boxed.tolist()
    # The rest one at a time: receiver fields other than a bare UNIX time, with or without
    # a tag block.
    irregular = trailing & (tagged | ~timed)
    # Receivers stamp runs of sentences with the same fields: read each distinct one once.
    read_before: dict[bytes, tuple[float | None, str | None]] = {}
    picks = np.flatnonzero(irregular)
    for k, start, end in zip(
        picks.tolist(), rest[picks].tolist(), stop[picks].tolist(), strict=True
    ):
        when = station = None
        if tag_of[k] >= 0:
            tag = tags.parsed[tag_of[k]]
            when, station = tag.time, tag.source
            group[k] = tag.group[2] if tag.group is not None else None
        fields = block[start:end]
        read = read_before.get(fields)
        if read is None:
            read = read_before[fields] = trailing_fields(fields)
        trailing_time, trailing_source = read
        when = when if when is not None else trailing_time
        station = station if station is not None else trailing_source
        source[k] = station
        timed[k] = when is not None
        time[k] = np.nan if when is None else when
    return time, timed, source, group


def _unix_times(buf: Bytes, rest: IntArray, stop: IntArray) -> tuple[FloatArray, BoolArray]:
    """The times of receiver fields that are a comma and a UNIX time, nothing else (most are),
    as ``nmea.trailing_fields`` reads them; and which fields are of that form."""
    time = np.full(len(rest), np.nan)
    width = stop - rest - 1
    rows = np.flatnonzero((width >= _MIN_DIGITS) & (width <= _MAX_DIGITS) & (buf[rest] == ord(",")))
    # The last _MAX_DIGITS bytes of each field, those before its digits counted as zeros.
    window = sliding_window_view(buf, _MAX_DIGITS)[stop[rows] - _MAX_DIGITS]
    digits = window.astype(np.int64) - ord("0")
    digits[np.arange(_MAX_DIGITS) < _MAX_DIGITS - width[rows, None]] = 0
    numeric = ((digits >= 0) & (digits <= 9)).all(axis=1)
    rows, value = rows[numeric], digits[numeric] @ _POWERS_OF_TEN
    time[rows] = np.where(value >= MILLISECONDS_FROM, value / 1000, value)
    timed = np.zeros(len(rest), np.bool_)
    timed[rows] = True
    return time, timed
