"""KnowledgeBase: add, find, list and remove a workspace's documents, keeping SQL and Chroma in step."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from chromadb.api import ClientAPI
from langchain_core.embeddings import Embeddings
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from knowledge import registry
from knowledge.catalog import DocumentCatalog
from knowledge.chroma_embedding import LangChainEmbeddingFunction
from knowledge.embedding_models import embedding_model_id, make_embeddings
from knowledge.errors import IngestError
from knowledge.extract import CONTENT_TYPES, Block, Extracted, detect_format, extract
from knowledge.indexing import (
    Progress,
    embed_into,
    entries_for_stored,
)
from knowledge.ingest_pipeline import IngestPipeline, Source
from knowledge.minilm import MiniLMEmbeddings
from knowledge.settings import EmbeddingSettings, KnowledgeSettings
from knowledge.statement_typing import StatementTyper
from knowledge.types import DocumentInfo, IngestResult, Passage
from knowledge.url_fetch import fetch_url
from knowledge.vector_store import VectorStore

log = logging.getLogger(__name__)


class KnowledgeBase(IngestPipeline):
    """Search (knowledge/search.py) and the ingest pipeline (knowledge/ingest_pipeline.py), with
    the public ways to add, list, remove and rebuild a workspace's knowledge."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        chroma: ClientAPI,
        embeddings: Embeddings,
        model_id: str,
        settings: KnowledgeSettings | None = None,
    ) -> None:
        super().__init__(
            sessions=sessions,
            vectors=VectorStore(chroma, LangChainEmbeddingFunction(embeddings, model_id)),
            embeddings=embeddings,
            # The classifier reads MiniLM vectors: shared with the store's model when that is
            # MiniLM (one pass types the statements too), else a MiniLM of its own.
            typer=StatementTyper(embeddings if isinstance(embeddings, MiniLMEmbeddings) else None),
        )
        self.catalog = DocumentCatalog(sessions)
        self.model_id = model_id
        self.settings = settings or KnowledgeSettings()

    # ---- adding -------------------------------------------------------------------------

    def add_text(
        self,
        workspace_id: str,
        *,
        title: str,
        text: str,
        added_by: str | None = None,
        source_kind: str = "text",
        url: str | None = None,
        on_progress: Progress | None = None,
    ) -> IngestResult:
        """Pasted text, or a final draft / closed retro (source_kind "draft" / "retro")."""
        if not text.strip():
            raise IngestError("There is no text to add.")
        self._check_size(title or "The text", len(text.encode("utf-8")))
        title = title.strip() or text.strip().splitlines()[0][:80]
        source = Source(
            name=title,
            title=title,
            source_kind=source_kind,
            source_key=url or f"{source_kind}:{title}",
            url=url,
            content_hash=_sha256(text.encode("utf-8")),
            added_by=added_by,
        )
        # Pasted text is read as Markdown so its headings become sections.
        load = lambda: Extracted("text", [Block(text)], has_headings=True)  # noqa: E731
        return self._ingest(workspace_id, source, load, on_progress)

    def add_passages(
        self,
        workspace_id: str,
        *,
        title: str,
        passages: Sequence[Passage],
        added_by: str | None = None,
        source_kind: str = "draft",
        on_progress: Progress | None = None,
    ) -> IngestResult:
        """Knowledge already cut into pieces (a final draft's items), each its own chunk that
        keeps the chunk ids of the documents it came from, so drafts that use it cite those."""
        kept = [p for p in passages if p.text.strip()]
        if not kept:
            raise IngestError("There is no text to add.")
        canonical = json.dumps([[p.section, p.text, list(p.origins)] for p in kept])
        self._check_size(title, len(canonical.encode("utf-8")))
        source = Source(
            name=title,
            title=title,
            source_kind=source_kind,
            source_key=f"{source_kind}:{title}",
            url=None,
            content_hash=_sha256(canonical.encode("utf-8")),
            added_by=added_by,
        )
        blocks = [Block(p.text.strip(), section=p.section, origins=p.origins) for p in kept]
        load = lambda: Extracted("text", blocks)  # noqa: E731
        return self._ingest(workspace_id, source, load, on_progress)

    def add_bytes(
        self,
        workspace_id: str,
        *,
        filename: str,
        data: bytes,
        title: str | None = None,
        added_by: str | None = None,
        url: str | None = None,
        source_kind: str | None = None,
        on_progress: Progress | None = None,
        content_type: str | None = None,
    ) -> IngestResult:
        """A file's contents; the format comes from the file name, else the content itself."""
        return self._add_file(
            workspace_id,
            filename=filename,
            data=data,
            title=title,
            added_by=added_by,
            url=url,
            source_kind=source_kind,
            on_progress=on_progress,
            kind=detect_format(filename, data, content_type) if data.strip() else None,
        )

    def add_path(
        self,
        workspace_id: str,
        path: str | Path,
        *,
        added_by: str | None = None,
        on_progress: Progress | None = None,
    ) -> IngestResult:
        file = Path(path).expanduser()
        if not file.exists():
            raise IngestError(f"No such file: {path}")
        if not file.is_file():
            raise IngestError(f"{path} is not a file.")
        self._check_size(file.name, file.stat().st_size)
        return self.add_bytes(
            workspace_id,
            filename=file.name,
            data=file.read_bytes(),
            added_by=added_by,
            on_progress=on_progress,
        )

    def add_url(
        self,
        workspace_id: str,
        url: str,
        *,
        added_by: str | None = None,
        on_progress: Progress | None = None,
    ) -> IngestResult:
        fetched = fetch_url(
            url.strip(),
            max_bytes=self.settings.max_file_bytes,
            timeout=self.settings.url_timeout_seconds,
            allow_private=self.settings.allow_private_urls,
        )
        base_type = (fetched.content_type or "").split(";")[0].strip().lower()
        # A server's declared type beats a URL's extension (".md" pages served as HTML),
        # except for the generic types servers fall back to.
        if base_type in CONTENT_TYPES and base_type != "text/plain":
            kind = CONTENT_TYPES[base_type]
        else:
            kind = detect_format(fetched.filename, fetched.data, fetched.content_type)
        return self._add_file(
            workspace_id,
            filename=fetched.filename,
            data=fetched.data,
            title=None,
            added_by=added_by,
            url=fetched.url,
            source_kind="url",
            on_progress=on_progress,
            kind=kind,
            charset=fetched.charset,
            source_key=url.strip(),
        )

    def _add_file(
        self,
        workspace_id: str,
        *,
        filename: str,
        data: bytes,
        title: str | None,
        added_by: str | None,
        url: str | None,
        source_kind: str | None,
        on_progress: Progress | None,
        kind: str | None,
        charset: str | None = None,
        source_key: str | None = None,
    ) -> IngestResult:
        self._check_size(filename, len(data))
        if kind is None or not data.strip():
            raise IngestError(f"“{filename}” is empty.")
        source = Source(
            name=filename,
            title=title,
            source_kind=source_kind or kind,
            source_key=source_key or url or f"file:{filename}",
            url=url,
            content_hash=_sha256(data),
            added_by=added_by,
        )
        max_bytes = self.settings.max_file_bytes

        def load() -> Extracted:
            return extract(
                filename=filename, data=data, kind=kind, max_bytes=max_bytes, charset=charset
            )

        return self._ingest(workspace_id, source, load, on_progress)

    # ---- listing --------------------------------------------------------------------------

    def list_documents(self, workspace_id: str) -> list[DocumentInfo]:
        return self.catalog.list_documents(workspace_id)

    def count_chunks(self, workspace_id: str) -> int:
        return self.catalog.count_chunks(workspace_id)

    # ---- removing and rebuilding --------------------------------------------------------

    def remove(self, workspace_id: str, doc_id: str) -> bool:
        with session_scope(self.sessions) as session:
            doc = registry.get_document(session=session, workspace_id=workspace_id, doc_id=doc_id)
            if doc is None:
                return False
            registry.delete_documents(session=session, doc_ids=[doc_id])
        self._delete_vectors_quietly(workspace_id, [doc_id])
        return True

    def reindex(self, workspace_id: str, on_progress: Progress | None = None) -> int:
        """Re-embed every chunk from the SQL copy with the current model and type its statements
        again (knowledge added before typed statements existed gets them here); returns the count."""
        self.clean_interrupted(workspace_id)
        with session_scope(self.sessions) as session:
            chunks = registry.all_ready_chunks(session=session, workspace_id=workspace_id)
        rebuilt = self.vectors.start_rebuild(workspace_id)
        try:
            statements = embed_into(
                rebuilt,
                entries_for_stored(chunks),
                embeddings=self.embeddings,
                vectors=self.vectors,
                typer=self.typer,
                on_progress=on_progress,
            )
            self.vectors.finish_rebuild(workspace_id, rebuilt)
            with session_scope(self.sessions) as session:
                registry.replace_statements(
                    session=session, workspace_id=workspace_id, statements=statements
                )
        except BaseException:
            self.vectors.abandon_rebuild(rebuilt)
            raise
        # Documents added or removed while the rebuild ran.
        with session_scope(self.sessions) as session:
            now_ready = registry.all_ready_chunks(session=session, workspace_id=workspace_id)
        indexed = {c.chunk_id for c in chunks}
        missing = [c for c in now_ready if c.chunk_id not in indexed]
        collection = self.vectors.open(workspace_id, create=True)
        assert collection is not None
        if missing:
            late = embed_into(
                collection,
                entries_for_stored(missing),
                embeddings=self.embeddings,
                vectors=self.vectors,
                typer=self.typer,
            )
            with session_scope(self.sessions) as session:
                registry.replace_statements(
                    session=session, workspace_id=workspace_id, statements=late
                )
        gone = indexed - {c.chunk_id for c in now_ready}
        if gone:
            collection.delete(ids=sorted(gone))
        return len(now_ready)

    def forget_workspace(self, workspace_id: str) -> None:
        """Everything the workspace stored: its registry rows and its collection."""
        with session_scope(self.sessions) as session:
            registry.delete_workspace(session=session, workspace_id=workspace_id)
        self.vectors.drop(workspace_id)


def build_knowledge_base(
    *,
    sessions: sessionmaker[Session],
    chroma: ClientAPI,
    embedding: EmbeddingSettings,
    knowledge: KnowledgeSettings,
) -> KnowledgeBase:
    """The service from settings; the embedding model itself loads on first use."""
    return KnowledgeBase(
        sessions=sessions,
        chroma=chroma,
        embeddings=make_embeddings(embedding),
        model_id=embedding_model_id(embedding),
        settings=knowledge,
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
