"""Applying the release rules: what one viewer gets of the picture, of tracks, of events.

This is the one place where the rules of ``shade.access.release`` become answers. Every
server path that returns positions (REST, WebSocket, exports, track history, events) hands
what it found here and returns what comes back, nothing else. The functions are pure: the
caller passes the time and reads the store.

Whose a vessel is: ``Viewer.party_of(mmsi)`` (for the server, ``Roster.party`` with the
store's ship types known, so flag-state rules narrowed to ship types apply), the same
function on every path, so no path shows a vessel another hides. A vessel whose ship type
is not known yet is judged by its MMSI alone.

``now`` is the present the delays count back from: pass the later of the wall clock and the
newest point time the server holds, so a delay holds in a replay of old data as well.

What each mode gives (N: the rule's minutes or nautical miles):

full       Everything, as found.
delayed    The picture shows the unit as it was at ``min(at, now) - N``; a track only its
           points at or before ``now - N``; a vessel row only if its time is at or before
           the cut. Identity statics (name, call sign, IMO, type, dimensions) are kept: they
           do not change with the voyage. Voyage data (destination, ETA, draught) are
           dropped: the store keeps only their newest value, which may be newer than the cut.
coarsened  Live to the minute: a position is the centre of its grid cell (``snap``), speed
           to the whole knot, course to 10 degrees, heading dropped, time rounded down to
           the minute, voyage data and a point's receiving station dropped (a station's
           reach can be smaller than the cell); and only once that minute is over (the
           picture shows it as at the end of the last whole minute before ``at``/``now``),
           or a viewer asking every second would learn to the second when it entered a
           cell. A track is one point per visit to a cell: its entry (the first point of
           the visit among those given), so a track says where the unit went and when, to
           the cell and the minute, and no more. Identity statics are kept.
hidden     Nothing: absent from the picture, an empty track. The caller must answer a
           request about a hidden vessel exactly as one about an MMSI never seen (same
           status, same body), or the answer itself tells that it exists.

The grid (``snap``): rows of N/60 degrees of latitude from the equator, so N nm tall; each
row cut into the whole number of cells that makes them at least N nm wide at the row's
middle latitude, starting at 180 W. Cells are about N x N nm everywhere; a whole number of
cells per row means none straddles the antimeridian (180 W is a cell edge, and a unit at
179.99 E and one at 179.99 W are in two neighbouring cells). Towards the poles a row has
fewer cells, wider in degrees but never narrower than N nm: the last row before a pole,
about pi N nm round, has three; one cut short by the pole (when 90 degrees is not a whole
number of rows) has its centre halfway between its edge and the pole, and may be a single
cell, centred at 0 E. What coarsening cannot hide: a viewer watching the picture sees the
minute a unit crosses into the next cell, so roughly where it was along that edge then;
coarsening bounds what one answer tells, not what a patient watcher infers.

Areas and time windows must be applied to what is released, never to the exact values:
``picture`` takes ``within`` for that, and ``track_window`` gives the time window to read
from the store. A query on exact positions would tell a viewer whether a coarsened unit is
inside a box smaller than its cell; one on exact times, when to the second it entered one.

Events (``event_visible``): an event is visible when, for every vessel it names and for
each of its parties (the one the event recorded and the one ``party_of`` gives now: both
must agree to it), either

* that party's rule to the viewer has ``events`` set: the owner releases events naming its
  units, in full and live, whatever its units' mode (the geometry then shows where they
  were, which is what the owner agrees to), or
* the mode is full, or
* the mode is delayed by N and the event ended at or before ``now - N``: an event's newest
  state carries figures and geometry up to its end, so it can be shown only once all of it
  is N minutes old. An open event of a delayed unit is never shown without ``events``.

An event naming a coarsened (or hidden) unit is not shown without ``events``: its mere
existence says more than the cell (an encounter: within cpa_nm of another vessel; a zone:
inside a polygon whose edge may cross the cell), so no coarsened form of it is exact.
Events are passed through whole or not at all. An event not visible now may become so
later (delayed): ``event_visible_from`` says when.

Hidden is not the only way to know nothing: whether a vessel exists is itself released.
Answer a request about a vessel exactly as one about an MMSI never seen (same status, same
body) unless the viewer may see its row (``release_vessel``; for a delayed unit, its row as
at ``now - N``: a unit first seen less than N minutes ago does not exist yet to the viewer).

A live stream (a WebSocket) must not push sooner than these functions answer: ``Live``
holds delayed points until they are N minutes old, coarsened ones until their minute is
over, and events until they become visible.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from shade.access.release import Mode, Release, ReleaseRules
from shade.detect.events import Event
from shade.tracks.model import Point, Vessel

_VOYAGE: Final[dict[str, Any]] = {"destination": None, "eta": None, "draught": None}
_MINUTE: Final = timedelta(minutes=1)
_MICROSECOND: Final = timedelta(microseconds=1)
_LAST_MICROSECOND: Final = _MINUTE - _MICROSECOND
_ALWAYS: Final = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a party id (None: no party, e.g. a server-wide admin), the rules,
    and how to tell a vessel's party (None: neutral)."""

    party: str | None
    rules: ReleaseRules
    party_of: Callable[[int], str | None]

    def release(self, mmsi: int) -> Release:
        """How the vessel appears to this viewer."""
        return self.rules.rule(self.party_of(mmsi), self.party)

    @property
    def delays(self) -> list[int]:
        """The distinct delays (minutes) some party set for this viewer, ascending."""
        towards = self.rules.towards(self.party).values()
        return sorted({r.minutes for r in towards if r.minutes is not None})

    @property
    def coarsens(self) -> bool:
        """Whether some party coarsens its units to this viewer. If not, the picture may be
        read from the store already narrowed to an area: exact positions are then all the
        viewer would get anyway."""
        return any(r.mode is Mode.COARSENED for r in self.rules.towards(self.party).values())


