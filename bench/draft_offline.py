"""Benchmark: offline SWOT drafting time on a 1,000-chunk knowledge base, and groundedness.

Run: ./.venv/bin/python bench/draft_offline.py [--chunks 1000] [--runs 5]
Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bot import migrate
from core.db import make_engine, make_session_factory
from bot.demo import sample_documents
from drafting.settings import LLMSettings
from knowledge.settings import KnowledgeSettings
from drafting.grounding import extract_figures, figure_keys
from drafting.draft import Draft
from drafting.service import Drafter
from knowledge.chroma_client import make_chroma_client
from knowledge.minilm import BUILTIN_MODEL_ID, MiniLMEmbeddings
from knowledge.models import KbChunk
from knowledge.service import KnowledgeBase

WORKSPACE = "TBENCH001"
SUBJECT = "Larkspur Freight Systems"
AREAS = [
    "billing",
    "routing",
    "tracking",
    "onboarding",
    "support",
    "mobile app",
    "carrier sync",
    "invoicing",
    "customs",
    "analytics",
    "warehouse link",
    "rate engine",
]
TEMPLATES = [
    "{area} revenue grew {p}% in Q{q} {y}, ahead of the {p2}% plan.",
    "{area} missed its delivery date by {n} weeks after two engineers left.",
    "Customers asked for {area} improvements in {n} of {m} interviews.",
    "A competitor launched a cheaper {area} product priced {p}% below ours.",
    "{area} incidents rose to {n} in Q{q} {y}, up from {n2} a quarter earlier.",
    "New regulation affecting {area} takes effect in {month} {y}.",
    "{area} latency p95 was {ms} ms against a {ms2} ms target.",
    "The {area} team shipped {n} releases with a change failure rate of {p}%.",
    "Churn among {area} users fell to {p}% from {p2}% after the redesign.",
    "Pilot customers of the new {area} feature saved USD {k},000 each per year.",
]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def synthetic_document(rng: random.Random, index: int) -> str:
    lines = [f"# Team report {index}"]
    for section in range(4):
        lines.append(f"\n## {rng.choice(AREAS).title()} update {section + 1}\n")
        for _ in range(5):
            template = rng.choice(TEMPLATES)
            lines.append(
                template.format(
                    area=rng.choice(AREAS).capitalize(),
                    p=rng.randint(2, 60),
                    p2=rng.randint(2, 60),
                    q=rng.randint(1, 4),
                    y=rng.choice([2025, 2026]),
                    n=rng.randint(2, 40),
                    n2=rng.randint(2, 40),
                    m=rng.randint(41, 90),
                    month=rng.choice(MONTHS),
                    ms=rng.randint(200, 900),
                    ms2=rng.randint(100, 400),
                    k=rng.randint(5, 90),
                )
            )
    return "\n".join(lines)


def build_kb(root: Path, target_chunks: int) -> tuple[KnowledgeBase, dict[str, str]]:
    engine = make_engine(f"sqlite:///{root / 'alignbot.db'}")
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    kb = KnowledgeBase(
        sessions=sessions,
        chroma=make_chroma_client(path=root / "chroma"),
        embeddings=MiniLMEmbeddings(),
        model_id=BUILTIN_MODEL_ID,
        settings=KnowledgeSettings(),
    )
    for path in sample_documents():
        kb.add_path(WORKSPACE, path)
    rng = random.Random(42)
    index = 0
    started = time.perf_counter()
    while kb.count_chunks(WORKSPACE) < target_chunks:
        batch = "\n\n".join(synthetic_document(rng, index + i) for i in range(5))
        kb.add_text(WORKSPACE, title=f"Team reports {index}-{index + 4}", text=batch)
        index += 5
    print(
        f"knowledge base: {kb.count_chunks(WORKSPACE)} chunks, built in {time.perf_counter() - started:.1f} s"
    )
    with sessions() as session:
        rows = session.execute(
            select(KbChunk.chunk_id, KbChunk.text).where(KbChunk.workspace_id == WORKSPACE)
        ).all()
    return kb, {chunk_id: text for chunk_id, text in rows}


def fully_grounded(draft: Draft, chunks: dict[str, str]) -> tuple[int, int]:
    """Checked independently of the engine: each figure against the full text of what it cites."""
    grounded = 0
    items = draft.items()
    for item in items:
        supported = figure_keys([chunks.get(sid, "") for sid in item.sources] + [draft.subject])
        if all(f.keys & supported for f in extract_figures(f"{item.label} {item.text}")):
            grounded += 1
    return grounded, len(items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alignbot-bench-") as tmp:
        kb, chunks = build_kb(Path(tmp), args.chunks)
        kb.embeddings.embed_query("warm up the model")  # loading the model is not drafting
        timings: list[float] = []
        grounded = total = 0
        for _ in range(args.runs):
            drafter = Drafter(retriever=kb, llm=LLMSettings())  # fresh: no cached embeddings
            started = time.perf_counter()
            draft = drafter.draft_swot(WORKSPACE, SUBJECT)
            timings.append(time.perf_counter() - started)
            g, t = fully_grounded(draft, chunks)
            grounded += g
            total += t
        print(
            f"offline SWOT draft, {len(chunks)}-chunk KB: median {statistics.median(timings) * 1000:.0f} ms "
            f"over {args.runs} runs (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f})"
        )
        # A running bot keeps one Drafter, whose embedding cache makes repeat drafts cheaper.
        warm = Drafter(retriever=kb, llm=LLMSettings())
        warm.draft_swot(WORKSPACE, SUBJECT)
        warm_timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            warm.draft_swot(WORKSPACE, SUBJECT)
            warm_timings.append(time.perf_counter() - started)
        print(
            f"same, repeated on one long-lived Drafter (embedding cache warm): median "
            f"{statistics.median(warm_timings) * 1000:.0f} ms"
        )
        share = 100.0 * grounded / total if total else 0.0
        print(f"items with every figure grounded: {grounded}/{total} = {share:.1f}%")
        return 0 if grounded == total else 1


if __name__ == "__main__":
    sys.exit(main())
