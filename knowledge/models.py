"""SQL tables of the knowledge base: the document registry, chunk text for keyword search, typed statements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

PENDING = "pending"
READY = "ready"


class KbDocument(Base):
    __tablename__ = "kb_documents"
    __table_args__ = (
        Index("ix_kb_documents_workspace_source", "workspace_id", "source_key"),
        # One document per content in a workspace: two identical adds at once store one.
        Index("ix_kb_documents_workspace_hash", "workspace_id", "content_hash", unique=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    source_kind: Mapped[str] = mapped_column(String(32))
    # What identifies "the same document" when it is added again: URL, file name or title.
    source_key: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str | None] = mapped_column(String(2048))
    content_hash: Mapped[str] = mapped_column(String(64))
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int | None] = mapped_column(Integer)
    added_by: Mapped[str | None] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Touched while an ingest runs, so a crashed one can be told from a slow one.
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    status: Mapped[str] = mapped_column(String(16), default=PENDING)


class KbChunk(Base):
    """Chunk text in SQL: the keyword index (FTS5 / tsvector) and citations read it from here."""

    __tablename__ = "kb_chunks"

    # Integer key so SQLite FTS5 can use it as the external-content rowid.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chunk_id: Mapped[str] = mapped_column(String(64), unique=True)  # "<doc_id>#<n>"
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    doc_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("kb_documents.id", ondelete="CASCADE"), index=True
    )
    n: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(500))
    page: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # Chunk ids of the documents this chunk's text came from, for knowledge drawn from other
    # knowledge (a final draft's items): drafts that use the chunk cite those instead.
    origins: Mapped[list[str] | None] = mapped_column(JSON)


class KbStatement(Base):
    """One typed statement of a chunk (sentence, bullet or table row); drafts read these."""

    __tablename__ = "kb_statements"
    __table_args__ = (
        Index("ix_kb_statements_workspace_kind", "workspace_id", "kind"),
        Index("ix_kb_statements_doc", "doc_id"),
        Index("ix_kb_statements_chunk", "chunk_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    doc_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("kb_documents.id", ondelete="CASCADE")
    )
    chunk_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    heading: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    # float16 MiniLM vector, 768 bytes: relevance to a subject or lens without re-embedding.
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
