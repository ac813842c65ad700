"""What a plan carries over from the plan before it in its channel: the quarter-close retro's
open action items, and the last values of the metrics that continue, as baselines.

The predecessor is found, not stored: the newest closed plan of the same channel whose period
ended before this one starts. So a plan adopted while the previous quarter is still running
finds it once that quarter closes.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import ActionItem
from scheduler.plans.changes import SYSTEM_ACTOR, audit_plan
from scheduler.plans.models import OkrCheckIn, OkrEdit, OkrKeyResult, OkrObjective, OkrPlan
from scheduler.plans.values import format_value
from scheduler.plans.views import CarriedBaseline, CarriedItem, Predecessor

CARRIED_REASON = "carried over: the last value of KR {ref} in {period}"
_WORDS = re.compile(r"[a-z0-9%$]+")


def predecessor_plan(session: Session, plan: OkrPlan) -> OkrPlan | None:
    return session.scalar(
        select(OkrPlan)
        .where(
            OkrPlan.workspace_id == plan.workspace_id,
            OkrPlan.channel_id == plan.channel_id,
            OkrPlan.status == "closed",
            OkrPlan.ends < plan.starts,
            OkrPlan.id != plan.id,
        )
        .order_by(OkrPlan.ends.desc(), OkrPlan.id.desc())
        .limit(1)
    )


def predecessor_view(session: Session, plan: OkrPlan) -> Predecessor | None:
    """The predecessor with its quarter-close retro's open action items, and the baselines
    this plan took from it; None for a plan with no closed plan before it in its channel."""
    if plan.status not in ("setup", "active"):
        return None  # a closed plan's own carry-over is history; its successor shows its own
    before = predecessor_plan(session, plan)
    if before is None:
        return None
    items: tuple[CarriedItem, ...] = ()
    if before.retro_id is not None:
        items = tuple(
            CarriedItem(id=row.id, text=row.text, owner=row.owner)
            for row in session.scalars(
                select(ActionItem)
                .where(
                    ActionItem.retro_id == before.retro_id,
                    ActionItem.workspace_id == plan.workspace_id,
                    ActionItem.status == "open",
                )
                .order_by(ActionItem.id)
            )
        )
    # Each key result's latest baseline change: a carried one someone changed since is theirs.
    latest: dict[int, OkrEdit] = {}
    for edit in session.scalars(
        select(OkrEdit)
        .where(OkrEdit.plan_id == plan.id, OkrEdit.field == "baseline", OkrEdit.kr_id.is_not(None))
        .order_by(OkrEdit.id)
    ):
        latest[edit.kr_id or 0] = edit
    baselines = tuple(
        CarriedBaseline(kr_id=kr_id, value_text=edit.new_value or "", reason=edit.reason or "")
        for kr_id, edit in latest.items()
        if edit.actor == SYSTEM_ACTOR
    )
    return Predecessor(
        id=before.id,
        title=before.title,
        period=before.period,
        retro_id=before.retro_id,
        action_items=items,
        baselines=baselines,
    )


def metric_key(metric: str, unit: str) -> tuple[str, str]:
    """The same metric whatever its case, spacing or punctuation ("Win rate" = "win-rate")."""
    return " ".join(_WORDS.findall(metric.casefold())), unit


def carry_baselines(session: Session, plan: OkrPlan, now: datetime) -> int:
    """Each key result of `plan` with no baseline whose metric (and unit) a scored key result
    of the predecessor measured starts from that one's last value; audited with the reason.
    Returns how many baselines were set."""
    before = predecessor_plan(session, plan)
    if before is None:
        return 0
    last: dict[tuple[str, str], tuple[float, str]] = {}
    rows = session.execute(
        select(OkrKeyResult, OkrObjective.position)
        .join(OkrObjective, OkrObjective.id == OkrKeyResult.objective_id)
        .where(OkrKeyResult.plan_id == before.id, OkrKeyResult.score.is_not(None))
    )
    for kr, position in rows:
        value = session.scalar(
            select(OkrCheckIn.value)
            .where(OkrCheckIn.kr_id == kr.id)
            .order_by(OkrCheckIn.id.desc())
            .limit(1)
        )
        if value is not None and kr.direction != "deliverable":
            last.setdefault(metric_key(kr.metric, kr.unit), (value, f"{position}.{kr.position}"))
    carried = 0
    for kr in session.scalars(select(OkrKeyResult).where(OkrKeyResult.plan_id == plan.id)):
        found = last.get(metric_key(kr.metric, kr.unit))
        if kr.baseline is not None or kr.direction == "deliverable" or found is None:
            continue
        kr.baseline = found[0]
        audit_plan(
            session,
            plan=plan,
            actor=SYSTEM_ACTOR,
            field="baseline",
            old=None,
            new=format_value(kr.baseline, kr.unit),
            now=now,
            reason=CARRIED_REASON.format(ref=found[1], period=before.period),
            kr_id=kr.id,
        )
        carried += 1
    return carried
