"""`alignbot demo`: the main job on a fresh machine, on the embedded defaults."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.console import Console

from bot.composition import build_worker, open_database
from bot.settings import Settings

SAMPLE_DATA = Path(__file__).parent / "sample_data"
DEMO_WORKSPACE = "TDEMO0001"
DEMO_SUBJECT = "Larkspur Freight Systems"
RETRO_ENTRIES = SAMPLE_DATA / "retro_entries.txt"
# Files in sample_data that describe the sample rather than belong to the company's knowledge.
NOT_KNOWLEDGE = {"README.md", RETRO_ENTRIES.name}


def sample_documents() -> list[Path]:
    return sorted(
        p
        for p in SAMPLE_DATA.iterdir()
        if p.suffix in {".md", ".csv", ".txt"} and p.name not in NOT_KNOWLEDGE
    )


def run_demo(settings: Settings, console: Console) -> None:
    from drafting.grounding import grounded_share
    from drafting.render_terminal import render_terminal
    from drafting.retro_offline import parse_retro_lines

    db = open_database(settings, upgrade=True)
    try:
        deps = build_worker(settings, db)
        console.rule("alignbot demo")
        console.print(f"data directory: {settings.data_dir.resolve()}")
        console.print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        docs = sample_documents()
        console.print(
            f"sample knowledge: {len(docs)} documents about {DEMO_SUBJECT}, a fictional company"
        )
        statuses: Counter[str] = Counter()
        chunks = 0
        for doc in docs:
            result = deps.kb.add_path(DEMO_WORKSPACE, doc, added_by="demo")
            statuses[result.status] += 1
            chunks += result.chunks
            if result.status != "unchanged":
                console.print(f"  • {doc.name}: {result.message}", highlight=False)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
        console.print(
            f"knowledge base of workspace {DEMO_WORKSPACE}: {summary} ({chunks} chunks)",
            highlight=False,
        )

        drafter = deps.drafter
        console.print(f"drafting engine: {drafter.engine_name}")
        console.rule("SWOT")
        swot = drafter.draft_swot(DEMO_WORKSPACE, DEMO_SUBJECT)
        render_terminal(swot, console)
        console.rule("Strategic plan, built from the SWOT above")
        plan = drafter.draft_okr(DEMO_WORKSPACE, DEMO_SUBJECT, from_swot=swot)
        render_terminal(plan, console)
        console.rule("Retro synthesis")
        entries = parse_retro_lines(RETRO_ENTRIES.read_text(encoding="utf-8"))
        retro = drafter.retro.draft_retro(DEMO_WORKSPACE, "Platform team, sprint 42", entries)
        render_terminal(retro, console)

        grounded, total = grounded_share([swot, plan, retro])
        share = 100.0 * grounded / total if total else 100.0
        console.print(
            f"grounding: {grounded} of {total} items ({share:.0f}%) have every figure found in "
            "their cited sources or the team's own words.",
            highlight=False,
        )
    finally:
        db.close()
