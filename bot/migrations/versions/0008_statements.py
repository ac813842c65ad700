"""Typed statements of the knowledge base (issue 12): each chunk's sentences, bullets and rows
with their type, the classifier's confidence and a MiniLM vector for ranking at draft time.

Revision ID: 0008_statements
Revises: 0007_draft_pictures
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_statements"
down_revision = "0007_draft_pictures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_statements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column(
            "doc_id",
            sa.String(32),
            sa.ForeignKey("kb_documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("chunk_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("heading", sa.String(500)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("vector", sa.LargeBinary),
    )
    # Drafts read one workspace's statements of a few kinds at a time.
    op.create_index("ix_kb_statements_workspace_kind", "kb_statements", ["workspace_id", "kind"])
    op.create_index("ix_kb_statements_doc", "kb_statements", ["doc_id"])
    op.create_index("ix_kb_statements_chunk", "kb_statements", ["chunk_id"])


def downgrade() -> None:
    op.drop_table("kb_statements")
