"""A scheduler replica in its own process, for the multi-process tests.

    python -m tests.scheduler.engine_proc    (DATABASE_URL from the environment)

Notifications go to the `test_notifications` table so the parent can count them.
"""

from __future__ import annotations

import logging
import os
import sys

from core.db import make_engine
from bot.settings import Settings
from scheduler.engine import EngineConfig
from scheduler.runner import run_scheduler
from tests.scheduler.notifiers import DbNotifier, FakeSynthesiser

FAST = EngineConfig(sync_seconds=0.5, leader_retry_seconds=0.3, fire_threads=4, work_threads=2)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = Settings()
    notifier = DbNotifier(make_engine(settings.resolved_database_url))
    print(f"started {os.getpid()}", flush=True)
    run_scheduler(settings, notifier=notifier, synthesiser=FakeSynthesiser(), config=FAST)


if __name__ == "__main__":
    main()
