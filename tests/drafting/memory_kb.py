"""A tiny in-memory retriever over fixed Hits, for unit tests that need no Chroma."""

from __future__ import annotations

import re

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.types import Hit


class MemoryRetriever:
    """Vector search plus an exact-word boost over a fixed list of chunks, per workspace."""

    def __init__(self, embeddings: Embeddings, hits_by_workspace: dict[str, list[Hit]]) -> None:
        self.embeddings = embeddings
        self._hits = hits_by_workspace
        self._vectors = {
            ws: np.asarray(embeddings.embed_documents([h.text for h in hits]), dtype=np.float32)
            for ws, hits in hits_by_workspace.items()
            if hits
        }
        self.queries: list[tuple[str, str]] = []

    def search(self, workspace_id: str, query: str, k: int = 5) -> list[Hit]:
        self.queries.append((workspace_id, query))
        hits = self._hits.get(workspace_id, [])
        if not hits:
            return []
        q = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        scores = self._vectors[workspace_id] @ q
        words = set(re.findall(r"[a-z0-9]+", query.lower()))
        for i, hit in enumerate(hits):
            overlap = words & set(re.findall(r"[a-z0-9]+", hit.text.lower()))
            scores[i] += 0.02 * len(overlap)
        order = np.argsort(-scores)[:k]
        return [hit_with_score(hits[i], float(scores[i])) for i in order]


def hit_with_score(hit: Hit, score: float) -> Hit:
    return Hit(
        source_id=hit.source_id,
        doc_id=hit.doc_id,
        title=hit.title,
        text=hit.text,
        score=score,
        section=hit.section,
        url=hit.url,
        source_kind=hit.source_kind,
        page=hit.page,
    )


def hits_from_markdown(doc_id: str, title: str, text: str) -> list[Hit]:
    """One Hit per heading section, the way the knowledge base chunks Markdown."""
    hits: list[Hit] = []
    section: str | None = None
    body: list[str] = []

    def flush() -> None:
        if "".join(body).strip():
            hits.append(
                Hit(f"{doc_id}#{len(hits)}", doc_id, title, "\n".join(body).strip(), 0.0, section)
            )

    for line in text.splitlines():
        if line.startswith("#"):
            flush()
            section, body = line.lstrip("#").strip(), []
        else:
            body.append(line)
    flush()
    return hits
