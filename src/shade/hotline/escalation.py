"""When an unacknowledged message is escalated, and to whom. Pure: time is passed in.

For each receiving party that has not acknowledged, with D the precedence's deadline:

    at sent + D     a reminder to the channel         (Level.REMINDER)
    at sent + 2 D   the party's duty officers         (Level.DUTY_OFFICER)
    at sent + 3 D   the party's admins                (Level.ADMINS)

A step is taken once; a receipt that fell behind (the server was down) goes to the highest
level due, in one step, rather than replaying the steps it missed.
"""

from __future__ import annotations

from datetime import datetime

from shade.hotline.model import Level, Message, Receipt


def level_due(message: Message, receipt: Receipt, now: datetime) -> Level:
    """The level the receipt should be at by ``now``."""
    if receipt.acked_at is not None or now < message.deadline_at:
        return receipt.level
    span = message.deadline_at - message.sent_at
    steps = (
        int(Level.ADMINS)
        if span.total_seconds() <= 0
        else 1 + int((now - message.deadline_at) / span)
    )
    return Level(max(int(receipt.level), min(steps, int(Level.ADMINS))))


def next_step_at(message: Message, receipt: Receipt) -> datetime | None:
    """When the receipt's next escalation falls due (None: acknowledged, or at the top)."""
    if receipt.acked_at is not None or receipt.level >= Level.ADMINS:
        return None
    span = message.deadline_at - message.sent_at
    return message.deadline_at + span * int(receipt.level)


def due(message: Message, now: datetime) -> list[tuple[Receipt, Level]]:
    """The receipts of ``message`` to escalate now, each with the level it goes to."""
    out = []
    for receipt in message.receipts:
        level = level_due(message, receipt, now)
        if level > receipt.level:
            out.append((receipt, level))
    return out
