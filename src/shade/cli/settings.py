"""``shade settings``: every setting, the value in force, where it came from, and its help."""

from __future__ import annotations

import click

from shade.config import default_settings_path, resolve


@click.command()
def settings() -> None:
    """List every setting with its value, its origin and what it does.

    A value comes from the environment (SHADE_<NAME>), else the settings file
    (SHADE_CONFIG, else ~/.config/shade/config.toml), else the default.
    """
    import os

    click.echo(f"settings file: {default_settings_path(os.environ)}")
    for setting, value, origin in resolve():
        click.echo(f"\n{setting.name} = {value}    ({origin}; default {setting.default})")
        click.echo(click.wrap_text(setting.help, initial_indent="    ", subsequent_indent="    "))
