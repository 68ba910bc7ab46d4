"""Live streams: each committed write, as one party may see it, as numbered frames.

A party's stream turns every commit (points, statics, events) into a ``Frame`` of what its
users may see now (``Live`` holds back what may go out only later), numbered 1, 2, 3... with
no gap. The stream keeps its last ``keep`` frames, so a client that lost its connection asks
for the frames after the last one it applied and gets exactly those, once; one that fell
further behind (or that comes from another run of the server: ``epoch`` differs) must start
again from a snapshot. Every user of a party sees the same stream: releasability is decided
per party, not per user.

Static data go out only for vessels shown in full: a delayed unit's statics may be newer
than its released position, a coarsened one's voyage data are not released. A client asks
for the row of any other vessel it does not know yet (``release_vessel`` decides what).

Hotline changes (a channel opened, a message sent, acknowledged or escalated) go to the
streams of the parties of their channel only, in the same numbered frames.

Pure: the caller passes the time (``now``: see ``shade.access.apply``) and does the locking.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from shade.access.apply import Live, Viewer
from shade.access.release import Mode
from shade.detect.events import Event
from shade.hotline.model import Change
from shade.tracks.model import Point, Static


class Frame(NamedTuple):
    seq: int
    now: datetime
    points: list[Point]
    statics: list[Static]
    events: list[Event]
    committed: datetime | None  # when the commit it carries was made (None: a tick)
    hotline: Sequence[Change] = ()  # never changed once made


class Batch(NamedTuple):
    """Frames ``first..seq`` merged: each vessel's newest point, statics merged per vessel,
    each event's newest state. ``first`` > ``seq`` when there was nothing to send."""

    first: int
    seq: int
    now: datetime | None
    points: list[Point]
    statics: list[Static]
    events: list[Event]
    committed: datetime | None  # of the newest commit merged
    hotline: Sequence[Change] = ()  # each key's newest, in order of change


class PartyStream:
    """The stream of one party (or of the viewer with no party)."""

    def __init__(self, viewer: Viewer, keep: int) -> None:
        if keep < 1:
            raise ValueError("a stream keeps at least one frame")
        self.epoch = secrets.token_hex(8)  # tells this run's frame numbers from another's
        self.seq = 0
        self._live = Live(viewer)
        self._frames: deque[Frame] = deque(maxlen=keep)

    @property
    def viewer(self) -> Viewer:
        return self._live.viewer

    @viewer.setter
    def viewer(self, viewer: Viewer) -> None:
        """New rules: what was held back is dropped (never shown early), as ``Live`` says,
        and the stream starts a new epoch: what clients hold was released by the old rules,
        so each must start again from a snapshot."""
        self._live = Live(viewer)
        self._frames.clear()
        self.epoch = secrets.token_hex(8)

    def push(
        self,
        points: Iterable[Point],
        statics: Iterable[Static],
        events: Iterable[Event],
        now: datetime,
        committed: datetime | None = None,
        hotline: Iterable[Change] = (),
    ) -> Frame | None:
        """The frame of a commit made at ``committed`` (or, with nothing new, of what came
        due by ``now``), or None if nothing goes out."""
        released = self._live.points(points, now)
        shown = self._live.events(events, now)
        viewer = self._live.viewer
        told = [s for s in statics if viewer.release(s.mmsi).mode is Mode.FULL]
        party = viewer.party
        heard = [c for c in hotline if party is not None and party in c.parties]
        if not (released or shown or told or heard):
            return None
        self.seq += 1
        frame = Frame(self.seq, now, released, told, shown, committed, heard)
        self._frames.append(frame)
        return frame

    def since(self, seq: int, epoch: str | None = None) -> list[Frame] | None:
        """The frames after ``seq``, in order; None if they are not all kept (or ``seq``
        is of another run, or ahead of this stream): the client needs a snapshot."""
        if (epoch is not None and epoch != self.epoch) or not 0 <= seq <= self.seq:
            return None
        if seq == self.seq:
            return []
        if not self._frames or self._frames[0].seq > seq + 1:
            return None
        start = seq + 1 - self._frames[0].seq
        return [self._frames[i] for i in range(start, len(self._frames))]


def merge(frames: Sequence[Frame], after: int) -> Batch:
    """Frames (consecutive, after frame ``after``) as one batch."""
    if not frames:
        return Batch(after + 1, after, None, [], [], [], None)
    newest: dict[int, Point] = {}
    statics: dict[int, Static] = {}
    events: dict[str, Event] = {}
    hotline: dict[str, Change] = {}
    committed: datetime | None = None
    for frame in frames:
        if frame.committed is not None and (committed is None or frame.committed > committed):
            committed = frame.committed
        for point in frame.points:
            held = newest.get(point.mmsi)
            if held is None or point.at >= held.at:
                newest[point.mmsi] = point
        for static in frame.statics:
            known = statics.get(static.mmsi)
            if known is None:
                statics[static.mmsi] = static
            else:
                statics[static.mmsi] = Static(
                    static.mmsi, max(known.at, static.at), {**known.fields, **static.fields}
                )
        for event in frame.events:
            events.pop(event.id, None)  # re-inserted: the order is that of the last change
            events[event.id] = event
        for change in frame.hotline:
            hotline.pop(change.key, None)
            hotline[change.key] = change
    return Batch(
        frames[0].seq,
        frames[-1].seq,
        frames[-1].now,
        sorted(newest.values(), key=_mmsi),
        sorted(statics.values(), key=_static_mmsi),
        list(events.values()),
        committed,
        list(hotline.values()),
    )


def _mmsi(point: Point) -> int:
    return point.mmsi


def _static_mmsi(static: Static) -> int:
    return static.mmsi
