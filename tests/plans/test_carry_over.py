"""The next period's plan carries over the closed one's open action items (from its
quarter-close retro) and, where a metric continues, its last value as the baseline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.okr_json import plan_json
from core.clock import ManualClock
from handlers.plan_announcements import build_plan_adopted
from handlers.plan_views import build_digest, build_status
from scheduler.plans.changes import KrChanges
from scheduler.plans.models import OkrEdit, OkrRound
from scheduler.plans.outline import KeyResultOutline, ObjectiveOutline, PlanOutline
from scheduler.plans.recurring import PlanCheckins
from scheduler.plans.service import PlanService
from scheduler.plans.views import CarriedBaseline, PlanView
from scheduler.retro_service import RetroService
from tests.fakes.block_kit import MAX_MESSAGE_BLOCKS, check_blocks
from tests.plans.conftest import ANA, BEN, CHANNEL, LEAD, WS
from tests.plans.recording import RecordingNotifier
from tests.plans.test_recurring import FIRST_ROUND
from tests.plans.test_service import activate
from tests.scheduler.notifiers import FakeSynthesiser, LoggingNotifier
from tests.slack.test_slash_drafts import block_texts

AFTER_Q1 = datetime(2027, 4, 1, 8, 0, tzinfo=UTC)
CARRIED = "carried over: the last value of KR 1.1 in 2027-Q1"


@pytest.fixture
def retros(plan_sessions: sessionmaker[Session], clock: ManualClock) -> RetroService:
    return RetroService.build(
        sessions=plan_sessions,
        clock=clock,
        synthesiser=FakeSynthesiser(),
        notifier=LoggingNotifier(),
    )


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def checkins(
    plan_sessions: sessionmaker[Session],
    clock: ManualClock,
    notifier: RecordingNotifier,
    retros: RetroService,
) -> PlanCheckins:
    return PlanCheckins(
        sessions=plan_sessions, clock=clock, notifier=notifier, retro_opening=retros.opening
    )


def next_quarter_outline() -> PlanOutline:
    return PlanOutline(
        title="Platform",
        objectives=(
            ObjectiveOutline(
                title="Be reliable",
                key_results=(
                    # Platform uptime continues, with no baseline in the sentence.
                    KeyResultOutline("Raise platform uptime to 99.95% by Q2 2027"),
                    # Onboarding continues too, but Q1 never checked in on it: nothing to take.
                    KeyResultOutline("Cut median onboarding time to 6 weeks by Q2 2027"),
                    KeyResultOutline("Raise NPS to 45 by Q2 2027"),
                ),
            ),
        ),
    )


def adopt_next(service: PlanService, channel: str = CHANNEL) -> PlanView:
    """Q2's plan, adopted in the days the Q1 retro runs."""
    return service.adopt(
        workspace_id=WS,
        channel_id=channel,
        adopted_by=LEAD,
        outline=next_quarter_outline(),
        period="2027-Q2",
        timezone="Europe/Berlin",
    )


def close_first_quarter(
    service: PlanService, checkins: PlanCheckins, retros: RetroService, clock: ManualClock
) -> PlanView:
    """Q1 checked in (uptime 98%), closed with its retro, and that retro closed with two
    action items, one of them done since."""
    q1 = activate(service)
    uptime = service.kr_by_ref(workspace_id=WS, plan_id=q1.id, ref="1.1")
    clock.set(FIRST_ROUND)
    service.check_in(workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="97%")
    service.check_in(workspace_id=WS, kr_id=uptime.id, author=ANA, value_text="98%")
    clock.set(AFTER_Q1)
    checkins.run_deadline("close", q1.id)
    [(closed, retro_id)] = checkins.notifier.closed  # type: ignore[attr-defined]
    assert retro_id is not None
    for text in ("We should automate failover drills <@U0ANA0001>", "Todo: write the runbook"):
        retros.entries.add_entry(
            retro_id,
            workspace_id=WS,
            section="action_items",
            text=text,
            author=BEN,
            anonymous=False,
            source="modal",
        )
    clock.advance(timedelta(days=3))
    result = retros.closing.close_retro(retro_id, reason="window")
    assert len(result.action_items) == 2
    done = next(i for i in result.action_items if "runbook" in i.text)
    retros.actions.set_action_status(done.id, "done", workspace_id=WS)
    return closed


