"""Event claims carry a status, so a claim left by a crashed process can be taken over.

Revision ID: 0006_event_claims
Revises: 0005_retros
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_event_claims"
down_revision = "0005_retros"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.add_column(sa.Column("status", sa.String(12), nullable=False, server_default="done"))


def downgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("status")
