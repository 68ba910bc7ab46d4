"""The ``shade`` command: a thin skin over the library.

Each command parses its arguments, calls the library, and prints. Every error SHADE raises
on purpose (``shade.errors.ShadeError``) becomes one line on stderr and exit status 1; usage
mistakes are click's, with exit status 2. No traceback reaches the user.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from shade import __version__
from shade.errors import ShadeError

# Each command's module, imported only when the command runs (or --help lists them all):
# `shade decode` should not pay for SQLAlchemy and Alembic, which the store commands need.
COMMANDS = {
    "decode": "shade.cli.decode:decode",
    "demo": "shade.cli.demo:demo",
    "detect": "shade.cli.detect:detect",
    "events": "shade.cli.detect:events",
    "ingest": "shade.cli.ingest:ingest",
    "replay": "shade.cli.ingest:replay",
    "vessels": "shade.cli.history:vessels",
    "track": "shade.cli.history:track",
    "import-csv": "shade.cli.import_csv:import_csv",
    "serve": "shade.cli.serve:serve",
    "settings": "shade.cli.settings:settings",
    "user": "shade.cli.accounts:user",
    "token": "shade.cli.accounts:token",
    "keys": "shade.cli.ledger:keys",
    "ledger": "shade.cli.ledger:ledger",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, name = COMMANDS[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shade")
def cli() -> None:
    """SHADE: a shared maritime picture for parties that are not allies.

    \b
    Start with:
      shade demo                            a Gulf of Aden scenario, live: server, map, feed
      shade serve --parties parties.toml    the API, the live stream and the map
      shade decode capture.nmea --stats     decode an AIS capture, count what it holds
      shade decode - --json < feed.nmea     decoded messages as JSON Lines
      shade ingest tcp://host:port          a live feed into the store (SQLite by default)
      shade vessels --at 2022-01-03T00:10Z  the picture at a time, from the store
      shade track 367000000 --geojson       one vessel's track
      shade ingest feed.nmea --detect --parties parties.toml --zones zones.geojson
      shade events --kind encounter         what the detectors found
      shade keys generate --party nato      a party's key for the hotline's signed record
      shade ledger verify DIR --keys FILE   check an exported record alone, offline
      shade settings                        every setting, its value and where it came from
    """


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
        # The reader (head, less) went away: not an error of ours. Python would still try
        # to flush stdout at exit and fail: point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
