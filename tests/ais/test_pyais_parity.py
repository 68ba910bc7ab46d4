"""Every message pyais decodes in the recorded captures, shade decodes to the same fields.

pyais 3.3.1 is the reference. Where the two differ, the difference is one of a few named
kinds, each checked to be exactly that:

- NOT_AVAILABLE: shade gives None where pyais gives the field's raw "not available" value.
- PYAIS_ENUM_DEFAULT: pyais maps a number its enums do not list (a reserved ship type 39,
  EPFD 14 ...) to a default member; shade keeps the number that was sent.
- PYAIS_UNSIGNED: pyais reads the DGNSS station's position (type 17) as unsigned numbers,
  so a southern or western station comes out 2**bits/10 minutes too large; shade reads
  them signed, as ITU-R M.1371-5 and gpsd do.
- Rejections pyais does not make: a bad or missing checksum (pyais does not check one, and
  decodes lines cut short before it), type 0 and type 28
  (not ITU-R M.1371-5 types 1-27), a payload shorter than type, repeat and MMSI.

pyais reads the fill bits as 0 when receiver fields follow the checksum (USCG style
``...,2*50,d-125,S9999,r05RTUC1,1272420459``), which gives it bits the sentence says are
padding. pyais is therefore fed each sentence without those fields; shade gets the line as
recorded.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from pathlib import Path

import pytest
from pyais.exceptions import (
    MissingPayloadException,
    UnknownMessageException,
    UnknownPartNoException,
)
from pyais.stream import IterMessages

from shade.ais import Decoder, Reject
from shade.ais.layouts import BY_NAME
from tests.conftest import nmea_files, read_lines

# Rejections of shade's that pyais does not make, and why.
ALLOWED_REJECTS = {
    Reject.BAD_CHECKSUM: "pyais does not verify checksums",
    Reject.NO_CHECKSUM: "pyais decodes a line cut before its checksum, unchecked",
    Reject.UNKNOWN_TYPE: "type 0 and type 28 are not message types of ITU-R M.1371-5",
    Reject.TOO_SHORT: "fewer than the 38 bits of type, repeat and MMSI",
}
_TRAILING = re.compile(rb"(\*[0-9A-Fa-f]{2}),.*$")


def without_receiver_fields(line: bytes) -> bytes:
    return _TRAILING.sub(rb"\1", line)


def pyais_messages(
    lines: list[bytes], failed: list[list[bytes]] | None = None
) -> list[tuple[dict[str, object], list[bytes]]]:
    """(asdict, raw fragments) of every message pyais decodes; those it fails on go to failed."""
    out = []
    for sentence in IterMessages([without_receiver_fields(line) for line in lines]):
        try:
            fields = sentence.decode().asdict()
        except (MissingPayloadException, UnknownPartNoException, UnknownMessageException):
            if failed is not None:
                failed.append(sentence.raw.split(b"\n"))
            continue
        out.append((fields, sentence.raw.split(b"\n")))
    return out


def compare(expected: dict[str, object], actual: dict[str, object], layout: str) -> Counter[str]:
    """Assert the fields agree; return the named differences found."""
    assert list(actual) == list(expected), f"field names differ for {layout}"
    fields = {field.name: field for field in BY_NAME[layout].fields}
    kinds: Counter[str] = Counter()
    for name, want in expected.items():
        got = actual[name]
        if got is None and want is not None and name in fields and fields[name].na is not None:
            field = fields[name]
            sentinel = field.na if field.kind.name == "rot" else field.kind.decode(field.na)
            assert want == sentinel, f"{name}: None from shade, {want!r} from pyais"
            kinds["NOT_AVAILABLE"] += 1
        elif layout == "DGNSSBroadcast" and name in ("lon", "lat") and got != want:
            bits = fields[name].width
            assert isinstance(got, float) and got < 0
            assert got + 2**bits / 10 == pytest.approx(want), (name, got, want)
            kinds["PYAIS_UNSIGNED"] += 1
        elif isinstance(want, enum.Enum) and got != want:
            members = type(want)._value2member_map_
            assert got not in members, f"{name}: {got!r} from shade, {want!r} from pyais"
            kinds["PYAIS_ENUM_DEFAULT"] += 1
        elif isinstance(want, float) and isinstance(got, float):
            assert got == pytest.approx(want, abs=1e-6), f"{name}: {got} != {want}"
        else:
            assert got == want, f"{name}: {got!r} from shade, {want!r} from pyais"
            assert type(got) is type(want) or isinstance(want, enum.Enum), name
    return kinds


@pytest.mark.parametrize("path", nmea_files(), ids=lambda p: p.name)
def test_every_pyais_message_decodes_alike(path: Path) -> None:
    lines = [line for line in read_lines(path) if line.strip()]
    by_line = {without_receiver_fields(line): line for line in lines}
    compared = 0
    rejected: Counter[str] = Counter()
    for expected, fragments in pyais_messages(lines):
        decoder = Decoder()
        decoded = list(decoder.decode(by_line.get(raw, raw) for raw in fragments))
        if not decoded:
            reasons = set(decoder.stats.rejects)
            assert reasons and reasons <= set(ALLOWED_REJECTS), (fragments, reasons)
            if Reject.UNKNOWN_TYPE in reasons:
                assert expected["msg_type"] in (0, 28), expected
            if Reject.TOO_SHORT in reasons:
                assert sum(len(raw.split(b",")[5]) * 6 for raw in fragments) < 38 + 6
            rejected.update(reasons)
            continue
        (one,) = decoded
        compare(expected, one.message.as_dict(), type(one.message).__name__)
        compared += 1
    assert compared > sum(rejected.values())


def test_differences_are_the_named_kinds_only() -> None:
    """Across all captures, the named differences occur, and nothing else does."""
    kinds: Counter[str] = Counter()
    for path in nmea_files():
        lines = [line for line in read_lines(path) if line.strip()]
        by_line = {without_receiver_fields(line): line for line in lines}
        for expected, fragments in pyais_messages(lines):
            decoded = list(Decoder().decode(by_line.get(raw, raw) for raw in fragments))
            if decoded:
                message = decoded[0].message
                kinds += compare(expected, message.as_dict(), type(message).__name__)
    # Both kinds are real in these captures; if one vanished, the comparison lost its teeth.
    assert kinds["NOT_AVAILABLE"] > 1000
    assert kinds["PYAIS_ENUM_DEFAULT"] > 10
    assert kinds["PYAIS_UNSIGNED"] >= 1
    assert set(kinds) == {"NOT_AVAILABLE", "PYAIS_ENUM_DEFAULT", "PYAIS_UNSIGNED"}
