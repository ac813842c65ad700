"""SQL tables for retros (schedules, retros, entries, action items) and occurrence claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

# What a retro is called when nobody named it.
DEFAULT_TITLE = "Team retro"
# Slack's text inputs stop here; a longer thread reply is cut to it rather than refused.
MAX_ENTRY_CHARS = 3000


class RetroSeries(Base):
    """A recurring retro schedule for one channel."""

    __tablename__ = "retro_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    # "cron" (CronTrigger fields as JSON) or "weeks" (every N weeks, anchored; see scheduler/when.py).
    trigger_kind: Mapped[str] = mapped_column(String(16))
    trigger_expr: Mapped[str] = mapped_column(String(500))
    # What the user typed, so lists show their words rather than our encoding.
    schedule_text: Mapped[str] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    window_seconds: Mapped[int] = mapped_column(Integer)
    nudge_seconds: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class Retro(Base):
    __tablename__ = "retros"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("retro_series.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    opened_by: Mapped[str | None] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(server_default=func.now())
    closes_at: Mapped[datetime]
    nudge_at: Mapped[datetime | None]
    # Claimed before the DM goes out, so a nudge is sent at most once whoever runs it.
    nudged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    prompt_ts: Mapped[str | None] = mapped_column(String(32))
    late_by_seconds: Mapped[int | None] = mapped_column(Integer)
    occurrence_at: Mapped[datetime | None]
    synthesis_error: Mapped[str | None] = mapped_column(String(500))
    # Keys the marks in retro_contributions while the retro is open; cleared when it closes.
    contributor_salt: Mapped[str | None] = mapped_column(String(32))


class RetroEntryRow(Base):
    """One contribution. Anonymous entries have author NULL: the author is never written."""

    __tablename__ = "retro_entries"
    __table_args__ = (UniqueConstraint("retro_id", "source_ts", name="uq_retro_entries_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    section: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RetroContribution(Base):
    """That a member has written in an open retro, anonymously or not, so the nudge skips them.

    A keyed hash of their user id (the retro's salt), with no time, order or entry it could be
    matched against: it says who wrote, never what. Deleted when the retro closes.
    """

    __tablename__ = "retro_contributions"

    retro_id: Mapped[int] = mapped_column(
        ForeignKey("retros.id", ondelete="CASCADE"), primary_key=True
    )
    member_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class ActionItem(Base):
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("retro_series.id", ondelete="SET NULL"), index=True
    )
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class OccurrenceClaim(Base):
    """One occurrence of any recurring kind (retro series, plan check-ins), claimed once.

    Unfinished claims older than a grace period belong to a leader that died mid-way; the
    next leader resumes them (scheduler/occurrences.py).
    """

    __tablename__ = "occurrence_claims"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    series_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_at: Mapped[datetime] = mapped_column(primary_key=True)
    claimed_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    # What the occurrence made (a retro id, a check-in round id), for the resume path.
    result_id: Mapped[int | None] = mapped_column(Integer)
    # So that /align forget (which clears every table with a workspace_id) clears claims too.
    workspace_id: Mapped[str | None] = mapped_column(String(32), index=True)
