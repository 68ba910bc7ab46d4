"""SHADE's settings: one table, each setting with its default and help.

A value comes from the first of: the environment (``SHADE_<NAME>``), the settings file
(TOML; ``SHADE_CONFIG`` names it, else ``~/.config/shade/config.toml`` if present), the default.
``shade settings`` prints the table with the values in force and where each came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shade.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting; a float default makes it a decimal setting, an int a whole-number one."""

    name: str
    default: int | float
    help: str
    minimum: int | float = 1


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "multipart_max_pending",
        1000,
        "Incomplete multipart AIS messages held at once; past it the oldest is dropped and "
        "counted (reason incomplete_message).",
    ),
    Setting(
        "multipart_max_age",
        100,
        "Sentences that may pass before an incomplete multipart AIS message is dropped and "
        "counted (reason incomplete_message). Receivers send the fragments of one message "
        "within a few sentences of each other.",
    ),
    Setting(
        "track_max_speed_knots",
        60,
        "A position implying a faster speed over ground since the vessel's last accepted "
        "point is kept aside (reason impossible_speed). 60 knots is beyond any ship but "
        "a few fast craft; SAR aircraft (type 9) are not tracked as vessels.",
    ),
    Setting(
        "track_inland_km",
        1500,
        "A position on land and at least this far from any coast is kept aside (reason "
        "inland). The land mask has no rivers or lakes, so a small radius also sets aside "
        "real ships in river ports and on the Great Lakes (Hamburg, Houston, Duluth); the "
        "default catches only positions deep inside a continent. 3000 or more turns the "
        "test off.",
    ),
    Setting(
        "picture_max_age_minutes",
        60,
        "The picture at a time T shows each vessel's latest position at or before T, if it "
        "is at most this old.",
    ),
    Setting(
        "ingest_batch_size",
        20000,
        "Decoded messages written to the store in one transaction; a crash loses at most "
        "the batch being written and the one after it, waiting. Larger batches store a "
        "vessel's points in fewer rows.",
    ),
    Setting(
        "ingest_batch_seconds",
        1,
        "Longest wait before a partial batch is written, so a slow live feed is stored promptly.",
    ),
    Setting(
        "ingest_queue_lines",
        100000,
        "Lines a source may get ahead of decoding; past it the source waits (files) or "
        "drops and counts (UDP), so memory stays bounded.",
    ),
    Setting(
        "reconnect_max_seconds",
        60,
        "Longest wait between attempts to reconnect to a TCP feed; waits double from 1 s.",
    ),
    Setting(
        "encounter_cpa_nm",
        2.0,
        "Close encounters: an alert opens when two units of different parties will pass "
        "closer than this (closest point of approach), unless the parties file sets a rule "
        "for the pair. OpenCPN's default.",
        minimum=0.01,
    ),
    Setting(
        "encounter_tcpa_minutes",
        30,
        "Close encounters: an alert needs the closest point of approach to come within this "
        "many minutes (TCPA), unless the parties file sets a rule for the pair. OpenCPN's "
        "default.",
    ),
    Setting(
        "encounter_search_nm",
        20,
        "Close encounters: only pairs at most this far apart now are considered. "
        "OpenCPN's default.",
    ),
    Setting(
        "encounter_hysteresis",
        1.5,
        "Close encounters: an open alert closes only when the two are moving apart and "
        "both their distance and their predicted CPA exceed the threshold times this, so "
        "an alert does not flap open and shut around the threshold.",
        minimum=1.0,
    ),
    Setting(
        "encounter_under_way_knots",
        1.0,
        "Close encounters: an alert opens only if at least one of the two makes this speed "
        "or more; two ships at rest near each other (moored in one port) are not an "
        "encounter. 0 alerts about ships at rest too.",
        minimum=0.0,
    ),
    Setting(
        "encounter_sweep_seconds",
        10,
        "Close encounters: seconds of feed time between two sweeps over all vessels.",
    ),
    Setting(
        "detect_step_seconds",
        10,
        "Detectors see the feed in steps of this many seconds of feed time (on a fixed "
        "grid, so a replayed file and a live feed are judged alike): the points of one step "
        "are judged together.",
    ),
    Setting(
        "detect_stale_minutes",
        10,
        "A vessel's last report older than this is not dead-reckoned (close encounters) "
        "nor taken as where it is now.",
    ),
    Setting(
        "gap_floor_minutes",
        10,
        "AIS gaps: a vessel under way is overdue after at least this long without a report.",
    ),
    Setting(
        "gap_interval_multiple",
        30,
        "AIS gaps: a vessel under way is overdue after this many of its class's reporting "
        "intervals (class A under way: 10 s, class B: 30 s), if that is longer than "
        "gap_floor_minutes.",
    ),
    Setting(
        "gap_under_way_knots",
        1.0,
        "AIS gaps: a vessel counts as under way at this speed or more (and not at anchor "
        "or moored).",
        minimum=0.0,
    ),
    Setting(
        "loiter_max_knots",
        2.0,
        "Loitering: a vessel loiters when its mean speed stays under this for "
        "loiter_min_minutes, at least loiter_shore_nm from shore (Global Fishing Watch's "
        "definition).",
        minimum=0.1,
    ),
    Setting(
        "loiter_min_minutes",
        60,
        "Loitering: the shortest time below loiter_max_knots that counts.",
    ),
    Setting(
        "loiter_shore_nm",
        20,
        "Loitering: the least distance from shore that counts; 0 counts loitering anywhere.",
        minimum=0,
    ),
    Setting(
        "rendezvous_distance_m",
        500,
        "Ship-to-ship meetings: two vessels meet when they stay at most this far apart for "
        "rendezvous_min_minutes at a median speed under rendezvous_max_knots, at least "
        "rendezvous_shore_km from shore (Global Fishing Watch's encounter definition).",
    ),
    Setting(
        "rendezvous_min_minutes",
        120,
        "Ship-to-ship meetings: the shortest time together that counts.",
    ),
    Setting(
        "rendezvous_max_knots",
        2.0,
        "Ship-to-ship meetings: the median speed of both must be under this.",
        minimum=0.1,
    ),
    Setting(
        "rendezvous_shore_km",
        10,
        "Ship-to-ship meetings: the least distance from shore that counts; 0 counts "
        "meetings anywhere.",
        minimum=0,
    ),
    Setting(
        "session_hours",
        12,
        "A browser session ends this long after login (a watch and a half); log in again.",
    ),
    Setting(
        "login_attempts",
        5,
        "Failed logins allowed per user name and per address within login_window_minutes; "
        "past it every attempt is refused (429) until the oldest failure leaves the window.",
    ),
    Setting(
        "login_window_minutes",
        15,
        "The sliding window over which failed logins are counted.",
    ),
    Setting(
        "ws_interval_ms",
        1000,
        "Live stream: positions go to each client at most this often (each vessel's newest "
        "since the last frame); events go as soon as they are committed.",
        minimum=50,
    ),
    Setting(
        "ws_keep_frames",
        2000,
        "Live stream: frames each party's stream keeps, so a client that reconnects resumes "
        "from where it was; one further behind gets a new snapshot.",
        minimum=10,
    ),
    Setting(
        "api_page_max",
        5000,
        "The most items one page of the HTTP API holds (a client asking more gets this).",
        minimum=10,
    ),
    Setting(
        "hotline_flash_minutes",
        5.0,
        "A FLASH hotline message must be acknowledged by each receiving party within this "
        "many minutes; then a reminder goes to the channel, after as long again the "
        "party's duty officers are alerted, and after as long again its admins.",
        minimum=0.01,
    ),
    Setting(
        "hotline_immediate_minutes",
        15.0,
        "The acknowledgement deadline of an IMMEDIATE message (escalated as FLASH is).",
        minimum=0.01,
    ),
    Setting(
        "hotline_priority_minutes",
        60.0,
        "The acknowledgement deadline of a PRIORITY message (escalated as FLASH is).",
        minimum=0.01,
    ),
    Setting(
        "hotline_routine_minutes",
        240.0,
        "The acknowledgement deadline of a ROUTINE message (escalated as FLASH is).",
        minimum=0.01,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    multipart_max_pending: int = 1000
    multipart_max_age: int = 100
    track_max_speed_knots: int = 60
    track_inland_km: int = 1500
    picture_max_age_minutes: int = 60
    ingest_batch_size: int = 20000
    ingest_batch_seconds: int = 1
    ingest_queue_lines: int = 100000
    reconnect_max_seconds: int = 60
    encounter_cpa_nm: float = 2.0
    encounter_tcpa_minutes: int = 30
    encounter_search_nm: int = 20
    encounter_hysteresis: float = 1.5
    encounter_under_way_knots: float = 1.0
    encounter_sweep_seconds: int = 10
    detect_step_seconds: int = 10
    detect_stale_minutes: int = 10
    gap_floor_minutes: int = 10
    gap_interval_multiple: int = 30
    gap_under_way_knots: float = 1.0
    loiter_max_knots: float = 2.0
    loiter_min_minutes: int = 60
    loiter_shore_nm: int = 20
    rendezvous_distance_m: int = 500
    rendezvous_min_minutes: int = 120
    rendezvous_max_knots: float = 2.0
    rendezvous_shore_km: int = 10
    session_hours: int = 12
    login_attempts: int = 5
    login_window_minutes: int = 15
    ws_interval_ms: int = 1000
    ws_keep_frames: int = 2000
    api_page_max: int = 5000
    hotline_flash_minutes: float = 5.0
    hotline_immediate_minutes: float = 15.0
    hotline_priority_minutes: float = 60.0
    hotline_routine_minutes: float = 240.0


def default_settings_path(env: Mapping[str, str]) -> Path:
    if "SHADE_CONFIG" in env:
        return Path(env["SHADE_CONFIG"])
    base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "shade" / "config.toml"


def _read_file(path: Path, explicit: bool) -> dict[str, object]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"settings file {path} does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"settings file {path} cannot be read: {exc}") from exc
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise ConfigError(f"settings file {path}: unknown setting {unknown[0]!r}")
    return data


def _coerce(setting: Setting, value: object, origin: str) -> int | float:
    decimal = isinstance(setting.default, float)
    kind = "a number" if decimal else "a whole number"
    if isinstance(value, bool):
        value = str(value)
    try:
        if isinstance(value, int | float) and (decimal or isinstance(value, int)):
            number: int | float = float(value) if decimal else value
        else:
            number = float(str(value).strip()) if decimal else int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{setting.name} from {origin} must be {kind}, not {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ConfigError(f"{setting.name} from {origin} must be {kind}, not {value!r}")
    if number < setting.minimum:
        raise ConfigError(f"{setting.name} from {origin} must be at least {setting.minimum}")
    return number


def resolve(env: Mapping[str, str] | None = None) -> list[tuple[Setting, int | float, str]]:
    """Each setting with its value in force and where that value came from."""
    env = os.environ if env is None else env
    path = default_settings_path(env)
    from_file = _read_file(path, explicit="SHADE_CONFIG" in env)
    rows = []
    for setting in SETTINGS:
        key = f"SHADE_{setting.name.upper()}"
        if key in env:
            rows.append((setting, _coerce(setting, env[key], f"${key}"), f"${key}"))
        elif setting.name in from_file:
            rows.append((setting, _coerce(setting, from_file[setting.name], str(path)), str(path)))
        else:
            rows.append((setting, setting.default, "default"))
    return rows


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    values: dict[str, Any] = {setting.name: value for setting, value, _ in resolve(env)}
    return Settings(**values)
