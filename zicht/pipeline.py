"""``zicht process``: run every stage incrementally on what is new or changed.

photos (hash + OCR of images kept as evidence) → extraction (facts, contacts) → signals
(indicator hits and an explained score). Each stage stores the version that made its results,
so a new extractor or catalogue version re-runs exactly the affected ad versions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zicht.store import stages
from zicht.store.store import Store

if TYPE_CHECKING:
    from zicht.extract.ocr import OcrResult
    from zicht.extract.photos import PhotoFacts
    from zicht.signals.catalogue import Catalogue
    from zicht.store.models import RawPage

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


# Photos read together: enough batches to keep every core busy, few enough to bound memory (the bytes of
# two chunks are held at once) and to report progress often.
PHOTO_CHUNK = 240


def photos_version(ocr: bool) -> str:
    """What a stored photo row was made by; with OCR, the OCR version too, so a better reader re-reads."""
    from zicht.extract.ocr import OCR_VERSION
    from zicht.extract.photos import PHOTOS_VERSION

    return f"{PHOTOS_VERSION}+{OCR_VERSION}" if ocr else PHOTOS_VERSION


def process_photos(store: Store, report: ProcessReport, *, on_progress: Progress | None, ocr: bool) -> None:
    """Hash every image the crawler kept; read text written on it. Never any face analysis.

    A photo (by sha256) shown by many ads or at many urls is hashed and read once. OCR, the costly
    part, runs in tesseract batches over all cores (``ocr_many``), a chunk of photos at a time, in a
    background thread: meanwhile this thread hashes the next chunk and stores the previous one.
    """
    version = photos_version(ocr)
    done = 0
    total = stages.count_versions_without_photos(store) if on_progress else 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr") as reader:
        for batch in stages.image_urls_without_photo(store):
            pages, photo_ids, new = _photos_of(store, batch, version, ocr)
            versions = {v for v, *_ in batch}
            for chunk in _hashed_one_ahead(store, new, reader if ocr else None):
                photo_ids.update(_save_chunk(store, chunk, report, version))
                if on_progress:  # ad versions whose every photo is hashed and read
                    waiting = {
                        v
                        for v, _, url in batch
                        if (p := pages[url]) is not None and p.sha256 not in photo_ids
                    }
                    on_progress("photos", done + len(versions - waiting), total)
            links: list[tuple[int, int, str, int | None]] = []
            for version_id, position, url in batch:
                page = pages[url]
                if page is None:
                    report.photos_missing += 1
                links.append((version_id, position, url, None if page is None else photo_ids[page.sha256]))
            stages.link_photos(store, links)
            done += len(versions)
            if on_progress:
                on_progress("photos", done, max(total, done))
        if ocr:  # photos stored by an older photo/OCR version (or without OCR): read them again
            for rows in stages.photos_made_by_other_version(store, version):
                stale = [p for _, raw_id in rows if (p := store.get_raw_page(raw_id)) is not None]
                reread: list[int] = []
                for chunk in _hashed_one_ahead(store, stale, reader):
                    reread.extend(_save_chunk(store, chunk, report, version).values())
                stages.drop_extractions_showing(store, reread)


def _photos_of(
    store: Store, batch: list[tuple[int, int, str]], version: str, ocr: bool
) -> tuple[dict[str, RawPage | None], dict[str, int], list[RawPage]]:
    """The stored image at each url (None: not collected), the photo ids already made by this version
    (by sha256), and one page for each photo still to hash and read."""
    pages: dict[str, RawPage | None] = {}
    photo_ids: dict[str, int] = {}
    new: dict[str, RawPage] = {}
    for *_, url in batch:
        if url in pages:
            continue
        page = pages[url] = stages.stored_image(store, url)
        if page is None or page.sha256 in photo_ids or page.sha256 in new:
            continue
        existing = stages.photo_by_sha(store, page.sha256)
        if existing is not None and _photo_is_current(existing.photos_version, version, ocr):
            photo_ids[page.sha256] = existing.id
        else:
            new[page.sha256] = page
    return pages, photo_ids, list(new.values())


def _photo_is_current(stored: str, wanted: str, ocr: bool) -> bool:
    """Without OCR, a photo hashed by this version will do, read or not; with OCR it must be read by it."""
    return stored == wanted or (not ocr and stored.startswith(wanted + "+"))


@dataclass
class _HashedChunk:
    pages: list[RawPage]
    facts: list[PhotoFacts]
    read: Future[list[OcrResult]] | None  # OCR of the photos whose facts are ok, in order


def _hashed_one_ahead(
    store: Store, pages: list[RawPage], reader: ThreadPoolExecutor | None
) -> Iterator[_HashedChunk]:
    """The photos in chunks, each hashed and handed to OCR; a chunk is given out once the next one is
    hashed too, so that hashing overlaps reading."""
    waiting: _HashedChunk | None = None
    for start in range(0, len(pages), PHOTO_CHUNK):
        hashed = _hash_chunk(store, pages[start : start + PHOTO_CHUNK], reader)
        if waiting is not None:
            yield waiting
        waiting = hashed
    if waiting is not None:
        yield waiting


def _hash_chunk(store: Store, pages: list[RawPage], reader: ThreadPoolExecutor | None) -> _HashedChunk:
    """Hash these photos here and now; hand the decodable ones to the OCR thread (when OCR runs)."""
    from zicht.extract.ocr import ocr_many
    from zicht.extract.photos import photo_facts

    bodies = [store.read_raw_body(page) for page in pages]
    facts = [photo_facts(data) for data in bodies]
    readable = [data for data, f in zip(bodies, facts, strict=True) if f.ok]
    read = reader.submit(ocr_many, readable) if reader is not None and readable else None
    return _HashedChunk(pages, facts, read)


def _save_chunk(store: Store, chunk: _HashedChunk, report: ProcessReport, version: str) -> dict[str, int]:
    """Store the chunk's photos once their OCR is done; sha256 -> photo id."""
    results = iter(chunk.read.result() if chunk.read is not None else [])
    ids: dict[str, int] = {}
    for page, f in zip(chunk.pages, chunk.facts, strict=True):
        error, text = f.error, None
        result = next(results, None) if f.ok else None
        if result is not None:
            if result.error:
                error = f"OCR: {result.error}"
            else:
                text = result.text
        if error:
            report.photo_errors += 1
        ids[page.sha256] = stages.save_photo(
            store,
            {
                "sha256": f.sha256,
                "phash": f.phash,
                "dhash": f.dhash,
                "width": f.width,
                "height": f.height,
                "format": f.format,
                "ocr_text": text,
                "error": error,
                "photos_version": version,
                "raw_page_id": page.id,
            },
        )
        report.photos_hashed += 1
    return ids


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


