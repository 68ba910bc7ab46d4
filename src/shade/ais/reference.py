"""The field reference of every AIS message layout, as Markdown (docs/ais-messages.md).

Written from the layout table, so the documentation cannot drift from the decoder;
``tests/ais/test_reference.py`` fails when the committed page is out of date.
"""

from __future__ import annotations

from shade.ais.layouts import LAYOUTS, Field

# What the scaled numbers mean, by field name, where the kind alone does not say it.
UNITS = {
    "lat": "degrees (WGS 84, north positive)",
    "lon": "degrees (WGS 84, east positive)",
    "speed": "knots",
    "course": "degrees true",
    "heading": "degrees true",
    "turn": "degrees per minute (right positive); +-127 means turning, rate unknown",
    "second": "UTC second of the report",
    "draught": "metres",
    "to_bow": "metres",
    "to_stern": "metres",
    "to_port": "metres",
    "to_starboard": "metres",
    "alt": "metres",
    "airdraught": "metres",
    "length": "metres",
    "beam": "metres",
}


def _describe(field: Field) -> str:
    name = field.name.removeprefix("berth_").removeprefix("start_").removeprefix("end_")
    unit = UNITS.get(name)
    if name in ("lat", "lon") and not field.kind.name.startswith("deg"):
        unit = "minutes"
    text = unit or field.kind.doc
    if field.na is not None:
        text += f"; raw {field.na} (not available) gives null"
    if field.variable:
        text += "; may be shorter than its width"
    return text


def render() -> str:
    out = [
        "# AIS message fields",
        "",
        "Generated from `shade.ais.layouts` by `python -m shade.ais.reference`; do not edit.",
        "",
        "Every decoded message is a record with the fields below, named as pyais names them.",
        "`shade decode --json` writes the same names. A field is null when its raw value means",
        '"not available" or when the message was cut short before it. Spare bits are not',
        "decoded.",
        "",
    ]
    for layout in LAYOUTS:
        types = ", ".join(str(t) for t in layout.types)
        out += [f"## {layout.name} (type {types})", "", layout.doc, ""]
        out += ["| field | bits | type | meaning |", "|---|---|---|---|"]
        for field in layout.values:
            out.append(
                f"| `{field.name}` | {field.start}-{field.end - 1} | {field.kind.pytype} "
                f"| {_describe(field)} |"
            )
        for name, pytype, _ in layout.derived:
            out.append(f"| `{name}` | | {pytype} | computed from the fields above |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parents[3] / "docs" / "ais-messages.md"
    target.write_text(render(), encoding="utf-8")
