"""The server: the HTTP API and live stream over the store, as each party may see it.

Thin: routes read the request, call the store and ``shade.access``, and shape the answer.
``create_app(Server.open(store, parties, zones))`` makes the application; ``shade serve``
runs it with uvicorn. See docs/api.md.
"""

from shade.api.app import create_app
from shade.api.server import Server

__all__ = ["Server", "create_app"]
