"""Browser sessions: the cookie's secret, its digest, and the page's CSRF value.

The cookie holds 32 random bytes; the store keeps only their SHA-256 (a stolen database
gives no live session). Each session also has a CSRF value: the page sends it back in a
header on every change, which a page of another site cannot read nor forge.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

_SECRET_BYTES: Final = 32
_CSRF_BYTES: Final = 24


@dataclass(frozen=True, slots=True)
class NewSession:
    secret: str  # the cookie's value: to send once, never to keep
    digest: str  # what the store keeps
    csrf: str

    def __repr__(self) -> str:
        return "NewSession(secret=…)"


def session_digest(secret: str) -> str:
    """SHA-256 of a cookie's secret, as hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_session() -> NewSession:
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    return NewSession(secret, session_digest(secret), secrets.token_urlsafe(_CSRF_BYTES))
