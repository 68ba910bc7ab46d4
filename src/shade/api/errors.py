"""The server's errors and their one JSON body: ``{"code", "message", "detail"}``.

Every error a route raises on purpose is a ``ShadeError`` (``shade.errors``): its ``code``
and ``http_status`` say what the client gets. Errors the framework raises (a parameter
that does not validate, an unknown path, a wrong method) are answered in the same shape;
anything else is a fault of the server: logged, and answered 500 with nothing more said.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shade.errors import ForbiddenError, ShadeError

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "RateLimitedError",
    "UnauthenticatedError",
    "body",
    "install",
]

log = logging.getLogger(__name__)


class UnauthenticatedError(ShadeError):
    code = "unauthenticated"
    http_status = 401


class ConflictError(ShadeError):
    code = "conflict"
    http_status = 409


class RateLimitedError(ShadeError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_HTTP_CODES = {
    400: "bad_input",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


def body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "detail": detail}


def _shade_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShadeError)
    headers = {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, UnauthenticatedError):
        headers["WWW-Authenticate"] = "Bearer"
    if exc.http_status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc.message)
    return JSONResponse(body(exc.code, exc.message), exc.http_status, headers=headers)


def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "where": ".".join(str(part) for part in error.get("loc", ())),
            "problem": str(error.get("msg", "")),
        }
        for error in exc.errors()
    ]
    first = problems[0] if problems else {"where": "request", "problem": "not valid"}
    message = f"{first['where']}: {first['problem']}"
    return JSONResponse(body("bad_input", message, problems), 400)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such path {request.url.path}"
    return JSONResponse(body(code, message), exc.status_code, headers=exc.headers)


def _fault(request: Request, exc: Exception) -> JSONResponse:
    log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
    return JSONResponse(body("error", "the server failed; the fault is logged"), 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ShadeError, _shade_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _fault)
