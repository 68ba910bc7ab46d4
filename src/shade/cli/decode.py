"""``shade decode``: decode an AIS capture (file, gzip or stdin) to text or JSON Lines."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click

from shade.ais import Decoder, DecodeStats
from shade.ais.decoder import Decoded
from shade.ais.jsonlines import JsonLines
from shade.config import load_settings
from shade.ingest.files import Capture

_FLUSH_EVERY = 2000


def _lines_with_progress(capture: Capture) -> Iterator[bytes]:
    """Lines of the capture; a progress bar on stderr for a file when stderr is a terminal."""
    if capture.size is None or not sys.stderr.isatty():
        yield from capture.lines()
        return
    with click.progressbar(
        length=capture.size, label=capture.name, file=sys.stderr, show_eta=True
    ) as bar:
        done = 0
        for block in capture.blocks():
            yield from block
            bar.update(capture.position - done)
            done = capture.position


def _text(decoded: Decoded) -> bytes:
    message = decoded.message
    when = decoded.received_at.isoformat().replace("+00:00", "Z") if decoded.received_at else "-"
    fields = " ".join(
        f"{name}={value}"
        for name, value in message.as_dict().items()
        if value is not None
        and name not in ("msg_type", "repeat", "mmsi")
        and not isinstance(value, bytes)
    )
    line = f"{when} {message.msg_type:>2} {message.mmsi:09d} {type(message).__name__} {fields}"
    return line.encode("utf-8", "replace")


def format_stats(stats: DecodeStats) -> str:
    rows = [
        f"lines        {stats.lines:>10,}",
        f"not AIS      {stats.skipped:>10,}   (other NMEA sentences, comments, blank lines)",
        f"sentences    {stats.sentences:>10,}",
        f"messages     {stats.decoded:>10,}",
    ]
    for msg_type, count in sorted(stats.messages.items()):
        rows.append(f"  type {msg_type:<6}{count:>10,}")
    rejected = sum(stats.rejects.values())
    rows.append(f"rejected     {rejected:>10,}   (sentences)")
    for reason, count in sorted(stats.rejects.items()):
        rows.append(f"  {reason:<19}{count:>10,}")
    return "\n".join(rows)


@click.command()
@click.argument("path", metavar="PATH|-")
@click.option("--json", "as_json", is_flag=True, help="Write JSON Lines: one object per message.")
@click.option(
    "--stats",
    is_flag=True,
    help="Count sentences, messages per type and rejects by reason (on stderr with --json; "
    "alone, instead of the messages).",
)
def decode(path: str, as_json: bool, stats: bool) -> None:
    """Decode the AIS messages of a capture file (plain or gzip) or of stdin ("-").

    Any NMEA 0183 / IEC 61162-1 AIS sentence is read: any talker, VDM and VDO, NMEA 4 tag
    blocks, receiver fields after the checksum. Other lines are skipped and counted; bad
    sentences are counted by reason, never fatal.

    \b
    --json objects carry pyais's field names (lat, lon, speed, course, heading,
    shipname ...), "not available" values as null, binary data as base64, plus
    received_at (UTC ISO 8601, from a tag block or receiver field) and source.

    \b
    Examples:
      shade decode capture.nmea.gz --stats
      nc feeder 10110 | shade decode - --json > messages.jsonl
    """
    decoder = Decoder(load_settings())
    with Capture(path) as capture:
        messages = decoder.decode(_lines_with_progress(capture))
        if stats and not as_json:
            for _ in messages:
                pass
        else:
            write = sys.stdout.buffer.write
            to_line = JsonLines().line if as_json else _text
            batch: list[bytes] = []
            for decoded in messages:
                batch.append(to_line(decoded))
                if len(batch) >= _FLUSH_EVERY:
                    write(b"\n".join(batch) + b"\n")
                    batch.clear()
            if batch:
                write(b"\n".join(batch) + b"\n")
            sys.stdout.buffer.flush()
    if stats:
        click.echo(format_stats(decoder.stats), err=as_json)
