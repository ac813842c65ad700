"""The plan service on a real database: adopt, set up, edit (audited), check in, refuse, read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.clock import ManualClock
from core.db import session_scope
from scheduler.plans.changes import KrChanges
from scheduler.plans.checkins import CheckInDraft, parse_checkin_csv, parse_checkin_reply
from scheduler.plans.errors import (
    CheckInRefused,
    KeyResultNotFound,
    PlanError,
    PlanInputError,
    PlanNotFound,
    PlanStateError,
)
from scheduler.plans.models import OkrCheckIn, OkrEdit, OkrKeyResult, OkrPlan
from scheduler.plans.service import PlanService
from scheduler.plans.views import PlanView
from tests.plans.conftest import (
    ANA,
    BEN,
    CHANNEL,
    LEAD,
    OTHER_WS,
    WS,
    sample_outline,
    small_outline,
)
from tests.plans.recording import RecordingNotifier


def adopt(service: PlanService, **kw: object) -> PlanView:
    args: dict[str, object] = {
        "workspace_id": WS,
        "channel_id": CHANNEL,
        "adopted_by": LEAD,
        "outline": small_outline(),
        "timezone": "Europe/Berlin",
    }
    args.update(kw)
    return service.adopt(**args)  # type: ignore[arg-type]


def activate(service: PlanService, channel_id: str = CHANNEL) -> PlanView:
    """The small plan with owners and its missing target: active, dated 2027-Q1."""
    plan = adopt(service, channel_id=channel_id)
    churn = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.1")
    uptime = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="KR 1.1")
    return service.setup(
        workspace_id=WS,
        plan_id=plan.id,
        actor=LEAD,
        changes={
            churn.id: KrChanges(target="4%", owner=BEN),
            uptime.id: KrChanges(owner=f"<@{ANA}>"),
        },
    )


def counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(OkrCheckIn)) or 0,
            session.scalar(select(func.count()).select_from(OkrEdit)) or 0,
        )


def test_adopting_a_drafted_plan_reads_every_key_result(service: PlanService) -> None:
    plan = service.adopt(
        workspace_id=WS,
        channel_id=CHANNEL,
        adopted_by=LEAD,
        outline=sample_outline(),
        timezone="America/New_York",
    )
    assert (plan.period, plan.status, plan.starts.isoformat()) == ("2027-Q1", "setup", "2027-01-01")
    assert plan.draft_ref == "f00dfeed"
    assert [o.ref for o in plan.objectives] == ["1", "2", "3", "4"]
    churn = plan.objectives[0].key_results[0]
    assert (churn.ref, churn.unit, churn.baseline, churn.target) == ("1.1", "%", 6.8, 4.0)
    assert churn.direction == "decrease" and churn.owner == LEAD and churn.weight == 1.0
    assert churn.source_ids == ("19642819033e#4",)
    assert any(kr.needs_target for kr in plan.key_results())
    assert plan.next_checkin is None  # not tracking until the targets are set


def test_setup_activates_the_plan_once_owners_and_targets_are_set(service: PlanService) -> None:
    plan = adopt(service)
    assert plan.status == "setup"
    churn = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.1")
    assert churn.needs_target and churn.baseline == 6.8
    # Owners alone are not enough: the churn target is still to be set.
    still = service.setup(
        workspace_id=WS, plan_id=plan.id, actor=LEAD, changes={churn.id: KrChanges(owner=BEN)}
    )
    assert still.status == "setup"
    active = activate_again(service, plan.id, churn.id)
    assert active.status == "active"
    assert active.checkin_schedule == "weekly on Monday at 10:00 (Europe/Berlin)"
    # Adopted in December for Q1: the first round is the first Monday of January, 10:00 Berlin.
    assert active.next_checkin == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.1").target == 4.0


def activate_again(service: PlanService, plan_id: int, churn_id: int) -> PlanView:
    return service.setup(
        workspace_id=WS, plan_id=plan_id, actor=LEAD, changes={churn_id: KrChanges(target="4%")}
    )


def test_bad_setup_values_are_refused_per_key_result_and_nothing_changes(
    service: PlanService, plan_sessions: sessionmaker[Session]
) -> None:
    plan = adopt(service)
    krs = {kr.ref: kr for kr in plan.key_results()}
    before = counts(plan_sessions)
    with pytest.raises(PlanInputError) as caught:
        service.setup(
            workspace_id=WS,
            plan_id=plan.id,
            actor=LEAD,
            changes={
                krs["1.1"].id: KrChanges(target="12 days", owner=ANA),
                krs["2.1"].id: KrChanges(target="4%", owner="bob"),
                krs["2.2"].id: KrChanges(target="5"),
            },
        )
    errors = caught.value.field_errors
    assert "is days, but this key result is measured in a percentage" in errors[krs["1.1"].id]
    assert "not a Slack user id" in errors[krs["2.1"].id]
    assert "deliverable has no target" in errors[krs["2.2"].id]
    assert counts(plan_sessions) == before
    unchanged = service.status(workspace_id=WS, plan_id=plan.id)
    assert unchanged.key_results() == plan.key_results()


def test_a_check_in_moves_progress_as_the_issue_says(
    service: PlanService, clock: ManualClock
) -> None:
    plan = activate(service)
    uptime = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="1.1")
    clock.set(datetime(2027, 1, 4, 11, 0, tzinfo=UTC))
    checkin = service.check_in(
        workspace_id=WS,
        kr_id=uptime.id,
        author=ANA,
        value_text="98%",
        confidence="at risk",
        note="Two incidents",
    )
    assert (checkin.value, checkin.confidence, checkin.source) == (98.0, "at_risk", "modal")
    after = service.status(workspace_id=WS, plan_id=plan.id)
    kr = after.objectives[0].key_results[0]
    assert kr.progress == pytest.approx(0.48)
    assert kr.latest is not None and kr.latest.value_text == "98%"
    assert kr.pace == "ahead"  # four days into the quarter
    # Objective 1: uptime 0.48 and onboarding (not checked in) 0, equal weights.
    assert after.objectives[0].progress == pytest.approx(0.24)
    assert after.history["1"][-1].progress == pytest.approx(0.24)


def test_check_ins_are_refused_with_a_reason_and_nothing_is_stored(
    service: PlanService, plan_sessions: sessionmaker[Session]
) -> None:
    plan = adopt(service)
    uptime = plan.objectives[0].key_results[0]
    with pytest.raises(CheckInRefused, match="not tracking yet"):
        service.check_in(workspace_id=WS, kr_id=uptime.id, author=LEAD, value_text="98%")
    churn = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.1")
    plan = activate_again(service, plan.id, churn.id)
    service.edit_kr(workspace_id=WS, kr_id=uptime.id, actor=LEAD, changes=KrChanges(owner=ANA))
    before = counts(plan_sessions)
    refusals = [
        ({"author": ANA, "value_text": "about ninety"}, "KR 1.1: “about ninety” is not a value"),
        ({"author": ANA, "value_text": "3 days"}, "KR 1.1: “3 days” is days, but this key result"),
        ({"author": BEN, "value_text": "98%"}, f"KR 1.1 is <@{ANA}>'s; only its owner"),
        ({"author": ANA, "value_text": "98%", "confidence": "meh"}, "not a confidence"),
    ]
    for kwargs, message in refusals:
        with pytest.raises(CheckInRefused, match=message):
            service.check_in(workspace_id=WS, kr_id=uptime.id, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(CheckInRefused, match="no key result"):
        service.check_in(workspace_id=OTHER_WS, kr_id=uptime.id, author=ANA, value_text="98%")
    assert counts(plan_sessions) == before
    service.archive(workspace_id=WS, plan_id=plan.id, actor=LEAD)
    with pytest.raises(CheckInRefused, match="is archived"):
        service.check_in(workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="98%")


def test_check_ins_are_append_only_and_a_correction_is_a_new_one(
    service: PlanService, plan_sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    plan = activate(service)
    portal = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.2")
    service.check_in(workspace_id=WS, kr_id=portal.id, author=LEAD, value_text="done")
    clock.advance(timedelta(hours=1))
    service.check_in(
        workspace_id=WS, kr_id=portal.id, author=LEAD, value_text="not done", note="Typo"
    )
    kr = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.2")
    assert kr.progress == 0.0 and kr.previous_progress == 1.0
    with plan_sessions() as session:
        values = session.scalars(select(OkrCheckIn.value_text).order_by(OkrCheckIn.id)).all()
    assert values == ["done", "not done"]


def test_edits_are_audited_with_who_when_old_and_new(
    service: PlanService, plan_sessions: sessionmaker[Session]
) -> None:
    plan = activate(service)
    onboarding = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="1.2")
    edited = service.edit_kr(
        workspace_id=WS,
        kr_id=onboarding.id,
        actor=ANA,
        changes=KrChanges(target="35 days", due="2027-03-15", weight="2"),
    )
    assert edited.target == 5.0 and edited.unit == "weeks" and edited.weight == 2.0
    with plan_sessions() as session:
        rows = session.execute(
            select(OkrEdit.actor, OkrEdit.field, OkrEdit.old_value, OkrEdit.new_value)
            .where(OkrEdit.kr_id == onboarding.id)
            .order_by(OkrEdit.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (ANA, "due", "2027-09-30", "2027-03-15"),
        (ANA, "weight", "1", "2"),
        (ANA, "target", "6 weeks", "5 weeks"),
    ]
    with pytest.raises(PlanInputError, match="before the plan starts"):
        service.edit_kr(
            workspace_id=WS, kr_id=onboarding.id, actor=ANA, changes=KrChanges(due="2026-01-01")
        )
    with pytest.raises(PlanError, match="Nothing to change"):
        service.edit_kr(workspace_id=WS, kr_id=onboarding.id, actor=ANA, changes=KrChanges())
    with pytest.raises(KeyResultNotFound):
        service.edit_kr(
            workspace_id=OTHER_WS, kr_id=onboarding.id, actor=ANA, changes=KrChanges(weight=3)
        )


def test_a_target_below_the_baseline_turns_a_guessed_direction_around(service: PlanService) -> None:
    plan = adopt(service)
    churn = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.1")
    service.edit_kr(
        workspace_id=WS, kr_id=churn.id, actor=LEAD, changes=KrChanges(direction="increase")
    )
    turned = service.edit_kr(
        workspace_id=WS, kr_id=churn.id, actor=LEAD, changes=KrChanges(target="4")
    )
    assert turned.direction == "decrease"


def test_one_open_plan_per_channel_and_period(service: PlanService) -> None:
    plan = adopt(service)
    with pytest.raises(PlanStateError, match=f"already tracks plan {plan.id} for 2027-Q1"):
        adopt(service)
    other = adopt(service, period="Q2 2027")
    assert other.period == "2027-Q2"
    service.archive(workspace_id=WS, plan_id=plan.id, actor=LEAD)
    assert adopt(service).id not in (plan.id, other.id)
    with pytest.raises(PlanError, match="not a period"):
        adopt(service, period="soon")
    with pytest.raises(PlanError, match="not a timezone"):
        adopt(service, timezone="Mars/Olympus")


def test_reads_are_scoped_to_the_workspace(service: PlanService) -> None:
    plan = activate(service)
    with pytest.raises(PlanNotFound):
        service.status(workspace_id=OTHER_WS, plan_id=plan.id)
    assert service.plans(workspace_id=OTHER_WS) == []
    assert [p.id for p in service.plans(workspace_id=WS)] == [plan.id]
    assert [p.id for p in service.plans_owned_by(workspace_id=WS, user=BEN)] == [plan.id]
    assert service.plans_owned_by(workspace_id=WS, user="U0NOBODY1") == []
    found = service.plan_for_channel(workspace_id=WS, channel_id=CHANNEL)
    assert found is not None and found.id == plan.id
    assert service.plan_for_channel(workspace_id=OTHER_WS, channel_id=CHANNEL) is None
    with pytest.raises(KeyResultNotFound, match=r"no KR 9\.9"):
        service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="9.9")


def test_the_checkin_schedule_uses_the_retro_grammar(service: PlanService) -> None:
    plan = activate(service)
    changed = service.set_checkin_schedule(
        workspace_id=WS,
        plan_id=plan.id,
        text="every 2 weeks on friday at 15:00",
        default_tz="Europe/Berlin",
        actor=LEAD,
    )
    assert changed.checkin_schedule == "every 2 weeks on Friday at 15:00 (Europe/Berlin)"
    with pytest.raises(PlanError, match="Add a time of day"):
        service.set_checkin_schedule(
            workspace_id=WS,
            plan_id=plan.id,
            text="whenever",
            default_tz="Europe/Berlin",
            actor=LEAD,
        )


def test_a_csv_import_checks_every_row_first_and_a_dry_run_stores_nothing(
    service: PlanService, plan_sessions: sessionmaker[Session]
) -> None:
    plan = activate(service)
    krs = {kr.ref: kr for kr in plan.key_results()}
    good = f"kr,value,confidence,note\n{krs['1.1'].id},98%,on track,\n{krs['2.1'].id},5.9%,at risk,Two logos left\n"
    preview = service.check_in_many(
        workspace_id=WS, drafts=parse_checkin_csv(good), author="csv", dry_run=True
    )
    assert [(p.ref, p.before, p.after) for p in preview] == [
        ("1.1", None, "98%"),
        ("2.1", None, "5.9%"),
    ]
    assert preview[0].progress_after == pytest.approx(0.48)
    assert counts(plan_sessions)[0] == 0
    bad = good + f"{krs['1.2'].id},42%,,\n"
    with pytest.raises(CheckInRefused, match=r"^Line 4: KR 1\.2: “42%” is a percentage"):
        service.check_in_many(workspace_id=WS, drafts=parse_checkin_csv(bad), author="csv")
    assert counts(plan_sessions)[0] == 0
    stored = service.check_in_many(workspace_id=WS, drafts=parse_checkin_csv(good), author="csv")
    assert len(stored) == 2 and counts(plan_sessions)[0] == 2
    with pytest.raises(CheckInRefused, match="columns kr and value"):
        parse_checkin_csv("id;val\n1;2\n")


def test_scores_are_adjusted_by_the_owner_with_a_reason(
    service: PlanService, plan_sessions: sessionmaker[Session]
) -> None:
    plan = activate(service)
    churn = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.1")
    with pytest.raises(
        PlanStateError, match="has not closed yet; scores are set when its period ends"
    ):
        service.adjust_score(workspace_id=WS, kr_id=churn.id, actor=BEN, score=0.7, reason="x")
    with session_scope(
        plan_sessions
    ) as session:  # the period's close (tests/plans/test_recurring.py)
        session.execute(update(OkrPlan).where(OkrPlan.id == plan.id).values(status="closed"))
    with pytest.raises(PlanInputError, match="Say why"):
        service.adjust_score(workspace_id=WS, kr_id=churn.id, actor=BEN, score=0.7, reason=" ")
    with pytest.raises(PlanStateError, match="Only the owner"):
        service.adjust_score(workspace_id=WS, kr_id=churn.id, actor=ANA, score=0.7, reason="x")
    adjusted = service.adjust_score(
        workspace_id=WS,
        kr_id=churn.id,
        actor=BEN,
        score=0.7,
        reason="Two churned logos were mergers",
    )
    assert (adjusted.score, adjusted.score_reason) == (0.7, "Two churned logos were mergers")
    with plan_sessions() as session:
        row = session.scalars(select(OkrEdit).where(OkrEdit.field == "score")).one()
        assert (row.actor, row.new_value, row.reason) == (
            BEN,
            "0.70",
            "Two churned logos were mergers",
        )
        assert session.get(OkrKeyResult, churn.id) is not None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("KR 2.3: 42% at risk, blocked on hiring", ("2.3", "42%", "at risk", "blocked on hiring")),
        ("kr 1.1 98 %", ("1.1", "98 %", None, None)),
        ("KR 2.1: $1.2M on track", ("2.1", "$1.2M", "on track", None)),
        (
            "KR 2.1: 42 customers, off-track: two deals slipped",
            ("2.1", "42 customers", "off-track", "two deals slipped"),
        ),
        ("KR 1.2: not done - waiting on legal", ("1.2", "not done", None, "waiting on legal")),
        ("KR 3.1: lots of progress", ("3.1", "lots", None, "of progress")),
    ],
)
def test_thread_replies_read_as_check_ins(text: str, parts: tuple[str | None, ...]) -> None:
    reply = parse_checkin_reply(text)
    assert reply is not None
    assert (reply.ref, reply.value_text, reply.confidence, reply.note) == parts


def test_a_thread_reply_checks_in_or_is_refused_and_stores_nothing(
    service: PlanService, plan_sessions: sessionmaker[Session]
) -> None:
    plan = activate(service)
    assert (
        service.check_in_reply(workspace_id=WS, plan_id=plan.id, author=ANA, text="Nice work all")
        is None
    )
    stored = service.check_in_reply(
        workspace_id=WS, plan_id=plan.id, author=ANA, text="KR 1.1: 98% at risk, two incidents"
    )
    assert stored is not None
    assert (stored.value, stored.confidence, stored.note, stored.source) == (
        98.0,
        "at_risk",
        "two incidents",
        "thread",
    )
    before = counts(plan_sessions)
    for text, message in (
        ("KR 1.1: lots of progress", "“lots” is not a value"),
        ("KR 2.1: 5%", f"KR 2.1 is <@{BEN}>'s"),
        ("KR 7.1: 5%", "Plan .* has no KR 7.1"),
    ):
        with pytest.raises(CheckInRefused, match=message):
            service.check_in_reply(workspace_id=WS, plan_id=plan.id, author=ANA, text=text)
    assert counts(plan_sessions) == before


def test_a_modal_with_several_key_results_reports_every_bad_one_and_stores_none(
    plan_sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    notifier = RecordingNotifier()
    service = PlanService(sessions=plan_sessions, clock=clock, notifier=notifier)
    plan = activate(service)
    krs = {kr.ref: kr for kr in plan.key_results()}
    service.edit_kr(workspace_id=WS, kr_id=krs["1.2"].id, actor=LEAD, changes=KrChanges(owner=ANA))
    mine = [
        CheckInDraft(kr_id=krs["1.1"].id, value_text="98%", note="Better"),
        CheckInDraft(kr_id=krs["1.2"].id, value_text="98%", confidence="on track"),
        CheckInDraft(kr_id=krs["2.1"].id, value_text="5%"),
    ]
    with pytest.raises(CheckInRefused) as caught:
        service.check_in_many(
            workspace_id=WS, drafts=mine, author=ANA, source="modal", as_owner=True
        )
    assert set(caught.value.field_errors) == {krs["1.2"].id, krs["2.1"].id}
    assert (
        "is a percentage, but this key result is measured in weeks"
        in caught.value.field_errors[krs["1.2"].id]
    )
    assert str(caught.value).endswith("(and 1 more)")
    assert counts(plan_sessions)[0] == 0 and notifier.knowledge == []
    stored = service.check_in_many(
        workspace_id=WS,
        drafts=[mine[0], CheckInDraft(kr_id=krs["1.2"].id, value_text="9 weeks")],
        author=ANA,
        source="modal",
        as_owner=True,
    )
    assert [p.after for p in stored] == ["98%", "9 weeks"]
    assert [title.split(" · ")[1] for _, title, _ in notifier.knowledge] == ["KR 1.1"]
