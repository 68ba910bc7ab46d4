"""Real captures as the pipeline hands them to the tracker: each message with its time.

The pipeline passes a message's own time (tag block or trailing receiver field) when it has
one, else the time its line was received. Replaying a capture, the receive time is best
told by the capture's own clock: the last $--ZDA or $--RMC sentence of the receiver's GNSS
before the line (the first one for lines before any). A capture without a clock gets one
fixed time, as a replay as fast as possible would nearly give.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from shade.ais import Decoded, Decoder
from tests.conftest import read_lines

NO_CLOCK = datetime(2020, 1, 1, tzinfo=UTC)


def clock_time(line: bytes) -> datetime | None:
    """The UTC time a $--ZDA or $--RMC sentence gives, or None for any other line."""
    if line[:1] != b"$" or line[3:6] not in (b"ZDA", b"RMC"):
        return None
    fields = line.split(b"*")[0].split(b",")
    try:
        hhmmss = fields[1].decode()
        if line[3:6] == b"ZDA":
            day, month, year = int(fields[2]), int(fields[3]), int(fields[4])
        else:
            date = fields[9].decode()
            day, month, year = int(date[:2]), int(date[2:4]), int(date[4:6])
        year += 2000 if year < 100 else 0
        seconds = float(hhmmss[4:])
        whole = int(seconds)
        return datetime(
            year,
            month,
            day,
            int(hhmmss[:2]),
            int(hhmmss[2:4]),
            whole,
            round((seconds - whole) * 1e6),
            tzinfo=UTC,
        )
    except (IndexError, ValueError):
        return None


def timed_messages(path: Path) -> list[tuple[Decoded, datetime]]:
    """Every message of a capture with the time the pipeline would pass for it."""
    lines = read_lines(path)
    clock = next(filter(None, map(clock_time, lines)), NO_CLOCK)
    decoder = Decoder()
    out: list[tuple[Decoded, datetime]] = []
    for line in lines:
        clock = clock_time(line) or clock
        decoded = decoder.feed(line)
        if decoded is not None:
            out.append((decoded, decoded.received_at or clock))
    decoder.flush()
    return out
