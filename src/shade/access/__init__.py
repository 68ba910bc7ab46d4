"""Access: what each party may see of the others' units (``release``: the rules) and the
one place those rules are applied to vessels, tracks, events and live streams (``apply``)."""

from shade.access.apply import (
    Live,
    Viewer,
    event_visible,
    event_visible_from,
    events,
    picture,
    release_points,
    release_vessel,
    snap,
    track,
    track_window,
)
from shade.access.release import FULL, HIDDEN, Mode, Release, ReleaseRules

__all__ = [
    "FULL",
    "HIDDEN",
    "Live",
    "Mode",
    "Release",
    "ReleaseRules",
    "Viewer",
    "event_visible",
    "event_visible_from",
    "events",
    "picture",
    "release_points",
    "release_vessel",
    "snap",
    "track",
    "track_window",
]
