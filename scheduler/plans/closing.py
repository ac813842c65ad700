"""The end of a plan's period: every key result scored, the plan closed, a quarter-close retro.

Runs once (an occurrence claim of kind "okr_close") and resumes after a crash: a plan closed
without its retro gets the retro. The retro opens through scheduler's own retro opening, with
one entry per key result: its score, what it measured and the owners' notes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import session_scope
from core.retro_sections import Section
from scheduler.errors import RetroError
from scheduler.occurrences import claim_occurrence, finish_occurrence
from scheduler.plans.changes import SYSTEM_ACTOR, audit_plan
from scheduler.plans.models import OkrCheckIn, OkrKeyResult, OkrPlan
from scheduler.plans.ports import PlanNotifier
from scheduler.plans.reading import build_plan_view, local_today
from scheduler.plans.values import format_value
from scheduler.plans.views import KeyResultView, PlanView
from scheduler.retro_entries import RetroEntries
from scheduler.retro_opening import RetroOpening

log = logging.getLogger(__name__)
CLOSE_KIND = "okr_close"
# The period closes the morning after its last day, in the plan's timezone: late check-ins
# from the last afternoon still count.
CLOSE_AT = time(9, 0)
RETRO_WINDOW = timedelta(days=3)
MAX_NOTES_PER_ENTRY = 3
# A score from here up is a success in the usual reading of OKR scores.
STRONG_SCORE = 0.7


class _Period(Protocol):
    """A plan's period: an OkrPlan, or a row of its columns."""

    ends: date
    timezone: str


def close_at(plan: _Period) -> datetime:
    local = datetime.combine(
        plan.ends + timedelta(days=1), CLOSE_AT, tzinfo=ZoneInfo(plan.timezone)
    )
    return as_utc(local)


def finish_claim(
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    kind: str,
    key: int,
    occurrence_at: datetime,
    result_id: int | None = None,
) -> None:
    with session_scope(sessions) as session:
        finish_occurrence(
            session,
            kind=kind,
            key=key,
            occurrence_at=occurrence_at,
            now=as_utc(clock.now()),
            result_id=result_id,
        )


@dataclass(frozen=True, kw_only=True)
class PlanClosing:
    sessions: sessionmaker[Session]
    clock: Clock
    notifier: PlanNotifier
    retro_opening: RetroOpening

    def close_once(self, plan_id: int) -> None:
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            plan = session.get(OkrPlan, plan_id)
            if plan is None:
                return
            at = close_at(plan)
            if now < at:
                return  # the period was extended; the next sync schedules the new close
            if not claim_occurrence(
                session,
                kind=CLOSE_KIND,
                key=plan_id,
                occurrence_at=at,
                now=now,
                workspace_id=plan.workspace_id,
            ):
                return
        self.close(plan_id)
        finish_claim(self.sessions, self.clock, kind=CLOSE_KIND, key=plan_id, occurrence_at=at)

    def close(self, plan_id: int) -> None:
        """Score every key result (its last progress), close the plan, open the retro. Resumable:
        a plan already closed without its retro gets the retro."""
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            plan = session.scalar(select(OkrPlan).where(OkrPlan.id == plan_id).with_for_update())
            if plan is None or plan.status not in ("active", "closed") or plan.retro_id is not None:
                return
            if plan.status == "active":
                self.score(session, plan, now)
            view = build_plan_view(session, plan, now=now)
            notes = _notes(session, plan.id)
        # The scores become knowledge before anything is posted: the next SWOT builds on them.
        add_close_knowledge(self.notifier, view)
        retro_id = self._open_close_retro(view, notes) if view.channel_id else None
        with session_scope(self.sessions) as session:
            session.execute(update(OkrPlan).where(OkrPlan.id == plan_id).values(retro_id=retro_id))
        self.notifier.plan_closed(view.workspace_id, view, retro_id)

    def score(self, session: Session, plan: OkrPlan, now: datetime) -> None:
        view = build_plan_view(session, plan, now=now)
        krs = {
            kr.id: kr
            for kr in session.scalars(select(OkrKeyResult).where(OkrKeyResult.plan_id == plan.id))
        }
        for kr in view.key_results():
            row = krs[kr.id]
            if row.score is not None:
                continue  # adjusted by its owner already
            row.score = round(kr.progress or 0.0, 2)
            audit_plan(
                session,
                plan=plan,
                actor=SYSTEM_ACTOR,
                field="score",
                old=None,
                new=f"{row.score:.2f}",
                now=now,
                reason="the period ended: its last progress",
                kr_id=kr.id,
            )
        audit_plan(
            session,
            plan=plan,
            actor=SYSTEM_ACTOR,
            field="status",
            old=plan.status,
            new="closed",
            now=now,
        )
        plan.status, plan.closed_at, plan.updated_at = "closed", now, now
        session.flush()
        log.info("plan %s closed (%s)", plan.id, local_today(plan, now))

    def _open_close_retro(self, view: PlanView, notes: dict[int, list[str]]) -> int | None:
        try:
            retro = self.retro_opening.open_retro(
                view.workspace_id,
                view.channel_id,
                f"Quarter close: {view.title} ({view.period})"[:200],
                opened_by=None,
                window=RETRO_WINDOW,
            )
        except RetroError as exc:
            log.warning("plan %s: the quarter-close retro did not open: %s", view.id, exc)
            return None
        entries = RetroEntries(sessions=self.sessions, clock=self.clock)
        for kr in view.key_results():
            score = kr.score if kr.score is not None else 0.0
            section: Section | None = (
                "went_well" if score >= 0.7 else "not_so_well" if score < 0.4 else None
            )
            entries.add_entry(
                retro.id,
                workspace_id=view.workspace_id,
                section=section,
                text=score_entry(kr, notes.get(kr.id, [])),
                author=kr.owner,
                anonymous=False,
                source="modal",
                source_ts=f"okr-{view.id}-{kr.id}",
            )
        return retro.id


