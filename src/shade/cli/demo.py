"""``shade demo``: the main job: the server, the map and a live feed from one command.

A thin skin over ``shade.sim``: a fresh store with the demo's accounts and release rules,
the server (``shade.api``) on a local port, and the Gulf of Aden scenario sent through a
real socket into ingest with every detector on, starting now; events are printed as they
are committed. ``--no-serve`` runs the feed alone, as fast as asked, and prints the picture.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from shade.cli.options import listen_options
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


def _describe_hotline(change: Any, told: set[str]) -> list[str]:
    """Lines for a hotline change not told yet: a message sent, a party's acknowledgement,
    an escalation step (``told`` remembers what was)."""
    lines = []
    message, step = change.message, change.escalation

    def when(at: datetime) -> str | None:
        return iso(at.replace(microsecond=0))

    if message is not None:
        to = ", ".join(r.party for r in message.receipts)
        if message.id not in told:
            told.add(message.id)
            said = message.english or message.text or ""
            lines.append(
                f"{when(message.sent_at)}  hotline    {message.precedence.value:<9} "
                f"{message.party} -> {to}: {said} [ledger {message.seq}]"
            )
        for receipt in message.receipts:
            key = f"{message.id}:ack:{receipt.party}"
            if receipt.acked_at is not None and key not in told:
                told.add(key)
                lines.append(
                    f"{when(receipt.acked_at)}  hotline    ack       {receipt.party} "
                    f"({receipt.acked_by}) acknowledged {message.precedence.value} from "
                    f"{message.party} [ledger {receipt.ack_seq}]"
                )
    if step is not None:
        lines.append(
            f"{when(step.at)}  hotline    escalated {step.party}: "
            f"{step.level.name.lower().replace('_', ' ')} (message {step.message[:8]})"
        )
    return lines


@click.command()
@click.option(
    "--minutes",
    type=click.IntRange(1, 24 * 60),
    help="Length of the scenario in simulated minutes [default: 120; 45 with --no-serve].",
)
@click.option(
    "--speed",
    type=click.FloatRange(min=0),
    help="Times faster than real time; 0: as fast as possible [default: 10; 60 with --no-serve].",
)
@listen_options
@click.option(
    "--no-serve",
    "no_serve",
    is_flag=True,
    help="Run the feed only (no server), then print the picture and exit.",
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
@click.option(
    "--keys",
    "keys_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo makes its fresh ledger keys (default: shade-demo-keys in the "
    "user's data directory; replaced at each run).",
)
def demo(
    minutes: int | None,
    speed: float | None,
    host: str,
    port: int,
    no_serve: bool,
    db: str | None,
    replay_path: str | None,
    nmea_path: Path | None,
    keys_dir: Path | None,
) -> None:
    """Run SHADE on the Gulf of Aden scenario: server, map and a live feed.

    Seven illustrative ships (NATO, Chinese and Japanese warships, merchant traffic and a
    dhow) sail the IRTC; one Chinese frigate crosses the NATO frigate's bow. Their AIS,
    made by SHADE's encoder, is sent over TCP on loopback into the ingest pipeline with
    every detector on (parties NATO, PLA Navy, JMSDF; the IRTC lanes as zones). The server
    shows it live at the printed URL: sign in with one of the printed accounts (fresh
    passwords each run) to see what that navy may see. Events print as they are committed.
    On the hotline, NATO warns the PLA Navy of the encounter and is answered, and a
    question to JMSDF goes unanswered and is escalated; each message and acknowledgement
    is signed into the demo's ledger (its keys in --keys).
    Without --db the demo writes a fresh shade-demo.db in your data directory (replaced at
    each run). Ctrl-C stops it.

    \b
    Examples:
      shade demo                          120 simulated minutes at 10x, served on :8000
      shade demo --port 0                 any free port
      shade demo --no-serve --speed 0     the feed alone, as fast as possible, then exit
      shade demo --replay feed.nmea       any capture instead of the scenario
    """
    if db is None:
        path = demo_database()
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        db = f"sqlite:///{path}"
    if nmea_path is not None and not nmea_path.parent.is_dir():
        raise InputError(f"{nmea_path}: no such directory {nmea_path.parent}")
    if minutes is None:
        minutes = 45 if no_serve else 120
    if speed is None:
        speed = 60.0 if no_serve else 10.0
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

    if not no_serve:
        keys = keys_dir or demo_database().with_name("shade-demo-keys")
        _serve(db, minutes, speed, host, port, on_event, what, pace, nmea_path, replay_path, keys)
        return
    from shade.sim.demo import run_demo  # the store and detectors load when it runs

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


def _serve(
    db: str,
    minutes: int,
    speed: float,
    host: str,
    port: int,
    on_event: Callable[[Event], None],
    what: str,
    pace: str,
    nmea_path: Path | None,
    replay_path: str | None,
    keys: Path,
) -> None:
    from shade.api import Server
    from shade.api.run import Background, default_web, serve
    from shade.config import load_settings
    from shade.hotline import actions
    from shade.hotline.model import Change
    from shade.sim.accounts import seed
    from shade.sim.demo import DEMO_PARTIES, DemoFeed
    from shade.sim.hotline import Exchange, demo_keys, demo_settings
    from shade.sim.zones import irtc_zones
    from shade.store import Store
    from shade.store.store import Commit

    logging.basicConfig(level=logging.WARNING, format="shade: %(message)s")
    settings = demo_settings(load_settings(), speed)
    with Store.open(db, settings) as store:
        users = seed(store)
        web = default_web()
        signers = demo_keys(keys)
        server = Server.open(store, DEMO_PARTIES, tuple(irtc_zones()), settings, web, signers)
        start = datetime.now(UTC).replace(microsecond=0)
        feed = DemoFeed(store, minutes, speed, nmea_path, replay_path, start_at=start)

        def check_event(event: Event, sender: str, receivers: list[str]) -> dict[str, Any]:
            viewer = server.hub.viewer(sender)
            return actions.check_event(
                event, event.id, sender, receivers, viewer.rules, viewer.party_of, server.hub.now()
            )

        exchange = Exchange(store, signers, settings, check_event)

        def announce(commit: Commit) -> None:
            for event in commit.events:
                on_event(event)
            for change in commit.hotline:
                if change.message is not None or change.escalation is not None:
                    on_hotline(change)

        told: set[str] = set()

        def on_hotline(change: Change) -> None:
            for line in _describe_hotline(change, told):
                try:
                    click.echo(line)
                    sys.stdout.flush()
                except BrokenPipeError:
                    return

        store.subscribe(announce)
        store.subscribe(exchange.on_commit)

        def started(url: str) -> None:
            click.echo(f"SHADE demo: {what}, sent {pace} to {feed.address}")
            click.echo(f"store: {db}")
            if web is None:
                click.echo("no browser view built: run ./run web (the API is served)")
            click.echo(f"\nopen {url} and sign in as (passwords are new each run):")
            for user in users:
                who = user.party or "server admin"
                click.echo(f"  {user.name:<11} {user.password}   {who}, {user.role.value}")
            click.echo(f"API: {url}api/docs    Ctrl-C stops")
            click.echo(f"ledger keys: {keys}/public-keys.txt (verify an export with them)\n")
            sys.stdout.flush()

        work = [Background("demo feed", feed.run, feed.stop)]
        serve(server, host, port, started, work)
        exchange.stop()
