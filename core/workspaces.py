"""Workspaces (Slack teams) and the record of Slack events already processed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import String, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, insert_ignore


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # Slack team id
    name: Mapped[str | None] = mapped_column(String(255))
    mission: Mapped[str | None] = mapped_column(String(1000))
    # The Enterprise Grid organisation the workspace belongs to, as its requests say: work that
    # starts outside a request finds an org-wide installation with it.
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    received_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    # processing until the listener has stored what the event carried; then done.
    status: Mapped[str] = mapped_column(String(12), server_default="done")


def ensure_workspace(*, session: Session, workspace_id: str, name: str | None = None) -> Workspace:
    # Read first: the row nearly always exists, and on SQLite a write takes the database-wide
    # write lock, which every request that stores something queues for.
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        insert_ignore(session, Workspace, {"id": workspace_id, "name": name}, ["id"])
        ws = session.get(Workspace, workspace_id)
    assert ws is not None
    return ws


def note_enterprise(*, session: Session, workspace_id: str, enterprise_id: str) -> None:
    ws = ensure_workspace(session=session, workspace_id=workspace_id)
    if ws.enterprise_id != enterprise_id:
        ws.enterprise_id = enterprise_id


def enterprise_of(*, session: Session, workspace_id: str) -> str | None:
    return session.scalar(select(Workspace.enterprise_id).where(Workspace.id == workspace_id))


def set_mission(*, session: Session, workspace_id: str, mission: str) -> None:
    ws = ensure_workspace(session=session, workspace_id=workspace_id)
    ws.mission = mission


def get_mission(*, session: Session, workspace_id: str) -> str | None:
    return session.scalar(select(Workspace.mission).where(Workspace.id == workspace_id))


def claim_event(
    *, session: Session, event_id: str, workspace_id: str, abandoned_after: timedelta
) -> bool:
    """Claim an event id for processing; False when a delivery (or replica) holds it.

    A claim still `processing` after `abandoned_after` belongs to a process that died before
    storing the event, so a later redelivery takes it over instead of losing the event.
    """
    inserted = insert_ignore(
        session,
        ProcessedEvent,
        {"event_id": event_id, "workspace_id": workspace_id, "status": "processing"},
        ["event_id"],
    )
    if inserted:
        return True
    now = datetime.now(UTC)
    taken = session.scalar(
        update(ProcessedEvent)
        .where(
            ProcessedEvent.event_id == event_id,
            ProcessedEvent.status == "processing",
            ProcessedEvent.received_at < now - abandoned_after,
        )
        .values(received_at=now)
        .returning(ProcessedEvent.event_id)
    )
    return taken is not None


def finish_event(*, session: Session, event_id: str, handled: bool) -> None:
    """Done once handled; a failed handling releases the claim so Slack's retry gets through."""
    if handled:
        session.execute(
            update(ProcessedEvent).where(ProcessedEvent.event_id == event_id).values(status="done")
        )
    else:
        session.execute(delete(ProcessedEvent).where(ProcessedEvent.event_id == event_id))
