"""Reading retros: one retro with its carried action items, the open ones, their entries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from scheduler import store
from scheduler.errors import RetroNotFound
from scheduler.models import Retro, RetroEntryRow
from scheduler.ports import RetroEntryData, RetroInfo


def load_retro(session: Session, retro_id: int, workspace_id: str | None) -> Retro:
    """The retro row; another workspace's retro is as unknown as a missing one."""
    row = session.get(Retro, retro_id)
    if row is None or (workspace_id is not None and row.workspace_id != workspace_id):
        raise RetroNotFound(f"Retro {retro_id} was not found.")
    return row


@dataclass(frozen=True, kw_only=True)
class RetroLookup:
    """Read-only retro queries; each opens its own session."""

    sessions: sessionmaker[Session]

    def get_retro(self, retro_id: int, *, workspace_id: str | None = None) -> RetroInfo:
        with session_scope(self.sessions) as session:
            row = load_retro(session, retro_id, workspace_id)
            carried = store.open_action_items(
                session=session,
                workspace_id=row.workspace_id,
                series_id=row.series_id,
                channel_id=row.channel_id,
            )
            carried = [a for a in carried if a.retro_id != row.id]
            return store.retro_info(row, [store.action_info(a) for a in carried])

    def list_open_retros(
        self, workspace_id: str, *, channel_id: str | None = None
    ) -> list[RetroInfo]:
        with session_scope(self.sessions) as session:
            query = select(Retro).where(Retro.workspace_id == workspace_id, Retro.status == "open")
            if channel_id is not None:
                query = query.where(Retro.channel_id == channel_id)
            return [store.retro_info(r) for r in session.scalars(query.order_by(Retro.id))]

    def find_by_prompt(
        self, workspace_id: str, channel_id: str, prompt_ts: str
    ) -> RetroInfo | None:
        """The retro whose prompt is this message, if any (its thread is where entries go)."""
        with session_scope(self.sessions) as session:
            row = session.scalar(
                select(Retro).where(
                    Retro.workspace_id == workspace_id,
                    Retro.channel_id == channel_id,
                    Retro.prompt_ts == prompt_ts,
                )
            )
            return None if row is None else store.retro_info(row)

    def list_entries(self, retro_id: int, *, workspace_id: str) -> list[RetroEntryData]:
        with session_scope(self.sessions) as session:
            load_retro(session, retro_id, workspace_id)
            rows = session.scalars(
                select(RetroEntryRow)
                .where(RetroEntryRow.retro_id == retro_id)
                .order_by(RetroEntryRow.id)
            )
            return [RetroEntryData(section=r.section, text=r.text, author=r.author) for r in rows]
