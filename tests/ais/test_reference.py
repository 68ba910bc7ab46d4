"""docs/ais-messages.md is what the layout table says."""

from __future__ import annotations

from pathlib import Path

from shade.ais.reference import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "ais-messages.md"


def test_field_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/ais-messages.md is stale: run python -m shade.ais.reference"
    )
