"""Draft quality on the development set (bench/dev_set) or the held-out evaluation set
(bench/eval_set), offline engine.

For each company: ingest its docs/ into a fresh knowledge base (embedded Chroma + SQLite in a
temp dir), draft a SWOT and an OKR plan, and grade them against answer_key.jsonl and
expected.json. Develop against `--set dev`; `--set eval` (the default) is for reporting only and
is the only code that reads the evaluation set; nothing is tuned on it.

    PYTHONPATH=. .venv/bin/python -m bench.draft_quality [--set dev|eval] [--company NAME]
        [--classifier] [--show]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from bot import migrate
from core.db import make_engine, make_session_factory
from drafting.draft import Draft
from drafting.grounding import extract_figures
from drafting.render_markdown import render_markdown
from drafting.service import Drafter
from drafting.settings import LLMSettings
from knowledge.chroma_client import make_chroma_client
from knowledge.minilm import BUILTIN_MODEL_ID, MiniLMEmbeddings
from knowledge.service import KnowledgeBase
from knowledge.settings import KnowledgeSettings
from knowledge.train_statements import report

SETS = {"dev": Path(__file__).parent / "dev_set", "eval": Path(__file__).parent / "eval_set"}
WORKSPACE = "TEVAL0001"
QUADRANT_KIND = {
    "strengths": "strength",
    "weaknesses": "weakness",
    "opportunities": "opportunity",
    "threats": "threat",
}
MATCH = 0.6  # share of an item's words found in an answer-key statement to count as it


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def best_match(text: str, key: list[dict[str, str]]) -> dict[str, str] | None:
    mine = set(words(text))
    best, score = None, 0.0
    for row in key:
        theirs = set(words(row["text"]))
        if not theirs or not mine:
            continue
        overlap = len(mine & theirs) / max(len(mine), len(theirs))
        if overlap > score:
            best, score = row, overlap
    return best if score >= MATCH else None


def copies(priority: str, items: list[str]) -> bool:
    mine = set(words(priority))
    return any(len(mine & set(words(i))) / max(len(mine), 1) >= 0.7 for i in items)


def figure_keys(text: str) -> set[str]:
    return {k for f in extract_figures(text) for k in f.keys}


def build_kb(company: Path, root: Path, model: MiniLMEmbeddings) -> tuple[KnowledgeBase, float]:
    engine = make_engine(f"sqlite:///{root / 'alignbot.db'}")
    migrate.upgrade(engine)
    kb = KnowledgeBase(
        sessions=make_session_factory(engine),
        chroma=make_chroma_client(path=root / "chroma"),
        embeddings=model,
        model_id=BUILTIN_MODEL_ID,
        settings=KnowledgeSettings(),
    )
    start = time.perf_counter()
    for path in sorted((company / "docs").iterdir()):
        kb.add_path(WORKSPACE, path)
    return kb, time.perf_counter() - start


def show(swot: Draft, plan: Draft, key: list[dict[str, str]]) -> None:
    """Print both drafts, each SWOT item tagged with the answer-key type it matched (dev only)."""
    for quadrant in QUADRANT_KIND:
        section = swot.section(quadrant)
        for item in section.items if section else []:
            match = best_match(item.text, key)
            item.label = f"{item.label} <{match['type'] if match else '?'}>"
    print(render_markdown(swot))
    print(render_markdown(plan))


def grade(company: Path, kb: KnowledgeBase, *, display: bool = False) -> dict[str, object]:
    expected = json.loads((company / "expected.json").read_text())
    key = [json.loads(line) for line in (company / "answer_key.jsonl").read_text().splitlines()]
    subject = expected["subject"]
    drafter = Drafter(retriever=kb, llm=LLMSettings(), engine="offline")
    times = []
    start = time.perf_counter()
    swot = drafter.draft_swot(WORKSPACE, subject)
    times.append(time.perf_counter() - start)
    start = time.perf_counter()
    plan = drafter.draft_okr(WORKSPACE, subject, from_swot=swot)
    times.append(time.perf_counter() - start)

    if display:
        show(swot.model_copy(deep=True), plan, key)
    right = wrong = non_findings = unmatched = 0
    quadrant_items = []
    for quadrant, kind in QUADRANT_KIND.items():
        section = swot.section(quadrant)
        for item in section.items if section else []:
            quadrant_items.append(item.text)
            match = best_match(item.text, key)
            if match is None:
                unmatched += 1
            elif match["type"] == kind:
                right += 1
            elif match["type"] in QUADRANT_KIND.values():
                wrong += 1
            else:
                non_findings += 1
    total = right + wrong + non_findings + unmatched
    priorities = swot.section("priorities")
    copied = sum(copies(p.text, quadrant_items) for p in (priorities.items if priorities else []))

    krs = [i for s in plan.sections if s.key.startswith("objective-") for i in s.items]
    kr_keys = [figure_keys(i.text) for i in krs]
    possible = expected["key_results"]
    paired = sum(
        any(figure_keys(e["baseline"]) <= ks and figure_keys(e["target"]) <= ks for ks in kr_keys)
        for e in possible
    )
    mission = plan.mission or ""
    mission_found = len(set(words(expected["mission"])) & set(words(mission))) >= 0.8 * len(
        set(words(expected["mission"]))
    )
    values_section = plan.section("values")
    value_text = " ".join(
        f"{i.label} {i.text}" for i in (values_section.items if values_section else [])
    ).lower()
    values_found = sum(
        " ".join(words(v)) in " ".join(words(value_text)) for v in expected["values"]
    )
    lens_ok = 0
    for example in expected["lens_examples"]:
        lensed = drafter.draft_swot(WORKSPACE, subject, example["lens"])
        said_nothing = bool(lensed.notice and "nothing about" in lensed.notice)
        lens_ok += said_nothing != bool(example["has_content"])
    items = swot.items() + plan.items()
    grounded = sum(not i.unsupported_figures for i in items)
    return {
        "company": expected["company"],
        "swot items": total,
        "right quadrant": f"{right}/{total} ({right / max(total, 1):.0%})",
        "wrong quadrant": wrong,
        "non-findings": f"{non_findings}/{total} ({non_findings / max(total, 1):.0%})",
        "unmatched to the key": unmatched,
        "priorities copying an item": copied,
        "key results with baseline+target": f"{paired}/{len(possible)} ({paired / max(len(possible), 1):.0%})",
        "mission found": mission_found,
        "values found": f"{values_found}/{len(expected['values'])}",
        "lens handled": f"{lens_ok}/{len(expected['lens_examples'])}",
        "grounded": f"{grounded}/{len(items)} ({grounded / max(len(items), 1):.0%})",
        "draft seconds (swot, okr)": [round(t, 2) for t in times],
        "_times": times,
    }


def classifier_report(company: Path, kb: KnowledgeBase) -> tuple[list[str], list[str]]:
    """Statement-level truth and prediction for the answer key's statements that were stored."""
    key = [json.loads(line) for line in (company / "answer_key.jsonl").read_text().splitlines()]
    stored = {" ".join(words(s.text)): s.kind for s in kb.statements(WORKSPACE)}
    truth, predicted = [], []
    for row in key:
        kind = stored.get(" ".join(words(row["text"])))
        if kind is not None:
            truth.append(row["type"])
            predicted.append(kind)
    return truth, predicted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=sorted(SETS), default="eval", dest="which")
    parser.add_argument("--company", default=None)
    parser.add_argument("--classifier", action="store_true", help="per-class precision/recall")
    parser.add_argument("--show", action="store_true", help="print the drafts (dev set only)")
    args = parser.parse_args()
    if args.show and args.which != "dev":
        parser.error("--show reads drafts against the answer key: dev set only")
    model = MiniLMEmbeddings()
    companies = [p for p in sorted(SETS[args.which].iterdir()) if (p / "docs").is_dir()]
    if args.company:
        companies = [p for p in companies if args.company in p.name]
    all_times: list[float] = []
    truth: list[str] = []
    predicted: list[str] = []
    for company in companies:
        with tempfile.TemporaryDirectory(prefix="draft-quality-") as tmp:
            kb, ingest_seconds = build_kb(company, Path(tmp), model)
            if args.classifier:
                t, p = classifier_report(company, kb)
                truth += t
                predicted += p
                print(f"{company.name}: {len(t)} answer-key statements matched to stored ones")
                continue
            result = grade(company, kb, display=args.show)
            all_times += result.pop("_times")  # type: ignore[arg-type]
            print(f"\n== {result.pop('company')} (ingest {ingest_seconds:.1f} s)")
            for name, value in result.items():
                print(f"  {name:<36}{value}")
    if args.classifier:
        print(report(truth, predicted))
    elif all_times:
        print(f"\ndraft time p50 {statistics.median(all_times):.2f} s, max {max(all_times):.2f} s")


if __name__ == "__main__":
    main()
