"""A partial layout change is reported, not silent: each fixture is the adapter's ``ad.html`` with one
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

# (site, fixture, the rename that made it from ad.html, the part warned about, the field lost)
CASES = [
    ("kinky", "ad_layout_profile_renamed.html", ('class="profiel"', 'class="profiel-tabel"'), "details block", "age"),
    ("kinky", "ad_layout_services_renamed.html", ('class="dienst"', 'class="service"'), "services", "services"),
    ("kinky", "ad_layout_rates_renamed.html", ('class="prijzen"', 'class="tarieven"'), "rates", "rates"),
    ("kinky", "ad_layout_photos_renamed.html", ('class="foto"', 'class="afbeelding"'), "photos", "images"),
    ("kinky", "ad_layout_phone_renamed.html", ('toon-nummer" data-url', 'nummer-tonen" data-url'), "phone", "phone_url"),
    ("kinky", "ad_layout_date_renamed.html", ("advertentie__datum", "advertentie__geplaatst"), "posting date", "posted_at"),
    ("redlights", "ad_layout_details_renamed.html", ("ad-gegevens", "ad-details"), "details block", "age"),
    ("redlights", "ad_layout_rates_renamed.html", ('class="tarief"', 'class="prijs"'), "rates", "rates"),
    ("redlights", "ad_layout_phone_renamed.html", ('class="toon-nummer"', 'class="nummer"'), "phone", "phone_url"),
    ("sexjobs", "ad_layout_properties_renamed.html", ("advert-properties", "advert-props"), "details block", "age"),
    ("sexjobs", "ad_layout_services_renamed.html", ('class="tag"', 'class="label"'), "services", "services"),
    ("sexjobs", "ad_layout_date_renamed.html", ("advert-detail__date", "advert-detail__datum"), "posting date", "posted_at"),
]  # fmt: skip


def parse(site: str, name: str) -> ParsedAd:
    result = get_adapter(site).parse((FIXTURES / site / name).read_bytes(), AD_URLS[site])
    assert isinstance(result, ParsedAd)
    return result


def lost(ad: ParsedAd, field: str) -> object:
    return ad.fields.get(field) if field == "age" else getattr(ad, field)


@pytest.mark.parametrize("site", sorted(AD_URLS))
def test_the_reference_pages_have_no_layout_warnings(site):
    assert parse(site, "ad.html").warnings == []


@pytest.mark.parametrize(("site", "name", "rename", "part", "field"), CASES)
def test_a_renamed_class_gives_a_layout_warning_for_its_part(site, name, rename, part, field):
    base = (FIXTURES / site / "ad.html").read_bytes()
    old, new = (s.encode() for s in rename)
    assert (FIXTURES / site / name).read_bytes() == base.replace(old, new)  # one rename, nothing else

    reference, changed = parse(site, "ad.html"), parse(site, name)
    assert lost(reference, field), "the reference page has the field"
    assert not lost(changed, field), "the rename loses the field"
    assert [layout_part(w) for w in changed.warnings] == [part], changed.warnings
    assert changed.title == reference.title  # the ad itself is still read and stored


def test_redlights_without_its_details_block_keeps_only_what_the_url_says():
    ad = parse("redlights", "ad_layout_details_renamed.html")
    assert set(ad.fields) == {"reception", "category"}
    assert "'dl.ad-gegevens'" in ad.warnings[0]
