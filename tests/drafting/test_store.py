"""Draft versions in SQL on SQLite and Postgres, and the SWOT → plan chain through them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from bot.models import metadata
from drafting import store
from drafting.draft import Draft, Item, Section


def swot(subject: str, label: str = "REVENUE") -> Draft:
    return Draft(
        kind="swot",
        subject=subject,
        engine="offline",
        sections=[
            Section(
                key="priorities", title="Key Priorities", items=[Item(label=label, text="Grow.")]
            )
        ],
    )


def test_versions_number_per_draft_and_latest_is_per_thread(
    sessions: sessionmaker[Session],
) -> None:
    with session_scope(sessions) as session:
        first = store.save_version(
            session=session,
            workspace_id="T1",
            draft=swot("Platform"),
            channel_id="C1",
            thread_ts="111.1",
            message_ts="111.2",
            created_by="U1",
        )
        second = store.save_version(
            session=session,
            workspace_id="T1",
            draft=swot("Platform", "COSTS"),
            draft_id=first.draft_id,
            channel_id="C1",
            thread_ts="111.1",
        )
        store.save_version(
            session=session,
            workspace_id="T1",
            draft=swot("Other"),
            channel_id="C1",
            thread_ts="222.1",
        )
        draft_id = first.draft_id
    assert (first.version, second.version) == (1, 2)
    with session_scope(sessions) as session:
        latest = store.latest_version(
            session=session, workspace_id="T1", channel_id="C1", thread_ts="111.1"
        )
        assert (
            latest is not None
            and latest.version == 2
            and latest.draft().items()[0].label == "COSTS"
        )
        assert (
            store.latest_version(
                session=session, workspace_id="T2", channel_id="C1", thread_ts="111.1"
            )
            is None
        )
        found = store.find_by_message(
            session=session, workspace_id="T1", channel_id="C1", message_ts="111.2"
        )
        assert found is not None and found.version == 1
        assert store.get_version(session=session, draft_id=draft_id, version=1) is not None


def test_mark_final_keeps_one_final_version(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        v1 = store.save_version(session=session, workspace_id="T1", draft=swot("Platform"))
        store.save_version(
            session=session,
            workspace_id="T1",
            draft=swot("Platform", "COSTS"),
            draft_id=v1.draft_id,
        )
        draft_id = v1.draft_id
    with session_scope(sessions) as session:
        assert store.mark_final(session=session, draft_id=draft_id, version=1) is not None
    with session_scope(sessions) as session:
        assert store.mark_final(session=session, draft_id=draft_id) is not None  # newest
        assert store.mark_final(session=session, draft_id=draft_id, workspace_id="T9") is None
    with session_scope(sessions) as session:
        finals = [
            v.version
            for v in (
                store.get_version(session=session, draft_id=draft_id, version=n) for n in (1, 2)
            )
            if v and v.is_final
        ]
        assert finals == [2]


def test_latest_final_swot_matches_subject_case_insensitively_and_prefers_final(
    sessions: sessionmaker[Session],
) -> None:
    with session_scope(sessions) as session:
        assert (
            store.latest_final_swot(session=session, workspace_id="T1", subject="platform team")
            is None
        )
        final = store.save_version(
            session=session, workspace_id="T1", draft=swot("Platform  Team", "FINAL")
        )
        store.mark_final(session=session, draft_id=final.draft_id)
        store.save_version(session=session, workspace_id="T1", draft=swot("platform team", "NEWER"))
        store.save_version(
            session=session, workspace_id="T2", draft=swot("platform team", "ELSEWHERE")
        )
    with session_scope(sessions) as session:
        chosen = store.latest_final_swot(
            session=session, workspace_id="T1", subject="PLATFORM team"
        )
        assert chosen is not None and chosen.draft().items()[0].label == "FINAL"
        other = store.latest_final_swot(session=session, workspace_id="T2", subject="Platform Team")
        assert (
            other is not None and other.draft().items()[0].label == "ELSEWHERE"
        )  # falls back to latest


def test_recent_drafts_lists_each_draft_once_newest_first(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        a = store.save_version(session=session, workspace_id="T1", draft=swot("A"))
        store.save_version(session=session, workspace_id="T1", draft=swot("B"))
        store.save_version(
            session=session, workspace_id="T1", draft=swot("A", "COSTS"), draft_id=a.draft_id
        )
        store.save_version(session=session, workspace_id="T2", draft=swot("C"))
    with session_scope(sessions) as session:
        recent = store.recent_drafts(session=session, workspace_id="T1", limit=10)
        assert sorted((r.subject, r.version) for r in recent) == [("A", 2), ("B", 1)]
        assert len(store.recent_drafts(session=session, workspace_id="T1", limit=1)) == 1


def test_migration_matches_the_model(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "draft_versions" in str(d)] == []
