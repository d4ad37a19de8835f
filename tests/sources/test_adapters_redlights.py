"""redlights.nl adapter against hand-written fixture pages (tests/sources/fixtures/redlights).

ad.html is stored as the site sends it: labelled iso-8859-1, written in cp1252 (byte 0x80 is "€").
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from zicht.sources.adapters import redlights
from zicht.sources.adapters.common import GateError
from zicht.sources.types import Listing, ParsedAd, ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "redlights"
AD_URL = "https://www.redlights.nl/escort/dames/chloe-27.html"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_ad(name: str, url: str = AD_URL) -> ParsedAd:
    result = redlights.parse(page(name), url)
    assert isinstance(result, ParsedAd)
    return result


def test_ad_page_fields_from_a_cp1252_page():
    assert b"\x80 150" in page("ad.html")
    ad = parse_ad("ad.html")
    assert (ad.site, ad.source_id) == ("redlights", "773410")
    assert ad.title == "Chloé – Franse escort, ook 's nachts"
    assert ad.text == (
        "Bonjour! Ik ben Chloé, een elegante Française.\n\n"
        "Ik kom naar je hotel of huis in Den Bosch en omgeving. Tarief: € 150 per uur, taxi inbegrepen.\n"
        "Tot ziens!"
    )
    assert ad.fields == {
        "name": "Chloé",
        "age": "27",
        "gender": "Vrouw",
        "origin": "Frans",
        "orientation": "Bi",
        "location": "Den Bosch",
        "hours": "ma-do 18:00 - 03:00\nvr-za 20:00 - 05:00",
        "features": "Haarkleur: Bruin",
        "reception": "escort",
        "category": "dames",
    }
    assert ad.services == ["Escort", "Dinerdate", "Overnachting"]
    assert ad.rates == ["1 uur € 150", "nacht € 900"]
    assert ad.images == [
        "https://www.redlights.nl/fotos/773410/groot_1.jpg",
        "https://www.redlights.nl/fotos/773410/groot_2.jpg",
    ]
    assert ad.email == "chloe@example.org"


def test_posted_at_from_the_json_blob_in_amsterdam_time():
    posted = parse_ad("ad.html").posted_at
    assert posted == datetime(2024, 4, 20, 23, 5, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert posted.tzinfo == ZoneInfo("Europe/Amsterdam")


def test_phone_url_is_built_from_the_ad_id_like_the_sites_javascript():
    assert parse_ad("ad.html").phone_url == "https://www.redlights.nl/ajax/telefoon.php?id=773410"
    demo = parse_ad("ad.html", "http://127.0.0.1:7000/redlights/escort/dames/chloe-27.html")
    assert demo.phone_url == "http://127.0.0.1:7000/redlights/ajax/telefoon.php?id=773410"


def test_utf8_page_labelled_latin1_reads_the_same():
    assert page("ad_utf8_labelled_latin1.html") != page("ad.html")
    assert parse_ad("ad_utf8_labelled_latin1.html") == parse_ad("ad.html")


def test_malformed_page_with_id_only_in_var_adid():
    url = "https://www.redlights.nl/escort/dames/anna-en-bo-2-dames.html"
    ad = parse_ad("ad_malformed.html", url)
    assert ad.source_id == "771002"
    assert ad.title == "Anna & Bo - 2 dames"
    assert ad.fields["hours"] == "op afspraak"  # the unclosed <dd> does not swallow the description
    assert ad.fields["location"] == "Tilburg"
    assert ad.text.startswith("Twee vriendinnen, samen of apart te boeken.")
    assert ad.posted_at is None
    assert ad.phone_url is None


def test_page_without_any_ad_id_is_refused():
    html = b'<html><body><div id="advertentie"><h1 class="ad-titel">Zonder id</h1></div></body></html>'
    with pytest.raises(ParseError, match="no ad id"):
        redlights.parse(html, AD_URL)


def test_listing():
    listing = redlights.parse(page("listing.html"), "https://www.redlights.nl/escort/dames/?pagina=3")
    assert isinstance(listing, Listing)
    assert listing.ad_urls == [
        "https://www.redlights.nl/escort/dames/chloe-27.html",
        "http://www.redlights.nl/escort/dames/anna-en-bo-2-dames.html",
        "https://www.redlights.nl/thuisontvangst/dames/marieke-31.html",
    ]
    assert listing.next_url == "https://www.redlights.nl/escort/dames/?pagina=4"


def test_disclaimer_is_the_age_gate():
    with pytest.raises(GateError) as caught:
        redlights.parse(page("age_gate.html"), AD_URL)
    assert caught.value.gate == "age"


def test_page_of_another_layout_is_refused():
    foreign = (FIXTURES.parent / "kinky" / "ad.html").read_bytes()
    with pytest.raises(ParseError, match="unknown layout"):
        redlights.parse(foreign, AD_URL)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.redlights.nl/escort/dames/?pagina=2", "listing"),
        ("https://www.redlights.nl/massage/heren/", "listing"),
        ("https://www.redlights.nl/thuisontvangst/dames/marieke-31.html", "ad"),
        ("https://www.redlights.nl/ajax/telefoon.php?id=773410", "phone"),
        ("http://127.0.0.1:1/redlights/ajax/telefoon.php?id=1mbj3k", "phone"),
        ("http://127.0.0.1:1/redlights/escort/trans/x-y.html", "ad"),
        ("https://www.redlights.nl/beheer/", None),
        ("https://www.redlights.nl/escort/dames/marieke.php", None),
    ],
)
def test_classify(url, kind):
    assert redlights.classify(url) == kind


def test_listing_urls_accept_a_bare_reception_for_its_dames_listing():
    assert redlights.listing_urls("https://www.redlights.nl", ["escort", "massage/heren"]) == [
        "https://www.redlights.nl/escort/dames/?pagina=1",
        "https://www.redlights.nl/massage/heren/?pagina=1",
    ]
    with pytest.raises(ValueError):
        redlights.listing_urls(categories=["escort/katten"])


def test_parse_phone_plain_text():
    url = "https://www.redlights.nl/ajax/telefoon.php?id=773410"
    assert redlights.parse_phone(page("phone.txt"), url) == "06-87654321"
    with pytest.raises(ParseError, match="HTML"):
        redlights.parse_phone(page("age_gate.html")[:400], url)
    with pytest.raises(ParseError, match="too large"):
        redlights.parse_phone(page("age_gate.html"), url)
