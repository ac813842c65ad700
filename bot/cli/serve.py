"""`alignbot serve`, `alignbot scheduler` and `alignbot demo`: the long-running processes."""

from __future__ import annotations

import signal
import threading

import typer

from bot.cli.common import console, load_settings


def serve(
    host: str = typer.Option("0.0.0.0", help="Interface to listen on (HTTP mode)."),
    port: int = typer.Option(3000, help="Port to listen on (HTTP mode)."),
    migrate: bool = typer.Option(True, help="Apply pending database migrations first."),
    scheduler: bool = typer.Option(
        True,
        help="Also run the scheduling engine (one replica leads at a time; others stand by).",
    ),
) -> None:
    """Run the Slack app: HTTP on /slack/events, or Socket Mode when SLACK__APP_TOKEN is set."""
    from bot.app import ConfigError, create_app
    from bot.server import serve_http, serve_socket_mode
    from bot.serving import build_serving_process

    settings = load_settings()
    process = build_serving_process(settings, upgrade_db=migrate, run_scheduler=scheduler)
    try:
        app = create_app(settings, process.deps)
    except ConfigError as exc:
        process.close()
        console.print(f"[red]Cannot start:[/red] {exc}")
        raise typer.Exit(2) from exc
    if settings.slack.app_token is not None:
        console.print(f"alignbot: Socket Mode (health on http://{host}:{port}/healthz)")
        serve_socket_mode(
            app,
            process,
            app_token=settings.slack.app_token.get_secret_value(),
            host=host,
            port=port,
        )
    else:
        console.print(f"alignbot: HTTP on http://{host}:{port}/slack/events")
        serve_http(app, process, host=host, port=port)


def scheduler(
    migrate: bool = typer.Option(True, help="Apply pending database migrations first."),
) -> None:
    """Run only the scheduling engine (retros, OKR check-ins), for deployments that keep it apart from `serve`.

    Several can run: one holds the leader lock, the rest take over if it dies. The embedding
    model loads only when closing a retro needs a synthesis, and the knowledge base opens only
    when a plan's period closes (its scores become knowledge).
    """
    from bot.composition import (
        build_schedule_engine,
        open_database,
        recurring_kinds,
        retro_service,
        standalone_retro_synthesis,
    )

    settings = load_settings()
    db = open_database(settings, upgrade=migrate)
    retros = retro_service(settings, db, standalone_retro_synthesis(settings))
    engine = build_schedule_engine(settings, db, kinds=recurring_kinds(settings, db, retros))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    engine.start()
    console.print("alignbot: scheduler running (Ctrl-C to stop)")
    try:
        stop.wait()
    finally:
        engine.stop()
        db.close()


def demo() -> None:
    """Load the bundled sample company and print drafts made on the embedded defaults."""
    from bot.demo import run_demo

    run_demo(load_settings(), console)
