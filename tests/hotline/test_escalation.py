"""When an unacknowledged message escalates: at the deadline, one deadline later, and one
more; once per level; an acknowledged one never; a late sweep jumps to the level due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shade.hotline.escalation import due, level_due, next_step_at
from shade.hotline.model import Level, Message, Precedence, Receipt

SENT = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
D = timedelta(minutes=5)


def message(*receipts: Receipt) -> Message:
    return Message(
        "m1", "c1", 0, "nato", "alice", Precedence.FLASH, SENT, SENT + D,
        None, None, "keep clear", None, None, None, receipts,
    )  # fmt: skip


def test_the_steps_fall_at_one_two_and_three_deadlines() -> None:
    waiting = message(Receipt("plan"))
    receipt = waiting.receipts[0]
    cases = [
        (SENT + D - timedelta(seconds=1), Level.NONE),
        (SENT + D, Level.REMINDER),
        (SENT + 2 * D - timedelta(seconds=1), Level.REMINDER),
        (SENT + 2 * D, Level.DUTY_OFFICER),
        (SENT + 3 * D, Level.ADMINS),
        (SENT + 30 * D, Level.ADMINS),
    ]
    for now, level in cases:
        assert level_due(waiting, receipt, now) == level, now


def test_each_step_is_taken_once_and_a_late_sweep_jumps_to_the_level_due() -> None:
    at_reminder = message(Receipt("plan", level=Level.REMINDER))
    assert due(at_reminder, SENT + D + timedelta(minutes=1)) == []
    late = message(Receipt("plan"))
    assert [(r.party, level) for r, level in due(late, SENT + 3 * D)] == [("plan", Level.ADMINS)]


def test_an_acknowledged_receipt_never_escalates_and_others_go_on() -> None:
    both = message(
        Receipt("plan", acked_at=SENT + timedelta(minutes=1), acked_by="bob"),
        Receipt("jmsdf"),
    )
    assert [(r.party, level) for r, level in due(both, SENT + 2 * D)] == [
        ("jmsdf", Level.DUTY_OFFICER)
    ]


def test_the_next_step_is_told_until_the_top() -> None:
    assert next_step_at(message(), Receipt("plan")) == SENT + D
    assert next_step_at(message(), Receipt("plan", level=Level.REMINDER)) == SENT + 2 * D
    assert next_step_at(message(), Receipt("plan", level=Level.DUTY_OFFICER)) == SENT + 3 * D
    assert next_step_at(message(), Receipt("plan", level=Level.ADMINS)) is None
    acked = Receipt("plan", acked_at=SENT, acked_by="bob")
    assert next_step_at(message(), acked) is None
