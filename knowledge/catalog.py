"""The list of a workspace's documents, read from SQL alone.

The serving process shows `/align kb list` and the App Home from it without opening the
vector store or loading the embedding model, which only the worker may do.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from knowledge import registry
from knowledge.types import DocumentInfo


class DocumentCatalog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def list_documents(self, workspace_id: str) -> list[DocumentInfo]:
        with session_scope(self._sessions) as session:
            return [
                registry.document_info(d)
                for d in registry.list_ready(session=session, workspace_id=workspace_id)
            ]

    def count_chunks(self, workspace_id: str) -> int:
        with session_scope(self._sessions) as session:
            return registry.count_ready_chunks(session=session, workspace_id=workspace_id)
