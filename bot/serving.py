"""The serving process, assembled: Slack-facing services, the job runner, and their lifecycle.

With `SERVER__WORKER_PROCESS` on (the default) jobs and the scheduling engine run in a child
process (bot/worker_process.py) and this process never opens the vector store or loads a
model. Off, they run on threads here: one process, as in the in-process tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from bot.composition import (
    Database,
    build_schedule_engine,
    build_serving,
    build_work_pool,
    build_worker,
    open_database,
    recurring_kinds,
)
from bot.settings import Settings
from bot.work import JobRunner, WorkPool
from bot.worker_process import WorkerProcess
from handlers.deps import ServingDeps
from scheduler.engine import ScheduleEngine


@dataclass
class ServingProcess:
    settings: Settings
    db: Database
    deps: ServingDeps
    runner: JobRunner
    # Set only when jobs run on threads here: the worker process runs its own otherwise.
    schedule_engine: ScheduleEngine | None = None

    @property
    def in_one_process(self) -> bool:
        return isinstance(self.runner, WorkPool)

    def start(self) -> None:
        self.runner.start()
        if self.schedule_engine is not None:
            self.schedule_engine.start()

    def close(self) -> None:
        if self.schedule_engine is not None:
            self.schedule_engine.stop(wait=False)
        self.runner.shutdown(wait=False)
        self.db.close()

    def health(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            with self.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        return {**checks, **self.runner.health()}


def build_serving_process(
    settings: Settings, *, upgrade_db: bool = True, run_scheduler: bool = True
) -> ServingProcess:
    db = open_database(settings, upgrade=upgrade_db)
    if settings.server.worker_process:
        runner: JobRunner = WorkerProcess(settings, run_scheduler=run_scheduler)
        engine = None
    else:
        pool = build_work_pool(settings, build_worker(settings, db))
        runner = pool
        engine = (
            build_schedule_engine(
                settings, db, kinds=recurring_kinds(settings, db, pool.deps.retros, pool.deps.kb)
            )
            if run_scheduler
            else None
        )
    deps = build_serving(settings, db, jobs=runner)
    return ServingProcess(settings, db, deps, runner, engine)
