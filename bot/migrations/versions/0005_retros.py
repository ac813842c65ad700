"""Retros, entries, action items and schedules (issue 6).

Revision ID: 0005_retros
Revises: 0004_slack
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_retros"
down_revision = "0004_slack"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retro_series",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("trigger_kind", sa.String(16), nullable=False),
        sa.Column("trigger_expr", sa.String(500), nullable=False),
        sa.Column("schedule_text", sa.String(500), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("window_seconds", sa.Integer, nullable=False),
        sa.Column("nudge_seconds", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        _now("created_at"),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_retro_series"),
    )
    op.create_index("ix_retro_series_workspace_id", "retro_series", ["workspace_id"])
    op.create_index("ix_retro_series_status", "retro_series", ["status"])

    op.create_table(
        "retros",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("series_id", sa.Integer),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("opened_by", sa.String(32)),
        _now("opened_at"),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nudge_at", sa.DateTime(timezone=True)),
        sa.Column("nudged_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("close_reason", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("prompt_ts", sa.String(32)),
        sa.Column("late_by_seconds", sa.Integer),
        sa.Column("occurrence_at", sa.DateTime(timezone=True)),
        sa.Column("synthesis_error", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name="pk_retros"),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["retro_series.id"],
            name="fk_retros_series_id_retro_series",
            ondelete="SET NULL",
        ),
    )
    for column in ("workspace_id", "channel_id", "series_id", "status"):
        op.create_index(f"ix_retros_{column}", "retros", [column])

    op.create_table(
        "retro_entries",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("retro_id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("section", sa.String(32)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(32)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ts", sa.String(32)),
        _now("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_retro_entries"),
        sa.ForeignKeyConstraint(
            ["retro_id"],
            ["retros.id"],
            name="fk_retro_entries_retro_id_retros",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("retro_id", "source_ts", name="uq_retro_entries_source"),
    )
    op.create_index("ix_retro_entries_retro_id", "retro_entries", ["retro_id"])
    op.create_index("ix_retro_entries_workspace_id", "retro_entries", ["workspace_id"])

    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("series_id", sa.Integer),
        sa.Column("retro_id", sa.Integer, nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("owner", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        _now("created_at"),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_action_items"),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["retro_series.id"],
            name="fk_action_items_series_id_retro_series",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["retro_id"],
            ["retros.id"],
            name="fk_action_items_retro_id_retros",
            ondelete="CASCADE",
        ),
    )
    for column in ("workspace_id", "series_id", "retro_id"):
        op.create_index(f"ix_action_items_{column}", "action_items", [column])

    op.create_table(
        "schedule_fires",
        sa.Column("schedule_id", sa.Integer, nullable=False),
        sa.Column("occurrence_at", sa.DateTime(timezone=True), nullable=False),
        _now("fired_at"),
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

    # APScheduler's SQLAlchemyJobStore table, in its own layout, so the schema stays under
    # Alembic and the engine can list job ids with one query.
    op.create_table(
        "retro_scheduler_jobs",
        sa.Column("id", sa.Unicode(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25)),
        sa.Column("job_state", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retro_scheduler_jobs"),
    )
    op.create_index(
        "ix_retro_scheduler_jobs_next_run_time", "retro_scheduler_jobs", ["next_run_time"]
    )


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def downgrade() -> None:
    for table in (
        "retro_scheduler_jobs",
        "schedule_fires",
        "action_items",
        "retro_entries",
        "retros",
        "retro_series",
    ):
        op.drop_table(table)
