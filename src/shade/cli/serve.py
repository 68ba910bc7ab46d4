"""``shade serve``: the HTTP API, the live stream and the browser view over a store."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from shade.cli.options import default_keys_dir, keys_option, listen_options, zones_option


@click.command()
@click.option(
    "--db", metavar="URL", help="Database (default: the SQLite file in your data directory)."
)
@click.option(
    "--parties",
    "parties_path",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="The parties file (TOML; see docs/detect.md): who owns which units.",
)
@zones_option
@listen_options
@click.option(
    "--ingest",
    "sources",
    multiple=True,
    metavar="SOURCE",
    help="Also ingest this feed, with every detector (as `shade ingest --detect`); repeatable.",
)
@keys_option
@click.option(
    "--web",
    "web_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built browser view to serve (default: web/dist of this checkout, if built).",
)
def serve(
    db: str | None,
    parties_path: str,
    zones_path: str | None,
    host: str,
    port: int,
    sources: tuple[str, ...],
    keys_dir: str | None,
    web_dir: Path | None,
) -> None:
    """Serve the shared picture: HTTP API, live stream (/ws) and the map in the browser.

    Every user belongs to a party of --parties (add them with `shade user add`); what
    they see of other parties' units is what those parties release to theirs (full,
    delayed, coarsened or hidden; set by each party's admin). The API is described at
    /api/docs and in docs/api.md. With --ingest, the server also takes feeds (files,
    tcp://, tcp-listen://, udp://) and runs the detectors on them, and its live stream
    shows each commit as it lands.

    The hotline's messages and acknowledgements are signed into the ledger with the keys
    in --keys: the log's (log.key) and each hosted party's (parties/<id>.key); make them
    with `shade keys generate`. A party without a key here can read but not send.

    \b
    Examples:
      shade serve --parties parties.toml
      shade serve --db postgresql://shade@db/shade --parties parties.toml --host 0.0.0.0
      shade serve --parties parties.toml --zones irtc.geojson --ingest tcp-listen://:5631
    """
    from shade.api import Server
    from shade.api.run import Background, default_web
    from shade.cli.detect import detection
    from shade.cli.ingest import open_sources
    from shade.config import load_settings
    from shade.detect.zones import load_zones
    from shade.errors import InputError
    from shade.ingest.pipeline import Pipeline
    from shade.ledger import load_signers
    from shade.parties import load_parties
    from shade.store import Store
    from shade.tracks.tracker import Tracker

    settings = load_settings()
    logging.basicConfig(level=logging.WARNING, format="shade: %(message)s")
    parties = load_parties(parties_path, settings)
    zones = load_zones(zones_path).zones if zones_path else ()
    web = web_dir if web_dir is not None else default_web()
    if web is not None and not (web / "index.html").is_file():
        raise InputError(f"{web}: no index.html (build the view with ./run web)")
    keys = Path(keys_dir or default_keys_dir())
    signers = load_signers(keys)
    with Store.open(db, settings) as store:
        server = Server.open(store, parties, zones, settings, web, signers)
        work = []
        if sources:
            found = detection(settings, parties_path, zones_path)
            opened = open_sources(sources, settings, follow=False)

            pipeline = Pipeline(opened, Tracker(settings), store.write, settings, found.observe)
            work.append(Background("ingest", pipeline.run, pipeline.stop))

        def started(url: str) -> None:
            click.echo(f"shade: store {store.url}", err=True)
            click.echo(f"shade: {len(parties.parties)} parties, {len(zones)} zones", err=True)
            held = ", ".join(sorted(signers.parties)) or "none"
            log_key = signers.log.name if signers.log else "none (shade keys generate --log)"
            click.echo(f"shade: ledger keys in {keys}: log {log_key}; parties {held}", err=True)
            if web is None:
                click.echo("shade: no browser view built (./run web); the API only", err=True)
            click.echo(f"shade: serving {url} (API: {url}api/docs); Ctrl-C stops", err=True)

        from shade.api.run import serve as run

        run(server, host, port, started, work)
        for job in work:
            if job.error is not None:
                click.echo(f"shade: error: {job.name}: {job.error}", err=True)
                sys.exit(1)
