"""docs/cli.md and docs/settings.md, written from the commands' --help and the settings table.

Run ``python -m shade.cli.reference`` after changing a command or a setting;
``tests/cli/test_reference.py`` fails when the committed pages are out of date.
"""

from __future__ import annotations

from pathlib import Path

import click

from shade.config import SETTINGS

DOCS = Path(__file__).resolve().parents[3] / "docs"


def cli_page() -> str:
    from shade.cli import cli

    out = [
        "# The shade command",
        "",
        "Generated from `--help` by `python -m shade.cli.reference`.",
        "",
    ]
    commands: list[tuple[str, click.Command]] = []

    def walk(name: str, command: click.Command) -> None:
        # Groups (shade, shade user, shade token) and then each of their commands.
        commands.append((name, command))
        if isinstance(command, click.Group):
            with click.Context(command, info_name=name) as group:
                for sub in command.list_commands(group):
                    found = command.get_command(group, sub)
                    assert found is not None
                    walk(f"{name} {sub}", found)

    walk("shade", cli)
    for name, command in commands:
        with click.Context(command, info_name=name) as ctx:
            out += [f"## {name}", "", "```", command.get_help(ctx), "```", ""]
    return "\n".join(out)


def settings_page() -> str:
    out = [
        "# Settings",
        "",
        "Generated from `shade.config.SETTINGS` by `python -m shade.cli.reference`.",
        "",
        "A value comes from the environment (`SHADE_<NAME>`), else the settings file (TOML;",
        "`SHADE_CONFIG` names it, else `~/.config/shade/config.toml`), else the default.",
        "`shade settings` shows the values in force.",
        "",
        "| setting | environment | default | meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        out.append(f"| `{s.name}` | `SHADE_{s.name.upper()}` | {s.default} | {s.help} |")
    return "\n".join(out) + "\n"


def main() -> None:
    (DOCS / "cli.md").write_text(cli_page(), encoding="utf-8")
    (DOCS / "settings.md").write_text(settings_page(), encoding="utf-8")


if __name__ == "__main__":
    main()
