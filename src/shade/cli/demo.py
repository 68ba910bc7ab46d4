"""``shade demo``: the main job, as far as SHADE goes today.

A thin skin over ``shade.sim.demo``: the Gulf of Aden scenario through a real socket into
ingest with every detector on, events printed as they are committed, then the picture. The
server and the map (next) will show the same store live.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shade.detect.events import Event, EventKind
from shade.errors import InputError
from shade.parties import NEUTRAL
from shade.store import default_path
from shade.tracks.export import iso

_FIGURES = {
    EventKind.ENCOUNTER: "CPA {cpa_nm} nm in {tcpa_min} min, closest {closest_nm} nm",
    EventKind.ZONE: "{zone_name}, {dwell_min} min",
    EventKind.GAP: "silent {gap_min} min",
    EventKind.LOITER: "{duration_min} min at {mean_knots} kn",
    EventKind.RENDEZVOUS: "{duration_min} min together, {closest_m} m",
}


def demo_database() -> Path:
    """The demo's own SQLite file, beside the default one: shade-demo.db."""
    return default_path().with_name("shade-demo.db")


def _describe(event: Event) -> str:
    who = " / ".join(
        f"{mmsi} ({party or NEUTRAL})"
        for mmsi, party in zip(event.mmsi, event.parties, strict=True)
    )
    state = "open  " if event.end is None else "closed"
    try:
        figures = _FIGURES[event.kind].format(**event.figures)
    except (KeyError, ValueError):
        figures = ", ".join(f"{k} {v}" for k, v in event.figures.items())
    return f"{iso(event.start)}  {event.kind.value:<10} {state} {who}: {figures}"


@click.command()
@click.option(
    "--minutes",
    default=45,
    show_default=True,
    type=click.IntRange(1, 24 * 60),
    help="Length of the scenario in simulated minutes.",
)
@click.option(
    "--speed",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Times faster than real time; 0: as fast as possible.",
)
@click.option(
    "--db",
    metavar="URL",
    help="Database (default: a fresh shade-demo.db in the user's data directory).",
)
@click.option(
    "--replay",
    "replay_path",
    metavar="PATH",
    help="Send this NMEA capture instead of the scenario.",
)
@click.option(
    "--nmea",
    "nmea_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also keep the scenario's NMEA sentences in this file.",
)
def demo(
    minutes: int,
    speed: float,
    db: str | None,
    replay_path: str | None,
    nmea_path: Path | None,
) -> None:
    """Run the Gulf of Aden scenario through SHADE, live: feed, detectors, store.

    Seven illustrative ships (NATO, Chinese and Japanese warships, merchant traffic and a
    dhow) sail the IRTC; one Chinese frigate crosses the NATO frigate's bow. Their AIS,
    made by SHADE's encoder, is sent over TCP on loopback into the ingest pipeline with
    every detector on (parties NATO, PLA Navy, JMSDF; the IRTC lanes as zones); events
    print as they are committed, and the picture at the end. Without --db the demo writes
    a fresh shade-demo.db in your data directory (replaced at each run).

    \b
    Examples:
      shade demo                       45 simulated minutes at 60x: about 45 s
      shade demo --speed 0             as fast as possible
      shade demo --replay feed.nmea    any capture instead of the scenario
    """
    from shade.sim.demo import run_demo  # the store and detectors load when it runs

    if db is None:
        path = demo_database()
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        db = f"sqlite:///{path}"
    if nmea_path is not None and not nmea_path.parent.is_dir():
        raise InputError(f"{nmea_path}: no such directory {nmea_path.parent}")
    what = replay_path or f"the Gulf of Aden scenario, {minutes} minutes"
    pace = "as fast as possible" if speed == 0 else f"at {speed:g}x"

    def listening(address: str) -> None:
        click.echo(f"SHADE demo: {what}, sent {pace} to {address}")
        click.echo(f"store: {db}\n")

    shown: set[str] = set()
    reader_gone = False

    def on_event(event: Event) -> None:
        # As it opens and as it closes; the updates between are in the store.
        nonlocal reader_gone
        if reader_gone or (event.id in shown and event.end is None):
            return
        shown.add(event.id)
        try:
            click.echo(_describe(event))
            sys.stdout.flush()
        except BrokenPipeError:
            reader_gone = True  # `shade demo | head`: the run goes on, quietly

    run = run_demo(db, minutes, speed, on_event, listening, nmea_path, replay_path)
    if reader_gone:
        raise BrokenPipeError  # shade's main ends quietly, with status 0
    stats = run.stats
    click.echo(
        f"\n{run.lines_sent:,} lines sent, {stats.lines:,} received, {stats.decoded:,} "
        f"messages, {stats.points:,} points, {len(run.events)} events"
    )
    click.echo(f"\n{'MMSI':<10} {'name':<20} {'party':<7} {'lat':>9} {'lon':>10} {'kn':>5}")
    from shade.sim.demo import DEMO_PARTIES

    for vessel in run.vessels:
        party = DEMO_PARTIES.party_of(vessel.mmsi, vessel.ship_type) or NEUTRAL
        click.echo(
            f"{vessel.mmsi:<10} {vessel.shipname or '?':<20} {party:<7} {vessel.lat!s:>9} "
            f"{vessel.lon!s:>10} {vessel.speed!s:>5}"
        )
    if nmea_path is not None:
        click.echo(f"\nsentences kept in {nmea_path}; try: shade decode {nmea_path} --json")
    click.echo(f"\nnext: shade events --db {db}")
