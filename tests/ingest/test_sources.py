"""Sources: SOURCE strings, files read once or followed, TCP feeds, TCP and UDP listeners.

Real files and real sockets on 127.0.0.1 (port 0: the system picks a free one), no mocks.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from shade.errors import InputError, NotFoundError
from shade.ingest.lines import LineSplitter
from shade.ingest.sources import (
    FileSource,
    SourceSpec,
    TcpClientSource,
    TcpListenSource,
    UdpSource,
    open_source,
    parse_source,
)
from tests.conftest import AIS_NMEA, read_lines
from tests.ingest.conftest import WAIT_SECONDS, Running, TickingClock, wait_for

Run = Callable[..., Running]
NCA = AIS_NMEA / "nca_norwegian.raw"


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("capture.nmea", SourceSpec("file", path="capture.nmea")),
        ("-", SourceSpec("file", path="-")),
        ("tcp://153.44.253.27:5631", SourceSpec("tcp", host="153.44.253.27", port=5631)),
        ("tcp-listen://:10110", SourceSpec("tcp-listen", port=10110)),
        ("tcp-listen://127.0.0.1:0", SourceSpec("tcp-listen", host="127.0.0.1", port=0)),
        ("udp://:10110", SourceSpec("udp", port=10110)),
        ("udp://[::1]:10110", SourceSpec("udp", host="::1", port=10110)),
    ],
)
def test_source_strings(text: str, spec: SourceSpec) -> None:
    assert parse_source(text) == spec


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "an empty SOURCE"),
        ("http://example.org:80", "unknown kind of source 'http://'"),
        ("tcp://example.org", "no port"),
        ("udp://:ten", "port must be a number"),
        ("tcp://example.org:70000", "port must be a number"),
        ("tcp://:5631", "needs a host"),
        ("tcp://example.org:0", "needs a host and a port other than 0"),
        ("tcp://example.org:5631/feed", "unexpected text"),
    ],
)
def test_bad_source_strings_are_one_line_errors(text: str, error: str) -> None:
    with pytest.raises(InputError, match=error) as caught:
        parse_source(text)
    assert "\n" not in caught.value.message


def test_files_and_ports_are_checked_when_opened(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such file"):
        open_source(str(tmp_path / "missing.nmea"))
    taken = TcpListenSource("127.0.0.1", 0)
    try:
        with pytest.raises(InputError, match="cannot listen"):
            open_source(f"tcp-listen://127.0.0.1:{taken.address[1]}")
    finally:
        taken.close()


def test_splitter_keeps_partial_lines_and_drops_carriage_returns() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"one\r\ntw") == [b"one"]
    assert splitter.feed(b"o\r") == []
    assert splitter.feed(b"\nthree") == [b"two"]
    assert splitter.end() == [b"three"]
    assert splitter.end() == []


def test_a_gzip_file_gives_every_line_stamped_once_per_read(run: Run) -> None:
    clock = TickingClock()
    path = AIS_NMEA / "amsa_ais.txt.gz"
    source = FileSource(str(path), clock=clock)
    running = run(source)
    running.thread.join(WAIT_SECONDS)
    lines = running.lines
    assert [line.text for line in lines] == read_lines(path)
    assert {line.source for line in lines} == {str(path)}
    # One clock reading per block read: the time is taken where lines are received.
    assert clock.readings == len(running.chunks) < 10
    assert {line.received_at for line in lines} == {
        clock.start.replace(second=s) for s in range(clock.readings)
    }
    assert source.position == source.size == path.stat().st_size


def test_follow_reads_appended_lines_truncation_and_rotation(tmp_path: Path, run: Run) -> None:
    lines = read_lines(NCA)
    path = tmp_path / "live.nmea"
    path.write_bytes(b"\r\n".join(lines[:3]) + b"\r\n")
    running = run(FileSource(str(path), follow=True, poll_seconds=0.02))
    running.wait_for_lines(3)

    with path.open("ab") as log:
        log.write(b"\n".join(lines[3:6]) + b"\n" + lines[6][:20])  # the writer is mid-line
        log.flush()
        running.wait_for_lines(6)
        assert len(running.lines) == 6, "a partial line waits for its newline"
        log.write(lines[6][20:] + b"\n")
    running.wait_for_lines(7)

    path.write_bytes(lines[7] + b"\n")  # truncated in place and written again
    running.wait_for_lines(8)

    rotated = tmp_path / "live.nmea.1"
    path.rename(rotated)
    with rotated.open("ab") as old:
        old.write(lines[8] + b"\n")  # written to the old file after the move
    path.write_bytes(b"\n".join(lines[9:12]) + b"\n")
    running.wait_for_lines(12)
    running.stop()
    assert running.texts() == lines[:12]


def test_follow_does_not_follow_a_gzip_file(
    tmp_path: Path, run: Run, caplog: pytest.LogCaptureFixture
) -> None:
    source = FileSource(str(AIS_NMEA / "amsa_ais.txt.gz"), follow=True)
    assert not source.follow and "not followed" in caplog.text
    running = run(source)
    running.thread.join(WAIT_SECONDS)
    assert not running.thread.is_alive()


def test_stdin_is_passed_on_as_it_comes(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = read_lines(NCA)
    read_end, write_end = os.pipe()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(os.fdopen(read_end, "rb")))
    running = run(FileSource("-"))
    with os.fdopen(write_end, "wb", buffering=0) as feed:
        feed.write(b"\r\n".join(lines[:3]) + b"\r\n")
        running.wait_for_lines(3)  # not held back until a block fills
        feed.write(b"\r\n".join(lines[3:]))
    running.thread.join(WAIT_SECONDS)  # the end of the input ends the source
    assert not running.thread.is_alive()
    assert running.texts() == lines


def _server() -> tuple[socket.socket, int]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(WAIT_SECONDS)
    return server, server.getsockname()[1]


def test_tcp_feed_reconnects_after_a_drop_and_loses_nothing_after(
    run: Run, caplog: pytest.LogCaptureFixture
) -> None:
    lines = read_lines(NCA)
    server, port = _server()
    source = TcpClientSource("127.0.0.1", port)  # the real backoff: 1 s after a drop
    running = run(source)
    with server:
        first, _ = server.accept()
        first.sendall(b"\r\n".join(lines[:50]) + b"\r\n")
        running.wait_for_lines(50)
        first.close()  # the feed drops
        second, _ = server.accept()
        with second:
            wait_for(source.connected.is_set, "the reconnection")
            second.sendall(b"\r\n".join(lines[50:]) + b"\r\n")
            running.wait_for_lines(len(lines))
            running.stop()
    assert running.texts() == lines
    assert source.drops == 1 and source.failures == 0
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert dropped == [
        f"tcp://127.0.0.1:{port}: connection dropped (closed by the server); reconnecting in 1 s"
    ]


def test_tcp_feed_retries_a_refused_connection(run: Run, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    server, port = _server()
    server.close()  # nothing listens there now
    source = TcpClientSource("127.0.0.1", port, first_wait_seconds=0.05, max_wait_seconds=0.1)
    running = run(source)
    wait_for(lambda: source.failures >= 3, "three refused attempts")
    with socket.create_server(("127.0.0.1", port)) as server:
        server.settimeout(WAIT_SECONDS)
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"late but here\n")
            running.wait_for_lines(1)
            running.stop()
    assert running.texts() == [b"late but here"]
    assert source.drops == 0
    assert "cannot connect" in caplog.text and "next try in 0.1 s" in caplog.text


def test_tcp_listener_takes_several_clients_each_a_source(run: Run) -> None:
    lines = read_lines(NCA)
    source = TcpListenSource("127.0.0.1", 0)
    running = run(source)
    a = socket.create_connection(source.address)
    b = socket.create_connection(source.address)
    names = {
        f"tcp://127.0.0.1:{a.getsockname()[1]}": lines[:100],
        f"tcp://127.0.0.1:{b.getsockname()[1]}": lines[100:],
    }
    with a, b:
        for k in range(10):  # the two clients interleaved
            a.sendall(b"\n".join(lines[k * 10 : k * 10 + 10]) + b"\n")
            b.sendall(b"\n".join(lines[100 + k * 12 : 100 + k * 12 + 12]) + b"\n")
        b.sendall(b"\n".join(lines[220:]))  # no last newline: the end of the stream ends it
    running.wait_for_lines(len(lines))
    wait_for(lambda: sum(chunk.end for chunk in running.chunks) == 2, "both clients to leave")
    running.stop()
    for name, sent in names.items():
        assert running.texts(name) == sent
    assert source.clients == 2


def test_udp_datagrams_of_several_lines_each_sender_a_source(run: Run) -> None:
    lines = read_lines(NCA)
    source = UdpSource("127.0.0.1", 0)
    running = run(source)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for k in range(0, 30, 3):
            sender.sendto(b"\r\n".join(lines[k : k + 3]) + b"\r\n", source.address)
        sender.sendto(lines[30], source.address)  # a last line without its line ending
        running.wait_for_lines(31)
        name = f"udp://127.0.0.1:{sender.getsockname()[1]}"
    running.stop()
    assert running.texts(name) == lines[:31]
    assert source.datagrams == 11
    assert [len(chunk.texts) for chunk in running.chunks] == [3] * 10 + [1]


def test_sources_stop_promptly(run: Run) -> None:
    server, port = _server()
    with server:
        sources = [
            TcpClientSource("127.0.0.1", port),
            TcpListenSource("127.0.0.1", 0),
            UdpSource("127.0.0.1", 0),
        ]
        runnings = [run(source) for source in sources]
        conn, _ = server.accept()
        with conn:
            started = time.monotonic()
            for running in runnings:
                running.stop()  # asserts that the thread ended
            assert time.monotonic() - started < 2.0
