"""The demo's hotline: keys, channels and a short scripted exchange, so that the hotline
and its signed record are never empty in the demo.

Keys for the log and for each navy are made fresh in a directory of the demo's own (the
demo's record is its own too). Two channels are opened, NATO - PLA Navy and NATO - JMSDF,
and, as the scenario's close encounter is first detected:

1. NATO's watch officer sends a FLASH message about it (the CPA warning phrase, with the
   encounter's figures) to the PLA Navy;
2. the PLA Navy's watch officer acknowledges it a few seconds later and answers
   (IMMEDIATE: altering course to starboard), which NATO acknowledges in turn;
3. NATO asks JMSDF its intentions (PRIORITY), and nobody answers: it is escalated, step
   by step, to JMSDF's duty officer and its admins.

The demo's deadlines are those of the settings divided by its speed, as its clock runs
that much faster than the wall's.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from shade.accounts import User
from shade.config import Settings
from shade.detect.events import Event, EventKind
from shade.errors import ShadeError
from shade.hotline import actions
from shade.hotline.model import Channel, Message
from shade.ledger import Signers, generate_key, load_signers
from shade.store import Store
from shade.store.store import Commit

log = logging.getLogger(__name__)
ORIGIN: Final = "shade-demo.local/ledger"
_ACK_AFTER_S: Final = 6.0  # how long the PLA Navy's watch takes to acknowledge
# (event, sender, receivers) -> the event as the message may carry it (``check_event``).
EventCheck = Callable[[Event, str, list[str]], dict[str, Any]]


def demo_keys(directory: Path) -> Signers:
    """Fresh keys of the log and the three navies in ``directory`` (replaced each run)."""
    shutil.rmtree(directory, ignore_errors=True)
    generate_key(directory, ORIGIN, log=True)
    for party in ("nato", "plan", "jmsdf"):
        generate_key(directory, party)
    return load_signers(directory)


def demo_settings(settings: Settings, speed: float) -> Settings:
    """The hotline's deadlines on the demo's clock."""
    if speed <= 1:
        return settings
    return replace(
        settings,
        hotline_flash_minutes=settings.hotline_flash_minutes / speed,
        hotline_immediate_minutes=settings.hotline_immediate_minutes / speed,
        hotline_priority_minutes=settings.hotline_priority_minutes / speed,
        hotline_routine_minutes=settings.hotline_routine_minutes / speed,
    )


class Exchange:
    """The scripted exchange: started by the first close encounter committed."""

    def __init__(
        self,
        store: Store,
        signers: Signers,
        settings: Settings,
        check_event: EventCheck,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        ack_after_s: float = _ACK_AFTER_S,
    ) -> None:
        self.store, self.signers, self.settings, self.clock = store, signers, settings, clock
        self.check_event = check_event
        self.ack_after_s = ack_after_s
        self.done = threading.Event()
        self._started = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        now = clock()
        nato = self._user("nato-admin")
        navies = ["nato", "plan", "jmsdf"]
        self.nato_plan = actions.do_open_channel(
            store, "NATO - PLA Navy", ["nato", "plan"], nato, navies, now, remote="demo"
        )
        self.nato_jmsdf = actions.do_open_channel(
            store, "NATO - JMSDF", ["nato", "jmsdf"], nato, navies, now, remote="demo"
        )

    def _user(self, name: str) -> User:
        user = self.store.user(name)
        if user is None:
            raise ShadeError(f"the demo has no user {name!r}")
        return user

    def on_commit(self, commit: Commit) -> None:
        """The store's subscriber: the first encounter starts the exchange (in a thread of
        its own: a subscriber must not write from the writing thread's callback)."""
        encounters = [e for e in commit.events if e.kind is EventKind.ENCOUNTER]
        if not encounters:
            return
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(
            target=self._run, args=(encounters[0],), name="demo hotline", daemon=True
        ).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self, event: Event) -> None:
        try:
            self._script(event)
        except ShadeError as exc:
            log.warning("demo hotline: %s", exc.message)
        finally:
            self.done.set()

    def _send(
        self,
        channel: Channel,
        who: str,
        precedence: str,
        phrase: str,
        params: dict[str, Any] | None,
        text: str | None = None,
        event: dict[str, Any] | None = None,
    ) -> Message:
        user = self._user(who)
        draft = actions.check_draft(precedence, phrase, params, text, None)
        if event is not None:
            draft = actions.with_event(draft, event)
        message, _ = actions.do_send(
            self.store,
            self.signers,
            channel,
            user,
            draft,
            self.settings,
            self.clock(),
            user_id=user.id,
            remote="demo",
        )
        return message

    def _script(self, event: Event) -> None:
        figures = event.figures
        flash = self._send(
            self.nato_plan,
            "nato",
            "FLASH",
            "cpa_warning",
            {
                "cpa": round(float(figures.get("cpa_nm", 0.0)), 2),
                "minutes": round(max(0.0, float(figures.get("tcpa_min", 0.0))), 1),
            },
            "NATO FRIGATE ALPHA to PLAN FRIGATE TWO: request you keep clear of my bow.",
            self.check_event(event, "nato", ["plan"]),
        )
        question = self._send(self.nato_jmsdf, "nato", "PRIORITY", "request_intentions", None)
        del question  # left unanswered: the escalator takes it up, step by step
        if self._stop.wait(self.ack_after_s):
            return
        plan = self._user("plan")
        actions.do_acknowledge(
            self.store,
            self.signers,
            self.nato_plan,
            flash.id,
            plan,
            self.clock(),
            remote="demo",
        )
        answer = self._send(
            self.nato_plan,
            "plan",
            "IMMEDIATE",
            "alter_course",
            {"side": "starboard", "course": 270},
        )
        if self._stop.wait(self.ack_after_s / 2):
            return
        actions.do_acknowledge(
            self.store,
            self.signers,
            self.nato_plan,
            answer.id,
            self._user("nato"),
            self.clock(),
            remote="demo",
        )
