"""Two `alignbot serve` replicas sharing one Postgres database and the run's Chroma server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, TEAM, require_postgres
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import seed_knowledge
from tests.scale.cluster import cluster_env, start_replicas
from tests.served_app import ServedApp
from tests.servers import ChromaServer, Servers, throwaway_database
from tests.slack_requests import SlackSender

__all__ = ["SAMPLE", "TEAM"]


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
def cluster(tmp_path_factory: pytest.TempPathFactory, servers: Servers) -> Iterator[Cluster]:
    require_postgres()
    workdir = tmp_path_factory.mktemp("cluster")
    servers.fresh()
    with throwaway_database() as url:
        env = cluster_env(workdir, servers.slack, url, servers.chroma)
        seed_knowledge(env, TEAM, SAMPLE)
        replicas = start_replicas(env, workdir, 2)
        try:
            yield Cluster(workdir, servers.slack, servers.chroma, url, env, replicas)
        finally:
            for replica in replicas:
                replica.stop()
