"""kinky.nl adapter against hand-written fixture pages (tests/sources/fixtures/kinky)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from zicht.sources.adapters import kinky, sexjobs
from zicht.sources.adapters.common import MAX_PAGE_BYTES, GateError
from zicht.sources.types import Listing, ParsedAd, ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "kinky"
AD_URL = "https://www.kinky.nl/advertenties/4821337-prive-ontvangst-sanne-utrecht"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_ad(name: str, url: str = AD_URL) -> ParsedAd:
    result = kinky.parse(page(name), url)
    assert isinstance(result, ParsedAd)
    return result


def test_ad_page_fields():
    ad = parse_ad("ad.html")
    assert ad.site == "kinky"
    assert ad.source_id == "4821337"
    assert ad.url == AD_URL
    assert ad.title == "Sanne, nieuw in Utrecht & omgeving"
    assert ad.text.startswith("Hoi lieve man,\n\nIk ben Sanne en sinds kort in Utrecht.")
    assert "op loopafstand van het station.\nPrijzen zijn inclusief: € 120 per uur" in ad.text
    assert ad.text.endswith("café-afspraak vooraf. Liefs, Sanne 😘")
    assert ad.fields == {
        "age": "24 jaar",
        "gender": "Vrouw",
        "location": "Utrecht (Lombok)",
        "origin": "Nederlandse",
        "orientation": "Hetero",
        "features": "Slank; Blond haar; Tattoo; Lengte: 1.72 m",
        "hours": "ma t/m vr 10:00 - 22:00\nza 12:00 - 18:00\nzo gesloten",
        "reception": "prive-ontvangst",
        "category": "vrouwen",
    }
    assert ad.services == ["Erotische massage", "Knuffelen", "Tongzoenen"]
    assert ad.rates == ["30 min € 80", "1 uur € 120", "Nacht: in overleg"]
    assert ad.email == "sanne.utrecht@example.nl"
    assert ad.phone is None
    assert ad.phone_url == "https://www.kinky.nl/advertenties/4821337/telefoon"


def test_ad_posted_at_is_aware_amsterdam_time():
    ad = parse_ad("ad.html")
    assert ad.posted_at == datetime(2024, 3, 14, 9, 41, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert ad.posted_at.utcoffset() is not None


def test_ad_images_absolute_deduplicated_and_only_the_ads_own():
    ad = parse_ad("ad.html")
    assert ad.images == [
        "https://cdn.kinky.nl/ads/4821337/1-large.jpg",
        "https://cdn.kinky.nl/ads/4821337/2-large.jpg",
        "https://www.kinky.nl/media/ads/4821337/3-large.jpg",
    ]


def test_ad_on_demo_prefix_gets_demo_urls():
    url = "http://127.0.0.1:8123/kinky/advertenties/4821337-prive-ontvangst-sanne-utrecht"
    ad = parse_ad("ad.html", url)
    assert ad.phone_url == "http://127.0.0.1:8123/advertenties/4821337/telefoon"  # root-relative href
    assert ad.images[2] == "http://127.0.0.1:8123/media/ads/4821337/3-large.jpg"


def test_listing_keeps_only_ad_links_once_in_page_order():
    listing = kinky.parse(page("listing.html"), "https://www.kinky.nl/vrouwen/?page=2")
    assert isinstance(listing, Listing)
    assert listing.ad_urls == [
        "https://www.kinky.nl/advertenties/4821337-prive-ontvangst-sanne-utrecht",
        "https://www.kinky.nl/advertenties/4820990-escort-mila-den-haag?ref=lijst",
        "https://www.kinky.nl/advertenties/4819876-thuisontvangst-eva-zwolle",
    ]
    assert listing.next_url == "https://www.kinky.nl/vrouwen/?page=3"


def test_last_listing_page_is_empty_without_next():
    listing = kinky.parse(page("listing_last.html"), "https://www.kinky.nl/trans/?page=1")
    assert listing == Listing(url="https://www.kinky.nl/trans/?page=1", ad_urls=[], next_url=None)


def test_age_gate_page_raises_gate_error():
    with pytest.raises(GateError) as caught:
        kinky.parse(page("age_gate.html"), AD_URL)
    assert caught.value.gate == "age"
    assert caught.value.url == AD_URL
    assert "age gate" in caught.value.reason
    with pytest.raises(GateError):
        kinky.parse(page("age_gate.html"), "https://www.kinky.nl/vrouwen/?page=1")


def test_cookie_dialog_on_the_page_does_not_stop_parsing():
    assert b'id="cookie-consent"' in page("ad.html")
    assert parse_ad("ad.html").title


def test_cp1252_page_labelled_utf8_reads_the_same():
    original, mislabelled = parse_ad("ad.html"), parse_ad("ad_cp1252_labelled_utf8.html")
    assert page("ad_cp1252_labelled_utf8.html") != page("ad.html")
    assert mislabelled == original
    assert "café" in mislabelled.text
    assert "€ 120" in mislabelled.text


def test_truncated_page_is_refused_not_stored_as_a_shorter_ad():
    url = "https://www.kinky.nl/advertenties/4821337-prive-ontvangst-sanne"
    with pytest.raises(ParseError, match="page cut off") as caught:
        kinky.parse(page("ad_truncated.html"), url)
    assert caught.value.url == url


def test_malformed_html_still_parses_the_essentials():
    url = "https://www.kinky.nl/advertenties/4800123-prive-ontvangst-roos-tom"
    ad = parse_ad("ad_malformed.html", url)
    assert ad.source_id == "4800123"
    assert ad.title == "Roos & Tom zoeken een derde"  # the unclosed h1 does not swallow the page
    assert ad.text == "Wij zijn Roos en Tom.\n\nDiscreet, schoon en gezellig.\nAlleen serieuze reacties"
    assert ad.fields["age"] == "31 & 35"
    assert ad.fields["location"] == "Groningen"
    assert ad.fields["category"] == "stellen"
    assert ad.posted_at == datetime(2024, 1, 3, 20, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert ad.rates == ["1 uur 150 euro", "2 uur 250 euro"]
    assert ad.images == ["https://www.kinky.nl/media/4800123/1.jpg"]


def test_page_of_another_layout_is_a_parse_error_naming_url_and_reason():
    foreign = (FIXTURES.parent / "sexjobs" / "ad.html").read_bytes()
    with pytest.raises(ParseError) as caught:
        kinky.parse(foreign, AD_URL)
    assert caught.value.url == AD_URL
    assert "unknown layout" in caught.value.reason
    assert AD_URL in str(caught.value)


def test_page_without_title_or_text_is_refused():
    bare = b'<html><body><main class="advertentie" data-advertentie-id="1"><p>menu</p></main></body></html>'
    with pytest.raises(ParseError, match="no title and no text"):
        kinky.parse(bare, AD_URL)


def test_empty_and_oversized_bodies_are_refused():
    with pytest.raises(ParseError, match="empty body"):
        kinky.parse(b"  \n ", AD_URL)
    big = b"<html><body>" + b"x" * (MAX_PAGE_BYTES + 1)
    with pytest.raises(ParseError, match=rf"page too large: {len(big)} bytes"):
        kinky.parse(big, AD_URL)


def test_fifty_megabyte_page_is_refused_without_parsing():
    huge = b"<p>" * (50 * 1024 * 1024 // 3)
    with pytest.raises(ParseError, match="page too large"):
        kinky.parse(huge, AD_URL)


def test_url_the_adapter_does_not_read_is_refused():
    with pytest.raises(ParseError, match="not a kinky ad or listing url"):
        kinky.parse(page("ad.html"), "https://www.kinky.nl/info/privacy")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.kinky.nl/vrouwen/?page=3", "listing"),
        ("https://kinky.nl/trans/", "listing"),
        ("https://www.kinky.nl/advertenties/4821337-escort-lisa", "ad"),
        ("https://www.kinky.nl/advertenties/4821337/telefoon", "phone"),
        ("http://127.0.0.1:5000/kinky/mannen/?page=1", "listing"),
        ("http://127.0.0.1:5000/kinky/advertenties/12-thuisontvangst-x", "ad"),
        ("http://127.0.0.1:5000/kinky/advertenties/12/telefoon", "phone"),
        ("https://www.kinky.nl/account/inloggen", None),
        ("https://www.kinky.nl/dieren/", None),
        ("http://127.0.0.1:5000/sexjobs/escort/?p=1", None),
        ("https://www.sexjobs.nl/kinky/vrouwen/", None),
    ],
)
def test_classify(url, kind):
    assert kinky.classify(url) == kind


def test_matches_real_host_and_demo_prefix_only():
    assert kinky.matches("https://www.kinky.nl/")
    assert kinky.matches("http://127.0.0.1:8000/kinky/vrouwen/")
    assert not kinky.matches("http://127.0.0.1:8000/kinkyx/vrouwen/")
    assert not kinky.matches("https://www.redlights.nl/kinky/")
    assert not sexjobs.matches("https://www.kinky.nl/escort/x_1")


def test_listing_urls():
    assert kinky.listing_urls("http://127.0.0.1:9/kinky/", ["vrouwen", "trans"], pages=2) == [
        "http://127.0.0.1:9/kinky/vrouwen/?page=1",
        "http://127.0.0.1:9/kinky/vrouwen/?page=2",
        "http://127.0.0.1:9/kinky/trans/?page=1",
        "http://127.0.0.1:9/kinky/trans/?page=2",
    ]
    assert len(kinky.listing_urls()) == len(kinky.CATEGORIES)
    assert all(kinky.classify(u) == "listing" for u in kinky.listing_urls(pages=3))
    with pytest.raises(ValueError, match="unknown kinky categories"):
        kinky.listing_urls(categories=["dieren"])


def test_parse_phone():
    url = "https://www.kinky.nl/advertenties/4821337/telefoon"
    assert kinky.parse_phone(page("phone.json"), url) == "06-12 34 56 78"
    with pytest.raises(ParseError, match="holds no number"):
        kinky.parse_phone(page("phone_missing.json"), url)
    with pytest.raises(ParseError, match="not JSON"):
        kinky.parse_phone(page("age_gate.html"), url)
    with pytest.raises(ParseError, match="empty body"):
        kinky.parse_phone(b"", url)
