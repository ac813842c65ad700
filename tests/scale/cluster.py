"""Real backing servers for multi-process tests: a Chroma server, a throwaway Postgres database,
and `alignbot serve` replicas pointed at them (shared by tests/scale, tests/faults, tests/abuse)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL, app_env
from tests.fakes.slack_api import FakeSlack
from tests.served_app import ServedApp, free_port

CHROMA_CLI = Path(sys.executable).parent / "chroma"
ROOT = Path(__file__).resolve().parents[2]


class ChromaServer:
    """`chroma run` on 127.0.0.1 and a free port; can be killed and started again on that port."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.log_path = data.parent / f"chroma-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ChromaServer:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                *(str(CHROMA_CLI), "run", "--path", str(self.data)),
                *("--host", "127.0.0.1", "--port", str(self.port)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            "chroma run did not start:\n" + self.log_path.read_text(errors="replace")
        )

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def env(self) -> dict[str, str]:
        return {"CHROMA__HOST": "127.0.0.1", "CHROMA__PORT": str(self.port)}


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server, dropped (with its sessions) afterwards."""
    name = f"alignbot_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def terminate_backends(database_url: str) -> int:
    """What a database restart looks like to the app: every one of its connections dies."""
    name = database_url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": name},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(killed)


def cluster_env(
    workdir: Path, slack: FakeSlack, database_url: str, chroma: ChromaServer, **extra: str
) -> dict[str, str]:
    return app_env(workdir, slack, DATABASE_URL=database_url, **chroma.env(), **extra)


def run_cli(env: dict[str, str], workdir: Path, *args: str, timeout: float = 300) -> str:
    """`alignbot <args>` as an operator would run it; returns stdout, raises on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**os.environ, **env},
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"alignbot {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start_replicas(env: dict[str, str], workdir: Path, count: int) -> list[ServedApp]:
    """Replicas start one after another so only one runs the migrations' DDL at a time."""
    replicas: list[ServedApp] = []
    try:
        for _ in range(count):
            replicas.append(ServedApp(env, workdir).start())
    except BaseException:
        for replica in replicas:
            replica.stop()
        raise
    return replicas
