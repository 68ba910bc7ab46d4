"""The login throttle: failures counted per key in a sliding window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shade.accounts import Throttle, new_session, session_digest

T0 = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_past_the_attempts_every_try_waits_until_the_oldest_leaves_the_window() -> None:
    throttle = Throttle(3, WINDOW)
    for minute in (0, 1, 2):
        assert throttle.wait(["name:a"], at(minute)) is None
        throttle.failed(["name:a"], at(minute))
    assert throttle.wait(["name:a"], at(2)) == timedelta(minutes=13)
    assert throttle.wait(["name:a"], at(14.5)) == timedelta(minutes=0.5)
    assert throttle.wait(["name:a"], at(15)) is None  # the first failure left the window
    assert throttle.wait(["name:b"], at(2)) is None


def test_the_longest_wait_of_the_keys_counts() -> None:
    throttle = Throttle(2, WINDOW)
    throttle.failed(["name:a", "remote:x"], at(0))
    throttle.failed(["name:b", "remote:x"], at(5))
    assert throttle.wait(["name:c", "remote:x"], at(5)) == timedelta(minutes=10)
    assert throttle.wait(["name:a", "remote:y"], at(5)) is None


def test_keys_with_nothing_left_are_forgotten() -> None:
    throttle = Throttle(1, WINDOW, max_keys=2)
    throttle.failed(["a"], at(0))
    throttle.failed(["b"], at(0))
    throttle.failed(["c"], at(20))  # a and b are out of the window: dropped to make room
    assert throttle.wait(["a"], at(20)) is None and throttle.wait(["c"], at(20)) is not None
    assert len(throttle._failures) == 1


def test_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Throttle(0, WINDOW)


def test_sessions_are_random_kept_as_digests_and_never_printed() -> None:
    one, two = new_session(), new_session()
    assert one.secret != two.secret and one.csrf != two.csrf
    assert one.digest == session_digest(one.secret) != one.secret
    assert one.secret not in repr(one)
