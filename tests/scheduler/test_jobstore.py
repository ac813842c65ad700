"""The job store under APScheduler: a one-off job removed twice at once is not an error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from core.db import make_engine
from scheduler.jobstore import RetroJobStore


def noop() -> None:
    """A job body; never run here."""


def test_a_job_already_removed_by_sync_is_removed_again_quietly(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    store = RetroJobStore(engine=engine, tablename="retro_scheduler_jobs")
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start(paused=True)
    try:
        at = datetime.now(UTC) + timedelta(hours=1)
        scheduler.add_job(noop, "date", run_date=at, id="close:1")
        store.remove_job("close:1")  # the leader's sync, in the same moment
        # APScheduler's loop removes a one-off job after running it: it must not raise
        # JobLookupError, which would end the scheduler's thread.
        scheduler.remove_job("close:1")
        assert scheduler.get_job("close:1") is None
    finally:
        scheduler.shutdown(wait=False)
        engine.dispose()
