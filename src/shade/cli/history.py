"""``shade vessels`` and ``shade track``: the picture at a time, one vessel's track.

Also the pieces every database command shares: the ``--db`` option, times as arguments.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
import orjson

from shade.config import load_settings
from shade.errors import InputError, NotFoundError
from shade.store import Store, default_path
from shade.store.picture import BBox, check_bbox
from shade.tracks.export import iso, point_json, track_geojson, vessel_json
from shade.tracks.model import Point, Vessel

F = TypeVar("F", bound=Callable[..., Any])
_MMSI = click.IntRange(1, (1 << 30) - 1)


def db_option(command: F) -> F:
    """The --db option of the commands that use the database."""
    return click.option(
        "--db",
        metavar="URL",
        default=None,
        help="Database: sqlite:///PATH (or a bare PATH) or postgresql://USER:PASSWORD@HOST/DB. "
        "Default: a SQLite file in the user's data directory (printed on stderr).",
    )(command)


# The commands that pass ``new`` to open_store, and ingest, serve and demo (Store.open).
_MAKERS = "shade ingest, import-csv, serve and user add"


def open_store(db: str | None, new: bool = False) -> Store:
    """The store at ``db`` (None: the default file, printed). Only the commands that put
    something in pass ``new``: the others refuse a SQLite file that is not there."""
    if db is None:
        click.echo(f"shade: database {default_path()}", err=True)
    try:
        return Store.open(db, load_settings(), new=new)
    except NotFoundError as exc:
        raise NotFoundError(f"{exc.message}: check --db ({_MAKERS} make one)") from None


def parse_time(text: str) -> datetime:
    """An ISO 8601 time: with Z or an offset, or naive (taken as UTC); a date means midnight."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO 8601 time (e.g. 2022-01-03T00:20:00Z)"
        ) from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _time_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    return None if value is None else parse_time(value)


def parse_bbox(text: str) -> BBox:
    """W,S,E,N in degrees."""
    try:
        west, south, east, north = (float(x) for x in text.split(","))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not four numbers W,S,E,N (e.g. 42,10,54,16)"
        ) from None
    try:
        return check_bbox((west, south, east, north))
    except InputError as exc:
        raise click.BadParameter(exc.message) from None


def _bbox_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    return None if value is None else parse_bbox(value)


def _write_lines(lines: Iterable[bytes]) -> None:
    out = sys.stdout.buffer
    for line in lines:
        out.write(line + b"\n")
    out.flush()


