"""Shared fixtures: real databases (SQLite and Postgres), fake Slack, and the served app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from core.db import make_engine, make_session_factory
from bot.settings import get_settings
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.served_app import ServedApp
from tests.slack_requests import SIGNING_SECRET, SlackSender

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BOT_TOKEN = "xoxb-fixture-bot-token-000000"


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


@pytest.fixture(autouse=True)
def _fresh_settings_cache() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway database on the local PostgreSQL server, dropped afterwards."""
    if not PG_AVAILABLE:
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")
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


@pytest.fixture
def served_app(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[ServedApp]:
    app = ServedApp(app_env(tmp_path, fake_slack), tmp_path).start()
    yield app
    app.stop()


@pytest.fixture
def slack(served_app: ServedApp) -> Iterator[SlackSender]:
    sender = SlackSender(served_app.base_url)
    yield sender
    sender.close()
