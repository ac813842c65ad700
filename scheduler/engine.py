"""The one scheduling engine: APScheduler on our database, run only by the leader replica.

It runs a list of `RecurringKind`s (retros, OKR check-ins): a job per active series
(`{kind}:series:{key}`) and per pending deadline (`{kind}:{action}:{key}`). Jobs carry the
kind's name and ids only and call module-level functions that find the kind through a
process-global runtime, because the job store pickles jobs and a kind cannot be pickled.
The source of truth is each kind's own tables; a periodic sync makes the job store match them
and lets each kind resume occurrences a dead leader claimed and never finished.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from scheduler.early import EarlyTrigger, occurrence_of
from scheduler.jobstore import RetroJobStore
from scheduler.leader import LeaderLock, make_leader_lock
from scheduler.recurring import LeaderLifecycle, RecurringKind
from scheduler.settings import SchedulerSettings

log = logging.getLogger(__name__)

# The table keeps its first name: it is in every deployed schema (migration 0005).
JOB_TABLE = "retro_scheduler_jobs"
STORE = "jobs"
LOCAL = "local"
FIRE_EXECUTOR = "fire"
WORK_EXECUTOR = "work"
SYNC_EXECUTOR = "sync"


def series_job_id(kind: str, key: int) -> str:
    return f"{kind}:series:{key}"


def deadline_job_id(kind: str, action: str, key: int) -> str:
    return f"{kind}:{action}:{key}"


# the runtime the job functions use -------------------------------------------------------------

_runtime_lock = threading.Lock()
_runtime: dict[str, RecurringKind] | None = None


def install_runtime(kinds: Sequence[RecurringKind]) -> None:
    """Make `kinds` what this process's jobs run against (one leading engine per process)."""
    global _runtime
    with _runtime_lock:
        _runtime = {kind.name: kind for kind in kinds}


def clear_runtime(kinds: Sequence[RecurringKind] | None = None) -> None:
    global _runtime
    with _runtime_lock:
        if kinds is None or (_runtime is not None and list(_runtime.values()) == list(kinds)):
            _runtime = None


def _kind(name: str) -> RecurringKind:
    with _runtime_lock:
        runtime = _runtime
    if runtime is None:
        raise RuntimeError("no scheduling engine runs in this process")
    try:
        return runtime[name]
    except KeyError:
        raise RuntimeError(f"no recurring kind {name!r} in this process's engine") from None


def fire_job(kind: str, key: int, scheduled_at: datetime | None = None) -> None:
    """One occurrence of a series; `scheduled_at` is filled in by OccurrenceExecutor."""
    _kind(kind).fire(key, scheduled_at or datetime.now(UTC))


def deadline_job(kind: str, action: str, key: int) -> None:
    _kind(kind).run_deadline(action, key)


class OccurrenceExecutor(ThreadPoolExecutor):
    """Hands each fire its scheduled time, which APScheduler 3 does not pass to jobs.

    The occurrence claim needs the occurrence as scheduled, not the wall clock, so that a
    duplicate fire on another replica computes the same key.
    """

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        if job.func is fire_job and run_times:
            clone = Job.__new__(Job)
            clone.__setstate__(job.__getstate__())
            clone._scheduler = job._scheduler
            clone._jobstore_alias = job._jobstore_alias
            clone.kwargs = {**job.kwargs, "scheduled_at": occurrence_of(job, run_times[-1])}
            job = clone
        super()._do_submit_job(job, run_times)


# the scheduler (leader only) ----------------------------------------------------------------


