"""Embedding chunks and typing their statements in one pass through the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.minilm import MiniLMEmbeddings
from knowledge.statement_classifier import StatementClassifier
from knowledge.statements import Statement, split_chunk


@dataclass(frozen=True)
class TypedStatement:
    chunk_id: str
    statement: Statement
    kind: str
    confidence: float
    vector: np.ndarray  # unit MiniLM vector (float16), for relevance ranking at draft time


@dataclass(frozen=True)
class ChunkText:
    """What the typer needs of a chunk: its id, the text embedded and the chunk text within it."""

    chunk_id: str
    embedding_text: str
    text: str
    section: str | None


class StatementTyper:
    """Splits chunks into statements and types them, reusing the chunk embedding pass.

    With the built-in MiniLM as the knowledge base's model, each statement's vector is pooled
    from its chunk's token states (no extra model pass). With another embedding model, the
    classifier still needs MiniLM vectors, so statements are embedded by MiniLM on their own.
    """

    def __init__(
        self, minilm: MiniLMEmbeddings | None = None, classifier: StatementClassifier | None = None
    ) -> None:
        self._minilm = minilm
        self.classifier = classifier or StatementClassifier()

    @property
    def minilm(self) -> MiniLMEmbeddings:
        if self._minilm is None:
            self._minilm = MiniLMEmbeddings()
        return self._minilm

    def embed_and_type(
        self, embeddings: Embeddings, chunks: Sequence[ChunkText]
    ) -> tuple[list[list[float]], list[TypedStatement]]:
        """The chunk vectors for the vector store, and every typed statement of the chunks."""
        split = [split_chunk(c.text, c.section) for c in chunks]
        if isinstance(embeddings, MiniLMEmbeddings):
            spans = []
            for chunk, statements in zip(chunks, split, strict=True):
                offset = len(chunk.embedding_text) - len(chunk.text)
                spans.append([(offset + s.start, offset + s.end) for s in statements])
            vectors, pooled = embeddings.embed_with_spans([c.embedding_text for c in chunks], spans)
            chunk_vectors = vectors.tolist()
        else:
            chunk_vectors = embeddings.embed_documents([c.embedding_text for c in chunks])
            flat = self.minilm.embed_array([s.text for group in split for s in group])
            pooled, at = [], 0
            for group in split:
                pooled.append(flat[at : at + len(group)])
                at += len(group)
        # One classifier pass for the whole step: per chunk, the call overhead cost more than
        # the arithmetic.
        owners = [chunk.chunk_id for chunk, group in zip(chunks, split, strict=True) for _ in group]
        statements = [statement for group in split for statement in group]
        vectors = np.vstack([v for v in pooled if len(v)]) if statements else np.zeros((0, 384))
        labels = self.classifier.classify(vectors, statements)
        typed = [
            TypedStatement(owner, statement, kind, confidence, vector.astype(np.float16))
            for owner, statement, vector, (kind, confidence) in zip(
                owners, statements, vectors, labels, strict=True
            )
        ]
        return chunk_vectors, typed
