"""The job-queue protocol: how a Slack listener hands slow work to whatever runs it.

A job is a module-level function `job(deps, client, *args, **kwargs)`. It receives the worker's
services and a Slack client for its workspace wherever it runs, so a listener passes only plain
data (ids, payload dicts) and the same job runs on a thread of this process or in the worker
process. The queue's implementations live in the composition root.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Job = Callable[..., Any]


class JobQueue(Protocol):
    def submit(self, job: Job, workspace: str, /, *args: Any, **kwargs: Any) -> None:
        """Run `job` for `workspace` after the ack; never blocks on the job itself."""
