"""`alignbot kb ...`: add, list, search, remove and reindex a workspace's knowledge from a shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from knowledge.errors import KnowledgeError
from knowledge.extract import SUPPORTED

if TYPE_CHECKING:  # the service pulls in chromadb and LangChain; `alignbot --help` should not
    from knowledge.service import KnowledgeBase

kb_cli = typer.Typer(help="The company knowledge base of one workspace.", no_args_is_help=True)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

WORKSPACE = typer.Option(..., "--workspace", "-w", help="Slack team id, e.g. T0123456.")


def open_knowledge_base() -> KnowledgeBase:
    """The same data directory, database and embedding settings the bot uses."""
    from bot import migrate
    from bot.cli import load_settings
    from core.db import make_engine, make_session_factory
    from knowledge.chroma_client import make_chroma_client
    from knowledge.service import build_knowledge_base

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate.upgrade(engine)
    chroma = make_chroma_client(
        path=settings.chroma_path,
        host=settings.chroma.host,
        port=settings.chroma.port,
        ssl=settings.chroma.ssl,
    )
    return build_knowledge_base(
        sessions=make_session_factory(engine),
        chroma=chroma,
        embedding=settings.embedding,
        knowledge=settings.knowledge,
    )


def fail(message: str) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}", highlight=False)
    return typer.Exit(1)


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        yield bar


def expand(targets: list[str]) -> list[str]:
    """URLs as given; folders become the supported files inside them, in a stable order."""
    out: list[str] = []
    for target in targets:
        path = Path(target).expanduser()
        if "://" not in target and path.is_dir():
            out.extend(
                str(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED
            )
        else:
            out.append(target)
    return out


@kb_cli.command("add")
def add(
    targets: list[str] = typer.Argument(
        ..., metavar="PATH_OR_URL...", help="Files, folders or URLs."
    ),
    workspace: str = WORKSPACE,
    added_by: str = typer.Option("cli", help="Recorded as who added the documents."),
) -> None:
    """Add files, folders (their supported files) or web pages."""
    kb = open_knowledge_base()
    failures = 0
    for target in expand(targets):
        with progress_bar(f"{Path(target).name or target}") as bar:
            task = bar.add_task(Path(target).name or target, total=None)

            def on_progress(
                done: int, total: int, task: TaskID = task, bar: Progress = bar
            ) -> None:
                bar.update(task, completed=done, total=total)

            try:
                if "://" in target:
                    result = kb.add_url(
                        workspace, target, added_by=added_by, on_progress=on_progress
                    )
                else:
                    result = kb.add_path(
                        workspace, target, added_by=added_by, on_progress=on_progress
                    )
            except KnowledgeError as exc:
                failures += 1
                err_console.print(f"[red]✗[/red] {target}: {exc}", highlight=False)
                continue
        mark = "[yellow]=[/yellow]" if result.status == "unchanged" else "[green]✓[/green]"
        console.print(f"{mark} {result.message}  [dim]id {result.doc_id}[/dim]", highlight=False)
    if failures:
        raise typer.Exit(1)


@kb_cli.command("list")
def list_documents(
    workspace: str = WORKSPACE,
    as_json: bool = typer.Option(False, "--json", help="One JSON array, for scripts."),
) -> None:
    """The workspace's documents: id, title, source and chunks."""
    kb = open_knowledge_base()
    for doc in kb.clean_interrupted(workspace):
        err_console.print(
            f"[yellow]Cleaned up an interrupted ingest:[/yellow] {doc.title} ({doc.doc_id})",
            highlight=False,
        )
    docs = kb.list_documents(workspace)
    if as_json:
        typer.echo(json.dumps([asdict(d) for d in docs], default=str, ensure_ascii=False, indent=2))
        return
    if not docs:
        console.print(
            f"No documents in workspace {workspace} yet. Add some with `alignbot kb add`."
        )
        return
    table = Table("id", "title", "source", "chunks", "pages", "added")
    for d in docs:
        table.add_row(
            d.doc_id,
            d.title,
            d.url or d.source_kind,
            str(d.chunks),
            str(d.pages or ""),
            d.added_at.strftime("%Y-%m-%d %H:%M") if d.added_at else "",
        )
    console.print(table)
    console.print(f"{len(docs)} documents, {sum(d.chunks for d in docs)} chunks")


@kb_cli.command("search")
def search(
    query: str = typer.Argument(..., help="What to look for."),
    workspace: str = WORKSPACE,
    k: int = typer.Option(5, "--k", min=1, max=100, help="How many chunks to return."),
    as_json: bool = typer.Option(False, "--json", help="One JSON array, for scripts."),
) -> None:
    """Hybrid (vector + keyword) search: the chunks a draft would cite."""
    kb = open_knowledge_base()
    try:
        hits = kb.search(workspace, query, k=k)
    except KnowledgeError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        rows = [
            {
                "source_id": h.source_id,
                "doc_id": h.doc_id,
                "title": h.title,
                "text": h.text,
                "score": h.score,
                "section": h.section,
                "url": h.url,
                "page": h.page,
                "source_kind": h.source_kind,
            }
            for h in hits
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not hits:
        console.print("No matches.")
        return
    for i, h in enumerate(hits, start=1):
        where = " · ".join(
            str(p) for p in (h.section, f"p. {h.page}" if h.page else None, h.url) if p
        )
        console.print(
            f"[bold]{i}. {h.title}[/bold] [dim]{h.source_id}  score {h.score:.4f}[/dim]",
            highlight=False,
        )
        if where:
            console.print(f"   [dim]{where}[/dim]", highlight=False)
        excerpt = " ".join(h.text.split())
        console.print(f"   {excerpt[:300]}{'…' if len(excerpt) > 300 else ''}", highlight=False)


@kb_cli.command("remove")
def remove(
    doc_id: str = typer.Argument(..., help="Document id from `alignbot kb list`."),
    workspace: str = WORKSPACE,
) -> None:
    """Remove a document and all its chunks."""
    kb = open_knowledge_base()
    if not kb.remove(workspace, doc_id):
        raise fail(f"No document {doc_id} in workspace {workspace} (see `alignbot kb list`).")
    console.print(f"Removed {doc_id}.")


@kb_cli.command("reindex")
def reindex(workspace: str = WORKSPACE) -> None:
    """Re-embed every chunk with the configured embedding model (after changing EMBEDDING__MODEL)."""
    kb = open_knowledge_base()
    with progress_bar("re-embedding") as bar:
        task = bar.add_task("re-embedding", total=None)
        try:
            count = kb.reindex(
                workspace,
                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except KnowledgeError as exc:
            raise fail(str(exc)) from exc
    console.print(f"Re-embedded {count} chunks with {kb.model_id}.")
