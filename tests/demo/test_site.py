"""The demo site over real HTTP: gates, listings, day changes, phone calls, robots, limits, faults.

The key contract test is ``test_every_ad_served_parses_back_to_the_market``: what the server shows,
the adapters read back exactly as the market wrote it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
from protego import Protego

from zicht.demo.images import render_photo
from zicht.demo.market import generate_market
from zicht.demo.model import DemoPhoto, Market
from zicht.demo.site import DemoSite, SiteServer, serve_site
from zicht.sources.adapters import get_adapter
from zicht.sources.adapters.common import GateError
from zicht.sources.types import Listing, ParsedAd, ParseError

SITES = ("kinky", "sexjobs", "redlights")


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(seed=7, n_ads=200, weeks=2)


@pytest.fixture(scope="module")
def server(market) -> Iterator[SiteServer]:
    with serve_site(market, today=0, rate_limit_per_s=0, broken_fraction=0) as srv:
        yield srv


def open_client(server: SiteServer) -> httpx.Client:
    """A client past every site's gates, set the generic way a crawler does: the adapters' cookies."""
    client = httpx.Client(timeout=10)
    for site in SITES:
        for gate in get_adapter(site).GATES:
            for name, value in gate["cookies"].items():
                client.cookies.set(name, value, domain=server.host)
    return client


@pytest.fixture
def client(server) -> Iterator[httpx.Client]:
    with open_client(server) as c:
        yield c


def listing_key(ad) -> str:
    return f"{ad.reception}/{ad.category}" if ad.site == "redlights" else ad.category


def walk_listing(client: httpx.Client, site: str, first_url: str) -> list[str]:
    adapter, urls, url = get_adapter(site), [], first_url
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        listing = adapter.parse(response.content, url)
        assert isinstance(listing, Listing)
        urls.extend(listing.ad_urls)
        url = listing.next_url
    return urls


def busiest_day(market: Market) -> int:
    return max(range(market.days), key=lambda d: len(market.active_on(d)))


# --- gates ---------------------------------------------------------------------------------------------


def test_kinky_age_gate_first_then_content_after_confirming(server):
    url = server.base_url("kinky") + "/vrouwen/?page=1"
    with httpx.Client(timeout=10) as c:
        gate = c.get(url)
        assert gate.status_code == 200
        with pytest.raises(GateError):
            get_adapter("kinky").parse(gate.content, url)
        confirm = get_adapter("kinky").AGE_GATE
        refused = c.post(server.base_url("kinky") + confirm["url"], data={"bevestig": "nee"})
        assert "leeftijdscheck" in refused.text and not c.cookies.get("kinky_18plus")
        answer = c.request(confirm["method"], server.base_url("kinky") + confirm["url"], data=confirm["data"])
        assert answer.status_code == 303
        assert c.cookies.get("kinky_18plus") == confirm["cookies"]["kinky_18plus"]
        page = c.get(url)
        assert isinstance(get_adapter("kinky").parse(page.content, url), Listing)
        assert 'id="cookie-consent"' in page.text  # the dialog shows until consent is given
        c.get(server.base_url("kinky") + "/cookies/akkoord", params={"keuze": "noodzakelijk"})
        assert 'id="cookie-consent"' not in c.get(url).text
        # kinky's cookie opens kinky only
        other = server.base_url("sexjobs") + "/escort/?p=1"
        with pytest.raises(GateError):
            get_adapter("sexjobs").parse(c.get(other).content, other)


def test_sexjobs_age_gate_then_cookie_wall(server):
    url = server.base_url("sexjobs") + "/escort/?p=1"
    adapter = get_adapter("sexjobs")
    with httpx.Client(timeout=10) as c:
        with pytest.raises(GateError) as first:
            adapter.parse(c.get(url).content, url)
        assert first.value.gate == "age"
        age = adapter.AGE_GATE
        c.request(age["method"], server.base_url("sexjobs") + age["url"], data=age["data"])
        with pytest.raises(GateError) as second:
            adapter.parse(c.get(url).content, url)
        assert second.value.gate == "cookies"
        consent = adapter.COOKIE_CONSENT
        c.request(consent["method"], server.base_url("sexjobs") + consent["url"], data=consent["data"])
        assert isinstance(adapter.parse(c.get(url).content, url), Listing)


def test_redlights_disclaimer_by_get(server):
    url = server.base_url("redlights") + "/escort/dames/?pagina=1"
    adapter = get_adapter("redlights")
    with httpx.Client(timeout=10) as c:
        with pytest.raises(GateError):
            adapter.parse(c.get(url).content, url)
        gate = adapter.AGE_GATE
        answer = c.request(gate["method"], server.base_url("redlights") + gate["url"], params=gate["data"])
        assert answer.status_code == 303
        assert isinstance(adapter.parse(c.get(url).content, url), Listing)


def test_phone_endpoint_needs_the_age_cookie(server, market):
    ad = next(a for a in market.active_on(0) if a.phone_display and a.site == "kinky")
    url = server.base_url("kinky") + DemoSite.phone_path(ad)
    assert httpx.get(url).status_code == 403


# --- listings and days -----------------------------------------------------------------------------------


def test_listings_paginate_and_show_exactly_the_ads_active_today(server, market, client):
    day = busiest_day(market)
    server.set_today(day)
    for site in SITES:
        adapter = get_adapter(site)
        found: list[str] = []
        for first in adapter.listing_urls(server.base_url(site), adapter.CATEGORIES):
            found.extend(walk_listing(client, site, first))
        expected = [a for a in market.on_site(site) if a.active(day)]
        assert len(found) == len(set(found)) == len(expected), site
        assert {adapter.parse(client.get(u).content, u).source_id for u in found} == {
            a.source_id for a in expected
        }
    assert len(market.active_on(day)) > 30


def test_listing_is_newest_first_and_30_per_page(server, market, client):
    day = busiest_day(market)
    server.set_today(day)
    site, key = "kinky", "vrouwen"
    active = sorted(
        (a for a in market.on_site(site) if a.active(day) and a.category == key),
        key=lambda a: (a.posted_at, a.source_id),
        reverse=True,
    )
    assert len(active) > 30, "the test market must fill more than one page"
    url = server.base_url(site) + f"/{key}/?page=1"
    first = get_adapter(site).parse(client.get(url).content, url)
    assert len(first.ad_urls) == 30
    ids = [get_adapter(site).parse(client.get(u).content, u).source_id for u in first.ad_urls[:5]]
    assert ids == [a.source_id for a in active[:5]]
    assert first.next_url and first.next_url.endswith("page=2")


def test_after_set_today_removed_ads_404_and_edited_ads_show_the_new_version(server, market, client):
    edited = next(a for a in market.ads if len(a.versions) > 1 and a.active(a.versions[1].from_day))
    old, new = edited.versions[0], edited.versions[1]
    url = server.base_url(edited.site) + server.site.ad_path(edited)
    adapter = get_adapter(edited.site)

    server.set_today(old.from_day)
    before = adapter.parse(client.get(url).content, url)
    server.set_today(new.from_day)
    after = adapter.parse(client.get(url).content, url)
    assert (before.title, before.text, before.rates, before.fields) == (
        old.title,
        old.text.replace("\r\n", "\n").strip(),
        old.rates,
        {k: v for k, v in old.fields.items() if v},
    )
    assert (after.title, after.text, after.rates, after.fields) == (
        new.title,
        new.text.replace("\r\n", "\n").strip(),
        new.rates,
        {k: v for k, v in new.fields.items() if v},
    )

    removed = next(a for a in market.ads if a.last_day < market.days - 1)
    removed_url = server.base_url(removed.site) + server.site.ad_path(removed)
    server.set_today(removed.last_day)
    assert client.get(removed_url).status_code == 200
    server.set_today(removed.last_day + 1)
    gone = client.get(removed_url)
    assert gone.status_code == 404
    assert "niet gevonden" in gone.text.lower()
    with pytest.raises(ParseError, match="not found"):
        get_adapter(removed.site).parse(gone.content, removed_url)


def test_unknown_ad_is_404(server, client):
    assert client.get(server.base_url("kinky") + "/advertenties/999-escort-nobody").status_code == 404
    assert client.get(server.base_url("sexjobs") + "/escort/nobody_999").status_code == 404
    assert client.get(server.base_url("redlights") + "/escort/dames/nobody.html").status_code == 404


# --- the key contract: server pages parse back to the market ----------------------------------------------


def test_every_ad_served_parses_back_to_the_market(server, market, client):
    day = busiest_day(market)
    server.set_today(day)
    ads = market.active_on(day)
    assert {a.site for a in ads} == set(SITES)
    phones = 0
    for ad in ads:
        version = ad.version_on(day)
        adapter = get_adapter(ad.site)
        url = server.base_url(ad.site) + server.site.ad_path(ad)
        response = client.get(url)
        assert response.status_code == 200, url
        parsed = adapter.parse(response.content, url)
        assert isinstance(parsed, ParsedAd)
        where = f"{ad.site}:{ad.source_id}"
        assert parsed.source_id == ad.source_id, where
        assert parsed.title == version.title, where
        assert parsed.text == version.text.replace("\r\n", "\n").strip(), where
        assert parsed.fields.get("location") == version.fields.get("location"), where
        assert parsed.fields.get("age") == version.fields.get("age"), where
        assert parsed.fields == {k: v for k, v in version.fields.items() if v}, where
        assert len(parsed.images) == len(version.photos), where
        assert parsed.posted_at == ad.posted_at, where
        if ad.phone_display:
            answer = client.get(parsed.phone_url)
            assert answer.status_code == 200, where
            assert adapter.parse_phone(answer.content, parsed.phone_url) == ad.phone_display, where
            phones += 1
        else:
            assert parsed.phone_url is None, where
    assert phones > 0


# --- robots, images, limits, faults -----------------------------------------------------------------------


def test_robots_crawl_delay_matches_the_rate_limit(market):
    with serve_site(market, rate_limit_per_s=50, broken_fraction=0) as srv:
        robots = Protego.parse(httpx.get(srv.root_url + "/robots.txt").text)
    assert robots.crawl_delay("zicht") == pytest.approx(0.02)


def test_robots_txt_at_root_and_per_site(server):
    root = httpx.get(server.root_url + "/robots.txt")
    assert root.status_code == 200
    robots = Protego.parse(root.text)
    assert robots.crawl_delay("zicht") == 0  # no rate limit on this server: no delay asked
    assert not robots.can_fetch(server.base_url("kinky") + "/account/inloggen", "zicht")
    assert not robots.can_fetch(server.base_url("redlights") + "/beheer/", "zicht")
    assert robots.can_fetch(server.base_url("kinky") + "/vrouwen/?page=1", "zicht")
    per_site = httpx.get(server.base_url("sexjobs") + "/robots.txt").text
    assert "Disallow: /sexjobs/mijn-sexjobs/" in per_site and "/kinky/" not in per_site


def test_disallowed_paths_are_counted(server, client):
    before = server.counters["disallowed"]
    client.get(server.base_url("kinky") + "/account/inloggen")
    assert server.counters["disallowed"] == before + 1


def test_images_are_valid_jpegs(server, market, client):
    day = busiest_day(market)
    server.set_today(day)
    ads = [a for a in market.active_on(day) if a.version_on(day).photos][:2]
    urls = [f"{server.root_url}{server.site.photo_url(a.version_on(day).photos[0])}" for a in ads]
    overlay = next(p for a in market.ads for v in a.versions for p in v.photos if p.overlay_text)
    plain = DemoPhoto(overlay.photo_id, overlay.variant)
    urls.append(f"{server.root_url}{server.site.photo_url(overlay)}")
    assert len(urls) == 3
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "JPEG" and image.size[0] > 100
    assert client.get(server.root_url + "/img/nope-0.jpg").status_code == 404
    # the overlay is drawn: the served photo differs from the same photo without it
    assert client.get(urls[-1]).content != render_photo(plain.photo_id, plain.variant)


def test_hammering_gets_429_with_retry_after(market):
    with serve_site(market, rate_limit_per_s=5, broken_fraction=0) as srv, httpx.Client(timeout=10) as c:
        statuses = [c.get(srv.base_url("kinky") + "/vrouwen/").status_code for _ in range(25)]
        assert 429 in statuses
        assert statuses[0] == 200
        limited = c.get(srv.base_url("kinky") + "/vrouwen/")
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert srv.rate_limited == statuses.count(429) + 1
        # the bucket is per site: another site still answers
        assert c.get(srv.base_url("sexjobs") + "/escort/").status_code == 200
        assert srv.requests_served == 27


def test_broken_pages_are_deterministic_and_survivable(market):
    day = busiest_day(market)
    with serve_site(market, today=day, rate_limit_per_s=0, broken_fraction=1.0, seed=3) as srv:
        kinds_seen = set()
        with open_client(srv) as c:
            for ad in market.active_on(day):
                kind = srv.site.broken_kind(ad.site, ad.source_id)
                assert kind == srv.site.broken_kind(ad.site, ad.source_id)
                kinds_seen.add(kind)
                url = srv.base_url(ad.site) + srv.site.ad_path(ad)
                adapter = get_adapter(ad.site)
                response = c.get(url)
                if kind == "error_once":
                    assert response.status_code == 500
                    response = c.get(url)
                assert response.status_code == 200
                version = ad.version_on(day)
                if kind == "truncated":
                    try:
                        parsed = adapter.parse(response.content, url)
                    except ParseError as exc:
                        assert exc.url == url
                    else:
                        assert parsed.source_id == ad.source_id and parsed.title == version.title
                else:  # a 500 cured by a retry, or a page whose charset label lies: read in full
                    parsed = adapter.parse(response.content, url)
                    assert parsed.title == version.title
                    assert parsed.text == version.text.replace("\r\n", "\n").strip()
        assert kinds_seen == {"truncated", "error_once", "wrong_charset"}
    with serve_site(market, broken_fraction=0.0) as srv:
        assert all(srv.site.broken_kind(a.site, a.source_id) is None for a in market.ads)
    share = DemoSite(market, broken_fraction=0.1)
    broken = sum(share.broken_kind(a.site, a.source_id) is not None for a in market.ads)
    assert 0 < broken < len(market.ads) * 0.3


def test_hanging_path_times_out_the_client_while_others_are_served(market):
    with serve_site(market, rate_limit_per_s=0, hang_paths={"/kinky/vrouwen/"}, hang_seconds=3) as srv:
        with open_client(srv) as c:
            with pytest.raises(httpx.ReadTimeout):
                c.get(srv.base_url("kinky") + "/vrouwen/", timeout=0.3)
            assert c.get(srv.base_url("kinky") + "/mannen/").status_code == 200
        assert srv.counters["hangs"] == 1
