"""What the crawl summary tells a person: why a run is incomplete, and that the layout changed.

Crawls of the real demo site (the server and helpers of test_crawler) into a real store.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_crawler import DAY, Clock, DemoServer, config_for

from zicht.demo.market import generate_market
from zicht.demo.model import Market
from zicht.demo.site import PER_PAGE
from zicht.sources.config import CrawlConfig, SiteConfig
from zicht.sources.crawler import crawl_site
from zicht.store.models import RawPage
from zicht.store.store import Store


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(seed=5, n_ads=260, weeks=1)


def vrouwen(market: Market) -> list:
    return [a for a in market.active_on(DAY) if a.site == "kinky" and a.category == "vrouwen"]


def kinky_vrouwen(server: DemoServer, pages: int | None = 1, **overrides: object) -> CrawlConfig:
    """The demo's kinky "vrouwen" listing only, its first ``pages`` pages (None: to the end)."""
    site = SiteConfig(name="kinky", base_url=server.base_url("kinky"), categories=("vrouwen",), pages=pages)
    return replace(config_for(server, ("kinky",), **overrides), sites=(site,))


def test_a_listing_longer_than_the_configured_pages_is_named_as_the_reason(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    assert len(vrouwen(market)) > PER_PAGE  # the listing has a second page
    config = kinky_vrouwen(server)
    summary = crawl_site(sqlite_store, "kinky", config, now=Clock(market))

    assert not summary.complete and summary.listing_truncated == 1
    text = str(summary)
    assert "incomplete (no ads marked removed)" in text
    assert "incomplete because the listing has more pages than configured (1 listing go" in text

    whole = crawl_site(sqlite_store, "kinky", kinky_vrouwen(server, None), now=Clock(market))
    assert whole.complete and "incomplete because" not in str(whole)


def test_a_failed_listing_page_is_named_as_the_reason(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    server.faults.transform["/kinky/vrouwen/"] = lambda body: body[: len(body) // 2]  # cut off
    summary = crawl_site(sqlite_store, "kinky", kinky_vrouwen(server), now=Clock(market))
    assert summary.listing_failures == 1
    assert "incomplete because 1 listing page could not be fetched or read" in str(summary)


def test_a_renamed_details_block_is_counted_and_shown_as_layout_warnings(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    ads = vrouwen(market)[:PER_PAGE]  # the first listing page, newest first, holds these or others
    for ad in vrouwen(market):
        server.faults.transform["/kinky" + server.demo.ad_path(ad)] = lambda body: body.replace(
            b'class="profiel"', b'class="profiel-tabel"'
        )
    config = kinky_vrouwen(server, fetch_phones=False)
    summary = crawl_site(sqlite_store, "kinky", config, now=Clock(market))

    assert summary.ads_parsed == len(ads) and summary.parse_errors == 0  # still read and stored
    assert summary.layout_warnings == len(ads)
    assert summary.layout == {"details block": len(ads)}
    assert (
        f"layout warnings: {len(ads)} (kinky: details block on {len(ads)} pages - the site layout may have changed"
        in str(summary)
    )
    with sqlite_store.session() as s:  # the note is kept with the page's parse result
        notes = [p.parse_error for p in s.query(RawPage).filter(RawPage.kind == "ad")]
    assert len(notes) == len(ads) and all(n and n.startswith("details block missing") for n in notes)
