"""Two `alignbot serve` replicas sharing one Postgres database and one Chroma server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PG_AVAILABLE
from tests.fakes.slack_api import FakeSlack
from tests.scale.cluster import (
    CHROMA_CLI,
    ROOT,
    ChromaServer,
    cluster_env,
    run_cli,
    start_replicas,
    throwaway_database,
)
from tests.served_app import ServedApp
from tests.slack_requests import SlackSender

TEAM = "T0ALIGN01"
SAMPLE = ROOT / "bot" / "sample_data"


def require_servers() -> None:
    if not PG_AVAILABLE:
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")
    if not CHROMA_CLI.exists():
        pytest.skip("the chroma CLI is not installed in this environment")


@dataclass
class Cluster:
    workdir: Path
    slack: FakeSlack
    chroma: ChromaServer
    database_url: str
    env: dict[str, str]
    replicas: list[ServedApp]

    def senders(self) -> list[SlackSender]:
        return [SlackSender(r.base_url) for r in self.replicas]

    def logs(self) -> str:
        return "\n".join(r.logs() for r in self.replicas)


@pytest.fixture(scope="package")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_servers()
    workdir = tmp_path_factory.mktemp("cluster")
    chroma = ChromaServer(workdir / "chroma").start()
    try:
        with throwaway_database() as url, FakeSlack() as slack:
            env = cluster_env(workdir, slack, url, chroma)
            run_cli(env, workdir, "kb", "add", "--workspace", TEAM, str(SAMPLE))
            replicas = start_replicas(env, workdir, 2)
            try:
                yield Cluster(workdir, slack, chroma, url, env, replicas)
            finally:
                for replica in replicas:
                    replica.stop()
    finally:
        chroma.stop()
