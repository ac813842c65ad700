"""Plan fixtures: a PlanService on a real SQLite database (migrated) with a manual clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from core.clock import ManualClock
from core.db import make_engine, make_session_factory
from drafting.draft import Draft
from handlers.plan_outline import outline_from_draft
from scheduler.plans.outline import KeyResultOutline, ObjectiveOutline, PlanOutline
from scheduler.plans.recurring import PlanCheckins
from scheduler.plans.service import PlanService
from scheduler.retro_opening import RetroOpening
from tests.plans.recording import RecordingNotifier
from tests.scheduler.notifiers import LoggingNotifier

WS, OTHER_WS = "T0PLANS01", "T0OTHER01"
CHANNEL = "C0PLANS01"
LEAD, ANA, BEN = "U0LEAD001", "U0ANA0001", "U0BEN0001"
# 1 Dec 2026, 09:00 UTC: a plan adopted today is for 2027-Q1 by default.
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SAMPLE_OKR = Path(__file__).parents[2] / "bench" / "fixtures" / "sample_okr.json"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def plan_sessions(db: Engine) -> sessionmaker[Session]:
    return make_session_factory(db)


@pytest.fixture
def service(plan_sessions: sessionmaker[Session], clock: ManualClock) -> PlanService:
    return PlanService(sessions=plan_sessions, clock=clock)


def sample_draft() -> Draft:
    return Draft.model_validate(json.loads(SAMPLE_OKR.read_text()))


def small_outline() -> PlanOutline:
    """Two objectives: uptime (the issue's 96.2% → 99.95% example), churn, and a deliverable."""
    return PlanOutline(
        title="Platform",
        objectives=(
            ObjectiveOutline(
                title="Be reliable",
                key_results=(
                    KeyResultOutline(
                        "Raise platform uptime from 96.2% to 99.95% by Q1 2027", ("c1",)
                    ),
                    KeyResultOutline(
                        "Cut median onboarding time from 11 weeks to 6 weeks by Q3 2027"
                    ),
                ),
            ),
            ObjectiveOutline(
                title="Keep every customer",
                key_results=(
                    KeyResultOutline(
                        "Baseline: Gross logo churn was 6.8% last year; target to be set."
                    ),
                    KeyResultOutline("Launch the partner portal by 2027-02-15"),
                ),
            ),
        ),
        draft_ref="abc123",
    )


def sample_outline() -> PlanOutline:
    return outline_from_draft(sample_draft(), "f00dfeed")


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def retro_notifier() -> LoggingNotifier:
    return LoggingNotifier()


@pytest.fixture
def checkins(
    plan_sessions: sessionmaker[Session],
    clock: ManualClock,
    notifier: RecordingNotifier,
    retro_notifier: LoggingNotifier,
) -> PlanCheckins:
    opening = RetroOpening(sessions=plan_sessions, clock=clock, notifier=retro_notifier)
    return PlanCheckins(
        sessions=plan_sessions, clock=clock, notifier=notifier, retro_opening=opening
    )
