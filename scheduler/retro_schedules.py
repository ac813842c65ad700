"""Retro schedules: create, list, pause, resume and cancel (the engine's sync follows them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import session_scope
from scheduler import store
from scheduler.errors import ScheduleExists, ScheduleNotFound, ScheduleStateError
from scheduler.models import DEFAULT_TITLE, RetroSeries
from scheduler.ports import ScheduleInfo
from scheduler.schedule_request import ScheduleRequest, validate_timing


@dataclass(frozen=True, kw_only=True)
class RetroSchedules:
    """Schedules are rows; the leader's next sync adds or drops their jobs."""

    sessions: sessionmaker[Session]
    clock: Clock

    def create_schedule(
        self, workspace_id: str, *, request: ScheduleRequest, created_by: str
    ) -> ScheduleInfo:
        """Store a validated schedule; the reply shows `next_occurrences` (three)."""
        now = self.clock.now()
        validate_timing(request.spec, window=request.window, nudge=request.nudge, now=now)
        spec = request.spec
        with session_scope(self.sessions) as session:
            same = session.scalar(
                select(RetroSeries.id).where(
                    RetroSeries.workspace_id == workspace_id,
                    RetroSeries.channel_id == request.channel_id,
                    RetroSeries.trigger_kind == spec.kind,
                    RetroSeries.trigger_expr == spec.expression,
                    RetroSeries.timezone == spec.timezone,
                    RetroSeries.status.in_(("active", "paused")),
                )
            )
            if same is not None:
                # A second copy would open two retros at every occurrence.
                raise ScheduleExists(same)
            row = RetroSeries(
                workspace_id=workspace_id,
                channel_id=request.channel_id,
                title=(request.title or DEFAULT_TITLE)[:200],
                trigger_kind=spec.kind,
                trigger_expr=spec.expression,
                schedule_text=f"{spec.description} ({spec.timezone})",
                timezone=spec.timezone,
                window_seconds=int(request.window.total_seconds()),
                nudge_seconds=int(request.nudge.total_seconds()) if request.nudge else None,
                status="active",
                created_by=created_by,
                created_at=as_utc(now),
            )
            session.add(row)
            session.flush()
            return store.schedule_info(row, now=now)

    def list_schedules(
        self, workspace_id: str, *, channel_id: str | None = None, include_cancelled: bool = False
    ) -> list[ScheduleInfo]:
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            query = select(RetroSeries).where(RetroSeries.workspace_id == workspace_id)
            if channel_id is not None:
                query = query.where(RetroSeries.channel_id == channel_id)
            if not include_cancelled:
                query = query.where(RetroSeries.status != "cancelled")
            rows = session.scalars(query.order_by(RetroSeries.id))
            return [store.schedule_info(r, now=now) for r in rows]

    def pause_schedule(self, workspace_id: str, schedule_id: int) -> ScheduleInfo:
        return self._transition(workspace_id, schedule_id, "paused", allowed_from=("active",))

    def resume_schedule(self, workspace_id: str, schedule_id: int) -> ScheduleInfo:
        return self._transition(workspace_id, schedule_id, "active", allowed_from=("paused",))

    def cancel_schedule(self, workspace_id: str, schedule_id: int) -> ScheduleInfo:
        return self._transition(
            workspace_id, schedule_id, "cancelled", allowed_from=("active", "paused")
        )

    def _transition(
        self, workspace_id: str, schedule_id: int, status: str, *, allowed_from: tuple[str, ...]
    ) -> ScheduleInfo:
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            row = session.scalar(
                select(RetroSeries).where(
                    RetroSeries.id == schedule_id, RetroSeries.workspace_id == workspace_id
                )
            )
            if row is None:
                raise ScheduleNotFound(f"There is no schedule {schedule_id} in this workspace.")
            if row.status == status:
                return store.schedule_info(row, now=now)
            if row.status not in allowed_from:
                raise ScheduleStateError(
                    f"Schedule {schedule_id} is {row.status}; it cannot become {status}."
                )
            row.status = status
            row.updated_at = as_utc(now)
            session.flush()
            return store.schedule_info(row, now=now)