def test_the_next_plan_carries_over_open_action_items_and_continuing_baselines(
    service: PlanService,
    checkins: PlanCheckins,
    retros: RetroService,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    q1 = close_first_quarter(service, checkins, retros, clock)
    q2 = adopt_next(service)
    assert q2.period == "2027-Q2"
    krs = {kr.ref: kr for kr in q2.key_results()}
    assert (krs["1.1"].baseline, krs["1.2"].baseline, krs["1.3"].baseline) == (98.0, None, None)
    before = q2.predecessor
    assert before is not None and (before.id, before.period) == (q1.id, "2027-Q1")
    assert [(i.text, i.owner) for i in before.action_items] == [
        ("We should automate failover drills <@U0ANA0001>", ANA)
    ]
    assert before.baselines == (CarriedBaseline(krs["1.1"].id, "98%", CARRIED),)
    with plan_sessions() as session:
        audit = session.execute(
            select(OkrEdit.actor, OkrEdit.old_value, OkrEdit.new_value, OkrEdit.reason).where(
                OkrEdit.kr_id == krs["1.1"].id
            )
        ).all()
    assert audit == [("alignbot", None, "98%", CARRIED)]

    # So does `alignbot okr status --json`, in its stable shape.
    carried = json.loads(json.dumps(plan_json(q2)))["carried_over"]
    assert (carried["plan_id"], carried["period"]) == (q1.id, "2027-Q1")
    assert carried["action_items"][0]["owner"] == ANA
    assert carried["baselines"] == [
        {"kr_id": krs["1.1"].id, "value_text": "98%", "reason": CARRIED}
    ]

    # The adopt announcement and /okr status say so.
    for blocks in (build_plan_adopted(q2, adopted_by=LEAD), build_status(q2, user=LEAD)):
        check_blocks(blocks, limit=MAX_MESSAGE_BLOCKS)
        text = block_texts(blocks)
        assert "*Carried over from 2027-Q1*" in text
        assert "automate failover drills" in text and "runbook" not in text
        assert "*KR 1.1* Platform uptime starts from *98%*" in text

    # Someone sets the baseline themselves: it is theirs now, no longer carried over.
    service.edit_kr(workspace_id=WS, kr_id=krs["1.1"].id, actor=LEAD, changes=KrChanges("97.5%"))
    q2 = service.status(workspace_id=WS, plan_id=q2.id)
    assert q2.predecessor is not None and q2.predecessor.baselines == ()


def test_the_first_digest_shows_what_carried_over_and_later_ones_do_not(
    service: PlanService,
    checkins: PlanCheckins,
    retros: RetroService,
    notifier: RecordingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    close_first_quarter(service, checkins, retros, clock)
    q2 = adopt_next(service)
    q2 = service.setup(workspace_id=WS, plan_id=q2.id, actor=LEAD, changes={})
    assert q2.status == "active"
    for week in range(2):
        at = datetime(2027, 4, 5, 8, 0, tzinfo=UTC) + timedelta(weeks=week)
        clock.set(at)
        checkins.fire(q2.id, at)
        clock.advance(timedelta(days=2))
        with plan_sessions() as session:
            round_id = session.scalar(select(func.max(OkrRound.id)))
        assert round_id is not None
        checkins.run_deadline("digest", round_id)
    first, second = notifier.digests
    assert first.predecessor is not None and "Carried over from 2027-Q1" in block_texts(
        build_digest(first)
    )
    assert second.predecessor is None and "Carried over" not in block_texts(build_digest(second))


def test_a_plan_in_another_channel_or_without_a_closed_one_before_carries_nothing(
    service: PlanService, checkins: PlanCheckins, retros: RetroService, clock: ManualClock
) -> None:
    close_first_quarter(service, checkins, retros, clock)
    elsewhere = adopt_next(service, channel="C0ELSEWHERE")
    assert elsewhere.predecessor is None
    assert [kr.baseline for kr in elsewhere.key_results()] == [None, None, None]
    assert "Carried over" not in block_texts(build_plan_adopted(elsewhere, adopted_by=LEAD))
