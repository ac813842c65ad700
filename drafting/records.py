"""The SQL table of draft versions (one row per version, linked to its Slack thread)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from drafting.draft import Draft


class DraftVersion(Base):
    __tablename__ = "draft_versions"
    __table_args__ = (
        UniqueConstraint("draft_id", "version", name="uq_draft_versions_draft_id_version"),
        Index("ix_draft_versions_thread", "workspace_id", "channel_id", "thread_ts"),
        Index("ix_draft_versions_subject", "workspace_id", "kind", "subject_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Every version of one draft shares a draft_id; `version` counts 1, 2, 3 within it.
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    # Null for drafts made outside Slack (the CLI, the demo).
    channel_id: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    # Lower-cased subject, so "Platform Team" finds the SWOT drafted for "platform team".
    subject_key: Mapped[str] = mapped_column(String(255))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    def draft(self) -> Draft:
        return Draft.model_validate(self.content)
