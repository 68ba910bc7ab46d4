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

from shade.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: int
    help: str
    minimum: int = 1


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
        5000,
        "Decoded messages written to the store in one transaction; a crash loses at most "
        "the batch not yet committed.",
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
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    multipart_max_pending: int = 1000
    multipart_max_age: int = 100
    track_max_speed_knots: int = 60
    track_inland_km: int = 1500
    picture_max_age_minutes: int = 60
    ingest_batch_size: int = 5000
    ingest_batch_seconds: int = 1
    ingest_queue_lines: int = 100000
    reconnect_max_seconds: int = 60


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


def _coerce(setting: Setting, value: object, origin: str) -> int:
    if isinstance(value, bool):
        value = str(value)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ConfigError(
            f"{setting.name} from {origin} must be a whole number, not {value!r}"
        ) from None
    if number < setting.minimum:
        raise ConfigError(f"{setting.name} from {origin} must be at least {setting.minimum}")
    return number


def resolve(env: Mapping[str, str] | None = None) -> list[tuple[Setting, int, str]]:
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
    return Settings(**{setting.name: value for setting, value, _ in resolve(env)})
