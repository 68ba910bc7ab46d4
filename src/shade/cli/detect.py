"""``shade detect``: the detectors over stored history; ``shade events``: what they found.

Also how every command that detects opens its parties and zones files (``detection``).
"""

from __future__ import annotations

import sys
from datetime import datetime

import click
import orjson

from shade.cli.history import _time_option, db_option, open_store
from shade.cli.options import parties_option, zones_option
from shade.config import Settings, load_settings
from shade.detect.events import Event, EventKind, event_json
from shade.detect.runner import Detection
from shade.detect.zones import load_zones
from shade.parties import Parties, load_parties
from shade.tracks.export import iso
from shade.tracks.model import Update

_KINDS = click.Choice([kind.value for kind in EventKind])


def detection(settings: Settings, parties_path: str | None, zones_path: str | None) -> Detection:
    """The detectors, with the parties and zones files read (and summed up on stderr)."""
    parties = load_parties(parties_path, settings) if parties_path else Parties()
    zones = []
    if zones_path:
        found = load_zones(zones_path)
        zones = list(found.zones)
        skipped = f", {len(found.skipped)} features skipped (not polygons)" if found.skipped else ""
        click.echo(f"shade: {len(zones)} zones from {zones_path}{skipped}", err=True)
    if parties_path:
        names = ", ".join(party.id for party in parties.parties) or "none"
        click.echo(f"shade: parties from {parties_path}: {names}", err=True)
    return Detection(settings, parties, zones)


def detection_totals(found: Detection) -> str:
    rows = [f"{'events':<21}{'opened':>10}{'closed':>10}"]
    for kind in EventKind:
        rows.append(f"  {kind.value:<19}{found.opened[kind]:>10,}{found.closed[kind]:>10,}")
    return "\n".join(rows)


@click.command()
@db_option
@click.option("--from", "start", metavar="TIME", callback=_time_option, help="First point time.")
@click.option("--to", "end", metavar="TIME", callback=_time_option, help="Last point time.")
@parties_option
@zones_option
def detect(
    db: str | None,
    start: datetime | None,
    end: datetime | None,
    parties_path: str | None,
    zones_path: str | None,
) -> None:
    """Run every detector over the stored history and store the events found.

    Points are read in time order, as a live feed would have brought them, so this finds
    what `shade ingest --detect` would have found (ship types are the latest known, not
    those of the time). Events have stable ids: running again over the same history
    replaces them rather than adding copies. Progress and totals go to stderr.

    \b
    Examples:
      shade detect --db shade.db --parties parties.toml --zones zones.geojson
      shade detect --db shade.db --from 2022-01-03T00:00Z --to 2022-01-03T06:00Z
    """
    settings = load_settings()
    found = detection(settings, parties_path, zones_path)
    with open_store(db) as store:
        for mmsi, ship_type in store.ship_types().items():
            found.roster.know(mmsi, ship_type)
        total = store.count_points(start, end)
        bar = click.progressbar(
            length=total, label="detect", file=sys.stderr, show_eta=True, show_pos=True
        )
        with bar:
            for points in store.points_between(start, end):
                store.write_events(found.observe(Update(points, [], [])))
                bar.update(len(points))
    click.echo(detection_totals(found), err=True)


def _event_row(event: Event) -> str:
    vessels = " ".join(
        f"{mmsi}({party or '-'})" for mmsi, party in zip(event.mmsi, event.parties, strict=True)
    )
    figures = " ".join(
        f"{name}={value}" for name, value in event.figures.items() if value is not None
    )
    end = iso(event.end) or "open"
    return f"{event.kind.value:<11}{iso(event.start):<29}{end:<29}{vessels}  {figures}"


@click.command()
@db_option
@click.option("--kind", type=_KINDS, help="Only events of this kind.")
@click.option("--from", "start", metavar="TIME", callback=_time_option, help="Overlapping from.")
@click.option("--to", "end", metavar="TIME", callback=_time_option, help="Overlapping until.")
@click.option("--mmsi", type=click.IntRange(1, 999_999_999), help="Only events of this vessel.")
@click.option("--party", "parties", multiple=True, metavar="ID", help="Only events naming it.")
@click.option("--open", "open_only", is_flag=True, help="Only events still open.")
@click.option("--json", "as_json", is_flag=True, help="Write JSON Lines: one object per event.")
def events(
    db: str | None,
    kind: str | None,
    start: datetime | None,
    end: datetime | None,
    mmsi: int | None,
    parties: tuple[str, ...],
    open_only: bool,
    as_json: bool,
) -> None:
    """The events the detectors found, ordered by start.

    \b
    --json objects, one per event (a stable interface):
      id, kind (encounter, zone, gap, loiter, rendezvous), mmsi (list), parties (list,
      null for neutral), start, end (UTC ISO 8601 with Z; end null while open), the
      kind's figures, geometry (GeoJSON):
        encounter   cpa_nm, tcpa_min, closest_nm, distance_nm
        zone        zone, zone_name, dwell_min
        gap         gap_min, distance_nm, implied_knots, zone
        loiter      duration_min, mean_knots, shore_nm
        rendezvous  duration_min, median_knots, closest_m

    \b
    Examples:
      shade events --db shade.db --kind encounter
      shade events --db shade.db --party eunavfor --open --json | jq .cpa_nm
    """
    with open_store(db) as store:
        found = store.events(
            kind=kind,
            start=start,
            end=end,
            mmsi=mmsi,
            parties=parties or None,
            open_only=open_only,
        )
    out = sys.stdout.buffer
    if as_json:
        for event in found:
            out.write(orjson.dumps(event_json(event)) + b"\n")
        return
    header = f"{'kind':<11}{'start':<29}{'end':<29}vessels (party)  figures\n"
    out.write(header.encode())
    for event in found:
        out.write(_event_row(event).encode() + b"\n")
    click.echo(f"shade: {len(found):,} events", err=True)
