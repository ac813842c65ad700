"""Issue 13's leftovers: a chunk of a final draft keeps the chunk ids of the documents its
item came from, so later drafts cite those documents; a workspace holds one document per
content, so two identical adds at once store one; and an open retro keeps a keyed mark of who
has written (anonymously or not), so the nudge skips them without any author being stored;
and a workspace remembers its Enterprise Grid organisation, so background work finds an
org-wide installation.

Revision ID: 0011_issue13_integrity
Revises: 0010_okr_plans
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_issue13_integrity"
down_revision = "0010_okr_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kb_chunks", sa.Column("origins", sa.JSON))
    op.add_column("retros", sa.Column("contributor_salt", sa.String(32)))
    op.add_column("workspaces", sa.Column("enterprise_id", sa.String(32)))
    op.create_table(
        "retro_contributions",
        sa.Column(
            "retro_id",
            sa.Integer,
            sa.ForeignKey("retros.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("member_key", sa.String(64), primary_key=True),
    )
    _drop_duplicate_documents()
    op.drop_index("ix_kb_documents_workspace_hash", table_name="kb_documents")
    op.create_index(
        "ix_kb_documents_workspace_hash",
        "kb_documents",
        ["workspace_id", "content_hash"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("retro_contributions")
    op.drop_column("retros", "contributor_salt")
    op.drop_column("workspaces", "enterprise_id")
    op.drop_index("ix_kb_documents_workspace_hash", table_name="kb_documents")
    op.create_index(
        "ix_kb_documents_workspace_hash", "kb_documents", ["workspace_id", "content_hash"]
    )
    # A plain ALTER (SQLite 3.35+): batch mode would rebuild kb_chunks under its FTS triggers.
    op.drop_column("kb_chunks", "origins")


def _drop_duplicate_documents() -> None:
    """Copies stored by concurrent adds before the index existed: keep one per content (a ready
    one, the oldest). Their vectors stay in Chroma unread (search reads chunks from SQL) until
    the next reindex."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, workspace_id, content_hash FROM kb_documents "
            "ORDER BY workspace_id, content_hash, "
            "CASE WHEN status = 'ready' THEN 0 ELSE 1 END, added_at, id"
        )
    )
    kept: set[tuple[str, str]] = set()
    extra: list[str] = []
    for row in rows:
        content = (str(row.workspace_id), str(row.content_hash))
        if content in kept:
            extra.append(str(row.id))
        kept.add(content)
    for start in range(0, len(extra), 500):
        batch = {"ids": extra[start : start + 500]}
        # Chunks before documents: FTS triggers fire on these deletes even where FK cascades are off.
        for table, column in (
            ("kb_statements", "doc_id"),
            ("kb_chunks", "doc_id"),
            ("kb_documents", "id"),
        ):
            statement = sa.text(f"DELETE FROM {table} WHERE {column} IN :ids")
            conn.execute(statement.bindparams(sa.bindparam("ids", expanding=True)), batch)
