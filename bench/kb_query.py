"""Query latency: top-5 hybrid search (query embedding included) at 10k and 100k chunks in one
workspace, against a raw Chroma query with a precomputed vector on the same collection.

Chunk vectors are random unit vectors inserted directly (embedding 100k chunks would take
half an hour here); chunk text is synthetic Zipf-distributed prose so the keyword index has
realistic posting lists. The search itself is the real `KnowledgeBase.search` path. Tables are
vacuumed and analyzed after each bulk load, as autovacuum would do on Postgres.

    .venv/bin/python bench/kb_query.py [--sizes 10000 100000] [--queries 300] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
from chromadb.api.models.Collection import Collection
from sqlalchemy import insert, text

from bot import migrate
from core.db import make_engine, make_session_factory
from knowledge.settings import KnowledgeSettings
from knowledge.chroma_client import make_chroma_client
from knowledge.keyword_index import TermCounts
from knowledge.minilm import BUILTIN_MODEL_ID, DIMENSIONS, MiniLMEmbeddings
from knowledge.models import READY, KbChunk, KbDocument
from knowledge.service import KnowledgeBase

WORKSPACE = "TQUERYBENCH"
CHUNKS_PER_DOC = 100
INSERT_BATCH = 5000
COMMON = [
    "team",
    "plan",
    "customer",
    "revenue",
    "quarter",
    "release",
    "product",
    "market",
    "growth",
    "risk",
    "hiring",
    "churn",
    "pricing",
    "roadmap",
    "support",
    "sales",
    "data",
    "security",
    "cost",
    "goal",
    "launch",
    "partner",
    "budget",
    "design",
    "feature",
    "users",
    "enterprise",
    "mobile",
    "platform",
    "review",
    "metric",
    "target",
    "process",
    "onboarding",
]


class Prose:
    """Words drawn from a Zipf distribution over a 20k-word vocabulary, like real text."""

    def __init__(self, seed: int = 11, vocabulary: int = 20_000) -> None:
        rng = random.Random(seed)
        syllables = ["ka", "lo", "mi", "ter", "san", "vel", "dro", "pi", "qua", "nor", "es", "tin"]
        invented = {
            "".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(vocabulary * 2)
        }
        self.words = COMMON + sorted(invented)[: vocabulary - len(COMMON)]
        ranks = np.arange(1, len(self.words) + 1)
        weights = 1.0 / ranks**1.07
        self.p = weights / weights.sum()
        self.rng = np.random.default_rng(seed)

    def text(self, words: int) -> str:
        picks = self.rng.choice(len(self.words), size=words, p=self.p)
        return " ".join(self.words[i] for i in picks) + "."

    def query(self) -> str:
        return self.text(int(self.rng.integers(3, 7))).rstrip(".")


def fill(kb: KnowledgeBase, total: int, prose: Prose, start: int) -> None:
    """Add chunks start..total as ready documents, straight into SQL and Chroma."""
    collection = kb.vectors.open(WORKSPACE, create=True)
    assert collection is not None
    rng = np.random.default_rng(start)
    for offset in range(start, total, INSERT_BATCH):
        count = min(INSERT_BATCH, total - offset)
        doc_ids = [uuid.uuid4().hex[:12] for _ in range(count // CHUNKS_PER_DOC)]
        texts = [prose.text(120) for _ in range(count)]
        chunk_rows = [
            {
                "chunk_id": f"{doc_ids[i // CHUNKS_PER_DOC]}#{i % CHUNKS_PER_DOC}",
                "workspace_id": WORKSPACE,
                "doc_id": doc_ids[i // CHUNKS_PER_DOC],
                "n": i % CHUNKS_PER_DOC,
                "section": None,
                "page": None,
                "text": texts[i],
            }
            for i in range(count)
        ]
        with kb.sessions.begin() as session:
            session.execute(
                insert(KbDocument),
                [
                    {
                        "id": d,
                        "workspace_id": WORKSPACE,
                        "title": f"Synthetic memo {d}",
                        "source_kind": "markdown",
                        "source_key": f"file:{d}.md",
                        "content_hash": d,
                        "chunk_count": CHUNKS_PER_DOC,
                        "status": READY,
                    }
                    for d in doc_ids
                ],
            )
            session.execute(insert(KbChunk), chunk_rows)
        vectors = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        collection.add(
            ids=[str(r["chunk_id"]) for r in chunk_rows],
            embeddings=vectors,
            metadatas=[{"doc_id": r["doc_id"], "title": "Synthetic memo"} for r in chunk_rows],
        )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def measure(
    kb: KnowledgeBase,
    model: MiniLMEmbeddings,
    collection: Collection,
    queries: list[str],
    query_vectors: list[list[float]],
) -> dict[str, list[float]]:
    """Milliseconds per query for each mode, interleaved so background load hits all alike."""
    modes: dict[str, Callable[[int], object]] = {
        "hybrid (embed query + Chroma + FTS + fuse + load)": lambda i: kb.search(
            WORKSPACE, queries[i], k=5
        ),
        "vector only via KnowledgeBase": lambda i: kb.search(
            WORKSPACE, queries[i], k=5, mode="vector"
        ),
        "keyword only via KnowledgeBase": lambda i: kb.search(
            WORKSPACE, queries[i], k=5, mode="keyword"
        ),
        "query embedding alone": lambda i: model.embed_query(queries[i]),
        "raw Chroma query, precomputed vector": lambda i: collection.query(
            query_embeddings=[query_vectors[i]],  # type: ignore[arg-type]
            n_results=5,
        ),
    }
    samples: dict[str, list[float]] = {label: [] for label in modes}
    for i in range(len(queries)):
        for label, run in modes.items():
            started = time.perf_counter()
            run(i)
            samples[label].append((time.perf_counter() - started) * 1000)
    return samples


def report(samples: dict[str, list[float]]) -> None:
    for label, values in samples.items():
        p50, p99 = percentiles(values)
        print(f"  {label:<52} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kb-query-"))
    engine = make_engine(args.database_url or f"sqlite:///{work / 'alignbot.db'}")
    migrate.upgrade(engine)
    model = MiniLMEmbeddings()
    kb = KnowledgeBase(
        sessions=make_session_factory(engine),
        chroma=make_chroma_client(path=work / "chroma"),
        embeddings=model,
        model_id=BUILTIN_MODEL_ID,
        settings=KnowledgeSettings(),
    )
    prose = Prose()
    queries = [prose.query() for _ in range(args.queries)]
    query_vectors = [model.embed_query(q) for q in queries]  # for the raw Chroma baseline
    print(
        f"database: {engine.dialect.name}; chroma: embedded PersistentClient; {args.queries} queries, top 5"
    )
    filled = 0
    for size in sorted(args.sizes):
        started = time.perf_counter()
        fill(kb, size, prose, filled)
        filled = size
        # Steady state: after a bulk load, autovacuum vacuums (Postgres 13+ does so for
        # inserts too) and analyzes the table; SQLite has only ANALYZE.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            postgres = engine.dialect.name == "postgresql"
            conn.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))
        # The bulk load bypassed the service, so its remembered term counts are from the
        # smaller corpus; a running bot refreshes them within minutes.
        kb.term_counts = TermCounts()
        print(f"\n{size:,} chunks (filled in {time.perf_counter() - started:.0f} s)")
        collection = kb.vectors.open(WORKSPACE, create=False)
        assert collection is not None and collection.count() == size
        for q in queries[:20]:  # warm caches the same way for every mode
            kb.search(WORKSPACE, q, k=5)
        report(measure(kb, model, collection, queries, query_vectors))
    print("\ngoal: hybrid p99 <= 50 ms at 100k chunks")


if __name__ == "__main__":
    main()
