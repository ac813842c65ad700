"""The stable JSON of `alignbot okr ... --json` (documented in README.md, "OKR tracking")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scheduler.plans.values import format_value
from scheduler.plans.views import CheckInView, KeyResultView, ObjectiveView, PlanView

if TYPE_CHECKING:
    from scheduler.plans.service import CheckInPreview


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def checkin_json(checkin: CheckInView) -> dict[str, Any]:
    return {
        "id": checkin.id,
        "kr_id": checkin.kr_id,
        "author": checkin.author,
        "value": checkin.value,
        "value_text": checkin.value_text,
        "confidence": checkin.confidence,
        "note": checkin.note,
        "source": checkin.source,
        "created_at": checkin.created_at.isoformat(),
    }


def kr_json(kr: KeyResultView) -> dict[str, Any]:
    return {
        "id": kr.id,
        "ref": kr.ref,
        "text": kr.text,
        "metric": kr.metric,
        "unit": kr.unit,
        "baseline": kr.baseline,
        "target": kr.target,
        "direction": kr.direction,
        "weight": kr.weight,
        "owner": kr.owner,
        "due": kr.due.isoformat() if kr.due else None,
        "progress": _fraction(kr.progress),
        "expected": _fraction(kr.expected),
        "pace": kr.pace,
        "latest": checkin_json(kr.latest) if kr.latest else None,
        "score": kr.score,
        "score_reason": kr.score_reason,
        "sources": list(kr.source_ids),
    }


def objective_json(objective: ObjectiveView) -> dict[str, Any]:
    return {
        "id": objective.id,
        "ref": objective.ref,
        "title": objective.title,
        "progress": _fraction(objective.progress),
        "key_results": [kr_json(kr) for kr in objective.key_results],
    }


def plan_json(plan: PlanView) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": plan.title,
        "period": plan.period,
        "starts": plan.starts.isoformat(),
        "ends": plan.ends.isoformat(),
        "status": plan.status,
        "channel": plan.channel_id or None,
        "adopted_by": plan.adopted_by,
        "draft_id": plan.draft_ref,
        "timezone": plan.timezone,
        "checkin_schedule": plan.checkin_schedule,
        "next_checkin": plan.next_checkin.isoformat() if plan.next_checkin else None,
        "progress": _fraction(plan.progress),
        "elapsed": _fraction(plan.elapsed),
        "missing_checkins": list(plan.missing_checkins),
        "objectives": [objective_json(o) for o in plan.objectives],
        "carried_over": carried_json(plan),
    }


def carried_json(plan: PlanView) -> dict[str, Any] | None:
    """What this plan took over from the previous one in its channel (None when nothing)."""
    before = plan.predecessor
    if before is None:
        return None
    return {
        "plan_id": before.id,
        "title": before.title,
        "period": before.period,
        "retro_id": before.retro_id,
        "action_items": [
            {"id": item.id, "text": item.text, "owner": item.owner} for item in before.action_items
        ],
        "baselines": [
            {"kr_id": b.kr_id, "value_text": b.value_text, "reason": b.reason}
            for b in before.baselines
        ],
    }


def plan_summary_json(plan: PlanView) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": plan.title,
        "period": plan.period,
        "status": plan.status,
        "channel": plan.channel_id or None,
        "progress": _fraction(plan.progress),
        "key_results": len(plan.key_results()),
        "next_checkin": plan.next_checkin.isoformat() if plan.next_checkin else None,
    }


def preview_json(row: CheckInPreview) -> dict[str, Any]:
    return {
        "plan_id": row.plan_id,
        "kr_id": row.kr_id,
        "ref": row.ref,
        "metric": row.metric,
        "before": row.before,
        "after": row.after,
        "progress_before": _fraction(row.progress_before),
        "progress_after": _fraction(row.progress_after),
    }


def kr_line(kr: KeyResultView) -> str:
    """One key result for the terminal: ref, metric, latest value against target, progress."""
    latest = kr.latest.value_text if kr.latest else "no check-in"
    target = (
        "done / not done" if kr.direction == "deliverable" else format_value(kr.target, kr.unit)
    )
    progress = "—" if kr.progress is None else f"{kr.progress:.0%}"
    pace = (kr.pace or "").replace("_", " ")
    owner = kr.owner or "unassigned"
    return f"  {kr.ref:>5}  {kr.metric}: {latest} → {target}  {progress} {pace}  [{owner}] (id {kr.id})"
