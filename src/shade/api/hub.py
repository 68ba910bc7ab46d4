"""The hub: committed writes in, each party's live stream out, to the sockets waiting.

The store calls ``commit`` in its writing thread once a write is committed; the hub learns
ship types from it (a vessel's party may depend on them), moves the feed clock, and pushes
the commit through every party's stream (``shade.access.stream``) under one lock. Sockets
(in the server's event loop) register an ``asyncio.Event`` per connection and are woken
through their loop when their party's stream has a new frame. A ticker thread pushes an
empty commit every second, so what a party may see only later (a delayed unit) goes out
when due even when the feed is quiet.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from shade.access import ReleaseRules, Viewer
from shade.access.stream import Frame, PartyStream
from shade.detect.events import Event
from shade.detect.roster import Roster
from shade.hotline.model import Change
from shade.store.store import Commit
from shade.tracks.model import Point, Static

Wake = tuple[asyncio.AbstractEventLoop, asyncio.Event]
_TICK_SECONDS = 1.0


class Hub:
    def __init__(
        self,
        parties: list[str],
        roster: Roster,
        rules: ReleaseRules,
        keep: int,
        feed_time: datetime | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.roster, self.clock, self.feed_time = roster, clock, feed_time
        self._lock = threading.Lock()
        # Every party's stream from the start (and the no-party one, for server admins):
        # frames are kept for clients that are away, and numbered from the server's start.
        self._streams: dict[str | None, PartyStream] = {
            party: PartyStream(self._viewer(party, rules), keep) for party in [None, *parties]
        }
        self._waiting: dict[str | None, set[Wake]] = {party: set() for party in self._streams}
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def _viewer(self, party: str | None, rules: ReleaseRules) -> Viewer:
        return Viewer(party, rules, self.roster.party)

    # The present

    def now(self) -> datetime:
        """The later of the clock and the newest point committed (see shade.access.apply)."""
        wall = self.clock()
        feed = self.feed_time
        return wall if feed is None or feed < wall else feed

    # In: commits, ticks, new rules

    def commit(self, commit: Commit) -> None:
        """A committed write (the store's subscriber): push it to every stream."""
        with self._lock:
            self.roster.learn(commit.statics)
            if commit.points:
                newest = max(point.at for point in commit.points)
                if self.feed_time is None or newest > self.feed_time:
                    self.feed_time = newest
            self._push(commit.points, commit.statics, commit.events, self.clock(), commit.hotline)

    def tick(self) -> None:
        """Let out what came due (delayed, coarsened) with nothing new committed."""
        with self._lock:
            self._push([], [], [], None)

    def _push(
        self,
        points: Sequence[Point],
        statics: list[Static],
        events: list[Event],
        committed: datetime | None,
        hotline: tuple[Change, ...] = (),
    ) -> None:
        now = self.now()
        for party, stream in self._streams.items():
            if stream.push(points, statics, events, now, committed, hotline) is not None:
                self._wake(party)

    def set_rules(self, rules: ReleaseRules) -> None:
        """New release rules: every stream starts a new epoch (clients take a snapshot)."""
        with self._lock:
            for party, stream in self._streams.items():
                stream.viewer = self._viewer(party, rules)
                self._wake(party)

    # Out: frames to sockets

    def viewer(self, party: str | None) -> Viewer:
        return self._stream(party).viewer

    def position(self, party: str | None) -> tuple[str, int]:
        """The stream's (epoch, seq) now: a snapshot taken after this holds frame seq."""
        with self._lock:
            stream = self._stream(party)
            return stream.epoch, stream.seq

    def since(self, party: str | None, seq: int, epoch: str) -> list[Frame] | None:
        """Frames after ``seq`` of that epoch; None if the client needs a snapshot."""
        with self._lock:
            return self._stream(party).since(seq, epoch)

    def listen(self, party: str | None, wake: Wake) -> Callable[[], None]:
        """Wake ``wake`` whenever the party's stream has a new frame; returns the function
        that stops it."""
        with self._lock:
            waiting = self._waiting[self._known(party)]
            waiting.add(wake)

        def stop() -> None:
            with self._lock:
                waiting.discard(wake)

        return stop

    def _known(self, party: str | None) -> str | None:
        if party not in self._streams:
            raise KeyError(f"no stream for party {party!r}")
        return party

    def _stream(self, party: str | None) -> PartyStream:
        return self._streams[self._known(party)]

    def _wake(self, party: str | None) -> None:
        for loop, event in list(self._waiting[party]):
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed: its socket is gone
                self._waiting[party].discard((loop, event))

    # The ticker

    def start(self) -> None:
        if self._ticker is None:
            self._stop.clear()
            self._ticker = threading.Thread(target=self._tick, name="shade hub", daemon=True)
            self._ticker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
            self._ticker = None

    def _tick(self) -> None:
        while not self._stop.wait(_TICK_SECONDS):
            self.tick()
