"""Retros, entries, action items and schedules (issue 6).

Revision ID: 0005_retros
Revises: 0004_slack
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_retros"
down_revision = "0004_slack"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reserved in the chain so features can land in any order; filled by its issue.
    pass


def downgrade() -> None:
    pass
