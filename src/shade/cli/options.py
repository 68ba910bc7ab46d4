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
