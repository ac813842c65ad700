"""Exactly-once claims for occurrences of every recurring kind, with a finish mark (issue 14).

Revision ID: 0009_occurrence_claims
Revises: 0008_statements
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_occurrence_claims"
down_revision = "0008_statements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "occurrence_claims",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("series_key", sa.Integer, primary_key=True),
        sa.Column("occurrence_at", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("result_id", sa.Integer),
    )
    op.create_index("ix_occurrence_claims_finished_at", "occurrence_claims", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_occurrence_claims_finished_at", table_name="occurrence_claims")
    op.drop_table("occurrence_claims")
