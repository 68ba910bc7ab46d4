"""``shade settings`` shows every setting, its value in force and where that came from."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from shade.config import SETTINGS
from tests.commands import SHADE


def test_settings_show_values_and_origins(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("multipart_max_pending = 77\n")
    env = {**os.environ, "SHADE_CONFIG": str(config), "SHADE_MULTIPART_MAX_AGE": "5"}
    done = subprocess.run(
        [*SHADE, "settings"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    out = done.stdout.decode()
    assert done.returncode == 0
    assert f"settings file: {config}" in out
    assert f"multipart_max_pending = 77    ({config}; default 1000)" in out
    assert "multipart_max_age = 5    ($SHADE_MULTIPART_MAX_AGE; default 100)" in out
    for setting in SETTINGS:
        assert setting.help.split()[0] in out
