"""`zicht reparse`: stored raw pages are read again by the current adapter, without fetching."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zicht.demo.market import generate_market
from zicht.demo.site import DemoSite
from zicht.sources import reparse as reparse_mod
from zicht.sources.adapters import get_adapter
from zicht.sources.reparse import reparse
from zicht.store.store import Store

T0 = datetime(2026, 10, 6, 8, 0, tzinfo=UTC)
BASE = "http://demo.invalid"


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, bytes]]:
    market = generate_market(seed=5, n_ads=40, weeks=1)
    site = DemoSite(market, broken_fraction=0.0)
    out = []
    for ad in [a for a in market.ads if a.site == "kinky"][:5]:
        version = ad.versions[0]
        prefix = f"{BASE}/kinky"
        body = site.encode("kinky", site.render_ad_html(ad, version, prefix=prefix, consent=True))
        out.append((prefix + site.ad_path(ad), body))
    return out


def _store_pages(store: Store, pages: list[tuple[str, bytes]]) -> None:
    site_id = store.ensure_site("kinky")
    run = store.start_run(site_id, "crawl", purpose="test", legal_basis="test")
    for url, body in pages:
        store.store_page(run, url, "ad", 200, [("Content-Type", "text/html")], body, T0)


def test_reparse_builds_ads_from_kept_pages_only(store: Store, pages: list[tuple[str, bytes]]) -> None:
    _store_pages(store, pages)
    assert store.counts()["ads"] == 0
    report = reparse(store)
    assert (report.pages, report.new_ads, report.errors) == (5, 5, [])
    for url, body in pages:
        parsed = get_adapter("kinky").parse(body, url)
        ad = store.find_ad("kinky", parsed.source_id)
        (version,) = store.versions(ad.id)
        assert version.title == parsed.title and version.first_seen == T0
    # Pages with a "toon nummer" link but no kept number page are "partial": read again each time
    # (a later crawl may keep the number), never making a second version.
    partial = {url for url, body in pages if get_adapter("kinky").parse(body, url).phone_url}
    again = reparse(store)
    assert again.skipped_current == 5 - len(partial) and again.unchanged == len(partial)
    assert again.new_ads == again.new_versions == 0
    statuses = {p.url: p.parse_status for p in store.raw_pages(kinds=("ad",))}
    assert {u for u, st in statuses.items() if st == "partial"} == partial


def test_adapter_fix_corrects_versions_in_place(
    store: Store, pages: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_pages(store, pages)
    kinky = get_adapter("kinky")
    real_parse = kinky.parse

    def broken_parse(content: bytes, url: str):  # type: ignore[no-untyped-def]
        ad = real_parse(content, url)
        ad.title = ad.title.upper()  # the "old" adapter read titles wrongly
        return ad

    monkeypatch.setattr(kinky, "parse", broken_parse)
    monkeypatch.setattr(kinky, "VERSION", "kinky-old")
    reparse(store)
    monkeypatch.setattr(kinky, "parse", real_parse)
    monkeypatch.undo()

    report = reparse(store)
    assert report.updated == 5 and report.new_versions == 0 and report.new_ads == 0
    for url, body in pages:
        parsed = kinky.parse(body, url)
        ad = store.find_ad("kinky", parsed.source_id)
        (version,) = store.versions(ad.id)  # corrected, not duplicated
        assert version.title == parsed.title
        assert version.parser == f"kinky@{kinky.VERSION}"


def test_unreadable_page_is_reported_and_kept(store: Store, pages: list[tuple[str, bytes]]) -> None:
    url, body = pages[0]
    _store_pages(store, [(url, body[: len(body) // 2])])
    report = reparse(store)
    assert report.new_ads == 0
    assert report.errors and report.errors[0][0] == url and "cut off" in report.errors[0][1]
    (page,) = store.raw_pages_at(url, kind="ad")
    assert page.parse_status == "error" and store.read_raw_body(page) == body[: len(body) // 2]


def test_unknown_site_is_a_clear_error(store: Store) -> None:
    with pytest.raises(KeyError, match="no site 'nergens'"):
        reparse_mod.reparse(store, site="nergens")
