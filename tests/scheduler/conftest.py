"""Retro fixtures: a RetroService on a real database with a manual clock and test doubles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.clock import ManualClock
from scheduler.retro_service import RetroService
from tests.scheduler.notifiers import FakeSynthesiser, LoggingNotifier

T0 = datetime(2026, 10, 20, 13, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def notifier() -> LoggingNotifier:
    return LoggingNotifier(members={"C0TEAM": ["U0LEAD", "U0ANA", "U0BEN", "U0CAT"]})


@pytest.fixture
def synthesiser() -> FakeSynthesiser:
    return FakeSynthesiser()


@pytest.fixture
def service(
    sessions: sessionmaker[Session],
    clock: ManualClock,
    notifier: LoggingNotifier,
    synthesiser: FakeSynthesiser,
) -> RetroService:
    return RetroService(sessions=sessions, clock=clock, synthesiser=synthesiser, notifier=notifier)
