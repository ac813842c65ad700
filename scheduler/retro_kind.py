"""Retros as a recurring kind: a prompt per occurrence, then a nudge and a close per retro.

Simultaneous fires go through the `FireDispatcher` (one transaction per batch, prompts posted
off the job pool), which runs only while this process leads the engine (`start`/`stop`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import store
from scheduler.dispatch import FireDispatcher
from scheduler.models import RetroSeries
from scheduler.recurring import Deadline, Series
from scheduler.retro_opening import RETRO_KIND
from scheduler.retro_service import RetroService

log = logging.getLogger(__name__)
# A close still unfinished after this was cut off by a crash: longer than a synthesis can take,
# LLM timeouts, retries and the repair re-ask included. Should both finish, only one stores.
STUCK_CLOSE_AFTER = timedelta(minutes=15)


class RetroKind:
    """Scheduled retros for the engine (`scheduler.recurring.RecurringKind`)."""

    name = RETRO_KIND

    def __init__(self, service: RetroService, *, post_threads: int = 16) -> None:
        self.service = service
        self._post_threads = post_threads
        self._dispatcher: FireDispatcher | None = None

    # while leading ---------------------------------------------------------------------------

    def start(self) -> None:
        dispatcher = FireDispatcher(self.service.opening, post_threads=self._post_threads)
        dispatcher.start()
        self._dispatcher = dispatcher

    def stop(self) -> None:
        dispatcher, self._dispatcher = self._dispatcher, None
        if dispatcher is not None:
            dispatcher.stop()

    # what the engine schedules ---------------------------------------------------------------

    def active_keys(self, session: Session) -> set[int]:
        return set(session.scalars(select(RetroSeries.id).where(RetroSeries.status == "active")))

    def series(self, session: Session, keys: Iterable[int]) -> list[Series]:
        rows = session.scalars(select(RetroSeries).where(RetroSeries.id.in_(set(keys))))
        return [
            Series(
                key=row.id, spec=store.spec_of(row), name=f"retro schedule {row.id}: {row.title}"
            )
            for row in rows
        ]

    def deadlines(self, session: Session) -> list[Deadline]:
        closes, nudges = store.open_retro_deadlines(session=session)
        return [Deadline("close", rid, at) for rid, at in closes] + [
            Deadline("nudge", rid, at) for rid, at in nudges
        ]

    # what the engine calls back --------------------------------------------------------------

    def fire(self, key: int, occurrence_at: datetime) -> None:
        dispatcher = self._dispatcher
        if dispatcher is not None:
            dispatcher.fire(key, occurrence_at)
        else:
            self.service.opening.fire_schedule(key, occurrence_at)

    def run_deadline(self, action: str, key: int) -> None:
        if action == "nudge":
            self.service.nudges.send_nudge(key)
        elif action == "close":
            retro = self.service.lookup.get_retro(key)
            # Not yet due: the deadline moved, and a sync re-adds the job at the new time.
            if retro.status == "open" and retro.closes_at <= self.service.clock.now():
                self.service.closing.close_retro(key, reason="window_end")
        else:
            log.error("unknown retro deadline %r for retro %s", action, key)

    def recover(self, *, older_than: timedelta) -> None:
        self.service.closing.resume_interrupted_closes(older_than=STUCK_CLOSE_AFTER)
        dispatcher = self._dispatcher
        self.service.opening.resume_claims(
            older_than=older_than, skip=dispatcher.in_flight() if dispatcher else set()
        )
