"""SQL tables for adopted OKR plans: plans, objectives, key results, check-ins, edits, rounds.

Check-ins and edits are append-only: a correction is a new check-in, a change is a new edit row,
so every number on a digest can be traced back to who typed it and when.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

# A round's reminder goes to owners who have not checked in this long after it opened.
DEFAULT_REMIND_AFTER_SECONDS = 24 * 3600
# The digest follows a day after the reminder, so reminded owners have a day to answer.
DEFAULT_DIGEST_AFTER_SECONDS = 48 * 3600


class OkrPlan(Base):
    __tablename__ = "okr_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(32))  # "2027-Q1"
    starts: Mapped[date]
    ends: Mapped[date]
    # setup | active | closed | archived (scheduler/plans/views.py PlanStatus)
    status: Mapped[str] = mapped_column(String(16), index=True)
    adopted_by: Mapped[str] = mapped_column(String(64))
    # The adopted draft version's row id, and the draft id people type (a uuid hex).
    draft_id: Mapped[int | None] = mapped_column(Integer)
    draft_ref: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    # The check-in schedule as scheduler/when.py stores a ScheduleSpec; NULL until active.
    checkin_kind: Mapped[str | None] = mapped_column(String(16))
    checkin_expr: Mapped[str | None] = mapped_column(String(500))
    checkin_text: Mapped[str | None] = mapped_column(String(500))
    # Set when the workspace uninstalled: no rounds run, nothing else changes.
    checkins_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    remind_after_seconds: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMIND_AFTER_SECONDS)
    digest_after_seconds: Mapped[int] = mapped_column(Integer, default=DEFAULT_DIGEST_AFTER_SECONDS)
    retro_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    closed_at: Mapped[datetime | None]


class OkrObjective(Base):
    __tablename__ = "okr_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("okr_plans.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based: the "1" of KR "1.2"
    title: Mapped[str] = mapped_column(String(300))
    intent: Mapped[str | None] = mapped_column(Text)


class OkrKeyResult(Base):
    __tablename__ = "okr_key_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("okr_plans.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based within its objective
    text: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(16))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    due: Mapped[date | None]
    score: Mapped[float | None] = mapped_column(Float)
    score_reason: Mapped[str | None] = mapped_column(Text)
    source_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class OkrCheckIn(Base):
    """Append-only: never updated, never deleted except by /align forget."""

    __tablename__ = "okr_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    kr_id: Mapped[int] = mapped_column(
        ForeignKey("okr_key_results.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("okr_plans.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    author: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    value_text: Mapped[str] = mapped_column(String(100))
    confidence: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class OkrEdit(Base):
    """The audit trail: one row per changed field (of a key result, or of the plan when kr_id
    is NULL), with who, when, the old and the new value as shown to people."""

    __tablename__ = "okr_kr_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("okr_plans.id", ondelete="CASCADE"), index=True)
    kr_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_key_results.id", ondelete="CASCADE"), index=True
    )
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class OkrRound(Base):
    """One check-in occurrence of a plan; its reminder and digest are claimed by their marks."""

    __tablename__ = "okr_rounds"
    __table_args__ = (
        UniqueConstraint("plan_id", "occurrence_at", name="uq_okr_rounds_occurrence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("okr_plans.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    occurrence_at: Mapped[datetime]
    opened_at: Mapped[datetime]
    remind_at: Mapped[datetime]
    digest_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    digested_at: Mapped[datetime | None]


class OkrRoundNotice(Base):
    """One DM or reminder to one owner in one round, claimed before it is sent."""

    __tablename__ = "okr_round_notices"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("okr_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # dm | reminder
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