def snap(lat: float, lon: float, nm: float) -> tuple[float, float]:
    """The centre (lat, lon) of the cell of the N nm grid holding the position (see the
    module docstring). Every position in a cell gives the same centre; a centre gives
    itself."""
    step = nm / 60.0
    rows = math.ceil(90.0 / step)  # rows from the equator to a pole, the last maybe cut short
    row = min(max(math.floor(lat / step), -rows), rows - 1)
    south = max(row * step, -90.0)
    north = min((row + 1) * step, 90.0)
    middle = (south + north) / 2
    cells = max(1, math.floor(360.0 * 60.0 * math.cos(math.radians(middle)) / nm))
    width = 360.0 / cells
    column = min(math.floor(((lon + 180.0) % 360.0) / width), cells - 1)
    return middle, -180.0 + (column + 0.5) * width


def release_vessel(viewer: Viewer, vessel: Vessel, now: datetime) -> Vessel | None:
    """The vessel row as the viewer may see it, or None. A delayed unit's row must be the
    one as at ``now - N`` (``Store.vessels_at``): a newer one gives None."""
    return _vessel(viewer.release(vessel.mmsi), vessel, now)


def picture(
    viewer: Viewer,
    at: datetime,
    now: datetime,
    vessels_at: Callable[[datetime], Iterable[Vessel]],
    within: Callable[[Vessel], bool] | None = None,
) -> list[Vessel]:
    """The picture at ``at`` as the viewer may see it, by MMSI.

    ``vessels_at(t)`` gives the whole picture at ``t``; it is called for ``at``; if some
    party coarsens its units to this viewer, for the end of the last whole minute before
    ``min(at, now)``; then once for each distinct delay some party set for this viewer (at
    ``min(at, now) - N``). It must not be narrowed to an area unless ``not
    viewer.coarsens``: pass the area as ``within``, which is applied to the released
    vessels.
    """
    releases: dict[str | None, Release] = {}

    def release(mmsi: int) -> Release:
        owner = viewer.party_of(mmsi)
        found = releases.get(owner)
        if found is None:
            found = releases[owner] = viewer.rules.rule(owner, viewer.party)
        return found

    shown = [vessel for vessel in vessels_at(at) if release(vessel.mmsi).mode is Mode.FULL]
    present = min(at, now)
    if viewer.coarsens:
        for vessel in vessels_at(_minute(present) - _MICROSECOND):
            rule = release(vessel.mmsi)
            if rule.mode is Mode.COARSENED:
                shown.append(_coarse_vessel(vessel, _nm(rule)))
    for minutes in viewer.delays:
        for vessel in vessels_at(present - timedelta(minutes=minutes)):
            rule = release(vessel.mmsi)
            if rule.minutes == minutes:
                found = _vessel(rule, vessel, present)
                if found is not None:
                    shown.append(found)
    if within is not None:
        shown = [vessel for vessel in shown if within(vessel)]
    shown.sort(key=lambda vessel: vessel.mmsi)
    return shown


