"""The knowledge migration creates the registry and the dialect's keyword index, and reverses cleanly."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from bot import migrate


def keyword_index_present(engine: Engine) -> bool:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            found = conn.execute(
                text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_kb_chunks_text_search'")
            )
        else:
            found = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'kb_chunks_fts'"))
        return found.first() is not None


def test_upgrade_and_downgrade(engine: Engine) -> None:
    assert {"kb_documents", "kb_chunks"} <= set(inspect(engine).get_table_names())
    assert keyword_index_present(engine)
    migrate.downgrade(engine, "0001_foundation")
    assert not {"kb_documents", "kb_chunks"} & set(inspect(engine).get_table_names())
    assert not keyword_index_present(engine)
    migrate.upgrade(engine)
    assert keyword_index_present(engine)
