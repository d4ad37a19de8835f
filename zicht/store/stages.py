"""Stage queues and batched writes for ``zicht process``.

Each stage asks for the ad versions whose stored result is missing or was made by another
version of its code, and replaces those results in one transaction per batch. So a changed
extractor or catalogue re-runs exactly what it affects, and an interrupted run loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, String, and_, cast, delete, func, insert, or_, select, update

from zicht.settings import load_secret, pseudonym
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
from zicht.store.paging import keyset_pages
from zicht.store.store import Store


@dataclass(frozen=True)
class VersionInput:
    """What the pure extractors need of one ad version."""

    id: int
    site: str
    region: str
    url: str
    title: str
    text: str
    fields: dict
    services: list
    rates: list
    phone: str | None
    email: str | None
    images: list


@dataclass(frozen=True)
class ContactRow:
    kind: str
    value: str
    country: str | None
    source: str
    span_start: int | None
    span_end: int | None
    obscured: bool


@dataclass(frozen=True)
class ExtractionRow:
    ad_version_id: int
    facts: dict
    age: int | None
    place: str | None
    gemeente_code: str | None
    police_unit: str | None
    error_count: int
    contacts: Sequence[ContactRow]


@dataclass(frozen=True)
class HitRow:
    code: str
    span_start: int | None
    span_end: int | None
    matched_text: str | None
    weight: float
    evidence_level: str
    negated: bool
    reason: str | None
    detail: dict


@dataclass(frozen=True)
class ScoreRow:
    ad_version_id: int
    value: float
    explanation: dict
    hits: Sequence[HitRow]


def _version_select():  # type: ignore[no-untyped-def]
    return (
        select(
            AdVersion.id,
            Site.name,
            Site.default_region,
            Ad.url,
            AdVersion.title,
            AdVersion.text,
            AdVersion.fields,
            AdVersion.services,
            AdVersion.rates,
            AdVersion.phone,
            AdVersion.email,
            AdVersion.images,
        )
        .join(Ad, Ad.id == AdVersion.ad_id)
        .join(Site, Site.id == Ad.site_id)
    )


def _to_input(row) -> VersionInput:  # type: ignore[no-untyped-def]
    return VersionInput(
        id=row[0],
        site=row[1],
        region=row[2] or "NL",
        url=row[3],
        title=row[4] or "",
        text=row[5] or "",
        fields=row[6] or {},
        services=row[7] or [],
        rates=row[8] or [],
        phone=row[9],
        email=row[10],
        images=row[11] or [],
    )


def versions_needing_extraction(
    store: Store, extractor_version: str, batch: int = 2000
) -> Iterator[list[VersionInput]]:
    """Versions with no facts yet, or facts made by another extractor version."""
    q = (
        _version_select()
        .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
        .where(or_(Extraction.ad_version_id.is_(None), Extraction.extractor_version != extractor_version))
    )
    for rows in keyset_pages(store, q, AdVersion.id, batch):
        yield [_to_input(r) for r in rows]


def count_needing_extraction(store: Store, extractor_version: str) -> int:
    with store.session() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(AdVersion)
                .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
                .where(
                    or_(Extraction.ad_version_id.is_(None), Extraction.extractor_version != extractor_version)
                )
            )
            or 0
        )


def save_extractions(store: Store, rows: Sequence[ExtractionRow], extractor_version: str) -> None:
    """Replace facts and contact links of these versions; contact points are shared rows."""
    if not rows:
        return
    secret = load_secret(store.data_dir)
    ids = [r.ad_version_id for r in rows]
    now = datetime.now(UTC)
    with store.session() as s:
        s.execute(delete(AdContact).where(AdContact.ad_version_id.in_(ids)))
        s.execute(delete(Extraction).where(Extraction.ad_version_id.in_(ids)))
        wanted = {(c.kind, c.value): c.country for r in rows for c in r.contacts}
        known = _contact_ids(s, list(wanted))
        missing = [k for k in wanted if k not in known]
        if missing:
            s.execute(
                insert(ContactPoint.__table__),
                [
                    {"kind": k, "value": v, "country": wanted[(k, v)], "hmac": pseudonym(secret, k, v)}
                    for k, v in missing
                ],
            )
            known.update(_contact_ids(s, missing))
        s.execute(
            insert(Extraction.__table__),
            [
                {
                    "ad_version_id": r.ad_version_id,
                    "extractor_version": extractor_version,
                    "created_at": now,
                    "facts": r.facts,
                    "age": r.age,
                    "place": r.place,
                    "gemeente_code": r.gemeente_code,
                    "police_unit": r.police_unit,
                    "error_count": r.error_count,
                }
                for r in rows
            ],
        )
        links: dict[tuple[int, int, str], dict] = {}
        for r in rows:
            for c in r.contacts:
                key = (r.ad_version_id, known[(c.kind, c.value)], c.source)
                links.setdefault(
                    key,
                    {
                        "ad_version_id": key[0],
                        "contact_point_id": key[1],
                        "source": key[2],
                        "span_start": c.span_start,
                        "span_end": c.span_end,
                        "obscured": c.obscured,
                    },
                )
        if links:
            s.execute(insert(AdContact.__table__), list(links.values()))


def _contact_ids(s, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    found: dict[tuple[str, str], int] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, []).append(value)
    for kind, values in by_kind.items():
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            for cid, value in s.execute(
                select(ContactPoint.id, ContactPoint.value).where(
                    ContactPoint.kind == kind, ContactPoint.value.in_(chunk)
                )
            ):
                found[(kind, value)] = cid
    return found


def facts_for(store: Store, version_ids: Sequence[int]) -> dict[int, dict]:
    with store.session() as s:
        return dict(
            s.execute(
                select(Extraction.ad_version_id, Extraction.facts).where(
                    Extraction.ad_version_id.in_(version_ids)
                )
            ).all()
        )


def versions_needing_scores(
    store: Store, catalogue_version: str, batch: int = 2000
) -> Iterator[list[tuple[VersionInput, dict]]]:
    """Versions with facts but no score for this catalogue version, or facts newer than the score."""
    q = (
        _version_select()
        .add_columns(Extraction.facts)
        .join(Extraction, Extraction.ad_version_id == AdVersion.id)
        .outerjoin(Score, Score.ad_version_id == AdVersion.id)
        .where(_needs_score(catalogue_version))
    )
    for rows in keyset_pages(store, q, AdVersion.id, batch):
        yield [(_to_input(r), r[-1] or {}) for r in rows]


def _needs_score(catalogue_version: str) -> ColumnElement[bool]:
    return or_(
        Score.ad_version_id.is_(None),
        Score.catalogue_version != catalogue_version,
        Score.created_at < Extraction.created_at,
    )


def count_needing_scores(store: Store, catalogue_version: str) -> int:
    """How many versions ``versions_needing_scores`` will yield (for the progress bar)."""
    with store.session() as s:
        q = (
            select(func.count())
            .select_from(AdVersion)
            .join(Extraction, Extraction.ad_version_id == AdVersion.id)
            .outerjoin(Score, Score.ad_version_id == AdVersion.id)
            .where(_needs_score(catalogue_version))
        )
        return s.scalar(q) or 0


def rates_by_police_unit(store: Store, batch: int = 5000) -> Iterator[tuple[str | None, list]]:
    """(police unit, extracted rates) of every ad's current version, for regional price medians."""
    q = select(Ad.id, Extraction.police_unit, Extraction.facts["rates"]).join(
        Extraction, Extraction.ad_version_id == Ad.current_version_id
    )
    for rows in keyset_pages(store, q, Ad.id, batch):
        for _id, unit, rates in rows:
            yield unit, rates or []


