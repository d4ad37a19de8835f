"""No ad lost, removals kept to the crawl's own scope, counts that survive a resume.

The real demo site over HTTP, the real adapters and a real store (SQLite and PostgreSQL where the
store decides the outcome), as in test_crawler.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from test_crawler import (
    DAY,
    Clock,
    DemoServer,
    _Without,
    config_for,
    online,
    stored_ads,
    tasks,
)

from zicht.demo.market import generate_market
from zicht.demo.model import Market
from zicht.demo.run import problems
from zicht.sources import crawler
from zicht.sources.config import SiteConfig, config_from_dict
from zicht.sources.crawler import crawl_site
from zicht.sources.reparse import reparse
from zicht.sources.types import ParseError
from zicht.store.models import Ad, AdVersion, CrawlRun, RawPage
from zicht.store.store import Store


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(seed=11, n_ads=90, weeks=2)


def _unreadable_phone(body: bytes, url: str) -> str:
    raise ParseError(url, "number layout changed")


def _ad_pages(store: Store, run_id: int) -> dict[str, RawPage]:
    with store.session() as s:
        return {
            p.url: p for p in s.scalars(select(RawPage).where(RawPage.run_id == run_id, RawPage.kind == "ad"))
        }


# ------------------------------------------------------------------------------ no ad lost


def test_unreadable_phone_number_stores_the_ad_and_the_next_crawl_fills_it_in(
    store: Store, server: DemoServer, market: Market
) -> None:
    clock = Clock(market)
    config = config_for(server, fetch_images=False)
    truth = online(market, "kinky")
    broken = _Without("kinky", parse_phone=_unreadable_phone)
    first = crawl_site(store, "kinky", config, now=clock, adapter=broken)  # type: ignore[arg-type]
    ads = stored_ads(store, "kinky")
    assert set(ads) == set(truth)  # every ad stored, number or not
    no_number = {k for k, a in ads.items() if store.versions(a.id)[-1].phone is None}
    with_link = {k for k, d in truth.items() if d.phone_display}
    assert {k for k in no_number if truth[k].phone_display} == with_link  # those with a number: all of them
    assert first.phone_unknown == len(with_link) > 0
    said = str(first)  # the person running the crawl is told, with what happens next
    assert f"numbers unknown: {len(with_link)} ads stored without their phone number" in said
    assert "the next crawl fetches them again" in said
    assert f"{len(with_link)} ads without their number (fetched again next crawl)" in (problems(first) or "")
    assert first.new_ads == len(truth) and first.complete
    pages = _ad_pages(store, first.run_id)
    partial = {u for u, p in pages.items() if p.parse_status == "partial"}
    assert len(partial) == len(with_link)
    assert all("phone number could not be read" in (pages[u].parse_error or "") for u in partial)
    run_tasks = tasks(store, first.run_id)
    assert all(run_tasks[u].status == "done" and "phone" in (run_tasks[u].last_error or "") for u in partial)

    # Same day, the adapter fixed: the pages without a number are fetched again (not "fresh"),
    # and the stored version is completed, not followed by a second one.
    clock.t += timedelta(hours=1)
    second = crawl_site(store, "kinky", config, now=clock)
    assert second.skipped_fresh == len(truth) - len(with_link)
    assert (second.new_ads, second.new_versions, second.phone_unknown) == (0, 0, 0)
    assert "numbers unknown" not in str(second) and problems(second) is None
    for source_id, ad in stored_ads(store, "kinky").items():
        (version,) = store.versions(ad.id)
        assert version.phone == truth[source_id].phone_display
    assert all(p.parse_status == "ok" for p in _ad_pages(store, second.run_id).values())


def test_truncated_page_is_fetched_again_the_same_day(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    clock = Clock(market)
    config = config_for(server, fetch_images=False)
    url = server.ad_url(market, "kinky", index=3)
    path = url.split(str(server.port), 1)[1]
    server.faults.transform[path] = lambda body: body[:300]
    first = crawl_site(sqlite_store, "kinky", config, now=clock)
    assert (
        first.parse_errors == 1 and len(stored_ads(sqlite_store, "kinky")) == len(online(market, "kinky")) - 1
    )
    del server.faults.transform[path]
    clock.t += timedelta(hours=1)
    second = crawl_site(sqlite_store, "kinky", config, now=clock)
    assert second.new_ads == 1 and second.skipped_fresh == len(online(market, "kinky")) - 1
    assert set(stored_ads(sqlite_store, "kinky")) == set(online(market, "kinky"))


def test_reparse_recovers_a_kept_ok_page_whose_ad_is_missing(
    store: Store, server: DemoServer, market: Market
) -> None:
    """A page marked read but without its ad (a store from before this fix) is read again."""
    clock = Clock(market)
    summary = crawl_site(store, "kinky", config_for(server, fetch_images=False), now=clock)
    truth = online(market, "kinky")
    lost = next(k for k, d in truth.items() if d.phone_display)
    with store.session() as s:
        ad_id = s.scalar(select(Ad.id).where(Ad.source_id == lost, Ad.site_id == store.site_id("kinky")))
        s.execute(Ad.__table__.update().where(Ad.id == ad_id).values(current_version_id=None))
        s.execute(delete(AdVersion).where(AdVersion.ad_id == ad_id))
        s.execute(delete(Ad).where(Ad.id == ad_id))
    assert all(p.parse_status == "ok" for p in _ad_pages(store, summary.run_id).values())
    report = reparse(store, site="kinky")
    assert report.new_ads == 1 and report.skipped_current == len(truth) - 1
    ad = store.find_ad("kinky", lost)
    assert ad is not None and store.versions(ad.id)[-1].phone == truth[lost].phone_display


# ------------------------------------------------------------------------------ removal scope


def _scoped(server: DemoServer, config, categories: tuple[str, ...]):  # type: ignore[no-untyped-def]
    return config.with_options(
        sites=(SiteConfig(name="kinky", base_url=server.base_url("kinky"), categories=categories),)
    )


def test_complete_crawl_of_one_scope_does_not_remove_another_scopes_ads(
    store: Store, server: DemoServer, market: Market
) -> None:
    clock = Clock(market)
    base = config_for(server, fetch_images=False)
    a = crawl_site(store, "kinky", _scoped(server, base, ("vrouwen",)), now=clock)
    in_a = set(stored_ads(store, "kinky"))
    assert a.complete and 0 < len(in_a) < len(online(market, "kinky"))
    clock.t += timedelta(minutes=30)
    b = crawl_site(store, "kinky", _scoped(server, base, ("mannen", "stellen", "trans")), now=clock)
    assert b.complete and b.removed == 0
    ads = stored_ads(store, "kinky")
    assert set(ads) == set(online(market, "kinky"))
    assert all(ad.status == "active" for ad in ads.values())


def test_regions_each_remove_only_their_own_ads(store: Store, server: DemoServer, market: Market) -> None:
    """Two regions' configurations of one site: a later crawl of one region leaves the other's ads."""
    settings = {
        "contact": "toezicht@example.nl",
        "legal_basis": "AVG art. 6 lid 1 sub e",
        "rate": 1000.0,
        "timeout_s": 2.0,
        "fetch_images": False,
        "regions": {
            "west": {
                "purpose": "toezicht west",
                "sites": {"kinky": {"base_url": server.base_url("kinky"), "categories": ["vrouwen"]}},
            },
            "oost": {
                "purpose": "toezicht oost",
                "sites": {"kinky": {"base_url": server.base_url("kinky"), "categories": ["mannen", "trans"]}},
            },
        },
    }
    west = config_from_dict(dict(settings), region="west")
    oost = config_from_dict(dict(settings), region="oost")
    clock = Clock(market)
    crawl_site(store, "kinky", west, now=clock)
    west_ads = set(stored_ads(store, "kinky"))
    crawl_site(store, "kinky", oost, now=clock)
    oost_ads = set(stored_ads(store, "kinky")) - west_ads
    assert west_ads and oost_ads

    later = DAY + 5
    server.set_today(later)
    clock.to_day(later)
    summary = crawl_site(store, "kinky", west, now=clock)
    still = set(online(market, "kinky", later))
    ads = stored_ads(store, "kinky")
    gone_west = west_ads - still
    assert summary.complete and gone_west
    assert {k for k, a in ads.items() if a.status == "removed"} == gone_west
    assert summary.removed == len(gone_west)
    assert all(ads[k].status == "active" for k in oost_ads)  # oost was not walked: nothing inferred


# ------------------------------------------------------------------------------ counts after a resume


def test_counts_after_ctrl_c_and_resume_match_what_is_stored(
    store: Store, server: DemoServer, market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crawler, "INGEST_BATCH", 5)
    clock = Clock(market)
    config = config_for(server, fetch_images=False)
    ticks = 0

    def interrupt(kind: str, done: int, total: int) -> None:
        nonlocal ticks
        ticks += kind == "ad"
        if ticks == 13:  # two batches of 5 stored, 3 parsed and waiting
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        crawl_site(store, "kinky", config, now=clock, on_progress=interrupt)
    summary = crawl_site(store, "kinky", config, now=clock)
    truth = online(market, "kinky")
    assert summary.resumed and summary.complete
    assert (summary.ads_parsed, summary.new_ads, summary.new_versions) == (len(truth),) * 3
    with store.session() as s:
        pages = s.scalar(
            select(RawPage.id).where(RawPage.run_id == summary.run_id).order_by(RawPage.id.desc())
        )
        n_pages = len(list(s.scalars(select(RawPage.id).where(RawPage.run_id == summary.run_id))))
        stats = s.get(CrawlRun, summary.run_id).stats  # type: ignore[union-attr]
    assert pages and summary.fetched == summary.stored == n_pages
    assert (stats["ads_parsed"], stats["new_ads"]) == (len(truth), len(truth))
