"""The retro parts side by side: `RetroRecords` (SQL only) and `RetroService` (all of them).

The serving process gets `RetroRecords`: it stores entries, manages schedules and action items,
and never posts or drafts. The worker and the scheduler get `RetroService`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from scheduler.action_items import ActionItems
from scheduler.ports import RetroEntryData, RetroNotifier, RetroSynthesiser
from scheduler.retro_closing import RetroClosing
from scheduler.retro_entries import RetroEntries
from scheduler.retro_lookup import RetroLookup
from scheduler.retro_nudges import RetroNudges
from scheduler.retro_opening import RetroOpening
from scheduler.retro_schedules import RetroSchedules


@dataclass(frozen=True)
class RetroRecords:
    """The parts that only read and write the database: no notifier, no synthesiser."""

    clock: Clock
    lookup: RetroLookup
    entries: RetroEntries
    schedules: RetroSchedules
    actions: ActionItems

    @classmethod
    def build(cls, *, sessions: sessionmaker[Session], clock: Clock) -> RetroRecords:
        return cls(
            clock=clock,
            lookup=RetroLookup(sessions=sessions),
            entries=RetroEntries(sessions=sessions, clock=clock),
            schedules=RetroSchedules(sessions=sessions, clock=clock),
            actions=ActionItems(sessions=sessions, clock=clock),
        )


@dataclass(frozen=True)
class RetroService:
    """Groups the parts; it does nothing itself. Each part stands alone with its own
    dependencies, so a process that never closes a retro can build the others without a
    synthesiser: only `closing` drafts, and only `opening`, `closing` and `nudges` post."""

    sessions: sessionmaker[Session]
    clock: Clock
    lookup: RetroLookup
    entries: RetroEntries
    schedules: RetroSchedules
    actions: ActionItems
    opening: RetroOpening
    nudges: RetroNudges
    closing: RetroClosing

    @classmethod
    def build(
        cls,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        synthesiser: RetroSynthesiser,
        notifier: RetroNotifier,
        make_entry: Callable[..., Any] = RetroEntryData,
    ) -> RetroService:
        records = RetroRecords.build(sessions=sessions, clock=clock)
        return cls(
            sessions=sessions,
            clock=clock,
            lookup=records.lookup,
            entries=records.entries,
            schedules=records.schedules,
            actions=records.actions,
            opening=RetroOpening(sessions=sessions, clock=clock, notifier=notifier),
            nudges=RetroNudges(sessions=sessions, clock=clock, notifier=notifier),
            closing=RetroClosing(
                sessions=sessions,
                clock=clock,
                synthesiser=synthesiser,
                notifier=notifier,
                make_entry=make_entry,
            ),
        )
