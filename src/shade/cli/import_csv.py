"""``shade import-csv``: load a MarineCadastre CSV file (decoded AIS) into the database."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from shade.cli.history import db_option, open_store
from shade.store.marinecadastre import CsvImport, import_marinecadastre_csv


def format_counts(result: CsvImport, seconds: float) -> str:
    rows = [
        f"rows         {result.rows:>10,}",
        f"points       {result.points:>10,}",
        f"vessels      {result.vessels:>10,}",
        f"bad rows     {sum(result.bad_rows.values()):>10,}   (skipped)",
    ]
    for reason, count in sorted(result.bad_rows.items()):
        rows.append(f"  {reason:<19}{count:>8,}")
    rows.append(f"bad values   {result.bad_values:>10,}   (optional fields left null)")
    rate = result.rows / seconds if seconds > 0 else 0
    rows.append(f"time         {seconds:>10.1f} s ({rate:,.0f} rows/s)")
    return "\n".join(rows)


@click.command("import-csv")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def import_csv(path: Path, db: str | None) -> None:
    """Import decoded AIS positions from a MarineCadastre CSV file (plain or gzip).

    Columns: MMSI, BaseDateTime, LAT, LON, SOG, COG, Heading, VesselName, IMO,
    CallSign, VesselType, Status, Length, Width, Draft, Cargo, TransceiverClass
    (https://marinecadastre.gov/ais/). Every row becomes a position; static fields are
    merged into each vessel. Rows that cannot be read are counted by reason and skipped,
    never fatal. Counts are printed at the end; a progress bar on a terminal.

    \b
    Example:
      shade import-csv AIS_2022_01_03.csv.gz --db picture.db
    """
    started = time.perf_counter()
    with open_store(db, new=True) as store:
        click.echo(f"shade: importing {path} into {store.url}", err=True)
        if sys.stderr.isatty() and path.is_file():
            with click.progressbar(
                length=path.stat().st_size, label=path.name, file=sys.stderr, show_eta=True
            ) as bar:
                done = [0]

                def progress(position: int) -> None:
                    bar.update(position - done[0])
                    done[0] = position

                result = import_marinecadastre_csv(store, str(path), progress)
        else:
            result = import_marinecadastre_csv(store, str(path))
    click.echo(format_counts(result, time.perf_counter() - started))
