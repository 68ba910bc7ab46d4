"""The layout table is well formed: widths add up, names are unique, n/a values fit."""

from __future__ import annotations

import pytest

from shade.ais.layouts import LAYOUTS, Layout

# Bit lengths of ITU-R M.1371-5 for the messages of fixed size.
FULL_BITS = {
    "PositionReport": 168,
    "BaseStationReport": 168,
    "StaticVoyageData": 424,
    "SARAircraftReport": 168,
    "UTCDateInquiry": 72,
    "BinaryAcknowledge": 168,
    "Interrogation": 160,
    "AssignmentCommandA": 96,
    "AssignmentCommandAB": 144,
    "ClassBPositionReport": 168,
    "ClassBExtendedReport": 312,
    "DataLinkManagement": 160,
    "ChannelManagementAddressed": 168,
    "ChannelManagementBroadcast": 168,
    "GroupAssignmentCommand": 160,
    "StaticDataReportA": 168,
    "StaticDataReportB": 168,
    "StaticDataReportBAuxiliary": 168,
    "LongRangeReport": 96,
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_layout_is_well_formed(layout: Layout) -> None:
    names = [f.name for f in layout.values]
    assert len(names) == len(set(names))
    assert names[:3] == ["msg_type", "repeat", "mmsi"]
    for before, after in zip(layout.fields, layout.fields[1:], strict=False):
        assert after.start == before.end
    for field in layout.fields:
        if field.na is not None:
            low, high = (
                (-(1 << (field.width - 1)), 1 << (field.width - 1))
                if (field.kind.signed)
                else (0, 1 << field.width)
            )
            assert low <= field.na < high, field.name
        if field.kind.name == "t" and not field.variable:
            assert field.width % 6 == 0, field.name
    if layout.name in FULL_BITS:
        assert layout.bits == FULL_BITS[layout.name]
