"""The ingest pipeline: sources -> decoder -> tracker -> sink, in bounded memory, in batches.

Threads, not asyncio. Sources are a handful of files and feeds whose reads block (a file
cannot be awaited; sockets wake every ``POLL_SECONDS`` to look at the stop flag): each
runs in a thread of its own, and a TCP listener serves all its clients from its one thread
through a selector. Decoding and tracking are synchronous and CPU-bound: they run in the
thread that calls ``run`` (the CLI's main thread, which also gets the signals). The sink
(the store, synchronous; SQLite wants one writer) runs in one thread of its own, writing
behind (``behind.WriteBehind``): a batch is written while the next is decoded. An event
loop would sit in front of the same threads without removing any of them.

Between the two sides, a queue bounded in lines (``ingest_queue_lines``): when it is full a
file or TCP source waits (TCP's flow control then slows the sender), while a UDP datagram,
which cannot wait, is dropped and counted.

Each source id (a file, a TCP client, a UDP sender) has its own ``Decoder``: multipart
reassembly is per stream, and two receivers' fragments must not mix. A message is paired
with its tag-block or receiver time, else the receive time of its line; a message whose
sentences name no station gets the source id as its ``source``.

A chunk of lines is decoded at once (``Decoder.decode_reports``): its position reports as
columns, the messages the tracker wants as records (``ais.block.Block``), the rest counted.
Decoded messages go to the tracker, its ``Update`` to the detectors (if any) and both to
the sink, in batches of at most ``ingest_batch_size`` messages (a block is cut where a
batch ends), written once the oldest has waited ``ingest_batch_seconds`` at the latest.
One sink call is one transaction, so a crash loses at most the batch being written and the
one tracked after it, waiting. The garbage collector pauses while a chunk is decoded,
while a batch is tracked and judged, and while one is written (``shade.collector``).

``stop()`` (safe in a signal handler: it only raises a flag) stops the sources; what the
queue already holds was accepted and is decoded, the last partial batch is written, and
``run`` returns the totals. A bad line is counted by the decoder, a dropped connection by
its source, a failed source (a corrupt file) in ``errors``: none of them stops ingest. A
sink that fails does: ``run`` raises its error.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Protocol

from shade.ais.block import Block
from shade.ais.decoder import Decoder, DecodeStats
from shade.collector import collector_paused
from shade.config import Settings
from shade.detect.events import Event
from shade.errors import ShadeError
from shade.ingest.backlog import LineQueue
from shade.ingest.behind import WriteBehind
from shade.ingest.lines import Chunk, Source
from shade.tracks.model import Update

log = logging.getLogger(__name__)

# Where each batch goes, with the events the detectors found in it: ``Store.write``.
Sink = Callable[[Update, Sequence[Event]], None]
# The detectors: ``detect.runner.Detection.observe``.
Detect = Callable[[Update], Sequence[Event]]
Batch = tuple[Update, Sequence[Event]]
_IDLE_SECONDS = 0.1  # longest the decoding thread sleeps before looking at the stop flag
_JOIN_SECONDS = 2.0  # a source stuck longer (connecting, resolving) is left behind
_BLOCK_FROM = 32  # chunks this long go through decode_block; shorter ones line by line
_MAX_STREAMS = 1024  # decoders kept at once; the least recently heard is flushed first


class Tracks(Protocol):
    """What the pipeline needs of the tracker (``shade.tracks.tracker.Tracker``)."""

    @property
    def records(self) -> Collection[int]:
        """The message types it wants as records (position reports come as columns)."""
        ...

    def add_block(self, block: Block) -> Update: ...


@dataclass
class IngestStats:
    """Totals of one ingest run."""

    lines: int = 0
    skipped: int = 0  # lines that are not AIS sentences
    decoded: int = 0  # messages decoded
    rejects: Counter[str] = field(default_factory=Counter)  # sentences, by reason
    points: int = 0  # positions accepted into histories
    aside: int = 0  # positions kept aside (impossible speed, inland, out of order)
    statics: int = 0  # static and voyage records
    batches: int = 0  # batches written to the sink
    connections_dropped: int = 0  # TCP feeds lost after connecting
    connect_failures: int = 0  # attempts to connect to a TCP feed that failed
    datagrams_dropped: int = 0  # UDP datagrams dropped because ingest was behind
    seconds: float = 0.0  # since the pipeline started
    errors: list[str] = field(default_factory=list)  # sources that failed, one line each

    @property
    def rate(self) -> float:
        """Decoded messages per second, over the whole run."""
        return self.decoded / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "lines": self.lines,
            "skipped": self.skipped,
            "decoded": self.decoded,
            "rejects": dict(sorted(self.rejects.items())),
            "points": self.points,
            "aside": self.aside,
            "statics": self.statics,
            "batches": self.batches,
            "connections_dropped": self.connections_dropped,
            "connect_failures": self.connect_failures,
            "datagrams_dropped": self.datagrams_dropped,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
            "errors": list(self.errors),
        }


class Pipeline:
    """Sources -> decoders -> tracker -> detectors -> sink. ``run`` once; the sink is
    called from a thread of the pipeline's own, one batch at a time."""

    def __init__(
        self,
        sources: Sequence[Source],
        tracker: Tracks,
        sink: Sink,
        settings: Settings | None = None,
        detect: Detect | None = None,
    ) -> None:
        settings = settings or Settings()
        self.sources = list(sources)
        self._tracker = tracker
        self._sink = sink
        self._detect = detect
        self._batch_size = settings.ingest_batch_size
        self._batch_seconds = float(settings.ingest_batch_seconds)
        self._settings = settings
        self._queue = LineQueue(settings.ingest_queue_lines)
        self._halted = threading.Event()  # tells the sources to stop
        self._stop_requested = False  # a plain flag: stop() may run in a signal handler
        self._streams: OrderedDict[str, Decoder] = OrderedDict()
        self._retired = DecodeStats()  # counts of the decoders already flushed
        self._pending: deque[Block] = deque()  # stamped, in arrival order
        self._waiting = 0  # messages in them
        self._batch_due = 0.0
        self._dropped = [0] * len(self.sources)  # datagrams, each written by its pump only
        self._done = [False] * len(self.sources)  # each written by its pump only, when done
        self._errors: list[str] = []
        self._totals = Counter[str]()
        self._started: float | None = None
        self._ended: float | None = None

    def stop(self) -> None:
        """Ask the pipeline to stop; safe from a signal handler or any thread."""
        self._stop_requested = True

    def run(
        self,
        on_progress: Callable[[IngestStats], None] | None = None,
        every_seconds: float = 1.0,
    ) -> IngestStats:
        """Ingest until every source ends or ``stop`` is called; return the totals."""
        if self._started is not None:
            raise RuntimeError("a pipeline runs once")
        self._started = time.monotonic()
        self._behind = WriteBehind(self._deliver, self._count, name="ingest writer")
        threads = [
            threading.Thread(
                target=self._pump, args=(index, source), name=f"ingest {source.name}", daemon=True
            )
            for index, source in enumerate(self.sources)
        ]
        for thread in threads:
            thread.start()
        try:
            next_report = self._started + every_seconds if on_progress else float("inf")
            while not self._stop_requested:
                now = time.monotonic()
                wait = min(_IDLE_SECONDS, next_report - now)
                if self._pending:
                    wait = min(wait, self._batch_due - now)
                # Once every source is done, what the queue holds is all there will be.
                chunk = self._queue.get(0 if all(self._done) else wait)
                if chunk is not None:
                    self._take(chunk)
                elif all(self._done) or not any(thread.is_alive() for thread in threads):
                    break  # every source has ended (files read to the end)
                now = time.monotonic()
                if self._pending and now >= self._batch_due:
                    self._write(self._waiting)
                if on_progress is not None and now >= next_report:
                    next_report = now + every_seconds
                    on_progress(self.stats())
            # What the queue holds was accepted: stop the sources, then decode and write it.
            self._halt(threads)
            while (chunk := self._queue.get(0)) is not None:
                self._take(chunk)
            for decoder in self._streams.values():
                decoder.flush()
            if self._pending:
                self._write(self._waiting)
        finally:
            self._halt(threads)
            for source in self.sources:
                source.close()
            try:
                self._behind.close()  # everything handed over is written first
            finally:
                self._ended = time.monotonic()
        return self.stats()

    def stats(self) -> IngestStats:
        """The totals so far (call from the thread running ``run``, or after it)."""
        decoding = [self._retired, *(decoder.stats for decoder in self._streams.values())]
        rejects: Counter[str] = Counter()
        for one in decoding:
            rejects.update(one.rejects)
        end = self._ended if self._ended is not None else time.monotonic()
        return IngestStats(
            lines=sum(one.lines for one in decoding),
            skipped=sum(one.skipped for one in decoding),
            decoded=sum(one.decoded for one in decoding),
            rejects=rejects,
            points=self._totals["points"],
            aside=self._totals["aside"],
            statics=self._totals["statics"],
            batches=self._totals["batches"],
            connections_dropped=sum(source.drops for source in self.sources),
            connect_failures=sum(source.failures for source in self.sources),
            datagrams_dropped=sum(self._dropped),
            seconds=0.0 if self._started is None else end - self._started,
            errors=list(self._errors),
        )

    def _pump(self, index: int, source: Source) -> None:
        """Move a source's chunks into the queue (runs in the source's own thread)."""
        chunks = source.chunks(self._halted)
        try:
            for chunk in chunks:
                if not source.lossy:
                    if not self._queue.put(chunk):
                        return
                elif not self._queue.offer(chunk) and not self._halted.is_set():
                    self._dropped[index] += 1
        except ShadeError as exc:
            self._fail(source, exc.message)
        except OSError as exc:
            self._fail(source, f"{source.name}: {exc.strerror or exc}")
        except Exception as exc:  # a bug in one source must not stop the others
            log.exception("%s: source failed", source.name)
            self._fail(source, f"{source.name}: {type(exc).__name__}: {exc}")
        finally:
            chunks.close()
            # The decoding thread need not wait out its idle timeout to see that this
            # source is done (the queue's lock orders this write before its read).
            self._done[index] = True
            self._queue.wake()

    def _fail(self, source: Source, message: str) -> None:
        if self._halted.is_set():
            return  # closed under its feet while stopping: not a failure
        log.error("%s", message)
        self._errors.append(message)

    def _halt(self, threads: list[threading.Thread]) -> None:
        self._halted.set()
        self._queue.close()
        deadline = time.monotonic() + _JOIN_SECONDS
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _decoder(self, source: str) -> Decoder:
        decoder = self._streams.get(source)
        if decoder is not None:
            self._streams.move_to_end(source)
            return decoder
        decoder = self._streams[source] = Decoder(self._settings)
        if len(self._streams) > _MAX_STREAMS:
            self._retire(next(iter(self._streams)))
        return decoder

    def _retire(self, source: str) -> None:
        """Flush a stream's decoder (its incomplete messages are counted) and forget it."""
        decoder = self._streams.pop(source, None)
        if decoder is None:
            return
        decoder.flush()
        done, into = decoder.stats, self._retired
        into.lines += done.lines
        into.skipped += done.skipped
        into.sentences += done.sentences
        into.messages.update(done.messages)
        into.rejects.update(done.rejects)

    def _take(self, chunk: Chunk) -> None:
        """Decode one chunk; write batches as they fill."""
        if chunk.texts:
            decoder = self._decoder(chunk.source)
            texts = chunk.texts
            wanted = self._tracker.records
            with collector_paused():
                if len(texts) >= _BLOCK_FROM:
                    block = decoder.decode_reports(texts, wanted)
                else:
                    found = [one for one in map(decoder.feed, texts) if one is not None]
                    block = Block.of_records(found, wanted)
                if block.messages:
                    # The tag-block or receiver time, else the chunk's; the station, else
                    # the source id.
                    block = block.stamped(chunk.received_at, chunk.source)
            if block.messages:
                if not self._pending:
                    self._batch_due = time.monotonic() + self._batch_seconds
                self._pending.append(block)
                self._waiting += block.messages
                while self._waiting >= self._batch_size:
                    self._write(self._batch_size)
        if chunk.end:
            self._retire(chunk.source)

    def _write(self, count: int) -> None:
        """Hand the oldest ``count`` pending messages to the tracker, its update to the sink."""
        taken: list[Block] = []
        needed = count
        while needed:
            block = self._pending[0]
            if block.messages <= needed:
                taken.append(self._pending.popleft())
                needed -= block.messages
            else:
                head, self._pending[0] = block.split(needed)
                taken.append(head)
                needed = 0
        self._waiting -= count
        with collector_paused():
            update = self._tracker.add_block(Block.concat(taken))
            # Freed while the collector is paused, so that it does not walk them all first.
            del taken
            events = self._detect(update) if self._detect is not None else ()
        self._behind.put((update, events))
        if self._pending:
            # What is left arrived with the chunk just taken: its wait starts now.
            self._batch_due = time.monotonic() + self._batch_seconds

    def _deliver(self, batch: Batch) -> None:
        """Hand a batch to the sink (in the writing thread)."""
        with collector_paused():
            self._sink(*batch)

    def _count(self, batch: Batch) -> None:
        """Count a batch written (in the writing thread)."""
        update = batch[0]
        totals = self._totals
        totals["points"] += len(update.points)
        totals["aside"] += len(update.aside)
        totals["statics"] += len(update.statics)
        totals["batches"] += 1


@contextlib.contextmanager
def stop_on_signals(
    pipeline: Pipeline, signals: Iterable[signal.Signals] = (signal.SIGINT, signal.SIGTERM)
) -> Iterator[None]:
    """While inside, the first SIGINT or SIGTERM stops the pipeline cleanly.

    A second signal acts as it did before (Ctrl-C twice interrupts at once). Outside the
    main thread, where Python takes no signals, nothing is installed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Callable[[int, FrameType | None], object] | int] = {}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    def on_signal(number: int, frame: FrameType | None) -> None:
        log.info("%s: stopping; writing what was received", signal.Signals(number).name)
        pipeline.stop()
        restore()

    for number in signals:
        before = signal.signal(number, on_signal)
        previous[number] = signal.SIG_DFL if before is None else before
    try:
        yield
    finally:
        restore()
