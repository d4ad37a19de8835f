"""Shared adapter machinery: decoding of mislabelled pages, text cleanup, dates, the registry."""

from __future__ import annotations

import codecs
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from zicht.sources import adapters
from zicht.sources.adapters import common
from zicht.sources.types import Listing, ParsedAd, ParseError

AMS = ZoneInfo("Europe/Amsterdam")
TEXT = "Café Één – € 95, naïef “echt” 😀"


def html(label: str, body: str = TEXT) -> str:
    return f'<html><head><meta charset="{label}"></head><body><p>{body}</p></body></html>'


def test_utf8_labelled_utf8():
    assert TEXT in common.decode_html(html("utf-8").encode("utf-8"))


def test_cp1252_page_labelled_utf8():
    page = html("utf-8", "Café € 95 – naïef").encode("cp1252")
    assert "Café € 95 – naïef" in common.decode_html(page)


def test_utf8_page_labelled_iso_8859_1():
    page = html("iso-8859-1").encode("utf-8")
    assert TEXT in common.decode_html(page)


def test_honest_latin1_and_cp1252_pages():
    assert "Café € 95" in common.decode_html(html("windows-1252", "Café € 95").encode("cp1252"))
    assert "Crème brûlée" in common.decode_html(html("iso-8859-1", "Crème brûlée").encode("latin-1"))


def test_mostly_utf8_page_with_a_stray_cp1252_byte_keeps_both_readable():
    page = "Één uur ".encode() + "€".encode("cp1252") + " 95, café".encode()
    assert common.decode_html(page) == "Één uur € 95, café"


def test_bom_wins_and_utf16_is_read():
    assert common.decode_html(codecs.BOM_UTF8 + html("iso-8859-1").encode()).startswith("<html>")
    assert TEXT in common.decode_html(codecs.BOM_UTF16_LE + html("utf-16").encode("utf-16-le"))


def test_other_declared_charsets_are_honoured():
    page = html("koi8-r", "Привет").encode("koi8-r")
    assert "Привет" in common.decode_html(page)


def test_unknown_label_falls_back_to_utf8():
    assert TEXT in common.decode_html(html("x-made-up").encode("utf-8"))


def test_cut_multibyte_character_at_the_end_is_dropped():
    assert common.decode_html("caf€".encode()[:-1]) == "caf"


@given(st.binary(max_size=2000))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_decode_never_fails(data):
    assert isinstance(common.decode_html(data), str)


@given(st.binary(max_size=3000), st.sampled_from(["kinky", "sexjobs", "redlights"]))
@settings(max_examples=150, deadline=None)
def test_adapters_raise_only_parse_errors_on_garbage(data, site):
    adapter = adapters.get_adapter(site)
    url = adapter.listing_urls("http://127.0.0.1:1/" + site)[0]
    try:
        result = adapter.parse(data, url)
    except ParseError as exc:
        assert exc.url == url and exc.reason
    else:
        assert isinstance(result, Listing)


@given(st.text(max_size=400))
@settings(max_examples=150, deadline=None)
def test_adapters_survive_arbitrary_text_inside_the_ad_markup(text):
    page = (
        '<main class="advertentie" data-advertentie-id="7"><h1 class="advertentie__titel">T</h1>'
        f'<div class="omschrijving-tekst">{text}</div><table class="profiel"><tr><th>Leeftijd</th>'
        f"<td>{text}</td></tr></table></main>"
    ).encode("utf-8", errors="surrogatepass")
    try:
        ad = adapters.get_adapter("kinky").parse(page, "https://www.kinky.nl/advertenties/7-escort-x")
    except ParseError:
        return
    assert isinstance(ad, ParsedAd) and ad.source_id == "7"


def test_clean_text_collapses_spaces_and_keeps_line_breaks():
    tree = LexborHTMLParser("<div>  een\n  twee&nbsp;drie<br>vier<br><br><br><br>vijf </div>")
    assert common.block_text(tree.css_first("div")) == "een twee drie\nvier\n\nvijf"


def test_field_text_stops_at_a_swallowed_block():
    tree = LexborHTMLParser("<dl><dt>Plaats<dd>Zwolle <b>centrum</b><div>beschrijving</div></dl>")
    assert common.field_text(tree.css_first("dd")) == "Zwolle centrum"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Geplaatst op 02-06-2024 om 21:15", datetime(2024, 6, 2, 21, 15, tzinfo=AMS)),
        ("12 mei 2024", datetime(2024, 5, 12, tzinfo=AMS)),
        ("3 jan. 2024 om 20:10", datetime(2024, 1, 3, 20, 10, tzinfo=AMS)),
        ("2024-05-12T14:32:00+02:00", datetime(2024, 5, 12, 14, 32, tzinfo=AMS)),
        ("31-02-2024", None),
        ("gisteren", None),
        ("", None),
    ],
)
def test_parse_dutch_datetime(text, expected):
    assert common.parse_dutch_datetime(text) == expected


def test_winter_time_offset():
    assert common.parse_dutch_datetime("15-01-2024 12:00").utcoffset().total_seconds() == 3600


def test_registry_finds_adapters_by_name_and_url():
    assert adapters.SITE_NAMES == ("kinky", "sexjobs", "redlights")
    assert adapters.get_adapter("sexjobs").NAME == "sexjobs"
    with pytest.raises(KeyError, match="known: kinky, sexjobs, redlights"):
        adapters.get_adapter("kinky.nl")
    assert adapters.adapter_for_url("https://www.redlights.nl/escort/dames/x.html").NAME == "redlights"
    assert adapters.adapter_for_url("http://127.0.0.1:9/sexjobs/escort/?p=1").NAME == "sexjobs"
    assert adapters.adapter_for_url("https://example.org/kinkyish/") is None
    with pytest.raises(ParseError, match="no site adapter"):
        adapters.parse_page(b"<html></html>", "https://example.org/")


def test_every_adapter_has_the_full_surface_and_valid_selectors():
    tree = LexborHTMLParser("<html><body></body></html>")
    for name, adapter in adapters.ADAPTERS.items():
        assert name == adapter.NAME
        assert adapter.VERSION.startswith(name)
        assert adapter.BASE_URL.startswith("https://")
        for gate in adapter.GATES:
            assert set(gate) == {"gate", "url", "method", "data", "cookies", "marker"}
            assert gate["method"] in ("GET", "POST") and gate["url"].startswith("/") and gate["cookies"]
            assert tree.css_first(gate["marker"]) is None  # a valid selector
        for key, selector in adapter.SELECTORS.items():
            if not key.endswith("_attr"):
                tree.css(selector)  # raises on an invalid selector
        assert all(adapter.classify(u) == "listing" for u in adapter.listing_urls())
