"""Real backing servers for multi-process tests: a Chroma server, a throwaway Postgres database,
and `alignbot serve` replicas pointed at them (shared by tests/scale, tests/faults, tests/abuse)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import app_env
from tests.fakes.slack_api import FakeSlack
from tests.served_app import ServedApp
from tests.servers import (
    CHROMA_CLI,
    ChromaServer,
    terminate_backends,
    throwaway_database,
)

__all__ = ["CHROMA_CLI", "ROOT", "ChromaServer", "terminate_backends", "throwaway_database"]
ROOT = Path(__file__).resolve().parents[2]


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