def current_price_contexts(
    store: Store, scoring_version: str, batch: int = 5000
) -> Iterator[tuple[int, str | None, list, dict]]:
    """(version id, police unit, extracted rates, stored price context) of each ad's current version
    whose score is up to date with ``scoring_version``: what LOW_PRICE was judged against."""
    q = (
        select(  # only the parts read: the facts and explanations are whole JSON documents
            Ad.id,
            AdVersion.id,
            Extraction.police_unit,
            Extraction.facts["rates"],
            Score.explanation["context"],
        )
        .join(AdVersion, AdVersion.id == Ad.current_version_id)
        .join(Extraction, Extraction.ad_version_id == AdVersion.id)
        .join(Score, Score.ad_version_id == AdVersion.id)
        .where(Score.catalogue_version == scoring_version, Score.created_at >= Extraction.created_at)
    )
    for rows in keyset_pages(store, q, Ad.id, batch):
        for _ad, vid, unit, rates, context in rows:
            yield vid, unit, rates or [], context or {}


def drop_scores(store: Store, version_ids: Sequence[int], chunk: int = 1000) -> None:
    """Remove the scores and hits of these versions, so the scoring queue makes them again."""
    for i in range(0, len(version_ids), chunk):
        ids = list(version_ids[i : i + chunk])
        with store.session() as s:
            s.execute(delete(IndicatorHit).where(IndicatorHit.ad_version_id.in_(ids)))
            s.execute(delete(Score).where(Score.ad_version_id.in_(ids)))


def save_scores(store: Store, rows: Sequence[ScoreRow], catalogue_version: str) -> None:
    if not rows:
        return
    ids = [r.ad_version_id for r in rows]
    now = datetime.now(UTC)
    with store.session() as s:
        s.execute(delete(IndicatorHit).where(IndicatorHit.ad_version_id.in_(ids)))
        s.execute(delete(Score).where(Score.ad_version_id.in_(ids)))
        s.execute(
            insert(Score.__table__),
            [
                {
                    "ad_version_id": r.ad_version_id,
                    "catalogue_version": catalogue_version,
                    "value": r.value,
                    "explanation": r.explanation,
                    "created_at": now,
                }
                for r in rows
            ],
        )
        hits = [
            {
                "ad_version_id": r.ad_version_id,
                "catalogue_version": catalogue_version,
                "code": h.code,
                "span_start": h.span_start,
                "span_end": h.span_end,
                "matched_text": h.matched_text,
                "weight": h.weight,
                "evidence_level": h.evidence_level,
                "negated": h.negated,
                "reason": h.reason,
                "detail": h.detail,
            }
            for r in rows
            for h in r.hits
        ]
        if hits:
            s.execute(insert(IndicatorHit.__table__), hits)


