"""The scheduling engine: APScheduler on our database, run only by the leader replica.

Jobs carry ids only and call module-level functions that find the service through a
process-global runtime, because the job store pickles jobs and a service cannot be pickled.
The source of truth is our own tables; a periodic sync makes the job store match them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Engine, select

from core.db import session_scope
from scheduler import store
from scheduler.dispatch import FireDispatcher
from scheduler.jobstore import RetroJobStore
from scheduler.leader import LeaderLock, make_leader_lock
from scheduler.models import RetroSeries
from scheduler.retro_service import RetroService

log = logging.getLogger(__name__)
# A close still unfinished after this was cut off by a crash: longer than a synthesis can take,
# LLM timeouts, retries and the repair re-ask included. Should both finish, only one stores.
STUCK_CLOSE_AFTER = timedelta(minutes=15)

JOB_TABLE = "retro_scheduler_jobs"
STORE = "retros"
LOCAL = "local"
FIRE_EXECUTOR = "fire"
WORK_EXECUTOR = "work"
SYNC_EXECUTOR = "sync"


@dataclass(frozen=True)
class EngineConfig:
    # Fire jobs only queue their occurrence and wait for the batched claim: cheap threads.
    fire_threads: int = 256
    # Threads posting prompts (the notifier's network calls).
    post_threads: int = 16
    # Closing runs the synthesis (an LLM call); kept apart so it never delays a fire.
    work_threads: int = 4
    # After downtime, an occurrence up to this late still opens (once, coalesced).
    misfire_grace: timedelta = timedelta(hours=12)
    sync_seconds: float = 5.0
    leader_retry_seconds: float = 3.0


# the runtime the job functions use -------------------------------------------------------------


@dataclass
class _Runtime:
    service: RetroService
    dispatcher: FireDispatcher | None = None


_runtime_lock = threading.Lock()
_runtime: _Runtime | None = None


def install_runtime(service: RetroService, dispatcher: FireDispatcher | None = None) -> None:
    """Make `service` what this process's jobs run against (one engine per process)."""
    global _runtime
    with _runtime_lock:
        _runtime = _Runtime(service, dispatcher)


def clear_runtime(service: RetroService | None = None) -> None:
    global _runtime
    with _runtime_lock:
        if service is None or (_runtime is not None and _runtime.service is service):
            _runtime = None


def _current() -> _Runtime:
    with _runtime_lock:
        runtime = _runtime
    if runtime is None:
        raise RuntimeError("no retro runtime installed in this process")
    return runtime


def _service() -> RetroService:
    return _current().service


def fire_schedule_job(schedule_id: int, scheduled_at: datetime | None = None) -> None:
    """One occurrence of a schedule; `scheduled_at` is filled in by OccurrenceExecutor."""
    runtime = _current()
    occurrence = scheduled_at or runtime.service.clock.now()
    if runtime.dispatcher is not None:
        runtime.dispatcher.fire(schedule_id, occurrence)
    else:
        runtime.service.fire_schedule(schedule_id, occurrence)


def close_retro_job(retro_id: int) -> None:
    service = _service()
    retro = service.get_retro(retro_id)
    if retro.status != "open":
        return
    if retro.closes_at > service.clock.now():
        # A sync re-adds this job at the right time if the deadline moved.
        return
    service.close_retro(retro_id, reason="window_end")


def nudge_retro_job(retro_id: int) -> None:
    _service().send_nudge(retro_id)


class OccurrenceExecutor(ThreadPoolExecutor):
    """Hands each fire its scheduled time, which APScheduler 3 does not pass to jobs.

    The (schedule, occurrence) claim needs the occurrence as scheduled, not the wall clock,
    so that a duplicate fire on another replica computes the same key.
    """

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        if job.func is fire_schedule_job and run_times:
            clone = Job.__new__(Job)
            clone.__setstate__(job.__getstate__())
            clone._scheduler = job._scheduler
            clone._jobstore_alias = job._jobstore_alias
            clone.kwargs = {**job.kwargs, "scheduled_at": run_times[-1]}
            job = clone
        super()._do_submit_job(job, run_times)


