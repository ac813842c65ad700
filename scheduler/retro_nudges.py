"""The reminder before a retro closes, to members who have not contributed yet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import session_scope
from scheduler import store
from scheduler.contributions import contributed
from scheduler.models import Retro
from scheduler.ports import RetroNotifier
from scheduler.retro_lookup import load_retro


@dataclass(frozen=True, kw_only=True)
class RetroNudges:
    """Sends each retro's nudge at most once, whichever process runs it."""

    sessions: sessionmaker[Session]
    clock: Clock
    notifier: RetroNotifier

    def nudge_targets(self, retro_id: int, members: list[str]) -> list[str]:
        """Members who have not written in the retro, named or anonymously."""
        with session_scope(self.sessions) as session:
            done = store.contributors(session=session, retro_id=retro_id)
            done |= contributed(session=session, retro_id=retro_id, members=members)
            retro = session.get(Retro, retro_id)
            if retro is not None and retro.opened_by:
                # Whoever opened it is running it; a reminder to them is noise.
                done.add(retro.opened_by)
        return [m for m in dict.fromkeys(members) if m not in done]

    def send_nudge(self, retro_id: int) -> list[str]:
        """Send the pre-close reminder once (claimed in SQL); returns who was nudged."""
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            if not store.claim_nudge(session=session, retro_id=retro_id, now=now):
                return []
            retro = store.retro_info(load_retro(session, retro_id, None))
        members = self.notifier.channel_members(retro.workspace_id, retro.channel_id)
        targets = self.nudge_targets(retro_id, members)
        if targets:
            self.notifier.send_nudge(retro, targets)
        return targets
