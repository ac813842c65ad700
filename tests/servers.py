"""The real servers tests share: the local PostgreSQL (a throwaway database each) and one
`chroma run` server per test run (emptied for each user), plus the fakes that stand in for
Slack and the LLM."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaConfig
from sqlalchemy import create_engine, text

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.served_app import free_port, kill_process, stop_process, wait_ok

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


PG_AVAILABLE = postgres_available()

CHROMA_CLI = Path(sys.executable).parent / "chroma"


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
        if wait_ok(self.proc, f"{self.url}/api/v2/heartbeat", timeout):
            return self
        self.stop()
        raise RuntimeError(
            "chroma run did not start:\n" + self.log_path.read_text(errors="replace")
        )

    def kill(self) -> None:
        kill_process(self.proc)

    def stop(self) -> None:
        stop_process(self.proc, 10)

    def env(self) -> dict[str, str]:
        return {"CHROMA__HOST": "127.0.0.1", "CHROMA__PORT": str(self.port)}

    def wipe(self) -> None:
        """Every collection dropped: the next user starts from an empty store."""
        client = chromadb.HttpClient(
            host="127.0.0.1", port=self.port, settings=ChromaConfig(anonymized_telemetry=False)
        )
        for collection in client.list_collections():
            client.delete_collection(collection.name)


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


@dataclass
class Servers:
    """One of each per test run; `fresh()` hands them to the next module as if new."""

    chroma: ChromaServer
    slack: FakeSlack
    llm: FakeOpenAI

    def fresh(self) -> Servers:
        if self.chroma.proc is None or self.chroma.proc.poll() is not None:
            self.chroma.start()
        self.chroma.wipe()
        self.slack.clear()
        self.llm.clear()
        return self
