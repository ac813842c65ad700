"""KnowledgeBase: add, find, list and remove a workspace's documents, keeping SQL and Chroma in step."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from chromadb.api import ClientAPI
from langchain_core.embeddings import Embeddings
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from knowledge import registry
from knowledge.catalog import DocumentCatalog
from knowledge.chroma_embedding import LangChainEmbeddingFunction
from knowledge.chunking import split
from knowledge.embedding_models import embedding_model_id, make_embeddings
from knowledge.errors import IngestError, KnowledgeError
from knowledge.extract import CONTENT_TYPES, Block, Extracted, detect_format, extract
from knowledge.fusion import reciprocal_rank_fusion
from knowledge.indexing import (
    Progress,
    embed_into,
    entries_for_document,
    entries_for_stored,
)
from knowledge.keyword_index import TermCounts, search_keywords
from knowledge.minilm import MiniLMEmbeddings
from knowledge.settings import EmbeddingSettings, KnowledgeSettings
from knowledge.statement_typing import StatementTyper
from knowledge.types import DocumentInfo, Hit, IngestResult
from knowledge.url_fetch import fetch_url
from knowledge.vector_store import VectorStore

log = logging.getLogger(__name__)

SearchMode = Literal["hybrid", "vector", "keyword"]


@dataclass(frozen=True)
class _Source:
    """Everything known about a document before its text is read."""

    name: str  # shown in messages until a title is known
    title: str | None
    source_kind: str
    source_key: str
    url: str | None
    content_hash: str
    added_by: str | None


class KnowledgeBase:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        chroma: ClientAPI,
        embeddings: Embeddings,
        model_id: str,
        settings: KnowledgeSettings | None = None,
    ) -> None:
        self.sessions = sessions
        self.catalog = DocumentCatalog(sessions)
        self.embeddings = embeddings
        self.model_id = model_id
        self.settings = settings or KnowledgeSettings()
        self.vectors = VectorStore(chroma, LangChainEmbeddingFunction(embeddings, model_id))
        # The classifier reads MiniLM vectors: shared with the store's model when that is
        # MiniLM (one pass types the statements too), else a MiniLM of its own.
        self.typer = StatementTyper(
            embeddings if isinstance(embeddings, MiniLMEmbeddings) else None
        )
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
        source = _Source(
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
        source = _Source(
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

    def _ingest(
        self,
        workspace_id: str,
        source: _Source,
        load: Callable[[], Extracted],
        on_progress: Progress | None,
    ) -> IngestResult:
        self.clean_interrupted(workspace_id)
        with session_scope(self.sessions) as session:
            same = registry.find_ready_by_hash(
                session=session, workspace_id=workspace_id, content_hash=source.content_hash
            )
            if same is not None:
                counts = _counts(same.chunk_count, same.pages)
                return IngestResult(
                    doc_id=same.id,
                    title=same.title,
                    chunks=same.chunk_count,
                    pages=same.pages,
                    status="unchanged",
                    message=f"Already up to date: “{same.title}” ({counts}); nothing changed.",
                    source_kind=same.source_kind,
                    url=same.url,
                )
        extracted = load()
        chunks = split(
            extracted, chunk_size=self.settings.chunk_size, overlap=self.settings.chunk_overlap
        )
        title = source.title or extracted.title or Path(source.name).stem or source.name
        if not chunks:
            raise IngestError(f"“{source.name}” has no text to add.")
        # Opening the collection first surfaces a model mismatch before anything is written.
        collection = self.vectors.open(workspace_id, create=True)
        assert collection is not None
        with session_scope(self.sessions) as session:
            previous = [
                d.id
                for d in registry.find_ready_by_source(
                    session=session, workspace_id=workspace_id, source_key=source.source_key
                )
            ]
        doc_id = uuid.uuid4().hex[:12]
        with session_scope(self.sessions) as session:
            registry.create_pending(
                session=session,
                doc_id=doc_id,
                workspace_id=workspace_id,
                title=title,
                source_kind=source.source_kind,
                source_key=source.source_key,
                url=source.url,
                content_hash=source.content_hash,
                chunk_count=len(chunks),
                pages=extracted.pages,
                added_by=source.added_by,
            )
        entries = entries_for_document(
            doc_id=doc_id,
            title=title,
            source_kind=source.source_kind,
            url=source.url,
            chunks=chunks,
        )
        try:
            statements = embed_into(
                collection,
                entries,
                embeddings=self.embeddings,
                vectors=self.vectors,
                typer=self.typer,
                on_progress=on_progress,
                after_step=lambda: self._heartbeat(doc_id),
            )
            with session_scope(self.sessions) as session:
                registry.insert_chunks(
                    session=session, workspace_id=workspace_id, doc_id=doc_id, chunks=chunks
                )
                registry.insert_statements(
                    session=session, workspace_id=workspace_id, statements=statements
                )
                registry.mark_ready(session=session, doc_id=doc_id)
                registry.delete_documents(session=session, doc_ids=previous)
        except BaseException as exc:
            self._discard(workspace_id, doc_id)
            if isinstance(exc, KnowledgeError) or not isinstance(exc, Exception):
                raise
            raise IngestError(f"Could not add “{title}”: {exc}. Nothing was stored.") from exc
        self._delete_vectors_quietly(workspace_id, previous)
        counts = _counts(len(chunks), extracted.pages)
        return IngestResult(
            doc_id=doc_id,
            title=title,
            chunks=len(chunks),
            pages=extracted.pages,
            status="replaced" if previous else "added",
            message=(
                f"Updated “{title}” ({counts}); the previous version was replaced."
                if previous
                else f"Added “{title}” ({counts})."
            ),
            source_kind=source.source_kind,
            url=source.url,
        )

    def _heartbeat(self, doc_id: str) -> None:
        """Mark a pending document as still being written, so recovery leaves it alone."""
        with session_scope(self.sessions) as session:
            registry.touch(session=session, doc_id=doc_id)

    def _discard(self, workspace_id: str, doc_id: str) -> None:
        """Undo a failed ingest. If Chroma is unreachable the pending row stays for recovery."""
        try:
            self.vectors.delete_documents(workspace_id, [doc_id])
        except Exception:
            log.exception("could not delete chunks of failed ingest %s; left for recovery", doc_id)
            return
        with session_scope(self.sessions) as session:
            registry.delete_documents(session=session, doc_ids=[doc_id])

    def _delete_vectors_quietly(self, workspace_id: str, doc_ids: Sequence[str]) -> None:
        # The SQL rows are gone, so search already ignores these vectors; a failure here only
        # leaves dead weight until the next reindex.
        try:
            self.vectors.delete_documents(workspace_id, doc_ids)
        except Exception:
            log.exception("could not delete old chunks of %s", list(doc_ids))

    def _check_size(self, name: str, size: int) -> None:
        limit = self.settings.max_file_bytes
        if size > limit:
            raise IngestError(
                f"“{name}” is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB."
            )

    # ---- recovery -----------------------------------------------------------------------

    def clean_interrupted(self, workspace_id: str) -> list[DocumentInfo]:
        """Remove what a crashed ingest left behind (pending rows untouched for a while)."""
        older_than = timedelta(seconds=self.settings.stale_ingest_seconds)
        with session_scope(self.sessions) as session:
            stale = [
                registry.document_info(d)
                for d in registry.stale_pending(
                    session=session, workspace_id=workspace_id, older_than=older_than
                )
            ]
        cleaned = []
        for doc in stale:
            try:
                self.vectors.delete_documents(workspace_id, [doc.doc_id])
            except Exception:
                log.exception("could not clean up interrupted ingest %s", doc.doc_id)
                continue
            with session_scope(self.sessions) as session:
                registry.delete_documents(session=session, doc_ids=[doc.doc_id])
            cleaned.append(doc)
            log.warning(
                "cleaned up interrupted ingest of %r (doc %s) in workspace %s",
                doc.title,
                doc.doc_id,
                workspace_id,
            )
        return cleaned

    # ---- finding ------------------------------------------------------------------------

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
            hits.append(
                Hit(
                    source_id=cid,
                    doc_id=chunk.doc_id,
                    title=chunk.title,
                    text=chunk.text,
                    score=round(scores[cid], 6),
                    section=chunk.section,
                    url=chunk.url,
                    source_kind=chunk.source_kind,
                    page=chunk.page,
                )
            )
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
        return [
            Hit(
                source_id=c.chunk_id,
                doc_id=c.doc_id,
                title=c.title,
                text=c.text,
                score=0.0,
                section=c.section,
                url=c.url,
                source_kind=c.source_kind,
                page=c.page,
            )
            for cid in chunk_ids
            if (c := stored.get(cid)) is not None
        ]

    def list_documents(self, workspace_id: str) -> list[DocumentInfo]:
        return self.catalog.list_documents(workspace_id)

    def count_chunks(self, workspace_id: str) -> int:
        return self.catalog.count_chunks(workspace_id)

    def _keyword_ranking(self, workspace_id: str, query: str, limit: int) -> list[str]:
        with session_scope(self.sessions) as session:
            return search_keywords(
                session=session,
                workspace_id=workspace_id,
                query=query,
                limit=limit,
                counts=self.term_counts,
            )

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


def _counts(chunks: int, pages: int | None) -> str:
    text = f"{chunks} chunk{'s' if chunks != 1 else ''}"
    if pages:
        text += f", {pages} page{'s' if pages != 1 else ''}"
    return text
