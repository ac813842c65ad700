"""RetroService: the retro parts side by side, for callers that use several of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from scheduler.action_items import ActionItems
from core.clock import Clock
from scheduler.ports import RetroEntryData, RetroNotifier, RetroSynthesiser
from scheduler.retro_closing import RetroClosing
from scheduler.retro_entries import RetroEntries
from scheduler.retro_lookup import RetroLookup
from scheduler.retro_nudges import RetroNudges
from scheduler.retro_opening import RetroOpening
from scheduler.retro_schedules import RetroSchedules


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
        return cls(
            sessions=sessions,
            clock=clock,
            lookup=RetroLookup(sessions=sessions),
            entries=RetroEntries(sessions=sessions, clock=clock),
            schedules=RetroSchedules(sessions=sessions, clock=clock),
            actions=ActionItems(sessions=sessions, clock=clock),
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
