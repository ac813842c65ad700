"""The ingest pipeline: extracted text becomes chunks, vectors and typed statements, with SQL
and Chroma kept in step.

A document is written as "pending" first and marked ready only when its chunks, vectors and
statements are all stored; a failure removes what was written, and recovery cleans what a
crash left (`clean_interrupted`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from core.db import session_scope
from knowledge import registry
from knowledge.chunking import split
from knowledge.errors import IngestError, KnowledgeError
from knowledge.extract import Extracted
from knowledge.indexing import Progress, embed_into, entries_for_document
from knowledge.models import READY
from knowledge.search import KnowledgeSearch
from knowledge.settings import KnowledgeSettings
from knowledge.types import DocumentInfo, IngestResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """Everything known about a document before its text is read."""

    name: str  # shown in messages until a title is known
    title: str | None
    source_kind: str
    source_key: str
    url: str | None
    content_hash: str
    added_by: str | None


class IngestPipeline(KnowledgeSearch):
    settings: KnowledgeSettings

    def _ingest(
        self,
        workspace_id: str,
        source: Source,
        load: Callable[[], Extracted],
        on_progress: Progress | None,
    ) -> IngestResult:
        self.clean_interrupted(workspace_id)
        if (same := self._same_content(workspace_id, source)) is not None:
            return same
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
        try:
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
        except IntegrityError:
            # The same content was claimed by another request since the check above (a
            # double click, two workers): the unique index on workspace and hash kept one.
            same = self._same_content(workspace_id, source)
            if same is None:  # and that one failed and was discarded meanwhile
                raise IngestError(f"“{title}” could not be added just now; try again.") from None
            return same
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

    def _same_content(self, workspace_id: str, source: Source) -> IngestResult | None:
        """What to answer when the workspace has this content already, or is adding it now."""
        with session_scope(self.sessions) as session:
            same = registry.find_by_hash(
                session=session, workspace_id=workspace_id, content_hash=source.content_hash
            )
            if same is None:
                return None
            counts = _counts(same.chunk_count, same.pages)
            message = (
                f"Already up to date: “{same.title}” ({counts}); nothing changed."
                if same.status == READY
                else f"“{same.title}” is being added already (by another request); it can be "
                "searched as soon as that finishes."
            )
            return IngestResult(
                doc_id=same.id,
                title=same.title,
                chunks=same.chunk_count,
                pages=same.pages,
                status="unchanged",
                message=message,
                source_kind=same.source_kind,
                url=same.url,
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


def _counts(chunks: int, pages: int | None) -> str:
    text = f"{chunks} chunk{'s' if chunks != 1 else ''}"
    if pages:
        text += f", {pages} page{'s' if pages != 1 else ''}"
    return text
