"""Knowledge base document registry (issue 3).

Revision ID: 0002_knowledge
Revises: 0001_foundation
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002_knowledge"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reserved in the chain so features can land in any order; filled by its issue.
    pass


def downgrade() -> None:
    pass
