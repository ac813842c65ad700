"""The engine in-process: fires, closes at window end, survives a restart with one catch-up."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.clock import SystemClock, as_utc
from scheduler.engine import RetroEngine
from scheduler.models import Retro
from scheduler.retro_service import RetroService
from scheduler.settings import SchedulerSettings
from tests.scheduler.helpers import add_fast_series, wait_for
from tests.scheduler.notifiers import FakeSynthesiser, LoggingNotifier

FAST = SchedulerSettings(sync_seconds=0.3, leader_retry_seconds=0.2, fire_threads=4, work_threads=2)


def make_service(sessions: sessionmaker[Session], notifier: LoggingNotifier) -> RetroService:
    return RetroService.build(
        sessions=sessions, clock=SystemClock(), synthesiser=FakeSynthesiser(), notifier=notifier
    )


def retros(sessions: sessionmaker[Session], series_id: int) -> list[Retro]:
    with sessions() as s:
        return list(s.scalars(select(Retro).where(Retro.series_id == series_id).order_by(Retro.id)))


def test_fires_once_per_occurrence_and_closes_at_window_end(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    notifier = LoggingNotifier()
    service = make_service(sessions, notifier)
    series_id = add_fast_series(sessions, every_seconds=1, window_seconds=1)
    retro_engine = RetroEngine(service=service, db_engine=engine, config=FAST)
    retro_engine.start()
    try:
        assert retro_engine.wait_until_leader(10)
        wait_for(
            lambda: len([r for r in retros(sessions, series_id) if r.status == "closed"]) >= 2,
            timeout=15,
            what="two retros opened and closed",
        )
    finally:
        retro_engine.stop()
    rows = retros(sessions, series_id)
    occurrences = [as_utc(r.occurrence_at) for r in rows if r.occurrence_at]
    assert len(occurrences) == len(set(occurrences)) == len(rows)
    assert all(o.microsecond == 0 for o in occurrences)  # the scheduled time, not the wall clock
    closed = [r for r in rows if r.status == "closed"]
    assert all(r.close_reason == "window_end" for r in closed)
    assert all(as_utc(r.closed_at) >= as_utc(r.closes_at) for r in closed if r.closed_at)
    assert {c.retro.id for c in notifier.closed} == {r.id for r in closed}


def test_schedules_survive_a_restart_with_one_catch_up_fire(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    notifier = LoggingNotifier()
    service = make_service(sessions, notifier)
    series_id = add_fast_series(sessions, every_seconds=2)
    first = RetroEngine(service=service, db_engine=engine, config=FAST)
    first.start()
    assert first.wait_until_leader(10)
    wait_for(lambda: retros(sessions, series_id), timeout=10, what="a first fire")
    first.stop()
    stopped_at = datetime.now(UTC)
    with engine.connect() as conn:
        stored = conn.scalars(text("SELECT id FROM retro_scheduler_jobs")).all()
    assert f"series:{series_id}" in stored  # the schedule is in the job store, not in memory

    before = {r.id for r in retros(sessions, series_id)}
    time.sleep(5)  # at least two occurrences (every 2 s) are missed while nothing runs
    restarted_at = datetime.now(UTC)
    second = RetroEngine(service=service, db_engine=engine, config=FAST)
    second.start()
    try:
        assert second.wait_until_leader(10)
        wait_for(
            lambda: [
                r
                for r in retros(sessions, series_id)
                if r.occurrence_at and as_utc(r.occurrence_at) > restarted_at
            ],
            timeout=10,
            what="a regular fire after the restart",
        )
    finally:
        second.stop()
    after = [r for r in retros(sessions, series_id) if r.id not in before]
    missed = [
        r for r in after if r.occurrence_at and stopped_at < as_utc(r.occurrence_at) <= restarted_at
    ]
    assert len(missed) == 1, [r.occurrence_at for r in after]
    catch_up = missed[0]
    assert catch_up.late_by_seconds is not None and catch_up.late_by_seconds >= 1
    assert catch_up.id in {o.id for o in notifier.opened}


def test_pausing_a_schedule_stops_its_fires(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    notifier = LoggingNotifier()
    service = make_service(sessions, notifier)
    series_id = add_fast_series(sessions, every_seconds=1)
    retro_engine = RetroEngine(service=service, db_engine=engine, config=FAST)
    retro_engine.start()
    try:
        assert retro_engine.wait_until_leader(10)
        wait_for(lambda: retros(sessions, series_id), timeout=10, what="a first fire")
        service.schedules.pause_schedule("T0ALIGN", series_id)
        time.sleep(1.0)  # one sync pass removes the job
        count = len(retros(sessions, series_id))
        time.sleep(2.5)
        assert len(retros(sessions, series_id)) == count
    finally:
        retro_engine.stop()


def test_nudges_before_closing_only_those_who_have_not_written(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    notifier = LoggingNotifier(members={"C0TEAM": ["U0ANA", "U0BEN", "U0CAT"]})
    service = make_service(sessions, notifier)
    soon = (datetime.now(UTC) + timedelta(seconds=2)).second  # once a minute, 2 s from now
    series_id = add_fast_series(
        sessions, fields={"second": str(soon)}, window_seconds=4, nudge_seconds=2
    )
    retro_engine = RetroEngine(service=service, db_engine=engine, config=FAST)
    retro_engine.start()
    try:
        assert retro_engine.wait_until_leader(10)
        opened = wait_for(lambda: retros(sessions, series_id), timeout=15, what="a scheduled retro")
        service.entries.add_entry(
            opened[0].id,
            workspace_id="T0ALIGN",
            section="went_well",
            text="demo went well",
            author="U0ANA",
            anonymous=False,
            source="modal",
        )
        wait_for(lambda: notifier.closed, timeout=15, what="the close at window end")
    finally:
        retro_engine.stop()
    assert notifier.nudged == [(opened[0].id, ["U0BEN", "U0CAT"])]
    assert notifier.closed[0].retro.id == opened[0].id and notifier.closed[0].entry_count == 1
