"""Build the read views (scheduler/plans/views.py) of plans from their rows, progress included."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.clock import as_utc
from scheduler.plans.carry_over import Predecessor, predecessor_view
from scheduler.plans.fields import (
    CheckInFields,
    KeyResultFields,
    ObjectiveFields,
    ObjectiveRow,
)
from scheduler.plans.models import OkrCheckIn, OkrKeyResult, OkrObjective, OkrPlan, OkrRound
from scheduler.plans.progress import expected_share, kr_progress, pace, weighted_mean
from scheduler.plans.views import (
    CheckInView,
    Confidence,
    Direction,
    KeyResultView,
    ObjectiveView,
    PlanStatus,
    PlanView,
    ProgressPoint,
)
from scheduler.when import ScheduleSpec


def spec_of(plan: OkrPlan) -> ScheduleSpec | None:
    if not plan.checkin_kind or not plan.checkin_expr:
        return None
    return ScheduleSpec(
        kind=plan.checkin_kind,  # type: ignore[arg-type]
        expression=plan.checkin_expr,
        timezone=plan.timezone,
        description=plan.checkin_text or "",
    )


def checkin_view(row: CheckInFields) -> CheckInView:
    return CheckInView(
        id=row.id,
        kr_id=row.kr_id,
        author=row.author,
        value=row.value,
        value_text=row.value_text,
        confidence=cast(Confidence | None, row.confidence),
        note=row.note,
        source=row.source,
        created_at=as_utc(row.created_at),
    )


def local_today(plan: OkrPlan, now: datetime) -> date:
    return now.astimezone(ZoneInfo(plan.timezone)).date()


def kr_expected(plan: OkrPlan, kr: KeyResultFields, today: date) -> float:
    """The share of the key result's time gone: from the period's start to its due date when
    that falls inside the period, else to the period's end (the score is taken there)."""
    ends = kr.due if kr.due is not None and plan.starts <= kr.due < plan.ends else plan.ends
    return expected_share(plan.starts, ends, today)


def kr_view(
    plan: OkrPlan,
    objective: ObjectiveFields,
    kr: KeyResultFields,
    checkins: Sequence[CheckInFields],
    today: date,
) -> KeyResultView:
    """`checkins` are this key result's, oldest first."""
    direction = cast(Direction, kr.direction)
    first = checkins[0].value if checkins else None

    def progress_of(row: CheckInFields | None) -> float | None:
        return kr_progress(
            direction,
            baseline=kr.baseline,
            target=kr.target,
            value=row.value if row else None,
            first_value=first,
        )

    latest = checkins[-1] if checkins else None
    previous = checkins[-2] if len(checkins) > 1 else None
    progress = progress_of(latest)
    expected = kr_expected(plan, kr, today)
    due = kr.due if kr.due is not None and kr.due <= plan.ends else plan.ends
    return KeyResultView(
        id=kr.id,
        ref=f"{objective.position}.{kr.position}",
        text=kr.text,
        metric=kr.metric,
        unit=kr.unit,
        baseline=kr.baseline,
        target=kr.target,
        direction=direction,
        weight=kr.weight,
        owner=kr.owner,
        due=kr.due,
        latest=checkin_view(latest) if latest else None,
        progress=progress,
        previous_progress=progress_of(previous) if previous else None,
        expected=expected,
        pace=pace(progress, expected, direction=direction, overdue=today > due),
        score=kr.score,
        score_reason=kr.score_reason,
        source_ids=tuple(kr.source_ids or ()),
    )


def build_plan_view(
    session: Session, plan: OkrPlan, *, now: datetime, with_predecessor: bool = True
) -> PlanView:
    objectives = list(
        session.scalars(
            select(OkrObjective)
            .where(OkrObjective.plan_id == plan.id)
            .order_by(OkrObjective.position)
        )
    )
    krs = list(
        session.scalars(
            select(OkrKeyResult)
            .where(OkrKeyResult.plan_id == plan.id)
            .order_by(OkrKeyResult.objective_id, OkrKeyResult.position)
        )
    )
    checkins: dict[int, list[OkrCheckIn]] = defaultdict(list)
    for row in session.scalars(
        select(OkrCheckIn).where(OkrCheckIn.plan_id == plan.id).order_by(OkrCheckIn.id)
    ):
        checkins[row.kr_id].append(row)
    latest_round = session.scalar(
        select(OkrRound).where(OkrRound.plan_id == plan.id).order_by(OkrRound.id.desc()).limit(1)
    )
    by_objective: dict[int, list[OkrKeyResult]] = defaultdict(list)
    for kr in krs:
        by_objective[kr.objective_id].append(kr)
    return _assemble(
        plan,
        [(objective, by_objective[objective.id]) for objective in objectives],
        checkins,
        now=now,
        history=True,
        missing=_missing(krs, checkins, latest_round),
        upcoming=next_checkin(plan, now),
        predecessor=predecessor_view(session, plan) if with_predecessor else None,
    )


