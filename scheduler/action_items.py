"""Retro action items after the close: marking them done or open again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import session_scope
from scheduler import store
from scheduler.errors import ActionItemNotFound, ScheduleStateError
from scheduler.models import ActionItem
from scheduler.ports import ActionItemInfo


@dataclass(frozen=True, kw_only=True)
class ActionItems:
    """Tracked action items of a workspace; an item of another workspace is not found."""

    sessions: sessionmaker[Session]
    clock: Clock

    def set_action_status(
        self, action_id: int, status: str, *, workspace_id: str
    ) -> ActionItemInfo:
        if status not in ("open", "done"):
            raise ScheduleStateError(f"Unknown action item status {status!r}.")
        with session_scope(self.sessions) as session:
            item = session.scalar(
                select(ActionItem).where(
                    ActionItem.id == action_id, ActionItem.workspace_id == workspace_id
                )
            )
            if item is None:
                raise ActionItemNotFound(f"Action item {action_id} was not found.")
            item.status = status
            item.updated_at = as_utc(self.clock.now())
            session.flush()
            return store.action_info(item)
