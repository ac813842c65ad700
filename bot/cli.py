"""The `alignbot` command line: serve, demo and database management."""

from __future__ import annotations

import typer
from rich.console import Console

from bot.cli_draft import draft_cli
from bot.cli_kb import kb_cli
from bot.settings import Settings, get_settings

cli = typer.Typer(
    help="alignbot: grounded SWOT, OKR and retro drafting for Slack.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema management.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(kb_cli, name="kb")
cli.add_typer(draft_cli, name="draft")
console = Console()


def load_settings() -> Settings:
    from core.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.secret_values())
    return settings


@cli.command()
def serve(
    host: str = typer.Option("0.0.0.0", help="Interface to listen on (HTTP mode)."),
    port: int = typer.Option(3000, help="Port to listen on (HTTP mode)."),
    migrate: bool = typer.Option(True, help="Apply pending database migrations first."),
    scheduler: bool = typer.Option(
        True,
        help="Also run the retro scheduler (one replica leads at a time; others stand by).",
    ),
) -> None:
    """Run the Slack app: HTTP on /slack/events, or Socket Mode when SLACK__APP_TOKEN is set."""
    from bot.app import ConfigError, create_app
    from bot.container import build_deps
    from bot.server import serve_http, serve_socket_mode
    from bot.worker_process import WorkerProcess

    settings = load_settings()
    worker = (
        WorkerProcess(settings, run_scheduler=scheduler) if settings.server.worker_process else None
    )
    deps = build_deps(settings, upgrade_db=migrate, work=worker)
    try:
        app = create_app(settings, deps)
    except ConfigError as exc:
        console.print(f"[red]Cannot start:[/red] {exc}")
        raise typer.Exit(2) from exc
    if scheduler and worker is None:
        deps.retro_engine.start()
    if settings.slack.app_token is not None:
        console.print(f"alignbot: Socket Mode (health on http://{host}:{port}/healthz)")
        serve_socket_mode(
            app, deps, app_token=settings.slack.app_token.get_secret_value(), host=host, port=port
        )
    else:
        console.print(f"alignbot: HTTP on http://{host}:{port}/slack/events")
        serve_http(app, deps, host=host, port=port)


@cli.command("scheduler")
def run_scheduler() -> None:
    """Run only the retro scheduler, for deployments that keep it apart from `serve`.

    Several can run: one holds the leader lock, the rest take over if it dies.
    """
    import signal
    import threading

    from bot.container import build_deps

    settings = load_settings()
    deps = build_deps(settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    deps.retro_engine.start()
    console.print("alignbot: retro scheduler running (Ctrl-C to stop)")
    try:
        stop.wait()
    finally:
        deps.close()


@cli.command()
def demo() -> None:
    """Load the bundled sample company and print drafts made on the embedded defaults."""
    from bot.demo import run_demo

    run_demo(load_settings(), console)


@db_cli.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply Alembic migrations to DATABASE_URL (SQLite under the data dir by default)."""
    from bot import migrate
    from core.db import make_engine

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate.upgrade(engine, revision)
    console.print(f"database at revision {migrate.current_revision(engine)}")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's current migration revision and the newest one available."""
    from bot import migrate
    from core.db import make_engine

    settings = load_settings()
    engine = make_engine(settings.resolved_database_url)
    console.print(f"current: {migrate.current_revision(engine)}  head: {migrate.head_revision()}")


def main() -> None:
    cli()
