"""Where slow work runs after Slack has been acknowledged: threads here, or a worker process.

A job is a module-level function `job(deps, client, *args, **kwargs)`: it gets the services and
a Slack client for its workspace wherever it runs, so handlers pass only plain data (ids,
payload dicts) and the same job runs on a thread in this process or in the worker process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from slack_sdk import WebClient

from handlers.slack_client import make_client_for

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)

Job = Callable[..., Any]  # job(deps, client, *args, **kwargs)
Task = Callable[..., Any]  # task(deps, *args): work that belongs to no one workspace


class Background(Protocol):
    def submit(self, job: Job, workspace: str, /, *args: Any, **kwargs: Any) -> None: ...

    def attach(self, deps: Deps) -> None: ...

    def start(self) -> None:
        """When serving: first recover what a killed process left, as any starting replica does."""

    def shutdown(self, wait: bool = True) -> None: ...


class WorkPool:
    """Runs jobs on threads of this process, off Bolt's listener threads."""

    def __init__(self, threads: int, name: str = "alignbot-work") -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._deps: Deps | None = None
        self._client_for: Callable[[str], WebClient] | None = None

    def attach(self, deps: Deps) -> None:
        self._deps = deps
        self._client_for = make_client_for(deps.settings, deps.engine)

    def submit(self, job: Job, workspace: str, /, *args: Any, **kwargs: Any) -> None:
        self._start(self._run_job, job, workspace, args, kwargs)

    def submit_task(self, task: Task, *args: Any) -> None:
        self._start(self._run_task, task, args)

    def start(self) -> None:
        # Imported here: both modules reach back to this one through bot.deps.
        from bot.recovery import recover_interrupted
        from handlers.draft_jobs import report_interrupted_requests

        # In the background: a slow or unreachable vector store must not delay /healthz.
        self.submit_task(recover_interrupted)
        self.submit_task(report_interrupted_requests)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=not wait)

    def _start(self, fn: Callable[..., Any], *args: Any) -> None:
        future = self._executor.submit(fn, *args)
        future.add_done_callback(_log_failure)

    def _run_job(self, job: Job, workspace: str, args: tuple, kwargs: dict[str, Any]) -> None:
        assert self._deps is not None and self._client_for is not None, "attach() first"
        job(self._deps, self._client_for(workspace), *args, **kwargs)

    def _run_task(self, task: Task, args: tuple) -> None:
        assert self._deps is not None, "attach() first"
        task(self._deps, *args)


def _log_failure(future: Future[Any]) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("background work failed", exc_info=exc)
