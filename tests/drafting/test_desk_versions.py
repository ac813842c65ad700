"""Draft versions in a thread: concurrent revisions get distinct numbers, on SQLite and Postgres."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import cast

from sqlalchemy.orm import Session, sessionmaker

from drafting.desk import DraftDesk
from drafting.draft import Draft, Item, Section
from drafting.service import Drafter


def draft(text: str) -> Draft:
    item = Item(label="RELIABILITY", text=text)
    return Draft(
        kind="swot",
        subject="Ops",
        engine="offline",
        sections=[Section(key="strengths", title="Strengths", items=[item])],
    )


def desk(sessions: sessionmaker[Session]) -> DraftDesk:
    # Versions never call the drafter; the desk is otherwise the real one.
    return DraftDesk(sessions=sessions, drafter=cast(Drafter, None))


def test_concurrent_revisions_reserve_distinct_versions(sessions: sessionmaker[Session]) -> None:
    d = desk(sessions)
    first = d.record_posted(
        workspace_id="T1",
        channel_id="C1",
        thread_ts="100.1",
        message_ts="100.1",
        draft=draft("v1"),
        created_by="U1",
    )
    assert first.version == 1

    def revise(n: int) -> int:
        posted = d.reserve_version(
            workspace_id="T1",
            channel_id="C1",
            thread_ts="100.1",
            draft=draft(f"rev {n}"),
            created_by="U1",
        )
        d.attach_message(version_id=posted.version_id, message_ts=f"101.{n}")
        return posted.version

    with ThreadPoolExecutor(4) as pool:
        versions = sorted(pool.map(revise, range(6)))
    assert versions == list(range(2, 8))
    assert d.board_ts(workspace_id="T1", channel_id="C1", thread_ts="100.1") == "100.1"
    latest = d.current(workspace_id="T1", channel_id="C1", thread_ts="100.1")
    assert latest is not None and latest.version == 7


def test_a_version_slack_never_got_is_discarded(sessions: sessionmaker[Session]) -> None:
    d = desk(sessions)
    d.record_posted(
        workspace_id="T1",
        channel_id="C2",
        thread_ts="200.1",
        message_ts="200.1",
        draft=draft("v1"),
        created_by=None,
    )
    reserved = d.reserve_version(
        workspace_id="T1", channel_id="C2", thread_ts="200.1", draft=draft("v2"), created_by=None
    )
    d.discard_version(version_id=reserved.version_id)
    current = d.current(workspace_id="T1", channel_id="C2", thread_ts="200.1")
    assert current is not None and current.version == 1
