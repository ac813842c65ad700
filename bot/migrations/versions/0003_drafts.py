"""Draft versions (issue 4).

Revision ID: 0003_drafts
Revises: 0002_knowledge
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_drafts"
down_revision = "0002_knowledge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reserved in the chain so features can land in any order; filled by its issue.
    pass


def downgrade() -> None:
    pass
