"""Options shared by commands in different modules, importable without their heavy imports."""

from __future__ import annotations

import click


def parties_option(command: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--parties",
        "parties_path",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="The parties file (TOML; see docs/detect.md). Without it every vessel is "
        "neutral and no close encounter is alerted.",
    )(command)


def zones_option(command: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--zones",
        "zones_path",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="Zones to watch: a GeoJSON FeatureCollection of polygons (others are skipped).",
    )(command)


def listen_options(command: click.decorators.FC) -> click.decorators.FC:
    """--host and --port of a command that serves."""
    command = click.option(
        "--port",
        default=8000,
        show_default=True,
        type=click.IntRange(0, 65535),
        help="Port to serve on (0: any free one).",
    )(command)
    return click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Address to serve on (0.0.0.0: every interface).",
    )(command)


def default_keys_dir() -> str:
    """Where a server keeps its keys by default, e.g. ~/.local/share/shade/keys."""
    import platformdirs

    return str(platformdirs.user_data_path("shade", appauthor=False) / "keys")


def keys_option(command: click.decorators.FC) -> click.decorators.FC:
    """--keys DIR: the directory of the log's and the hosted parties' keys."""
    return click.option(
        "--keys",
        "keys_dir",
        metavar="DIR",
        type=click.Path(file_okay=False),
        help="The ledger's keys: log.key, parties/<id>.key, public-keys.txt "
        "(`shade keys generate`). Default: keys/ in your data directory.",
    )(command)
