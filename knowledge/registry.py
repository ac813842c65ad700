"""Data functions over the document registry and chunk table (one workspace at a time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from knowledge.chunking import Chunk, chunk_id
from knowledge.models import PENDING, READY, KbChunk, KbDocument, KbStatement
from knowledge.statement_typing import TypedStatement
from knowledge.types import DocumentInfo


def now() -> datetime:
    return datetime.now(UTC)


def document_info(doc: KbDocument) -> DocumentInfo:
    return DocumentInfo(
        doc_id=doc.id,
        title=doc.title,
        source_kind=doc.source_kind,
        url=doc.url,
        chunks=doc.chunk_count,
        pages=doc.pages,
        added_by=doc.added_by,
        # SQLite hands timestamps back naive; they were written in UTC.
        added_at=doc.added_at.replace(tzinfo=UTC) if doc.added_at.tzinfo is None else doc.added_at,
        status=doc.status,
    )


def find_by_hash(*, session: Session, workspace_id: str, content_hash: str) -> KbDocument | None:
    """The workspace's document with this content, ready or still being added (the unique
    index on workspace and hash allows one)."""
    return session.scalars(
        select(KbDocument).where(
            KbDocument.workspace_id == workspace_id, KbDocument.content_hash == content_hash
        )
    ).first()


def find_ready_by_source(
    *, session: Session, workspace_id: str, source_key: str
) -> list[KbDocument]:
    return list(
        session.scalars(
            select(KbDocument).where(
                KbDocument.workspace_id == workspace_id,
                KbDocument.source_key == source_key,
                KbDocument.status == READY,
            )
        )
    )


def get_document(*, session: Session, workspace_id: str, doc_id: str) -> KbDocument | None:
    return session.scalars(
        select(KbDocument).where(KbDocument.workspace_id == workspace_id, KbDocument.id == doc_id)
    ).first()


def list_ready(*, session: Session, workspace_id: str) -> list[KbDocument]:
    return list(
        session.scalars(
            select(KbDocument)
            .where(KbDocument.workspace_id == workspace_id, KbDocument.status == READY)
            .order_by(KbDocument.added_at.desc(), KbDocument.title)
        )
    )


def count_ready_chunks(*, session: Session, workspace_id: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(KbDocument.chunk_count), 0)).where(
            KbDocument.workspace_id == workspace_id, KbDocument.status == READY
        )
    )
    return int(total or 0)


def create_pending(
    *,
    session: Session,
    doc_id: str,
    workspace_id: str,
    title: str,
    source_kind: str,
    source_key: str,
    url: str | None,
    content_hash: str,
    chunk_count: int,
    pages: int | None,
    added_by: str | None,
) -> None:
    stamp = now()
    session.add(
        KbDocument(
            id=doc_id,
            workspace_id=workspace_id,
            title=title[:500],
            source_kind=source_kind,
            source_key=source_key[:2048],
            url=url[:2048] if url else None,
            content_hash=content_hash,
            chunk_count=chunk_count,
            pages=pages,
            added_by=added_by,
            added_at=stamp,
            updated_at=stamp,
            status=PENDING,
        )
    )


def touch(*, session: Session, doc_id: str) -> None:
    session.execute(update(KbDocument).where(KbDocument.id == doc_id).values(updated_at=now()))


def insert_chunks(
    *, session: Session, workspace_id: str, doc_id: str, chunks: Sequence[Chunk]
) -> None:
    if not chunks:
        return
    session.execute(
        insert(KbChunk),
        [
            {
                "chunk_id": chunk_id(doc_id, n),
                "workspace_id": workspace_id,
                "doc_id": doc_id,
                "n": n,
                "section": c.section[:500] if c.section else None,
                "page": c.page,
                "text": c.text,
                "origins": list(c.origins) or None,
            }
            for n, c in enumerate(chunks)
        ],
    )


def insert_statements(
    *, session: Session, workspace_id: str, statements: Sequence[TypedStatement]
) -> None:
    """Typed statements of chunks already inserted (or being inserted in this transaction)."""
    if not statements:
        return
    session.execute(
        insert(KbStatement),
        [
            {
                "workspace_id": workspace_id,
                "doc_id": t.chunk_id.rsplit("#", 1)[0],
                "chunk_id": t.chunk_id,
                "position": t.statement.position,
                "text": t.statement.text,
                "heading": t.statement.heading[:500] if t.statement.heading else None,
                "kind": t.kind,
                "confidence": round(t.confidence, 4),
                "vector": t.vector.tobytes(),
            }
            for t in statements
        ],
    )


def replace_statements(
    *, session: Session, workspace_id: str, statements: Sequence[TypedStatement]
) -> None:
    """A reindex types every chunk again: the new statements of still-present chunks replace
    the old ones (chunks gone meanwhile are skipped; their rows went with their document)."""
    present = set(
        session.scalars(select(KbChunk.chunk_id).where(KbChunk.workspace_id == workspace_id))
    )
    chunk_ids = sorted({t.chunk_id for t in statements if t.chunk_id in present})
    for start in range(0, len(chunk_ids), 500):
        batch = chunk_ids[start : start + 500]
        session.execute(delete(KbStatement).where(KbStatement.chunk_id.in_(batch)))
    insert_statements(
        session=session,
        workspace_id=workspace_id,
        statements=[t for t in statements if t.chunk_id in present],
    )


@dataclass(frozen=True)
class StoredStatement:
    chunk_id: str
    doc_id: str
    position: int
    text: str
    heading: str | None
    kind: str
    confidence: float
    vector: bytes | None


def load_statements(
    *, session: Session, workspace_id: str, kinds: Sequence[str] | None = None
) -> list[StoredStatement]:
    """Statements of a workspace's ready documents, in document order."""
    query = (
        select(
            KbStatement.chunk_id,
            KbStatement.doc_id,
            KbStatement.position,
            KbStatement.text,
            KbStatement.heading,
            KbStatement.kind,
            KbStatement.confidence,
            KbStatement.vector,
        )
        .join(KbDocument, KbDocument.id == KbStatement.doc_id)
        .where(KbStatement.workspace_id == workspace_id, KbDocument.status == READY)
        .order_by(KbStatement.id)
    )
    if kinds is not None:
        query = query.where(KbStatement.kind.in_(list(kinds)))
    return [StoredStatement(*row) for row in session.execute(query)]


