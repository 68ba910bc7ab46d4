"""All detectors together: each ``Update`` of the tracks in, the events it caused out.

    detection = Detection(settings, parties, zones)
    events = detection.observe(update)          # the same for live ingest and for history

It owns the feed's clock and the roster. The clock is the newest point time seen, never
the wall clock, so a run over stored history finds what the live run found; it does not
move while no points arrive, so a feed that stops entirely opens no gaps (the last points
are not overdue until newer ones show time has passed). A batch is handed to the detectors
in steps of ``detect_step_seconds`` on a fixed grid of feed time (``_steps``), so that the
events do not depend on how the points were batched. The roster learns ship types from the
update's static data before the points are judged, as party rules may depend on them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime

import numpy as np

from shade.config import Settings
from shade.detect.detector import Detector
from shade.detect.encounter import EncounterDetector
from shade.detect.events import Event, EventKind
from shade.detect.gaps import GapDetector
from shade.detect.loiter import LoiterDetector
from shade.detect.rendezvous import RendezvousDetector
from shade.detect.roster import Roster
from shade.detect.zones import Zone, ZoneDetector
from shade.parties import Parties
from shade.times import MICROS_PER_SECOND, from_micros
from shade.tracks.land import LandMask, land_mask
from shade.tracks.model import Point, Points, Update

ALL_KINDS: tuple[EventKind, ...] = tuple(EventKind)


class Detection:
    """The detectors of the kinds asked for (all by default), fed one update at a time."""

    def __init__(
        self,
        settings: Settings | None = None,
        parties: Parties | None = None,
        zones: Sequence[Zone] = (),
        kinds: Collection[EventKind] = ALL_KINDS,
        mask: Callable[[], LandMask] = land_mask,
    ) -> None:
        settings = settings or Settings()
        self.roster = Roster(parties)
        self.now: datetime | None = None
        self.opened: Counter[str] = Counter()  # events opened, by kind
        self.closed: Counter[str] = Counter()  # events closed, by kind
        makers: dict[EventKind, Callable[[], Detector]] = {
            EventKind.ENCOUNTER: lambda: EncounterDetector(self.roster, settings),
            EventKind.ZONE: lambda: ZoneDetector(self.roster, zones, settings),
            EventKind.GAP: lambda: GapDetector(self.roster, settings, zones),
            EventKind.LOITER: lambda: LoiterDetector(self.roster, settings, mask),
            EventKind.RENDEZVOUS: lambda: RendezvousDetector(self.roster, settings, mask),
        }
        self.detectors = [makers[kind]() for kind in ALL_KINDS if kind in kinds]
        self._step = settings.detect_step_seconds
        self._open: set[str] = set()  # ids of the events open now

    def observe(self, update: Update) -> list[Event]:
        """The events this update opened, changed or closed, each in its newest state."""
        self.roster.learn(update.statics)
        events: list[Event] = []
        for points, now in self._steps(update.points):
            for detector in self.detectors:
                events.extend(detector.observe(points, now))
        for event in events:
            if event.id not in self._open:
                self.opened[event.kind] += 1
            if event.end is None:
                self._open.add(event.id)
            else:
                # A closed event is final: forgotten, so memory follows open events only.
                self.closed[event.kind] += 1
                self._open.discard(event.id)
        return events

    def _steps(self, points: Sequence[Point]) -> Iterator[tuple[Points, datetime]]:
        """The points in steps of the time grid, each with the feed time at its end.

        A batch may span hours (a capture read from a file): cut on a fixed grid, it is
        judged as a live feed of the same points would be, whatever the batch sizes. Points
        older than the feed time (late arrivals) are judged in steps of their own times,
        the feed time staying as it is.
        """
        columns = Points.of(points)
        if not len(columns):
            return
        slot = np.floor_divide(columns.at / MICROS_PER_SECOND, self._step)
        # Stable: within a step, points keep their arrival order.
        order = np.argsort(slot, kind="stable")
        cuts = np.flatnonzero(np.diff(slot[order])) + 1
        for rows in np.split(order, cuts):
            step = columns if len(rows) == len(columns) else columns.take(rows)
            newest = from_micros(int(step.at.max()))
            if self.now is None or newest > self.now:
                self.now = newest
            yield step, self.now

    def open_events(self) -> list[Event]:
        """Events open now, every detector's."""
        return [event for detector in self.detectors for event in detector.open_events()]