# ------------------------------------------------------------------ photos


def image_urls_without_photo(store: Store, batch: int = 500) -> Iterator[list[tuple[int, int, str]]]:
    """(ad_version_id, position, url) of images whose link to a hashed photo is not made yet."""
    q = (
        select(AdVersion.id, AdVersion.images)
        .outerjoin(AdPhoto, AdPhoto.ad_version_id == AdVersion.id)
        .where(AdPhoto.ad_version_id.is_(None))
    )
    for versions in keyset_pages(store, q, AdVersion.id, batch):
        out = [(vid, pos, url) for vid, images in versions for pos, url in enumerate(images or [])]
        if out:
            yield out


def _has_images() -> ColumnElement[bool]:
    return and_(AdVersion.images.is_not(None), cast(AdVersion.images, String) != "[]")


def count_versions_without_photos(store: Store) -> int:
    """Versions with images whose photos are not linked yet (for the progress bar)."""
    with store.session() as s:
        q = (
            select(func.count())
            .select_from(AdVersion)
            .outerjoin(AdPhoto, AdPhoto.ad_version_id == AdVersion.id)
            .where(AdPhoto.ad_version_id.is_(None), _has_images())
        )
        return s.scalar(q) or 0


def stored_image(store: Store, url: str) -> RawPage | None:
    """The newest successfully fetched image at this url, kept as evidence by the crawler."""
    with store.session() as s:
        return s.scalar(
            select(RawPage)
            .where(RawPage.url == url, RawPage.kind == "image", RawPage.status_code == 200)
            .order_by(RawPage.fetched_at.desc())
            .limit(1)
        )


def photo_by_sha(store: Store, sha256: str) -> Photo | None:
    with store.session() as s:
        return s.scalar(select(Photo).where(Photo.sha256 == sha256))


def save_photo(store: Store, values: dict) -> int:
    with store.session() as s:
        existing = s.scalar(select(Photo.id).where(Photo.sha256 == values["sha256"]))
        if existing is not None:
            s.execute(update(Photo).where(Photo.id == existing).values(**values))
            return existing
        photo = Photo(**values)
        s.add(photo)
        s.flush()
        return photo.id


def link_photos(store: Store, links: Sequence[tuple[int, int, str, int | None]]) -> None:
    """(ad_version_id, position, url, photo_id or None when the image was not available)."""
    if not links:
        return
    with store.session() as s:
        ids = list({v for v, *_ in links})
        s.execute(delete(AdPhoto).where(AdPhoto.ad_version_id.in_(ids)))
        s.execute(
            insert(AdPhoto),
            [{"ad_version_id": v, "position": p, "url": u, "photo_id": pid} for v, p, u, pid in links],
        )


def photos_made_by_other_version(
    store: Store, version: str, batch: int = 500
) -> Iterator[list[tuple[int, int]]]:
    """(photo id, raw page id) of stored photos made by another photo/OCR version, to read again."""
    q = select(Photo.id, Photo.raw_page_id).where(
        Photo.photos_version != version, Photo.raw_page_id.is_not(None)
    )
    for rows in keyset_pages(store, q, Photo.id, batch):
        yield [(r[0], r[1]) for r in rows]


def drop_extractions_showing(store: Store, photo_ids: Sequence[int]) -> int:
    """Facts of ad versions showing these photos are made again (their photo text changed)."""
    if not photo_ids:
        return 0
    with store.session() as s:
        version_ids = select(AdPhoto.ad_version_id).where(AdPhoto.photo_id.in_(list(photo_ids)))
        s.execute(delete(AdContact).where(AdContact.ad_version_id.in_(version_ids)))
        return s.execute(delete(Extraction).where(Extraction.ad_version_id.in_(version_ids))).rowcount


def photo_texts_for(store: Store, version_ids: Sequence[int]) -> dict[int, list[str]]:
    """OCR text of each version's photos, in photo order."""
    out: dict[int, list[str]] = {}
    with store.session() as s:
        rows = s.execute(
            select(AdPhoto.ad_version_id, Photo.ocr_text)
            .join(Photo, Photo.id == AdPhoto.photo_id)
            .where(AdPhoto.ad_version_id.in_(version_ids), Photo.ocr_text.is_not(None), Photo.ocr_text != "")
            .order_by(AdPhoto.ad_version_id, AdPhoto.position)
        )
        for vid, text in rows:
            out.setdefault(vid, []).append(text)
    return out


def run_site(store: Store, run_id: int) -> str | None:
    with store.session() as s:
        return s.scalar(
            select(Site.name).join(CrawlRun, CrawlRun.site_id == Site.id).where(CrawlRun.id == run_id)
        )
