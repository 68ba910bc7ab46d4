"""Static and voyage data from types 5, 19 and 24, and the year of an ETA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shade.tracks.model import STATIC_FIELDS, Static
from shade.tracks.static import ETA_PAST, eta, static_of
from shade.tracks.tracker import Tracker
from tests.tracks.build import NORTH_SEA, T0, decoded

MMSI = 257000001


def static(msg_type: int, **fields: object) -> Static | None:
    return static_of(decoded(msg_type, mmsi=MMSI, **fields).message, T0)


def test_type_5_gives_every_field_it_carries() -> None:
    got = static(
        5,
        imo=9074729,
        callsign="LAXP5",
        shipname="NORDLYS",
        ship_type=60,
        to_bow=20,
        to_stern=101,
        to_port=10,
        to_starboard=9,
        month=5,
        day=2,
        hour=18,
        minute=30,
        draught=5.6,
        destination="BERGEN",
    )
    assert got == Static(
        MMSI,
        T0,
        {
            "shipname": "NORDLYS",
            "callsign": "LAXP5",
            "imo": 9074729,
            "ship_type": 60,
            "to_bow": 20,
            "to_stern": 101,
            "to_port": 10,
            "to_starboard": 9,
            "destination": "BERGEN",
            "draught": 5.6,
            "eta": datetime(2024, 5, 2, 18, 30, tzinfo=UTC),
        },
    )
    assert set(got.fields) == set(STATIC_FIELDS)


def test_not_available_values_are_left_out() -> None:
    # message() sends every field not given as "not available": 0, empty text, ETA 0/0 24:60.
    assert static(5, shipname="NORDLYS") == Static(MMSI, T0, {"shipname": "NORDLYS"})
    assert static(5) is None


def test_one_zero_dimension_is_a_real_one() -> None:
    got = static(24, partno=1, to_bow=0, to_stern=12, to_port=2, to_starboard=2)
    assert got is not None
    assert got.fields == {"to_bow": 0, "to_stern": 12, "to_port": 2, "to_starboard": 2}


def test_type_24_part_a_gives_the_name_and_part_b_the_rest() -> None:
    assert static(24, partno=0, shipname="SEA BREEZE") == Static(
        MMSI, T0, {"shipname": "SEA BREEZE"}
    )
    part_b = static(
        24,
        partno=1,
        ship_type=37,
        callsign="LG1234",
        to_bow=5,
        to_stern=7,
        to_port=2,
        to_starboard=1,
    )
    assert part_b == Static(
        MMSI,
        T0,
        {
            "ship_type": 37,
            "callsign": "LG1234",
            "to_bow": 5,
            "to_stern": 7,
            "to_port": 2,
            "to_starboard": 1,
        },
    )


def test_type_24_part_b_of_an_auxiliary_craft_has_no_dimensions() -> None:
    got = static_of(
        decoded(
            24, mmsi=982570001, partno=1, ship_type=50, callsign="AUX1", mothership_mmsi=257000001
        ).message,
        T0,
    )
    assert got == Static(982570001, T0, {"ship_type": 50, "callsign": "AUX1"})


def test_type_19_is_both_a_point_and_static_data() -> None:
    message = decoded(
        19,
        mmsi=MMSI,
        lat=NORTH_SEA[0],
        lon=NORTH_SEA[1],
        speed=6.0,
        shipname="SKARV",
        ship_type=36,
        to_bow=4,
        to_stern=6,
        to_port=2,
        to_starboard=2,
    )
    update = Tracker().add([(message, T0)])
    assert [p.msg_type for p in update.points] == [19]
    assert update.statics == [
        Static(
            MMSI,
            T0,
            {
                "shipname": "SKARV",
                "ship_type": 36,
                "to_bow": 4,
                "to_stern": 6,
                "to_port": 2,
                "to_starboard": 2,
            },
        )
    ]


def test_other_messages_give_no_static_data() -> None:
    assert static_of(decoded(1, mmsi=MMSI).message, T0) is None
    # Part number 3: left undefined by ITU-R M.1371-5.
    assert static_of(decoded(24, mmsi=MMSI, partno=3, data=b"\x00" * 20).message, T0) is None


JAN_10 = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("month", "day", "hour", "minute", "at", "expected"),
    [
        # Later this year.
        (3, 1, 6, 0, JAN_10, datetime(2025, 3, 1, 6, 0, tzinfo=UTC)),
        # A December ETA seen in January: a few weeks ago is last year's (the vessel is
        # late), early December is this year's.
        (12, 20, 12, 0, JAN_10, datetime(2024, 12, 20, 12, 0, tzinfo=UTC)),
        (12, 1, 12, 0, JAN_10, datetime(2025, 12, 1, 12, 0, tzinfo=UTC)),
        # A January ETA seen in December is next year's.
        (1, 5, 0, 0, datetime(2024, 12, 28, tzinfo=UTC), datetime(2025, 1, 5, tzinfo=UTC)),
        # 29 February: only in a leap year.
        (2, 29, 12, 0, datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 2, 29, 12, tzinfo=UTC)),
        (2, 29, 12, 0, datetime(2025, 3, 15, tzinfo=UTC), None),
        # Days and times that do not exist.
        (2, 30, 12, 0, JAN_10, None),
        (4, 31, 12, 0, JAN_10, None),
        (13, 1, 12, 0, JAN_10, None),
        (5, 1, 25, 0, JAN_10, None),
        (5, 1, 12, 61, JAN_10, None),
        # Not available (the decoder's None for month 0, day 0, hour 24, minute 60).
        (None, 1, 12, 0, JAN_10, None),
        (5, None, 12, 0, JAN_10, None),
        (5, 1, None, 0, JAN_10, None),
        (5, 1, 12, None, JAN_10, None),
    ],
)
def test_eta(
    month: int | None,
    day: int | None,
    hour: int | None,
    minute: int | None,
    at: datetime,
    expected: datetime | None,
) -> None:
    assert eta(month, day, hour, minute, at) == expected


def test_eta_from_a_type_5_message_not_available() -> None:
    got = static(5, shipname="X", month=0, day=0, hour=24, minute=60)
    assert got is not None and "eta" not in got.fields


@given(
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    at=st.datetimes(datetime(2001, 1, 1), datetime(2098, 12, 31), timezones=st.just(UTC)),
)
def test_an_eta_is_its_fields_within_a_month_before_and_a_year_after(
    month: int, day: int, hour: int, minute: int, at: datetime
) -> None:
    got = eta(month, day, hour, minute, at)
    if got is None:
        # Only a date that is not in any year around the message.
        assert day > 28
        return
    assert (got.month, got.day, got.hour, got.minute) == (month, day, hour, minute)
    assert got.tzinfo == UTC
    assert at - ETA_PAST <= got < at - ETA_PAST + timedelta(days=366 * 4 + 1)
    if not (month == 2 and day == 29):
        # The earliest such moment: a year earlier would be too old.
        assert got - at < timedelta(days=366) - ETA_PAST + timedelta(days=1)


def _plain_static_of(msg_type: int, message: object, at: datetime) -> dict[str, object]:
    """The rules of the module docstring, stated plainly: the oracle of the test below."""
    carried = {
        5: ("shipname", "callsign", "imo", "ship_type", *DIMENSIONS, "destination", "draught"),
        19: ("shipname", "ship_type", *DIMENSIONS),
    }[msg_type]
    fields: dict[str, object] = {}
    for name in carried:
        value = getattr(message, name)
        if value is None or value == "" or (value == 0 and name in ("imo", "ship_type", "draught")):
            continue
        fields[name] = value
    if all(fields.get(name, 0) == 0 for name in DIMENSIONS):
        for name in DIMENSIONS:
            fields.pop(name, None)
    if msg_type == 5:
        m: Any = message
        arrival = eta(m.month, m.day, m.hour, m.minute, at)
        if arrival is not None:
            fields["eta"] = arrival
    return fields


DIMENSIONS = ("to_bow", "to_stern", "to_port", "to_starboard")


@given(
    msg_type=st.sampled_from([5, 19]),
    shipname=st.sampled_from(["", "NORDLYS", "A B"]),
    callsign=st.sampled_from(["", "LAXP5"]),
    imo=st.sampled_from([0, 9074729]),
    ship_type=st.sampled_from([0, 60]),
    dimensions=st.tuples(*[st.sampled_from([0, 7])] * 4),
    draught=st.sampled_from([0.0, 5.6]),
    destination=st.sampled_from(["", "BERGEN"]),
    month=st.sampled_from([0, 2, 12]),
)
def test_static_data_follow_the_rules_for_any_fields(
    msg_type: int,
    shipname: str,
    callsign: str,
    imo: int,
    ship_type: int,
    dimensions: tuple[int, int, int, int],
    draught: float,
    destination: str,
    month: int,
) -> None:
    values: dict[str, object] = {"shipname": shipname, "ship_type": ship_type}
    values |= dict(zip(DIMENSIONS, dimensions, strict=True))
    if msg_type == 5:
        values |= {"callsign": callsign, "imo": imo, "draught": draught}
        values |= {"destination": destination, "month": month, "day": 29, "hour": 6, "minute": 0}
    if msg_type == 19:
        values |= {"lat": 60.0, "lon": 5.0}
    message = decoded(msg_type, mmsi=MMSI, **values).message
    got = static_of(message, T0)
    expected = _plain_static_of(msg_type, message, T0)
    assert (got.fields if got is not None else {}) == expected
    if got is not None:
        assert list(got.fields) == list(expected)  # in the same order
