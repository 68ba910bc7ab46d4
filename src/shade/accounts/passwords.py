"""Passwords: hashed with argon2id (argon2-cffi), verified in constant time; the policy.

The parameters are RFC 9106's second recommendation (t=3, 64 MiB, p=4): about 0.13 s per
hash on one core of a 2020s server, which bounds a guessing attack on a stolen database
without making a login slow. Tests may pass cheaper parameters explicitly; nothing else
should. Each hash carries its parameters, so older hashes still verify after a change.
"""

from __future__ import annotations

import secrets
from typing import Final

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shade.errors import InputError

PARAMETERS: Final[Parameters] = profiles.RFC_9106_LOW_MEMORY
MIN_LENGTH: Final = 12
# argon2 takes any length; a cap keeps a request from making the server hash megabytes.
MAX_LENGTH: Final = 1024


def check_password(name: str, password: str) -> str:
    """``password`` if the policy allows it for user ``name``; InputError otherwise."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InputError(f"the password must have at most {MAX_LENGTH} characters")
    if password.strip().casefold() == name.strip().casefold():
        raise InputError("the password must not be the user name")
    return password


class Passwords:
    """Hashes and verifies passwords with one set of argon2 parameters."""

    def __init__(self, parameters: Parameters = PARAMETERS) -> None:
        self.parameters = parameters
        self._hasher = PasswordHasher.from_parameters(parameters)
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        """The encoded argon2 hash ("$argon2id$v=19$m=...$salt$hash") of ``password``."""
        return self._hasher.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        """Whether ``password`` is the one ``hashed`` was made from (False for a hash that
        cannot be read). argon2 compares in constant time."""
        try:
            return self._hasher.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        """Whether ``hashed`` was made with other parameters than these."""
        try:
            return self._hasher.check_needs_rehash(hashed)
        except InvalidHashError:
            return True

    def waste(self, password: str) -> None:
        """Spend what a verification costs, for a user that does not exist: the answer to
        a login then takes as long whether or not the name is known."""
        if self._dummy is None:
            # Two threads may both make one: harmless, either serves.
            self._dummy = self.hash(secrets.token_urlsafe(16))
        self.verify(self._dummy, password)
