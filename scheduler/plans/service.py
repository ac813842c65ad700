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
from scheduler.plans.changes import FieldRefused, KrChanges, apply_changes, audit_plan
from scheduler.plans.checkins import CheckInDraft, knowledge_note, prepare_checkin
from scheduler.plans.errors import (
    CheckInRefused,
    KeyResultNotFound,
    PlanError,
    PlanInputError,
    PlanStateError,
)
from scheduler.plans.kr_text import read_kr
from scheduler.plans.models import OkrCheckIn, OkrKeyResult, OkrObjective, OkrPlan
from scheduler.plans.outline import PlanOutline
from scheduler.plans.ports import PlanNotifier
from scheduler.plans.progress import PeriodError, kr_progress, next_quarter, parse_period
from scheduler.plans.queries import OPEN_STATUSES, PlanReads, find_kr
from scheduler.plans.reading import build_plan_view, checkin_view
from scheduler.plans.views import CheckInView, KeyResultView, PlanView
from scheduler.when import ScheduleParseError, parse_when

log = logging.getLogger(__name__)
DEFAULT_CHECKINS = "weekly on monday at 10:00"

__all__ = ["DEFAULT_CHECKINS", "CheckInPreview", "KrChanges", "PlanService"]


@dataclass(frozen=True)
class CheckInPreview:
    """One row of a bulk check-in: the key result, its latest value and progress, and after."""

    plan_id: int
    kr_id: int
    ref: str
    metric: str
    before: str | None
    after: str
    progress_before: float | None
    progress_after: float | None


@dataclass(frozen=True, kw_only=True)
class PlanService(PlanReads):
    """Adopt, set up, edit, archive, score and check in; the reads come from PlanReads."""

    # When set, check-in notes go to the knowledge base through it (the Slack side queues it).
    notifier: PlanNotifier | None = None

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
        target; each key result's owner defaults to whoever adopted it."""
        if outline.key_result_count == 0:
            raise PlanError("This draft has no objectives with key results to track.")
        tz = _zone(timezone)
        now = self.clock.now()
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
                            owner=adopted_by,
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
            plan.timezone = spec.timezone if plan.status == "setup" else plan.timezone
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
        """The owner's (or the adopter's) adjusted score, 0.0 to 1.0, with the reason kept."""
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
            if plan.status == "archived":
                raise PlanStateError(f"Plan {plan.id} is archived; its scores no longer change.")
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
            return find_kr(build_plan_view(session, plan, now=now), kr.id)

    def pause_workspace(self, *, workspace_id: str) -> int:
        """On uninstall: no more rounds for the workspace's plans (data stays)."""
        with session_scope(self.sessions) as session:
            result = session.execute(
                update(OkrPlan)
                .where(OkrPlan.workspace_id == workspace_id, OkrPlan.checkins_paused.is_(False))
                .values(checkins_paused=True)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # check-ins ------------------------------------------------------------------------------

    def check_in(
        self,
        *,
        workspace_id: str,
        kr_id: int,
        author: str,
        value_text: str,
        confidence: str | None = None,
        note: str | None = None,
        source: str = "modal",
        as_owner: bool = True,
    ) -> CheckInView:
        """Append one check-in; refused (CheckInRefused, nothing stored) when it cannot count."""
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            try:
                kr, plan = self._kr(session, workspace_id, kr_id)
            except KeyResultNotFound as exc:
                raise CheckInRefused(str(exc)) from exc
            draft = CheckInDraft(
                kr_id=kr_id, value_text=value_text, confidence=confidence, note=note
            )
            row = prepare_checkin(
                session, plan, kr, draft, author=author, source=source, as_owner=as_owner, now=now
            )
            session.add(row)
            session.flush()
            view = checkin_view(row)
            knowledge = knowledge_note(session, plan, kr, view) if view.note else None
        if knowledge is not None and self.notifier is not None:
            try:
                self.notifier.add_checkin_knowledge(workspace_id, *knowledge)
            except Exception:
                # The check-in is stored; only its trip to the knowledge base failed.
                log.exception("check-in %s: adding its note to the knowledge base failed", view.id)
        return view

    def check_in_many(
        self,
        *,
        workspace_id: str,
        drafts: Sequence[CheckInDraft],
        author: str,
        source: str = "csv",
        dry_run: bool = False,
    ) -> list[CheckInPreview]:
        """A bulk check-in (a CSV exported from another system): every row is checked first and
        either all are stored or none; a dry run stores nothing and shows what would change."""
        now = self.clock.now()
        with session_scope(self.sessions) as session:
            rows: list[OkrCheckIn] = []
            previews: list[CheckInPreview] = []
            views: dict[int, PlanView] = {}
            for draft in drafts:
                where = f"Line {draft.line}: " if draft.line else ""
                try:
                    kr, plan = self._kr(session, workspace_id, draft.kr_id)
                    row = prepare_checkin(
                        session,
                        plan,
                        kr,
                        draft,
                        author=author,
                        source=source,
                        as_owner=False,
                        now=now,
                    )
                except PlanError as exc:
                    raise CheckInRefused(f"{where}{exc}") from exc
                if plan.id not in views:
                    views[plan.id] = build_plan_view(session, plan, now=now)
                before = find_kr(views[plan.id], kr.id)
                rows.append(row)
                previews.append(
                    CheckInPreview(
                        plan_id=plan.id,
                        kr_id=kr.id,
                        ref=before.ref,
                        metric=kr.metric,
                        before=before.latest.value_text if before.latest else None,
                        after=row.value_text,
                        progress_before=before.progress,
                        progress_after=kr_progress(
                            before.direction,
                            baseline=kr.baseline,
                            target=kr.target,
                            value=row.value,
                            first_value=row.value if before.latest is None else None,
                        ),
                    )
                )
            if dry_run:
                session.rollback()
                return previews
            session.add_all(rows)
        return previews

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
