"""The escalator: a thread that takes the hotline's escalation steps as they fall due.

Every ``_EVERY_S`` it asks the store for unacknowledged messages past their deadline and
takes the steps ``shade.hotline.escalation`` says are due, each audited and pushed to the
channel's parties as it commits. Several servers over one PostgreSQL database may all run
one: a step is taken only by the first to raise the receipt's level.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from shade.errors import ShadeError
from shade.hotline.actions import do_escalate
from shade.store import Store

log = logging.getLogger(__name__)
_EVERY_S = 1.0


class Escalator:
    def __init__(self, store: Store, clock: Callable[[], datetime], every: float = _EVERY_S):
        self._store, self._clock, self._every = store, clock, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self) -> int:
        """Take the steps due now: how many."""
        return len(do_escalate(self._store, self._clock()))

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="shade escalator", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.sweep()
            except ShadeError as exc:  # the database away for a moment: try again later
                log.warning("escalation sweep: %s", exc.message)
            except Exception:
                log.exception("escalation sweep failed")
