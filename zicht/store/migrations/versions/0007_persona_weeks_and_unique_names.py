"""persona weeks and flows for movement, a network mark, refresh basis; unique region names and active watches

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persona_weeks",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("persona", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gemeente_code", sa.String(length=16), nullable=False),
        sa.Column("network", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "persona", "gemeente_code"),
    )
    op.create_index("ix_persona_weeks_area", "persona_weeks", ["gemeente_code", "week", "persona"])
    op.create_index("ix_persona_weeks_persona", "persona_weeks", ["persona", "week"])
    op.create_table(
        "persona_flows",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("persona", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.String(length=16), nullable=False),
        sa.Column("network", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "persona", "origin", "destination"),
    )
    op.create_table(
        "persona_week_counts",
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("prev_week", sa.Date(), nullable=False),
        sa.Column("personas", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("known", "week", "prev_week"),
    )
    with op.batch_alter_table("count_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("network_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("count_refresh", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis", sa.JSON(), nullable=True))
    op.create_index("ux_regions_name_lower", "regions", [sa.text("lower(name)")], unique=True)
    op.create_index(
        "ux_watches_active_target",
        "watches",
        ["kind", "target", sa.text("coalesce(threshold, 0)")],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )


def downgrade() -> None:
    op.drop_index("ux_watches_active_target", table_name="watches")
    op.drop_index("ux_regions_name_lower", table_name="regions")
    with op.batch_alter_table("count_refresh", schema=None) as batch_op:
        batch_op.drop_column("basis")
    with op.batch_alter_table("count_marks", schema=None) as batch_op:
        batch_op.drop_column("network_id")
    op.drop_table("persona_week_counts")
    op.drop_table("persona_flows")
    op.drop_index("ix_persona_weeks_persona", table_name="persona_weeks")
    op.drop_index("ix_persona_weeks_area", table_name="persona_weeks")
    op.drop_table("persona_weeks")
