"""APScheduler's SQLAlchemy job store, writing in batches and leaving our engine alone.

The stock store commits once per job: when 1,000 schedules fall due together, the scheduler
thread spends seconds on 1,000 UPDATE transactions before the last job is even submitted.
Here a pass's next-run-time updates are written together (before any read, so the store
always reads what it wrote), and a sync's adds go in one INSERT. A crash before a deferred
update is written only means a catch-up fire on restart, which the (schedule, occurrence)
claim turns into a no-op.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import Engine, bindparam
from sqlalchemy.exc import IntegrityError


class RetroJobStore(SQLAlchemyJobStore):
    def __init__(self, *, engine: Engine, tablename: str) -> None:
        super().__init__(engine=engine, tablename=tablename)
        self._lock = threading.Lock()
        self._updates: dict[str, Job] = {}
        self._adds: dict[str, Job] | None = None

    # batching ---------------------------------------------------------------------------------

    @contextmanager
    def batch_adds(self) -> Iterator[None]:
        """Collect add_job calls and insert them in one transaction on exit."""
        with self._lock:
            self._adds = {}
        try:
            yield
        finally:
            with self._lock:
                adds, self._adds = self._adds or {}, None
            self._insert(list(adds.values()))

    def add_job(self, job: Job) -> None:
        with self._lock:
            if self._adds is not None:
                self._adds[job.id] = job
                return
        super().add_job(job)

    def update_job(self, job: Job) -> None:
        with self._lock:
            self._updates[job.id] = job

    def flush(self) -> None:
        with self._lock:
            updates, self._updates = self._updates, {}
        if not updates:
            return
        table = self.jobs_t
        stmt = (
            table.update()
            .where(table.c.id == bindparam("job_id"))
            .values(next_run_time=bindparam("nrt"), job_state=bindparam("state"))
        )
        with self.engine.begin() as conn:
            # A job removed meanwhile simply matches no row.
            conn.execute(stmt, [self._row(job, key="job_id") for job in updates.values()])

    def _insert(self, jobs: list[Job]) -> None:
        if not jobs:
            return
        table = self.jobs_t
        rows = [self._row(job, key="id") for job in jobs]
        stmt = table.insert().values(
            id=bindparam("id"), next_run_time=bindparam("nrt"), job_state=bindparam("state")
        )
        try:
            with self.engine.begin() as conn:
                conn.execute(stmt, rows)
        except IntegrityError:
            # Another leader added some of them first: add one by one, keeping theirs.
            for job in jobs:
                try:
                    super().add_job(job)
                except ConflictingIdError:
                    continue

    def _row(self, job: Job, *, key: str) -> dict[str, Any]:
        next_run: datetime | None = job.next_run_time
        return {
            key: job.id,
            "nrt": datetime_to_utc_timestamp(next_run),
            "state": pickle.dumps(job.__getstate__(), self.pickle_protocol),
        }

    # every read sees the deferred writes ------------------------------------------------------

    def lookup_job(self, job_id: str) -> Job | None:
        self.flush()
        job: Job | None = super().lookup_job(job_id)
        return job

    def get_due_jobs(self, now: datetime) -> list[Job]:
        self.flush()
        jobs: list[Job] = super().get_due_jobs(now)
        return jobs

    def get_next_run_time(self) -> datetime | None:
        self.flush()
        value: datetime | None = super().get_next_run_time()
        return value

    def get_all_jobs(self) -> list[Job]:
        self.flush()
        jobs: list[Job] = super().get_all_jobs()
        return jobs

    def remove_job(self, job_id: str) -> None:
        """Idempotent: a job already gone is removed. APScheduler's loop removes a one-off job
        (a retro's close or nudge) after running it; if our sync removed it in the same moment,
        the stock store's JobLookupError would end the scheduler's thread on this replica."""
        with self._lock:
            self._updates.pop(job_id, None)
        with suppress(JobLookupError):
            super().remove_job(job_id)

    def remove_all_jobs(self) -> None:
        with self._lock:
            self._updates.clear()
        super().remove_all_jobs()

    def shutdown(self) -> None:
        # The stock store disposes the engine here; this one is the app's, shared, so only
        # our pending writes are finished.
        self.flush()
