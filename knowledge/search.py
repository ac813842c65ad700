"""Finding knowledge: hybrid search over a workspace's chunks, and its typed statements.

The read side of the knowledge base. Vector and keyword rankings are fused by reciprocal rank;
on Postgres the keyword side runs on its own threads beside the vector side.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Literal

from langchain_core.embeddings import Embeddings
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from knowledge import registry
from knowledge.fusion import reciprocal_rank_fusion
from knowledge.keyword_index import TermCounts, search_keywords
from knowledge.statement_typing import StatementTyper
from knowledge.types import Hit
from knowledge.vector_store import VectorStore

SearchMode = Literal["hybrid", "vector", "keyword"]


class KnowledgeSearch:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        vectors: VectorStore,
        embeddings: Embeddings,
        typer: StatementTyper,
    ) -> None:
        self.sessions = sessions
        self.vectors = vectors
        self.embeddings = embeddings
        self.typer = typer
        self.term_counts = TermCounts()
        # On Postgres the keyword side waits on the server while the vector side embeds and
        # queries Chroma, so the two run side by side. SQLite's index runs in this process on
        # the same cores, and a thread hop there only adds to the time.
        bind = sessions.kw.get("bind")
        self._keyword_pool = (
            ThreadPoolExecutor(max_workers=8, thread_name_prefix="kb-keyword")
            if bind is not None and bind.dialect.name == "postgresql"
            else None
        )

    def search(
        self, workspace_id: str, query: str, k: int = 5, *, mode: SearchMode = "hybrid"
    ) -> list[Hit]:
        """Top-k chunks of one workspace: vector and keyword rankings fused by reciprocal rank."""
        query = query.strip()
        if not query or k <= 0:
            return []
        pool = max(4 * k, 20)
        keyword: Future[list[str]] | None = None
        if mode == "hybrid" and self._keyword_pool is not None:
            keyword = self._keyword_pool.submit(self._keyword_ranking, workspace_id, query, pool)
        rankings: list[list[str]] = []
        if mode in ("hybrid", "vector"):
            collection = self.vectors.open(workspace_id, create=False)
            if collection is not None:
                vector = self.embeddings.embed_query(query)
                rankings.append(self.vectors.nearest(collection, vector, pool))
        if keyword is not None:
            rankings.append(keyword.result())
        elif mode in ("hybrid", "keyword"):
            rankings.append(self._keyword_ranking(workspace_id, query, pool))
        scores = dict(reciprocal_rank_fusion(rankings))
        fused = list(scores)  # best first
        # The best k almost always load at once; the rest only stand in for chunks whose
        # document is mid-removal (no longer ready).
        stored = self._load(workspace_id, fused[:k])
        if len(stored) < k and len(fused) > k:
            stored |= self._load(workspace_id, fused[k:])
        hits = []
        for cid in fused:
            chunk = stored.get(cid)
            if chunk is None:
                continue
            hits.append(_hit(chunk, round(scores[cid], 6)))
            if len(hits) == k:
                break
        return hits

    def _load(self, workspace_id: str, chunk_ids: list[str]) -> dict[str, registry.StoredChunk]:
        with session_scope(self.sessions) as session:
            return registry.load_chunks(
                session=session, workspace_id=workspace_id, chunk_ids=chunk_ids
            )

    def statements(
        self, workspace_id: str, kinds: Sequence[str] | None = None
    ) -> list[registry.StoredStatement]:
        """The typed statements of a workspace (of the given kinds), in document order."""
        with session_scope(self.sessions) as session:
            return registry.load_statements(session=session, workspace_id=workspace_id, kinds=kinds)

    @property
    def statement_embeddings(self) -> Embeddings:
        """The model statement vectors live in, for ranking them against a subject or lens."""
        return self.typer.minilm

    def chunks(self, workspace_id: str, chunk_ids: Sequence[str]) -> list[Hit]:
        """Chunks by id (those of ready documents), as hits a draft can cite."""
        stored = self._load(workspace_id, list(chunk_ids))
        return [_hit(c, 0.0) for cid in chunk_ids if (c := stored.get(cid)) is not None]

    def _keyword_ranking(self, workspace_id: str, query: str, limit: int) -> list[str]:
        with session_scope(self.sessions) as session:
            return search_keywords(
                session=session,
                workspace_id=workspace_id,
                query=query,
                limit=limit,
                counts=self.term_counts,
            )


def _hit(chunk: registry.StoredChunk, score: float) -> Hit:
    return Hit(
        source_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=chunk.title,
        text=chunk.text,
        score=score,
        section=chunk.section,
        url=chunk.url,
        source_kind=chunk.source_kind,
        page=chunk.page,
        origins=tuple(chunk.origins or ()),
    )
