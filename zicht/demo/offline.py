"""The demo market as parsed ads without HTTP: each version rendered by the demo site and read
back by the real adapter, exactly as a crawl would see it on the day the version appeared.

For benchmarks, evaluation and tests that need a realistic store quickly; ``zicht demo`` itself
crawls over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta

from zicht.demo.model import TZ, DemoAd, Market
from zicht.demo.site import DemoSite
from zicht.sources.adapters import get_adapter
from zicht.sources.types import ParsedAd

DEMO_BASE = "http://demo.invalid"


def parsed_versions(
    market: Market, ads: Iterable[DemoAd] | None = None, *, base: str = DEMO_BASE
) -> Iterator[tuple[DemoAd, int, ParsedAd, datetime]]:
    """(ad, day, parsed ad, seen_at) for every version of every ad, in market order."""
    site = DemoSite(market, broken_fraction=0.0)
    for ad in ads if ads is not None else market.ads:
        adapter = get_adapter(ad.site)
        prefix = f"{base}/{ad.site}"
        for version in ad.versions:
            day = max(version.from_day, ad.first_day)
            page = site.encode(ad.site, site.render_ad_html(ad, version, prefix=prefix, consent=True))
            parsed = adapter.parse(page, prefix + site.ad_path(ad))
            assert isinstance(parsed, ParsedAd)
            parsed.phone = ad.phone_display or None
            seen = datetime.combine(market.start + timedelta(days=day), time(9, 0), tzinfo=TZ)
            yield ad, day, parsed, seen
