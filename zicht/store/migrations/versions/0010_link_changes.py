"""link_changes, filled by triggers, and an index on link_ads.linking_version: an increment finds the
ads to profile without comparing every ad's stamps

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# An ad's profile depends on its current version and that version's extraction: a new ad, a new
# current version, a new (or re-made) extraction. Rows for versions that are not current are harmless:
# linking checks every listed ad's stamps and only re-profiles those that really changed.
_SQLITE = (
    """CREATE TRIGGER link_changes_ad_insert AFTER INSERT ON ads
       BEGIN INSERT INTO link_changes (ad_id) VALUES (NEW.id); END""",
    """CREATE TRIGGER link_changes_ad_version AFTER UPDATE OF current_version_id ON ads
       WHEN NEW.current_version_id IS NOT OLD.current_version_id
       BEGIN INSERT INTO link_changes (ad_id) VALUES (NEW.id); END""",
    """CREATE TRIGGER link_changes_extraction_insert AFTER INSERT ON extractions
       BEGIN INSERT INTO link_changes (ad_id)
             SELECT ad_id FROM ad_versions WHERE id = NEW.ad_version_id; END""",
    """CREATE TRIGGER link_changes_extraction_update AFTER UPDATE OF created_at ON extractions
       BEGIN INSERT INTO link_changes (ad_id)
             SELECT ad_id FROM ad_versions WHERE id = NEW.ad_version_id; END""",
)
_POSTGRES = (
    """CREATE FUNCTION link_changes_of_ad() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO link_changes (ad_id) VALUES (NEW.id); RETURN NULL; END $$""",
    """CREATE FUNCTION link_changes_of_extraction() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO link_changes (ad_id)
             SELECT ad_id FROM ad_versions WHERE id = NEW.ad_version_id; RETURN NULL; END $$""",
    """CREATE TRIGGER link_changes_ad_insert AFTER INSERT ON ads
       FOR EACH ROW EXECUTE FUNCTION link_changes_of_ad()""",
    """CREATE TRIGGER link_changes_ad_version AFTER UPDATE OF current_version_id ON ads
       FOR EACH ROW WHEN (NEW.current_version_id IS DISTINCT FROM OLD.current_version_id)
       EXECUTE FUNCTION link_changes_of_ad()""",
    """CREATE TRIGGER link_changes_extraction AFTER INSERT OR UPDATE OF created_at ON extractions
       FOR EACH ROW EXECUTE FUNCTION link_changes_of_extraction()""",
)


def upgrade() -> None:
    op.create_table(
        "link_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ad_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "link_state",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index("ix_link_ads_version", "link_ads", ["linking_version"], unique=False)
    for statement in _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)
    # What changed before the triggers existed is not known: the first run looks at every ad.
    op.execute("INSERT INTO link_changes (ad_id) VALUES (NULL)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS link_changes_ad_insert ON ads")
        op.execute("DROP TRIGGER IF EXISTS link_changes_ad_version ON ads")
        op.execute("DROP TRIGGER IF EXISTS link_changes_extraction ON extractions")
        op.execute("DROP FUNCTION IF EXISTS link_changes_of_ad()")
        op.execute("DROP FUNCTION IF EXISTS link_changes_of_extraction()")
    else:
        for name in (
            "link_changes_ad_insert",
            "link_changes_ad_version",
            "link_changes_extraction_insert",
            "link_changes_extraction_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_link_ads_version", table_name="link_ads")
    op.drop_table("link_state")
    op.drop_table("link_changes")
