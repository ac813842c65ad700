"""Foundation: workspaces, processed Slack events and slack_sdk's OAuth tables.

Revision ID: 0001_foundation
Revises:
"""

import sqlalchemy as sa
from alembic import op
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(255)),
        sa.Column("mission", sa.String(1000)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_events"),
    )
    op.create_index("ix_processed_events_workspace_id", "processed_events", ["workspace_id"])
    op.create_index("ix_processed_events_received_at", "processed_events", ["received_at"])
    _oauth_metadata().create_all(bind=op.get_bind())


def _oauth_metadata() -> sa.MetaData:
    """slack_sdk's own table definitions, so its stores read exactly what they expect."""
    md = sa.MetaData()
    SQLAlchemyInstallationStore.build_installations_table(md, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(md, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(md, "slack_oauth_states")
    return md


def downgrade() -> None:
    _oauth_metadata().drop_all(bind=op.get_bind())
    op.drop_table("processed_events")
    op.drop_table("workspaces")
