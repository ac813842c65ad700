"""Retrieval quality: hit@5 and MRR of vector-only against hybrid search on a labelled set
(bench/data/kb_quality: 19 company documents, 32 questions with the documents that answer them).

    .venv/bin/python bench/kb_quality.py [--k 5] [--distractors 0] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

from kb_synthetic import markdown_document  # sibling module: bench/ is on sys.path

from bot import migrate
from core.db import make_engine, make_session_factory
from knowledge.chroma_client import make_chroma_client
from knowledge.minilm import BUILTIN_MODEL_ID, MiniLMEmbeddings
from knowledge.search import SearchMode
from knowledge.service import KnowledgeBase
from knowledge.settings import KnowledgeSettings

DATA = Path(__file__).parent / "data" / "kb_quality"
WORKSPACE = "TQUALITY"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument(
        "--distractors",
        type=int,
        default=0,
        help="synthetic planning memos (~22 chunks each) added as noise, to make retrieval harder",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kb-quality-"))
    engine = make_engine(args.database_url or f"sqlite:///{work / 'alignbot.db'}")
    migrate.upgrade(engine)
    kb = KnowledgeBase(
        sessions=make_session_factory(engine),
        chroma=make_chroma_client(path=work / "chroma"),
        embeddings=MiniLMEmbeddings(),
        model_id=BUILTIN_MODEL_ID,
        settings=KnowledgeSettings(),
    )
    file_of: dict[str, str] = {}
    for path in sorted(DATA.glob("*.md")):
        file_of[kb.add_path(WORKSPACE, path).doc_id] = path.name
    rng = random.Random(5)
    for i in range(args.distractors):
        memo = markdown_document(rng, f"Planning memo {i}", sections=10, paragraphs=3)
        file_of[kb.add_text(WORKSPACE, title=f"Planning memo {i}", text=memo).doc_id] = "noise"
    questions = json.loads((DATA / "questions.json").read_text(encoding="utf-8"))
    print(
        f"{len(file_of) - args.distractors} documents + {args.distractors} distractors, "
        f"{kb.count_chunks(WORKSPACE)} chunks, {len(questions)} "
        f"questions, database {engine.dialect.name}"
    )

    modes: tuple[SearchMode, ...] = ("vector", "keyword", "hybrid")
    hits = dict.fromkeys(modes, 0)
    reciprocal = dict.fromkeys(modes, 0.0)
    misses: dict[str, list[str]] = {mode: [] for mode in modes}
    for item in questions:
        for mode in modes:
            ranked = [
                file_of[h.doc_id] for h in kb.search(WORKSPACE, item["q"], k=args.k, mode=mode)
            ]
            rank = next((i for i, name in enumerate(ranked, 1) if name in item["docs"]), None)
            if rank is None:
                misses[mode].append(item["q"])
                continue
            hits[mode] += 1
            reciprocal[mode] += 1 / rank
    for mode in modes:
        print(
            f"  {mode:<8} hit@{args.k} {hits[mode] / len(questions):5.1%}  "
            f"({hits[mode]}/{len(questions)})   MRR@{args.k} {reciprocal[mode] / len(questions):.3f}"
        )
    for mode in modes:
        if misses[mode]:
            print(f"\n{mode} missed:")
            for question in misses[mode]:
                print(f"  - {question}")


if __name__ == "__main__":
    main()
