"""Storing check-ins: one, a thread reply, or many at once (CSV, a modal), all-or-nothing.

Each is checked (value and unit, owner, plan tracking, workspace) before anything is stored;
stored notes go to the knowledge base through the notifier when there is one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from core.db import session_scope
from scheduler.plans.checkins import (
    CheckInDraft,
    knowledge_note,
    parse_checkin_reply,
    prepare_checkin,
)
from scheduler.plans.errors import CheckInRefused, KeyResultNotFound, PlanError
from scheduler.plans.models import OkrCheckIn
from scheduler.plans.ports import PlanNotifier
from scheduler.plans.progress import kr_progress
from scheduler.plans.queries import PlanReads, find_kr
from scheduler.plans.reading import build_plan_view, checkin_view
from scheduler.plans.views import CheckInView, KeyResultView, PlanView

log = logging.getLogger(__name__)


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
class CheckIns(PlanReads):
    # When set, check-in notes go to the knowledge base through it (the Slack side queues it).
    notifier: PlanNotifier | None = None

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
        self._to_knowledge(workspace_id, [knowledge] if knowledge else [])
        return view

    def check_in_reply(
        self, *, workspace_id: str, plan_id: int, author: str, text: str
    ) -> CheckInView | None:
        """A thread reply such as `KR 2.3: 42% at risk, blocked on hiring` in the plan's thread;
        None when the reply is not a check-in (no `KR n.m` at its start)."""
        reply = parse_checkin_reply(text)
        if reply is None:
            return None
        try:
            kr = self.kr_by_ref(workspace_id=workspace_id, plan_id=plan_id, ref=reply.ref)
        except KeyResultNotFound as exc:
            raise CheckInRefused(str(exc)) from exc
        return self.check_in(
            workspace_id=workspace_id,
            kr_id=kr.id,
            author=author,
            value_text=reply.value_text,
            confidence=reply.confidence,
            note=reply.note,
            source="thread",
        )

    def check_in_many(
        self,
        *,
        workspace_id: str,
        drafts: Sequence[CheckInDraft],
        author: str,
        source: str = "csv",
        dry_run: bool = False,
        as_owner: bool = False,
    ) -> list[CheckInPreview]:
        """Several check-ins at once (a CSV from another system, a modal with several key
        results): every one is checked first and either all are stored or none. Refused with
        CheckInRefused whose `field_errors` has every bad key result's reason; a dry run stores
        nothing and shows what would change. Stored notes go to the knowledge base."""
        now = self.clock.now()
        errors: dict[int, str] = {}
        messages: list[str] = []
        previews: list[CheckInPreview] = []
        notes: list[tuple[str, str]] = []
        with session_scope(self.sessions) as session:
            rows: list[OkrCheckIn] = []
            views: dict[int, PlanView] = {}
            for draft in drafts:
                try:
                    kr, plan = self._kr(session, workspace_id, draft.kr_id)
                    row = prepare_checkin(
                        session,
                        plan,
                        kr,
                        draft,
                        author=author,
                        source=source,
                        as_owner=as_owner,
                        now=now,
                    )
                except PlanError as exc:
                    errors.setdefault(draft.kr_id, str(exc))
                    messages.append(f"Line {draft.line}: {exc}" if draft.line else str(exc))
                    continue
                if plan.id not in views:
                    views[plan.id] = build_plan_view(session, plan, now=now)
                rows.append(row)
                previews.append(_preview(find_kr(views[plan.id], kr.id), row))
            if messages:
                more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
                raise CheckInRefused(messages[0] + more, field_errors=errors)
            if dry_run:
                session.rollback()
                return previews
            session.add_all(rows)
            session.flush()
            for row in rows:
                if row.note:
                    kr, plan = self._kr(session, workspace_id, row.kr_id)
                    notes.append(knowledge_note(session, plan, kr, checkin_view(row)))
        self._to_knowledge(workspace_id, notes)
        return previews

    def _to_knowledge(self, workspace_id: str, notes: Sequence[tuple[str, str]]) -> None:
        if self.notifier is None:
            return
        for title, text in notes:
            try:
                self.notifier.add_checkin_knowledge(workspace_id, title, text)
            except Exception:
                # The check-in is stored; only its trip to the knowledge base failed.
                log.exception("adding a check-in note to the knowledge base failed")


def _preview(before: KeyResultView, row: OkrCheckIn) -> CheckInPreview:
    return CheckInPreview(
        plan_id=row.plan_id,
        kr_id=row.kr_id,
        ref=before.ref,
        metric=before.metric,
        before=before.latest.value_text if before.latest else None,
        after=row.value_text,
        progress_before=before.progress,
        progress_after=kr_progress(
            before.direction,
            baseline=before.baseline,
            target=before.target,
            value=row.value,
            first_value=row.value if before.latest is None else None,
        ),
    )