MEDIAN_TOLERANCE = 0.05  # a median that moved less than this (and flips no verdict) keeps a score


def price_context_changed(old: dict, new: dict, hourly: float, ratio: float | None) -> bool:
    """True when LOW_PRICE for an ad with this hourly price may read differently under ``new``:
    a median appeared or disappeared, the region changed, the verdict flips, or the median moved more
    than ``MEDIAN_TOLERANCE``."""
    old_m, new_m = old.get("median_price_per_hour"), new.get("median_price_per_hour")
    if old_m is None or new_m is None:
        return (old_m is None) != (new_m is None)
    if old.get("region") != new.get("region"):
        return True
    if ratio is not None and (hourly < ratio * old_m) != (hourly < ratio * new_m):
        return True
    return abs(new_m - old_m) > MEDIAN_TOLERANCE * old_m


def versions_with_changed_price_context(
    store: Store, made_by: str, medians: dict[str | None, float], ratio: float | None
) -> list[int]:
    """Current versions, scored by ``made_by``, whose LOW_PRICE was judged against another median.

    Only ads with an hourly price can change; their stored score context names the median it used.
    """
    if ratio is None:  # no price indicator in this catalogue
        return []
    from zicht.signals.engine import hourly_price

    stale: list[int] = []
    for vid, unit, rates, old in stages.current_price_contexts(store, made_by):
        found = hourly_price(rates)
        if found is not None and price_context_changed(old, price_context(medians, unit), found[0], ratio):
            stale.append(vid)
    return stale


def _low_price_ratio(catalogue: Catalogue) -> float | None:
    for ind in catalogue.ad_indicators:
        for cond in ind.facts:
            if cond.kind == "price_per_hour_below_median_ratio":
                return float(cond.value)
    return None


def process_signals(store: Store, report: ProcessReport, *, on_progress: Progress | None) -> None:
    from zicht.extract.facts import facts_from_json
    from zicht.signals.catalogue import load_catalogue
    from zicht.signals.engine import evaluate, hit_to_dict
    from zicht.signals.score import score, scoring_version

    catalogue = load_catalogue()
    made_by = scoring_version(catalogue)
    # Medians come from the extracted current versions, and every new extraction also needs a score:
    # with nothing to score, no median can have moved, and the whole price scan is skipped.
    needing = stages.count_needing_scores(store, made_by)
    if needing == 0:
        return
    medians = price_medians(store)
    stale = versions_with_changed_price_context(store, made_by, medians, _low_price_ratio(catalogue))
    stages.drop_scores(store, stale)
    done = 0
    total = needing + len(stale)  # the stale ones were up to date, so not counted among the needing
    for batch in stages.versions_needing_scores(store, made_by):
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
        stages.save_scores(store, rows, made_by)
        done += len(rows)
        report.scored += len(rows)
        if on_progress:
            on_progress("signals", done, max(total, done))
