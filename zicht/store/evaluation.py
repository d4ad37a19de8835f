"""Read queries behind ``zicht evaluate``: every stored ad version with what the pipeline made of it.

The evaluation itself is pure (``zicht.evaluation``); it gets these plain frozen rows, so it can be
tested with hand-made ones and never touches a session. Rows come in version-id order, in batches, so
the read stays bounded on a large database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from zicht.store.models import (
    Ad,
    AdContact,
    AdPhoto,
    AdVersion,
    ContactPoint,
    Extraction,
    IndicatorHit,
    LinkAd,
    Photo,
    Score,
    Site,
)
from zicht.store.paging import keyset_pages
from zicht.store.store import Store

BATCH = 1000


@dataclass(frozen=True)
class StoredContact:
    """A contact point linked to a version: kind (phone, email, ...), canonical value, where it was read."""

    kind: str
    value: str
    source: str  # field | text | title | link | photo


@dataclass(frozen=True)
class StoredHit:
    code: str
    negated: bool
    matched_text: str | None = None


@dataclass(frozen=True)
class StoredVersion:
    """One stored ad version as collected, and what extraction and scoring stored for it.

    The collected content (title, text, fields, services, phone, email) lets the evaluation tell a
    number the extractor missed from one that never reached the database (a broken page, a failed
    "toon nummer" call). ``facts`` is the stored facts JSON, None when the version was not extracted yet. ``photos_read``
    is True when the version has photos and every one of them went through the photo stage with text
    reading (OCR text or an error stored): only then can a number written on a photo be expected.
    """

    version_id: int
    site: str
    source_id: str
    first_seen: datetime
    fields: dict
    facts: dict | None
    scored: bool
    title: str = ""
    text: str = ""
    services: tuple[str, ...] = ()
    phone: str | None = None  # the declared number as collected ("toon nummer")
    email: str | None = None
    contacts: tuple[StoredContact, ...] = ()
    hits: tuple[StoredHit, ...] = ()
    photos: int = 0
    photos_read: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.source_id)


def iter_stored_versions(store: Store, *, batch: int = BATCH) -> Iterator[list[StoredVersion]]:
    """All ad versions with their facts, contact points, indicator hits and photo state, in batches."""
    last_id = 0
    while True:
        with store.session() as s:
            rows = s.execute(
                select(
                    AdVersion.id,
                    Site.name,
                    Ad.source_id,
                    AdVersion.first_seen,
                    AdVersion.fields,
                    AdVersion.title,
                    AdVersion.text,
                    AdVersion.services,
                    AdVersion.phone,
                    AdVersion.email,
                    Extraction.facts,
                    Extraction.ad_version_id,
                    Score.ad_version_id,
                )
                .join(Ad, Ad.id == AdVersion.ad_id)
                .join(Site, Site.id == Ad.site_id)
                .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
                .outerjoin(Score, Score.ad_version_id == AdVersion.id)
                .where(AdVersion.id > last_id)
                .order_by(AdVersion.id)
                .limit(batch)
            ).all()
            if not rows:
                return
            ids = [r[0] for r in rows]
            contacts = _contacts(s, ids)
            hits = _hits(s, ids)
            photos = _photos(s, ids)
        last_id = ids[-1]
        out = []
        for vid, site, source_id, first_seen, fields, title, text, services, phone, email, *rest in rows:
            facts, extracted, scored = rest
            n_photos, n_read = photos.get(vid, (0, 0))
            out.append(
                StoredVersion(
                    version_id=vid,
                    site=site,
                    source_id=source_id,
                    first_seen=first_seen,
                    fields=dict(fields or {}),
                    title=title or "",
                    text=text or "",
                    services=tuple(str(x) for x in services or ()),
                    phone=phone,
                    email=email,
                    facts=(dict(facts or {}) if extracted is not None else None),
                    scored=scored is not None,
                    contacts=tuple(contacts.get(vid, ())),
                    hits=tuple(hits.get(vid, ())),
                    photos=n_photos,
                    photos_read=n_photos > 0 and n_read == n_photos,
                )
            )
        yield out


def stored_versions(store: Store) -> list[StoredVersion]:
    return [v for chunk in iter_stored_versions(store) for v in chunk]


def _contacts(s, ids: Sequence[int]) -> dict[int, list[StoredContact]]:  # type: ignore[no-untyped-def]
    out: dict[int, list[StoredContact]] = {}
    q = (
        select(AdContact.ad_version_id, ContactPoint.kind, ContactPoint.value, AdContact.source)
        .join(ContactPoint, ContactPoint.id == AdContact.contact_point_id)
        .where(AdContact.ad_version_id.in_(ids))
        .order_by(AdContact.ad_version_id, ContactPoint.kind, ContactPoint.value, AdContact.source)
    )
    for vid, kind, value, source in s.execute(q):
        out.setdefault(vid, []).append(StoredContact(kind, value, source))
    return out


def _hits(s, ids: Sequence[int]) -> dict[int, list[StoredHit]]:  # type: ignore[no-untyped-def]
    out: dict[int, list[StoredHit]] = {}
    q = (
        select(IndicatorHit.ad_version_id, IndicatorHit.code, IndicatorHit.negated, IndicatorHit.matched_text)
        .where(IndicatorHit.ad_version_id.in_(ids))
        .order_by(IndicatorHit.ad_version_id, IndicatorHit.id)
    )
    for vid, code, negated, text in s.execute(q):
        out.setdefault(vid, []).append(StoredHit(code, bool(negated), text))
    return out


def _photos(s, ids: Sequence[int]) -> dict[int, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Per version: (photos linked, photos whose text was read or whose reading failed with a reason)."""
    out: dict[int, tuple[int, int]] = {}
    q = (
        select(AdPhoto.ad_version_id, Photo.ocr_text.is_not(None), Photo.error.is_not(None))
        .outerjoin(Photo, Photo.id == AdPhoto.photo_id)
        .where(AdPhoto.ad_version_id.in_(ids))
    )
    for vid, has_text, has_error in s.execute(q):
        n, read = out.get(vid, (0, 0))
        out[vid] = (n + 1, read + (1 if (has_text or has_error) else 0))
    return out


@dataclass(frozen=True)
class StoredAssignment:
    """The persona and network linking gave one ad (both None: the ad was not linked yet)."""

    site: str
    source_id: str
    persona_id: int | None
    network_id: int | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.source_id)


def iter_link_assignments(store: Store, *, batch: int = 10 * BATCH) -> Iterator[list[StoredAssignment]]:
    """Every ad with its persona and network, in ad-id order and in batches (ads never linked included)."""
    q = (
        select(Ad.id, Site.name, Ad.source_id, LinkAd.persona_id, LinkAd.network_id)
        .join(Site, Site.id == Ad.site_id)
        .outerjoin(LinkAd, LinkAd.ad_id == Ad.id)
    )
    for rows in keyset_pages(store, q, Ad.id, batch):
        yield [StoredAssignment(site, source_id, pid, nid) for _, site, source_id, pid, nid in rows]


def link_assignments(store: Store) -> list[StoredAssignment]:
    return [a for chunk in iter_link_assignments(store) for a in chunk]
