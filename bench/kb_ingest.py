"""Ingestion throughput: chunks/s of `KnowledgeBase.add_path` over ~2,000 Markdown chunks,
against the raw throughput of the same embedding model and batch size in the same run.

    .venv/bin/python bench/kb_ingest.py [--docs 90] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from kb_synthetic import (
    markdown_document,  # sibling module: bench/ is on sys.path when run as a script
)

from bot import migrate
from core.db import make_engine, make_session_factory
from knowledge.settings import EmbeddingSettings, KnowledgeSettings
from knowledge.chroma_client import make_chroma_client
from knowledge.chunking import split
from knowledge.extract import extract
from knowledge.indexing import STEP_CHUNKS
from knowledge.minilm import MiniLMEmbeddings
from knowledge.service import KnowledgeBase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=90, help="documents of ~22 chunks each")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kb-ingest-"))
    folder = work / "docs"
    folder.mkdir()
    rng = random.Random(7)
    for i in range(args.docs):
        text = markdown_document(rng, f"Planning memo {i}", sections=10, paragraphs=3)
        (folder / f"memo-{i:03}.md").write_text(text, encoding="utf-8")

    settings = KnowledgeSettings()
    embedding = EmbeddingSettings()
    model = MiniLMEmbeddings(batch_size=embedding.batch_size)
    engine = make_engine(args.database_url or f"sqlite:///{work / 'alignbot.db'}")
    migrate.upgrade(engine)
    kb = KnowledgeBase(
        sessions=make_session_factory(engine),
        chroma=make_chroma_client(path=work / "chroma"),
        embeddings=model,
        model_id="builtin:all-MiniLM-L6-v2",
        settings=settings,
    )

    # The texts the ingest will embed, chunked exactly as the ingest chunks them.
    texts: list[str] = []
    for path in sorted(folder.iterdir()):
        extracted = extract(
            filename=path.name, data=path.read_bytes(), kind="markdown", max_bytes=10**9
        )
        title = extracted.title or path.stem
        chunks = split(extracted, chunk_size=settings.chunk_size, overlap=settings.chunk_overlap)
        texts += [c.embedding_text(title) for c in chunks]
    model.embed_documents(texts[:64])  # load the model and warm up, outside both timings

    started = time.perf_counter()
    for i in range(0, len(texts), STEP_CHUNKS):
        model.embed_documents(texts[i : i + STEP_CHUNKS])
    raw_seconds = time.perf_counter() - started

    started = time.perf_counter()
    ingested = sum(kb.add_path("TBENCH", path).chunks for path in sorted(folder.iterdir()))
    ingest_seconds = time.perf_counter() - started

    assert ingested == len(texts), (ingested, len(texts))
    raw_rate = len(texts) / raw_seconds
    ingest_rate = ingested / ingest_seconds
    avg_chars = sum(len(t) for t in texts) / len(texts)
    print(
        f"corpus: {args.docs} Markdown files, {ingested} chunks, {avg_chars:.0f} chars/chunk on average"
    )
    print(f"database: {engine.dialect.name}; chroma: embedded PersistentClient")
    print(
        f"raw embedding  (MiniLM int8, batch {model.batch_size}, {STEP_CHUNKS} texts per call): "
        f"{raw_rate:7.1f} chunks/s  ({raw_seconds:.1f} s)"
    )
    print(
        f"full ingestion (read, chunk, embed, Chroma + SQL + FTS, per file):          "
        f"{ingest_rate:7.1f} chunks/s  ({ingest_seconds:.1f} s)"
    )
    print(f"ratio ingestion / raw embedding: {ingest_rate / raw_rate:.2f}  (goal >= 0.8)")


if __name__ == "__main__":
    main()
