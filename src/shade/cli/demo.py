"""``shade demo``: the main job, as far as SHADE goes today.

It encodes the Gulf of Aden scenario of ``shade.sim.scenario`` into NMEA sentences, decodes
them as any capture is decoded, and prints the picture: each ship's last report with the
name its static reports gave. Later stages replace this with the live server and map.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from shade.ais import Decoder
from shade.ais.kinds import Value
from shade.cli.decode import format_stats
from shade.errors import InputError
from shade.sim.scenario import SHIPS, reports, sentences


@click.command()
@click.option(
    "--minutes",
    default=30,
    show_default=True,
    type=click.IntRange(1, 24 * 60),
    help="Length of the scenario in simulated minutes.",
)
@click.option("--nmea", "nmea_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the scenario's NMEA sentences to this file, to try "
              "'shade decode' on.")  # fmt: skip
def demo(minutes: int, nmea_path: Path | None) -> None:
    """Encode a Gulf of Aden scenario in AIS, decode it, and print the picture.

    Six illustrative ships (NATO, Chinese and Japanese warships, merchant traffic and a
    dhow) move through the IRTC; every report goes through SHADE's encoder and decoder.
    """
    lines = sentences(reports(minutes))
    if nmea_path is not None:
        try:
            nmea_path.write_bytes(b"\r\n".join(lines) + b"\r\n")
        except OSError as exc:
            raise InputError(f"{nmea_path}: cannot be written ({exc.strerror})") from None
    decoder = Decoder()
    names: dict[int, str] = {}
    last: dict[int, tuple[dict[str, Value], datetime | None]] = {}
    for decoded in decoder.decode(lines):
        fields = decoded.message.as_dict()
        mmsi = decoded.message.mmsi
        if fields.get("shipname"):
            names[mmsi] = str(fields["shipname"])
        if fields.get("lat") is not None:
            last[mmsi] = (fields, decoded.received_at)
    click.echo(f"SHADE demo: {len(SHIPS)} ships, {minutes} minutes, {len(lines):,} sentences\n")
    click.echo(
        f"{'MMSI':<10} {'name':<20} {'lat':>9} {'lon':>10} {'kn':>5} {'course':>6}  last report"
    )
    for mmsi, (fields, at) in sorted(last.items()):
        click.echo(
            f"{mmsi:<10} {names.get(mmsi, '?'):<20} {fields['lat']!s:>9} {fields['lon']!s:>10} "
            f"{fields['speed']!s:>5} {fields['course']!s:>6}  {at or '-'}"
        )
    click.echo("\n" + format_stats(decoder.stats))
    if nmea_path is not None:
        click.echo(f"\nsentences written to {nmea_path}; try: shade decode {nmea_path} --json")
