"""Check-in rounds, reminders, digests and the period's close, called as the engine calls them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import ManualClock, as_utc
from core.db import session_scope
from scheduler.models import Retro, RetroEntryRow
from scheduler.occurrences import claim_occurrence, unfinished
from scheduler.plans.errors import CheckInRefused
from scheduler.plans.models import OkrPlan, OkrRound, OkrRoundNotice
from scheduler.plans.recurring import CLOSE_KIND, KIND, PlanCheckins, close_at
from scheduler.plans.service import PlanService
from scheduler.plans.views import PlanView
from tests.plans.conftest import ANA, BEN, LEAD, WS
from tests.plans.recording import RecordingNotifier
from tests.plans.test_service import activate
from tests.scheduler.notifiers import LoggingNotifier

# The first Monday of 2027-Q1, 10:00 in Berlin.
FIRST_ROUND = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def round_ids(notifier: RecordingNotifier) -> set[int]:
    return {round_id for _, _, round_id, _ in notifier.dms}


def test_a_round_dms_each_owner_once_with_their_key_results(
    service: PlanService,
    checkins: PlanCheckins,
    notifier: RecordingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    plan = activate(service)
    with plan_sessions() as session:
        assert checkins.active_keys(session) == {plan.id}
        [series] = checkins.series(session, [plan.id])
        assert series.spec.next_occurrences(1, after=as_utc(clock.now()))[0] == datetime(
            2026, 12, 7, 9, 0, tzinfo=UTC
        )
    # Adopted for Q1: a December occurrence opens no round.
    checkins.fire(plan.id, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert notifier.dms == []
    clock.set(FIRST_ROUND + timedelta(seconds=2))
    checkins.fire(plan.id, FIRST_ROUND)
    checkins.fire(plan.id, FIRST_ROUND)  # a second replica, or a repeat: nothing more
    assert sorted((o, refs) for o, refs, _, _ in notifier.dms) == [
        (ANA, ("1.1",)),
        (BEN, ("2.1",)),
        (LEAD, ("1.2", "2.2")),
    ]
    with plan_sessions() as session:
        assert unfinished(session, kind=KIND, claimed_before=clock.now() + timedelta(days=1)) == []
        actions = {(d.action, d.key) for d in checkins.deadlines(session)}
    [round_id] = round_ids(notifier)
    assert actions == {("remind", round_id), ("digest", round_id), ("close", plan.id)}


def test_one_reminder_after_a_day_only_to_owners_who_have_not_checked_in(
    service: PlanService, checkins: PlanCheckins, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    plan = activate(service)
    clock.set(FIRST_ROUND)
    checkins.fire(plan.id, FIRST_ROUND)
    [round_id] = round_ids(notifier)
    uptime = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="1.1")
    portal = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="2.2")
    clock.advance(timedelta(hours=3))
    service.check_in(workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="98%")
    service.check_in(workspace_id=WS, kr_id=portal.id, author=LEAD, value_text="not done")
    clock.advance(timedelta(hours=21))
    checkins.run_deadline("remind", round_id)
    checkins.run_deadline("remind", round_id)
    assert sorted((o, refs) for o, refs, _, r in notifier.dms if r) == [
        (BEN, ("2.1",)),
        (LEAD, ("1.2",)),
    ]
    clock.advance(timedelta(days=1))
    checkins.run_deadline("digest", round_id)
    checkins.run_deadline("digest", round_id)
    [digest] = notifier.digests
    assert digest.missing_checkins == (LEAD, BEN)
    assert digest.objectives[0].key_results[0].progress == pytest.approx(0.48)


def test_a_newer_round_supersedes_the_old_reminder(
    service: PlanService, checkins: PlanCheckins, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    plan = activate(service)
    clock.set(FIRST_ROUND)
    checkins.fire(plan.id, FIRST_ROUND)
    [first] = round_ids(notifier)
    clock.advance(timedelta(days=7))
    checkins.fire(plan.id, FIRST_ROUND + timedelta(days=7))
    checkins.run_deadline("remind", first)
    checkins.run_deadline("digest", first)
    assert notifier.owners(reminder=True) == [] and notifier.digests == []


def test_the_close_scores_key_results_and_opens_one_retro_with_them(
    service: PlanService,
    checkins: PlanCheckins,
    notifier: RecordingNotifier,
    retro_notifier: LoggingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    plan = activate(service)
    uptime = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="1.1")
    clock.set(FIRST_ROUND)
    service.check_in(
        workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="98%", note="Two incidents in Feb"
    )
    checkins.run_deadline("close", plan.id)  # too early: the period has not ended
    assert notifier.closed == []
    clock.set(datetime(2027, 4, 1, 8, 0, tzinfo=UTC))  # 10:00 in Berlin, the day after Q1
    checkins.run_deadline("close", plan.id)
    checkins.run_deadline("close", plan.id)
    [(closed, retro_id)] = notifier.closed
    assert closed.status == "closed" and retro_id is not None
    scores = {kr.ref: kr.score for kr in closed.key_results()}
    assert scores == {"1.1": 0.48, "1.2": 0.0, "2.1": 0.0, "2.2": 0.0}
    # The scores are knowledge now, one sentence per key result, for the next SWOT.
    [(ws, title, text)] = notifier.knowledge
    assert (ws, title) == (WS, "2027-Q1 close · Platform")
    assert (
        "Platform uptime ended at 98% against a 99.95% target, from a baseline of 96.2%: it "
        "fell short and missed the target (score 0.48, 2027-Q1)." in text
    )
    assert "the partner portal was not done by the end of the period" in text
    assert "Gross logo churn had no check-in against a 4% target" in text
    [opened] = retro_notifier.opened
    assert (
        opened.title == "Quarter close: Platform (2027-Q1)"
        and opened.channel_id == closed.channel_id
    )
    with plan_sessions() as session:
        entries = session.execute(
            select(RetroEntryRow.text, RetroEntryRow.author, RetroEntryRow.section)
            .where(RetroEntryRow.retro_id == retro_id)
            .order_by(RetroEntryRow.id)
        ).all()
        assert session.get(Retro, retro_id) is not None
    assert entries[0] == (
        "KR 1.1 Platform uptime: scored 0.48 (98% against a 99.95% target, from 96.2%). "
        "Notes: Two incidents in Feb",
        ANA,
        None,
    )
    assert len(entries) == 4 and entries[3][2] == "not_so_well"
    with pytest.raises(CheckInRefused, match="is closed"):
        service.check_in(workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="99%")
    adjusted = service.adjust_score(
        workspace_id=WS, kr_id=uptime.id, actor=ANA, score=0.6, reason="The Feb outage was upstream"
    )
    assert (adjusted.score, adjusted.score_reason) == (0.6, "The Feb outage was upstream")
    with plan_sessions() as session:
        assert checkins.active_keys(session) == set() and checkins.deadlines(session) == []


def test_a_round_claimed_by_a_dead_leader_is_resumed_without_repeating_sent_dms(
    service: PlanService,
    checkins: PlanCheckins,
    notifier: RecordingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    plan = activate(service)
    clock.set(FIRST_ROUND)
    # The dead leader claimed the occurrence and opened the round, DMed Ana, and was claiming
    # Ben's DM when it died.
    with session_scope(plan_sessions) as session:
        assert claim_occurrence(
            session, kind=KIND, key=plan.id, occurrence_at=FIRST_ROUND, now=FIRST_ROUND
        )
        opened = OkrRound(
            plan_id=plan.id,
            workspace_id=WS,
            occurrence_at=FIRST_ROUND,
            opened_at=FIRST_ROUND,
            remind_at=FIRST_ROUND + timedelta(days=1),
            digest_at=FIRST_ROUND + timedelta(days=2),
        )
        session.add(opened)
        session.flush()
        round_id = opened.id
        for owner, sent in ((ANA, FIRST_ROUND), (BEN, None)):
            session.add(
                OkrRoundNotice(
                    round_id=round_id,
                    owner=owner,
                    kind="dm",
                    workspace_id=WS,
                    claimed_at=FIRST_ROUND,
                    sent_at=sent,
                )
            )
    clock.advance(timedelta(minutes=1))
    checkins.recover(older_than=timedelta(minutes=5))  # not stale yet: left alone
    assert notifier.dms == []
    clock.advance(timedelta(minutes=10))
    checkins.recover(older_than=timedelta(minutes=5))
    assert notifier.owners() == [BEN, LEAD]
    with plan_sessions() as session:
        assert unfinished(session, kind=KIND, claimed_before=clock.now()) == []


def test_a_close_cut_off_after_scoring_still_opens_its_retro(
    service: PlanService,
    checkins: PlanCheckins,
    notifier: RecordingNotifier,
    retro_notifier: LoggingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    plan = activate(service)
    clock.set(datetime(2027, 4, 1, 8, 0, tzinfo=UTC))
    with plan_sessions() as session:
        row = session.get(OkrPlan, plan.id)
        assert row is not None
        at = close_at(row)
    with session_scope(plan_sessions) as session:
        assert claim_occurrence(session, kind=CLOSE_KIND, key=plan.id, occurrence_at=at, now=at)
        row = session.get(OkrPlan, plan.id)
        assert row is not None
        checkins.closing.score(session, row, as_utc(clock.now()))
    clock.advance(timedelta(minutes=20))
    checkins.recover(older_than=timedelta(minutes=15))
    assert len(retro_notifier.opened) == 1 and len(notifier.closed) == 1


def test_a_failed_dm_is_retried_once_when_the_round_is_resumed(
    service: PlanService,
    checkins: PlanCheckins,
    notifier: RecordingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    plan = activate(service)
    clock.set(FIRST_ROUND)
    notifier.fail_once.add(BEN)
    checkins.fire(plan.id, FIRST_ROUND)
    assert notifier.owners() == [ANA, LEAD]
    with plan_sessions() as session:
        assert unfinished(session, kind=KIND, claimed_before=clock.now() + timedelta(seconds=1))
    clock.advance(timedelta(minutes=20))
    checkins.recover(older_than=timedelta(minutes=15))
    assert notifier.owners() == [ANA, BEN, LEAD]
    with plan_sessions() as session:
        assert unfinished(session, kind=KIND, claimed_before=clock.now()) == []
        unsent = session.scalars(
            select(OkrRoundNotice.owner).where(OkrRoundNotice.sent_at.is_(None))
        ).all()
    assert unsent == []


def test_check_in_notes_go_to_the_knowledge_base_cited_by_date_kr_and_owner(
    plan_sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier
) -> None:
    service = PlanService(sessions=plan_sessions, clock=clock, notifier=notifier)
    plan: PlanView = activate(service)
    uptime = service.kr_by_ref(workspace_id=WS, plan_id=plan.id, ref="1.1")
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    service.check_in(workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="97%")
    service.check_in(
        workspace_id=WS,
        kr_id=uptime.id,
        author=ANA,
        value_text="98%",
        confidence="at_risk",
        note="Blocked on hiring",
    )
    [(ws, title, text)] = notifier.knowledge
    assert ws == WS and title == f"Check-in 7 Dec 2026 · KR 1.1 · <@{ANA}>"
    assert "Platform uptime: 98% (At risk)." in text and text.endswith("Blocked on hiring")
    # A second note that day has the same title, so it replaces the first in the knowledge
    # base: it carries the first along.
    clock.advance(timedelta(hours=3))
    service.check_in(
        workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="98.5%", note="Hired an SRE"
    )
    (_, again, text) = notifier.knowledge[-1]
    assert again == title and "Earlier that day, at 98%: Blocked on hiring" in text
    assert text.endswith("Platform uptime: 98.5%.\nHired an SRE")
    clock.advance(timedelta(days=1))
    service.check_in(workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="99%", note="Calm")
    assert "Earlier" not in notifier.knowledge[-1][2]  # a new day, a new note
