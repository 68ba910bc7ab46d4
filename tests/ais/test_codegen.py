"""records.py is what the generator writes from the layout table, and its two paths agree."""

from __future__ import annotations

import random

import pytest

from shade.ais import codegen
from shade.ais.layouts import LAYOUTS
from shade.ais.payload import decode_partial
from shade.ais.records import DECODERS


def test_records_file_is_up_to_date() -> None:
    assert codegen.TARGET.read_text(encoding="utf-8") == codegen.render(), (
        "records.py is stale: run python -m shade.ais.codegen"
    )


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_fast_decoder_equals_the_general_one(layout: codegen.Layout) -> None:
    """The generated straight-line code and the field-by-field reader give the same record."""
    rng = random.Random(layout.name)
    _, fast, needed = DECODERS[layout.name]
    for _ in range(200):
        n = rng.randint(needed, layout.bits + 12)
        v = rng.getrandbits(n)
        assert fast(v, n) == decode_partial(layout, v, n)