class RecurringScheduler:
    """One APScheduler BackgroundScheduler over our job table; started by the leader."""

    def __init__(
        self,
        *,
        db_engine: Engine,
        sessions: sessionmaker[Session],
        kinds: Sequence[RecurringKind],
        config: SchedulerSettings,
    ) -> None:
        self._sessions = sessions
        self._kinds = list(kinds)
        self._config = config
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
        for kind in self._kinds:
            if isinstance(kind, LeaderLifecycle):
                kind.start()
        install_runtime(self._kinds)
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
        # After the jobs: a running fire may wait on a kind's own threads.
        for kind in self._kinds:
            if isinstance(kind, LeaderLifecycle):
                try:
                    kind.stop()
                except Exception:
                    log.exception("stopping the %s kind failed", kind.name)
        clear_runtime(self._kinds)

    def sync(self) -> None:
        """Resume interrupted occurrences, then make the job store match every kind's tables."""
        for kind in self._kinds:
            try:
                kind.recover(older_than=self._config.recover_after)
            except Exception:
                log.exception("resuming interrupted %s occurrences failed", kind.name)
        now = datetime.now(UTC)
        table = self._jobstore.jobs_t
        with self._jobstore.engine.connect() as conn:
            job_ids: set[str] = set(conn.scalars(select(table.c.id)))
        wanted: set[str] = set()
        to_add: list[tuple[str, Any, dict[str, Any]]] = []
        for kind in self._kinds:
            try:
                with session_scope(self._sessions) as session:
                    # Keys first: with thousands of series a pass normally has nothing to add.
                    keys = kind.active_keys(session)
                    missing = [k for k in keys if series_job_id(kind.name, k) not in job_ids]
                    series = kind.series(session, missing) if missing else []
                    deadlines = kind.deadlines(session)
            except Exception:
                log.exception(
                    "reading the %s schedules failed; its jobs stay as they are", kind.name
                )
                wanted.update(i for i in job_ids if i.startswith(f"{kind.name}:"))
                continue
            wanted.update(series_job_id(kind.name, k) for k in keys)
            for one in series:
                trigger = one.spec.trigger(now=now)
                to_add.append(
                    (
                        series_job_id(kind.name, one.key),
                        EarlyTrigger(trigger, one.lead) if one.lead else trigger,
                        {
                            "func": fire_job,
                            "args": (kind.name, one.key),
                            "name": one.name,
                            "executor": FIRE_EXECUTOR,
                            "misfire_grace": int(self._config.misfire_grace.total_seconds()),
                        },
                    )
                )
            for deadline in deadlines:
                job_id = deadline_job_id(kind.name, deadline.action, deadline.key)
                wanted.add(job_id)
                if job_id not in job_ids:
                    args = (kind.name, deadline.action, deadline.key)
                    to_add.append(
                        (job_id, DateTrigger(deadline.at), {"func": deadline_job, "args": args})
                    )
        # Ids no kind wants: paused or cancelled series, past deadlines, kinds no longer run.
        for job_id in job_ids - wanted:
            self._remove(job_id)
        with self._jobstore.batch_adds():
            for job_id, trigger, options in to_add:
                self._add(job_id=job_id, trigger=trigger, **options)
        if to_add:
            # The batch was written after add_job returned; the loop must look again.
            self._scheduler.wakeup()

    @property
    def _jobstore(self) -> RetroJobStore:
        jobstore = self._scheduler._lookup_jobstore(STORE)
        assert isinstance(jobstore, RetroJobStore)
        return jobstore

    def _add(
        self,
        *,
        func: Any,
        trigger: BaseTrigger,
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
                # None = run however late: a close or a reminder is never pointless while due.
                misfire_grace_time=misfire_grace,
                replace_existing=False,
            )

    def _remove(self, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(job_id, jobstore=STORE)


# leadership ---------------------------------------------------------------------------------


class ScheduleEngine:
    """Runs the scheduler while this process holds the leader lock; retries otherwise.

    `start()` returns at once; leadership is taken (and retaken after a leader dies) by a
    background thread every `leader_retry_seconds`.
    """

    def __init__(
        self,
        *,
        kinds: Sequence[RecurringKind],
        db_engine: Engine,
        sessions: sessionmaker[Session],
        config: SchedulerSettings | None = None,
        lock: LeaderLock | None = None,
    ) -> None:
        names = [kind.name for kind in kinds]
        if len(set(names)) != len(names):
            raise ValueError(f"two recurring kinds share a name: {names}")
        self._kinds = list(kinds)
        self._db = db_engine
        self._sessions = sessions
        self._config = config or SchedulerSettings()
        self._lock = lock or make_leader_lock(db_engine)
        self._scheduler: RecurringScheduler | None = None
        self._stop = threading.Event()
        self._became_leader = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def scheduler(self) -> RecurringScheduler | None:
        return self._scheduler

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="schedule-leader", daemon=True)
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
            log.info(
                "this process is now the scheduler leader (%s)",
                ", ".join(kind.name for kind in self._kinds),
            )
            scheduler = RecurringScheduler(
                db_engine=self._db, sessions=self._sessions, kinds=self._kinds, config=self._config
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