def mark_ready(*, session: Session, doc_id: str) -> None:
    session.execute(
        update(KbDocument).where(KbDocument.id == doc_id).values(status=READY, updated_at=now())
    )


def delete_documents(*, session: Session, doc_ids: Sequence[str]) -> None:
    if not doc_ids:
        return
    # Chunks first: FTS triggers fire on these deletes even where FK cascades are off.
    session.execute(delete(KbStatement).where(KbStatement.doc_id.in_(doc_ids)))
    session.execute(delete(KbChunk).where(KbChunk.doc_id.in_(doc_ids)))
    session.execute(delete(KbDocument).where(KbDocument.id.in_(doc_ids)))


def stale_pending(
    *, session: Session, workspace_id: str, older_than: timedelta
) -> list[KbDocument]:
    return list(
        session.scalars(
            select(KbDocument).where(
                KbDocument.workspace_id == workspace_id,
                KbDocument.status == PENDING,
                KbDocument.updated_at < now() - older_than,
            )
        )
    )


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    doc_id: str
    title: str
    text: str
    section: str | None
    page: int | None
    url: str | None
    source_kind: str
    origins: list[str] | None = None


def load_chunks(
    *, session: Session, workspace_id: str, chunk_ids: Sequence[str]
) -> dict[str, StoredChunk]:
    """Chunks of ready documents only: vectors left over from a failed delete never surface."""
    if not chunk_ids:
        return {}
    rows = session.execute(
        select(
            KbChunk.chunk_id,
            KbChunk.doc_id,
            KbDocument.title,
            KbChunk.text,
            KbChunk.section,
            KbChunk.page,
            KbDocument.url,
            KbDocument.source_kind,
            KbChunk.origins,
            KbChunk.workspace_id,
        )
        .join(KbDocument, KbDocument.id == KbChunk.doc_id)
        .where(KbChunk.chunk_id.in_(list(chunk_ids)), KbDocument.status == READY)
    )
    # The workspace is checked here rather than in SQL: with both conditions, SQLite's planner
    # (no statistics) walks the whole workspace index instead of the few unique chunk ids.
    return {
        row.chunk_id: StoredChunk(*row[:9])  # all but the workspace
        for row in rows
        if row.workspace_id == workspace_id
    }


def all_ready_chunks(*, session: Session, workspace_id: str) -> list[StoredChunk]:
    """Every ready chunk with its document's metadata, for a reindex."""
    rows = session.execute(
        select(
            KbChunk.chunk_id,
            KbChunk.doc_id,
            KbDocument.title,
            KbChunk.text,
            KbChunk.section,
            KbChunk.page,
            KbDocument.url,
            KbDocument.source_kind,
            KbChunk.origins,
        )
        .join(KbDocument, KbDocument.id == KbChunk.doc_id)
        .where(KbChunk.workspace_id == workspace_id, KbDocument.status == READY)
        .order_by(KbChunk.id)
    )
    return [StoredChunk(*row) for row in rows]


def delete_workspace(*, session: Session, workspace_id: str) -> None:
    session.execute(delete(KbStatement).where(KbStatement.workspace_id == workspace_id))
    session.execute(delete(KbChunk).where(KbChunk.workspace_id == workspace_id))
    session.execute(delete(KbDocument).where(KbDocument.workspace_id == workspace_id))
