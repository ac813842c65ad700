"""Draft versions (issue 4).

Revision ID: 0003_drafts
Revises: 0002_knowledge
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_drafts"
down_revision = "0002_knowledge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("thread_ts", sa.String(32), nullable=True),
        sa.Column("message_ts", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("subject_key", sa.String(255), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("is_final", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_draft_versions"),
        sa.UniqueConstraint("draft_id", "version", name="uq_draft_versions_draft_id_version"),
    )
    op.create_index("ix_draft_versions_draft_id", "draft_versions", ["draft_id"])
    op.create_index("ix_draft_versions_workspace_id", "draft_versions", ["workspace_id"])
    op.create_index(
        "ix_draft_versions_thread", "draft_versions", ["workspace_id", "channel_id", "thread_ts"]
    )
    op.create_index(
        "ix_draft_versions_subject", "draft_versions", ["workspace_id", "kind", "subject_key"]
    )


def downgrade() -> None:
    op.drop_index("ix_draft_versions_subject", table_name="draft_versions")
    op.drop_index("ix_draft_versions_thread", table_name="draft_versions")
    op.drop_index("ix_draft_versions_workspace_id", table_name="draft_versions")
    op.drop_index("ix_draft_versions_draft_id", table_name="draft_versions")
    op.drop_table("draft_versions")
