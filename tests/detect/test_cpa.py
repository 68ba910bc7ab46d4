"""CPA, TCPA and dead reckoning (shade.detect.cpa).

Analytic cases (head-on, crossing, overtaking, parallel, stationary, the antimeridian, near
the pole), Hypothesis properties (symmetry, CPA <= distance, TCPA < 0 exactly when the
range opens), and an independent reference: pyproj's geodesics step both vessels along
their great circles and take the least distance.

The reference uses pyproj on a sphere of the module's radius, not the WGS84 ellipsoid: the
module models the Earth as that sphere, and over 20 nm the ellipsoid's distances differ from
the sphere's by up to 0.5 % (0.1 nm), which would measure the Earth model, not the CPA
math. On the sphere a vessel holding its course is a geodesic, exactly what ``Geod.fwd``
follows, so what remains is the tangent-plane approximation (relative error about
(d / R)^2: under 0.0001 nm on 300 random pairs) and the sampling of the reference (under
0.0005 nm, see ``reference``). The test holds the module to 0.001 nm (2 m), twenty times
tighter than the 0.02 nm its alerts need.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from shade.detect.cpa import (
    EARTH_RADIUS_NM,
    approach,
    chord,
    dead_reckon,
    distance_nm,
    motion,
    unit_vectors,
)

NM = 1852.0
SPHERE = Geod(a=EARTH_RADIUS_NM * NM, b=EARTH_RADIUS_NM * NM)
TIGHT = 1e-6  # nm: analytic cases, where only the plane approximation (1e-8) remains


def place(lat: float, lon: float, bearing: float, nm: float) -> tuple[float, float]:
    """A point ``nm`` from (lat, lon) at ``bearing``, by pyproj on the sphere."""
    lon2, lat2, _ = SPHERE.fwd(lon, lat, bearing, nm * NM)
    return float(lat2), float(lon2)


def one(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> tuple[float, float, float]:
    """distance_nm, cpa_nm, tcpa_min of one pair given as (lat, lon, speed, course) each."""
    found = approach(*([x] for x in a), *([x] for x in b))
    return float(found.distance_nm[0]), float(found.cpa_nm[0]), float(found.tcpa_min[0])


def test_head_on() -> None:
    b = place(0.0, 0.0, 90.0, 10.0)
    distance, cpa, tcpa = one((0.0, 0.0, 10.0, 90.0), (*b, 10.0, 270.0))
    assert distance == pytest.approx(10.0, abs=TIGHT)
    assert cpa == pytest.approx(0.0, abs=TIGHT)
    assert tcpa == pytest.approx(30.0, abs=1e-6)


def test_crossing() -> None:
    # B 6 nm east and 5 nm north of A, heading west at A's speed while A heads north:
    # relative position (6, 5), relative velocity (-10, -10): TCPA 0.55 h, CPA |(0.5, -0.5)|.
    north = place(0.0, 0.0, 0.0, 5.0)
    b = place(*north, 90.0, 6.0)
    distance, cpa, tcpa = one((0.0, 0.0, 10.0, 0.0), (*b, 10.0, 270.0))
    assert distance == pytest.approx(math.hypot(6, 5), abs=1e-4)
    assert cpa == pytest.approx(math.sqrt(0.5), abs=1e-4)
    assert tcpa == pytest.approx(33.0, abs=1e-2)


def test_crossing_to_collision() -> None:
    north = place(0.0, 0.0, 0.0, 5.0)
    b = place(*north, 90.0, 5.0)
    _, cpa, tcpa = one((0.0, 0.0, 10.0, 0.0), (*b, 10.0, 270.0))
    assert cpa == pytest.approx(0.0, abs=1e-4)
    assert tcpa == pytest.approx(30.0, abs=1e-2)


def test_overtaking() -> None:
    # B 2 nm astern of A and 0.3 nm to starboard, both northbound, B 5 kn faster.
    astern = place(0.0, 0.0, 180.0, 2.0)
    b = place(*astern, 90.0, 0.3)
    distance, cpa, tcpa = one((0.0, 0.0, 10.0, 0.0), (*b, 15.0, 0.0))
    assert distance == pytest.approx(math.hypot(2, 0.3), abs=1e-4)
    assert cpa == pytest.approx(0.3, abs=1e-4)
    assert tcpa == pytest.approx(24.0, abs=1e-2)


def test_parallel_at_the_same_speed() -> None:
    # On the equator two meridians are parallel: no relative motion, so TCPA is 0 and the
    # CPA is the distance now (by definition).
    b = place(0.0, 0.0, 90.0, 1.0)
    distance, cpa, tcpa = one((0.0, 0.0, 12.0, 0.0), (*b, 12.0, 0.0))
    assert distance == pytest.approx(1.0, abs=TIGHT)
    assert cpa == distance
    assert tcpa == 0.0


def test_same_place_same_motion() -> None:
    distance, cpa, tcpa = one((45.0, 7.0, 12.0, 33.0), (45.0, 7.0, 12.0, 33.0))
    assert (distance, cpa, tcpa) == (0.0, 0.0, 0.0)


def test_one_stationary() -> None:
    # B 1 nm east and 5 nm north of a stopped A, heading south at 10 kn.
    north = place(0.0, 0.0, 0.0, 5.0)
    b = place(*north, 90.0, 1.0)
    _, cpa, tcpa = one((0.0, 0.0, 0.0, 0.0), (*b, 10.0, 180.0))
    assert cpa == pytest.approx(1.0, abs=1e-4)
    assert tcpa == pytest.approx(30.0, abs=1e-2)
    # ... and once past, TCPA is negative and the CPA is the same pass.
    south = place(0.0, 0.0, 180.0, 3.0)
    b = place(*south, 90.0, 1.0)
    _, cpa, tcpa = one((0.0, 0.0, 0.0, 0.0), (*b, 10.0, 180.0))
    assert cpa == pytest.approx(1.0, abs=1e-4)
    assert tcpa == pytest.approx(-18.0, abs=1e-2)


def test_both_stationary() -> None:
    b = place(51.0, 2.0, 37.0, 1.7)
    distance, cpa, tcpa = one((51.0, 2.0, 0.0, 0.0), (*b, 0.0, 123.0))
    assert distance == pytest.approx(1.7, abs=TIGHT)
    assert cpa == distance
    assert tcpa == 0.0


def test_across_the_antimeridian() -> None:
    # Head-on across 180 degrees: the same as the pair turned to the Greenwich meridian.
    across = one((-10.0, 179.95, 14.0, 90.0), (-10.0, -179.95, 14.0, 270.0))
    greenwich = one((-10.0, -0.05, 14.0, 90.0), (-10.0, 0.05, 14.0, 270.0))
    expected = math.radians(0.1 * math.cos(math.radians(10))) * EARTH_RADIUS_NM
    assert across[0] == pytest.approx(expected, rel=1e-3)
    assert across == pytest.approx(greenwich, abs=TIGHT)
    assert across[1] == pytest.approx(0.0, abs=TIGHT)
    assert across[2] == pytest.approx(across[0] / 28.0 * 60.0, abs=1e-6)


def test_high_latitude() -> None:
    # At 80 N, an eastbound and a westbound vessel mirrored about a meridian meet on it,
    # a little south of the midpoint (due east is not the great circle between them).
    a, b = (80.0, 0.0, 15.0, 90.0), (80.0, 1.0, 15.0, 270.0)
    distance, cpa, tcpa = one(a, b)
    assert distance == pytest.approx(
        math.radians(math.cos(math.radians(80))) * EARTH_RADIUS_NM, rel=1e-3
    )
    assert cpa == pytest.approx(0.0, abs=TIGHT)
    assert tcpa == pytest.approx(distance / 30.0 * 60.0, rel=1e-4)
    # Where pyproj's geodesics put both at that TCPA, they are together.
    assert track_distance(a, b, np.array([tcpa / 60.0]))[0] < 1e-5


def test_over_the_pole() -> None:
    # Two vessels on opposite meridians, 0.1 degrees from the pole, both heading north:
    # they meet at the pole, 6 nm each way, in 36 minutes at 10 kn.
    distance, cpa, tcpa = one((89.9, 0.0, 10.0, 0.0), (89.9, 180.0, 10.0, 0.0))
    assert distance == pytest.approx(math.radians(0.2) * EARTH_RADIUS_NM, rel=1e-9)
    assert cpa == pytest.approx(0.0, abs=TIGHT)
    assert tcpa == pytest.approx(distance / 20.0 * 60.0, abs=1e-6)


def test_dead_reckoning_wraps_the_antimeridian_and_crosses_the_pole() -> None:
    lat, lon, course = dead_reckon([10.0, 89.9], [179.9, 0.0], [20.0, 20.0], [90.0, 0.0], 3600)
    expected = place(10.0, 179.9, 90.0, 20.0)
    assert lat[0] == pytest.approx(expected[0], abs=1e-9)
    assert lon[0] == pytest.approx(expected[1], abs=1e-9)
    assert lon[0] < -179.0
    # 0.1 degrees (6 nm) to the pole, the rest of the 20 nm down the far side, heading south.
    to_pole = math.radians(0.1) * EARTH_RADIUS_NM
    assert lat[1] == pytest.approx(
        90.0 - math.degrees((20.0 - to_pole) / EARTH_RADIUS_NM), abs=1e-9
    )
    assert abs(lon[1]) == pytest.approx(180.0, abs=1e-9)
    assert course[1] == pytest.approx(180.0, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-89.0, 89.0),
    lon=st.floats(-180.0, 180.0),
    speed=st.floats(0.0, 40.0),
    course=st.floats(0.0, 359.99),
    seconds=st.floats(-3600.0, 3600.0),
)
def test_dead_reckoning_follows_the_geodesic(
    lat: float, lon: float, speed: float, course: float, seconds: float
) -> None:
    got_lat, got_lon, got_course = dead_reckon([lat], [lon], [speed], [course], [seconds])
    lon2, lat2, back = SPHERE.fwd(lon, lat, course, speed * seconds / 3600 * NM)
    assert distance_nm(got_lat, got_lon, [lat2], [lon2])[0] < 1e-6
    if speed * abs(seconds) / 3600 > 1e-6 and abs(lat2) < 89.9:  # moved, not at a pole
        # The course there: pyproj's back azimuth, turned around (going back too).
        expected = (back + 180.0) % 360.0
        turned = abs((float(got_course[0]) - expected + 180.0) % 360.0 - 180.0)
        assert turned < 1e-5


def test_motion_rule() -> None:
    nan = math.nan
    speed, course, known = motion(
        [nan, 0.05, 0.05, 5.0, 5.0, 5.0, 0.1], [90.0, nan, 200.0, nan, 360.0, 45.0, 10.0]
    )
    assert known.tolist() == [False, True, True, False, False, True, True]
    assert speed[known].tolist() == [0.0, 0.0, 5.0, 0.1]
    assert course[known].tolist() == [0.0, 0.0, 45.0, 10.0]


def test_chord() -> None:
    p = unit_vectors([0.0, 0.0], [0.0, 20.0 / EARTH_RADIUS_NM * 180 / math.pi])
    assert chord(20.0) == pytest.approx(float(np.linalg.norm(p[1] - p[0])), rel=1e-12)


# Pairs: A anywhere but the poles themselves, B within 20 nm of it; speeds up to 30 kn.
pairs = st.tuples(
    st.floats(-89.0, 89.0),
    st.floats(-180.0, 180.0),
    st.floats(0.0, 30.0),
    st.floats(0.0, 359.99),
    st.floats(0.0, 359.99),  # bearing from A to B
    st.floats(0.001, 20.0),  # distance A to B
    st.floats(0.0, 30.0),
    st.floats(0.0, 359.99),
)


def unpack(
    pair: tuple[float, float, float, float, float, float, float, float],
) -> tuple[tuple[float, float, float, float], tuple[float, float, float, float]]:
    lat, lon, speed_a, course_a, bearing, nm, speed_b, course_b = pair
    return (lat, lon, speed_a, course_a), (*place(lat, lon, bearing, nm), speed_b, course_b)


@settings(max_examples=300, deadline=None)
@given(pairs)
def test_symmetric_and_never_above_the_distance(
    pair: tuple[float, float, float, float, float, float, float, float],
) -> None:
    a, b = unpack(pair)
    distance, cpa, tcpa = one(a, b)
    swapped = one(b, a)
    assert swapped == pytest.approx((distance, cpa, tcpa), rel=1e-9, abs=1e-9)
    assert 0.0 <= cpa <= distance
    assert distance == pytest.approx(pair[5], abs=1e-7)


def track_distance(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float], hours: np.ndarray
) -> np.ndarray:
    """Distances (nm) between the two vessels at ``hours`` from now, by pyproj alone."""
    ones = np.ones_like(hours)
    ends = []
    for lat, lon, speed, course in (a, b):
        lon2, lat2, _ = SPHERE.fwd(lon * ones, lat * ones, course * ones, speed * hours * NM)
        ends.append((lon2, lat2))
    _, _, metres = SPHERE.inv(ends[0][0], ends[0][1], ends[1][0], ends[1][1])
    return np.asarray(metres) / NM


@settings(max_examples=300, deadline=None)
@given(pairs)
def test_tcpa_is_negative_exactly_when_the_range_opens(
    pair: tuple[float, float, float, float, float, float, float, float],
) -> None:
    a, b = unpack(pair)
    _, _, tcpa = one(a, b)
    h = 10.0 / 3600
    before, after = track_distance(a, b, np.array([-h, h]))
    range_rate = (after - before) / (2 * h)  # knots, from pyproj alone
    if abs(range_rate) > 0.01:  # a range about to turn is a matter of rounding
        assert (tcpa < 0) == (range_rate > 0)


def reference(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> tuple[float, float]:
    """The least distance within 40 minutes either way, and when, by stepping the tracks.

    Every 5 s, then every 0.05 s around the least: the distance being at worst V-shaped at
    60 kn of relative speed, the sampling errs by under 0.0005 nm.
    """
    coarse = np.arange(-2400.0, 2400.0 + 5.0, 5.0) / 3600
    near = coarse[int(np.argmin(track_distance(a, b, coarse)))]
    fine = near + np.arange(-5.0, 5.0 + 0.05, 0.05) / 3600
    found = track_distance(a, b, fine)
    k = int(np.argmin(found))
    return float(found[k]), float(fine[k] * 60.0)


@settings(max_examples=100, deadline=None)
@given(pairs)
def test_agrees_with_stepping_pyproj_geodesics(
    pair: tuple[float, float, float, float, float, float, float, float],
) -> None:
    a, b = unpack(pair)
    distance, cpa, tcpa = one(a, b)
    assert distance == pytest.approx(float(track_distance(a, b, np.zeros(1))[0]), abs=1e-6)
    if abs(tcpa) > 30.0:
        return  # the reference looks 40 minutes either way
    least, _ = reference(a, b)
    assert cpa == pytest.approx(least, abs=0.001)
    # TCPA: the reference distance at the predicted time is the least one. (Comparing the
    # times themselves would be ill-posed when the two barely move relative to each other.)
    at_tcpa = float(track_distance(a, b, np.array([tcpa / 60.0]))[0])
    assert at_tcpa == pytest.approx(least, abs=0.001)
