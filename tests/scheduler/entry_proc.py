"""Adds entries one by one and prints `ack <n>` after each is stored, until it is killed.

python -m tests.scheduler.entry_proc <retro_id>    (DATABASE_URL from the environment)
"""

from __future__ import annotations

import sys

from core.db import make_engine, make_session_factory
from bot.settings import Settings
from core.clock import SystemClock
from scheduler.retro_service import RetroService
from tests.scheduler.notifiers import FakeSynthesiser, LoggingNotifier


def main() -> None:
    retro_id = int(sys.argv[1])
    engine = make_engine(Settings().resolved_database_url)
    service = RetroService(
        sessions=make_session_factory(engine),
        clock=SystemClock(),
        synthesiser=FakeSynthesiser(),
        notifier=LoggingNotifier(),
    )
    n = 0
    while True:
        service.add_entry(
            retro_id,
            workspace_id="T0ALIGN",
            section="went_well",
            text=f"entry {n}",
            author="U0ANA",
            anonymous=False,
            source="thread",
            source_ts=f"{1700000000 + n}.000100",
        )
        # Printed only after the commit returned: this is what "acknowledged" means.
        print(f"ack {n}", flush=True)
        n += 1


if __name__ == "__main__":
    main()
