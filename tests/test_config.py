"""Settings: environment over file over default, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from shade.config import SETTINGS, Settings, load_settings, resolve
from shade.errors import ConfigError


def test_defaults_match_the_settings_class() -> None:
    assert load_settings({"SHADE_CONFIG": "/dev/null"}) == Settings()
    assert {s.name: s.default for s in SETTINGS} == {
        name: getattr(Settings(), name) for name in Settings.__slots__
    }


def test_environment_wins_over_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("multipart_max_age = 7\nmultipart_max_pending = 9\n")
    env = {"SHADE_CONFIG": str(path), "SHADE_MULTIPART_MAX_AGE": "11"}
    assert load_settings(env) == Settings(multipart_max_pending=9, multipart_max_age=11)
    origins = {s.name: origin for s, _, origin in resolve(env)}
    assert origins["multipart_max_age"] == "$SHADE_MULTIPART_MAX_AGE"
    assert origins["multipart_max_pending"] == str(path)
    assert set(origins.values()) == {"$SHADE_MULTIPART_MAX_AGE", str(path), "default"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nonsense = 1", "unknown setting 'nonsense'"),
        ("multipart_max_age = 0", "must be at least 1"),
        ("multipart_max_age = [", "cannot be read"),
    ],
)
def test_bad_files_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings({"SHADE_CONFIG": str(path)})


def test_a_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"SHADE_CONFIG": str(tmp_path / "nope.toml")})


def test_decimal_settings_take_decimals_and_whole_ones_refuse_them(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("encounter_cpa_nm = 0.5\nencounter_hysteresis = 2\n")
    env = {"SHADE_CONFIG": str(path), "SHADE_LOITER_MAX_KNOTS": "1.25"}
    settings = load_settings(env)
    assert settings.encounter_cpa_nm == 0.5
    assert settings.encounter_hysteresis == 2.0
    assert isinstance(settings.encounter_hysteresis, float)
    assert settings.loiter_max_knots == 1.25
    with pytest.raises(ConfigError, match="must be a whole number"):
        load_settings({"SHADE_CONFIG": "/dev/null", "SHADE_ENCOUNTER_TCPA_MINUTES": "2.5"})
    with pytest.raises(ConfigError, match="must be a number"):
        load_settings({"SHADE_CONFIG": "/dev/null", "SHADE_ENCOUNTER_CPA_NM": "nan"})
    with pytest.raises(ConfigError, match=r"at least 1\.0"):
        load_settings({"SHADE_CONFIG": "/dev/null", "SHADE_ENCOUNTER_HYSTERESIS": "0.5"})
