"""Read queries behind ``zicht export``: one row per ad, from its current version."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from zicht.store.models import (
    Ad,
    AdContact,
    AdVersion,
    ContactPoint,
    Extraction,
    IndicatorHit,
    Link,
    LinkAd,
    Score,
    Site,
)
from zicht.store.paging import keyset_pages
from zicht.store.store import Store

BATCH = 2000


@dataclass(frozen=True)
class AdExportRow:
    site: str
    source_id: str
    url: str
    status: str
    first_seen: str
    last_seen: str
    phones: list[str]
    emails: list[str]
    age: int | None
    place: str | None
    gemeente_code: str | None
    indicators: list[str]
    risk_score: float | None
    persona_id: str | None = None
    network_id: str | None = None


def iter_ad_rows(store: Store, *, pseudonymise: bool = False) -> Iterator[AdExportRow]:
    """Ads in id order with the facts and signals of their current version.

    With ``pseudonymise`` contact values are replaced by their keyed hash (``ContactPoint.hmac``).
    """
    last_id = 0
    while True:
        with store.session() as s:
            rows = s.execute(
                select(
                    Ad.id,
                    Site.name,
                    Ad.source_id,
                    Ad.url,
                    Ad.status,
                    Ad.first_seen,
                    Ad.last_seen,
                    Ad.current_version_id,
                    Extraction.age,
                    Extraction.place,
                    Extraction.gemeente_code,
                    Score.value,
                    LinkAd.persona_id,
                    LinkAd.network_id,
                )
                .join(Site, Site.id == Ad.site_id)
                .outerjoin(LinkAd, LinkAd.ad_id == Ad.id)
                .outerjoin(AdVersion, AdVersion.id == Ad.current_version_id)
                .outerjoin(Extraction, Extraction.ad_version_id == Ad.current_version_id)
                .outerjoin(Score, Score.ad_version_id == Ad.current_version_id)
                .where(Ad.id > last_id)
                .order_by(Ad.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return
            version_ids = [r.current_version_id for r in rows if r.current_version_id]
            contacts: dict[int, dict[str, list[str]]] = {}
            for vid, kind, value, hmac in s.execute(
                select(AdContact.ad_version_id, ContactPoint.kind, ContactPoint.value, ContactPoint.hmac)
                .join(ContactPoint, ContactPoint.id == AdContact.contact_point_id)
                .where(AdContact.ad_version_id.in_(version_ids))
                .order_by(AdContact.ad_version_id, ContactPoint.kind, ContactPoint.value)
            ):
                bucket = contacts.setdefault(vid, {}).setdefault(kind, [])
                shown = hmac if pseudonymise else value
                if shown not in bucket:
                    bucket.append(shown)
            hits: dict[int, list[str]] = {}
            for vid, code in s.execute(
                select(IndicatorHit.ad_version_id, IndicatorHit.code)
                .where(
                    IndicatorHit.ad_version_id.in_(version_ids),
                    IndicatorHit.negated.is_(False),
                    IndicatorHit.weight > 0,  # counted: not negated, evaluated, predictive
                )
                .order_by(IndicatorHit.ad_version_id, IndicatorHit.code)
            ):
                codes = hits.setdefault(vid, [])
                if code not in codes:
                    codes.append(code)
        for r in rows:
            c = contacts.get(r.current_version_id, {})
            yield AdExportRow(
                site=r.name,
                source_id=r.source_id,
                url=r.url,
                status=r.status,
                first_seen=r.first_seen.isoformat(),
                last_seen=r.last_seen.isoformat(),
                phones=c.get("phone", []),
                emails=c.get("email", []),
                age=r.age,
                place=r.place,
                gemeente_code=r.gemeente_code,
                indicators=hits.get(r.current_version_id, []),
                risk_score=round(r.value, 1) if r.value is not None else None,
                persona_id=str(r.persona_id) if r.persona_id is not None else None,
                network_id=str(r.network_id) if r.network_id is not None else None,
            )
        last_id = rows[-1].id


# ------------------------------------------------------------------ links (issue 4)


@dataclass(frozen=True)
class LinkExportRow:
    site_a: str
    source_id_a: str
    site_b: str
    source_id_b: str
    channel: str
    score: float
    evidence: str


def iter_link_rows(store: Store, *, pseudonymise: bool = False) -> Iterator[LinkExportRow]:
    """Every verified link, one row per pair and channel, with a one-line evidence summary.

    With ``pseudonymise`` contact values become their keyed hash and text snippets are left out.
    """
    from sqlalchemy.orm import aliased

    from zicht.linking.evidence import evidence_line
    from zicht.settings import load_secret

    secret = load_secret(store.data_dir) if pseudonymise else None
    ad_a, ad_b = aliased(Ad), aliased(Ad)
    site_a, site_b = aliased(Site), aliased(Site)
    q = (
        select(
            Link.id,
            site_a.name,
            ad_a.source_id,
            site_b.name,
            ad_b.source_id,
            Link.channel,
            Link.score,
            Link.verdict,
            Link.hub,
            Link.evidence,
        )
        .join(ad_a, ad_a.id == Link.ad_a)
        .join(site_a, site_a.id == ad_a.site_id)
        .join(ad_b, ad_b.id == Link.ad_b)
        .join(site_b, site_b.id == ad_b.site_id)
    )
    for rows in keyset_pages(store, q, Link.id, BATCH):
        for r in rows:
            yield LinkExportRow(
                site_a=r[1],
                source_id_a=r[2],
                site_b=r[3],
                source_id_b=r[4],
                channel=r[5],
                score=round(r[6], 3),
                evidence=evidence_line(r[5], r[7], r[8], r[9] or {}, secret=secret),
            )
