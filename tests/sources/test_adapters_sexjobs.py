"""sexjobs.nl adapter against hand-written fixture pages (tests/sources/fixtures/sexjobs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from zicht.sources.adapters import sexjobs
from zicht.sources.adapters.common import GateError
from zicht.sources.types import Listing, ParsedAd, ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "sexjobs"
AD_URL = "https://www.sexjobs.nl/escort/luxe-escort-amsterdam-jade_58112094"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_ad(name: str, url: str = AD_URL) -> ParsedAd:
    result = sexjobs.parse(page(name), url)
    assert isinstance(result, ParsedAd)
    return result


def test_ad_page_fields():
    ad = parse_ad("ad.html")
    assert (ad.site, ad.source_id) == ("sexjobs", "58112094")
    assert ad.title == "Luxe escort Amsterdam – Jade"
    assert ad.text == (
        "Hallo heren!\n"
        "Ik ben Jade, een sportieve meid die graag naar je toe komt in hotel of thuis.\n\n"
        "Escort vanaf 1 uur. Reiskosten binnen de ring inbegrepen, daarbuiten € 25.\n"
        "Geen sms, bel me gewoon."
    )
    assert ad.fields == {
        "name": "Jade",
        "location": "Amsterdam-Zuidoost",
        "age": "22",
        "gender": "Vrouw",
        "origin": "Braziliaans",
        "hours": "Dagelijks\n14:00 - 02:00",
        "features": "Cupmaat: C",
        "category": "escort",
    }
    assert ad.email == "jade.ams@example.com"
    assert ad.services == ["Escort", "Dinerdate", "Erotische massage"]
    assert ad.rates == ["1 uur € 200", "2 uur € 350"]
    assert ad.posted_at == datetime(2024, 6, 2, 21, 15, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert ad.phone_url == "https://www.sexjobs.nl/api/advertenties/58112094/telefoonnummer"


def test_lazy_loaded_images_use_the_real_source_not_the_placeholder():
    assert parse_ad("ad.html").images == [
        "https://cdn.sexjobs.nl/advert/58112094/a1.jpg",
        "https://www.sexjobs.nl/uploads/advert/58112094/a2.jpg",
        "https://cdn.sexjobs.nl/advert/58112094/a3.jpg",
    ]


def test_listing():
    listing = sexjobs.parse(page("listing.html"), "https://www.sexjobs.nl/escort/?p=1")
    assert isinstance(listing, Listing)
    assert listing.ad_urls == [
        "https://www.sexjobs.nl/escort/luxe-escort-amsterdam-jade_58112094",
        "https://www.sexjobs.nl/thuisontvangst/mooie-mia-in-breda_58100022?utm_source=list",
        "https://www.sexjobs.nl/erotische-massage/tantra-by-lotus_57999812",
    ]
    assert listing.next_url == "https://www.sexjobs.nl/escort/?p=2"


def test_gates():
    with pytest.raises(GateError) as age:
        sexjobs.parse(page("age_gate.html"), AD_URL)
    assert age.value.gate == "age"
    with pytest.raises(GateError) as wall:
        sexjobs.parse(page("cookie_wall.html"), "https://www.sexjobs.nl/escort/?p=1")
    assert wall.value.gate == "cookies"
    assert "cookie wall" in wall.value.reason
    assert sexjobs.COOKIE_CONSENT["marker"] == "div#cookiewall"


def test_truncated_mid_character_is_refused():
    assert page("ad_truncated.html").endswith(b"\xe2")  # the cut falls inside the euro sign
    with pytest.raises(ParseError, match="page cut off"):
        sexjobs.parse(page("ad_truncated.html"), AD_URL)


def test_truncated_before_the_ad_is_a_parse_error():
    with pytest.raises(ParseError) as caught:
        sexjobs.parse(page("ad_truncated_early.html"), AD_URL)
    assert caught.value.url == AD_URL
    assert "page cut off" in caught.value.reason


def test_page_of_another_layout_is_refused():
    foreign = (FIXTURES.parent / "redlights" / "ad.html").read_bytes()
    with pytest.raises(ParseError, match="unknown layout"):
        sexjobs.parse(foreign, AD_URL)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.sexjobs.nl/escort/?p=2", "listing"),
        ("https://www.sexjobs.nl/erotische-massage/", "listing"),
        ("https://www.sexjobs.nl/thuisontvangst/mooie-mia-in-breda_58100022", "ad"),
        ("https://www.sexjobs.nl/api/advertenties/58100022/telefoonnummer", "phone"),
        ("http://127.0.0.1:1/sexjobs/escort/sandra_10000777", "ad"),
        ("http://127.0.0.1:1/sexjobs/mijn-sexjobs/", None),
        ("https://www.sexjobs.nl/vacatures/", None),
        ("https://www.kinky.nl/escort/sandra_1", None),
    ],
)
def test_classify(url, kind):
    assert sexjobs.classify(url) == kind


def test_listing_urls():
    assert sexjobs.listing_urls("https://www.sexjobs.nl", ["escort"], 2) == [
        "https://www.sexjobs.nl/escort/?p=1",
        "https://www.sexjobs.nl/escort/?p=2",
    ]
    with pytest.raises(ValueError):
        sexjobs.listing_urls(categories=["vrouwen"])


def test_parse_phone_reads_the_fragment():
    url = "https://www.sexjobs.nl/api/advertenties/58112094/telefoonnummer"
    assert sexjobs.parse_phone(page("phone.html"), url) == "06 - 123 456 78"
    with pytest.raises(ParseError, match="phone-number"):
        sexjobs.parse_phone(page("cookie_wall.html"), url)
