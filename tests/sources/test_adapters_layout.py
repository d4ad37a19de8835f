"""A partial layout change is reported, not silent: each case is the adapter's ``ad.html`` with one
class renamed, as a site redesign does, and must come back with a layout warning naming the part.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zicht.sources.adapters import get_adapter
from zicht.sources.adapters.common import layout_part
from zicht.sources.types import ParsedAd

FIXTURES = Path(__file__).parent / "fixtures"
AD_URLS = {
    "kinky": "https://www.kinky.nl/advertenties/4821337-prive-ontvangst-sanne-utrecht",
    "sexjobs": "https://www.sexjobs.nl/escort/sanne-nieuw-in-utrecht_58112094",
    "redlights": "https://www.redlights.nl/escort/dames/mandy-maastricht.html",
}

# (site, the rename made in ad.html, the part warned about, the field lost)
CASES = [
    ("kinky", ('class="profiel"', 'class="profiel-tabel"'), "details block", "age"),
    ("kinky", ('class="dienst"', 'class="service"'), "services", "services"),
    ("kinky", ('class="prijzen"', 'class="tarieven"'), "rates", "rates"),
    ("kinky", ('class="foto"', 'class="afbeelding"'), "photos", "images"),
    ("kinky", ('toon-nummer" data-url', 'nummer-tonen" data-url'), "phone", "phone_url"),
    ("kinky", ("advertentie__datum", "advertentie__geplaatst"), "posting date", "posted_at"),
    ("redlights", ("ad-gegevens", "ad-details"), "details block", "age"),
    ("redlights", ('class="tarief"', 'class="prijs"'), "rates", "rates"),
    ("redlights", ('class="toon-nummer"', 'class="nummer"'), "phone", "phone_url"),
    ("sexjobs", ("advert-properties", "advert-props"), "details block", "age"),
    ("sexjobs", ('class="tag"', 'class="label"'), "services", "services"),
    ("sexjobs", ("advert-detail__date", "advert-detail__datum"), "posting date", "posted_at"),
]  # fmt: skip


def parse(site: str, page: bytes) -> ParsedAd:
    result = get_adapter(site).parse(page, AD_URLS[site])
    assert isinstance(result, ParsedAd)
    return result


def reference(site: str) -> bytes:
    return (FIXTURES / site / "ad.html").read_bytes()


def renamed(site: str, rename: tuple[str, str]) -> bytes:
    """``ad.html`` with one class renamed wherever it stands."""
    base = reference(site)
    old, new = (s.encode() for s in rename)
    assert old in base, rename
    return base.replace(old, new)


def lost(ad: ParsedAd, field: str) -> object:
    return ad.fields.get(field) if field == "age" else getattr(ad, field)


@pytest.mark.parametrize("site", sorted(AD_URLS))
def test_the_reference_pages_have_no_layout_warnings(site):
    assert parse(site, reference(site)).warnings == []


@pytest.mark.parametrize(("site", "rename", "part", "field"), CASES)
def test_a_renamed_class_gives_a_layout_warning_for_its_part(site, rename, part, field):
    before, changed = parse(site, reference(site)), parse(site, renamed(site, rename))
    assert lost(before, field), "the reference page has the field"
    assert not lost(changed, field), "the rename loses the field"
    assert [layout_part(w) for w in changed.warnings] == [part], changed.warnings
    assert changed.title == before.title  # the ad itself is still read and stored


def test_redlights_without_its_details_block_keeps_only_what_the_url_says():
    ad = parse("redlights", renamed("redlights", ("ad-gegevens", "ad-details")))
    assert set(ad.fields) == {"reception", "category"}
    assert "'dl.ad-gegevens'" in ad.warnings[0]
