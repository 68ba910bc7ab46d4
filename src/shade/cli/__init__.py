"""The ``shade`` command: a thin skin over the library.

Each command parses its arguments, calls the library, and prints. Every error SHADE raises
on purpose (``shade.errors.ShadeError``) becomes one line on stderr and exit status 1; usage
mistakes are click's, with exit status 2. No traceback reaches the user.
"""

from __future__ import annotations

import sys

import click

from shade import __version__
from shade.cli.decode import decode
from shade.cli.demo import demo
from shade.cli.history import track, vessels
from shade.cli.import_csv import import_csv
from shade.cli.ingest import ingest, replay
from shade.cli.settings import settings
from shade.errors import ShadeError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shade")
def cli() -> None:
    """SHADE: a shared maritime picture for parties that are not allies.

    \b
    Start with:
      shade demo                            a Gulf of Aden scenario, encoded and decoded
      shade decode capture.nmea --stats     decode an AIS capture, count what it holds
      shade decode - --json < feed.nmea     decoded messages as JSON Lines
      shade ingest tcp://host:port          a live feed into the store (SQLite by default)
      shade vessels --at 2022-01-03T00:10Z  the picture at a time, from the store
      shade track 367000000 --geojson       one vessel's track
      shade settings                        every setting, its value and where it came from
    """


for command in (decode, demo, ingest, replay, vessels, track, import_csv, settings):
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("shade: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ShadeError as exc:
        click.echo(f"shade: error: {exc.message}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # The reader (head, less) went away: not an error of ours.
        sys.stderr.close()
        sys.exit(0)
