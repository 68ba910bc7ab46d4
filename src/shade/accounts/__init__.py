"""Accounts: who may log in, with which role, and the record of every change.

Pure: no SQL, no clock reads, no printing (the store keeps these values; ``shade.store``).

``model`` the values (``Role``, ``User``, ``Token``, ``AuditEntry``) and the rules for names;
``passwords`` argon2 hashing and the password policy; ``tokens`` API tokens for scripts;
``sessions`` browser sessions and their CSRF values; ``throttle`` login rate limits;
``export`` users, tokens and audit entries as JSON values.
"""

from shade.accounts.model import (
    AuditEntry,
    Role,
    Token,
    User,
    check_label,
    check_name,
    check_user,
    is_name,
)
from shade.accounts.passwords import PARAMETERS, Passwords, check_password
from shade.accounts.sessions import NewSession, new_session, session_digest
from shade.accounts.throttle import Throttle
from shade.accounts.tokens import NewToken, digest, new_token, token_id, token_matches

__all__ = [
    "PARAMETERS",
    "AuditEntry",
    "NewSession",
    "NewToken",
    "Passwords",
    "Role",
    "Throttle",
    "Token",
    "User",
    "check_label",
    "check_name",
    "check_password",
    "check_user",
    "digest",
    "is_name",
    "new_session",
    "new_token",
    "session_digest",
    "token_id",
    "token_matches",
]
