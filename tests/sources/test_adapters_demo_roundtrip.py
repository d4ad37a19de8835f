"""Every version of every demo ad, rendered in-process by the demo site, parses back to what it says.

The HTTP round trip lives in tests/demo/test_site.py; this one covers many more ads quickly.
"""

from __future__ import annotations

import pytest

from zicht.demo.market import generate_market
from zicht.demo.site import DemoSite
from zicht.sources.adapters import get_adapter
from zicht.sources.types import Listing, ParsedAd

ROOT = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def demo() -> DemoSite:
    return DemoSite(generate_market(seed=11, n_ads=400, weeks=3), broken_fraction=0)


def test_every_ad_version_round_trips(demo):
    checked = 0
    for ad in demo.ads:
        adapter = get_adapter(ad.site)
        url = f"{ROOT}/{ad.site}{demo.ad_path(ad)}"
        assert adapter.classify(url) == "ad", url
        for version in ad.versions:
            parsed = adapter.parse(demo.render_ad(ad, version.from_day, prefix=f"/{ad.site}"), url)
            assert isinstance(parsed, ParsedAd)
            where = f"{ad.site}:{ad.source_id} day {version.from_day}"
            assert parsed.source_id == ad.source_id, where
            assert parsed.title == version.title, where
            assert parsed.text == version.text.replace("\r\n", "\n").strip(), where
            assert parsed.fields == {k: v for k, v in version.fields.items() if v}, where
            assert parsed.services == version.services, where
            assert parsed.rates == version.rates, where
            assert parsed.images == [f"{ROOT}/img/{p.key}.jpg" for p in version.photos], where
            assert parsed.posted_at == ad.posted_at, where
            assert parsed.email == ad.email, where
            assert parsed.warnings == [], where  # the demo's layout is the adapters' layout
            assert (parsed.phone_url is not None) == bool(ad.phone_display), where
            if parsed.phone_url:
                assert adapter.classify(parsed.phone_url) == "phone", where
            checked += 1
    assert checked >= 400


def test_listings_walk_to_exactly_the_active_ads(demo):
    day = 10
    for site in ("kinky", "sexjobs", "redlights"):
        adapter = get_adapter(site)
        for key in demo.listing_keys(site):
            expected = {f"{ROOT}/{site}{demo.ad_path(a)}" for a in demo.active_ads(site, key, day)}
            seen: list[str] = []
            url: str | None = f"{ROOT}/{site}{demo.listing_path(site, key, 1)}"
            pages = 0
            while url:
                page = int(url.rsplit("=", 1)[1])
                listing = adapter.parse(demo.render_listing(site, key, page, day, prefix=f"/{site}"), url)
                assert isinstance(listing, Listing)
                seen.extend(listing.ad_urls)
                url = listing.next_url
                pages += 1
            assert len(seen) == len(set(seen))
            assert set(seen) == expected, (site, key)
            assert pages == max(1, -(-len(expected) // 30))
