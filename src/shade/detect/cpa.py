"""Closest point of approach: when and how close two vessels on steady courses will pass.

Everything works on arrays, one row per vessel or per pair, on a sphere of the mean Earth
radius. A vessel on a steady course is taken to sail a great circle ("straight ahead"). A
rhumb line (constant compass course) east or west parts from it by about 0.033 nm times
tan(latitude) after 15 nm (half an hour at 30 kn): 0.03 nm at 45 degrees, 0.19 nm at 80.

A vessel is a position (a unit vector from the Earth's centre) and a velocity (a vector in
knots, tangent to the sphere there): ``vectors``. ``advance`` moves it along its great
circle (dead reckoning); ``approach`` gives a pair's distance, CPA and TCPA.

For a pair, both vessels are brought to the plane tangent to the sphere at their midpoint:
the line between them, by the azimuthal equidistant projection centred there (so their
distance in the plane is their great-circle distance, exactly), and each velocity carried
along that line by parallel transport (the rotation taking the vessel's position to the
midpoint). There relative motion is linear: TCPA = -(r . w) / |w|^2, CPA = |r + w TCPA|,
with r the relative position and w the relative velocity. The plane is the sphere to within
(d / R)^2 of a distance d, a few metres at 30 nm: nothing special happens at the antimeridian
or near the poles, where latitude and longitude misbehave but vectors do not.

Speed and course come from AIS and may be missing (None, NaN, or out of range). ``motion``
sets the rule: a vessel whose speed is known and under ``STATIONARY_KNOTS`` is stationary,
course or not; a vessel with an unknown speed, or moving with an unknown course, cannot be
dead-reckoned and is left out.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from shade.tracks.land import BoolArray, FloatArray, IntArray
from shade.tracks.sanity import EARTH_RADIUS_NM

STATIONARY_KNOTS: Final = 0.1  # under this over ground a vessel counts as not moving
# Relative speeds under this (knots) count as none: TCPA 0, CPA the distance now. Rounding
# leaves about 1e-14 kn between two vessels that truly keep station.
STILL_KNOTS: Final = 1e-9


class Approach(NamedTuple):
    """A pair's figures, one row per pair."""

    distance_nm: FloatArray  # great-circle distance now
    cpa_nm: FloatArray  # the least distance of the two straight tracks, ahead or past
    tcpa_min: FloatArray  # minutes to the CPA; negative when it is past (moving apart)


def motion(speed: npt.ArrayLike, course: npt.ArrayLike) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Speed and course to dead-reckon with, and whether the vessel can be (see module)."""
    sog = np.asarray(speed, dtype=np.float64)
    cog = np.asarray(course, dtype=np.float64)
    still = sog < STATIONARY_KNOTS  # False for NaN
    steering = (sog >= STATIONARY_KNOTS) & (cog >= 0.0) & (cog < 360.0)
    known = still | steering
    return np.where(steering, sog, 0.0), np.where(steering, cog, 0.0), known


def unit_vectors(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """Positions as unit vectors from the Earth's centre, shape (n, 3)."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)], axis=-1)


