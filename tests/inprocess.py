"""The app inside the test process: built by the composition root, driven over ASGI.

Every place a test builds the app is here (and in the fixtures of tests/conftest.py that call
it), so a change to how the app is composed is a change to this module only.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from starlette.testclient import TestClient

from bot.app import create_app
from bot.cli.kb import expand
from bot.composition import (
    WORKER_STARTUP,
    build_schedule_engine,
    build_serving,
    build_worker,
    open_database,
    recurring_kinds,
)
from bot.server import build_asgi
from bot.serving import ServingProcess
from bot.settings import Settings
from bot.work import WorkPool
from core.logs import SecretScrubber
from handlers.deps import ServingDeps, WorkerDeps
from handlers.slack_client import make_client_for
from tests.slack_requests import SIGNING_SECRET, SlackSender

_environ_lock = threading.Lock()


@contextmanager
def _environ(env: dict[str, str]) -> Iterator[None]:
    with _environ_lock:
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


def settings_from_env(env: dict[str, str]) -> Settings:
    """Settings read the way `alignbot serve` reads them: from its environment (no .env file)."""
    with _environ(env):
        return Settings(_env_file=None)  # type: ignore[call-arg]


def build_services(settings: Settings, *, scheduler: bool = False) -> ServingProcess:
    """The composition root's services in one process, as `serve` builds them with
    SERVER__WORKER_PROCESS=false: the serving side, and a tracked work pool running the worker's
    jobs on threads. `start()` runs start-up recovery (and the scheduler when asked for);
    the caller closes it."""
    db = open_database(settings, upgrade=True)
    worker = build_worker(settings, db)
    pool = TrackedWorkPool(worker, make_client_for(settings.slack, db.engine), settings)
    serving = build_serving(settings, db, jobs=pool)
    engine = (
        build_schedule_engine(
            settings, db, kinds=recurring_kinds(settings, db, worker.retros, worker.kb)
        )
        if scheduler
        else None
    )
    return ServingProcess(settings, db, serving, pool, engine)


def worker_deps(process: ServingProcess) -> WorkerDeps:
    """What jobs get, for tests that call a job or a domain service directly."""
    assert isinstance(process.runner, WorkPool), "build_services() runs jobs in this process"
    return process.runner.deps


def build_slack_app(
    settings: Settings, deps: ServingDeps, *, client: WebClient | None = None
) -> App:
    """The Bolt app on those services, for tests that call `app.dispatch` directly."""
    return create_app(settings, deps, client=client)


class TrackedWorkPool(WorkPool):
    """The production thread pool, counting the jobs in flight so a test can wait for them."""

    def __init__(
        self, deps: WorkerDeps, client_for: Callable[[str], WebClient], settings: Settings
    ) -> None:
        super().__init__(
            deps,
            client_for,
            threads=settings.server.work_threads,
            startup=WORKER_STARTUP,
            name="test-work",
        )
        self._busy = 0
        self._idle = threading.Condition()

    def _run(self, fn: Callable[..., Any], *args: Any) -> None:
        with self._idle:
            self._busy += 1

        def tracked(*a: Any) -> Any:
            try:
                return fn(*a)
            finally:
                self._done()

        try:
            super()._run(tracked, *args)
        except BaseException:
            self._done()
            raise

    def _done(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 90.0) -> None:
        """Until every job (and every job those jobs queued) has finished."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._busy == 0, timeout):
                raise AssertionError(f"{self._busy} background job(s) still running")


class LogCapture(logging.Handler):
    """What the app logs, scrubbed by the same filter `configure_logging` installs."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.addFilter(SecretScrubber(settings.secret_values()))
        self.buffer = io.StringIO()
        self._level = settings.log_level.upper()
        self._saved_level = logging.NOTSET

    def emit(self, record: logging.LogRecord) -> None:
        self.buffer.write(self.format(record) + "\n")

    def attach(self) -> None:
        root = logging.getLogger()
        self._saved_level = root.level
        root.setLevel(self._level)
        # First, as the app's own handler is its only one: pytest's capture handlers format
        # a record's traceback (and cache it) before a later handler's scrubber sees it.
        root.handlers.insert(0, self)

    def detach(self) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._saved_level)


class InProcessApp:
    """`alignbot serve` with threads for its background work, answering through Starlette's
    TestClient: the same ASGI app, routes, signature checks and Bolt listeners, no subprocess.
    """

    base_url = "http://testserver"

    def __init__(
        self,
        env: dict[str, str],
        workdir: Path,
        *,
        scheduler: bool = False,
        client: WebClient | None = None,
    ) -> None:
        self.env = env
        self.workdir = workdir
        self.settings = settings_from_env(env)
        self._scheduler = scheduler
        self._client = client
        self._log = LogCapture(self.settings)
        self.process: ServingProcess | None = None
        self.http: TestClient | None = None

    @property
    def work(self) -> TrackedWorkPool:
        assert self.process is not None and isinstance(self.process.runner, TrackedWorkPool)
        return self.process.runner

    @property
    def deps(self) -> WorkerDeps:
        """The worker's services (what jobs get), for tests that look behind the app."""
        assert self.process is not None, "start() first"
        return worker_deps(self.process)

    def start(self) -> InProcessApp:
        self._log.attach()
        try:
            self.process = build_services(self.settings, scheduler=self._scheduler)
            app = build_slack_app(self.settings, self.process.deps, client=self._client)
            self.http = TestClient(build_asgi(app, self.process), base_url=self.base_url)
            # The lifespan starts the process: start-up recovery (and the scheduler when asked
            # for), as `serve` does.
            self.http.__enter__()
        except BaseException:
            self._log.detach()
            raise
        return self

    def stop(self) -> None:
        try:
            if self.http is not None:
                self.work.wait_idle()
                self.http.__exit__(None, None, None)  # the lifespan's end closes the deps
        finally:
            self.http = None
            self._log.detach()

    def __enter__(self) -> InProcessApp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # driving it --------------------------------------------------------------------------------
    def sender(self, secret: str = SIGNING_SECRET) -> SlackSender:
        assert self.http is not None, "start() first"
        sender = SlackSender(self.base_url, secret=secret, http=self.http)
        sender.db = self.db_path
        return sender

    def get(self, path: str) -> Any:
        assert self.http is not None, "start() first"
        return self.http.get(path)

    def wait_idle(self, timeout: float = 90.0) -> None:
        self.work.wait_idle(timeout)

    def seed(self, team: str, *paths: Path) -> None:
        """`alignbot kb add` while the app runs, on its own services (one Chroma owner)."""
        add_knowledge(self.deps, team, *paths)

    # looking at it -----------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.settings.data_dir / "alignbot.db"

    def logs(self) -> str:
        return self._log.buffer.getvalue()


def add_knowledge(deps: WorkerDeps, team: str, *paths: Path) -> None:
    """What `alignbot kb add --workspace <team> <paths>` does (folders become their files)."""
    for target in expand([str(p) for p in paths]):
        deps.kb.add_path(team, target, added_by="cli")


def seed_knowledge(env: dict[str, str], team: str, *paths: Path) -> None:
    """`alignbot kb add` on the settings in `env`, with no app running on them."""
    process = build_services(settings_from_env(env))
    try:
        add_knowledge(worker_deps(process), team, *paths)
    finally:
        process.close()


def copy_data_dir(template: Path, data_dir: Path) -> None:
    """A private copy of a seeded data directory (SQLite and embedded Chroma files)."""
    shutil.copytree(template, data_dir)
