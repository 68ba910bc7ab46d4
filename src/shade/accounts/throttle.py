"""Login throttling: after too many failed logins, further attempts wait.

Failures are counted per key (the server counts each attempt under the user name and
under the address it came from) within a sliding window. Once a key has ``attempts``
failures within ``window``, every attempt under it is refused until the oldest of them
leaves the window, whatever the password: a guesser learns nothing from trying. A success
does not wipe the count (or a guesser holding one account could reset it between guesses
at another under the same address). Pure: the caller passes the time.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta


class Throttle:
    """Failed attempts per key in a sliding window. Not thread-safe: one caller at a time."""

    def __init__(self, attempts: int, window: timedelta, max_keys: int = 100_000) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts, self.window, self.max_keys = attempts, window, max_keys
        self._failures: dict[str, deque[datetime]] = {}

    def wait(self, keys: list[str], now: datetime) -> timedelta | None:
        """How long until an attempt under these keys may be made, or None if now."""
        longest: timedelta | None = None
        for key in keys:
            failures = self._recent(key, now)
            if failures is not None and len(failures) >= self.attempts:
                left = failures[0] + self.window - now
                if longest is None or left > longest:
                    longest = left
        return longest

    def failed(self, keys: list[str], now: datetime) -> None:
        """Count a failed attempt under each key."""
        if len(self._failures) >= self.max_keys:
            self._forget(now)
        for key in keys:
            failures = self._recent(key, now)
            if failures is None:
                failures = self._failures[key] = deque()
            failures.append(now)
            while len(failures) > self.attempts:
                failures.popleft()

    def _recent(self, key: str, now: datetime) -> deque[datetime] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] + self.window <= now:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures

    def _forget(self, now: datetime) -> None:
        # Bounded memory under a flood of names: drop keys with nothing left in the window.
        for key in list(self._failures):
            self._recent(key, now)
