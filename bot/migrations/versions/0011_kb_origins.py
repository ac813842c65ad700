"""Knowledge drawn from other knowledge (issue 13): a chunk of a final draft keeps the chunk ids
of the documents its item came from, so later drafts cite those documents.

Revision ID: 0011_kb_origins
Revises: 0009_occurrence_claims
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_kb_origins"
down_revision = "0009_occurrence_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kb_chunks", sa.Column("origins", sa.JSON))


def downgrade() -> None:
    # A plain ALTER (SQLite 3.35+): batch mode would rebuild kb_chunks under its FTS triggers.
    op.drop_column("kb_chunks", "origins")
