"""Builders for evaluation tests: hand-made truth and stored rows, and a demo market ingested directly.

The direct ingest turns each ``DemoVersion`` into the ``ParsedAd`` the site adapters read from its page
(tests/sources/test_adapters_demo_roundtrip.py checks that they agree), first seen at 07:00 Amsterdam
time on its ``from_day``: the store then holds what a crawl on each version's first day would.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from zicht.demo.model import TZ, AdTruth, Cue, DemoAd, DemoVersion, Market, PhoneTruth, VersionTruth
from zicht.demo.truth import TruthRecord
from zicht.evaluation import GroundTruth, MatchedVersion
from zicht.sources.types import ParsedAd
from zicht.store.evaluation import StoredContact, StoredHit, StoredVersion
from zicht.store.store import IngestItem, Store

ROOT = "http://127.0.0.1:8765"
START = date(2026, 10, 5)


def parsed_ad(ad: DemoAd, version: DemoVersion) -> ParsedAd:
    return ParsedAd(
        site=ad.site,
        source_id=ad.source_id,
        url=f"{ROOT}/{ad.site}/ad/{ad.source_id}",
        title=version.title,
        text=version.text.replace("\r\n", "\n").strip(),
        posted_at=ad.posted_at,
        fields={k: v for k, v in version.fields.items() if v},
        services=list(version.services),
        rates=list(version.rates),
        images=[f"{ROOT}/img/{p.key}.jpg" for p in version.photos],
        phone=ad.phone_display,
        email=ad.email,
    )


def ingest_market(store: Store, market: Market) -> int:
    """Every version of every ad; returns the number of versions stored."""
    items = [
        IngestItem(
            parsed=parsed_ad(ad, v),
            seen_at=datetime.combine(market.date_of(v.from_day), time(7, 0), tzinfo=TZ),
            parser="demo-direct@1",
        )
        for ad in market.ads
        for v in ad.versions
    ]
    return store.ingest(items).new_versions


# --------------------------------------------------------------------------- hand-made rows


def phone(
    e164: str, where: str = "field", format_class: str = "plain", rendered: str | None = None
) -> PhoneTruth:
    return PhoneTruth(e164, format_class, where, rendered if rendered is not None else e164)


def truth_version(
    *,
    from_day: int = 0,
    gemeente: str = "GM0599",
    place: str = "Rotterdam",
    phones: list[PhoneTruth] | None = None,
    cues: list[Cue] | None = None,
    text_age: int | None = None,
    age_conflict: bool = False,
    lookalikes: list[str] | None = None,
) -> VersionTruth:
    return VersionTruth(
        from_day=from_day,
        gemeente_code=gemeente,
        place_written=place,
        cues=list(cues or []),
        phones=list(phones or []),
        text_age=text_age,
        age_conflict=age_conflict,
        lookalikes=list(lookalikes or []),
    )


def record(
    source_id: str,
    versions: list[VersionTruth],
    *,
    site: str = "kinky",
    first_day: int = 0,
    last_day: int = 13,
    declared_age: int | None = 25,
    emails: list[str] | None = None,
) -> TruthRecord:
    truth = AdTruth(
        persona_id=f"P-{source_id}",
        network_id=f"N-{source_id}",
        role="independent",
        declared_age=declared_age,
        emails=list(emails or []),
        photo_ids=[],
        versions=versions,
    )
    return TruthRecord(site, source_id, first_day, last_day, truth)


def stored(
    source_id: str,
    *,
    site: str = "kinky",
    version_id: int = 1,
    first_seen: datetime | None = None,
    facts: dict | None = None,
    scored: bool = True,
    title: str = "",
    text: str = "",
    fields: dict | None = None,
    services: tuple[str, ...] = (),
    phone_field: str | None = None,
    email: str | None = None,
    contacts: list[tuple[str, str, str]] | None = None,
    hits: list[tuple[str, bool]] | None = None,
    photos_read: bool = False,
) -> StoredVersion:
    return StoredVersion(
        version_id=version_id,
        site=site,
        source_id=source_id,
        first_seen=first_seen or datetime(2026, 10, 5, 6, 0, tzinfo=UTC),
        fields=dict(fields or {}),
        facts=facts,
        scored=scored,
        title=title,
        text=text,
        services=services,
        phone=phone_field,
        email=email,
        contacts=tuple(StoredContact(k, v, s) for k, v, s in contacts or []),
        hits=tuple(StoredHit(code, negated, code.lower()) for code, negated in hits or []),
        photos=1 if photos_read else 0,
        photos_read=photos_read,
    )


def matched(sv: StoredVersion, rec: TruthRecord, index: int = 0, day: int = 0) -> MatchedVersion:
    return MatchedVersion(sv, rec, rec.truth.versions[index], day)


def ground_truth(*records: TruthRecord) -> GroundTruth:
    return GroundTruth({r.key: r for r in records}, START)
