"""Where jobs run: on threads of this process, with the worker's services.

`alignbot serve` runs them in a child process (bot/worker_process.py), which uses this same
pool inside; the CLI and in-process tests use it directly. Either way the serving side only
sees a `JobRunner`: a job queue it can start, stop and ask about its health.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from slack_sdk import WebClient

from core.jobs import Job, JobQueue
from handlers.deps import WorkerDeps

log = logging.getLogger(__name__)

# Work that belongs to no one workspace, run once when the pool starts (start-up recovery).
StartupTask = Callable[[WorkerDeps], Any]


class JobRunner(JobQueue, Protocol):
    def start(self) -> None:
        """Begin running jobs; first recover what a killed process left, as any replica does."""

    def health(self) -> dict[str, str]:
        """What the runner sees: its vector store and, for a child process, whether it lives."""

    def shutdown(self, wait: bool = True) -> None: ...


class WorkPool:
    """Runs jobs on threads of this process, off Bolt's listener threads."""

    def __init__(
        self,
        deps: WorkerDeps,
        client_for: Callable[[str], WebClient],
        *,
        threads: int,
        startup: Sequence[StartupTask] = (),
        name: str = "alignbot-work",
    ) -> None:
        self.deps = deps
        self._client_for = client_for
        self._startup = tuple(startup)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)

    def submit(self, job: Job, workspace: str, /, *args: Any, **kwargs: Any) -> None:
        self._run(self._run_job, job, workspace, args, kwargs)

    def start(self) -> None:
        # In the background: a slow or unreachable vector store must not delay /healthz.
        for task in self._startup:
            self._run(task, self.deps)

    def health(self) -> dict[str, str]:
        try:
            self.deps.kb.vectors.client.heartbeat()
        except Exception as exc:
            return {"vector_store": f"error: {type(exc).__name__}"}
        return {"vector_store": "ok"}

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=not wait)

    def _run(self, fn: Callable[..., Any], *args: Any) -> None:
        future = self._executor.submit(fn, *args)
        future.add_done_callback(_log_failure)

    def _run_job(self, job: Job, workspace: str, args: tuple, kwargs: dict[str, Any]) -> None:
        job(self.deps, self._client_for(workspace), *args, **kwargs)


def _log_failure(future: Future[Any]) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("background work failed", exc_info=exc)
