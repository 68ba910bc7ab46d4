"""Party streams: numbered frames with no gap, what each party may see, replay of the kept
frames after a client's last one, a new epoch with new rules, merging for a slow client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shade.access import Release, ReleaseRules, Viewer
from shade.access.release import Mode
from shade.access.stream import PartyStream, merge
from shade.detect.events import Event, EventKind, event_id
from shade.tracks.model import Point, Static

T0 = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
OURS, THEIRS, NEUTRAL = 235000001, 412000001, 636000001
PARTY = {OURS: "nato", THEIRS: "plan"}


def viewer(rules: dict[tuple[str, str], Release] | None = None) -> Viewer:
    return Viewer("nato", ReleaseRules(rules or {}), PARTY.get)


def point(mmsi: int, seconds: float, lon: float = 45.0) -> Point:
    return Point(mmsi, T0 + timedelta(seconds=seconds), 12.0, lon, 10.0, 90.0, 90, 0, 1, "rx")


def event(mmsi: int, seconds: float) -> Event:
    start = T0 + timedelta(seconds=seconds)
    return Event(
        event_id(EventKind.GAP, (mmsi,), start), EventKind.GAP, (mmsi,), (PARTY.get(mmsi),),
        start, None, None, {"gap_min": 10.0},
    )  # fmt: skip


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_frames_are_numbered_without_gaps_and_hold_only_what_the_party_may_see() -> None:
    stream = PartyStream(viewer(), keep=10)
    first = stream.push([point(OURS, 0), point(THEIRS, 0), point(NEUTRAL, 0)], [], [], at(0))
    assert first is not None and first.seq == 1
    assert [p.mmsi for p in first.points] == [OURS, NEUTRAL]  # plan's: hidden
    # Nothing the party may see: no frame, and no number used.
    assert stream.push([point(THEIRS, 10)], [], [event(THEIRS, 10)], at(10)) is None
    second = stream.push([], [], [event(OURS, 20)], at(20))
    assert second is not None and second.seq == 2 and stream.seq == 2


def test_statics_go_out_for_vessels_shown_in_full_only() -> None:
    rules = {("plan", "nato"): Release(Mode.DELAYED, minutes=5)}
    stream = PartyStream(viewer(rules), keep=10)
    statics = [Static(OURS, at(0), {"shipname": "A"}), Static(THEIRS, at(0), {"shipname": "B"})]
    frame = stream.push([], statics, [], at(0))
    assert frame is not None and [s.mmsi for s in frame.statics] == [OURS]


def test_delayed_points_come_out_in_a_later_frame_when_due() -> None:
    rules = {("plan", "nato"): Release(Mode.DELAYED, minutes=5)}
    stream = PartyStream(viewer(rules), keep=10)
    assert stream.push([point(THEIRS, 0)], [], [], at(0)) is None
    assert stream.push([], [], [], at(299)) is None
    due = stream.push([], [], [], at(300))
    assert due is not None and [p.mmsi for p in due.points] == [THEIRS]
    assert due.committed is None


def test_since_gives_exactly_the_frames_after_the_clients_last() -> None:
    stream = PartyStream(viewer(), keep=3)
    for k in range(5):
        stream.push([point(OURS, k)], [], [], at(k))
    assert stream.since(5) == []
    assert [f.seq for f in stream.since(3) or []] == [4, 5]
    assert [f.seq for f in stream.since(2) or []] == [3, 4, 5]
    assert stream.since(1) is None  # frame 2 is no longer kept: a snapshot
    assert stream.since(6) is None  # ahead of the stream: not of this run
    assert stream.since(-1) is None
    assert stream.since(4, epoch="another run") is None
    assert [f.seq for f in stream.since(4, epoch=stream.epoch) or []] == [5]


def test_new_rules_drop_what_was_held_and_start_a_new_epoch() -> None:
    rules = {("plan", "nato"): Release(Mode.DELAYED, minutes=5)}
    stream = PartyStream(viewer(rules), keep=10)
    stream.push([point(OURS, 0), point(THEIRS, 0)], [], [], at(0))
    old = stream.epoch
    stream.viewer = viewer({})  # plan hides its units now
    assert stream.epoch != old and stream.since(1, epoch=old) is None
    # The held point of plan's is never let out, not even once due.
    assert stream.push([], [], [], at(600)) is None
    assert stream.since(1, epoch=stream.epoch) == []


def test_merge_keeps_each_vessels_newest_point_and_each_events_newest_state() -> None:
    stream = PartyStream(viewer(), keep=10)
    opened = event(OURS, 0)
    named = Static(OURS, at(0), {"shipname": "A"})
    called = Static(OURS, at(10), {"callsign": "C"})
    closed = opened._replace(end=at(20))
    frames = [
        stream.push([point(OURS, 0, 45.0)], [named], [opened], at(0), at(0)),
        stream.push([point(OURS, 10, 45.1), point(NEUTRAL, 10)], [called], [], at(10), at(10)),
        stream.push([point(OURS, 20, 45.2)], [], [closed], at(20), at(20)),
    ]
    batch = merge([f for f in frames if f is not None], 0)
    assert (batch.first, batch.seq, batch.committed) == (1, 3, at(20))
    assert [(p.mmsi, p.lon) for p in batch.points] == [(OURS, 45.2), (NEUTRAL, 45.0)]
    assert batch.statics == [Static(OURS, at(10), {"shipname": "A", "callsign": "C"})]
    assert batch.events == [closed]
    empty = merge([], 3)
    assert empty.first > empty.seq == 3


def test_a_stream_keeps_at_least_one_frame() -> None:
    with pytest.raises(ValueError, match="at least one"):
        PartyStream(viewer(), keep=0)
