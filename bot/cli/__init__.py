"""The `alignbot` command line: one module per command group, composed here.

serve and scheduler (bot/cli/serve.py), demo, db, kb, draft and okr. Commands import the heavy
parts (chromadb, LangChain, the app) when they run, so `alignbot --help` stays instant.
"""

from __future__ import annotations

import typer

from bot.cli import db, draft, kb, okr, serve

cli = typer.Typer(
    help="alignbot: grounded SWOT, OKR and retro drafting for Slack.", no_args_is_help=True
)
cli.command()(serve.serve)
cli.command("scheduler")(serve.scheduler)
cli.command()(serve.demo)
cli.add_typer(db.db_cli, name="db")
cli.add_typer(kb.kb_cli, name="kb")
cli.add_typer(draft.draft_cli, name="draft")
cli.add_typer(okr.okr_cli, name="okr")


def main() -> None:
    cli()
