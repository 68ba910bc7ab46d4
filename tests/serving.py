"""``shade serve`` as a real process on a free port, for tests over real sockets (and the
browser tests): a parties file, a database with users and rules, the URL it serves on."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.commands import SHADE

PARTIES_TOML = """
[[parties]]
id = "nato"
name = "NATO"
colour = "#1f4e9c"
mmsi = [235000001]

[[parties]]
id = "plan"
name = "PLA Navy"
colour = "#c0392b"
mmsi = [412000001, 412000002]
mid = [412, 413, 414]
ship_types = [35]

[[parties]]
id = "jmsdf"
name = "JMSDF"
colour = "#2e8b57"
mmsi = [431000001]
"""
_SERVING = re.compile(rb"serving (http://[^ ]+/)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: list[bytes]) -> None:
        self.process, self.url, self.log = process, url, log

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "ws"


@contextmanager
def serve(tmp_path: Path, db: str, *args: str, timeout: float = 60) -> Iterator[Served]:
    """Run ``shade serve --db DB --parties (the three navies) --port 0 ARGS`` until the
    block ends; then SIGTERM, and it must stop cleanly."""
    parties = tmp_path / "parties.toml"
    parties.write_text(PARTIES_TOML)
    command: Sequence[str] = [
        *SHADE, "serve", "--db", db, "--parties", str(parties), "--port", "0", *args,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    log: list[bytes] = []
    found = threading.Event()
    url: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            match = _SERVING.search(line)
            if match and not found.is_set():
                url.append(match.group(1).decode())
                found.set()
        found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not found.wait(timeout) or not url:
            raise AssertionError(f"shade serve did not start: {b''.join(log).decode()}")
        yield Served(process, url[0], log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        reader.join(timeout=5)
    assert code == 0, b"".join(log).decode()
