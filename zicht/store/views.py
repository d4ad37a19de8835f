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

from zicht.store.models import Ad, AdPhoto, AdVersion, CrawlRun, Photo, RawPage, Site
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
