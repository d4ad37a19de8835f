"""linking: band keys, verified links, personas, networks, roles, moves, hubs and analyst decisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "link_ads",
        sa.Column("ad_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("linking_version", sa.String(length=255), nullable=False),
        sa.Column("version_stamp", sa.Integer(), nullable=False),
        _ts("facts_stamp", nullable=True),
        _ts("keyed_at"),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("recluster", sa.Boolean(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["ad_id"], ["ads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ad_id"),
    )
    with op.batch_alter_table("link_ads", schema=None) as batch_op:
        batch_op.create_index("ix_link_ads_dirty", ["dirty"], unique=False)
        batch_op.create_index("ix_link_ads_network", ["network_id"], unique=False)
        batch_op.create_index("ix_link_ads_persona", ["persona_id"], unique=False)

    op.create_table(
        "link_keys",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ad_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["ad_id"], ["ads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "ad_id"),
    )
    with op.batch_alter_table("link_keys", schema=None) as batch_op:
        batch_op.create_index("ix_link_keys_ad", ["ad_id"], unique=False)

    op.create_table(
        "link_hubs",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("n_ads", sa.Integer(), nullable=False),
        sa.Column("sample_ad_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("linking_version", sa.String(length=255), nullable=False),
        _ts("detected_at"),
        sa.PrimaryKeyConstraint("key"),
    )

    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ad_a", sa.Integer(), nullable=False),
        sa.Column("ad_b", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("hub", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("pair_score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("linking_version", sa.String(length=255), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["ad_a"], ["ads.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ad_b"], ["ads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ad_a", "ad_b", "channel", name="uq_links_pair_channel"),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index("ix_links_ad_b", ["ad_b"], unique=False)

    op.create_table(
        "link_personas",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("n_ads", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        _ts("first_seen", nullable=True),
        _ts("last_seen", nullable=True),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("role_evidence", sa.JSON(), nullable=False),
        sa.Column("linking_version", sa.String(length=255), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("link_personas", schema=None) as batch_op:
        batch_op.create_index("ix_link_personas_network", ["network_id"], unique=False)

    op.create_table(
        "link_networks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n_personas", sa.Integer(), nullable=False),
        sa.Column("n_ads", sa.Integer(), nullable=False),
        sa.Column("n_contacts", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        _ts("first_seen", nullable=True),
        _ts("last_seen", nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("linking_version", sa.String(length=255), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "link_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=320), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("linking_version", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("link_roles", schema=None) as batch_op:
        batch_op.create_index("ix_link_roles_network", ["network_id"], unique=False)
        batch_op.create_index("ix_link_roles_role", ["role"], unique=False)

    op.create_table(
        "link_moves",
        sa.Column("persona_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("left_gm", sa.String(length=8), nullable=False),
        sa.Column("arrived_gm", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("persona_id", "key"),
    )
    with op.batch_alter_table("link_moves", schema=None) as batch_op:
        batch_op.create_index("ix_link_moves_key", ["key"], unique=False)

    op.create_table(
        "link_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ad_a", sa.Integer(), nullable=False),
        sa.Column("ad_b", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["ad_a"], ["ads.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ad_b"], ["ads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("link_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_link_decisions_pair", ["ad_a", "ad_b"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("link_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_link_decisions_pair")
    op.drop_table("link_decisions")
    with op.batch_alter_table("link_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_link_moves_key")
    op.drop_table("link_moves")
    with op.batch_alter_table("link_roles", schema=None) as batch_op:
        batch_op.drop_index("ix_link_roles_role")
        batch_op.drop_index("ix_link_roles_network")
    op.drop_table("link_roles")
    op.drop_table("link_networks")
    with op.batch_alter_table("link_personas", schema=None) as batch_op:
        batch_op.drop_index("ix_link_personas_network")
    op.drop_table("link_personas")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_ad_b")
    op.drop_table("links")
    op.drop_table("link_hubs")
    with op.batch_alter_table("link_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_link_keys_ad")
    op.drop_table("link_keys")
    with op.batch_alter_table("link_ads", schema=None) as batch_op:
        batch_op.drop_index("ix_link_ads_persona")
        batch_op.drop_index("ix_link_ads_network")
        batch_op.drop_index("ix_link_ads_dirty")
    op.drop_table("link_ads")
