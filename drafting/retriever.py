"""What drafting needs from the knowledge base: scoped search and the embedding model."""

from __future__ import annotations

from typing import Protocol

from langchain_core.embeddings import Embeddings

from knowledge.types import Hit


class Retriever(Protocol):
    """`knowledge.service.KnowledgeBase` satisfies this; tests may pass a small in-memory one."""

    @property
    def embeddings(self) -> Embeddings: ...

    def search(self, workspace_id: str, query: str, k: int = 5) -> list[Hit]: ...
