"""Slack installations, threads and feedback (issue 5).

Revision ID: 0004_slack
Revises: 0003_drafts
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_slack"
down_revision = "0003_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reserved in the chain so features can land in any order; filled by its issue.
    pass


def downgrade() -> None:
    pass
