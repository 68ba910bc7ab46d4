"""The stream decoder: lines in, decoded messages out, with counts of everything else.

It frames lines (``frames`` for whole blocks, ``nmea`` for the rest), joins the fragments
of multipart messages, decodes payloads (``columns`` for batches of the common layouts,
``payload`` for the rest) and keeps ``DecodeStats``. ``decode`` works in blocks of lines for
speed; ``feed`` takes one line at a time for live feeds; both give the same.
``decode_reports`` is ``decode_block`` for ingest: the same messages and counts, but the
position reports as columns and only the other messages asked for as records (``block``).

Fragments are joined by talker, channel, sequential id, fragment count and tag-block group
(or source station): interleaved messages from several receivers do not mix. A later
fragment without a tag block joins the newest pending message of its talker, channel and
id, as receivers put the tag block on the first only.

Memory stays flat on any input: at most ``multipart_max_pending`` messages wait for
fragments, none for longer than ``multipart_max_age`` sentences; the rest are dropped and
counted as ``incomplete_message``.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice, repeat
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from shade.ais.block import NO_TIME, REPORT_TYPES, UNKNOWN, Block, Part, in_order
from shade.ais.columns import ARMOUR, columnar, decode_packed, floats, raw_field, words
from shade.ais.columns import sixbit_at as _sixbit_at
from shade.ais.frames import Frames, IntArray, frame_block
from shade.ais.layouts import BY_NAME, Layout
from shade.ais.message import AISMessage
from shade.ais.nmea import Sentence, parse_sentence
from shade.ais.payload import FIXED_LAYOUTS, KNOWN_TYPES, MIN_BITS, decode_payload
from shade.ais.records import DECODERS
from shade.ais.rejects import Reject
from shade.config import Settings
from shade.times import stamp_micros

BLOCK_LINES = 4096
_RECORDS_KEPT = 65536  # records remembered by payload; past it the memory starts again
_new: Callable[[type[Any], Iterable[object]], Any] = tuple.__new__
# Types whose layout depends on the type alone and can be decoded by columns.
_COLUMNAR: dict[int, tuple[Layout, type[AISMessage], int]] = {
    msg_type: (BY_NAME[name], DECODERS[name][0], DECODERS[name][2])
    for msg_type, name in FIXED_LAYOUTS.items()
    if columnar(BY_NAME[name])
}


class _Out(Protocol):
    """Where decoded messages go, by line: a list for a whole block, a dict for a few."""

    def __setitem__(self, row: int, decoded: Decoded | None, /) -> None: ...


@dataclass
class _Reporting:
    """What ``decode_reports`` collects besides records: report columns, counted messages."""

    keep: frozenset[int]
    reports: list[Part] = field(default_factory=list)
    counted: list[IntArray] = field(default_factory=list)  # rows of messages only counted


class Decoded(NamedTuple):
    """A decoded message with what its sentences said about where and when it was received."""

    message: AISMessage
    received_at: datetime | None  # UTC, from a tag block or trailing receiver field
    source: str | None  # receiving station, from a tag block or trailing receiver field
    talker: str
    channel: str
    own: bool  # sent as VDO: the receiver's own ship
    sentences: int  # how many sentences carried it


@dataclass
class DecodeStats:
    lines: int = 0
    skipped: int = 0  # lines that are not AIS sentences
    sentences: int = 0  # AIS sentences seen, good or bad
    messages: Counter[int] = field(default_factory=Counter)  # by message type
    rejects: Counter[str] = field(default_factory=Counter)  # sentences, by reason

    @property
    def decoded(self) -> int:
        return sum(self.messages.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "lines": self.lines,
            "skipped": self.skipped,
            "sentences": self.sentences,
            "messages": self.decoded,
            "by_type": {str(k): v for k, v in sorted(self.messages.items())},
            "rejects": dict(sorted(self.rejects.items())),
        }


@dataclass(slots=True)
class _Pending:
    parts: list[bytes]
    first: Sentence
    started: int  # sentence counter when the first fragment arrived


_PendingKey = tuple[str, str, bytes, int, str | None]


class Decoder:
    """Decodes a stream of lines. Not thread-safe: one decoder per stream."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        self.stats = DecodeStats()
        self._max_pending = settings.multipart_max_pending
        self._max_age = settings.multipart_max_age
        self._pending: OrderedDict[_PendingKey, _Pending] = OrderedDict()
        self._newest: dict[tuple[str, str, bytes, int], _PendingKey] = {}
        self._last_stamp: float | None = None
        self._last_time: datetime | None = None
        self._made: dict[tuple[bytes, int], AISMessage] = {}  # records by payload and fill

    def decode(self, lines: Iterable[bytes]) -> Iterator[Decoded]:
        """Decode every line; at the end, fragments still waiting are counted as incomplete."""
        source = iter(lines)
        while block := list(islice(source, BLOCK_LINES)):
            yield from self.decode_block(block)
        self.flush()

    def decode_block(self, lines: list[bytes]) -> list[Decoded]:
        """Decode a list of lines (line endings optional) as ``feed`` would, only faster."""
        out: list[Decoded | None] = [None] * len(lines)
        self._decode_lines(lines, out, None)
        return [decoded for decoded in out if decoded is not None]

    def decode_reports(self, lines: list[bytes], keep: Collection[int]) -> Block:
        """``decode_block`` for ingest: the same messages and the same counts, as a ``Block``
        of every position report as columns and the messages of the types in ``keep`` as
        records. A position report of a type in ``keep`` is a record too."""
        work = _Reporting(frozenset(keep))
        out: dict[int, Decoded | None] = {}
        self._decode_lines(lines, out, work)
        rows = sorted(row for row, one in out.items() if one is not None)
        records: list[Any] = [out[row] for row in rows]
        decoded = np.zeros(len(lines), dtype=np.bool_)
        decoded[rows] = True
        for part in work.reports:
            decoded[part.rows] = True
        for counted in work.counted:
            decoded[counted] = True
        place = np.cumsum(decoded) - 1  # each message's place among the block's messages
        one_by_one = Part.of_records(records, rows)
        reports = in_order(work.reports if one_by_one is None else [*work.reports, one_by_one])
        kept = [k for k, one in enumerate(records) if one.message.msg_type in work.keep]
        return Block(
            int(np.count_nonzero(decoded)),
            replace(reports, order=place[reports.order]),
            [records[k] for k in kept],
            place[[rows[k] for k in kept]].tolist(),
        )

    def _decode_lines(self, lines: list[bytes], out: _Out, work: _Reporting | None) -> None:
        if lines and lines[0][-1:] in (b"\n", b"\r"):
            lines = [line.rstrip(b"\r\n") for line in lines]
        frames = frame_block(lines)
        stats = self.stats
        stats.lines += len(lines)
        stats.skipped += frames.skipped
        base = stats.sentences
        single = frames.total == 1
        self._singles(frames, np.flatnonzero(single), out, work)
        # Fragments and slowly framed lines go in line order: reassembly is stateful.
        fragments = np.flatnonzero(~single)
        order = sorted(
            [
                (row, k)
                for k, row in zip(fragments.tolist(), frames.rows[fragments].tolist(), strict=True)
            ]
            + [(row, -1) for row in frames.slow.tolist()]
        )
        fast_before = np.searchsorted(frames.rows, [row for row, _ in order]).tolist()
        slow_sentences = 0
        for (row, k), before in zip(order, fast_before, strict=True):
            if k >= 0:
                stats.sentences = base + before + slow_sentences + 1
                out[row] = self._fragment(frames.sentence(k))
                continue
            sentence = parse_sentence(lines[row].strip())
            if sentence is None:
                stats.skipped += 1
                continue
            slow_sentences += 1
            stats.sentences = base + before + slow_sentences
            if isinstance(sentence, Reject):
                stats.rejects[sentence] += 1
            elif sentence.total == 1:
                out[row] = self._finish(sentence, sentence.payload, sentence.fill, 1)
            else:
                out[row] = self._fragment(sentence)
        stats.sentences = base + len(frames.rows) + slow_sentences

    def _singles(self, frames: Frames, picks: IntArray, out: _Out, work: _Reporting | None) -> None:
        """Decode the single-sentence messages of a block, batching the common layouts."""
        if not len(picks):
            return
        starts = frames.payload_start[picks]
        lengths = frames.payload_end[picks] - starts
        # An empty payload's first "character" is the comma after it: 255, no type.
        types = ARMOUR[frames.buffer[starts]].astype(np.int64)
        keys = types * 1000 + lengths
        order = np.argsort(keys, kind="stable")
        bounds = np.flatnonzero(np.diff(keys[order])) + 1
        rows = frames.rows
        for group in np.split(order, bounds):
            msg_type, nchars = int(types[group[0]]), int(lengths[group[0]])
            members = picks[group]
            if work is not None and self._reported(frames, msg_type, nchars, members, work):
                continue
            if self._columns(frames, msg_type, nchars, members, out):
                continue
            for k in members.tolist():
                sentence = frames.sentence(k)
                out[rows[k]] = self._finish(sentence, sentence.payload, sentence.fill, 1)

    def _reported(
        self, frames: Frames, msg_type: int, nchars: int, members: IntArray, work: _Reporting
    ) -> bool:
        """Take a group of equal type and length as report columns, or only count it, if
        it needs no record: what ``decode_payload`` would accept, not of a type kept."""
        if msg_type in work.keep:
            return False
        bits = 6 * nchars - frames.fill[members]
        if msg_type not in REPORT_TYPES:
            # decode_payload makes a message of every payload of valid armour (which the
            # fast lane guarantees) with a known type and at least MIN_BITS bits.
            if msg_type not in KNOWN_TYPES or (bits < MIN_BITS).any():
                return False
            work.counted.append(frames.rows[members])
        else:
            spec = _COLUMNAR.get(msg_type)
            if spec is None or (bits < spec[2]).any():
                return False  # cut short: decode_payload's rules, one at a time
            work.reports.append(self._report_columns(frames, spec[0], spec[2], members))
        self.stats.messages[msg_type] += len(members)
        return True

    def _report_columns(
        self, frames: Frames, layout: Layout, needed: int, members: IntArray
    ) -> Part:
        """Position reports of one layout by columns, at their line rows."""
        packed = words(_sixbit_at(frames.buffer, frames.payload_start[members], -(-needed // 6)))
        by_name = {f.name: f for f in layout.fields}
        size = len(members)

        def real(name: str) -> Any:
            f = by_name.get(name)
            return floats(raw_field(packed, f), f) if f is not None else np.full(size, np.nan)

        def whole(name: str) -> Any:
            f = by_name.get(name)
            if f is None:
                return np.full(size, UNKNOWN, dtype=np.int16)
            raw = raw_field(packed, f)
            column = raw.astype(np.int16)
            if f.na is not None:
                column[raw == f.na] = UNKNOWN
            return column

        timed = frames.timed[members]
        times = np.full(size, NO_TIME, dtype=np.int64)
        times[timed] = stamp_micros(frames.time[members][timed])
        sources = np.empty(size, dtype=object)
        sources[:] = list(map(frames.source.__getitem__, members.tolist()))
        return Part(
            frames.rows[members],
            raw_field(packed, by_name["mmsi"]),
            raw_field(packed, by_name["msg_type"]),
            real("lat"),
            real("lon"),
            real("speed"),
            real("course"),
            whole("heading"),
            whole("status"),
            times,
            sources,
        )

    def _columns(
        self,
        frames: Frames,
        msg_type: int,
        nchars: int,
        members: IntArray,
        out: _Out,
    ) -> bool:
        """Decode one group of equal type and length by columns, if its layout allows."""
        spec = _COLUMNAR.get(msg_type)
        if spec is None:
            return False
        layout, cls, needed = spec
        if (6 * nchars - frames.fill[members] < needed).any():
            return False
        chars = sliding_window_view(frames.buffer, nchars)[frames.payload_start[members]]
        if (ARMOUR[chars] == 255).any():
            return False
        records = self._records_of(frames, members, layout, cls, nchars)
        # tuple.__new__ in map: envelopes made without a Python call apiece.
        decoded = map(
            _new,
            repeat(Decoded),
            zip(
                records,
                self._times(frames.received_at(members)),
                map(frames.source.__getitem__, members.tolist()),
                frames.talker(members),
                frames.channel(members),
                frames.own(members),
                repeat(1),
            ),
        )
        for row, one in zip(frames.rows[members].tolist(), decoded, strict=True):
            out[row] = one
        self.stats.messages[msg_type] += len(members)
        return True

    def _records_of(
        self, frames: Frames, members: IntArray, layout: Layout, cls: type[AISMessage], nchars: int
    ) -> list[AISMessage]:
        """The records of a group's payloads, decoded by columns. A payload met before
        gives the same record again: vessels send their static data unchanged every few
        minutes, so most are (records are immutable)."""
        made = self._made
        keys = list(zip(frames.payload(members), frames.fill[members].tolist(), strict=True))
        new = [k for k, key in enumerate(keys) if key not in made]
        if new:
            if len(made) + len(new) > _RECORDS_KEPT:
                made.clear()
            starts = frames.payload_start[members[new]]
            columns = decode_packed(layout, words(_sixbit_at(frames.buffer, starts, nchars)))
            for k, record in zip(
                new, map(_new, repeat(cls), zip(*columns, strict=True)), strict=True
            ):
                made[keys[k]] = record
        return list(map(made.__getitem__, keys))

    def feed(self, line: bytes) -> Decoded | None:
        """Take one line (line ending optional); return the message it completes, if any."""
        stats = self.stats
        stats.lines += 1
        sentence = parse_sentence(line.strip())
        if sentence is None:
            stats.skipped += 1
            return None
        stats.sentences += 1
        if isinstance(sentence, Reject):
            stats.rejects[sentence] += 1
            return None
        if sentence.total == 1:
            return self._finish(sentence, sentence.payload, sentence.fill, 1)
        return self._fragment(sentence)

    def flush(self) -> None:
        """Count every message still waiting for fragments as incomplete, and forget it."""
        for pending in self._pending.values():
            self.stats.rejects[Reject.INCOMPLETE_MESSAGE] += len(pending.parts)
        self._pending.clear()
        self._newest.clear()

    def _fragment(self, sentence: Sentence) -> Decoded | None:
        stats = self.stats
        short = (sentence.talker, sentence.channel, sentence.seq_id, sentence.total)
        key: _PendingKey = (*short, sentence.group or sentence.source)
        self._expire()
        if sentence.number == 1:
            if key in self._pending:
                stale = self._pending.pop(key)
                stats.rejects[Reject.INCOMPLETE_MESSAGE] += len(stale.parts)
            self._pending[key] = _Pending([sentence.payload], sentence, stats.sentences)
            self._newest[short] = key
            if len(self._pending) > self._max_pending:
                _, oldest = self._pending.popitem(last=False)
                stats.rejects[Reject.INCOMPLETE_MESSAGE] += len(oldest.parts)
            return None
        pending = self._pending.get(key)
        if pending is None and sentence.group is None and sentence.source is None:
            newest = self._newest.get(short)
            if newest is not None:
                key = newest
                pending = self._pending.get(key)
        if pending is None or len(pending.parts) + 1 != sentence.number:
            stats.rejects[Reject.ORPHAN_FRAGMENT] += 1
            return None
        pending.parts.append(sentence.payload)
        if sentence.number < sentence.total:
            return None
        del self._pending[key]
        if self._newest.get(short) == key:
            del self._newest[short]
        return self._finish(pending.first, b"".join(pending.parts), sentence.fill, sentence.total)

    def _expire(self) -> None:
        oldest_allowed = self.stats.sentences - self._max_age
        pending = self._pending
        while pending:
            key, first = next(iter(pending.items()))
            if first.started >= oldest_allowed:
                break
            del pending[key]
            self.stats.rejects[Reject.INCOMPLETE_MESSAGE] += len(first.parts)

    def _finish(self, first: Sentence, payload: bytes, fill: int, sentences: int) -> Decoded | None:
        message = decode_payload(payload, fill)
        if isinstance(message, Reject):
            self.stats.rejects[message] += sentences
            return None
        self.stats.messages[message.msg_type] += 1
        return Decoded(
            message,
            self._when(first.received_at),
            first.source,
            first.talker,
            first.channel,
            first.own,
            sentences,
        )

    def _times(self, stamps: list[float | None]) -> Iterator[datetime | None]:
        """The datetimes of many stamps: each distinct stamp converted once."""
        distinct = {stamp: self._when(stamp) for stamp in set(stamps)}
        return map(distinct.__getitem__, stamps)

    def _when(self, stamp: float | None) -> datetime | None:
        if stamp is None:
            return None
        if stamp != self._last_stamp:
            # Messages come in runs that share a time: make each datetime once.
            self._last_time = datetime.fromtimestamp(stamp, UTC)
            self._last_stamp = stamp
        return self._last_time
