"""The plan service: adopt, set up, edit, archive, check in, read. No Slack, no scheduling.

Every method is scoped by workspace and either stores all it was asked to or, raising a
`PlanError` with a one-line message, nothing at all.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.db import session_scope
from scheduler.plans.carry_over import carry_baselines
from scheduler.plans.changes import FieldRefused, KrChanges, apply_changes, audit_plan, is_user_id
from scheduler.plans.checkin_service import CheckInPreview, CheckIns
from scheduler.plans.closing import add_close_knowledge
from scheduler.plans.errors import (
    PlanError,
    PlanInputError,
    PlanStateError,
)
from scheduler.plans.kr_text import read_kr
from scheduler.plans.models import OkrKeyResult, OkrObjective, OkrPlan
from scheduler.plans.outline import PlanOutline
from scheduler.plans.progress import PeriodError, next_quarter, parse_period
from scheduler.plans.queries import OPEN_STATUSES, find_kr
from scheduler.plans.reading import build_plan_view
from scheduler.plans.views import KeyResultView, PlanView
from scheduler.when import ScheduleParseError, parse_when

log = logging.getLogger(__name__)
DEFAULT_CHECKINS = "weekly on monday at 10:00"

__all__ = ["DEFAULT_CHECKINS", "CheckInPreview", "KrChanges", "PlanService"]


@dataclass(frozen=True, kw_only=True)
class PlanService(CheckIns):
    """Adopt, set up, edit, archive and score; check-ins come from CheckIns, reads from
    PlanReads."""

    # adopting and setting up -----------------------------------------------------------------

    def adopt(
        self,
        *,
        workspace_id: str,
        channel_id: str,
        adopted_by: str,
        outline: PlanOutline,
        period: str | None = None,
        timezone: str,
        draft_id: str | None = None,
    ) -> PlanView:
        """A tracked plan from an outline, in "setup" until every key result has an owner and a
        target; each key result's owner defaults to whoever adopted it when that is a person
        (a Slack user id), else is left to assign ("cli" owns nothing)."""
        if outline.key_result_count == 0:
            raise PlanError("This draft has no objectives with key results to track.")
        tz = _zone(timezone)
        now = self.clock.now()
        default_owner = adopted_by if is_user_id(adopted_by) else None
        try:
            name, starts, ends = parse_period(period or next_quarter(now.astimezone(tz).date()))
        except PeriodError as exc:
            raise PlanError(str(exc)) from exc
        with session_scope(self.sessions) as session:
            clash = session.scalar(
                select(OkrPlan.id).where(
                    OkrPlan.workspace_id == workspace_id,
                    OkrPlan.channel_id == channel_id,
                    OkrPlan.period == name,
                    OkrPlan.status.in_(OPEN_STATUSES),
                )
            )
            if clash is not None:
                raise PlanStateError(
                    f"This channel already tracks plan {clash} for {name}; archive it first "
                    "or choose another period."
                )
            plan = OkrPlan(
                workspace_id=workspace_id,
                channel_id=channel_id,
                title=(outline.title.strip() or "OKR plan")[:200],
                period=name,
                starts=starts,
                ends=ends,
                status="setup",
                adopted_by=adopted_by,
                draft_id=outline.draft_version_id,
                draft_ref=draft_id or outline.draft_ref,
                timezone=tz.key,
                created_at=as_utc(now),
                updated_at=as_utc(now),
            )
            session.add(plan)
            session.flush()
            for o_pos, objective in enumerate(outline.objectives, start=1):
                row = OkrObjective(
                    plan_id=plan.id,
                    workspace_id=workspace_id,
                    position=o_pos,
                    title=objective.title.strip()[:300] or f"Objective {o_pos}",
                    intent=objective.intent,
                )
                session.add(row)
                session.flush()
                for k_pos, kr in enumerate(objective.key_results, start=1):
                    facts = read_kr(kr.text)
                    session.add(
                        OkrKeyResult(
                            objective_id=row.id,
                            plan_id=plan.id,
                            workspace_id=workspace_id,
                            position=k_pos,
                            text=kr.text.strip(),
                            metric=facts.metric[:300],
                            unit=facts.unit,
                            baseline=facts.baseline,
                            target=facts.target,
                            direction=facts.direction,
                            weight=1.0,
                            owner=default_owner,
                            due=facts.due,
                            source_ids=list(kr.source_ids),
                        )
                    )
            audit_plan(
                session,
                plan=plan,
                actor=adopted_by,
                field="status",
                old=None,
                new="setup",
                now=as_utc(now),
            )
            session.flush()
            carry_baselines(session, plan, as_utc(now))
            session.flush()
            return build_plan_view(session, plan, now=now)

    def setup(
        self, *, workspace_id: str, plan_id: int, actor: str, changes: dict[int, KrChanges]
    ) -> PlanView:
        """Apply the adopt modal's values; the plan becomes "active" (with the default weekly
        check-ins) once every key result has an owner and a target."""
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            plan = self._plan(session, workspace_id, plan_id, lock=True)
            self._editable(plan)
            krs = {kr.id: kr for kr in self._krs(session, plan.id)}
            errors: dict[int, str] = {}
            for kr_id, change in changes.items():
                kr = krs.get(kr_id)
                if kr is None:
                    errors[kr_id] = f"Key result {kr_id} is not in plan {plan.id}."
                    continue
                try:
                    apply_changes(
                        session, plan=plan, kr=kr, changes=change, actor=actor, now=as_utc(now)
                    )
                except FieldRefused as exc:
                    errors[kr_id] = str(exc)
            if errors:
                raise PlanInputError(errors)
            # The previous quarter may have closed since the adoption: its last values still
            # fill the baselines nobody gave.
            carry_baselines(session, plan, as_utc(now))
            self._activate_if_ready(session, plan, list(krs.values()), actor, now)
            session.flush()
            return build_plan_view(session, plan, now=now)

    def edit_kr(
        self, *, workspace_id: str, kr_id: int, actor: str, changes: KrChanges
    ) -> KeyResultView:
        """One key result's change, audited field by field."""
        if changes.is_empty():
            raise PlanError(
                "Nothing to change: give an owner, baseline, target, direction, due date or weight."
            )
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            kr, plan = self._kr(session, workspace_id, kr_id, lock=True)
            self._editable(plan)
            try:
                apply_changes(
                    session, plan=plan, kr=kr, changes=changes, actor=actor, now=as_utc(now)
                )
            except FieldRefused as exc:
                raise PlanInputError({kr.id: str(exc)}) from exc
            self._activate_if_ready(session, plan, self._krs(session, plan.id), actor, now)
            session.flush()
            return find_kr(build_plan_view(session, plan, now=now), kr.id)

    def archive(self, *, workspace_id: str, plan_id: int, actor: str) -> PlanView:
        """Stops tracking and hides the plan from lists; its history stays."""
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            plan = self._plan(session, workspace_id, plan_id, lock=True)
            if plan.status != "archived":
                audit_plan(
                    session,
                    plan=plan,
                    actor=actor,
                    field="status",
                    old=plan.status,
                    new="archived",
                    now=as_utc(now),
                )
                plan.status = "archived"
                plan.updated_at = as_utc(now)
                session.flush()
            return build_plan_view(session, plan, now=now)

    def set_checkin_schedule(
        self, *, workspace_id: str, plan_id: int, text: str, default_tz: str, actor: str
    ) -> PlanView:
        """`/okr checkins weekly on monday at 10:00` (the retro schedule grammar)."""
        now = self.clock.now()
        try:
            spec = parse_when(text, default_tz=default_tz, now=now)
        except ScheduleParseError as exc:
            raise PlanError(f"{exc.problem} Try `weekly on monday at 10:00`.") from exc
        with session_scope(self.sessions) as session:
            plan = self._plan(session, workspace_id, plan_id, lock=True)
            self._editable(plan)
            described = f"{spec.description} ({spec.timezone})"
            audit_plan(
                session,
                plan=plan,
                actor=actor,
                field="checkins",
                old=plan.checkin_text,
                new=described,
                now=as_utc(now),
            )
            plan.checkin_kind, plan.checkin_expr, plan.checkin_text = (
                spec.kind,
                spec.expression,
                described,
            )
            # The schedule's timezone is the plan's: rounds, due dates and pace read days in it.
            plan.timezone = spec.timezone
            # Setting a schedule after an uninstall paused the plan is asking for it to run.
            plan.checkins_paused = False
            plan.updated_at = as_utc(now)
            session.flush()
            return build_plan_view(session, plan, now=now)

    def adjust_score(
        self,
        *,
        workspace_id: str,
        kr_id: int,
        actor: str,
        score: float,
        reason: str,
        as_owner: bool = True,
    ) -> KeyResultView:
        """The owner's (or the adopter's) adjusted score, 0.0 to 1.0, with the reason kept; only
        once the plan has closed and scored its key results."""
        if not 0.0 <= score <= 1.0:
            raise PlanInputError({kr_id: "A score is between 0.0 and 1.0."})
        if not reason.strip():
            raise PlanInputError({kr_id: "Say why the score changes; the reason is kept with it."})
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            kr, plan = self._kr(session, workspace_id, kr_id, lock=True)
            if as_owner and actor not in (kr.owner, plan.adopted_by):
                raise PlanStateError(
                    f"Only the owner <@{kr.owner}> or whoever adopted the plan can adjust this score."
                )
            if plan.status != "closed":
                when = "is archived" if plan.status == "archived" else "has not closed yet"
                raise PlanStateError(
                    f"Plan {plan.id} {when}; scores are set when its period ends "
                    f"({plan.ends.isoformat()}) and adjusted after that."
                )
            old = None if kr.score is None else f"{kr.score:.2f}"
            audit_plan(
                session,
                plan=plan,
                actor=actor,
                field="score",
                old=old,
                new=f"{score:.2f}",
                now=as_utc(now),
                reason=reason.strip(),
                kr_id=kr.id,
            )
            kr.score, kr.score_reason = score, reason.strip()
            session.flush()
            view = build_plan_view(session, plan, now=now)
        # The knowledge base's copy of the quarter's scores says the adjusted one now.
        add_close_knowledge(self.notifier, view)
        return find_kr(view, kr_id)

    def pause_workspace(self, *, workspace_id: str) -> int:
        """On uninstall: no more rounds for the workspace's plans (data stays)."""
        with session_scope(self.sessions) as session:
            result = session.execute(
                update(OkrPlan)
                .where(OkrPlan.workspace_id == workspace_id, OkrPlan.checkins_paused.is_(False))
                .values(checkins_paused=True)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    @staticmethod
    def _editable(plan: OkrPlan) -> None:
        if plan.status not in OPEN_STATUSES:
            raise PlanStateError(f"Plan {plan.id} is {plan.status}; it can no longer be changed.")

    def _activate_if_ready(
        self,
        session: Session,
        plan: OkrPlan,
        krs: Sequence[OkrKeyResult],
        actor: str,
        now: datetime,
    ) -> None:
        if plan.status != "setup" or not krs:
            return
        if any(
            kr.owner is None or (kr.direction != "deliverable" and kr.target is None) for kr in krs
        ):
            return
        if plan.checkin_kind is None:
            spec = parse_when(DEFAULT_CHECKINS, default_tz=plan.timezone, now=now)
            plan.checkin_kind, plan.checkin_expr = spec.kind, spec.expression
            plan.checkin_text = f"{spec.description} ({spec.timezone})"
        audit_plan(
            session,
            plan=plan,
            actor=actor,
            field="status",
            old="setup",
            new="active",
            now=as_utc(now),
        )
        plan.status = "active"
        plan.updated_at = as_utc(now)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PlanError(f"“{name}” is not a timezone I know (try Europe/Berlin).") from exc
