"""`alignbot scheduler`: run the retro engine alone, for deployments that separate it."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from core.db import make_engine, make_session_factory
from bot.settings import Settings
from core.clock import SystemClock
from scheduler.engine import EngineConfig, RetroEngine
from scheduler.ports import RetroEntryData, RetroNotifier, RetroSynthesiser
from scheduler.retro_service import RetroService

log = logging.getLogger(__name__)


def run_scheduler(
    settings: Settings,
    *,
    notifier: RetroNotifier,
    synthesiser: RetroSynthesiser,
    config: EngineConfig | None = None,
    make_entry: Callable[..., Any] = RetroEntryData,
    stop: threading.Event | None = None,
) -> None:
    """Block running the engine until SIGTERM/SIGINT (or `stop` is set).

    Leadership is decided by the lock, so any number of these (and of `alignbot serve`
    replicas running the engine) can point at one database.
    """
    db = make_engine(settings.resolved_database_url)
    service = RetroService(
        sessions=make_session_factory(db),
        clock=SystemClock(),
        synthesiser=synthesiser,
        notifier=notifier,
        make_entry=make_entry,
    )
    engine = RetroEngine(service=service, db_engine=db, config=config)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    engine.start()
    log.info("retro scheduler running; it schedules while it holds the leader lock")
    try:
        stop.wait()
    finally:
        engine.stop()
        db.dispose()
