"""The demo scenario: ships stay on their legs, in the IRTC lanes, at their speeds."""

from __future__ import annotations

import math

import pytest

from shade.ais import Decoder
from shade.sim.scenario import EASTBOUND, SHIPS, WESTBOUND, reports, sentences


def test_positions_move_at_the_ships_speeds() -> None:
    timed = reports(minutes=20, interval_s=60)
    by_ship: dict[int, list[tuple[float, float, float]]] = {}
    for when, record in timed:
        fields = record.as_dict()
        if fields.get("lat") is not None:
            by_ship.setdefault(record.mmsi, []).append((when, fields["lat"], fields["lon"]))
    for ship in SHIPS:
        track = by_ship[ship.mmsi]
        (t0, lat0, lon0), (t1, lat1, lon1) = track[0], track[-1]
        scale = math.cos(math.radians((lat0 + lat1) / 2))
        nm = math.hypot((lat1 - lat0) * 60, (lon1 - lon0) * 60 * scale)
        assert abs(nm / ((t1 - t0) / 3600) - ship.speed_knots) < 0.2, ship.name


def test_the_lanes_are_the_published_irtc() -> None:
    # Lanes of 5 nm either side of a 2 nm buffer: their centres are 7 nm apart.
    assert WESTBOUND[0][1] - EASTBOUND[1][1] == pytest.approx(7 / 60, abs=1e-6)
    assert WESTBOUND[1][1] - EASTBOUND[0][1] == pytest.approx(7 / 60, abs=1e-6)


def test_sentences_decode_to_the_reports() -> None:
    timed = reports(minutes=3)
    decoded = list(Decoder().decode(sentences(timed)))
    assert [d.message for d in decoded] == [record for _, record in timed]
    assert [d.received_at.timestamp() for d in decoded if d.received_at] == [w for w, _ in timed]
