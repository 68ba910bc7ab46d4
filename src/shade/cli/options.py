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
