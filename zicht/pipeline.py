"""``zicht process``: run every stage incrementally on what is new or changed.

photos (hash + OCR of images kept as evidence) → extraction (facts, contacts) → signals
(indicator hits and an explained score). Each stage stores the version that made its results,
so a new extractor or catalogue version re-runs exactly the affected ad versions.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from zicht.store import stages
from zicht.store.store import Store

Progress = Callable[[str, int, int], None]


@dataclass
class ProcessReport:
    photos_hashed: int = 0
    photos_missing: int = 0
    photo_errors: int = 0
    extracted: int = 0
    field_errors: int = 0
    scored: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def extraction_version() -> str:
    """One version string for everything that shapes stored facts (text extractors, OCR)."""
    from zicht.extract.facts import EXTRACTOR_VERSION
    from zicht.extract.ocr import OCR_VERSION
    from zicht.extract.photos import PHOTOS_VERSION

    return f"{EXTRACTOR_VERSION}+{PHOTOS_VERSION}+{OCR_VERSION}"


def process(
    store: Store,
    *,
    on_progress: Progress | None = None,
    photos: bool = True,
    ocr: bool = True,
) -> ProcessReport:
    report = ProcessReport()
    if photos:
        t = time.perf_counter()
        process_photos(store, report, on_progress=on_progress, ocr=ocr)
        report.seconds["photos"] = time.perf_counter() - t
    t = time.perf_counter()
    process_extraction(store, report, on_progress=on_progress)
    report.seconds["extraction"] = time.perf_counter() - t
    t = time.perf_counter()
    process_signals(store, report, on_progress=on_progress)
    report.seconds["signals"] = time.perf_counter() - t
    return report


def process_photos(store: Store, report: ProcessReport, *, on_progress: Progress | None, ocr: bool) -> None:
    """Hash every image the crawler kept; read text written on it. Never any face analysis."""
    from zicht.extract.ocr import ocr_text
    from zicht.extract.photos import PHOTOS_VERSION, photo_facts

    done = 0
    for batch in stages.image_urls_without_photo(store):
        links: list[tuple[int, int, str, int | None]] = []
        for version_id, position, url in batch:
            page = stages.stored_image(store, url)
            if page is None:
                report.photos_missing += 1
                links.append((version_id, position, url, None))
                continue
            existing = stages.photo_by_sha(store, page.sha256)
            if existing is not None and existing.photos_version == PHOTOS_VERSION:
                links.append((version_id, position, url, existing.id))
                continue
            data = store.read_raw_body(page)
            facts = photo_facts(data)
            error, text = facts.error, None
            if ocr and error is None:
                result = ocr_text(data)
                if result.error:
                    error = f"OCR: {result.error}"
                else:
                    text = result.text
            if error:
                report.photo_errors += 1
            photo_id = stages.save_photo(
                store,
                {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "phash": facts.phash,
                    "dhash": facts.dhash,
                    "width": facts.width,
                    "height": facts.height,
                    "format": facts.format,
                    "ocr_text": text,
                    "error": error,
                    "photos_version": PHOTOS_VERSION,
                    "raw_page_id": page.id,
                },
            )
            report.photos_hashed += 1
            links.append((version_id, position, url, photo_id))
        stages.link_photos(store, links)
        done += len(batch)
        if on_progress:
            on_progress("photos", done, 0)


def process_extraction(store: Store, report: ProcessReport, *, on_progress: Progress | None) -> None:
    from zicht.extract.facts import extract_facts, facts_to_json
    from zicht.extract.ocr import contacts_in_photo

    version = extraction_version()
    total = stages.count_needing_extraction(store, version)
    done = 0
    for batch in stages.versions_needing_extraction(store, version):
        photo_texts = stages.photo_texts_for(store, [v.id for v in batch])
        rows: list[stages.ExtractionRow] = []
        for v in batch:
            facts = extract_facts(
                v.title,
                v.text,
                {k: str(val) for k, val in v.fields.items() if val is not None},
                [str(x) for x in v.services],
                [str(x) for x in v.rates],
                v.phone,
                v.url,
                default_region=v.region,
            )
            seen = {(c.kind, c.value) for c in facts.contacts}
            for text in photo_texts.get(v.id, []):
                for c in contacts_in_photo(text, default_region=v.region):
                    if (c.kind, c.value) not in seen:
                        facts.contacts.append(c)
                        seen.add((c.kind, c.value))
            if v.email:
                from zicht.extract.contacts import find_contacts

                for c in find_contacts(v.email, default_region=v.region, source="field"):
                    if c.kind == "email" and (c.kind, c.value) not in seen:
                        facts.contacts.append(c)
                        seen.add((c.kind, c.value))
            report.field_errors += len(facts.errors)
            rows.append(
                stages.ExtractionRow(
                    ad_version_id=v.id,
                    facts=facts_to_json(facts),
                    age=facts.age,
                    place=facts.place,
                    gemeente_code=facts.gemeente_code,
                    police_unit=facts.police_unit,
                    error_count=len(facts.errors),
                    contacts=[
                        stages.ContactRow(
                            kind=c.kind,
                            value=c.value,
                            country=c.country,
                            source=c.source,
                            span_start=c.span.start if c.span else None,
                            span_end=c.span.end if c.span else None,
                            obscured=c.obscured,
                        )
                        for c in facts.contacts
                    ],
                )
            )
        stages.save_extractions(store, rows, version)
        done += len(rows)
        report.extracted += len(rows)
        if on_progress:
            on_progress("extraction", done, total)


MIN_PRICES_FOR_MEDIAN = 20  # fewer ads with an hourly price than this: no median, LOW_PRICE not evaluated


def price_medians(store: Store) -> dict[str | None, float]:
    """Median hourly price per police unit (key None: national), from each ad's current version.

    LOW_PRICE compares an ad with its region, never with a fixed amount. A region with too few
    prices falls back to the national median; with too few nationally there is no median at all.
    """
    from statistics import median

    from zicht.signals.engine import hourly_price

    prices: dict[str | None, list[float]] = {}
    for unit, rates in stages.rates_by_police_unit(store):
        found = hourly_price(rates)
        if found is None:
            continue
        prices.setdefault(unit, []).append(found[0])
        if unit is not None:
            prices.setdefault(None, []).append(found[0])
    return {unit: median(values) for unit, values in prices.items() if len(values) >= MIN_PRICES_FOR_MEDIAN}


def price_context(medians: dict[str | None, float], police_unit: str | None) -> dict:
    if police_unit in medians and police_unit is not None:
        return {"median_price_per_hour": medians[police_unit], "region": police_unit}
    if None in medians:
        return {"median_price_per_hour": medians[None], "region": "Nederland"}
    return {}


def process_signals(store: Store, report: ProcessReport, *, on_progress: Progress | None) -> None:
    from zicht.extract.facts import facts_from_json
    from zicht.signals.catalogue import load_catalogue
    from zicht.signals.engine import evaluate, hit_to_dict
    from zicht.signals.score import score

    catalogue = load_catalogue()
    medians: dict[str | None, float] | None = None
    done = 0
    for batch in stages.versions_needing_scores(store, catalogue.version):
        if medians is None:
            medians = price_medians(store)
        rows: list[stages.ScoreRow] = []
        for v, facts_json in batch:
            facts = facts_from_json(facts_json)
            context = price_context(medians, facts.police_unit)
            hits = evaluate(
                v.title, v.text, facts, catalogue, context=context, services=[str(x) for x in v.services]
            )
            result = score(hits, catalogue)
            rows.append(
                stages.ScoreRow(
                    ad_version_id=v.id,
                    value=result.value,
                    explanation={
                        "nl": result.explanation_nl,
                        "en": result.explanation_en,
                        "contributions": [list(c) for c in result.contributions],
                        "context": context,
                    },
                    hits=[
                        stages.HitRow(
                            code=h.code,
                            span_start=h.span.start if h.span else None,
                            span_end=h.span.end if h.span else None,
                            matched_text=h.matched_text,
                            weight=h.weight,
                            evidence_level=h.evidence_level,
                            negated=h.negated,
                            reason=h.reason,
                            detail=hit_to_dict(h),
                        )
                        for h in hits
                    ],
                )
            )
        stages.save_scores(store, rows, catalogue.version)
        done += len(rows)
        report.scored += len(rows)
        if on_progress:
            on_progress("signals", done, 0)
