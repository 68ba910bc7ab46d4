"""The pipeline: batches to the sink, times and sources, counting what is bad or dropped, stopping.

Real files, real sockets on 127.0.0.1, the real decoder and tracker; the sink is a list
(or, at the end, the real store on a temporary SQLite file).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from shade.ais import Decoder
from shade.config import Settings
from shade.detect.events import Event
from shade.ingest.backlog import LineQueue
from shade.ingest.lines import Chunk
from shade.ingest.pipeline import Pipeline, stop_on_signals
from shade.ingest.sources import FileSource, TcpClientSource, TcpListenSource, UdpSource
from shade.store import Store
from shade.tracks.model import Update
from shade.tracks.tracker import Tracker
from tests.conftest import AIS_NMEA, read_lines
from tests.ingest.conftest import WAIT_SECONDS, Background, TickingClock, collect, wait_for

NCA = AIS_NMEA / "nca_norwegian.raw"


def settings(**values: int) -> Settings:
    return Settings(**values)


def single_sentences(lines: list[bytes]) -> list[bytes]:
    return [line for line in lines if b"VDM,1,1," in line]


def test_every_message_of_a_file_reaches_the_sink_in_batches() -> None:
    lines = read_lines(NCA)
    clock = TickingClock()
    updates: list[Update] = []
    config = settings(ingest_batch_size=50)
    source = FileSource(str(NCA), clock=clock)
    stats = Pipeline([source], Tracker(config), collect(updates), config).run()

    decoded = list(Decoder().decode(lines))
    # The tag block's time, else the receive time; the station, else the feed.
    expected = Tracker().add(
        (one._replace(source=one.source or str(NCA)), one.received_at or clock.start)
        for one in decoded
    )
    assert stats.lines == len(lines) and stats.decoded == len(decoded) == 196
    assert stats.batches == len(updates) == 4  # 50 + 50 + 50 + 46 messages
    assert [p for u in updates for p in u.points] == expected.points
    assert [a for u in updates for a in u.aside] == expected.aside
    assert [s for u in updates for s in u.statics] == expected.statics
    assert stats.points == len(expected.points) and stats.statics == len(expected.statics)


def test_lines_without_a_time_take_their_receive_time_and_the_feed_as_source() -> None:
    path = AIS_NMEA / "gpsd_ais-nmea.log"
    clock = TickingClock()
    updates: list[Update] = []
    Pipeline([FileSource(str(path), clock=clock)], Tracker(), collect(updates)).run()
    points = [p for u in updates for p in u.points]
    assert points and clock.readings == 1
    assert {p.at for p in points} == {clock.start}
    assert {p.source for p in points} == {str(path)}


def test_bad_lines_and_unknown_types_are_counted_and_ingest_goes_on(tmp_path: Path) -> None:
    good = read_lines(NCA)
    junk = [
        os.urandom(300),
        b"!AIVDM,1,1,,A,13o4g`00000I2ENRH4g83S0L088C,0*00",  # bad checksum
        b"!AIVDM,1,1,,A,13o4g`00000I2ENRH4g83S0L088C",  # cut short
        b"!AIVDM,1,1,,A,@3o4g`00000I2ENRH4g83S0L088C,0*34",  # type 40: unknown
        b"!AIVDM,2,2,9,A,00000,2*00",  # a second fragment alone
    ]
    path = tmp_path / "mixed.nmea"
    path.write_bytes(b"\n".join(junk + good[:100] + junk + good[100:]) + b"\n")
    updates: list[Update] = []
    stats = Pipeline([FileSource(str(path))], Tracker(), collect(updates)).run()
    assert stats.decoded == 196
    assert stats.rejects["bad_checksum"] >= 2 and stats.rejects["no_checksum"] == 2
    assert sum(stats.rejects.values()) >= 8 and not stats.errors


def test_batches_are_written_in_a_thread_of_their_own_and_a_failed_write_stops_ingest() -> None:
    """The sink runs behind the decoding, in one thread; when it fails, run raises its
    error and what came after is not written."""
    threads: set[str] = set()
    written: list[Update] = []

    def sink(update: Update, events: Sequence[Event]) -> None:
        threads.add(threading.current_thread().name)
        if len(written) == 2:
            raise OSError("the disk is full")
        written.append(update)

    config = settings(ingest_batch_size=50)
    pipeline = Pipeline([FileSource(str(NCA), clock=TickingClock())], Tracker(config), sink, config)
    with pytest.raises(OSError, match="the disk is full"):
        pipeline.run()
    assert threads == {"ingest writer"} and threading.current_thread().name not in threads
    assert len(written) == 2 and pipeline.stats().batches == 2


def test_a_slow_feed_is_written_within_batch_seconds() -> None:
    source = UdpSource("127.0.0.1", 0)
    running = Background([source], settings(ingest_batch_seconds=1))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(b"\n".join(read_lines(NCA)[:3]) + b"\n", source.address)
        sent = time.monotonic()
        wait_for(lambda: bool(running.updates), "a batch", seconds=5)
    waited = time.monotonic() - sent
    stats = running.stop()
    assert 0.5 < waited < 2.5  # written by age, not size (5000), not on stop
    assert stats.decoded == 3 and stats.batches == 1


def test_stop_writes_the_last_partial_batch() -> None:
    lines = read_lines(NCA)
    source = UdpSource("127.0.0.1", 0)
    config = settings(ingest_batch_size=100000, ingest_batch_seconds=3600)
    running = Background([source], config)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for k in range(0, len(lines), 10):
            sender.sendto(b"\n".join(lines[k : k + 10]) + b"\n", source.address)
    wait_for(lambda: source.datagrams == 23, "every datagram")
    assert not running.updates
    stats = running.stop()
    assert stats.decoded == 196 and stats.batches == len(running.updates) == 1
    assert stats.points + stats.aside > 0


def test_datagrams_are_dropped_and_counted_when_ingest_is_behind() -> None:
    lines = single_sentences(read_lines(NCA))[:40]
    source = UdpSource("127.0.0.1", 0)

    def slow_sink(update: Update, events: Sequence[Event]) -> None:
        time.sleep(0.02)

    config = settings(ingest_queue_lines=1, ingest_batch_size=1)
    running = Background([source], config, slow_sink)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for line in lines:
            sender.sendto(line, source.address)
    wait_for(lambda: source.datagrams == len(lines), "every datagram")
    stats = running.stop()
    assert stats.datagrams_dropped > 0
    assert stats.decoded + stats.datagrams_dropped == len(lines)


def test_a_dropped_feed_is_counted_and_what_follows_is_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lines = single_sentences(read_lines(NCA))
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(WAIT_SECONDS)
    source = TcpClientSource("127.0.0.1", server.getsockname()[1], first_wait_seconds=0.05)
    # One batch of exactly every message: it is written once the last one is decoded.
    running = Background([source], settings(ingest_batch_size=len(lines)))
    with server:
        first, _ = server.accept()
        first.sendall(b"\n".join(lines[:50]) + b"\n")
        first.close()
        second, _ = server.accept()
        with second:
            second.sendall(b"\n".join(lines[50:]) + b"\n")
            wait_for(lambda: bool(running.updates), "the batch")
            stats = running.stop()
    assert stats.connections_dropped == 1 and "connection dropped" in caplog.text
    assert stats.decoded == len(lines) and stats.lines == len(lines)


def test_clients_of_a_listener_keep_their_multipart_messages_apart() -> None:
    lines = read_lines(AIS_NMEA / "gfw_multi-part.nmea")
    expected = Decoder()
    expected_count = len(list(expected.decode(lines)))
    source = TcpListenSource("127.0.0.1", 0)
    running = Background([source], settings(ingest_batch_size=2 * expected_count))
    with (
        socket.create_connection(source.address) as a,
        socket.create_connection(source.address) as b,
    ):
        for line in lines:  # the same fragments, same ids, from two receivers at once
            a.sendall(line + b"\r\n")
            b.sendall(line + b"\r\n")
    wait_for(lambda: bool(running.updates), "the batch of every message")
    stats = running.stop()
    assert stats.decoded == 2 * expected_count > 0
    assert stats.rejects == {reason: 2 * n for reason, n in expected.stats.rejects.items()}


def test_sigterm_stops_the_pipeline_and_keeps_what_was_received() -> None:
    lines = read_lines(NCA)
    source = UdpSource("127.0.0.1", 0)
    config = settings(ingest_batch_size=100000, ingest_batch_seconds=3600)
    updates: list[Update] = []
    pipeline = Pipeline([source], Tracker(config), collect(updates), config)

    def send_then_terminate() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"\n".join(lines[:20]) + b"\n", source.address)
        wait_for(lambda: source.datagrams == 1, "the datagram")
        os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    threading.Thread(target=send_then_terminate, daemon=True).start()
    with stop_on_signals(pipeline):
        stats = pipeline.run()
    assert signal.getsignal(signal.SIGTERM) is before
    assert stats.lines == 20 and stats.batches == len(updates) == 1


def test_into_the_real_store(store_url: str) -> None:
    config = settings(ingest_batch_size=30)
    with Store.open(store_url, config) as store:
        source = FileSource(str(AIS_NMEA / "amsa_nmea-timestamped.txt"))
        stats = Pipeline([source], Tracker(config), store.write, config).run()
        counts = store.counts()
    assert stats.decoded == 100 and stats.points > 0 and stats.batches == 4
    assert counts["points"] == stats.points and counts["aside"] == stats.aside


def test_the_backlog_is_bounded_in_lines_not_chunks() -> None:
    at = TickingClock()()
    queue = LineQueue(capacity=5)
    assert queue.put(Chunk([b"a"] * 4, at, "x"))
    assert not queue.offer(Chunk([b"b"] * 2, at, "x"))  # 4 + 2 lines > 5
    assert queue.offer(Chunk([b"c"], at, "x"))
    waiting = threading.Thread(target=queue.put, args=(Chunk([b"d"] * 9, at, "x"),))
    waiting.start()  # longer than the whole queue: goes in once the queue is empty
    assert queue.get(0) is not None and queue.get(0) is not None
    waiting.join(WAIT_SECONDS)
    assert queue.lines == 9
    queue.close()
    assert not queue.put(Chunk([b"e"], at, "x")) and not queue.offer(Chunk([b"e"], at, "x"))
    taken = queue.get(0)
    assert taken is not None and len(taken.texts) == 9 and queue.get(0.01) is None