# the scheduler (leader only) ----------------------------------------------------------------


class RetroScheduler:
    """One APScheduler BackgroundScheduler over our job table; started by the leader."""

    def __init__(self, *, db_engine: Engine, service: RetroService, config: EngineConfig) -> None:
        self._db = db_engine
        self._service = service
        self._config = config
        self._dispatcher = FireDispatcher(service, post_threads=config.post_threads)
        self._executors = {
            FIRE_EXECUTOR: OccurrenceExecutor(config.fire_threads),
            WORK_EXECUTOR: ThreadPoolExecutor(config.work_threads),
            SYNC_EXECUTOR: ThreadPoolExecutor(1),
        }
        self._scheduler = BackgroundScheduler(
            jobstores={
                STORE: RetroJobStore(engine=db_engine, tablename=JOB_TABLE),
                LOCAL: MemoryJobStore(),
            },
            executors=dict(self._executors),
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )

    @property
    def apscheduler(self) -> BackgroundScheduler:
        return self._scheduler

    def start(self) -> None:
        self._dispatcher.start()
        install_runtime(self._service, self._dispatcher)
        # Paused while the first sync adds jobs, so 10,000 adds do not each trigger a pass.
        self._scheduler.start(paused=True)
        try:
            self.sync()
        finally:
            self._scheduler.add_job(
                self.sync,
                "interval",
                seconds=self._config.sync_seconds,
                id="sync",
                jobstore=LOCAL,
                executor=SYNC_EXECUTOR,
                replace_existing=True,
                # A sync delayed by a busy pass is still worth running.
                misfire_grace_time=None,
            )
            self._scheduler.resume()

    def shutdown(self, *, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.pause()
            if wait:
                # APScheduler's shutdown(wait=True) waits for running jobs while holding its
                # job-store lock, and a running sync that adds a job waits for that lock: a
                # deadlock. Drain the pools first, with the lock free.
                for executor in self._executors.values():
                    executor.shutdown(wait=True)
            self._scheduler.shutdown(wait=False)
        # After the jobs: running fire jobs wait on the dispatcher's writer.
        self._dispatcher.stop()
        clear_runtime(self._service)

    def sync(self) -> None:
        """Make the job store match our tables: series jobs, close and nudge jobs."""
        now = datetime.now(UTC)
        self._service.resume_interrupted_closes(older_than=STUCK_CLOSE_AFTER)
        table = self._jobstore.jobs_t
        with self._db.connect() as conn:
            job_ids: set[str] = set(conn.scalars(select(table.c.id)))
        with session_scope(self._service.sessions) as session:
            # Ids first: with thousands of schedules a pass normally has nothing to add.
            active = set(
                session.scalars(select(RetroSeries.id).where(RetroSeries.status == "active"))
            )
            missing = [sid for sid in active if f"series:{sid}" not in job_ids]
            rows = (
                session.scalars(select(RetroSeries).where(RetroSeries.id.in_(missing))).all()
                if missing
                else []
            )
            closes, nudges = store.open_retro_deadlines(session=session)
            specs = {row.id: store.spec_of(row) for row in rows}
            titles = {row.id: row.title for row in rows}

        wanted_series = {f"series:{sid}" for sid in active}
        wanted_closes = {f"close:{rid}": at for rid, at in closes}
        wanted_nudges = {f"nudge:{rid}": at for rid, at in nudges}
        for job_id in job_ids:
            kind = job_id.split(":", 1)[0]
            stale = (
                (kind == "series" and job_id not in wanted_series)
                or (kind == "close" and job_id not in wanted_closes)
                or (kind == "nudge" and job_id not in wanted_nudges)
            )
            if stale:
                self._remove(job_id)
        added = 0
        with self._jobstore.batch_adds():
            for sid, spec in specs.items():
                job_id = f"series:{sid}"
                if job_id in job_ids:
                    continue
                self._add(
                    fire_schedule_job,
                    spec.trigger(now=now),
                    job_id=job_id,
                    args=(sid,),
                    name=f"retro schedule {sid}: {titles[sid]}",
                    executor=FIRE_EXECUTOR,
                    misfire_grace=int(self._config.misfire_grace.total_seconds()),
                )
                added += 1
            for job_id, at in wanted_closes.items():
                if job_id not in job_ids:
                    rid = int(job_id.split(":")[1])
                    self._add(close_retro_job, DateTrigger(at), job_id=job_id, args=(rid,))
                    added += 1
            for job_id, at in wanted_nudges.items():
                if job_id not in job_ids:
                    rid = int(job_id.split(":")[1])
                    self._add(nudge_retro_job, DateTrigger(at), job_id=job_id, args=(rid,))
                    added += 1
        if added:
            # The batch was written after add_job returned; the loop must look again.
            self._scheduler.wakeup()

    @property
    def _jobstore(self) -> RetroJobStore:
        jobstore = self._scheduler._lookup_jobstore(STORE)
        assert isinstance(jobstore, RetroJobStore)
        return jobstore

    def _add(
        self,
        func: Any,
        trigger: Any,
        *,
        job_id: str,
        args: tuple[Any, ...],
        name: str | None = None,
        executor: str = WORK_EXECUTOR,
        misfire_grace: int | None = None,
    ) -> None:
        # A ConflictingIdError means another leader (in a handover overlap) added it first.
        with contextlib.suppress(ConflictingIdError):
            self._scheduler.add_job(
                func,
                trigger,
                args=args,
                id=job_id,
                name=name or job_id,
                jobstore=STORE,
                executor=executor,
                # None = run however late: a close or nudge is never pointless while open.
                misfire_grace_time=misfire_grace,
                replace_existing=False,
            )

    def _remove(self, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(job_id, jobstore=STORE)


# leadership ---------------------------------------------------------------------------------


class RetroEngine:
    """Runs the scheduler while this process holds the leader lock; retries otherwise.

    `start()` returns at once; leadership is taken (and retaken after a leader dies) by a
    background thread every `leader_retry_seconds`.
    """

    def __init__(
        self,
        *,
        service: RetroService,
        db_engine: Engine,
        config: EngineConfig | None = None,
        lock: LeaderLock | None = None,
    ) -> None:
        self._service = service
        self._db = db_engine
        self._config = config or EngineConfig()
        self._lock = lock or make_leader_lock(db_engine)
        self._scheduler: RetroScheduler | None = None
        self._stop = threading.Event()
        self._became_leader = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        return self._scheduler is not None

    @property
    def scheduler(self) -> RetroScheduler | None:
        return self._scheduler

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="retro-leader", daemon=True)
        self._thread.start()

    def wait_until_leader(self, timeout: float) -> bool:
        return self._became_leader.wait(timeout)

    def stop(self, *, wait: bool = True) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self._step_down(wait=wait)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:
                log.exception("scheduler leadership check failed")
            self._stop.wait(self._config.leader_retry_seconds)

    def _tick(self) -> None:
        if self._scheduler is None:
            if not self._lock.try_acquire():
                return
            log.info("this process is now the retro scheduler leader")
            scheduler = RetroScheduler(
                db_engine=self._db, service=self._service, config=self._config
            )
            try:
                scheduler.start()
            except Exception:
                scheduler.shutdown(wait=False)
                self._lock.release()
                raise
            self._scheduler = scheduler
            self._became_leader.set()
        elif not self._lock.is_held():
            log.warning("lost the scheduler leader lock; stopping the scheduler here")
            self._step_down(wait=False)

    def _step_down(self, *, wait: bool) -> None:
        scheduler, self._scheduler = self._scheduler, None
        self._became_leader.clear()
        if scheduler is not None:
            scheduler.shutdown(wait=wait)
        self._lock.release()
