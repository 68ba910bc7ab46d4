"""API tokens for scripts: ``shd_<id>_<secret>``, shown once, kept as a SHA-256 digest.

The id (12 hex digits) is public: it names the token in lists, logs and ``revoke``, and
finds its row. The secret is 32 random bytes (``secrets.token_urlsafe``): with that much
entropy a fast hash is enough (no guessing attack can get anywhere), so the store keeps
SHA-256 of the whole token and compares digests in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Final

PREFIX: Final = "shd_"
_ID_BYTES: Final = 6
_SECRET_BYTES: Final = 32
_TOKEN: Final = re.compile(r"shd_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True, slots=True)
class NewToken:
    id: str
    token: str  # the whole token, to show once and forget
    digest: str  # what the store keeps

    def __repr__(self) -> str:
        # Keep the secret out of logs and tracebacks.
        return f"NewToken(id={self.id!r}, token='shd_{self.id}_…')"


def digest(token: str) -> str:
    """SHA-256 of the token, as hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> NewToken:
    token_id = secrets.token_hex(_ID_BYTES)
    token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    return NewToken(token_id, token, digest(token))


def token_id(token: str) -> str | None:
    """The id of a well-formed token, else None."""
    found = _TOKEN.fullmatch(token)
    return found.group(1) if found else None


def token_matches(token: str, stored_digest: str) -> bool:
    """Whether ``token`` is the one ``stored_digest`` was made from (constant time)."""
    return hmac.compare_digest(digest(token).encode(), stored_digest.encode())
