"""Running the app: uvicorn on a host and port, and work that starts once it listens.

``serve`` blocks until the server stops (Ctrl-C or SIGTERM: uvicorn handles them), calls
``on_started`` with the URL once it listens (port 0 picks a free one, and the URL says
which), and stops the background work it was given on the way out.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from shade.api.app import create_app
from shade.api.server import Server


def default_web() -> Path | None:
    """The browser view built in this checkout (``web/dist``), if it is there."""
    built = Path(__file__).resolve().parents[3] / "web" / "dist"
    return built if (built / "index.html").is_file() else None


class _Uvicorn(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn raises the signal again once it has shut down, so the process dies of it;
        # here a stop asked for is a clean end (status 0), as for `shade ingest`.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        wanted = (signal.SIGINT, signal.SIGTERM)
        previous = {number: signal.signal(number, self.handle_exit) for number in wanted}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


class Background:
    """Work that runs beside the server: ``run`` in a thread, ``stop`` to end it."""

    def __init__(self, name: str, run: Callable[[], object], stop: Callable[[], None]) -> None:
        self.name, self.run, self.stop = name, run, stop
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)

    def _main(self) -> None:
        try:
            self.run()
        except BaseException as exc:  # reported by whoever started it
            self.error = exc


def serve(
    server: Server,
    host: str,
    port: int,
    on_started: Callable[[str], None] = lambda url: None,
    background: list[Background] | None = None,
) -> None:
    config = uvicorn.Config(
        create_app(server),
        host=host,
        port=port,
        log_level="warning",
        ws_max_size=1 << 20,
        ws_per_message_deflate=False,
        proxy_headers=False,
    )
    running = _Uvicorn(config)
    work = background or []

    def when_listening() -> None:
        while not running.started:
            if running.should_exit:
                return
            threading.Event().wait(0.05)
        socket = running.servers[0].sockets[0]
        bound_port = socket.getsockname()[1]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        on_started(f"http://{shown}:{bound_port}/")
        for job in work:
            job.thread.start()

    threading.Thread(target=when_listening, name="shade started", daemon=True).start()
    try:
        running.run()
    finally:
        for job in work:
            job.stop()
        for job in work:
            if job.thread.is_alive():
                job.thread.join(timeout=10)
