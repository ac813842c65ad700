"""The picture of each draft version uploaded into its Slack thread, so a new version replaces it.

Revision ID: 0007_draft_pictures
Revises: 0006_event_claims
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_draft_pictures"
down_revision = "0006_event_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_pictures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(32), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_draft_pictures_workspace_id", "draft_pictures", ["workspace_id"])
    op.create_index(
        "ix_draft_pictures_thread", "draft_pictures", ["workspace_id", "channel_id", "thread_ts"]
    )


def downgrade() -> None:
    op.drop_index("ix_draft_pictures_thread", table_name="draft_pictures")
    op.drop_index("ix_draft_pictures_workspace_id", table_name="draft_pictures")
    op.drop_table("draft_pictures")
