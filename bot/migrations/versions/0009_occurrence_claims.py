"""Exactly-once claims for occurrences of every recurring kind, with a finish mark (issue 14).

Retro fires move here from `schedule_fires`: every existing fire becomes a finished "retro"
claim (its prompt was handled by the engine that fired it), then `schedule_fires` goes.

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
        sa.Column("workspace_id", sa.String(32)),
    )
    op.create_index("ix_occurrence_claims_finished_at", "occurrence_claims", ["finished_at"])
    op.create_index("ix_occurrence_claims_workspace_id", "occurrence_claims", ["workspace_id"])
    op.execute(
        "INSERT INTO occurrence_claims "
        "(kind, series_key, occurrence_at, claimed_at, finished_at, result_id, workspace_id) "
        "SELECT 'retro', f.schedule_id, f.occurrence_at, f.fired_at, f.fired_at, f.retro_id, "
        "s.workspace_id FROM schedule_fires f JOIN retro_series s ON s.id = f.schedule_id"
    )
    op.drop_table("schedule_fires")


def downgrade() -> None:
    op.create_table(
        "schedule_fires",
        sa.Column("schedule_id", sa.Integer, nullable=False),
        sa.Column("occurrence_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "fired_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("retro_id", sa.Integer),
        sa.PrimaryKeyConstraint("schedule_id", "occurrence_at", name="pk_schedule_fires"),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["retro_series.id"],
            name="fk_schedule_fires_schedule_id_retro_series",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["retro_id"],
            ["retros.id"],
            name="fk_schedule_fires_retro_id_retros",
            ondelete="SET NULL",
        ),
    )
    op.execute(
        "INSERT INTO schedule_fires (schedule_id, occurrence_at, fired_at, retro_id) "
        "SELECT c.series_key, c.occurrence_at, c.claimed_at, r.id FROM occurrence_claims c "
        "JOIN retro_series s ON s.id = c.series_key "
        "LEFT JOIN retros r ON r.id = c.result_id WHERE c.kind = 'retro'"
    )
    op.drop_index("ix_occurrence_claims_workspace_id", table_name="occurrence_claims")
    op.drop_index("ix_occurrence_claims_finished_at", table_name="occurrence_claims")
    op.drop_table("occurrence_claims")