def track_window(
    viewer: Viewer, mmsi: int, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime | None, datetime | None] | None:
    """The window of point times (inclusive; None: open) to read from the store for a
    request for the vessel's track over [start, end], or None if there is nothing to read:
    as asked when full; ending at ``now - N`` at the latest when delayed; widened to whole
    minutes when coarsened (so the answer is the same for any bounds within the same
    minutes), ending before the minute of ``now``; None when hidden, or when the window
    is over before it begins."""
    rule = viewer.release(mmsi)
    if rule.mode is Mode.HIDDEN:
        return None
    if rule.mode is Mode.DELAYED:
        cut = now - timedelta(minutes=_minutes(rule))
        end = cut if end is None else min(end, cut)
        return None if start is not None and start > end else (start, end)
    if rule.mode is Mode.COARSENED:
        cut = _minute(now) - _MICROSECOND
        start = None if start is None else _minute(start)
        end = cut if end is None else min(_minute(end) + _LAST_MICROSECOND, cut)
        return None if start is not None and start > end else (start, end)
    return start, end


def track(viewer: Viewer, mmsi: int, points: Iterable[Point], now: datetime) -> list[Point]:
    """The vessel's points (in time order, read over ``track_window``) as the viewer may see
    them. Empty when hidden: answer then exactly as for an MMSI never seen, never with a
    "hidden" or "forbidden" that tells the vessel exists. ValueError on another vessel's
    point."""
    chosen = list(points)
    for point in chosen:
        if point.mmsi != mmsi:
            raise ValueError(f"the track of {mmsi} was given a point of {point.mmsi}")
    return release_points(viewer, chosen, now)


def release_points(viewer: Viewer, points: Iterable[Point], now: datetime) -> list[Point]:
    """Points of any vessels (an export; each vessel's in time order) as the viewer may see
    them, in the order given: as ``track`` does for each vessel."""
    releases: dict[int, Release] = {}
    cuts: dict[int, datetime] = {}
    cells: dict[int, tuple[float, float]] = {}  # the cell of each coarsened vessel's visit
    minute = _minute(now)
    shown: list[Point] = []
    for point in points:
        rule = releases.get(point.mmsi)
        if rule is None:
            rule = releases[point.mmsi] = viewer.release(point.mmsi)
        if rule.mode is Mode.FULL:
            shown.append(point)
        elif rule.mode is Mode.DELAYED:
            minutes = _minutes(rule)
            cut = cuts.get(minutes)
            if cut is None:
                cut = cuts[minutes] = now - timedelta(minutes=minutes)
            if point.at <= cut:
                shown.append(point)
        elif rule.mode is Mode.COARSENED and point.at < minute:
            coarse = _coarse_point(point, _nm(rule))
            if cells.get(point.mmsi) != (coarse.lat, coarse.lon):
                cells[point.mmsi] = (coarse.lat, coarse.lon)
                shown.append(coarse)
    return shown


def event_visible(viewer: Viewer, event: Event, now: datetime) -> bool:
    """Whether the viewer may see the event (see the module docstring)."""
    since = event_visible_from(viewer, event)
    return since is not None and since <= now


def event_visible_from(viewer: Viewer, event: Event) -> datetime | None:
    """From when the viewer may see the event as it is (``datetime.min`` if always), or
    None if never in this state (a newer state, once it ends, may be)."""
    if len(event.parties) != len(event.mmsi):
        return None  # not the contract: whose units these are is unknown
    since = _ALWAYS
    for mmsi, recorded in zip(event.mmsi, event.parties, strict=True):
        for owner in {recorded, viewer.party_of(mmsi)}:
            rule = viewer.rules.rule(owner, viewer.party)
            if rule.events or rule.mode is Mode.FULL:
                continue
            if rule.mode is not Mode.DELAYED or event.end is None:
                return None
            since = max(since, event.end + timedelta(minutes=_minutes(rule)))
    return since


def events(viewer: Viewer, found: Iterable[Event], now: datetime) -> list[Event]:
    """The events the viewer may see, whole and in the order given."""
    return [event for event in found if event_visible(viewer, event, now)]