def close_note(view: PlanView) -> tuple[str, str]:
    """(title, text) of the period's scores for the knowledge base, one sentence per key
    result: "Win rate ended at 31% against a 35% target (score 0.48, 2027-Q1)."."""
    title = f"{view.period} close · {view.title}"
    lines = [
        title,
        f"The OKR plan {view.title} for {view.period} ({view.starts.isoformat()} to "
        f"{view.ends.isoformat()}) closed with these scores, from 0.0 to 1.0.",
    ]
    for objective in view.objectives:
        lines.append(f"Objective {objective.ref}: {objective.title}.")
        lines.extend(score_sentence(kr, view.period) for kr in objective.key_results)
    return title, "\n".join(lines)


def score_sentence(kr: KeyResultView, period: str) -> str:
    """Worded as a SWOT reads results: 0.7 and up is a strong result, below it the target was
    missed (the usual OKR reading of a score)."""
    score = kr.score if kr.score is not None else 0.0
    scored = f"(score {score:.2f}, {period})"
    if kr.direction == "deliverable":
        done = (
            "was done by the end of the period: a strong result"
            if (kr.progress or 0) >= 1
            else "was not done by the end of the period: it missed its date"
        )
        sentence = f"{kr.metric} {done} {scored}."
    else:
        against = (
            f" against a {format_value(kr.target, kr.unit)} target" if kr.target is not None else ""
        )
        start = (
            f", from a baseline of {format_value(kr.baseline, kr.unit)}"
            if kr.baseline is not None
            else ""
        )
        ended = f"ended at {kr.latest.value_text}" if kr.latest else "had no check-in"
        verdict = (
            "a strong result that reached the target"
            if score >= 1
            else "a strong result, close to the target"
            if score >= STRONG_SCORE
            else "it fell short and missed the target"
        )
        sentence = f"{kr.metric} {ended}{against}{start}: {verdict} {scored}."
    if kr.score_reason:
        sentence += f" Its owner adjusted the score: {kr.score_reason}."
    return sentence


def add_close_knowledge(notifier: PlanNotifier | None, view: PlanView) -> None:
    """The scores into the workspace's knowledge base (the same title again replaces them, as
    after an owner adjusts a score); a failure here never stops the close."""
    if notifier is None:
        return
    try:
        notifier.add_checkin_knowledge(view.workspace_id, *close_note(view))
    except Exception:
        log.exception("plan %s: its scores did not reach the knowledge base", view.id)


def score_entry(kr: KeyResultView, notes: list[str]) -> str:
    """ "KR 1.2 Win rate: scored 0.48 (31% against a 35% target, from 27%). Notes: …" """
    score = kr.score if kr.score is not None else 0.0
    value = kr.latest.value_text if kr.latest else "no check-in"
    if kr.direction == "deliverable":
        measured = "done" if (kr.progress or 0) >= 1 else "not done"
    else:
        against = (
            f" against a {format_value(kr.target, kr.unit)} target" if kr.target is not None else ""
        )
        start = f", from {format_value(kr.baseline, kr.unit)}" if kr.baseline is not None else ""
        measured = f"{value}{against}{start}"
    text = f"KR {kr.ref} {kr.metric}: scored {score:.2f} ({measured})."
    if kr.score_reason:
        text += f" Score note: {kr.score_reason}."
    if notes:
        text += " Notes: " + " / ".join(notes[-MAX_NOTES_PER_ENTRY:])
    return text


def _notes(session: Session, plan_id: int) -> dict[int, list[str]]:
    notes: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(OkrCheckIn.kr_id, OkrCheckIn.note)
        .where(OkrCheckIn.plan_id == plan_id, OkrCheckIn.note.is_not(None))
        .order_by(OkrCheckIn.id)
    )
    for kr_id, note in rows:
        if note:
            notes[kr_id].append(note)
    return notes
