"""The worker process: `alignbot serve` drafts, ingests and schedules in a child process.

Drafting is CPU work. On the serving process's threads it holds the interpreter lock, and a
listener thread that gives the lock up for every database write or socket read then waits
behind it again and again, so acks slowed down in step with the number of drafts running.
In a child process, at a lower CPU priority, drafts only ever use what the acks leave.

The child owns everything heavy: the embedding model, the vector store (an embedded Chroma
must have one owner process) and the scheduling engine. Jobs reach it over a queue. Jobs are
plain data plus a module-level function; what a person asked for is already stored in the
database before its job is queued, so a crashed child loses no request: its replacement
reports stale ones, as a restarted replica does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from multiprocessing.context import SpawnProcess
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from bot.composition import (
    build_schedule_engine,
    build_work_pool,
    build_worker,
    open_database,
    recurring_kinds,
)
from bot.settings import Settings
from bot.work import WorkPool
from core.jobs import Job
from core.logs import configure_logging

log = logging.getLogger(__name__)

# How long a stopping child may take to finish the jobs it holds.
STOP_GRACE_SECONDS = 20.0
RESTART_PAUSE_SECONDS = 1.0
STORE_CHECK_SECONDS = 2.0

Message = tuple[Job, str, tuple, dict[str, Any]] | None


class WorkerProcess:
    """The serving process's side: queues jobs for the child and restarts it if it dies."""

    def __init__(self, settings: Settings, *, run_scheduler: bool) -> None:
        self._settings = settings
        self._run_scheduler = run_scheduler
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        # Made now: in Socket Mode events can arrive before the server's start-up runs, and
        # their jobs wait here for the child.
        self._queue: Queue[Message] = self._context.Queue()
        self._process: SpawnProcess | None = None
        # The child's latest vector store heartbeat: 1 ok, 0 failed, -1 not checked yet.
        self._store = self._context.Value("b", -1)
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        """Starts the child, which first recovers what a crash left, as a starting replica does."""
        with self._lock:
            self._spawn(self._queue)
        self._watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self._watcher.start()

    def submit(self, job: Job, workspace: str, /, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            queue = self._queue
        queue.put((job, workspace, args, kwargs))

    def health(self) -> dict[str, str]:
        """What the child last saw of the vector store it owns, and whether it is alive."""
        process = self._process
        alive = process is not None and process.is_alive()
        return {
            "vector_store": {1: "ok", 0: "error: unreachable"}.get(
                int(self._store.value), "starting"
            ),
            "worker": "ok" if alive else "error: not running",
        }

    def shutdown(self, wait: bool = True) -> None:
        self._stopping.set()
        with self._lock:
            queue, process = self._queue, self._process
        if process is None:
            return
        queue.put(None)
        process.join(STOP_GRACE_SECONDS if wait else 2.0)
        if process.is_alive():
            process.terminate()
            process.join(5.0)

    def _spawn(self, queue: Queue[Message]) -> None:
        self._queue = queue
        self._store.value = -1  # until the new child has looked
        self._process = self._context.Process(
            target=child_main,
            args=(self._settings, self._queue, self._store, os.getpid(), self._run_scheduler),
            name="alignbot-worker",
        )
        self._process.start()
        log.info("worker process %s started", self._process.pid)

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            if process is not None:
                process.join(1.0)
                if process.is_alive() or self._stopping.is_set():
                    continue
                log.error(
                    "worker process %s exited with %s; starting a new one",
                    process.pid,
                    process.exitcode,
                )
                time.sleep(RESTART_PAUSE_SECONDS)
                with self._lock:
                    if not self._stopping.is_set():
                        # A fresh queue: the dead child may have held the old one's read lock.
                        self._spawn(self._context.Queue())


def child_main(
    settings: Settings,
    queue: Queue[Message],
    store: Synchronized[int],
    parent_pid: int,
    run_scheduler: bool,
) -> None:
    """Runs in the child: builds its own services, then runs queued jobs on its threads."""

    configure_logging(settings.log_level, settings.secret_values())
    # Niceness is per process on Linux: every thread of the child, the model's included.
    os.nice(settings.server.worker_niceness)
    threading.Thread(
        target=_exit_with_parent, args=(parent_pid,), name="parent-watch", daemon=True
    ).start()
    db = open_database(settings, upgrade=False)
    work = build_work_pool(settings, build_worker(settings, db))
    threading.Thread(
        target=_check_vector_store, args=(work, store), name="store-health", daemon=True
    ).start()
    engine = (
        build_schedule_engine(
            settings, db, kinds=recurring_kinds(settings, db, work.deps.retros, work.deps.kb)
        )
        if run_scheduler
        else None
    )
    if engine is not None:
        engine.start()
    work.start()
    try:
        while (message := queue.get()) is not None:
            job, workspace, args, kwargs = message
            work.submit(job, workspace, *args, **kwargs)
    finally:
        if engine is not None:
            engine.stop(wait=True)
        work.shutdown(wait=True)
        db.close()


def _check_vector_store(work: WorkPool, store: Synchronized[int]) -> None:
    while True:
        store.value = 1 if work.health()["vector_store"] == "ok" else 0
        time.sleep(STORE_CHECK_SECONDS)


def _exit_with_parent(parent_pid: int) -> None:
    """A killed serving process must not leave a child posting to Slack on its own."""
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(0)
