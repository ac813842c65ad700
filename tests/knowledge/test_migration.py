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


def test_one_document_per_content_survives_the_upgrade_that_makes_it_unique(
    engine: Engine,
) -> None:
    migrate.downgrade(engine, "0009_occurrence_claims")
    docs = [
        ("a1", "ready", "2026-01-02"),
        ("a2", "ready", "2026-01-01"),
        ("a3", "pending", "2026-01-01"),
    ]
    with engine.begin() as conn:
        for doc_id, status, added in [*docs, ("b1", "ready", "2026-01-03")]:
            content = "other" if doc_id == "b1" else "same"
            conn.execute(
                text(
                    "INSERT INTO kb_documents (id, workspace_id, title, source_kind, source_key,"
                    " content_hash, chunk_count, added_at, updated_at, status) VALUES (:id, 'T1',"
                    " 'Notes', 'text', 'text:Notes', :hash, 1, :added, :added, :status)"
                ),
                {"id": doc_id, "hash": content, "added": added, "status": status},
            )
            conn.execute(
                text(
                    "INSERT INTO kb_chunks (chunk_id, workspace_id, doc_id, n, text)"
                    " VALUES (:chunk, 'T1', :id, 0, 'Churn fell to 2%.')"
                ),
                {"chunk": f"{doc_id}#0", "id": doc_id},
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        left = conn.execute(text("SELECT id FROM kb_documents ORDER BY id")).scalars().all()
        chunks = conn.execute(text("SELECT doc_id FROM kb_chunks ORDER BY doc_id")).scalars().all()
    assert left == chunks == ["a2", "b1"]  # the oldest ready copy, and the other content
    unique = [i for i in inspect(engine).get_indexes("kb_documents") if i["unique"]]
    assert [i["column_names"] for i in unique] == [["workspace_id", "content_hash"]]
