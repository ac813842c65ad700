"""`alignbot demo`: the main job on a fresh machine, on the embedded defaults."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from bot.container import build_deps
from bot.settings import Settings

SAMPLE_DATA = Path(__file__).parent / "sample_data"
DEMO_WORKSPACE = "TDEMO0001"


def sample_documents() -> list[Path]:
    return sorted(p for p in SAMPLE_DATA.iterdir() if p.suffix in {".md", ".csv", ".txt"})


def run_demo(settings: Settings, console: Console) -> None:
    deps = build_deps(settings)
    try:
        console.rule("alignbot demo")
        console.print(f"data directory: {settings.data_dir.resolve()}")
        console.print(f"database: {deps.engine.url.render_as_string(hide_password=True)}")
        docs = sample_documents()
        console.print(f"sample knowledge: {len(docs)} documents about a fictional company")
        for doc in docs:
            console.print(f"  • {doc.name}")
        console.print(
            "[yellow]Not built yet:[/yellow] knowledge ingestion (issue 3) and drafting (issue 4); "
            "the SWOT, OKR plan and retro summary appear here once they land."
        )
    finally:
        deps.close()
