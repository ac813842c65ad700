"""Two replicas on one Postgres: a round's occurrence, its DMs and its reminder go out once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from core.clock import ManualClock
from core.db import make_engine, make_session_factory
from scheduler.plans.recurring import PlanCheckins
from scheduler.plans.service import PlanService
from scheduler.retro_opening import RetroOpening
from tests.plans.conftest import BEN, LEAD
from tests.plans.recording import RecordingNotifier
from tests.plans.test_recurring import FIRST_ROUND
from tests.plans.test_service import activate
from tests.scheduler.notifiers import LoggingNotifier

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines (two replicas' connection pools) on the same database."""
    first, second = make_engine(postgres_url), make_engine(postgres_url)
    migrate.upgrade(first)
    yield first, second
    first.dispose()
    second.dispose()


def replica(
    sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier
) -> PlanCheckins:
    opening = RetroOpening(sessions=sessions, clock=clock, notifier=LoggingNotifier())
    return PlanCheckins(sessions=sessions, clock=clock, notifier=notifier, retro_opening=opening)


def race(*calls: Callable[[], None]) -> None:
    start = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], None]) -> None:
        start.wait()
        try:
            call()
        except BaseException as exc:  # a failure in a thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def test_two_replicas_send_each_dm_and_reminder_once(pg: tuple[Engine, Engine]) -> None:
    clock = ManualClock(FIRST_ROUND - timedelta(days=40))
    sessions = [make_session_factory(e) for e in pg]
    plan = activate(PlanService(sessions=sessions[0], clock=clock))
    notifier = RecordingNotifier()
    a, b = (replica(s, clock, notifier) for s in sessions)
    clock.set(FIRST_ROUND)
    for _ in range(3):
        race(lambda: a.fire(plan.id, FIRST_ROUND), lambda: b.fire(plan.id, FIRST_ROUND))
    assert sorted(owner for owner, *_ in notifier.dms) == sorted([LEAD, BEN, "U0ANA0001"])
    [round_id] = {r for _, _, r, _ in notifier.dms}
    clock.advance(timedelta(days=1))
    race(
        lambda: a.run_deadline("remind", round_id),
        lambda: b.run_deadline("remind", round_id),
        lambda: b.recover(older_than=timedelta(0)),
    )
    assert notifier.owners(reminder=True) == sorted([LEAD, BEN, "U0ANA0001"])
