"""Drafting requests, thread transcripts and draft feedback (issue 5).

Revision ID: 0004_slack
Revises: 0003_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_slack"
down_revision = "0003_drafts"
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "draft_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(255)),
        sa.Column("lens", sa.String(100)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("thread_ts", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("result_ts", sa.String(32)),
        *_timestamps(),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_draft_requests_workspace_id", "draft_requests", ["workspace_id"])
    op.create_table(
        "thread_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32)),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        *_timestamps(),
        sa.UniqueConstraint(
            "workspace_id", "channel_id", "ts", name="uq_thread_messages_workspace_id"
        ),
    )
    op.create_index("ix_thread_messages_thread_ts", "thread_messages", ["thread_ts"])
    op.create_table(
        "draft_feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        *_timestamps(),
        sa.UniqueConstraint(
            "workspace_id",
            "channel_id",
            "message_ts",
            "user_id",
            name="uq_draft_feedback_workspace_id",
        ),
    )
    op.create_index("ix_draft_feedback_workspace_id", "draft_feedback", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("draft_feedback")
    op.drop_table("thread_messages")
    op.drop_table("draft_requests")
