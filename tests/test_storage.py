"""Migrations run on SQLite and Postgres; workspace rows and event claims behave the same on both."""

from __future__ import annotations

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from bot.db import session_scope
from bot.workspaces import claim_event, ensure_workspace, get_mission, set_mission


def test_migrations_reach_head_and_create_tables(engine: Engine) -> None:
    assert migrate.is_up_to_date(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"workspaces", "processed_events", "slack_installations", "slack_bots"} <= tables


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    migrate.downgrade(engine, "base")
    assert "workspaces" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert "workspaces" in inspect(engine).get_table_names()


def test_event_claimed_once(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as s:
        assert claim_event(session=s, event_id="Ev1", workspace_id="T1") is True
    with session_scope(sessions) as s:
        assert claim_event(session=s, event_id="Ev1", workspace_id="T1") is False
        assert claim_event(session=s, event_id="Ev2", workspace_id="T1") is True


def test_mission_is_per_workspace(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as s:
        ensure_workspace(session=s, workspace_id="TA")
        ensure_workspace(session=s, workspace_id="TA")
        set_mission(session=s, workspace_id="TA", mission="Ship calm software")
    with session_scope(sessions) as s:
        assert get_mission(session=s, workspace_id="TA") == "Ship calm software"
        assert get_mission(session=s, workspace_id="TB") is None
