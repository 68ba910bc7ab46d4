"""Running the shade command as a user does: a real process, on a pseudo-terminal if asked."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Mapping, Sequence

# The installed command's entry point, run by the interpreter of the tests.
SHADE = [sys.executable, "-c", "from shade.cli import main; main()"]


def run_on_terminal(
    command: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 300
) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    """Run ``command`` with stderr on a terminal; its result (stdout captured) and what it
    drew on the terminal."""
    leader, follower = pty.openpty()
    drawn = b""
    try:
        done = subprocess.run(
            list(command), stdout=subprocess.PIPE, stderr=follower, env=env, timeout=timeout
        )
        os.close(follower)
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    return done, drawn
