"""An app on Postgres and the run's Chroma server with an OpenAI-compatible LLM, for fault tests.

The app runs in process; a test that must kill it asks for `rig.serve()`, a real process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select

from drafting.models import DraftRequest
from knowledge.models import KbDocument
from tests.conftest import SAMPLE, TEAM, require_postgres, start_inprocess
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import Call, FakeSlack
from tests.inprocess import InProcessApp, seed_knowledge
from tests.scale.cluster import cluster_env
from tests.served_app import ServedApp
from tests.servers import ChromaServer, Servers, throwaway_database
from tests.slack_requests import SlackSender

LLM_KEY = "sk-fault-test-llm-key-5f2a9c"


@dataclass
class Rig:
    workdir: Path
    slack: FakeSlack
    llm: FakeOpenAI
    chroma: ChromaServer
    database_url: str
    env: dict[str, str]
    app: InProcessApp | ServedApp
    db: Engine
    extra_apps: list[InProcessApp | ServedApp] = field(default_factory=list)

    def sender(self) -> SlackSender:
        return self.app.sender()

    def serve(self) -> ServedApp:
        """From here on the app is `alignbot serve`, a process a test can SIGKILL."""
        if isinstance(self.app, ServedApp):
            return self.app
        self.app.stop()
        served = ServedApp(self.env, self.workdir).start()
        self.app = served
        return served

    def restart(self, **env: str) -> None:
        """SIGKILL is not needed here: the caller kills; this starts the same app again."""
        assert isinstance(self.app, ServedApp), "serve() first"
        self.app = ServedApp({**self.env, **env}, self.workdir, port=self.app.port).start()

    def requests(self, channel: str) -> list[dict[str, Any]]:
        """The stored draft requests of one channel, as column -> value."""
        query = select(DraftRequest.__table__).where(DraftRequest.channel_id == channel)
        with self.db.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def documents(self) -> list[tuple[str, str, str]]:
        """(id, title, status) of every registry row, pending ones included."""
        with self.db.connect() as conn:
            rows = conn.execute(select(KbDocument.id, KbDocument.title, KbDocument.status))
            return [(r[0], r[1], r[2]) for r in rows]


def wait_until(check: Callable[[], object], timeout: float = 90.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in time")
        time.sleep(0.1)


def ephemerals(slack: FakeSlack, channel: str) -> list[Call]:
    return [
        c
        for c in slack.calls_to("chat.postEphemeral")
        if c.status == 200 and c.params.get("channel") == channel
    ]


def posts(slack: FakeSlack, channel: str) -> list[Call]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.status == 200 and c.params.get("channel") == channel
    ]


def block_text(call: Call) -> str:
    """Every text in a message: its fallback text and its blocks, flattened."""
    parts = [str(call.params.get("text") or "")]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(call.params.get("blocks") or [])
    return "\n".join(parts)


def big_markdown(paragraphs: int) -> bytes:
    """Distinct paragraphs, so every chunk is embedded (nothing deduplicates)."""
    lines = ["# Field notes archive", ""]
    for i in range(paragraphs):
        lines.append(f"## Note {i}")
        lines.append(
            f"Observation {i}: depot {i % 97} shipped {i * 7 % 1000} parcels; route {i % 13} "
            f"ran {i % 50} minutes late and crew {i % 31} asked for scanner batteries. " * 3
        )
        lines.append("")
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def rig_env() -> dict[str, str]:
    """Extra settings for the module's app; a test package overrides this fixture."""
    return {}


@pytest.fixture(scope="module")
def rig(
    tmp_path_factory: pytest.TempPathFactory, servers: Servers, rig_env: dict[str, str]
) -> Iterator[Rig]:
    require_postgres()
    workdir = tmp_path_factory.mktemp("faults")
    servers.fresh()
    with throwaway_database() as url:
        env = cluster_env(
            workdir,
            servers.slack,
            url,
            servers.chroma,
            LLM__MODEL="openai:gpt-test",
            LLM__BASE_URL=servers.llm.base_url,
            LLM__API_KEY=LLM_KEY,
            LLM__TIMEOUT_SECONDS="2",
            LLM__MAX_RETRIES="0",
            # Interrupted ingests are cleaned the next time anything is ingested.
            KNOWLEDGE__STALE_INGEST_SECONDS="1",
            # Small chunks embed fast, so a many-step ingest stays quick to run.
            KNOWLEDGE__CHUNK_SIZE="200",
            KNOWLEDGE__CHUNK_OVERLAP="20",
            **rig_env,
        )
        seed_knowledge(env, TEAM, SAMPLE / "qbr_q3_2026.md")
        # As `alignbot serve` runs by default: with the retro scheduler.
        app = start_inprocess(env, workdir, scheduler=True)
        db = create_engine(url, pool_pre_ping=True)
        rig = Rig(workdir, servers.slack, servers.llm, servers.chroma, url, env, app, db)
        try:
            yield rig
        finally:
            for served in [rig.app, *rig.extra_apps]:
                served.stop()
            db.dispose()
