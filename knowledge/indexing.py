"""Embed chunks, write their vectors to a workspace collection and type their statements, in steps."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chromadb.api.models.Collection import Collection
from langchain_core.embeddings import Embeddings

from knowledge.chunking import Chunk, chunk_id
from knowledge.registry import StoredChunk
from knowledge.statement_typing import ChunkText, StatementTyper, TypedStatement
from knowledge.vector_store import VectorStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# Chunks embedded and written per step: large enough to batch by length and pad little,
# small enough for steady progress reports and heartbeats. 256 embedded about 8% faster than 64
# on bench/kb_ingest.py's raw figure, but whole ingestion of its documents (most under one step)
# did not differ; 128 halves the wait before a big file's first progress report.
STEP_CHUNKS = 128


@dataclass(frozen=True)
class IndexEntry:
    chunk_id: str
    embedding_text: str
    metadata: dict[str, Any]
    text: str = ""  # the chunk text, the tail of embedding_text; its statements are typed
    section: str | None = None


def entries_for_document(
    *,
    doc_id: str,
    title: str,
    source_kind: str,
    url: str | None,
    chunks: Sequence[Chunk],
) -> list[IndexEntry]:
    return [
        IndexEntry(
            chunk_id(doc_id, n),
            chunk.embedding_text(title),
            _metadata(doc_id, title, chunk.section, source_kind, url, chunk.page),
            chunk.text,
            chunk.section,
        )
        for n, chunk in enumerate(chunks)
    ]


def entries_for_stored(chunks: Sequence[StoredChunk]) -> list[IndexEntry]:
    return [
        IndexEntry(
            c.chunk_id,
            Chunk(c.text, c.section, c.page).embedding_text(c.title),
            _metadata(c.doc_id, c.title, c.section, c.source_kind, c.url, c.page),
            c.text,
            c.section,
        )
        for c in chunks
    ]


def _metadata(
    doc_id: str,
    title: str,
    section: str | None,
    source_kind: str,
    url: str | None,
    page: int | None,
) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "title": title,
        "section": section,
        "source_kind": source_kind,
        "url": url,
        "page": page,
    }


def embed_into(
    collection: Collection,
    entries: Sequence[IndexEntry],
    *,
    embeddings: Embeddings,
    vectors: VectorStore,
    typer: StatementTyper | None = None,
    on_progress: Progress | None = None,
    after_step: Callable[[], None] | None = None,
) -> list[TypedStatement]:
    """Writes the chunk vectors; returns the typed statements (none without a typer)."""
    total = len(entries)
    typed: list[TypedStatement] = []
    for start in range(0, total, STEP_CHUNKS):
        step = entries[start : start + STEP_CHUNKS]
        if typer is not None:
            step_vectors, step_typed = typer.embed_and_type(
                embeddings,
                [ChunkText(e.chunk_id, e.embedding_text, e.text, e.section) for e in step],
            )
            typed.extend(step_typed)
        else:
            step_vectors = embeddings.embed_documents([e.embedding_text for e in step])
        vectors.add(
            collection,
            ids=[e.chunk_id for e in step],
            vectors=step_vectors,
            metadatas=[e.metadata for e in step],
        )
        if after_step is not None:
            after_step()
        report_progress(on_progress, start + len(step), total)
    return typed


def report_progress(on_progress: Progress | None, done: int, total: int) -> None:
    if on_progress is None:
        return
    try:
        on_progress(done, total)
    except Exception:
        # A failed progress message (e.g. a Slack edit) must not abort the ingest.
        log.exception("progress callback failed")