def _num(value: float | int | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _vessel_row(v: Vessel) -> str:
    return (
        f"{v.mmsi:>9}  {iso(v.at) or '-':<20}  {_num(v.lat, '.5f'):>9}  {_num(v.lon, '.5f'):>10}"
        f"  {_num(v.speed, '.1f'):>5}  {_num(v.course, '.1f'):>5}  {_num(v.heading, 'd'):>3}"
        f"  {_num(v.status, 'd'):>2}  {_num(v.ship_type, 'd'):>4}  {v.callsign or '-':<8}"
        f"  {v.shipname or '-'}"
    )


_VESSEL_HEADER = (
    f"{'MMSI':>9}  {'AT (UTC)':<20}  {'LAT':>9}  {'LON':>10}  {'SOG':>5}  {'COG':>5}  "
    f"{'HDG':>3}  {'NS':>2}  {'TYPE':>4}  {'CALLSIGN':<8}  NAME"
)


@click.command()
@db_option
@click.option(
    "--at",
    metavar="TIME",
    callback=_time_option,
    help="The time of the picture (default: the newest position's).",
)
@click.option(
    "--bbox",
    metavar="W,S,E,N",
    callback=_bbox_option,
    help="Only vessels in this box, in degrees (W > E crosses the antimeridian).",
)
@click.option("--json", "as_json", is_flag=True, help="Write JSON Lines: one object per vessel.")
def vessels(db: str | None, at: datetime | None, bbox: BBox | None, as_json: bool) -> None:
    """The picture at a time: each vessel's latest position at or before it.

    A vessel is shown if its latest position at or before the time is at most
    picture_max_age_minutes old (see shade settings); its static data are the latest
    known. Without --at the time is the newest position in the database. TIME is ISO
    8601, e.g. 2022-01-03T00:20:00Z; without an offset it is UTC.

    \b
    --json objects, one per vessel, ordered by MMSI (a stable interface):
      mmsi, at (UTC ISO 8601 with Z), lat, lon, speed (knots), course, heading,
      status, shipname, callsign, imo, ship_type, to_bow, to_stern, to_port,
      to_starboard, destination, eta (UTC ISO 8601), draught; null when unknown.

    \b
    Examples:
      shade vessels --db picture.db --at 2022-01-03T00:20Z --bbox=-125,32,-117,38
      shade vessels --db postgresql://shade@db/shade --json | jq .shipname
    """
    with open_store(db) as store:
        when = at if at is not None else store.latest_time()
        found = [] if when is None else store.vessels_at(when, bbox=bbox)
    if as_json:
        _write_lines(orjson.dumps(vessel_json(v)) for v in found)
    else:
        _write_lines(line.encode() for line in [_VESSEL_HEADER, *map(_vessel_row, found)])
    picture = "the database has no positions" if when is None else f"at {iso(when)}"
    click.echo(f"shade: {len(found):,} vessels {picture}", err=True)


def _point_row(p: Point) -> str:
    return (
        f"{iso(p.at):<27}  {p.lat:>9.5f}  {p.lon:>10.5f}  {_num(p.speed, '.1f'):>5}"
        f"  {_num(p.course, '.1f'):>5}  {_num(p.heading, 'd'):>3}  {_num(p.status, 'd'):>2}"
        f"  {p.msg_type:>4}  {p.source or '-'}"
    )


_POINT_HEADER = (
    f"{'AT (UTC)':<27}  {'LAT':>9}  {'LON':>10}  {'SOG':>5}  {'COG':>5}  {'HDG':>3}  "
    f"{'NS':>2}  {'TYPE':>4}  SOURCE"
)


@click.command()
@click.argument("mmsi", type=_MMSI)
@db_option
@click.option(
    "--from", "start", metavar="TIME", callback=_time_option, help="First time (inclusive)."
)
@click.option("--to", "end", metavar="TIME", callback=_time_option, help="Last time (inclusive).")
@click.option("--json", "as_json", is_flag=True, help="Write JSON Lines: one object per point.")
@click.option("--geojson", is_flag=True, help="Write one GeoJSON Feature with a LineString.")
def track(
    mmsi: int,
    db: str | None,
    start: datetime | None,
    end: datetime | None,
    as_json: bool,
    geojson: bool,
) -> None:
    """One vessel's track: its positions between two times, in time order.

    TIME is ISO 8601, e.g. 2022-01-03T00:20:00Z; without an offset it is UTC. Positions
    kept aside by the sanity filter are not part of the track.

    \b
    --json objects, one per position (a stable interface):
      mmsi, at (UTC ISO 8601 with Z), lat, lon, speed (knots), course, heading,
      status, msg_type, source; null when unknown.
    --geojson: one Feature, geometry a LineString of [lon, lat] (a Point for a
      single position, null for none), properties mmsi, times (one per
      coordinate), start, end.

    \b
    Examples:
      shade track 367379190 --db picture.db --from 2022-01-03T00:00Z --to 2022-01-03T01:00Z
      shade track 367379190 --db picture.db --geojson > track.geojson
    """
    if as_json and geojson:
        raise click.UsageError("--json and --geojson cannot go together")
    if start is not None and end is not None and start > end:
        raise click.BadParameter(f"{iso(start)} is after --to {iso(end)}", param_hint="--from")
    with open_store(db) as store:
        points = store.track(mmsi, start, end)
    if geojson:
        _write_lines([orjson.dumps(track_geojson(mmsi, points))])
    elif as_json:
        _write_lines(orjson.dumps(point_json(p)) for p in points)
    else:
        _write_lines(line.encode() for line in [_POINT_HEADER, *map(_point_row, points)])
    click.echo(f"shade: {len(points):,} positions of {mmsi}", err=True)
