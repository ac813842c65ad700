"""One served app per module, seeded with the sample company's knowledge for workspace T0ALIGN01."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import app_env
from tests.fakes.slack_api import FakeSlack
from tests.served_app import ServedApp
from tests.slack_requests import SlackSender

SAMPLE = Path(__file__).parents[2] / "bot" / "sample_data"
TEAM = "T0ALIGN01"


def seed_knowledge(env: dict[str, str], workdir: Path, team: str, *paths: Path) -> None:
    """The same CLI an admin would use, on the app's data directory."""
    subprocess.run(
        [sys.executable, "-m", "bot", "kb", "add", "--workspace", team, *map(str, paths)],
        env={**os.environ, **env},
        cwd=workdir,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def module_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def seeded_app(
    tmp_path_factory: pytest.TempPathFactory, module_slack: FakeSlack
) -> Iterator[ServedApp]:
    workdir = tmp_path_factory.mktemp("served")
    env = app_env(workdir, module_slack)
    seed_knowledge(env, workdir, TEAM, SAMPLE)
    app = ServedApp(env, workdir).start()
    yield app
    app.stop()


@pytest.fixture
def fake(module_slack: FakeSlack) -> FakeSlack:
    return module_slack


@pytest.fixture
def sender(seeded_app: ServedApp) -> Iterator[SlackSender]:
    s = SlackSender(seeded_app.base_url)
    s.db = Path(seeded_app.env["DATA_DIR"]) / "alignbot.db"
    yield s
    s.close()
