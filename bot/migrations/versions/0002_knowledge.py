"""Knowledge base document registry (issue 3).

Revision ID: 0002_knowledge
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_knowledge"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

# Keyword search is an index on each dialect: FTS5 over kb_chunks on SQLite (kept in step by
# triggers), a stored tsvector with a GIN index on Postgres. Both stem English (porter).
# The FTS5 table also indexes workspace_id, so a query intersects with one workspace's rows
# inside the index instead of ranking every workspace's matches and filtering afterwards.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE kb_chunks_fts USING fts5(text, section, workspace_id, "
    "content='kb_chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    # A chunk's section heading counts for its words too; the workspace column matches every
    # candidate equally, so it carries no weight.
    "INSERT INTO kb_chunks_fts(kb_chunks_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0, 0.0)')",
    "CREATE TRIGGER kb_chunks_fts_ai AFTER INSERT ON kb_chunks BEGIN "
    "INSERT INTO kb_chunks_fts(rowid, text, section, workspace_id) "
    "VALUES (new.id, new.text, new.section, new.workspace_id); END",
    "CREATE TRIGGER kb_chunks_fts_ad AFTER DELETE ON kb_chunks BEGIN "
    "INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, text, section, workspace_id) "
    "VALUES ('delete', old.id, old.text, old.section, old.workspace_id); END",
    "CREATE TRIGGER kb_chunks_fts_au AFTER UPDATE ON kb_chunks BEGIN "
    "INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, text, section, workspace_id) "
    "VALUES ('delete', old.id, old.text, old.section, old.workspace_id); "
    "INSERT INTO kb_chunks_fts(rowid, text, section, workspace_id) "
    "VALUES (new.id, new.text, new.section, new.workspace_id); END",
]
POSTGRES_FTS = [
    "ALTER TABLE kb_chunks ADD COLUMN text_search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "
    "coalesce(section, '') || ' ' || text)) STORED",
    "CREATE INDEX ix_kb_chunks_text_search ON kb_chunks USING gin (text_search)",
]


def upgrade() -> None:
    op.create_table(
        "kb_documents",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("source_kind", sa.String(32), nullable=False),
        sa.Column("source_key", sa.String(2048), nullable=False),
        sa.Column("url", sa.String(2048)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("chunk_count", sa.Integer, nullable=False),
        sa.Column("pages", sa.Integer),
        sa.Column("added_by", sa.String(64)),
        sa.Column(
            "added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_documents"),
    )
    op.create_index(
        "ix_kb_documents_workspace_source", "kb_documents", ["workspace_id", "source_key"]
    )
    op.create_index(
        "ix_kb_documents_workspace_hash", "kb_documents", ["workspace_id", "content_hash"]
    )
    op.create_table(
        "kb_chunks",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("chunk_id", sa.String(64), nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("doc_id", sa.String(32), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("section", sa.String(500)),
        sa.Column("page", sa.Integer),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_chunks"),
        sa.UniqueConstraint("chunk_id", name="uq_kb_chunks_chunk_id"),
        sa.ForeignKeyConstraint(
            ["doc_id"],
            ["kb_documents.id"],
            name="fk_kb_chunks_doc_id_kb_documents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_kb_chunks_workspace_id", "kb_chunks", ["workspace_id"])
    op.create_index("ix_kb_chunks_doc_id", "kb_chunks", ["doc_id"])
    for statement in SQLITE_FTS if _dialect() == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if _dialect() == "sqlite":
        for name in ("kb_chunks_fts_au", "kb_chunks_fts_ad", "kb_chunks_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS kb_chunks_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_kb_chunks_text_search")
        op.execute("ALTER TABLE kb_chunks DROP COLUMN IF EXISTS text_search")
    op.drop_index("ix_kb_chunks_doc_id", table_name="kb_chunks")
    op.drop_index("ix_kb_chunks_workspace_id", table_name="kb_chunks")
    op.drop_table("kb_chunks")
    op.drop_index("ix_kb_documents_workspace_hash", table_name="kb_documents")
    op.drop_index("ix_kb_documents_workspace_source", table_name="kb_documents")
    op.drop_table("kb_documents")


def _dialect() -> str:
    return str(op.get_bind().dialect.name)
