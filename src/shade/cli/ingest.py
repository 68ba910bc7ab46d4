"""``shade ingest``: feeds and files into the store; ``shade replay``: a capture sent again live."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from shade.cli.options import parties_option, zones_option
from shade.config import Settings, load_settings
from shade.ingest.lines import Source
from shade.ingest.pipeline import IngestStats, Pipeline, stop_on_signals
from shade.ingest.replay import replay as replay_capture
from shade.ingest.sources import TcpListenSource, UdpSource, open_source

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # what click.progressbar returns

    from shade.detect.runner import Detection

REPORT_SECONDS = 10.0  # a line of totals this often when no progress bar is drawn


def open_sources(texts: Sequence[str], settings: Settings, follow: bool) -> list[Source]:
    """Every SOURCE opened before anything starts; on an error, those opened are closed."""
    opened: list[Source] = []
    try:
        for text in texts:
            opened.append(open_source(text, settings, follow=follow))
    except BaseException:
        for source in opened:
            source.close()
        raise
    return opened


def summary(stats: IngestStats) -> str:
    """One line of totals, for the periodic report."""
    rejected = sum(stats.rejects.values())
    dropped = ""
    if stats.connections_dropped or stats.datagrams_dropped:
        dropped = (
            f", dropped {stats.connections_dropped:,} connections"
            f" {stats.datagrams_dropped:,} datagrams"
        )
    return (
        f"shade: {stats.lines:,} lines, {stats.decoded:,} messages ({stats.rate:,.0f}/s), "
        f"{rejected:,} rejected, {stats.points:,} points, {stats.aside:,} aside, "
        f"{stats.statics:,} static{dropped}"
    )


def format_totals(stats: IngestStats) -> str:
    rows = [
        f"lines                {stats.lines:>10,}",
        f"not AIS              {stats.skipped:>10,}",
        f"messages             {stats.decoded:>10,}   ({stats.rate:,.0f} per second)",
        f"rejected             {sum(stats.rejects.values()):>10,}   (sentences)",
    ]
    rows += [f"  {reason:<19}{count:>10,}" for reason, count in sorted(stats.rejects.items())]
    rows += [
        f"points               {stats.points:>10,}",
        f"kept aside           {stats.aside:>10,}",
        f"static records       {stats.statics:>10,}",
        f"batches written      {stats.batches:>10,}",
        f"connections dropped  {stats.connections_dropped:>10,}",
        f"connect failures     {stats.connect_failures:>10,}",
        f"datagrams dropped    {stats.datagrams_dropped:>10,}",
        f"seconds              {stats.seconds:>10,.1f}",
    ]
    return "\n".join(rows)


class _Progress:
    """Progress on stderr: a bar when stderr is a terminal and every source is a file read
    once (their sizes are known), else a line of totals every REPORT_SECONDS."""

    def __init__(self, sources: list[Source]) -> None:
        self._sources = sources
        self._last = 0.0
        self._done = 0
        self._total = 0
        sizes = [source.size for source in sources]
        self._bar: ProgressBar[int] | None = None
        if sys.stderr.isatty() and all(size is not None for size in sizes):
            self._total = sum(size or 0 for size in sizes)
            self._bar = click.progressbar(
                length=self._total, label="ingest", file=sys.stderr, show_eta=True
            )

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if self._bar is not None:
            if kind is None:
                self._bar.update(self._total - self._done)  # gzip's position lags its end
            self._bar.__exit__(None, None, None)

    def __call__(self, stats: IngestStats) -> None:
        if self._bar is not None:
            position = sum(source.position for source in self._sources)
            self._bar.update(position - self._done)
            self._done = position
        elif stats.seconds - self._last >= REPORT_SECONDS:
            self._last = stats.seconds
            click.echo(summary(stats), err=True)


@click.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option(
    "--db",
    metavar="URL",
    help="Database: sqlite:///PATH (or a path) or postgresql://USER:PASSWORD@HOST/DB. "
    "Default: a SQLite file in your data directory.",
)
@click.option("--follow", is_flag=True, help="Keep reading files as they grow, like tail -F.")
@click.option(
    "--detect",
    "detect_events",
    is_flag=True,
    help="Run the detectors live; their events are stored with the points they came from.",
)
@parties_option
@zones_option
def ingest(
    sources: tuple[str, ...],
    db: str | None,
    follow: bool,
    detect_events: bool,
    parties_path: str | None,
    zones_path: str | None,
) -> None:
    """Ingest AIS from files and live feeds into the store, until they end or Ctrl-C.

    \b
    SOURCE is one of:
      PATH, PATH.gz, -           a capture file (gzip told by content) or stdin
      tcp://HOST:PORT            a feed to connect to; reconnects when it drops
      tcp-listen://[HOST]:PORT   accept feeds that connect here (each client a source)
      udp://[HOST]:PORT          datagrams from a receiver (one line or several each)

    Bad lines, unknown messages and dropped connections are counted, never fatal. Ctrl-C
    or SIGTERM stops the sources and writes what was received before exiting. Rate and
    totals go to stderr (a progress bar for files on a terminal).

    With --detect, close encounters (between parties named in --parties), zone visits
    (zones in --zones), AIS gaps, loitering and ship-to-ship meetings are found as the
    points arrive; see `shade events`. --parties or --zones imply --detect.

    \b
    Examples:
      shade ingest capture.nmea.gz --db shade.db
      shade ingest tcp://153.44.253.27:5631 udp://:10110
      shade ingest feed.nmea --detect --parties parties.toml --zones zones.geojson
    """
    # Imported here: SQLAlchemy and Alembic load only when ingest runs, not for `shade -h`;
    # the detectors (SciPy, a third of a second) only when they are asked for.
    from shade.store import Store
    from shade.tracks.tracker import Tracker

    settings = load_settings()
    logging.basicConfig(level=logging.WARNING, format="shade: %(message)s")
    found: Detection | None = None
    if detect_events or parties_path or zones_path:
        from shade.cli.detect import detection

        found = detection(settings, parties_path, zones_path)
    opened = open_sources(sources, settings, follow)
    try:
        store = Store.open(db, settings)
    except BaseException:
        for source in opened:
            source.close()
        raise
    with store:
        click.echo(f"shade: store {store.url}", err=True)
        for source in opened:
            if isinstance(source, TcpListenSource | UdpSource):
                click.echo(f"shade: listening on {source.name}", err=True)
        # One transaction a batch: points and the events they caused stand or fall together.
        detect = found.observe if found is not None else None
        pipeline = Pipeline(opened, Tracker(settings), store.write, settings, detect)
        with stop_on_signals(pipeline), _Progress(opened) as progress:
            stats = pipeline.run(progress, every_seconds=0.5)
    click.echo(format_totals(stats), err=True)
    if found is not None:
        from shade.cli.detect import detection_totals

        click.echo(detection_totals(found), err=True)
    for message in stats.errors:
        click.echo(f"shade: error: {message}", err=True)
    if stats.errors:
        sys.exit(1)


@click.command()
@click.argument("path", metavar="FILE")
@click.option(
    "--to", "to", required=True, metavar="URL", help="udp://HOST:PORT or tcp://HOST:PORT."
)
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="Times faster than the capture's own timing; 0: as fast as possible.",
)
def replay(path: str, to: str, speed: float) -> None:
    """Send a capture's lines to a live feed again, with their original timing.

    Times come from the lines' tag blocks or receiver fields; lines without one go out
    right after the line before. To tcp://, replay connects to a listener such as
    `shade ingest tcp-listen://:PORT`.

    \b
    Example:
      shade replay capture.nmea --to udp://127.0.0.1:10110 --speed 10
    """
    result = replay_capture(path, to, speed)
    click.echo(
        f"shade: sent {result.lines:,} lines in {result.sends:,} writes, {result.seconds:.1f} s",
        err=True,
    )
