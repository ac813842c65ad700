"""Read views of an adopted plan for the builder tests: plain data, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from scheduler.plans.views import (
    CheckInView,
    KeyResultView,
    ObjectiveView,
    PlanView,
    ProgressPoint,
)

LEAD, OPS, HR = "U0LEAD001", "U0OPS0001", "U0HR00001"
CHANNEL = "C0PLAN001"
CHECKED = datetime(2027, 1, 18, 9, 30, tzinfo=UTC)


def check_in(kr_id: int, value: float, text: str, confidence=None, note=None) -> CheckInView:
    return CheckInView(
        id=kr_id * 10,
        kr_id=kr_id,
        author=LEAD,
        value=value,
        value_text=text,
        confidence=confidence,
        note=note,
        source="modal",
        created_at=CHECKED,
    )


def key_result(kr_id: int, ref: str, text: str, **fields) -> KeyResultView:
    base = dict(
        id=kr_id,
        ref=ref,
        text=text,
        metric=text.split(" ")[1] if " " in text else text,
        unit="%",
        baseline=None,
        target=None,
        direction="increase",
        weight=1.0,
        owner=LEAD,
        due=None,
        latest=None,
        progress=None,
        previous_progress=None,
        expected=0.2,
        pace=None,
        score=None,
    )
    base.update(fields)
    return KeyResultView(**base)


UPTIME = key_result(
    11,
    "1.1",
    "Raise API uptime from 96.2% to 99.95% by Q1 2027",
    metric="API uptime",
    baseline=96.2,
    target=99.95,
    latest=check_in(11, 98.0, "98%", "at_risk", "Failover <!channel> still manual"),
    progress=0.48,
    previous_progress=0.2,
    pace="ahead",
)
ONBOARDING = key_result(
    12,
    "1.2",
    "Cut median onboarding time from 11 weeks to 6 weeks",
    metric="onboarding time",
    unit="weeks",
    baseline=11.0,
    target=6.0,
    direction="decrease",
    owner=HR,
    latest=check_in(12, 10.0, "10 weeks", "on_track"),
    progress=0.2,
    previous_progress=0.2,
    pace="on_pace",
)
HIRING = key_result(
    21,
    "2.1",
    "Hire 12 engineers; target to be set",
    metric="engineers hired",
    unit="",
    baseline=3.0,
    target=None,
    owner=None,
)
BILLING = key_result(
    22,
    "2.2",
    "Ship the billing rewrite by 31 Mar 2027",
    metric="billing rewrite",
    unit="",
    direction="deliverable",
    owner=OPS,
    due=date(2027, 3, 31),
    latest=check_in(22, 0.0, "not done", "off_track", "Vendor <@U0X> late"),
    progress=0.0,
    previous_progress=0.0,
    pace="behind",
)


def plan(status="active", **fields) -> PlanView:
    objectives = (
        ObjectiveView(1, "1", "Reliability customers can count on", 0.34, (UPTIME, ONBOARDING)),
        ObjectiveView(2, "2", "A team that <!here> scales", 0.0, (HIRING, BILLING)),
    )
    base = dict(
        id=7,
        workspace_id="T0ALIGN01",
        channel_id=CHANNEL,
        title="Company OKRs *Q1*",
        period="2027-Q1",
        starts=date(2027, 1, 1),
        ends=date(2027, 3, 31),
        status=status,
        progress=0.17,
        elapsed=0.2,
        objectives=objectives,
        adopted_by=LEAD,
        draft_id=3,
        checkin_schedule="weekly on Monday at 10:00 (Europe/Paris)",
        timezone="Europe/Paris",
        next_checkin=datetime(2027, 1, 25, 9, 0, tzinfo=UTC),
        missing_checkins=(OPS,),
        history={
            "1": (ProgressPoint(date(2027, 1, 11), 0.1), ProgressPoint(date(2027, 1, 18), 0.34)),
            "2": (ProgressPoint(date(2027, 1, 18), 0.0),),
        },
    )
    base.update(fields)
    return PlanView(**base)


def with_key_results(view: PlanView, count: int) -> PlanView:
    """The plan with `count` key results spread over four objectives (the benchmark's shape)."""
    objectives = []
    for o in range(4):
        krs = tuple(
            replace(UPTIME, id=1000 + o * 100 + k, ref=f"{o + 1}.{k + 1}")
            for k in range(count // 4)
        )
        objectives.append(ObjectiveView(o + 1, str(o + 1), f"Objective {o + 1}", 0.4, krs))
    return replace(view, objectives=tuple(objectives))