def dm_views(session: Session, plans: Sequence[OkrPlan], *, now: datetime) -> dict[int, PlanView]:
    """Views of many plans at once, as a check-in DM shows them: every key result with its
    owner and latest figures, read with one query for the key results (their objectives joined)
    and one for the check-ins that matter (each key result's first and last two). No history
    and no `missing_checkins`: a DM shows neither, and a digest builds the full view."""
    ids = [plan.id for plan in plans]
    if not ids:
        return {}
    # Rows of columns, not ORM objects: a batch reads tens of thousands of key results.
    rows = session.execute(
        select(
            *OkrKeyResult.__table__.c,
            OkrObjective.position.label("objective_position"),
            OkrObjective.title.label("objective_title"),
        )
        .join(OkrObjective, OkrKeyResult.objective_id == OkrObjective.id)
        .where(OkrObjective.plan_id.in_(ids))
        .order_by(OkrObjective.plan_id, OkrObjective.position, OkrKeyResult.position)
    )
    per_plan: dict[int, dict[int, tuple[ObjectiveFields, list[KeyResultFields]]]] = defaultdict(
        dict
    )
    for kr in rows:
        objective = ObjectiveRow(kr.objective_id, kr.objective_position, kr.objective_title)
        per_plan[kr.plan_id].setdefault(objective.id, (objective, []))[1].append(kr)
    ranked = (
        select(
            OkrCheckIn.id,
            func.row_number()
            .over(partition_by=OkrCheckIn.kr_id, order_by=OkrCheckIn.id.desc())
            .label("back"),
            func.row_number()
            .over(partition_by=OkrCheckIn.kr_id, order_by=OkrCheckIn.id)
            .label("forth"),
        )
        .where(OkrCheckIn.plan_id.in_(ids))
        .subquery()
    )
    checkins: dict[int, list[CheckInFields]] = defaultdict(list)
    for row in session.execute(
        select(*OkrCheckIn.__table__.c)
        .join(ranked, ranked.c.id == OkrCheckIn.id)
        # What `kr_view` reads: the first (progress from it when there is no baseline), the
        # previous and the latest.
        .where(or_(ranked.c.back <= 2, ranked.c.forth == 1))
        .order_by(OkrCheckIn.id)
    ):
        checkins[row.kr_id].append(row)
    # Plans on one schedule share their next check-in: a cron trigger is costly to build.
    upcoming: dict[tuple[object, ...], datetime | None] = {}
    views = {}
    for plan in plans:
        key = (
            plan.checkin_kind,
            plan.checkin_expr,
            plan.timezone,
            plan.starts,
            plan.ends,
            plan.status,
            plan.checkins_paused,
        )
        if key not in upcoming:
            upcoming[key] = next_checkin(plan, now)
        views[plan.id] = _assemble(
            plan,
            list(per_plan[plan.id].values()),
            checkins,
            now=now,
            history=False,
            missing=(),
            upcoming=upcoming[key],
        )
    return views


