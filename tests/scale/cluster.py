"""`alignbot serve` replicas pointed at the real backing servers of tests/servers.py."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import app_env
from tests.fakes.slack_api import FakeSlack
from tests.served_app import ServedApp
from tests.servers import ChromaServer


def cluster_env(
    workdir: Path, slack: FakeSlack, database_url: str, chroma: ChromaServer, **extra: str
) -> dict[str, str]:
    return app_env(workdir, slack, DATABASE_URL=database_url, **chroma.env(), **extra)


def start_replicas(env: dict[str, str], workdir: Path, count: int) -> list[ServedApp]:
    """Replicas start together, as a rollout starts them: the database was migrated when the
    knowledge was seeded, so none of them runs DDL."""
    replicas = [ServedApp(env, workdir) for _ in range(count)]
    try:
        for replica in replicas:
            replica.launch()
        for replica in replicas:
            replica.wait_healthy()
    except BaseException:
        for replica in replicas:
            replica.stop()
        raise
    return replicas
