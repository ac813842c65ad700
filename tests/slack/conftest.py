"""One in-process app per module, on a copy of the sample company's knowledge for T0ALIGN01."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, TEAM, app_env, start_inprocess
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack_requests import SlackSender

__all__ = ["SAMPLE", "TEAM"]


@pytest.fixture(scope="module")
def module_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def seeded_app(
    tmp_path_factory: pytest.TempPathFactory, module_slack: FakeSlack, seeded_data: Path
) -> Iterator[InProcessApp]:
    workdir = tmp_path_factory.mktemp("served")
    # As `alignbot serve` runs by default: with the retro scheduler.
    app = start_inprocess(
        app_env(workdir, module_slack), workdir, seeded_from=seeded_data, scheduler=True
    )
    yield app
    app.stop()


@pytest.fixture
def fake(module_slack: FakeSlack) -> FakeSlack:
    return module_slack


@pytest.fixture
def sender(seeded_app: InProcessApp) -> Iterator[SlackSender]:
    s = seeded_app.sender()
    yield s
    s.close()
