"""Group commit: many threads' writes share transactions, and one bad write fails only itself."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.group_commit import GroupCommit
from core.workspaces import Workspace, ensure_workspace


def test_concurrent_writes_are_all_stored_and_each_caller_gets_its_result(
    sessions: sessionmaker[Session],
) -> None:
    commits = GroupCommit(sessions)

    def store(n: int) -> str:
        def write(session: Session) -> str:
            return ensure_workspace(session=session, workspace_id=f"TGROUP{n:03d}").id

        return commits.run(write)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(store, range(100)))
    assert results == [f"TGROUP{n:03d}" for n in range(100)]
    with sessions() as session:
        stored = set(session.scalars(select(Workspace.id).where(Workspace.id.like("TGROUP%"))))
    assert stored == set(results)


def test_a_failing_write_fails_alone_and_the_writer_keeps_going(
    sessions: sessionmaker[Session],
) -> None:
    commits = GroupCommit(sessions)

    def bad(session: Session) -> None:
        ensure_workspace(session=session, workspace_id="TGROUPBAD")
        raise ValueError("refused")

    def good(n: int) -> str:
        return commits.run(
            lambda session: ensure_workspace(session=session, workspace_id=f"TGOOD{n}").id
        )

    with ThreadPoolExecutor(8) as pool:
        goods = [pool.submit(good, n) for n in range(10)]
        failing = pool.submit(commits.run, bad)
        with pytest.raises(ValueError, match="refused"):
            failing.result()
        assert sorted(f.result() for f in goods) == sorted(f"TGOOD{n}" for n in range(10))
    assert good(99) == "TGOOD99"  # the writer thread survived
    with sessions() as session:
        assert session.get(Workspace, "TGROUPBAD") is None  # nothing of the bad write stayed
