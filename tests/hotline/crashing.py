"""``shade serve`` as a real process that can be killed (SIGKILL, no chance to tidy up) and
started again on the same port, database and keys: what a crash and a restart by a
supervisor look like to the clients."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from pathlib import Path

from tests.commands import SHADE
from tests.serving import PARTIES_TOML, free_port

_SERVING = re.compile(rb"serving (http://[^ ]+/)")


class Crashing:
    """One server at a time on a fixed port: ``start``, ``kill``, ``start`` again..."""

    def __init__(self, tmp_path: Path, db: str, keys: Path, port: int | None = None) -> None:
        self.parties = tmp_path / "parties.toml"
        self.parties.write_text(PARTIES_TOML)
        self.db, self.keys = db, keys
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen[bytes] | None = None
        self.log: list[bytes] = []  # every run's output, in order
        self.starts = 0
        self.kills = 0
        self.startups: list[float] = []  # seconds each start took, until it listened
        self._reader: threading.Thread | None = None

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "ws"

    def start(self, timeout: float = 60) -> float:
        """Start the server and wait until it listens; the seconds that took."""
        assert self.process is None or self.process.poll() is not None, "already running"
        started = time.monotonic()
        command = [
            *SHADE, "serve", "--db", self.db, "--parties", str(self.parties),
            "--port", str(self.port), "--keys", str(self.keys),
        ]  # fmt: skip
        self.log.append(f"--- start {self.starts + 1}\n".encode())
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        listening = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.log.append(line)
                if _SERVING.search(line):
                    listening.set()
            listening.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        self.process = process
        self.starts += 1
        if not listening.wait(timeout) or process.poll() is not None:
            raise AssertionError(f"shade serve did not start:\n{self.output()}")
        self.startups.append(time.monotonic() - started)
        return self.startups[-1]

    def kill(self) -> None:
        """SIGKILL: the process ends where it is, mid-request or mid-commit."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1
        self._join()

    def stop(self) -> int:
        """SIGTERM, as an operator stops it: its exit status."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process is not None else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            raise
        self._join()
        return code

    def output(self) -> str:
        return b"".join(self.log).decode(errors="replace")

    def _join(self) -> None:
        if self._reader is not None:
            self._reader.join(timeout=5)
