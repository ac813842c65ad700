"""A scheduler process that claims retro occurrences and then hangs before posting any prompt.

python -m tests.scheduler.stall_proc      (DATABASE_URL from the environment)

It leads the real engine with the real retro kind; only its notifier differs: it prints
`claimed <retro id>` and blocks, so the parent can SIGKILL it between claim and prompt.
"""

from __future__ import annotations

import threading

from bot.settings import Settings
from core.clock import SystemClock
from core.db import make_engine, make_session_factory
from scheduler.engine import ScheduleEngine
from scheduler.ports import RetroInfo
from scheduler.retro_kind import RetroKind
from scheduler.retro_service import RetroService
from scheduler.settings import SchedulerSettings
from tests.scheduler.notifiers import FakeSynthesiser, LoggingNotifier


class StallingNotifier(LoggingNotifier):
    def retro_opened(self, retro: RetroInfo) -> str | None:
        print(f"claimed {retro.id}", flush=True)
        threading.Event().wait()  # until killed
        return None


def main() -> None:
    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    sessions = make_session_factory(engine)
    service = RetroService.build(
        sessions=sessions,
        clock=SystemClock(),
        synthesiser=FakeSynthesiser(),
        notifier=StallingNotifier(),
    )
    config = SchedulerSettings(sync_seconds=0.5, leader_retry_seconds=0.2, fire_threads=4)
    ScheduleEngine(
        kinds=[RetroKind(service, post_threads=4)],
        db_engine=engine,
        sessions=sessions,
        config=config,
    ).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
