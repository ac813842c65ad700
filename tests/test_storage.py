"""Migrations run on SQLite and Postgres; workspace rows and event claims behave the same on both."""

from __future__ import annotations

import time
from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from core.db import session_scope
from bot.models import metadata
from core.workspaces import claim_event, ensure_workspace, finish_event, get_mission, set_mission


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
    def claim(event_id: str, after: timedelta = timedelta(minutes=1)) -> bool:
        with session_scope(sessions) as s:
            return claim_event(
                session=s, event_id=event_id, workspace_id="T1", abandoned_after=after
            )

    assert claim("Ev1") is True
    assert claim("Ev1") is False  # a retry while the first delivery is still being handled
    assert claim("Ev2") is True
    with session_scope(sessions) as s:
        finish_event(session=s, event_id="Ev1", handled=True)
    assert claim("Ev1", after=timedelta(0)) is False  # done is done, however old


def test_abandoned_claim_is_taken_over_once(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as s:
        assert claim_event(
            session=s, event_id="Ev9", workspace_id="T1", abandoned_after=timedelta(0)
        )
    time.sleep(0.05)
    with session_scope(sessions) as s:
        # The first process died mid-handling: a later retry takes the claim over, once.
        assert claim_event(
            session=s, event_id="Ev9", workspace_id="T1", abandoned_after=timedelta(0)
        )
    with session_scope(sessions) as s:
        assert not claim_event(
            session=s, event_id="Ev9", workspace_id="T1", abandoned_after=timedelta(minutes=1)
        )


def test_failed_handling_releases_the_claim(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as s:
        assert claim_event(
            session=s, event_id="Ev5", workspace_id="T1", abandoned_after=timedelta(minutes=1)
        )
    with session_scope(sessions) as s:
        finish_event(session=s, event_id="Ev5", handled=False)
    with session_scope(sessions) as s:
        assert claim_event(
            session=s, event_id="Ev5", workspace_id="T1", abandoned_after=timedelta(minutes=1)
        )


def test_mission_is_per_workspace(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as s:
        ensure_workspace(session=s, workspace_id="TA")
        ensure_workspace(session=s, workspace_id="TA")
        set_mission(session=s, workspace_id="TA", mission="Ship calm software")
    with session_scope(sessions) as s:
        assert get_mission(session=s, workspace_id="TA") == "Ship calm software"
        assert get_mission(session=s, workspace_id="TB") is None


def test_autogenerate_finds_nothing_to_change_on_a_migrated_database(engine: Engine) -> None:
    """The migrations and the models agree, and autogenerate leaves alone what the models do
    not describe (the keyword indexes, slack_sdk's and APScheduler's tables)."""
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": migrate.include_object}
        )
        assert compare_metadata(context, metadata) == []
