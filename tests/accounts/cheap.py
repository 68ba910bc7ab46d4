"""argon2 parameters for tests only: a hash in well under a millisecond. Production code
never sees them; tests hand them over explicitly (``Passwords(CHEAP)``)."""

from __future__ import annotations

from argon2 import Parameters, Type

CHEAP = Parameters(
    type=Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=1,
    memory_cost=64,  # KiB
    parallelism=1,
)
