"""Apply and inspect Alembic migrations programmatically (used by the CLI, server and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# Tables and columns in the schema but not in our models: the keyword indexes our migrations
# create in raw SQL (FTS5 and its shadow tables, the tsvector column and its GIN index), and the
# tables of slack_sdk's OAuth stores and APScheduler's job store, which define their own.
UNMODELLED_TABLES = ("kb_chunks_fts", "slack_installations", "slack_bots", "slack_oauth_states")
UNMODELLED_TABLE_PREFIXES = ("kb_chunks_fts_", "retro_scheduler_jobs")
UNMODELLED_COLUMNS = {("kb_chunks", "text_search")}
UNMODELLED_INDEXES = ("ix_kb_chunks_text_search",)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's autogenerate filter: never offer to drop what the models do not describe."""
    if not reflected or compare_to is not None or name is None:
        return True
    if type_ == "table":
        return name not in UNMODELLED_TABLES and not name.startswith(UNMODELLED_TABLE_PREFIXES)
    if type_ == "column":
        return (obj.table.name, name) not in UNMODELLED_COLUMNS
    if type_ == "index":
        table = obj.table.name
        unmodelled = table in UNMODELLED_TABLES or table.startswith(UNMODELLED_TABLE_PREFIXES)
        return name not in UNMODELLED_INDEXES and not unmodelled
    return True


# Replicas starting together must not run the same migration twice.
MIGRATION_LOCK_KEY = 0x616C69676E  # "align"


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
