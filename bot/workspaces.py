"""Workspaces (Slack teams) and the record of Slack events already processed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db import Base


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # Slack team id
    name: Mapped[str | None] = mapped_column(String(255))
    mission: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    received_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)


def ensure_workspace(*, session: Session, workspace_id: str, name: str | None = None) -> Workspace:
    insert_ignore(session, Workspace, {"id": workspace_id, "name": name}, ["id"])
    ws = session.get(Workspace, workspace_id)
    assert ws is not None
    return ws


def set_mission(*, session: Session, workspace_id: str, mission: str) -> None:
    ws = ensure_workspace(session=session, workspace_id=workspace_id)
    ws.mission = mission


def get_mission(*, session: Session, workspace_id: str) -> str | None:
    return session.scalar(select(Workspace.mission).where(Workspace.id == workspace_id))


def claim_event(*, session: Session, event_id: str, workspace_id: str) -> bool:
    """Record an event id; False when another delivery (or replica) already claimed it."""
    inserted = insert_ignore(
        session, ProcessedEvent, {"event_id": event_id, "workspace_id": workspace_id}, ["event_id"]
    )
    return inserted > 0


def insert_ignore(session: Session, model: type[Base], values: dict, keys: list[str]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and Postgres; returns rows inserted (0 or 1)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    key_column = getattr(model, keys[0])
    return len(session.execute(stmt.returning(key_column)).all())
