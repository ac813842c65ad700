"""`alignbot draft swot|okr|retro`: drafts from a shell, on the same data the bot uses."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:  # drafting pulls in LangChain and chromadb; `alignbot --help` should not
    from bot.deps import Deps
    from drafting.draft import Draft
    from drafting.service import Drafter

draft_cli = typer.Typer(help="Draft a SWOT, an OKR plan or a retro summary.", no_args_is_help=True)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


class Engine(StrEnum):
    auto = "auto"
    offline = "offline"
    llm = "llm"


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


WORKSPACE = typer.Option(..., "--workspace", "-w", help="Slack team id, e.g. T0123456.")
SUBJECT = typer.Option("the team", "--subject", "-s", help="A team, product or company.")
ENGINE = typer.Option(
    Engine.auto, "--engine", help="auto = the LLM when LLM__MODEL is set, else offline."
)
FORMAT = typer.Option(Format.text, "--format", "-f", help="text (terminal), markdown or json.")
SAVE = typer.Option(
    True, "--save/--no-save", help="Store the draft as a version (a saved SWOT feeds `draft okr`)."
)


@contextmanager
def drafting(engine: Engine) -> Iterator[tuple[Deps, Drafter]]:
    from bot.cli import load_settings
    from bot.container import build_deps
    from drafting.service import Drafter

    deps = build_deps(load_settings())
    try:
        drafter = Drafter(
            retriever=deps.kb, llm=deps.settings.llm, sessions=deps.sessions, engine=engine.value
        )
        yield deps, drafter
    except ValueError as exc:
        err_console.print(f"[red]Error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        deps.close()


def emit(draft: Draft, output: Format) -> None:
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


def save(deps: Deps, workspace: str, draft: Draft) -> None:
    from core.db import session_scope
    from drafting.store import save_version

    with session_scope(deps.sessions) as session:
        record = save_version(
            session=session, workspace_id=workspace, draft=draft, created_by="cli"
        )
        err_console.print(f"saved as draft {record.draft_id} version {record.version}", style="dim")


@draft_cli.command("swot")
def draft_swot(
    workspace: str = WORKSPACE,
    subject: str = SUBJECT,
    lens: str | None = typer.Option(
        None, "--lens", "-l", help='A focus such as "AI" or "security".'
    ),
    engine: Engine = ENGINE,
    output: Format = FORMAT,
    keep: bool = SAVE,
) -> None:
    """A SWOT analysis: strengths, weaknesses, opportunities, threats, then priorities."""
    with drafting(engine) as (deps, drafter):
        draft = drafter.draft_swot(workspace, subject, lens)
        if keep:
            save(deps, workspace, draft)
    emit(draft, output)


@draft_cli.command("okr")
def draft_okr(
    workspace: str = WORKSPACE,
    subject: str = SUBJECT,
    mission: str | None = typer.Option(None, "--mission", help="Use this mission line."),
    engine: Engine = ENGINE,
    output: Format = FORMAT,
    keep: bool = SAVE,
) -> None:
    """A strategic plan in OKR form, built from the saved SWOT for the subject when there is one."""
    with drafting(engine) as (deps, drafter):
        draft = drafter.draft_okr(workspace, subject, mission=mission)
        if keep:
            save(deps, workspace, draft)
    emit(draft, output)


@draft_cli.command("retro")
def draft_retro(
    workspace: str = WORKSPACE,
    subject: str = typer.Option("team retro", "--subject", "-s", help="Which retro this is."),
    file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, help="Entries, one per line (else stdin)."
    ),
    engine: Engine = ENGINE,
    output: Format = FORMAT,
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
        draft = drafter.draft_retro(workspace, subject, entries)
        if keep:
            save(deps, workspace, draft)
    emit(draft, output)