def _assemble(
    plan: OkrPlan,
    objectives: Sequence[tuple[ObjectiveFields, Sequence[KeyResultFields]]],
    checkins: Mapping[int, Sequence[CheckInFields]],
    *,
    now: datetime,
    history: bool,
    missing: tuple[str, ...],
    upcoming: datetime | None,
    predecessor: Predecessor | None = None,
) -> PlanView:
    today = local_today(plan, now)
    views: list[ObjectiveView] = []
    histories: dict[str, tuple[ProgressPoint, ...]] = {}
    for objective, own in objectives:
        kr_views = tuple(kr_view(plan, objective, kr, checkins[kr.id], today) for kr in own)
        views.append(
            ObjectiveView(
                id=objective.id,
                ref=str(objective.position),
                title=objective.title,
                progress=weighted_mean((k.progress, k.weight) for k in kr_views),
                key_results=kr_views,
            )
        )
        if history:
            histories[str(objective.position)] = _history(plan, own, checkins)
    plan_progress = weighted_mean((o.progress, 1.0) for o in views if o.key_results)
    return PlanView(
        id=plan.id,
        workspace_id=plan.workspace_id,
        channel_id=plan.channel_id,
        title=plan.title,
        period=plan.period,
        starts=plan.starts,
        ends=plan.ends,
        status=cast(PlanStatus, plan.status),
        progress=plan_progress,
        elapsed=expected_share(plan.starts, plan.ends, today),
        objectives=tuple(views),
        adopted_by=plan.adopted_by,
        draft_id=plan.draft_id,
        checkin_schedule=plan.checkin_text,
        timezone=plan.timezone,
        next_checkin=upcoming,
        missing_checkins=missing,
        history=histories,
        draft_ref=plan.draft_ref,
        predecessor=predecessor,
    )


def next_checkin(plan: OkrPlan, now: datetime) -> datetime | None:
    spec = spec_of(plan)
    if spec is None or plan.status != "active" or plan.checkins_paused:
        return None
    start = datetime.combine(plan.starts, time(0), tzinfo=ZoneInfo(plan.timezone))
    after = max(as_utc(now), start)
    upcoming = spec.next_occurrences(1, after=after)
    end = datetime.combine(plan.ends + timedelta(days=1), time(0), tzinfo=ZoneInfo(plan.timezone))
    return upcoming[0] if upcoming and upcoming[0] < end else None


def _missing(
    krs: Sequence[OkrKeyResult],
    checkins: dict[int, list[OkrCheckIn]],
    latest_round: OkrRound | None,
) -> tuple[str, ...]:
    if latest_round is None:
        return ()
    opened = as_utc(latest_round.opened_at)
    missing: list[str] = []
    for kr in krs:
        if kr.owner is None or kr.owner in missing:
            continue
        if not any(as_utc(c.created_at) >= opened for c in checkins[kr.id]):
            missing.append(kr.owner)
    return tuple(missing)


def owners_missing(
    session: Session, round_row: OkrRound, owners: Sequence[str] | None = None
) -> dict[str, list[int]]:
    """Per owner, their key results with no check-in since the round opened."""
    krs = session.scalars(
        select(OkrKeyResult).where(
            OkrKeyResult.plan_id == round_row.plan_id, OkrKeyResult.owner.is_not(None)
        )
    ).all()
    checked = set(
        session.scalars(
            select(OkrCheckIn.kr_id).where(
                OkrCheckIn.plan_id == round_row.plan_id,
                OkrCheckIn.created_at >= round_row.opened_at,
            )
        )
    )
    missing: dict[str, list[int]] = defaultdict(list)
    for kr in krs:
        if kr.id not in checked and kr.owner and (owners is None or kr.owner in owners):
            missing[kr.owner].append(kr.id)
    return dict(missing)


def _history(
    plan: OkrPlan,
    krs: Sequence[KeyResultFields],
    checkins: Mapping[int, Sequence[CheckInFields]],
) -> tuple[ProgressPoint, ...]:
    """The objective's progress at the end of each day someone checked in on it."""
    tz = ZoneInfo(plan.timezone)
    events = sorted(
        (as_utc(c.created_at).astimezone(tz).date(), c.id, kr)
        for kr in krs
        for c in checkins[kr.id]
    )
    if not events:
        return ()
    rows = {c.id: c for kr in krs for c in checkins[kr.id]}
    latest: dict[int, CheckInFields] = {}
    points: list[ProgressPoint] = []
    for index, (day, cid, kr) in enumerate(events):
        latest[kr.id] = rows[cid]
        if index + 1 < len(events) and events[index + 1][0] == day:
            continue
        values = []
        for each in krs:
            row = latest.get(each.id)
            first = checkins[each.id][0].value if checkins[each.id] else None
            value = kr_progress(
                cast(Direction, each.direction),
                baseline=each.baseline,
                target=each.target,
                value=row.value if row else None,
                first_value=first,
            )
            values.append((value, each.weight))
        progress = weighted_mean(values)
        if progress is not None:
            points.append(ProgressPoint(day=day, progress=progress))
    return tuple(points)