def lat_lon(p: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Latitude and longitude (degrees, longitude in [-180, 180]) of unit vectors."""
    lat = np.degrees(np.arctan2(p[..., 2], np.hypot(p[..., 0], p[..., 1])))
    lon = np.degrees(np.arctan2(p[..., 1], p[..., 0]))
    return lat, lon


def vectors(
    lat: npt.ArrayLike, lon: npt.ArrayLike, speed: npt.ArrayLike, course: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Positions (unit vectors) and velocities (knots, tangent there) of vessels."""
    p = unit_vectors(lat, lon)
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    # East and north at the position; both stay defined at the poles, as "east" of lon.
    east = np.stack([-np.sin(lam), np.cos(lam), np.zeros_like(lam)], axis=-1)
    north = np.stack([-np.sin(phi) * np.cos(lam), -np.sin(phi) * np.sin(lam), np.cos(phi)], axis=-1)
    theta = np.radians(np.asarray(course, dtype=np.float64))
    sog = np.asarray(speed, dtype=np.float64)
    v = (sog * np.sin(theta))[..., None] * east + (sog * np.cos(theta))[..., None] * north
    return p, v


def courses(p: FloatArray, v: FloatArray) -> FloatArray:
    """The course (degrees true, in [0, 360)) of velocities at positions; 0 when still."""
    lat, lon = lat_lon(p)
    lam, phi = np.radians(lon), np.radians(lat)
    east = -np.sin(lam) * v[..., 0] + np.cos(lam) * v[..., 1]
    north = (
        -np.sin(phi) * np.cos(lam) * v[..., 0]
        - np.sin(phi) * np.sin(lam) * v[..., 1]
        + np.cos(phi) * v[..., 2]
    )
    return np.degrees(np.arctan2(east, north)) % 360.0


def advance(p: FloatArray, v: FloatArray, seconds: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Positions and velocities after ``seconds`` on their great circles (negative: before)."""
    speed = np.linalg.norm(v, axis=-1)
    angle = speed * (np.asarray(seconds, dtype=np.float64) / 3600.0) / EARTH_RADIUS_NM
    u = np.divide(v, speed[..., None], out=np.zeros_like(v), where=speed[..., None] > 0)
    cos_a, sin_a = np.cos(angle)[..., None], np.sin(angle)[..., None]
    return p * cos_a + u * sin_a, (u * cos_a - p * sin_a) * speed[..., None]


def dead_reckon(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    speed: npt.ArrayLike,
    course: npt.ArrayLike,
    seconds: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Latitude, longitude and course after ``seconds`` at ``speed`` knots on a great circle.

    The course comes back too: along a great circle it turns, except on a meridian or the
    equator. Speed and course must be usable (see ``motion``).
    """
    p, v = advance(*vectors(lat, lon, speed, course), seconds)
    lat2, lon2 = lat_lon(p)
    return lat2, lon2, courses(p, v)


def chord(distance_nm: float) -> float:
    """The straight-line distance between unit vectors that are ``distance_nm`` apart."""
    return float(2.0 * np.sin(min(distance_nm / EARTH_RADIUS_NM, np.pi) / 2.0))


def distance_nm(
    lat_a: npt.ArrayLike, lon_a: npt.ArrayLike, lat_b: npt.ArrayLike, lon_b: npt.ArrayLike
) -> FloatArray:
    """Great-circle distances."""
    pa, pb = unit_vectors(lat_a, lon_a), unit_vectors(lat_b, lon_b)
    return _angle(pa, pb) * EARTH_RADIUS_NM


def approach_vectors(pa: FloatArray, va: FloatArray, pb: FloatArray, vb: FloatArray) -> Approach:
    """Distance, CPA and TCPA of pairs given as positions and velocities (``vectors``).

    The two of a pair must be less than half the globe apart. Arrays are (..., 3); the
    work is done by component, fastest when each component is contiguous (a transposed
    (3, n) array).
    """
    ax, ay, az = pa[..., 0], pa[..., 1], pa[..., 2]
    bx, by, bz = pb[..., 0], pb[..., 1], pb[..., 2]
    dx, dy, dz = bx - ax, by - ay, bz - az
    nx, ny, nz = ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx  # pa x pb
    sine = np.sqrt(nx * nx + ny * ny + nz * nz)
    across_chord = np.sqrt(dx * dx + dy * dy + dz * dz)
    along_chord = np.sqrt((ax + bx) ** 2 + (ay + by) ** 2 + (az + bz) ** 2)
    distance = 2.0 * np.arctan2(across_chord, along_chord) * EARTH_RADIUS_NM
    # In the plane at the midpoint, r lies along the great circle from a to b, and the
    # transported relative velocity w has components along it and across it. Transport
    # turns each velocity about the circle's axis n = pa x pb, so both components come from
    # the plain difference u of the velocities: along = u . (pb - pa) / |n|, across =
    # u . n / |n| (each velocity being tangent where it is).
    ux, uy, uz = vb[..., 0] - va[..., 0], vb[..., 1] - va[..., 1], vb[..., 2] - va[..., 2]
    ok = sine > 0
    zero = np.zeros_like(sine)
    along = np.divide(ux * dx + uy * dy + uz * dz, sine, out=zero.copy(), where=ok)
    across = np.divide(ux * nx + uy * ny + uz * nz, sine, out=zero.copy(), where=ok)
    ww = along * along + across * across
    moving = ww > STILL_KNOTS**2
    tcpa_h = np.divide(-distance * along, ww, out=zero, where=moving)
    closest = np.hypot(distance + along * tcpa_h, across * tcpa_h)
    cpa = np.where(moving, np.minimum(closest, distance), distance)
    return Approach(distance, cpa, tcpa_h * 60.0)


def approach_pairs(
    p: FloatArray, v: FloatArray, first: IntArray, second: IntArray, chunk: int = 1 << 15
) -> Approach:
    """``approach_vectors`` for pairs of rows of p and v, (n, 3) arrays of vessels.

    Done a chunk of pairs at a time: with a million pairs, temporaries the size of all of
    them cost more in page faults than the arithmetic does.
    """
    pt, vt = np.ascontiguousarray(p.T), np.ascontiguousarray(v.T)
    out = Approach(*(np.empty(len(first)) for _ in range(3)))
    for start in range(0, len(first), chunk):
        a, b = first[start : start + chunk], second[start : start + chunk]
        part = approach_vectors(pt[:, a].T, vt[:, a].T, pt[:, b].T, vt[:, b].T)
        for whole, piece in zip(out, part, strict=True):
            whole[start : start + chunk] = piece
    return out


def approach(
    lat_a: npt.ArrayLike,
    lon_a: npt.ArrayLike,
    speed_a: npt.ArrayLike,
    course_a: npt.ArrayLike,
    lat_b: npt.ArrayLike,
    lon_b: npt.ArrayLike,
    speed_b: npt.ArrayLike,
    course_b: npt.ArrayLike,
) -> Approach:
    """Distance, CPA and TCPA of pairs of vessels, each at (lat, lon) at one common time."""
    pa, va = vectors(lat_a, lon_a, speed_a, course_a)
    pb, vb = vectors(lat_b, lon_b, speed_b, course_b)
    return approach_vectors(pa, va, pb, vb)


def _angle(pa: FloatArray, pb: FloatArray) -> FloatArray:
    # From the chord and its complement: accurate for small and large angles alike.
    across = np.linalg.norm(pb - pa, axis=-1)
    along = np.linalg.norm(pb + pa, axis=-1)
    angle: FloatArray = 2.0 * np.arctan2(across, along)
    return angle
