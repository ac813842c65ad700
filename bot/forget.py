"""Deleting a workspace's data everywhere (SQL and Chroma); no Slack.

Tables are found in the live database rather than listed by hand, so a feature that adds a
table with a `workspace_id` column is covered without touching this module.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable, MetaData, Table, delete, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from core.workspaces import Workspace
from knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)
WORKSPACE_COLUMN = "workspace_id"


@dataclass(frozen=True)
class ForgetReport:
    workspace_id: str
    # table name -> rows deleted (tables with nothing to delete are left out)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def workspace_tables(engine: Engine) -> tuple[list[Table], list[Table]]:
    """(tables with a workspace_id column, tables that only reference one), children first."""
    metadata = MetaData()
    metadata.reflect(engine, views=False)
    owned = [t for t in metadata.sorted_tables if WORKSPACE_COLUMN in t.c]
    owned_names = {t.name for t in owned}
    dependent = [
        t
        for t in metadata.sorted_tables
        if WORKSPACE_COLUMN not in t.c
        and any(fk.column.table.name in owned_names for fk in t.foreign_keys)
    ]
    return list(reversed(owned)), list(reversed(dependent))


def forget_workspace(
    *, engine: Engine, sessions: sessionmaker[Session], kb: KnowledgeBase, workspace_id: str
) -> ForgetReport:
    """Delete everything the workspace stored. Vectors go first: if Chroma is unreachable this
    raises before any SQL row is touched, so a retry starts from a whole workspace, not half."""
    if not workspace_id:
        raise ValueError("a workspace id is required")
    kb.vectors.drop(workspace_id)
    _drop_rebuild_leftovers(kb, workspace_id)
    kb.forget_workspace(workspace_id)
    owned, dependent = workspace_tables(engine)
    rows: dict[str, int] = {}
    with session_scope(sessions) as session:
        for table in dependent:
            for fk in table.foreign_keys:
                parent = fk.column.table
                if WORKSPACE_COLUMN not in parent.c:
                    continue
                keys = select(fk.column).where(parent.c[WORKSPACE_COLUMN] == workspace_id)
                _count(rows, table.name, _run(session, delete(table).where(fk.parent.in_(keys))))
        for table in owned:
            stmt = delete(table).where(table.c[WORKSPACE_COLUMN] == workspace_id)
            _count(rows, table.name, _run(session, stmt))
        stmt = delete(Workspace).where(Workspace.id == workspace_id)
        _count(rows, Workspace.__tablename__, _run(session, stmt))
    report = ForgetReport(workspace_id=workspace_id, rows=rows)
    log.warning("forgot workspace %s: %s rows deleted %s", workspace_id, report.total, rows)
    return report


def _drop_rebuild_leftovers(kb: KnowledgeBase, workspace_id: str) -> None:
    from knowledge.vector_store import collection_name

    prefix = f"{collection_name(workspace_id)}-rebuild-"
    for collection in kb.vectors.client.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        if name.startswith(prefix):
            kb.vectors.client.delete_collection(name)


def _run(session: Session, stmt: Executable) -> int:
    """Rows a DELETE or UPDATE touched."""
    result = cast(CursorResult[Any], session.execute(stmt))
    return int(result.rowcount or 0)


def _count(rows: dict[str, int], table: str, count: int) -> None:
    if count:
        rows[table] = rows.get(table, 0) + int(count)
