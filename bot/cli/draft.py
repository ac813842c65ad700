"""`alignbot draft swot|okr|retro`: drafts from a shell, on the same data the bot uses."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import console, err_console, load_settings

if TYPE_CHECKING:  # drafting pulls in LangChain and chromadb; `alignbot --help` should not
    from drafting.draft import Draft
    from drafting.service import Drafter
    from handlers.deps import WorkerDeps

draft_cli = typer.Typer(help="Draft a SWOT, an OKR plan or a retro summary.", no_args_is_help=True)


class Engine(StrEnum):
    auto = "auto"
    offline = "offline"
    llm = "llm"


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    png = "png"
    pdf = "pdf"


class PaperSize(StrEnum):
    a4 = "a4"
    letter = "letter"


WORKSPACE = typer.Option(..., "--workspace", "-w", help="Slack team id, e.g. T0123456.")
SUBJECT = typer.Option("the team", "--subject", "-s", help="A team, product or company.")
ENGINE = typer.Option(
    Engine.auto, "--engine", help="auto = the LLM when LLM__MODEL is set, else offline."
)
FORMAT = typer.Option(
    Format.text,
    "--format",
    "-f",
    help="text (terminal), markdown, json, png (the 1920×1080 picture) or pdf (one page).",
)
OUT = typer.Option(None, "--out", "-o", dir_okay=False, help="Write to this file (png and pdf).")
PAPER = typer.Option(PaperSize.a4, "--paper", help="PDF paper size: a4 or letter (landscape).")
SAVE = typer.Option(
    True, "--save/--no-save", help="Store the draft as a version (a saved SWOT feeds `draft okr`)."
)


@contextmanager
def drafting(engine: Engine) -> Iterator[tuple[WorkerDeps, Drafter]]:
    """The worker's services, with the drafting engine asked for."""
    from bot.composition import build_worker, open_database

    settings = load_settings()
    db = open_database(settings, upgrade=True)
    try:
        deps = build_worker(settings, db, engine=engine.value)
        yield deps, deps.drafter
    except ValueError as exc:
        err_console.print(f"[red]Error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        db.close()


def emit(
    draft: Draft,
    output: Format,
    *,
    out: Path | None = None,
    paper: PaperSize = PaperSize.a4,
    workspace: str = "",
    version: int | None = None,
) -> None:
    if output in (Format.png, Format.pdf):
        write_picture(draft, output, out=out, paper=paper, workspace=workspace, version=version)
        return
    if draft.notice and output is not Format.text:
        # JSON and Markdown carry no notice field; the terminal view shows it in its header.
        err_console.print(f"[yellow]Note:[/yellow] {draft.notice}", highlight=False)
    if output is Format.json:
        typer.echo(draft.model_dump_json(indent=2))
    elif output is Format.markdown:
        from drafting.render_markdown import render_markdown

        typer.echo(render_markdown(draft))
    else:
        from drafting.render_terminal import render_terminal

        render_terminal(draft, console)


def write_picture(
    draft: Draft,
    output: Format,
    *,
    out: Path | None,
    paper: PaperSize,
    workspace: str,
    version: int | None,
) -> None:
    """The page as PNG or PDF, into --out (a binary file never goes to a terminal)."""
    from datetime import date

    from drafting.pictures import PageMeta, render_pdf, render_png

    if out is None:
        err_console.print(f"[red]Error:[/red] --format {output.value} needs --out FILE.")
        raise typer.Exit(2)
    meta = PageMeta(workspace=workspace, on=date.today(), version=version)
    data = (
        render_png(draft, meta)
        if output is Format.png
        else render_pdf(draft, meta, paper=paper.value)
    )
    out.write_bytes(data)
    err_console.print(f"wrote {out} ({len(data) // 1024} KB)", style="dim")


def save(deps: WorkerDeps, workspace: str, draft: Draft) -> int:
    from core.db import session_scope
    from drafting.store import save_version

    with session_scope(deps.sessions) as session:
        record = save_version(
            session=session, workspace_id=workspace, draft=draft, created_by="cli"
        )
        err_console.print(f"saved as draft {record.draft_id} version {record.version}", style="dim")
        return record.version


@draft_cli.command("swot")
def draft_swot(
    workspace: str = WORKSPACE,
    subject: str = SUBJECT,
    lens: str | None = typer.Option(
        None, "--lens", "-l", help='A focus such as "AI" or "security".'
    ),
    engine: Engine = ENGINE,
    output: Format = FORMAT,
    out: Path | None = OUT,
    paper: PaperSize = PAPER,
    keep: bool = SAVE,
) -> None:
    """A SWOT analysis: strengths, weaknesses, opportunities, threats, then priorities."""
    with drafting(engine) as (deps, drafter):
        draft = drafter.draft_swot(workspace, subject, lens)
        version = save(deps, workspace, draft) if keep else None
    emit(draft, output, out=out, paper=paper, workspace=workspace, version=version)


@draft_cli.command("okr")
def draft_okr(
    workspace: str = WORKSPACE,
    subject: str = SUBJECT,
    mission: str | None = typer.Option(None, "--mission", help="Use this mission line."),
    engine: Engine = ENGINE,
    output: Format = FORMAT,
    out: Path | None = OUT,
    paper: PaperSize = PAPER,
    keep: bool = SAVE,
) -> None:
    """A strategic plan in OKR form, built from the saved SWOT for the subject when there is one."""
    with drafting(engine) as (deps, drafter):
        draft = drafter.draft_okr(workspace, subject, mission=mission)
        version = save(deps, workspace, draft) if keep else None
    emit(draft, output, out=out, paper=paper, workspace=workspace, version=version)


@draft_cli.command("retro")
def draft_retro(
    workspace: str = WORKSPACE,
    subject: str = typer.Option("team retro", "--subject", "-s", help="Which retro this is."),
    file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, help="Entries, one per line (else stdin)."
    ),
    engine: Engine = ENGINE,
    output: Format = FORMAT,
    out: Path | None = OUT,
    paper: PaperSize = PAPER,
    keep: bool = SAVE,
) -> None:
    """A retro summary from entries: `+` went well, `-` not so well, `*` learning, `!` action."""
    from drafting.retro_offline import parse_retro_lines

    if file is not None:
        text = file.read_text(encoding="utf-8")
    elif not sys.stdin.isatty():
        text = sys.stdin.read()
    else:
        err_console.print("[red]Error:[/red] give --file or pipe entries on stdin.")
        raise typer.Exit(2)
    entries = parse_retro_lines(text)
    if not entries:
        err_console.print("[red]Error:[/red] no retro entries found (one per line).")
        raise typer.Exit(2)
    with drafting(engine) as (deps, drafter):
        draft = drafter.retro.draft_retro(workspace, subject, entries)
        version = save(deps, workspace, draft) if keep else None
    emit(draft, output, out=out, paper=paper, workspace=workspace, version=version)
