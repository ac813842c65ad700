"""Adopted OKR plans: objectives, key results, check-ins, the edit audit and check-in rounds
(issue 14).

Revision ID: 0010_okr_plans
Revises: 0009_occurrence_claims
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_okr_plans"
down_revision = "0009_occurrence_claims"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _now(name: str) -> sa.Column:
    return sa.Column(name, TS, server_default=sa.func.now(), nullable=False)


def _fk(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=f"fk_{table}_{column}_{parent}", ondelete="CASCADE"
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "okr_plans",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("starts", sa.Date, nullable=False),
        sa.Column("ends", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("adopted_by", sa.String(64), nullable=False),
        sa.Column("draft_id", sa.Integer),
        sa.Column("draft_ref", sa.String(32)),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("checkin_kind", sa.String(16)),
        sa.Column("checkin_expr", sa.String(500)),
        sa.Column("checkin_text", sa.String(500)),
        sa.Column("checkins_paused", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("remind_after_seconds", sa.Integer, nullable=False),
        sa.Column("digest_after_seconds", sa.Integer, nullable=False),
        sa.Column("retro_id", sa.Integer),
        _now("created_at"),
        _now("updated_at"),
        sa.Column("closed_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_okr_plans"),
    )
    _indexes("okr_plans", "workspace_id", "channel_id", "status")

    op.create_table(
        "okr_objectives",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("intent", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_okr_objectives"),
        _fk("okr_objectives", "plan_id", "okr_plans"),
    )
    _indexes("okr_objectives", "plan_id", "workspace_id")

    op.create_table(
        "okr_key_results",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("objective_id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("metric", sa.String(300), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("baseline", sa.Float),
        sa.Column("target", sa.Float),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("owner", sa.String(64)),
        sa.Column("due", sa.Date),
        sa.Column("score", sa.Float),
        sa.Column("score_reason", sa.Text),
        sa.Column("source_ids", sa.JSON, nullable=False),
        _now("created_at"),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_okr_key_results"),
        _fk("okr_key_results", "objective_id", "okr_objectives"),
        _fk("okr_key_results", "plan_id", "okr_plans"),
    )
    _indexes("okr_key_results", "objective_id", "plan_id", "workspace_id", "owner")

    op.create_table(
        "okr_checkins",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kr_id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("value_text", sa.String(100), nullable=False),
        sa.Column("confidence", sa.String(16)),
        sa.Column("note", sa.Text),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_okr_checkins"),
        _fk("okr_checkins", "kr_id", "okr_key_results"),
        _fk("okr_checkins", "plan_id", "okr_plans"),
    )
    _indexes("okr_checkins", "kr_id", "plan_id", "workspace_id")

    op.create_table(
        "okr_kr_edits",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("kr_id", sa.Integer),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_okr_kr_edits"),
        _fk("okr_kr_edits", "plan_id", "okr_plans"),
        _fk("okr_kr_edits", "kr_id", "okr_key_results"),
    )
    _indexes("okr_kr_edits", "plan_id", "kr_id", "workspace_id")

    op.create_table(
        "okr_rounds",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("occurrence_at", TS, nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("remind_at", TS, nullable=False),
        sa.Column("digest_at", TS, nullable=False),
        sa.Column("reminded_at", TS),
        sa.Column("digested_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_okr_rounds"),
        _fk("okr_rounds", "plan_id", "okr_plans"),
        sa.UniqueConstraint("plan_id", "occurrence_at", name="uq_okr_rounds_occurrence"),
    )
    _indexes("okr_rounds", "plan_id", "workspace_id")

    op.create_table(
        "okr_round_notices",
        sa.Column("round_id", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("claimed_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.PrimaryKeyConstraint("round_id", "owner", "kind", name="pk_okr_round_notices"),
        _fk("okr_round_notices", "round_id", "okr_rounds"),
    )
    _indexes("okr_round_notices", "workspace_id")


def downgrade() -> None:
    for table in (
        "okr_round_notices",
        "okr_rounds",
        "okr_kr_edits",
        "okr_checkins",
        "okr_key_results",
        "okr_objectives",
        "okr_plans",
    ):
        op.drop_table(table)
