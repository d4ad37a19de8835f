"""Read queries behind the web pages, so that the web app never writes SQL of its own.

Every function takes a ``Store`` and returns plain frozen dataclasses: nothing that a template
touches can lazy-load from a closed session. Filters arrive already parsed (datetimes, not
strings); checking what a person typed is the web layer's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import Select, func, or_, select

from zicht.store.models import (
    Ad,
    AdContact,
    AdPhoto,
    AdVersion,
    ContactPoint,
    CrawlRun,
    Extraction,
    IndicatorHit,
    Photo,
    RawPage,
    Score,
    Site,
)
from zicht.store.models import Review as ReviewRow
from zicht.store.reviews import Review
from zicht.store.store import Store

# Primary keys are 32-bit integers on PostgreSQL: larger ids cannot exist, and sending them
# would make the database raise instead of finding nothing.
MAX_ID = 2**31 - 1

AdSort = Literal["last_seen_desc", "last_seen_asc", "first_seen_desc", "first_seen_asc"]
AD_SORTS: tuple[AdSort, ...] = ("last_seen_desc", "last_seen_asc", "first_seen_desc", "first_seen_asc")
AD_STATUSES = ("active", "removed")


def valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


# ---------------------------------------------------------------- ad list


@dataclass(frozen=True)
class AdQuery:
    """Filters of the ad list; ``*_to`` bounds are exclusive (the start of the next day)."""

    site: str | None = None
    place: str | None = None
    text: str | None = None
    first_seen_from: datetime | None = None
    first_seen_to: datetime | None = None
    last_seen_from: datetime | None = None
    last_seen_to: datetime | None = None
    status: str | None = None
    sort: AdSort = "last_seen_desc"
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class AdRow:
    id: int
    site: str
    source_id: str
    url: str
    title: str
    location: str | None
    age: str | None
    first_seen: datetime
    last_seen: datetime
    status: str
    n_versions: int


@dataclass(frozen=True)
class AdPage:
    rows: list[AdRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _declared(key: str):  # type: ignore[no-untyped-def]
    """A declared field of the current version, as text, on SQLite and PostgreSQL alike."""
    return AdVersion.fields[key].as_string()


def _filtered(query: AdQuery, columns: Select) -> Select:
    q = columns.join(Site, Site.id == Ad.site_id).outerjoin(AdVersion, AdVersion.id == Ad.current_version_id)
    if query.site:
        q = q.where(Site.name == query.site)
    if query.place:
        q = q.where(_declared("location").icontains(query.place, autoescape=True))
    if query.text:
        q = q.where(
            or_(
                AdVersion.title.icontains(query.text, autoescape=True),
                AdVersion.text.icontains(query.text, autoescape=True),
            )
        )
    if query.first_seen_from:
        q = q.where(Ad.first_seen >= query.first_seen_from)
    if query.first_seen_to:
        q = q.where(Ad.first_seen < query.first_seen_to)
    if query.last_seen_from:
        q = q.where(Ad.last_seen >= query.last_seen_from)
    if query.last_seen_to:
        q = q.where(Ad.last_seen < query.last_seen_to)
    if query.status:
        q = q.where(Ad.status == query.status)
    return q


_ORDER = {
    "last_seen_desc": (Ad.last_seen.desc(), Ad.id.desc()),
    "last_seen_asc": (Ad.last_seen.asc(), Ad.id.asc()),
    "first_seen_desc": (Ad.first_seen.desc(), Ad.id.desc()),
    "first_seen_asc": (Ad.first_seen.asc(), Ad.id.asc()),
}


def list_ads(store: Store, query: AdQuery) -> AdPage:
    """One page of ads matching ``query``; a page past the end gives the last page."""
    if query.sort not in _ORDER:
        raise ValueError(f"unknown sort {query.sort!r}")
    n_versions = (
        select(AdVersion.ad_id, func.count().label("n")).group_by(AdVersion.ad_id).subquery("n_versions")
    )
    with store.session() as s:
        total = s.scalar(_filtered(query, select(func.count(Ad.id)).select_from(Ad))) or 0
        pages = max(1, -(-total // query.per_page))
        page = min(max(1, query.page), pages)
        q = _filtered(
            query,
            select(
                Ad.id,
                Site.name,
                Ad.source_id,
                Ad.url,
                AdVersion.title,
                _declared("location"),
                _declared("age"),
                Ad.first_seen,
                Ad.last_seen,
                Ad.status,
                func.coalesce(n_versions.c.n, 0),
            ).select_from(Ad),
        ).outerjoin(n_versions, n_versions.c.ad_id == Ad.id)
        q = q.order_by(*_ORDER[query.sort]).limit(query.per_page).offset((page - 1) * query.per_page)
        rows = [
            AdRow(
                id=r[0],
                site=r[1],
                source_id=r[2],
                url=r[3],
                title=r[4] or "",
                location=r[5],
                age=r[6],
                first_seen=r[7],
                last_seen=r[8],
                status=r[9],
                n_versions=int(r[10]),
            )
            for r in s.execute(q)
        ]
    return AdPage(rows=rows, total=total, page=page, per_page=query.per_page)


def site_names(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Site.name).order_by(Site.name)))


# ---------------------------------------------------------------- one ad


@dataclass(frozen=True)
class PhotoRef:
    """An image of an ad: its source url and, when it was fetched, the stored evidence record."""

    position: int
    url: str
    raw_page_id: int | None = None


@dataclass(frozen=True)
class VersionView:
    id: int
    number: int  # 1 = the oldest content seen
    first_seen: datetime
    last_seen: datetime
    title: str
    text: str
    posted_at: datetime | None
    fields: dict[str, str]
    services: list[str]
    rates: list[str]
    images: list[str]
    phone: str | None
    email: str | None
    raw_page_id: int | None
    parser: str
    is_current: bool


@dataclass(frozen=True)
class AdView:
    id: int
    site: str
    site_base_url: str | None
    source_id: str
    url: str
    first_seen: datetime
    last_seen: datetime
    status: str
    removed_at: datetime | None
    versions: list[VersionView] = field(default_factory=list)

    @property
    def current(self) -> VersionView | None:
        return next((v for v in self.versions if v.is_current), self.versions[-1] if self.versions else None)

    def version(self, number: int) -> VersionView | None:
        return self.versions[number - 1] if 1 <= number <= len(self.versions) else None


def ad_view(store: Store, ad_id: int) -> AdView | None:
    """The ad with all its versions, oldest first; None when there is no such ad."""
    if not valid_id(ad_id):
        return None
    with store.session() as s:
        row = s.execute(
            select(Ad, Site.name, Site.base_url).join(Site, Site.id == Ad.site_id).where(Ad.id == ad_id)
        ).first()
        if row is None:
            return None
        ad, site, base_url = row
        versions = s.scalars(
            select(AdVersion).where(AdVersion.ad_id == ad_id).order_by(AdVersion.first_seen, AdVersion.id)
        ).all()
        return AdView(
            id=ad.id,
            site=site,
            site_base_url=base_url,
            source_id=ad.source_id,
            url=ad.url,
            first_seen=ad.first_seen,
            last_seen=ad.last_seen,
            status=ad.status,
            removed_at=ad.removed_at,
            versions=[
                VersionView(
                    id=v.id,
                    number=i,
                    first_seen=v.first_seen,
                    last_seen=v.last_seen,
                    title=v.title or "",
                    text=v.text or "",
                    posted_at=v.posted_at,
                    fields={str(k): "" if val is None else str(val) for k, val in (v.fields or {}).items()},
                    services=[str(x) for x in v.services or []],
                    rates=[str(x) for x in v.rates or []],
                    images=[str(x) for x in v.images or []],
                    phone=v.phone,
                    email=v.email,
                    raw_page_id=v.raw_page_id,
                    parser=v.parser,
                    is_current=v.id == ad.current_version_id,
                )
                for i, v in enumerate(versions, start=1)
            ],
        )


def version_photos(store: Store, version: VersionView) -> list[PhotoRef]:
    """The images of a version in order, with the stored copy where the photo stage kept one."""
    with store.session() as s:
        stored = {
            url: raw_page_id
            for url, raw_page_id in s.execute(
                select(AdPhoto.url, Photo.raw_page_id)
                .join(Photo, Photo.id == AdPhoto.photo_id)
                .where(AdPhoto.ad_version_id == version.id, Photo.raw_page_id.is_not(None))
            )
        }
    return [PhotoRef(position, url, stored.get(url)) for position, url in enumerate(version.images)]


# ---------------------------------------------------------------- snapshots (evidence)


@dataclass(frozen=True)
class SnapshotUse:
    ad_id: int
    version_id: int
    site: str
    source_id: str
    title: str


@dataclass(frozen=True)
class SnapshotView:
    page: RawPage  # detached; what Store.read_raw_body needs
    site: str
    run_kind: str
    run_purpose: str
    run_legal_basis: str
    used_by: list[SnapshotUse]


def snapshot_view(store: Store, raw_page_id: int) -> SnapshotView | None:
    """A stored page with the run that fetched it and the ad versions read from it."""
    if not valid_id(raw_page_id):
        return None
    with store.session() as s:
        row = s.execute(
            select(RawPage, CrawlRun.kind, CrawlRun.purpose, CrawlRun.legal_basis, Site.name)
            .join(CrawlRun, CrawlRun.id == RawPage.run_id)
            .join(Site, Site.id == CrawlRun.site_id)
            .where(RawPage.id == raw_page_id)
        ).first()
        if row is None:
            return None
        page, kind, purpose, legal_basis, site = row
        uses = [
            SnapshotUse(ad_id, version_id, site_name, source_id, title or "")
            for ad_id, version_id, site_name, source_id, title in s.execute(
                select(Ad.id, AdVersion.id, Site.name, Ad.source_id, AdVersion.title)
                .join(Ad, Ad.id == AdVersion.ad_id)
                .join(Site, Site.id == Ad.site_id)
                .where(AdVersion.raw_page_id == raw_page_id)
                .order_by(Ad.id, AdVersion.id)
            )
        ]
    return SnapshotView(page, site, kind, purpose, legal_basis, uses)


# ---------------------------------------------------------------- facts and signals of one version


@dataclass(frozen=True)
class ContactView:
    kind: str  # phone | email | whatsapp | telegram | snapchat | instagram
    value: str  # E.164 for phones
    source: str  # field | text | title | link | photo
    obscured: bool
    span_start: int | None
    span_end: int | None


@dataclass(frozen=True)
class HitView:
    id: int
    code: str
    span_start: int | None  # into engine.combined_text(title, text, services)
    span_end: int | None
    matched_text: str
    weight: float
    evidence_level: str
    negated: bool
    reason: str
    detail: dict  # engine.hit_to_dict: reason_nl, negation_cue, evaluated, source_note, ...


@dataclass(frozen=True)
class ScoreView:
    value: float
    catalogue_version: str
    explanation: dict  # {"nl": str, "en": str, "contributions": [[code, weight], ...]}
    created_at: datetime


@dataclass(frozen=True)
class SignalsView:
    """What the pipeline stored for one ad version; each part is None or empty until it ran."""

    version_id: int
    facts: dict | None  # extract.facts.facts_to_json form
    extractor_version: str | None
    extracted_at: datetime | None
    contacts: list[ContactView]
    score: ScoreView | None
    hits: list[HitView]


def version_signals(store: Store, version_id: int) -> SignalsView:
    """Facts, contact points, indicator hits and score of one ad version."""
    with store.session() as s:
        extraction = s.get(Extraction, version_id) if valid_id(version_id) else None
        contacts = [
            ContactView(kind, value, source, bool(obscured), start, end)
            for kind, value, source, obscured, start, end in s.execute(
                select(
                    ContactPoint.kind,
                    ContactPoint.value,
                    AdContact.source,
                    AdContact.obscured,
                    AdContact.span_start,
                    AdContact.span_end,
                )
                .join(ContactPoint, ContactPoint.id == AdContact.contact_point_id)
                .where(AdContact.ad_version_id == version_id)
                .order_by(ContactPoint.kind, ContactPoint.value, AdContact.source)
            )
        ]
        score = s.get(Score, version_id) if valid_id(version_id) else None
        hits = [
            HitView(
                id=h.id,
                code=h.code,
                span_start=h.span_start,
                span_end=h.span_end,
                matched_text=h.matched_text or "",
                weight=h.weight,
                evidence_level=h.evidence_level,
                negated=h.negated,
                reason=h.reason or "",
                detail=dict(h.detail or {}),
            )
            for h in s.scalars(
                select(IndicatorHit).where(IndicatorHit.ad_version_id == version_id).order_by(IndicatorHit.id)
            )
        ]
        return SignalsView(
            version_id=version_id,
            facts=dict(extraction.facts or {}) if extraction else None,
            extractor_version=extraction.extractor_version if extraction else None,
            extracted_at=extraction.created_at if extraction else None,
            contacts=contacts,
            score=ScoreView(
                score.value, score.catalogue_version, dict(score.explanation or {}), score.created_at
            )
            if score
            else None,
            hits=hits,
        )


# ---------------------------------------------------------------- reviews (decisions by people)


def ad_reviews(store: Store, ad_id: int) -> list[Review]:
    """Every decision recorded on an ad, newest first."""
    if not valid_id(ad_id):
        return []
    with store.session() as s:
        return [
            Review(r.id, r.ad_id, r.user, r.decision, r.reason, r.created_at)
            for r in s.scalars(
                select(ReviewRow).where(ReviewRow.ad_id == ad_id).order_by(ReviewRow.id.desc())
            )
        ]


# ---------------------------------------------------------------- worklist

WORK_STATUSES = ("open", "reviewed", "selected", "dismissed", "all")
WORK_AD_STATUSES = ("active", "removed", "all")


@dataclass(frozen=True)
class WorkQuery:
    """Filters of the worklist; ``changed_since`` compares with when the current content was first seen."""

    gemeente_code: str | None = None
    police_unit: str | None = None
    site: str | None = None
    indicator: str | None = None
    changed_since: datetime | None = None
    status: str = "open"  # one of WORK_STATUSES: the latest decision, or none yet ("open")
    ad_status: str = "active"  # one of WORK_AD_STATUSES
    min_score: float | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class WorkRow:
    ad_id: int
    site: str
    title: str
    score: float | None  # None: not processed yet
    contributions: list[tuple[str, float]]  # counting indicators, largest weight first
    gemeente_code: str | None
    police_unit: str | None
    age: int | None
    first_seen: datetime
    changed_at: datetime | None  # when the current content was first seen
    ad_status: str
    last_review: Review | None


@dataclass(frozen=True)
class WorkPage:
    rows: list[WorkRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _latest_reviews():  # type: ignore[no-untyped-def]
    return (
        select(ReviewRow.ad_id, func.max(ReviewRow.id).label("review_id"))
        .group_by(ReviewRow.ad_id)
        .subquery("latest_review")
    )


def _work_select(columns: Select, latest) -> Select:  # type: ignore[no-untyped-def]
    return (
        columns.select_from(Ad)
        .join(Site, Site.id == Ad.site_id)
        .outerjoin(AdVersion, AdVersion.id == Ad.current_version_id)
        .outerjoin(Score, Score.ad_version_id == Ad.current_version_id)
        .outerjoin(Extraction, Extraction.ad_version_id == Ad.current_version_id)
        .outerjoin(latest, latest.c.ad_id == Ad.id)
        .outerjoin(ReviewRow, ReviewRow.id == latest.c.review_id)
    )


def _work_filtered(query: WorkQuery, q: Select) -> Select:
    if query.status not in WORK_STATUSES:
        raise ValueError(f"unknown worklist status {query.status!r}")
    if query.ad_status not in WORK_AD_STATUSES:
        raise ValueError(f"unknown ad status {query.ad_status!r}")
    if query.ad_status != "all":
        q = q.where(Ad.status == query.ad_status)
    if query.status == "open":
        q = q.where(ReviewRow.id.is_(None))
    elif query.status != "all":
        q = q.where(ReviewRow.decision == query.status)
    if query.gemeente_code:
        q = q.where(Extraction.gemeente_code == query.gemeente_code)
    if query.police_unit:
        q = q.where(Extraction.police_unit == query.police_unit)
    if query.site:
        q = q.where(Site.name == query.site)
    if query.indicator:
        # A hit that says something: it counts, or it is shown as "not predictive". Negated hits
        # ("geen AV") and hits that could not be evaluated are not what a person filters for.
        q = q.where(
            select(IndicatorHit.id)
            .where(
                IndicatorHit.ad_version_id == Ad.current_version_id,
                IndicatorHit.code == query.indicator,
                IndicatorHit.negated.is_(False),
                or_(IndicatorHit.weight > 0, IndicatorHit.evidence_level == "not_predictive"),
            )
            .exists()
        )
    if query.changed_since:
        q = q.where(AdVersion.first_seen >= query.changed_since)
    if query.min_score is not None:
        q = q.where(Score.value >= query.min_score)
    return q


def _work_columns() -> Select:
    return select(
        Ad.id,
        Site.name,
        AdVersion.title,
        Score.value,
        Score.explanation,
        Extraction.gemeente_code,
        Extraction.police_unit,
        Extraction.age,
        Ad.first_seen,
        AdVersion.first_seen,
        Ad.status,
        ReviewRow.id,
        ReviewRow.user,
        ReviewRow.decision,
        ReviewRow.reason,
        ReviewRow.created_at,
    )


def _contributions(explanation: dict | None) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for item in (explanation or {}).get("contributions") or []:
        if isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append((item[0], float(item[1])))
    return out


def _work_row(r) -> WorkRow:  # type: ignore[no-untyped-def]
    review = Review(r[11], r[0], r[12], r[13], r[14] or "", r[15]) if r[11] is not None else None
    return WorkRow(
        ad_id=r[0],
        site=r[1],
        title=r[2] or "",
        score=r[3],
        contributions=_contributions(r[4]),
        gemeente_code=r[5],
        police_unit=r[6],
        age=r[7],
        first_seen=r[8],
        changed_at=r[9],
        ad_status=r[10],
        last_review=review,
    )


def worklist(store: Store, query: WorkQuery) -> WorkPage:
    """Ads ranked by the score of their current version (ties: newest first; not yet scored last)."""
    latest = _latest_reviews()
    with store.session() as s:
        total = s.scalar(_work_filtered(query, _work_select(select(func.count(Ad.id)), latest))) or 0
        pages = max(1, -(-total // query.per_page))
        page = min(max(1, query.page), pages)
        q = (
            _work_filtered(query, _work_select(_work_columns(), latest))
            .order_by(Score.value.desc().nulls_last(), Ad.first_seen.desc(), Ad.id.desc())
            .limit(query.per_page)
            .offset((page - 1) * query.per_page)
        )
        rows = [_work_row(r) for r in s.execute(q)]
    return WorkPage(rows=rows, total=total, page=page, per_page=query.per_page)


def work_row(store: Store, ad_id: int) -> WorkRow | None:
    """One ad as a worklist row, whatever its status (to show a decision that was just recorded)."""
    if not valid_id(ad_id):
        return None
    latest = _latest_reviews()
    with store.session() as s:
        r = s.execute(_work_select(_work_columns(), latest).where(Ad.id == ad_id)).first()
        return _work_row(r) if r is not None else None
