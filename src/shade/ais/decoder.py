"""The stream decoder: lines in, decoded messages out, with counts of everything else.

It frames each line (``nmea``), joins the fragments of multipart messages, decodes payloads
(``payload``) and keeps ``DecodeStats``. Fragments are joined by talker, channel, sequential
id, fragment count and tag-block group (or source station): interleaved messages from
several receivers do not mix. A later fragment without a tag block joins the newest pending
message of its talker, channel and id, as receivers put the tag block on the first only.

Memory stays flat on any input: at most ``multipart_max_pending`` messages wait for
fragments, none for longer than ``multipart_max_age`` sentences; the rest are dropped and
counted as ``incomplete_message``.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shade.ais.message import AISMessage
from shade.ais.nmea import Sentence, parse_sentence
from shade.ais.payload import decode_payload
from shade.ais.rejects import Reject
from shade.config import Settings


@dataclass(slots=True)
class Decoded:
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

    def decode(self, lines: Iterable[bytes]) -> Iterator[Decoded]:
        """Decode every line; at the end, fragments still waiting are counted as incomplete."""
        feed = self.feed
        for line in lines:
            decoded = feed(line)
            if decoded is not None:
                yield decoded
        self.flush()

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
        stamp = first.received_at
        if stamp is None:
            when = None
        elif stamp == self._last_stamp:
            when = self._last_time
        else:
            when = self._last_time = datetime.fromtimestamp(stamp, UTC)
            self._last_stamp = stamp
        return Decoded(
            message, when, first.source, first.talker, first.channel, first.own, sentences
        )
