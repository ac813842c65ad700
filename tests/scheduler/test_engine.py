"""The engine in-process: fires, closes at window end, survives a restart with one catch-up.

One test runs on the real clock; the others move a ManualClock that APScheduler's loop and the
retro service both read, so minutes of schedule pass without waiting for them."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import apscheduler.schedulers.base
import pytest
from apscheduler.job import Job
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, ManualClock, SystemClock, as_utc
from core.db import session_scope
from scheduler.early import EarlyTrigger, occurrence_of
from scheduler.engine import LOCAL, SYNC_EXECUTOR, RecurringScheduler, ScheduleEngine
from scheduler.models import OccurrenceClaim, Retro, RetroSeries
from scheduler.plans.recurring import PlanCheckins
from scheduler.plans.service import PlanService
from scheduler.retro_kind import RetroKind
from scheduler.retro_service import RetroService
from scheduler.settings import SchedulerSettings
from scheduler.when import next_fire_times, parse_when
from tests.plans.conftest import T0 as PLANS_T0
from tests.plans.recording import RecordingNotifier
from tests.plans.test_recurring import FIRST_ROUND
from tests.plans.test_service import activate
from tests.scheduler.helpers import add_fast_series, wait_for
from tests.scheduler.notifiers import FakeSynthesiser, LoggingNotifier

FAST = SchedulerSettings(sync_seconds=0.3, leader_retry_seconds=0.2, fire_threads=4, work_threads=2)


def retro_engine_for(
    service: RetroService, engine: Engine, config: SchedulerSettings
) -> ScheduleEngine:
    """The engine as the composition root builds it, with retros as its one kind."""
    return ScheduleEngine(
        kinds=[RetroKind(service, post_threads=config.post_threads)],
        db_engine=engine,
        sessions=service.sessions,
        config=config,
    )


def make_service(
    sessions: sessionmaker[Session], notifier: LoggingNotifier, clock: Clock | None = None
) -> RetroService:
    return RetroService.build(
        sessions=sessions,
        clock=clock or SystemClock(),
        synthesiser=FakeSynthesiser(),
        notifier=notifier,
    )


def manual_clock(monkeypatch: pytest.MonkeyPatch, start: datetime) -> ManualClock:
    """A clock for APScheduler's loop (its module's `datetime.now`) and for the retro service.

    It starts at or ahead of the wall clock and only moves forward, so APScheduler's
    executors (which compare run times with the wall clock) never see a fire as missed."""
    clock = ManualClock(start)

    class ClockDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            value = clock.now()
            return value.astimezone(tz) if tz is not None else value.replace(tzinfo=None)

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", ClockDatetime)
    return clock


@pytest.fixture
def manual(monkeypatch: pytest.MonkeyPatch) -> Iterator[ManualClock]:
    yield manual_clock(monkeypatch, datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2))


# On the manual clock the periodic sync never comes due: each test calls sync() itself, so a
# sync never runs in the same pass as the jobs it adds or removes.
MANUAL = SchedulerSettings(
    sync_seconds=3600, leader_retry_seconds=0.2, fire_threads=4, work_threads=2
)


class Pass:
    """Moves the manual clock and waits for the scheduler's pass at the new time (a marker job
    due at that time has run, so every job due by then was handed to its executor)."""

    def __init__(self, engine: ScheduleEngine, clock: ManualClock) -> None:
        self.clock = clock
        self.scheduler = leader(engine)

    def sync(self) -> None:
        self.scheduler.sync()

    def advance(self, seconds: float) -> datetime:
        now = self.clock.advance(timedelta(seconds=seconds))
        passed = threading.Event()
        self.scheduler.apscheduler.add_job(
            passed.set, DateTrigger(now), jobstore=LOCAL, executor=SYNC_EXECUTOR
        )
        assert passed.wait(10), "the scheduler made no pass at the new time"
        return now


def leader(engine: ScheduleEngine) -> RecurringScheduler:
    assert engine.wait_until_leader(10)
    scheduler = engine.scheduler
    assert scheduler is not None
    return scheduler


def retros(sessions: sessionmaker[Session], series_id: int) -> list[Retro]:
    with sessions() as s:
        return list(s.scalars(select(Retro).where(Retro.series_id == series_id).order_by(Retro.id)))


def test_fires_once_per_occurrence_and_closes_at_window_end(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    notifier = LoggingNotifier()
    service = make_service(sessions, notifier)
    series_id = add_fast_series(sessions, every_seconds=1, window_seconds=1)
    retro_engine = retro_engine_for(service, engine, FAST)
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
    engine: Engine, sessions: sessionmaker[Session], manual: ManualClock
) -> None:
    notifier = LoggingNotifier()
    service = make_service(sessions, notifier, manual)
    series_id = add_fast_series(sessions, every_seconds=2)
    if manual.now().second % 2:
        manual.advance(timedelta(seconds=1))  # on an occurrence: the restart below falls between
    first = retro_engine_for(service, engine, MANUAL)
    first.start()
    try:
        clock = Pass(first, manual)
        clock.advance(2)
        wait_for(lambda: retros(sessions, series_id), timeout=10, what="a first fire")
    finally:
        first.stop()
    stopped_at = manual.now()
    with engine.connect() as conn:
        stored = conn.scalars(text("SELECT id FROM retro_scheduler_jobs")).all()
    assert f"retro:series:{series_id}" in stored  # the schedule is in the job store, not in memory

    before = {r.id for r in retros(sessions, series_id)}
    # Nothing runs for 5 s: at least two occurrences (every 2 s) are missed. An odd number of
    # seconds, so the restart falls between two occurrences and the catch-up is late.
    restarted_at = manual.advance(timedelta(seconds=5))
    second = retro_engine_for(service, engine, MANUAL)
    second.start()
    try:
        clock = Pass(second, manual)
        wait_for(
            lambda: [
                r for r in retros(sessions, series_id) if r.id not in before and r.occurrence_at
            ],
            timeout=10,
            what="the catch-up fire",
        )
        clock.advance(2)
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
    engine: Engine, sessions: sessionmaker[Session], manual: ManualClock
) -> None:
    notifier = LoggingNotifier()
    service = make_service(sessions, notifier, manual)
    series_id = add_fast_series(sessions, every_seconds=1)
    retro_engine = retro_engine_for(service, engine, MANUAL)
    retro_engine.start()
    try:
        clock = Pass(retro_engine, manual)
        clock.advance(1)
        wait_for(lambda: retros(sessions, series_id), timeout=10, what="a first fire")
        service.schedules.pause_schedule("T0ALIGN", series_id)
        clock.sync()  # as the next periodic sync would: the job leaves the store
        assert clock.scheduler.apscheduler.get_job(f"retro:series:{series_id}") is None
        count = len(retros(sessions, series_id))
        for _ in range(3):
            clock.advance(1)
        assert len(retros(sessions, series_id)) == count
    finally:
        retro_engine.stop()


def test_nudges_before_closing_only_those_who_have_not_written(
    engine: Engine, sessions: sessionmaker[Session], manual: ManualClock
) -> None:
    notifier = LoggingNotifier(members={"C0TEAM": ["U0ANA", "U0BEN", "U0CAT"]})
    service = make_service(sessions, notifier, manual)
    soon = (manual.now() + timedelta(seconds=2)).second  # once a minute, 2 s from now
    series_id = add_fast_series(
        sessions, fields={"second": str(soon)}, window_seconds=4, nudge_seconds=2
    )
    retro_engine = retro_engine_for(service, engine, MANUAL)
    retro_engine.start()
    try:
        clock = Pass(retro_engine, manual)
        clock.advance(2)
        opened = wait_for(lambda: retros(sessions, series_id), timeout=10, what="a scheduled retro")
        clock.sync()  # adds the retro's nudge and close jobs
        service.entries.add_entry(
            opened[0].id,
            workspace_id="T0ALIGN",
            section="went_well",
            text="demo went well",
            author="U0ANA",
            anonymous=False,
            source="modal",
        )
        clock.advance(2)
        wait_for(lambda: notifier.nudged, timeout=10, what="the nudge")
        assert notifier.closed == []  # the window is still open
        clock.advance(2)
        wait_for(lambda: notifier.closed, timeout=10, what="the close at window end")
    finally:
        retro_engine.stop()
    assert notifier.nudged == [(opened[0].id, ["U0BEN", "U0CAT"])]
    assert notifier.closed[0].retro.id == opened[0].id and notifier.closed[0].entry_count == 1


def test_a_weekly_10_00_schedule_fires_at_10_00_local_on_both_sides_of_a_dst_change(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Berlin moves its clocks forward on Sunday 28 March 2027: 10:00 is 09:00 UTC on the
    # Monday before and 08:00 UTC on the Monday after.
    clock = manual_clock(monkeypatch, datetime(2027, 3, 22, 8, 59, 58, tzinfo=UTC))
    spec = parse_when("weekly on monday at 10:00", default_tz="Europe/Berlin", now=clock.now())
    with session_scope(sessions) as s:
        row = RetroSeries(
            workspace_id="T0ALIGN",
            channel_id="C0TEAM",
            title="Weekly",
            trigger_kind=spec.kind,
            trigger_expr=spec.expression,
            schedule_text=spec.description,
            timezone=spec.timezone,
            window_seconds=3600,
            status="active",
            created_by="U0LEAD",
        )
        s.add(row)
        s.flush()
        series_id = row.id
    notifier = LoggingNotifier()
    # Moving a week, the periodic sync must still not come due (see MANUAL).
    config = MANUAL.model_copy(update={"sync_seconds": timedelta(days=30).total_seconds()})
    retro_engine = retro_engine_for(make_service(sessions, notifier, clock), engine, config)
    retro_engine.start()
    try:
        steps = Pass(retro_engine, clock)
        steps.advance(2)  # Monday 22 March, 10:00 CET
        wait_for(lambda: retros(sessions, series_id), timeout=10, what="the first Monday")
        # To Monday 29 March 10:00 CEST: a week less the hour the clocks skipped.
        steps.advance(timedelta(days=7, hours=-1).total_seconds())
        wait_for(
            lambda: len(retros(sessions, series_id)) == 2, timeout=10, what="the second Monday"
        )
        steps.advance(3600)  # 11:00 CEST, where a schedule kept in UTC would fire
    finally:
        retro_engine.stop()
    fired = [as_utc(r.occurrence_at) for r in retros(sessions, series_id) if r.occurrence_at]
    assert fired == [
        datetime(2027, 3, 22, 9, 0, tzinfo=UTC),
        datetime(2027, 3, 29, 8, 0, tzinfo=UTC),
    ]
    berlin = ZoneInfo("Europe/Berlin")
    assert [f.astimezone(berlin).strftime("%a %H:%M") for f in fired] == ["Mon 10:00"] * 2
    assert len(notifier.opened) == 2


def test_one_engine_runs_retros_and_plan_check_ins_side_by_side(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = activate(PlanService(sessions=sessions, clock=ManualClock(PLANS_T0)))
    # Just before the plan's first check-in (Monday 10:00 in Berlin); a retro every second.
    clock = manual_clock(monkeypatch, FIRST_ROUND - timedelta(seconds=2))
    series_id = add_fast_series(sessions, every_seconds=1)
    retro_service = make_service(sessions, LoggingNotifier(), clock)
    dms = RecordingNotifier()
    checkins = PlanCheckins(
        sessions=sessions, clock=clock, notifier=dms, retro_opening=retro_service.opening
    )
    one = ScheduleEngine(
        kinds=[RetroKind(retro_service), checkins],
        db_engine=engine,
        sessions=sessions,
        config=MANUAL,
    )
    one.start()
    try:
        steps = Pass(one, clock)
        jobs = {job.id for job in steps.scheduler.apscheduler.get_jobs()}
        assert {f"retro:series:{series_id}", f"okr:series:{plan.id}"} <= jobs
        steps.advance(2)
        wait_for(lambda: dms.dms, timeout=10, what="the check-in DMs")
        opened = wait_for(
            lambda: [r for r in retros(sessions, series_id) if r.occurrence_at],
            timeout=10,
            what="the retro",
        )
        steps.sync()  # the new round's reminder and digest, the retro's close
        jobs = {job.id for job in steps.scheduler.apscheduler.get_jobs()}
    finally:
        one.stop()
    [round_id] = {round_id for _, _, round_id, _ in dms.dms}
    owners = sorted(owner for owner, _, _, _ in dms.dms)
    assert owners == sorted({kr.owner for kr in plan.key_results() if kr.owner})
    assert {f"okr:remind:{round_id}", f"okr:digest:{round_id}"} <= jobs
    assert f"retro:close:{opened[0].id}" in jobs
    with sessions() as s:
        kinds = {c.kind for c in s.scalars(select(OccurrenceClaim)) if c.finished_at}
    assert kinds == {"retro", "okr"}


def test_an_early_trigger_fires_its_lead_before_each_occurrence_across_a_dst_change() -> None:
    # Mondays at 10:00 in Berlin, across the end of summer time (25 Oct 2026).
    start = datetime(2026, 10, 15, tzinfo=UTC)
    spec = parse_when("weekly on monday at 10:00 in Europe/Berlin", default_tz="UTC", now=start)
    plain = spec.trigger(now=start)
    early = EarlyTrigger(spec.trigger(now=start), timedelta(seconds=30))
    occurrences = next_fire_times(plain, 3, after=start)
    runs = next_fire_times(early, 3, after=start)
    assert [o.astimezone(ZoneInfo("Europe/Berlin")).hour for o in occurrences] == [10, 10, 10]
    assert [o - r for o, r in zip(occurrences, runs, strict=True)] == [timedelta(seconds=30)] * 3
    job = Job.__new__(Job)
    job.trigger = pickle.loads(pickle.dumps(early))  # as the job store keeps it
    assert occurrence_of(job, runs[0]) == occurrences[0]
    # A series added nearer its occurrence than the lead still gets it (run at once).
    near = occurrences[0] - timedelta(seconds=10)
    assert early.get_next_fire_time(None, near) == runs[0]
