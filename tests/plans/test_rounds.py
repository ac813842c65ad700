"""Check-in rounds of many plans due together, batched while the kind leads (start/stop), as the
engine's fire threads call them."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import ManualClock, as_utc
from scheduler.models import OccurrenceClaim
from scheduler.occurrences import unfinished
from scheduler.plans.models import DEFAULT_REMIND_AFTER_SECONDS, OkrRound, OkrRoundNotice
from scheduler.plans.recurring import KIND, PlanCheckins
from scheduler.plans.service import PlanService
from scheduler.plans.views import PlanView
from tests.plans.conftest import ANA, BEN, LEAD
from tests.plans.recording import RecordingNotifier
from tests.plans.test_recurring import FIRST_ROUND
from tests.plans.test_service import activate

PLANS = 12


@pytest.fixture
def leading(checkins: PlanCheckins) -> Iterator[PlanCheckins]:
    checkins.start()
    yield checkins
    checkins.stop()


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def fire_all(checkins: PlanCheckins, plans: list[PlanView], repeats: int = 2) -> None:
    """Every plan fired `repeats` times at once from many threads (an engine's fire pool, and
    a second replica or a repeat)."""
    calls = [plan.id for plan in plans] * repeats
    with ThreadPoolExecutor(len(calls)) as pool:
        list(pool.map(lambda key: checkins.fire(key, FIRST_ROUND), calls))


def test_plans_due_together_dm_each_owner_once_and_finish_their_claims(
    service: PlanService,
    leading: PlanCheckins,
    notifier: RecordingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    plans = [activate(service, f"C0ROUNDS{n:02d}") for n in range(PLANS)]
    clock.set(FIRST_ROUND)
    fire_all(leading, plans)
    wait_for(lambda: len(notifier.dms) >= 3 * PLANS)
    wait_for(lambda: not leading._dispatcher.get().in_flight())  # type: ignore[union-attr]
    per_round = Counter((round_id, owner) for owner, _, round_id, _ in notifier.dms)
    assert len(per_round) == 3 * PLANS and set(per_round.values()) == {1}
    assert {(o, refs) for o, refs, _, _ in notifier.dms} == {
        (ANA, ("1.1",)),
        (BEN, ("2.1",)),
        (LEAD, ("1.2", "2.2")),
    }
    with plan_sessions() as session:
        rounds = dict(session.execute(select(OkrRound.plan_id, OkrRound.id)).all())
        assert sorted(rounds) == sorted(plan.id for plan in plans)
        claims = session.execute(
            select(
                OccurrenceClaim.series_key, OccurrenceClaim.result_id, OccurrenceClaim.workspace_id
            ).where(OccurrenceClaim.kind == KIND)
        ).all()
        assert sorted(claims) == sorted((p.id, rounds[p.id], p.workspace_id) for p in plans)
        assert unfinished(session, kind=KIND, claimed_before=clock.now() + timedelta(days=1)) == []
        unsent = session.scalar(
            select(func.count()).select_from(OkrRoundNotice).where(OkrRoundNotice.sent_at.is_(None))
        )
    assert unsent == 0


def test_a_failed_dm_keeps_its_round_unfinished_until_recovery_sends_it_once(
    service: PlanService,
    leading: PlanCheckins,
    notifier: RecordingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    plans = [activate(service, f"C0ROUNDS{n:02d}") for n in range(3)]
    clock.set(FIRST_ROUND)
    notifier.fail_once.add(BEN)
    fire_all(leading, plans, repeats=1)
    wait_for(lambda: len(notifier.dms) >= 3 * 3 - 1)
    wait_for(lambda: not leading._dispatcher.get().in_flight())  # type: ignore[union-attr]
    with plan_sessions() as session:
        [(failed_plan, _)] = unfinished(
            session, kind=KIND, claimed_before=clock.now() + timedelta(seconds=1)
        )
    leading.recover(older_than=timedelta(minutes=2))  # too recent: left alone
    assert len(notifier.dms) == 3 * 3 - 1
    clock.advance(timedelta(minutes=3))
    leading.recover(older_than=timedelta(minutes=2))
    leading.recover(older_than=timedelta(minutes=2))
    # Ben's failed DM went once more, in its own round; nothing else was repeated.
    per_round = Counter((round_id, owner) for owner, _, round_id, _ in notifier.dms)
    assert len(per_round) == 3 * 3 and set(per_round.values()) == {1}
    [retried] = [r for r, owner in list(per_round)[-1:] if owner == BEN]
    assert rounds_of(plan_sessions)[retried] == failed_plan
    with plan_sessions() as session:
        assert unfinished(session, kind=KIND, claimed_before=clock.now()) == []


def rounds_of(sessions: sessionmaker[Session]) -> dict[int, int]:
    with sessions() as session:
        return dict(session.execute(select(OkrRound.id, OkrRound.plan_id)).all())


def test_rounds_fired_ahead_open_at_once_and_dm_nobody_before_their_minute(
    service: PlanService,
    leading: PlanCheckins,
    notifier: RecordingNotifier,
    clock: ManualClock,
    plan_sessions: sessionmaker[Session],
) -> None:
    plans = [activate(service, f"C0AHEAD{n:02d}") for n in range(3)]
    clock.set(FIRST_ROUND - timedelta(seconds=30))  # the series' lead: fired 30 s early
    fire_all(leading, plans)
    with plan_sessions() as session:
        rounds = list(session.scalars(select(OkrRound)))
        claimed = session.scalar(select(func.count()).select_from(OkrRoundNotice))
    assert len(rounds) == 3 and claimed == 9  # rounds open and every DM claimed, ahead
    # Reminder and digest count from the minute the DMs go out, not from the opening.
    assert {as_utc(r.remind_at) for r in rounds} == {
        FIRST_ROUND + timedelta(seconds=DEFAULT_REMIND_AFTER_SECONDS)
    }
    time.sleep(0.3)
    assert notifier.dms == []  # nobody hears of it before its minute
    clock.set(FIRST_ROUND)
    wait_for(lambda: len(notifier.dms) == 9)
    wait_for(lambda: not leading._dispatcher.get().in_flight())  # type: ignore[union-attr]
    with plan_sessions() as session:
        assert unfinished(session, kind=KIND, claimed_before=clock.now() + timedelta(days=1)) == []
