"""Shared fixtures: real databases (SQLite and Postgres), fake Slack, and the app in process."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from bot.settings import get_settings
from core.db import make_engine, make_session_factory
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp, copy_data_dir, seed_knowledge
from tests.servers import CHROMA_CLI, PG_ADMIN_URL, PG_AVAILABLE, ChromaServer, Servers
from tests.slack_requests import SIGNING_SECRET, SlackSender

BOT_TOKEN = "xoxb-fixture-bot-token-000000"
SAMPLE = Path(__file__).parents[1] / "bot" / "sample_data"
TEAM = "T0ALIGN01"


def require_postgres() -> None:
    if not PG_AVAILABLE:
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")


@pytest.fixture(autouse=True)
def _fresh_settings_cache() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _slack_refuses_nothing(request: pytest.FixtureRequest) -> Iterator[None]:
    """A call the strict fake refused is a bug real Slack would show, unless the test expects it."""
    before = {id(f): len(f.refusals) for f in FakeSlack.live}
    yield
    if request.node.get_closest_marker("slack_refusals"):
        return
    refused = [r for f in FakeSlack.live for r in f.refusals[before.get(id(f), 0) :]]
    assert not refused, f"Slack would refuse these calls: {refused}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway database on the local PostgreSQL server, dropped afterwards."""
    require_postgres()
    name = f"alignbot_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'alignbot.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """One Chroma server, fake Slack and fake LLM for the whole run; call `fresh()` before use."""
    if not CHROMA_CLI.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    chroma = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "chroma").start()
    try:
        with FakeSlack() as slack, FakeOpenAI() as llm:
            yield Servers(chroma, slack, llm)
    finally:
        chroma.stop()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def app_env(tmp_path: Path, fake_slack: FakeSlack, **extra: str) -> dict[str, str]:
    env = {
        "ENV": "test",
        "DATA_DIR": str(tmp_path / "data"),
        "SLACK__BOT_TOKEN": BOT_TOKEN,
        "SLACK__SIGNING_SECRET": SIGNING_SECRET,
        "SLACK__API_BASE_URL": fake_slack.api_url,
        "LOG_LEVEL": "INFO",
        "SERVER__WORK_THREADS": "2",
    }
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def seeded_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the sample company's knowledge for TEAM, seeded once per run.

    Never written to: apps get a copy (`StartApp(seeded=True)`)."""
    data = tmp_path_factory.mktemp("seeded") / "data"
    seed_knowledge({"ENV": "test", "DATA_DIR": str(data)}, TEAM, SAMPLE)
    return data


StartApp = Callable[..., InProcessApp]


def start_inprocess(
    env: dict[str, str], workdir: Path, *, seeded_from: Path | None = None, **options: object
) -> InProcessApp:
    """An app on `env`; with `seeded_from`, its data directory starts as a copy of that one."""
    if seeded_from is not None:
        copy_data_dir(seeded_from, Path(env["DATA_DIR"]))
    return InProcessApp(env, workdir, **options).start()  # type: ignore[arg-type]


@pytest.fixture
def start_app(tmp_path: Path, fake_slack: FakeSlack, seeded_data: Path) -> Iterator[StartApp]:
    """Starts in-process apps on this test's fake Slack, stopped when the test ends.

    `start_app(seeded=True, SETTING="value", ...)`; a setting given as None is left unset."""
    apps: list[InProcessApp] = []

    def start(
        *, seeded: bool = False, scheduler: bool = False, **settings: str | None
    ) -> InProcessApp:
        env = app_env(tmp_path, fake_slack)
        for key, value in settings.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        apps.append(
            start_inprocess(
                env, tmp_path, seeded_from=seeded_data if seeded else None, scheduler=scheduler
            )
        )
        return apps[-1]

    yield start
    for app in reversed(apps):
        app.stop()


@pytest.fixture
def inproc_app(start_app: StartApp) -> InProcessApp:
    return start_app()


@pytest.fixture
def slack(inproc_app: InProcessApp) -> Iterator[SlackSender]:
    sender = inproc_app.sender()
    yield sender
    sender.close()
