"""The FastAPI application: routes, the live stream, errors, security headers, the web view.

``create_app(server)`` builds it over a ``Server``; while it runs, the hub hears of every
write the store commits and its ticker lets out what comes due, and the escalator takes
the hotline's escalation steps as they fall due. The built browser view
(``web/dist``) is served from ``/`` when present.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import unquote

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from shade import __version__
from shade.api import errors, live
from shade.api.errors import body
from shade.api.escalator import Escalator
from shade.api.routes import admin, events, hotline, ledger, picture, session
from shade.api.schemas import Problem
from shade.api.server import Server

# The page fetches nothing from elsewhere (closed networks): every source is the server.
# MapLibre runs its workers from blob: URLs and styles the map with inline styles.
_CSP = (
    "default-src 'self'; script-src 'self'; worker-src 'self' blob:; "
    "child-src blob:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_DOCS = ("/api/docs", "/api/openapi.json")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def create_app(server: Server) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        unsubscribe = server.store.subscribe(server.hub.commit)
        server.hub.start()
        escalator = Escalator(server.store, server.clock)
        escalator.start()
        try:
            yield
        finally:
            escalator.stop()
            server.hub.stop()
            unsubscribe()

    app = FastAPI(
        title="SHADE",
        version=__version__,
        summary="Shared Awareness and De-confliction: the shared picture, as each party "
        "releases it.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
        responses={
            400: {"model": Problem, "description": "bad input"},
            401: {"model": Problem, "description": "not signed in"},
            403: {"model": Problem, "description": "not allowed"},
            404: {"model": Problem, "description": "not found (or not visible)"},
        },
    )
    app.state.server = server
    app.state.encoded = live.Encoded()
    errors.install(app)
    routers = (session, picture, events, hotline, ledger, admin, live)
    for module in routers:
        app.include_router(module.router)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if _CONTROL.search(unquote(request.url.path)) or _CONTROL.search(
            unquote(request.url.query)
        ):
            # No name, id or time holds one; a database may refuse it (PostgreSQL: NUL).
            refused = body("bad_input", "a control character in the path or query", None)
            return JSONResponse(refused, 400, headers=_HEADERS)
        response = await call_next(request)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith(_DOCS):
            response.headers.setdefault("Content-Security-Policy", _CSP)
        return response

    if server.web is not None and (server.web / "index.html").is_file():
        app.mount("/", StaticFiles(directory=server.web, html=True), name="web")
    return app
