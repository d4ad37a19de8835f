"""``zicht reparse``: read stored raw pages again with the current adapters, without fetching.

After a site changes its layout and an adapter is fixed, this re-derives ads from the evidence
already kept. Versions made from a page are corrected in place (their derived facts are dropped
and re-made by the next ``zicht process``); pages that never produced an ad now may.

Without ``everything`` a page is skipped only when the current parser read it fine ("ok") and its
ad is stored: a kept page whose ad is missing (an interrupted or failed batch) or whose phone number
was not read ("partial") is read again, so no ad stays lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zicht.sources.adapters import adapter_for_url
from zicht.sources.types import Listing, ParsedAd, ParseError
from zicht.store.models import RawPage
from zicht.store.store import IngestItem, Store


@dataclass
class ReparseReport:
    pages: int = 0
    skipped_current: int = 0
    updated: int = 0
    unchanged: int = 0
    new_ads: int = 0
    new_versions: int = 0
    conflicts: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


def _phone_for(store: Store, page: RawPage, parsed: ParsedAd) -> str | None:
    if not parsed.phone_url or parsed.phone:
        return parsed.phone
    adapter = adapter_for_url(page.url)
    for candidate in store.raw_pages_at(parsed.phone_url, kind="phone", run_id=page.run_id):
        try:
            return adapter.parse_phone(store.read_raw_body(candidate), candidate.url) if adapter else None
        except ParseError:
            continue
    return None


def reparse(
    store: Store,
    *,
    site: str | None = None,
    everything: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ReparseReport:
    report = ReparseReport()
    site_id = store.site_id(site) if site else None
    if site and site_id is None:
        raise KeyError(f"no site {site!r} in this database")
    pages = list(store.raw_pages(kinds=("ad",), site_id=site_id))
    stored_urls = store.ad_urls(site_id) if not everything else set()
    for i, page in enumerate(pages, start=1):
        report.pages += 1
        adapter = adapter_for_url(page.url)
        if adapter is None:
            report.errors.append((page.url, "no site adapter matches this url"))
            store.set_parse_result(page.id, "error", "no site adapter matches this url", None)
            continue
        parser = f"{adapter.NAME}@{adapter.VERSION}"
        current = page.parser == parser and page.parse_status == "ok" and page.url in stored_urls
        if not everything and current:
            report.skipped_current += 1
            continue
        try:
            parsed = adapter.parse(store.read_raw_body(page), page.url)
            if isinstance(parsed, Listing):
                raise ParseError(page.url, "stored as an ad page but reads as a listing")
        except ParseError as exc:
            report.errors.append((page.url, exc.reason))
            store.set_parse_result(page.id, "error", exc.reason, parser)
            continue
        parsed.phone = _phone_for(store, page, parsed)
        unknown = bool(parsed.phone_url and not parsed.phone)
        existing = store.versions_from_page(page.id)
        if existing:
            for version in existing:
                outcome = store.replace_version_content(version.id, parsed, parser)
                if outcome == "updated":
                    report.updated += 1
                elif outcome == "conflict":
                    report.conflicts += 1
                else:
                    report.unchanged += 1
        else:
            item = IngestItem(parsed, page.fetched_at, parser, page.id, phone_unknown=unknown)
            result = store.ingest([item])
            report.new_ads += result.new_ads
            report.new_versions += result.new_versions
        notes = (["phone number could not be read"] if unknown else []) + parsed.warnings
        store.set_parse_result(page.id, "partial" if unknown else "ok", "; ".join(notes) or None, parser)
        if on_progress:
            on_progress(i, len(pages))
    return report
