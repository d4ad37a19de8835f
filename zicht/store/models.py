"""Tables of the store. One module so that Alembic and the store layer share one truth.

Stage results carry the version of the code that made them (``parser``, ``extractor_version``,
``catalogue_version``) so that a version change re-runs exactly what it affects.
Timestamps are stored timezone-aware in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend (SQLite has no timezone type)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict] = {datetime: UTCDateTime(), dict: JSON, list: JSON}


# ---------------------------------------------------------------- collection (issue 2)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    base_url: Mapped[str | None] = mapped_column(String(512))
    default_region: Mapped[str] = mapped_column(String(2), default="NL")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlRun(Base):
    """One collection job (crawl or table import) with why it was done and how it was set up."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(16))  # crawl | import
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|finished|failed
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(String(512))
    config: Mapped[dict] = mapped_column(default=dict)
    stats: Mapped[dict] = mapped_column(default=dict)
    # True only when every listing page of the configured scope was walked: only then may
    # ads that were not seen be marked removed.
    complete: Mapped[bool] = mapped_column(Boolean, default=False)

    site: Mapped[Site] = relationship()


class CrawlTask(Base):
    """The crawl frontier, persisted so a killed crawl resumes where it stopped."""

    __tablename__ = "crawl_tasks"
    __table_args__ = (
        UniqueConstraint("run_id", "url", name="uq_crawl_tasks_run_url"),
        Index("ix_crawl_tasks_run_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    kind: Mapped[str] = mapped_column(String(16))  # listing | ad | phone | image
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|failed|skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    parent_url: Mapped[str | None] = mapped_column(String(2048))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RawPage(Base):
    """A fetched response kept as evidence: the bytes live in a WARC file, found by offset."""

    __tablename__ = "raw_pages"
    __table_args__ = (Index("ix_raw_pages_url", "url"), Index("ix_raw_pages_sha256", "sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    url: Mapped[str] = mapped_column(String(2048))
    kind: Mapped[str] = mapped_column(String(16))  # listing | ad | phone | image | import
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    warc_file: Mapped[str] = mapped_column(String(1024))  # relative to the data directory
    warc_offset: Mapped[int] = mapped_column(BigInteger)
    warc_length: Mapped[int] = mapped_column(BigInteger)
    parse_status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|ok|error
    parse_error: Mapped[str | None] = mapped_column(Text)
    parser: Mapped[str | None] = mapped_column(String(255))  # adapter name@version


class Ad(Base):
    __tablename__ = "ads"
    __table_args__ = (
        UniqueConstraint("site_id", "source_id", name="uq_ads_site_source"),
        Index("ix_ads_last_seen", "last_seen"),
        Index("ix_ads_first_seen", "first_seen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    source_id: Mapped[str] = mapped_column(String(128))
    url: Mapped[str] = mapped_column(String(2048))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | removed
    removed_at: Mapped[datetime | None]
    # The seed listing url (category or region entry page) the ad was last reached from: a
    # complete crawl marks removed only the unseen ads of its own seeds. None: never listed.
    listed_under: Mapped[str | None] = mapped_column(String(2048))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("ad_versions.id", use_alter=True, name="fk_ads_current_version")
    )

    site: Mapped[Site] = relationship()
    versions: Mapped[list[AdVersion]] = relationship(
        back_populates="ad", foreign_keys="AdVersion.ad_id", order_by="AdVersion.first_seen"
    )


class AdVersion(Base):
    """Each distinct content of an ad; a re-fetch with the same content only moves last_seen."""

    __tablename__ = "ad_versions"
    __table_args__ = (UniqueConstraint("ad_id", "content_hash", name="uq_ad_versions_ad_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ad_id: Mapped[int] = mapped_column(ForeignKey("ads.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"))
    parser: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    posted_at: Mapped[datetime | None]
    fields: Mapped[dict] = mapped_column(default=dict)
    services: Mapped[list] = mapped_column(default=list)
    rates: Mapped[list] = mapped_column(default=list)
    images: Mapped[list] = mapped_column(default=list)
    phone: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(320))

    ad: Mapped[Ad] = relationship(back_populates="versions", foreign_keys=[ad_id])


# ---------------------------------------------------------------- extraction and signals (issue 3)


class Extraction(Base):
    """Facts extracted from one ad version, with the extractor version that made them."""

    __tablename__ = "extractions"
    __table_args__ = (Index("ix_extractions_gemeente", "gemeente_code"),)

    ad_version_id: Mapped[int] = mapped_column(
        ForeignKey("ad_versions.id", ondelete="CASCADE"), primary_key=True
    )
    extractor_version: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    facts: Mapped[dict] = mapped_column(default=dict)
    age: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(255))
    gemeente_code: Mapped[str | None] = mapped_column(String(8))
    police_unit: Mapped[str | None] = mapped_column(String(64))
    error_count: Mapped[int] = mapped_column(Integer, default=0)


class ContactPoint(Base):
    """A phone, email or handle; ``hmac`` is its keyed pseudonym for statistics and exports."""

    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_contact_points_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
    country: Mapped[str | None] = mapped_column(String(2))
    hmac: Mapped[str] = mapped_column(String(64), index=True)


class AdContact(Base):
    __tablename__ = "ad_contacts"
    __table_args__ = (Index("ix_ad_contacts_contact", "contact_point_id"),)

    ad_version_id: Mapped[int] = mapped_column(
        ForeignKey("ad_versions.id", ondelete="CASCADE"), primary_key=True
    )
    contact_point_id: Mapped[int] = mapped_column(ForeignKey("contact_points.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # field|text|title|link|photo
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    obscured: Mapped[bool] = mapped_column(Boolean, default=False)


class Photo(Base):
    """An image by content hash; linked to others by perceptual hash only, never by face."""

    __tablename__ = "photos"
    __table_args__ = (Index("ix_photos_phash", "phash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    phash: Mapped[int | None] = mapped_column(BigInteger)
    dhash: Mapped[int | None] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16))
    ocr_text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    photos_version: Mapped[str] = mapped_column(String(255))
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"))


class AdPhoto(Base):
    __tablename__ = "ad_photos"

    ad_version_id: Mapped[int] = mapped_column(
        ForeignKey("ad_versions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"))


class IndicatorHit(Base):
    __tablename__ = "indicator_hits"
    __table_args__ = (
        Index("ix_indicator_hits_version", "ad_version_id"),
        Index("ix_indicator_hits_code", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ad_version_id: Mapped[int] = mapped_column(ForeignKey("ad_versions.id", ondelete="CASCADE"))
    catalogue_version: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(64))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    matched_text: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float)
    evidence_level: Mapped[str] = mapped_column(String(32))
    negated: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    # The whole hit as the engine explained it (Dutch reason, negation cue, source note, ...).
    detail: Mapped[dict] = mapped_column(default=dict)


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_value", "value"),)

    ad_version_id: Mapped[int] = mapped_column(
        ForeignKey("ad_versions.id", ondelete="CASCADE"), primary_key=True
    )
    catalogue_version: Mapped[str] = mapped_column(String(255))
    value: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(Base):
    """A person's decision on an ad; the worklist never acts by itself."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_ad", "ad_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ad_id: Mapped[int] = mapped_column(ForeignKey("ads.id", ondelete="CASCADE"))
    user: Mapped[str] = mapped_column(String(128))
    decision: Mapped[str] = mapped_column(String(16))  # reviewed | selected | dismissed
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- linking (issue 4)
# Personas (ads that appear to be the same advertised person) and networks (personas joined by shared
# contact points, templates, group travel or copied identities). Ids of personas and networks are the
# smallest ad id among their ads: stable across runs and the same after a full rebuild.


class LinkAd(Base):
    """Linking state of one ad: its profile (what verification compares), persona and network."""

    __tablename__ = "link_ads"
    __table_args__ = (
        Index("ix_link_ads_persona", "persona_id"),
        Index("ix_link_ads_network", "network_id"),
        Index("ix_link_ads_dirty", "dirty"),
        # An increment's seed without reading every profile (``recluster_seed``: 2 s cold at 1 M ads).
        Index("ix_link_ads_recluster", "recluster"),
        # Profiles of another linking version without reading every profile (``ads_needing_profiles``).
        Index("ix_link_ads_version", "linking_version"),
    )

    ad_id: Mapped[int] = mapped_column(
        ForeignKey("ads.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    linking_version: Mapped[str] = mapped_column(String(255))
    version_stamp: Mapped[int] = mapped_column(Integer)  # highest ad_versions.id when profiled
    facts_stamp: Mapped[datetime | None]  # newest extraction of the ad when profiled
    keyed_at: Mapped[datetime] = mapped_column(default=utcnow)
    dirty: Mapped[bool] = mapped_column(Boolean, default=True)  # pairs must be verified again
    recluster: Mapped[bool] = mapped_column(Boolean, default=True)  # persona/network to recompute
    persona_id: Mapped[int | None] = mapped_column(Integer)
    network_id: Mapped[int | None] = mapped_column(Integer)
    profile: Mapped[dict] = mapped_column(default=dict)


class LinkChange(Base):
    """An ad whose current version or facts changed since linking last profiled it, written by
    database triggers (migration 0010) whoever writes: the crawl, an import, ``zicht process``, a
    bulk loader. An increment reads these instead of comparing every ad's stamps (a scan of the whole
    store, 1.6 s at 1,000,000 ads). ``ad_id`` None: anything may have changed (look at every ad)."""

    __tablename__ = "link_changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ad_id: Mapped[int | None] = mapped_column(Integer)


class LinkState(Base):
    """Small named facts about the linking stage: ``linking_version``, the version that last finished
    profiling every ad that needed it ("" while a run that looks at every ad is under way)."""

    __tablename__ = "link_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class LinkKey(Base):
    """Band keys of an ad; candidate pairs are a self-join of this table on ``key``."""

    __tablename__ = "link_keys"
    __table_args__ = (Index("ix_link_keys_ad", "ad_id"),)

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ad_id: Mapped[int] = mapped_column(
        ForeignKey("ads.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    channel: Mapped[str] = mapped_column(String(16))


class LinkHub(Base):
    """A key shared by so many ads that it says nothing about who belongs together (shown, not used)."""

    __tablename__ = "link_hubs"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(16))
    n_ads: Mapped[int] = mapped_column(Integer)
    sample_ad_id: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[str | None] = mapped_column(Text)
    linking_version: Mapped[str] = mapped_column(String(255))
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)


class Link(Base):
    """One channel of a verified pair (``ad_a < ad_b``) with its score and evidence."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("ad_a", "ad_b", "channel", name="uq_links_pair_channel"),
        Index("ix_links_ad_b", "ad_b"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ad_a: Mapped[int] = mapped_column(ForeignKey("ads.id", ondelete="CASCADE"))
    ad_b: Mapped[int] = mapped_column(ForeignKey("ads.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    hub: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[dict] = mapped_column(default=dict)
    verdict: Mapped[str] = mapped_column(String(16))  # persona|network|copy|template|weak|move|analyst
    pair_score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    linking_version: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkPersona(Base):
    __tablename__ = "link_personas"
    __table_args__ = (Index("ix_link_personas_network", "network_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    network_id: Mapped[int] = mapped_column(Integer)
    n_ads: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(255), default="")
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    contacts: Mapped[list] = mapped_column(default=list)
    role: Mapped[str] = mapped_column(String(32))
    role_evidence: Mapped[dict] = mapped_column(default=dict)
    linking_version: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The persona's template group when it was last clustered (``clusters.TemplateGroups``): its
    # smallest persona and kept | loose | capped | none; NULL where an increment saw only part of a
    # group over the cap. Lets the next increment skip groups nothing changed in.
    template_group: Mapped[int | None] = mapped_column(Integer)
    template_state: Mapped[str | None] = mapped_column(String(8))


class LinkNetwork(Base):
    __tablename__ = "link_networks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n_personas: Mapped[int] = mapped_column(Integer)
    n_ads: Mapped[int] = mapped_column(Integer)
    n_contacts: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(32))
    roles: Mapped[list] = mapped_column(default=list)
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    summary: Mapped[dict] = mapped_column(default=dict)
    linking_version: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkRole(Base):
    """A role inferred in a network (telefonist, ad manager, touring group, ...) with its evidence."""

    __tablename__ = "link_roles"
    __table_args__ = (Index("ix_link_roles_network", "network_id"), Index("ix_link_roles_role", "role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(Integer)
    persona_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(320), default="")
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict] = mapped_column(default=dict)
    linking_version: Mapped[str] = mapped_column(String(255))


class LinkMove(Base):
    """A move of a persona (left one gemeente, arrived in another that week): keys for group travel."""

    __tablename__ = "link_moves"
    __table_args__ = (Index("ix_link_moves_key", "key"),)

    persona_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[int] = mapped_column(Integer)
    left_gm: Mapped[str] = mapped_column(String(8))
    arrived_gm: Mapped[str] = mapped_column(String(8))


class LinkDecision(Base):
    """An analyst's decision on a pair of ads; the newest per pair and level is respected by every run."""

    __tablename__ = "link_decisions"
    __table_args__ = (Index("ix_link_decisions_pair", "ad_a", "ad_b"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ad_a: Mapped[int] = mapped_column(ForeignKey("ads.id", ondelete="CASCADE"))
    ad_b: Mapped[int] = mapped_column(ForeignKey("ads.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16), default="persona")  # persona | network
    decision: Mapped[str] = mapped_column(String(16))  # confirm | split
    user: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- monitoring (issue 5)
# Regions, interventions, watches and alerts are made by people; they name gemeenten by their current
# CBS code ("GM0917") and contact points by their keyed pseudonym, never by a stored raw number.


class Region(Base):
    """A named set of gemeenten, e.g. a regional project ("RIEC Limburg-Zuid pilot")."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    gemeenten: Mapped[list[RegionGemeente]] = relationship(
        cascade="all, delete-orphan", order_by="RegionGemeente.gemeente_code"
    )


class RegionGemeente(Base):
    __tablename__ = "region_gemeenten"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    gemeente_code: Mapped[str] = mapped_column(String(8), primary_key=True)


class Intervention(Base):
    """A control action or other intervention, recorded so its before/after can be compared."""

    __tablename__ = "interventions"
    __table_args__ = (Index("ix_interventions_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # the (first) day of the intervention, Europe/Amsterdam
    kind: Mapped[str] = mapped_column(String(32))  # control | visit | closure | other
    gemeenten: Mapped[list] = mapped_column(default=list)  # current CBS codes
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Watch(Base):
    """A saved watch: raise an alert when its subject appears again (or a gemeente passes a threshold)."""

    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # contact | photo | template | gemeente
    # contact: the contact point's keyed pseudonym; photo: the pHash (signed int64 as text);
    # template: the template key of the linking stage; gemeente: the current CBS code
    target: Mapped[str] = mapped_column(String(320))
    label: Mapped[str] = mapped_column(String(255), default="")
    threshold: Mapped[int | None] = mapped_column(Integer)  # gemeente: active ads per ISO week
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime | None]
    alerts: Mapped[list[Alert]] = relationship(back_populates="watch", cascade="all, delete-orphan")


class Alert(Base):
    """One appearance of a watched subject; raised once per watch and ad (or period), kept until read."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("watch_id", "subject", name="uq_alerts_watch_subject"),
        Index("ix_alerts_unseen", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))  # "ad:123" or "week:2026-W41"
    ad_id: Mapped[int | None] = mapped_column(ForeignKey("ads.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(default=dict)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]
    seen_by: Mapped[str | None] = mapped_column(String(128))
    watch: Mapped[Watch] = relationship(back_populates="alerts")


# ---------------------------------------------------------------- count aggregates (issue 5)
# Pre-computed totals behind the dashboard and ``zicht export counts`` (``zicht.store.aggregates``):
# filled by ``zicht process`` for the periods its changes touched, read while the store has not
# changed since. Only totals that are not all zero are stored; the change columns are computed on read.


class CountAggregate(Base):
    """Totals of one area in one day or ISO week (Dutch local dates) at one area level."""

    __tablename__ = "count_aggregates"

    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # day | week
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    area_name: Mapped[str] = mapped_column(String(255))
    active_ads: Mapped[int] = mapped_column(Integer)
    new_ads: Mapped[int] = mapped_column(Integer)
    contact_points: Mapped[int] = mapped_column(Integer)
    personas: Mapped[int] = mapped_column(Integer)


class CountMark(Base):
    """What an ad looked like when the aggregates were last refreshed: a change marks its days dirty.

    No foreign key: the mark of a deleted ad must outlive it, to know which periods lost the ad.
    """

    __tablename__ = "count_marks"

    ad_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    version_stamp: Mapped[int] = mapped_column(Integer)  # highest ad_versions.id
    facts_stamp: Mapped[datetime | None]  # newest extraction of its versions
    persona_id: Mapped[int | None] = mapped_column(Integer)
    network_id: Mapped[int | None] = mapped_column(Integer)  # migration 0007: flows count networks


class CountRefresh(Base):
    """The one row saying when and from what store state the aggregates were computed."""

    __tablename__ = "count_refresh"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    algorithm: Mapped[str] = mapped_column(String(32))
    stamps: Mapped[dict] = mapped_column(default=dict)  # the cheap store fingerprint, see aggregates.py
    regions: Mapped[dict] = mapped_column(default=dict)  # region code -> hash of its name and gemeenten
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # migration 0007: the newest ad id and sighting at the refresh; unlike ``stamps`` never emptied,
    # so a page showing stale figures can say how many ads came in since
    basis: Mapped[dict | None] = mapped_column(JSON)


# Newest extraction and newest linking key, read on every dashboard request to see whether the
# aggregates are still fresh.
Index("ix_extractions_created_at", Extraction.created_at)
Index("ix_link_ads_keyed_at", LinkAd.keyed_at)


class PersonaWeek(Base):
    """Where a persona was in one ISO week: the movement page's flows are read from these rows.

    Refreshed with the count aggregates, for the same dirty weeks (``zicht.store.aggregates``).
    ``persona`` is the persona id, or minus the ad id for an ad the linking stage has not reached;
    ``network`` likewise; ``days`` a bit mask of the local days present (bit 0 = Monday).
    """

    __tablename__ = "persona_weeks"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    persona: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gemeente_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    network: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)


Index("ix_persona_weeks_area", PersonaWeek.gemeente_code, PersonaWeek.week, PersonaWeek.persona)
Index("ix_persona_weeks_persona", PersonaWeek.persona, PersonaWeek.week)


class PersonaFlow(Base):
    """One persona's move from ``origin`` (the week before) to ``destination`` in ``week``.

    Derived from ``persona_weeks`` (``zicht.analysis.movement.persona_flows``) for the weeks a
    refresh touched and the week after each; a few thousand rows a week at national scale.
    """

    __tablename__ = "persona_flows"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    persona: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    origin: Mapped[str] = mapped_column(String(16), primary_key=True)
    destination: Mapped[str] = mapped_column(String(16), primary_key=True)
    network: Mapped[int] = mapped_column(Integer)


class PersonaWeekCount(Base):
    """Personas present in ``week`` whose previous week of presence was ``prev_week``.

    ``known``: presence with a known gemeente (else: any presence, ``onbekend`` included);
    ``prev_week`` is ``persona_weeks.NO_WEEK`` when there was none. The personas present in
    weeks a..b are then the rows with a <= week <= b and prev_week < a: a sum over a few hundred
    rows instead of a distinct count over every presence of the range.
    """

    __tablename__ = "persona_week_counts"

    known: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    prev_week: Mapped[date] = mapped_column(Date, primary_key=True)
    personas: Mapped[int] = mapped_column(Integer)


# Migration 0007: region names unique in any case; one active watch per subject (and threshold).
Index("ux_regions_name_lower", func.lower(Region.name), unique=True)
Index(
    "ux_watches_active_target",
    Watch.kind,
    Watch.target,
    func.coalesce(Watch.threshold, 0),
    unique=True,
    sqlite_where=text("active"),
    postgresql_where=text("active"),
)
