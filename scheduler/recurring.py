"""The one contract the scheduling engine runs: every kind of recurring thing goes through it.

Retros (a prompt per occurrence, then a close and a nudge) and OKR plans (a check-in round per
occurrence, then reminders, a digest and the quarter's close) are both a `RecurringKind`. The
leader-elected engine asks each kind for its active series and its one-shot deadlines, keeps
APScheduler's job store in step with them, and calls back `fire` / `run_deadline`. A kind makes
each occurrence exactly once by claiming it in `scheduler.occurrences` before acting, and
finishes the claim when done, so a leader that dies after claiming leaves work the next leader
finds (`recover`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session

from scheduler.when import ScheduleSpec


@dataclass(frozen=True)
class Series:
    """One recurring schedule of a kind: `key` is the kind's own id (a retro series, a plan)."""

    key: int
    spec: ScheduleSpec
    name: str
    # Fired this long before each occurrence (scheduler/early.py): `fire` then gets the
    # occurrence's time, still ahead, and must hold back what people see until then.
    lead: timedelta = timedelta(0)


@dataclass(frozen=True)
class Deadline:
    """A one-shot job: `action` is the kind's verb ("close", "nudge", "remind", "digest")."""

    action: str
    key: int
    at: datetime


class RecurringKind(Protocol):
    @property
    def name(self) -> str:
        """Job ids are f"{name}:series:{key}" and f"{name}:{action}:{key}": unique across kinds.

        Read-only here, so a frozen dataclass's field or a class attribute both fit."""
        ...

    def active_keys(self, session: Session) -> set[int]:
        """Keys of every series that should have a job (cheap: ids only)."""
        ...

    def series(self, session: Session, keys: Iterable[int]) -> list[Series]:
        """The schedules of `keys` (only those missing a job are asked for)."""
        ...

    def deadlines(self, session: Session) -> list[Deadline]:
        """Every pending one-shot job of this kind."""
        ...

    def fire(self, key: int, occurrence_at: datetime) -> None:
        """One occurrence as scheduled (not the wall clock; ahead of it when the series has a
        lead); claims it, so a repeat is a no-op."""
        ...

    def run_deadline(self, action: str, key: int) -> None: ...

    def recover(self, *, older_than: timedelta) -> None:
        """Finish occurrences claimed longer ago than `older_than` and never finished."""
        ...


@runtime_checkable
class LeaderLifecycle(Protocol):
    """Optional for a kind with threads of its own (the retro fire batcher): the engine calls
    `start` when this process becomes the leader, before the first fire, and `stop` when it
    steps down, after the last job has returned."""

    def start(self) -> None: ...

    def stop(self) -> None: ...