class Live:
    """One viewer's live stream of points and events: each goes out as soon as the functions
    above would answer with it, and no sooner. Full points at once; delayed ones once N
    minutes old (``now - N``); coarsened ones, one per cell visit, once their minute is
    over; events once ``event_visible_from`` is reached (a newer state of an event replaces
    the one held). What is held is judged again when due, by the rules as they stand then
    (a vessel's party may have changed, its ship type learned): dropped if they no longer
    allow it. It lives in memory: one ``Live`` per party, shared by its users, holds it
    once. A change of rules means a new ``Live`` (what was held is lost, never shown early).
    """

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self._order = itertools.count()  # ties in the heap go by arrival
        # Delayed points by when each may go out, with the rule that held them.
        self._delayed: list[tuple[datetime, int, Release, Point]] = []
        self._cells: dict[int, tuple[float, float]] = {}  # each coarsened vessel's cell
        self._coarse: list[tuple[Release, Point]] = []  # released, until their minute is over
        self._events: dict[str, tuple[datetime, Event]] = {}  # by id, with when it may go

    def points(self, points: Iterable[Point], now: datetime) -> list[Point]:
        """What goes out at ``now`` (the feed's time, monotone): held points now due, then
        the new ones that may go at once. Call it with no points to let due ones out."""
        fresh: list[Point] = []
        for point in points:
            self._take(point, fresh)
        out: list[Point] = []
        while self._delayed and self._delayed[0][0] <= now:
            _, _, rule, point = heapq.heappop(self._delayed)
            if self.viewer.release(point.mmsi) == rule:
                out.append(point)
            else:
                self._take(point, out)  # as a new point, by the rule of now
        if self._coarse:
            minute, held = _minute(now), self._coarse
            self._coarse = [(rule, point) for rule, point in held if point.at >= minute]
            out.extend(
                point
                for rule, point in held
                if point.at < minute and self.viewer.release(point.mmsi) == rule
            )
        out.extend(fresh)
        return out

    def _take(self, point: Point, out: list[Point]) -> None:
        rule = self.viewer.release(point.mmsi)
        if rule.mode is Mode.FULL:
            out.append(point)
        elif rule.mode is Mode.DELAYED:
            due = point.at + timedelta(minutes=_minutes(rule))
            heapq.heappush(self._delayed, (due, next(self._order), rule, point))
        elif rule.mode is Mode.COARSENED:
            coarse = _coarse_point(point, _nm(rule))
            if self._cells.get(point.mmsi) != (coarse.lat, coarse.lon):
                self._cells[point.mmsi] = (coarse.lat, coarse.lon)
                self._coarse.append((rule, coarse))

    def events(self, found: Iterable[Event], now: datetime) -> list[Event]:
        """What goes out at ``now``: held events now due, then the new ones visible now."""
        fresh: list[Event] = []
        for event in found:
            since = event_visible_from(self.viewer, event)
            self._events.pop(event.id, None)
            if since is not None and since <= now:
                fresh.append(event)
            elif since is not None:
                self._events[event.id] = (since, event)
        due = sorted((pair for pair in self._events.values() if pair[0] <= now), key=_first)
        out: list[Event] = []
        for _, event in due:
            del self._events[event.id]
            since = event_visible_from(self.viewer, event)
            if since is not None and since <= now:
                out.append(event)
            elif since is not None:
                self._events[event.id] = (since, event)
        return out + fresh


def _first(pair: tuple[datetime, Event]) -> datetime:
    return pair[0]


def _vessel(rule: Release, vessel: Vessel, now: datetime) -> Vessel | None:
    if rule.mode is Mode.FULL:
        return vessel
    if rule.mode is Mode.COARSENED:
        return _coarse_vessel(vessel, _nm(rule))
    if rule.mode is Mode.DELAYED:
        cut = now - timedelta(minutes=_minutes(rule))
        if vessel.at is None or vessel.at > cut:
            return None
        return vessel._replace(**_VOYAGE)
    return None


def _coarse_vessel(vessel: Vessel, nm: float) -> Vessel:
    lat, lon = (None, None)
    if vessel.lat is not None and vessel.lon is not None:
        lat, lon = snap(vessel.lat, vessel.lon, nm)
    return vessel._replace(
        at=None if vessel.at is None else _minute(vessel.at),
        lat=lat,
        lon=lon,
        speed=_knots(vessel.speed),
        course=_course(vessel.course),
        heading=None,
        **_VOYAGE,
    )


def _coarse_point(point: Point, nm: float) -> Point:
    lat, lon = snap(point.lat, point.lon, nm)
    return point._replace(
        at=_minute(point.at),
        lat=lat,
        lon=lon,
        speed=_knots(point.speed),
        course=_course(point.course),
        heading=None,
        source=None,
    )


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _knots(speed: float | None) -> float | None:
    return None if speed is None else float(math.floor(speed + 0.5))


def _course(course: float | None) -> float | None:
    return None if course is None else float(math.floor(course / 10 + 0.5) * 10 % 360)


def _minutes(rule: Release) -> int:
    if rule.minutes is None:  # Release guarantees it for DELAYED
        raise ValueError(f"a {rule.mode.value} release has no delay")
    return rule.minutes


def _nm(rule: Release) -> float:
    if rule.nm is None:  # Release guarantees it for COARSENED
        raise ValueError(f"a {rule.mode.value} release has no grid size")
    return rule.nm
