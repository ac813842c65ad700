"""`alignbot db ...`: the database schema (Alembic migrations)."""

from __future__ import annotations

import typer

from bot.cli.common import console, load_settings

db_cli = typer.Typer(help="Database schema management.", no_args_is_help=True)


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
