"""Rates: a price with its duration and setting, only where the ad clearly states one."""

from __future__ import annotations

import pytest

from zicht.extract.rates import parse_rates


def _plain(rates: list[dict]) -> list[tuple]:
    return [(r["minutes"], r["price_eur"], r["setting"], r.get("period")) for r in rates]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 min €100", [(30, 100, None, None)]),
        ("1 uur: 150,-", [(60, 150, None, None)]),
        ("half uur 80 euro", [(30, 80, None, None)]),
        ("€ 1.250 nacht", [(None, 1250, None, "night")]),
        ("escort 1 uur 200", [(60, 200, "outcall", None)]),
        ("kwartier 50€", [(15, 50, None, None)]),
        ("1,5 uur €220", [(90, 220, None, None)]),
        ("anderhalf uur 220 euro", [(90, 220, None, None)]),
        ("€99,50 per uur", [(60, 100, None, None)]),
        ("1u 150", [(60, 150, None, None)]),
        ("2 uur: EUR 300", [(120, 300, None, None)]),
        ("€100 per half uur, €150 per uur", [(30, 100, None, None), (60, 150, None, None)]),
        ("30m 100 | 60m 160", [(30, 100, None, None), (60, 160, None, None)]),
        ("Privé ontvangst: 30 min 90 euro", [(30, 90, "incall", None)]),
    ],
)
def test_rates_in_text(text, expected):
    rates = parse_rates([], text)
    assert _plain(rates) == expected
    for r in rates:  # the span alone says the same rate
        start, end = r["span"]
        again = parse_rates([], text[start:end])
        assert [(x["minutes"], x["price_eur"]) for x in again] == [(r["minutes"], r["price_eur"])]


def test_a_header_line_sets_the_setting_of_the_lines_below():
    text = "Privé:\n15 min 50\n30 min 80\n1 uur 150\n\nEscort:\n1 uur 200\n2 uur 350"
    assert _plain(parse_rates([], text)) == [
        (15, 50, "incall", None),
        (30, 80, "incall", None),
        (60, 150, "incall", None),
        (60, 200, "outcall", None),
        (120, 350, "outcall", None),
    ]


def test_spans_point_at_the_rate():
    text = "Hoi! Tarieven: 30 min €100, 1 uur €150."
    spans = [text[s:e] for s, e in (r["span"] for r in parse_rates([], text))]
    assert spans == ["30 min €100", "1 uur €150"]


@pytest.mark.parametrize(
    "text",
    [
        "ik ben 24 uur 7 dagen bereikbaar",
        "bel 0612345678",
        "bel 06 12 34 56 78",
        "van 10:00 tot 22:00 uur",
        "Ik ben 23 jaar en alles kost 100 euro",  # a price without a duration: not a rate in free text
        "€50 extra voor anaal",
        "Ik ben 170 cm, 60 kg en 23 jaar",
        "30 minuten van Utrecht",
        "",
    ],
)
def test_no_rate(text):
    assert parse_rates([], text) == []


def test_declared_rate_list():
    declared = ["30 min: 100", "1 uur: 150", "Escort 1 uur: 200", "Nacht: 1000", "200", "", "onbekend"]
    assert _plain(parse_rates(declared, "")) == [
        (30, 100, None, None),
        (60, 150, None, None),
        (60, 200, "outcall", None),
        (None, 1000, None, "night"),
        (None, 200, None, None),
    ]
    assert all(r["span"] is None for r in parse_rates(declared, ""))


def test_same_rate_declared_and_in_text_is_listed_once_declared_first():
    rates = parse_rates(["30 min: 100"], "30 min €100, 1 uur €150")
    assert _plain(rates) == [(30, 100, None, None), (60, 150, None, None)]
    assert rates[0]["span"] is None and rates[1]["span"] is not None


@pytest.mark.parametrize("bad", [None, 123, "\x00\x01", "🙂" * 10_000, "\u202e٣٠ دقيقة"])
def test_bad_input(bad):
    assert parse_rates(bad if isinstance(bad, list) else None, bad) == []  # type: ignore[arg-type]
    assert parse_rates([None, 5], None) == []  # type: ignore[list-item]


@pytest.mark.parametrize(
    "text",
    [
        "30 min €100 " * 20_000,
        "1." + "000." * 50_000 + "x",
        "1" + " " * 200_000 + "uur",
        "€" * 200_000,
        "1" * 300_000,
    ],
)
def test_hostile_text_is_bounded(text):
    rates = parse_rates([], text)
    assert len(rates) <= 50
    assert rates == parse_rates([], text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 min 80 / 60 min 150 / nacht 1000", [(30, 80, None), (60, 150, None), (None, 1000, "night")]),
        ("30 min 80 / 60 min 150", [(30, 80, None), (60, 150, None)]),
        ("150 euro p/u", [(60, 150, None)]),
        ("€ 150,- p.u.", [(60, 150, None)]),
        ("150 p/u", [(60, 150, None)]),
        ("100 voor 30 min", [(30, 100, None)]),
    ],
)
def test_more_rate_shapes(text, expected):
    assert [(r["minutes"], r["price_eur"], r.get("period")) for r in parse_rates([], text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "ben 24/7 beschikbaar, ook 24 / 7 in het weekend",  # no price, whatever the slashes
        "bel 0612345678 p/u",  # a phone number is no price
        "nr 12 voor 30 min",  # below the bare-price floor
    ],
)
def test_no_rate_in_slashes_or_phone_numbers(text):
    assert parse_rates([], text) == []


def test_a_setting_after_the_rates_is_theirs():
    (rate,) = parse_rates([], "2 uur 250 (thuisontvangst)")
    assert (rate["minutes"], rate["price_eur"], rate["setting"]) == (120, 250, "incall")
    before_and_after = parse_rates([], "Privé: 1 uur 150 Escort: 1 uur 200")
    assert [r["setting"] for r in before_and_after] == ["incall", "outcall"]
