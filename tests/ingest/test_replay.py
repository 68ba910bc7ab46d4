"""Replay: each line's time, timing scaled by speed, to UDP and TCP listeners on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from shade.config import Settings
from shade.errors import InputError
from shade.ingest.replay import DATAGRAM_BYTES, Schedule, line_time, replay
from shade.ingest.sources import TcpListenSource, UdpSource
from tests.conftest import AIS_NMEA, read_lines
from tests.ingest.conftest import Background, Running, wait_for

Run = Callable[..., Running]
NCA = AIS_NMEA / "nca_norwegian.raw"  # 223 lines over 5 s of tag-block time


def test_line_times_from_tag_blocks_and_receiver_fields() -> None:
    assert line_time(read_lines(NCA)[0]) == 1733782034.0
    trailing = b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24,raishub,1342569600"
    assert line_time(trailing) == 1342569600.0
    assert line_time(b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24") is None
    assert line_time(b"$GPRMC,whatever") is None


def test_schedule_follows_time_forward_only() -> None:
    schedule = Schedule(speed=2)
    stamps = [None, 100.0, None, 101.0, 100.0, 104.0, 103.0, 3000.0]
    # Untimed lines go with the line before; a step back is not waited for.
    assert [schedule.due(s) for s in stamps] == [0, 0, 0, 0.5, 0.5, 2, 2, 1450]
    fastest = Schedule(speed=0)
    assert {fastest.due(s) for s in stamps} == {0}


def test_every_message_of_a_capture_reaches_a_udp_listener_pipeline() -> None:
    source = UdpSource("127.0.0.1", 0)
    config = Settings(ingest_batch_size=196)  # one batch: written when the last arrives
    running = Background([source], config)
    sent = replay(str(NCA), source.name, speed=20)
    wait_for(lambda: bool(running.updates), "the batch of every message")
    stats = running.stop()
    assert sent.lines == 223 and stats.lines == 223 and stats.decoded == 196
    assert sent.sends < 223  # lines due together share datagrams
    assert stats.batches == 1 and not stats.datagrams_dropped


@pytest.mark.parametrize(
    ("name", "speed", "low", "high"),
    [
        ("nca_norwegian.raw", 10, 0.3, 2.0),  # 5 s of capture: 0.5 s
        ("amsa_ais.txt.gz", 400, 0.6, 3.0),  # 386 s of capture: about 1 s
        ("nca_norwegian.raw", 0, 0.0, 0.3),  # as fast as possible
    ],
)
def test_replay_timing_is_scaled_by_speed(
    run: Run, name: str, speed: float, low: float, high: float
) -> None:
    source = UdpSource("127.0.0.1", 0)
    running = run(source)
    sent = replay(str(AIS_NMEA / name), source.name, speed=speed)
    assert low <= sent.seconds <= high
    wait_for(lambda: source.datagrams == sent.sends, "every datagram")
    running.stop()
    assert running.texts() == [line for line in read_lines(AIS_NMEA / name) if line]
    assert max(len(b"\r\n".join(chunk.texts)) for chunk in running.chunks) <= DATAGRAM_BYTES


def test_replay_to_a_tcp_listener(run: Run) -> None:
    source = TcpListenSource("127.0.0.1", 0)
    running = run(source)
    host, port = source.address
    sent = replay(str(NCA), f"tcp://{host}:{port}", speed=0)
    wait_for(lambda: any(chunk.end for chunk in running.chunks), "the end of the replay")
    running.stop()
    assert sent.lines == 223 and running.texts() == read_lines(NCA)


def test_replay_errors_are_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    cases = [
        (f"tcp://127.0.0.1:{port}", 1.0, "cannot connect"),
        ("udp://:10110", 1.0, "replay sends to udp://HOST:PORT or tcp://HOST:PORT"),
        ("tcp-listen://127.0.0.1:10110", 1.0, "replay sends to"),
        ("udp://127.0.0.1:10110", -1.0, "speed must be 0"),
        ("udp://127.0.0.1:10110", float("nan"), "speed must be 0"),
    ]
    for to, speed, error in cases:
        with pytest.raises(InputError, match=error):
            replay(str(NCA), to, speed)
