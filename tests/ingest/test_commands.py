"""``shade ingest`` and ``shade replay`` as a user runs them: real processes, signals, SQLite.

The SIGTERM and kill -9 tests count the rows of the SQLite file the process wrote.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from shade.ais import Decoder
from shade.ingest.sources import UdpSource
from shade.tracks.tracker import Tracker
from tests.commands import SHADE, run_on_terminal
from tests.conftest import AIS_NMEA, read_lines
from tests.ingest.conftest import Running, TickingClock, wait_for

# The commands are added here as well, so that these tests do not depend on their
# registration in shade.cli (adding a command twice is harmless).
NCA = AIS_NMEA / "nca_norwegian.raw"


def shade(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*SHADE, *args], capture_output=True, timeout=120, env=env)


def batches_env(size: int, seconds: int = 3600) -> dict[str, str]:
    return {
        **os.environ,
        "SHADE_INGEST_BATCH_SIZE": str(size),
        "SHADE_INGEST_BATCH_SECONDS": str(seconds),
    }


def stored(db: Path) -> int:
    """Rows of history and kept-aside points in the database, read in one snapshot."""
    try:
        with sqlite3.connect(db, timeout=30) as connection:
            row = connection.execute(
                "SELECT (SELECT coalesce(sum(n), 0) FROM segments) + (SELECT count(*) FROM aside)"
            ).fetchone()
    except sqlite3.OperationalError:
        return 0  # not created yet
    return int(row[0])


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def total(stderr: bytes, label: str) -> int:
    found = re.search(rf"^{label} +([\d,]+)", stderr.decode(), re.MULTILINE)
    assert found, stderr.decode()
    return int(found.group(1).replace(",", ""))


def read_to_end(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has read its open file ``path`` to the end (Linux /proc)."""
    fds = Path(f"/proc/{pid}/fd")
    for fd in fds.iterdir():
        try:
            if fd.readlink() == path:
                info = (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text()
                return int(info.split("pos:")[1].split()[0]) >= path.stat().st_size
        except OSError:
            continue
    return False


def test_bad_sources_and_urls_are_one_line_errors(tmp_path: Path) -> None:
    for args, error in [
        (["ingest", "tcp://feeder"], "shade: error: tcp://feeder: no port"),
        (["ingest", str(tmp_path / "missing.nmea")], "no such file"),
        (["replay", str(NCA), "--to", "udp://:10110"], "replay sends to"),
    ]:
        done = shade(*args)
        assert done.returncode == 1 and error in done.stderr.decode()
        assert len(done.stderr.splitlines()) == 1 and not done.stdout


def test_a_file_into_the_default_store_with_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done, drawn = run_on_terminal([*SHADE, "ingest", str(NCA)], env=env)
    assert done.returncode == 0, drawn
    db = tmp_path / "data" / "shade" / "shade.db"
    assert f"shade: store sqlite:///{db}".encode() in drawn  # printed at start
    assert b"ingest" in drawn and b"100%" in drawn
    messages = re.search(rb"messages +([\d,]+)", drawn)
    assert messages and messages.group(1) == b"196"
    assert stored(db) > 0 and integrity(db) == "ok"


def test_sigterm_writes_the_last_partial_batch(tmp_path: Path) -> None:
    path = tmp_path / "live.nmea"
    shutil.copyfile(NCA, path)
    db = tmp_path / "shade.db"
    command = [*SHADE, "ingest", str(path), "--follow", "--db", str(db)]
    # Batches far larger and older than this run: nothing is written before the signal.
    process = subprocess.Popen(command, stderr=subprocess.PIPE, env=batches_env(100000))
    try:
        wait_for(lambda: read_to_end(process.pid, path), "the file to be read", seconds=60)
        assert stored(db) == 0
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert total(stderr, "messages") == 196 and total(stderr, "batches written") == 1
    rows = total(stderr, "points") + total(stderr, "kept aside")
    assert stored(db) == rows > 0 and integrity(db) == "ok"


def test_replay_command_sends_a_capture(run: Callable[..., Running]) -> None:
    source = UdpSource("127.0.0.1", 0)
    running = run(source)
    done = shade("replay", str(NCA), "--to", source.name, "--speed", "0")
    assert done.returncode == 0 and b"sent 223 lines" in done.stderr
    running.wait_for_lines(223)
    running.stop()
    assert running.texts() == read_lines(NCA)


def _stored_after_each_batch(path: Path, size: int, up_to: int) -> set[int]:
    """Rows stored after 0, 1, 2 ... whole batches of ``size`` messages of the file, as far
    as ``up_to`` rows."""
    decoded = list(Decoder().decode(read_lines(path)))
    tracker, at = Tracker(), TickingClock().start
    counts, rows = {0}, 0
    for start in range(0, len(decoded), size):
        update = tracker.add((one, at) for one in decoded[start : start + size])
        rows += len(update.points) + len(update.aside)
        counts.add(rows)
        if rows >= up_to:
            break
    return counts


@pytest.mark.slow
def test_kill_9_loses_only_batches_not_yet_committed(tmp_path: Path) -> None:
    big = tmp_path / "amsa.nmea"
    big.write_bytes(gzip.decompress((AIS_NMEA / "amsa_ais.txt.gz").read_bytes()))
    db = tmp_path / "shade.db"
    command = [*SHADE, "ingest", str(big), "--follow", "--db", str(db)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, env=batches_env(500))
    try:
        wait_for(lambda: stored(db) > 0, "a first batch to be committed", seconds=60)
        committed = stored(db)
        process.kill()
        process.wait(timeout=30)
    finally:
        process.kill()
    assert integrity(db) == "ok"
    after = stored(db)
    # Every batch committed is there, whole; only those not committed (the one being
    # written, the one waiting behind it) may be missing.
    assert after >= committed
    assert after in _stored_after_each_batch(big, 500, up_to=after)

    done = shade("ingest", str(NCA), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert integrity(db) == "ok" and stored(db) > after


def test_ingest_without_detectors_loads_neither_them_nor_the_migrations(tmp_path: Path) -> None:
    """Each run starts in about half a second: SciPy (the detectors) loads only with
    --detect, Alembic only when the database is not yet at the newest revision."""
    db = tmp_path / "shade.db"
    assert shade("ingest", str(NCA), "--db", str(db)).returncode == 0  # made and migrated
    program = (
        "import sys\n"
        "from shade.cli import main\n"
        f"sys.argv = ['shade', 'ingest', {str(NCA)!r}, '--db', {str(db)!r}]\n"
        "main()\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'scipy', 'alembic'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == "[]"
    assert total(done.stderr, "points") > 0
