"""The Slack side's SQL table: the picture of a draft uploaded into its thread (a Slack file)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class DraftPicture(Base):
    __tablename__ = "draft_pictures"
    __table_args__ = (Index("ix_draft_pictures_thread", "workspace_id", "channel_id", "thread_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    # The Slack file id; null once the file was deleted because a newer version replaced it.
    file_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
