"""Accounts: who may log in, with which role, and the record of every change.

Pure: no SQL, no clock reads, no printing (the store keeps these values; ``shade.store``).

``model`` the values (``Role``, ``User``, ``Token``, ``AuditEntry``) and the rules for names;
``passwords`` argon2 hashing and the password policy; ``tokens`` API tokens for scripts.
"""

from shade.accounts.model import AuditEntry, Role, Token, User, check_name, check_user
from shade.accounts.passwords import PARAMETERS, Passwords, check_password
from shade.accounts.tokens import NewToken, digest, new_token, token_id, token_matches

__all__ = [
    "PARAMETERS",
    "AuditEntry",
    "NewToken",
    "Passwords",
    "Role",
    "Token",
    "User",
    "check_name",
    "check_password",
    "check_user",
    "digest",
    "new_token",
    "token_id",
    "token_matches",
]
