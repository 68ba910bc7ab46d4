"""shade's counts over the recorded captures agree with the "Counted" table of SOURCES.md.

The table was made with pyais 3.3.1 over every non-empty line. Where shade counts otherwise,
the test names why:
- sentences: the table counts lines holding ``!xxVDM``/``!xxVDO`` anywhere; in
  gpsd_sample.aivdm some are quoted inside comment lines, which are not sentences;
- messages: shade rejects what pyais decodes unchecked (bad or missing checksum, type 0
  and 28, too short: see test_pyais_parity), and joins fragments pyais cannot (pyais joins
  only fragments that follow each other, shade joins interleaved ones too);
- pyais fails on type 24 messages with part number 3 (gpsd_ais-18-27.log), which shade
  decodes as ``StaticDataReportOther``;
- types: type 28 (libais_test.aivdm) is not a type of ITU-R M.1371-5.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shade.ais import Decoder, Reject
from tests.ais.test_pyais_parity import pyais_messages
from tests.conftest import AIS_NMEA, read_lines

# file: (lines, AIS sentences, pyais messages, of them pyais decode errors, message types)
COUNTED = {
    "amsa_ais.txt.gz": (44687, 34029, 34013, 1, 23),
    "amsa_nmea-timestamped.txt": (100, 100, 100, 0, 2),
    "gfw_errors.nmea": (5, 5, 5, 0, 2),
    "gfw_multi-part.nmea": (93, 93, 43, 0, 6),
    "gpsd_ais-18-27.log": (280, 276, 276, 69, 3),
    "gpsd_ais-nmea-type6-fid55.log": (1487, 1480, 1326, 0, 16),
    "gpsd_ais-nmea.log": (1500, 183, 171, 0, 6),
    "gpsd_sample.aivdm": (1120, 133, 102, 0, 27),
    "libais_tagblock.nmea": (5, 5, 4, 0, 2),
    "libais_test.aivdm": (310, 263, 261, 0, 28),
    "nca_norwegian.raw": (223, 223, 196, 0, 6),
    "pyais_nmea_data_sample.txt": (898, 898, 878, 100, 7),
    "signalk_gofree-merrimac.log": (6324, 1507, 1459, 0, 6),
    "signalk_nais400-merrimac.log": (765, 703, 668, 0, 10),
}
_SENTENCE_ANYWHERE = re.compile(rb"!..VD[MO]")
# Rejections of messages pyais decodes (see test_pyais_parity.ALLOWED_REJECTS).
_PYAIS_ACCEPTS = {Reject.BAD_CHECKSUM, Reject.NO_CHECKSUM, Reject.UNKNOWN_TYPE, Reject.TOO_SHORT}


def test_the_table_names_every_capture() -> None:
    assert set(COUNTED) == {p.name for p in AIS_NMEA.iterdir() if p.is_file()} - {"SHA256SUMS"}


@pytest.mark.parametrize("name", sorted(COUNTED))
def test_counts_agree_with_the_table(name: str) -> None:
    lines_n, sentences_n, pyais_n, pyais_errors_n, types_n = COUNTED[name]
    lines = [line for line in read_lines(Path(AIS_NMEA / name)) if line.strip()]
    decoder = Decoder()
    decoded = list(decoder.decode(lines))
    stats = decoder.stats

    assert stats.lines == lines_n
    quoted = [line for line in lines if _SENTENCE_ANYWHERE.search(line)]
    assert len(quoted) == sentences_n
    in_comments = [line for line in quoted if line.lstrip().startswith(b"#")]
    assert stats.sentences == sentences_n - len(in_comments)
    assert not in_comments or name == "gpsd_sample.aivdm"

    failed: list[list[bytes]] = []
    reference = pyais_messages(lines, failed)
    assert len(reference) == pyais_n - pyais_errors_n
    assert len(failed) == pyais_errors_n
    # What pyais fails on: empty payloads (shade rejects them too) and type 24 with a part
    # number ITU-R M.1371-5 leaves undefined (shade keeps them, with their data as bytes).
    recovered = [m for f in failed for m in Decoder().decode(f)]
    assert all(m.message.msg_type == 24 and m.message.partno in (2, 3) for m in recovered)
    rejected_by_shade_only = 0
    for _, fragments in reference:
        check = Decoder()
        if not list(check.decode(fragments)):
            assert set(check.stats.rejects) <= _PYAIS_ACCEPTS
            rejected_by_shade_only += 1
    joined_by_shade = sum(d.sentences > 1 for d in decoded)
    joined_by_pyais = sum(len(fragments) > 1 for _, fragments in reference)
    assert joined_by_shade >= joined_by_pyais
    assert len(decoded) == len(reference) - rejected_by_shade_only + len(recovered) + (
        joined_by_shade - joined_by_pyais
    )
    assert stats.decoded == len(decoded)

    expected_types = types_n - (name == "libais_test.aivdm")  # type 28
    assert len(stats.messages) == expected_types
    assert all(1 <= t <= 27 for t in stats.messages)
