"""Read queries behind ``zicht export``: one row per ad, from its current version."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from zicht.store.models import Ad, AdContact, AdVersion, ContactPoint, Extraction, IndicatorHit, Score, Site
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
                )
                .join(Site, Site.id == Ad.site_id)
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
                .where(IndicatorHit.ad_version_id.in_(version_ids), IndicatorHit.negated.is_(False))
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
            )
        last_id = rows[-1].id
