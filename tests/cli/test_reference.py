"""The command and settings pages in docs/ say what the code says."""

from __future__ import annotations

from shade.cli.reference import DOCS, cli_page, settings_page


def test_cli_page_is_up_to_date() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_page(), (
        "docs/cli.md is stale: run python -m shade.cli.reference"
    )


def test_settings_page_is_up_to_date() -> None:
    assert (DOCS / "settings.md").read_text(encoding="utf-8") == settings_page(), (
        "docs/settings.md is stale: run python -m shade.cli.reference"
    )
