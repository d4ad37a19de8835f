"""count aggregates: pre-computed totals per level, area and period, with per-ad marks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "count_aggregates",
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("period_kind", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("area_code", sa.String(length=64), nullable=False),
        sa.Column("area_name", sa.String(length=255), nullable=False),
        sa.Column("active_ads", sa.Integer(), nullable=False),
        sa.Column("new_ads", sa.Integer(), nullable=False),
        sa.Column("contact_points", sa.Integer(), nullable=False),
        sa.Column("personas", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "period_kind", "period_start", "area_code"),
    )
    op.create_table(
        "count_marks",
        sa.Column("ad_id", sa.Integer(), autoincrement=False, nullable=False),
        _ts("first_seen"),
        _ts("last_seen"),
        sa.Column("version_stamp", sa.Integer(), nullable=False),
        _ts("facts_stamp", nullable=True),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("ad_id"),
    )
    op.create_table(
        "count_refresh",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("algorithm", sa.String(length=32), nullable=False),
        sa.Column("stamps", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        _ts("refreshed_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("extractions", schema=None) as batch_op:
        batch_op.create_index("ix_extractions_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("link_ads", schema=None) as batch_op:
        batch_op.create_index("ix_link_ads_keyed_at", ["keyed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("link_ads", schema=None) as batch_op:
        batch_op.drop_index("ix_link_ads_keyed_at")
    with op.batch_alter_table("extractions", schema=None) as batch_op:
        batch_op.drop_index("ix_extractions_created_at")
    op.drop_table("count_refresh")
    op.drop_table("count_marks")
    op.drop_table("count_aggregates")
