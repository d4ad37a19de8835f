"""The extras of the demo market (second numbers, number pairs, chat links, look-alike digits): each way of
writing a number well represented, second numbers never shared, look-alikes written and recorded."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from zicht.demo.market import generate_market
from zicht.demo.model import EXTRA_FORMAT_CLASSES, PAIR_CLASS, TELEGRAM_CLASS, WHATSAPP_CLASS, Market
from zicht.demo.truth import ad_truth_line, record_from_line
from zicht.extract.phone_formats import PHONE_FORMAT_CLASSES


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market()


def _text_occurrences(market: Market) -> Counter[str]:
    """Format classes of numbers in the text, once per (version, number) as the evaluation counts them."""
    out: Counter[str] = Counter()
    for ad in market.ads:
        for v in ad.truth.versions:
            seen = {}
            for p in v.phones:
                seen.setdefault((p.e164, p.where), p)
            out.update(p.format_class for p in seen.values() if p.where == "text")
    return out


def test_every_format_class_has_at_least_30_versions(market):
    counts = _text_occurrences(market)
    for cls in (*PHONE_FORMAT_CLASSES, *EXTRA_FORMAT_CLASSES):
        assert counts[cls] >= 30, (cls, counts[cls])


def test_second_numbers_belong_to_one_persona_and_several_numbers_are_written(market):
    owners: dict[str, set[str]] = defaultdict(set)
    for ad in market.ads:
        for p in ad.truth.phones:
            if p.e164.startswith("+3168"):
                owners[p.e164].add(ad.truth.persona_id)
    assert len(owners) > 100
    assert all(len(personas) == 1 for personas in owners.values())
    multi = sum(len({p.e164 for p in v.phones}) > 1 for ad in market.ads for v in ad.truth.versions)
    assert multi > 300


def test_pairs_are_two_numbers_one_space_apart_and_links_carry_the_number(market):
    pairs = links = 0
    for ad in market.ads:
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            pair = [p for p in t.phones if p.format_class == PAIR_CLASS]
            if pair:
                assert len(pair) == 2 and pair[0].e164 != pair[1].e164
                assert f"{pair[0].rendered} {pair[1].rendered}" in v.text
                pairs += 1
            for p in t.phones:
                if p.format_class in (WHATSAPP_CLASS, TELEGRAM_CLASS):
                    assert p.rendered in v.text and p.e164.lstrip("+") in p.rendered
                    assert ("wa.me" in p.rendered or "whatsapp.com" in p.rendered) == (
                        p.format_class == WHATSAPP_CLASS
                    )
                    links += 1
                    # the link is the number's only written form in the text: measured on its own
                    assert sum(q.e164 == p.e164 and q.where == "text" for q in t.phones) == 1
    assert pairs > 30 and links > 60


def test_lookalikes_are_in_the_text_recorded_and_survive_the_truth_file(market):
    kinds = Counter()
    for ad in market.ads:
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            for phrase in t.lookalikes:
                assert phrase in v.text
                assert re.search(r"\d", phrase)
                kinds[re.sub(r"\d", "9", phrase).split(" ")[0]] += 1
        rebuilt = record_from_line(ad_truth_line(ad, market.start))
        assert [v.lookalikes for v in rebuilt.truth.versions] == [v.lookalikes for v in ad.truth.versions]
    assert sum(kinds.values()) > 1000 and len(kinds) >= 8


def test_an_old_truth_line_without_lookalikes_still_reads(market):
    line = ad_truth_line(market.ads[0], market.start)
    for v in line["versions"]:
        del v["lookalikes"]
    assert all(v.lookalikes == [] for v in record_from_line(line).truth.versions)


def test_field_truth_matches_what_the_page_shows(market):
    from zicht.demo import vocab

    handle_owner: dict[str, str] = {}
    languages = handles = 0
    for ad in market.ads:
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            assert t.reception == vocab.RECEPTION_CODES[v.fields["reception"]]
            assert t.hours == v.fields["hours"]
            assert (t.origin is None) == ("origin" not in v.fields)
            checklist = {vocab.SERVICE_CODES[s] for s in v.services} - {None}
            assert checklist <= set(t.services)
            assert len(t.rates) == len(v.rates)
            for (minutes, price), written in zip(t.rates, v.rates, strict=True):
                said = {15: "15 min", 20: "20 min", 30: "30 min|half uur", 60: "1 uur|1 hour", 120: "2 uur"}
                assert str(price) in written and re.search(said[minutes], written), (minutes, price, written)
            for sentence, codes in vocab.BODY_LANGUAGES.items():
                if sentence in v.text:
                    assert set(codes) <= set(t.languages)
            languages += bool(t.languages)
            for h in t.handles:
                kind, value = h.split(":", 1)
                assert value in v.text and kind in {"snapchat", "instagram", "telegram"}
                assert handle_owner.setdefault(value, ad.truth.persona_id) == ad.truth.persona_id
                handles += 1
    assert languages > 500 and handles > 200
