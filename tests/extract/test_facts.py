"""The orchestrator: every fact of an ad, never an exception, and a JSON form that reads back the same."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zicht.extract import ages, facts, places, profile, rates, services
from zicht.extract.facts import (
    EXTRACTOR_VERSION,
    MAX_TEXT_CHARS,
    extract_facts,
    facts_from_json,
    facts_to_json,
)
from zicht.extract.types import Facts, FieldError

AD_TEXT = (
    "Hoi, ik ben Mila, 25 jaar. Bel 06-12345678 of whatsapp. GV, zoenen, geen anaal. "
    "30 min €100, 1 uur 150,-. 24/7 beschikbaar. Ik spreek Engels en Spaans. Mooie Roemeense dame. "
    "Privé ontvangst in een schoon appartement."
)


def _extract(**kw) -> Facts:
    args = {
        "title": "Mila (23) nieuw in Den Haag",
        "text": AD_TEXT,
        "fields": {"age": "23", "location": "Den Haag"},
        "services": ["Pijpen zonder condoom"],
        "rates": ["30 min: 100"],
        "phone": "0612345678",
        "url": "https://www.kinky.nl/prive-ontvangst/1",
    }
    args.update(kw)
    return extract_facts(**args)


def test_a_whole_ad():
    f = _extract()
    assert f.errors == []
    assert [(c.kind, c.value, c.source) for c in f.contacts] == [
        ("phone", "+31612345678", "field"),
        ("phone", "+31612345678", "text"),
    ]
    assert f.contacts[0].country == "NL"
    assert (f.age, f.age_declared, f.age_text, f.age_conflict) == (23, 23, 25, True)
    assert (f.gemeente_code, f.gemeente_name, f.province, f.police_unit) == (
        "GM0518",
        "'s-Gravenhage",
        "Zuid-Holland",
        "Den Haag",
    )
    assert f.place == "'s-Gravenhage"
    assert f.services == ["gv", "pijpen_zonder", "zoenen"]
    assert [(r["minutes"], r["price_eur"]) for r in f.rates] == [(30, 100), (60, 150)]
    assert f.available_247 is True
    assert f.languages == ["en", "es"]
    assert f.origin == "RO"
    assert f.reception == "prive_ontvangst"


def test_text_spans_are_offsets_in_the_text():
    f = _extract()
    text_phone = f.contacts[1]
    assert AD_TEXT[text_phone.span.start : text_phone.span.end] == "06-12345678"
    start, end = f.rates[1]["span"]
    assert AD_TEXT[start:end] == "1 uur 150,-"


@pytest.mark.parametrize(
    ("declared", "text", "age", "conflict"),
    [
        ("23", "ik ben 24 jaar", 23, False),  # a birthday apart is no conflict
        ("23", "ik ben 25 jaar", 23, True),
        ("23", "", 23, False),
        (None, "ik ben 31 jaar", 31, False),
        ("", "ik ben 31 jaar", 31, False),
    ],
)
def test_age_declared_against_text(declared, text, age, conflict):
    f = _extract(text=text, title="", fields={"age": declared} if declared is not None else {})
    assert (f.age, f.age_conflict) == (age, conflict)
    assert not [e for e in f.errors if e.field == "age"]


def test_a_contradiction_later_in_the_ad_still_counts():
    f = _extract(
        title="Jolie 25 jaar", text="Leeftijd: 21 jaar. Een lieve meid van 25 jaar.", fields={"age": "25"}
    )
    assert (f.age, f.age_declared, f.age_text, f.age_conflict) == (25, 25, 21, True)


def test_an_unreadable_declared_age_is_an_error_and_the_text_still_counts():
    f = _extract(text="Ik ben 27 jaar", title="", fields={"age": "18-25"})
    assert (f.age, f.age_declared, f.age_text) == (27, None, 27)
    assert [e.field for e in f.errors] == ["age"]


def test_place_from_the_text_when_nothing_is_declared():
    f = _extract(fields={}, title="Nieuw in Breda!", text="Bel me.")
    assert (f.gemeente_code, f.place) == ("GM0758", "Breda")
    assert f.errors == []


def test_an_ambiguous_declared_place_is_settled_by_the_ad_or_stays_unknown():
    settled = _extract(fields={"location": "Nes"}, title="", text="Lekker uitwaaien op Ameland.")
    assert settled.gemeente_code == "GM0060"
    unknown = _extract(fields={"location": "Nes"}, title="", text="Nieuw in Amsterdam.")
    assert unknown.gemeente_code is None and unknown.place is None
    (error,) = [e for e in unknown.errors if e.field == "location"]
    assert error.reason.startswith("ambiguous") and "GM0060" in error.reason


def test_a_declared_province_lets_the_text_name_the_gemeente_in_it():
    inside = _extract(fields={"location": "Limburg"}, title="", text="Nieuw in Heerlen.")
    assert inside.gemeente_code == "GM0917"
    assert [e.reason.split(":")[0] for e in inside.errors] == ["province_only"]
    outside = _extract(fields={"location": "Limburg"}, title="", text="Nieuw in Breda.")
    assert outside.gemeente_code is None


def test_an_unknown_declared_place_falls_back_on_the_text():
    f = _extract(fields={"location": "Thuis"}, title="", text="ik ontvang in Zwolle")
    assert f.gemeente_code == "GM0193"
    assert [e.field for e in f.errors] == ["location"]


def test_a_declared_phone_that_is_no_number_is_an_error():
    f = _extract(phone="bel mij maar", text="", title="")
    assert f.contacts == []
    assert [e.field for e in f.errors] == ["phone"]


def test_declared_origin_outside_the_vocabulary_is_reported():
    f = _extract(fields={"origin": "Marsmannetje"})
    assert f.origin is None
    assert [e.field for e in f.errors] == ["origin"]


BAD = [
    {},
    {
        "title": None,
        "text": None,
        "fields": None,
        "services": None,
        "rates": None,
        "phone": None,
        "url": None,
    },
    {"title": 5, "text": 7.5, "fields": ["not", "a", "dict"], "services": "gv", "rates": 5, "phone": 12345},
    {"fields": {"age": 23, "location": None, 5: "x", "hours": ["x"]}, "services": [None, 3, "GV"]},
    {"text": "\x00\x01\x02\x1b[31m" * 1000, "title": "\x7f\x9f"},
    {"text": "\u202e" + "مرحبا بكم في أمستردام " * 200, "title": "\u200f\u200e"},
    {"text": "Привет 你好 Ámsterdam こんにちは 🙂 Den Haag ☎️ ０６-１２３４５６７８", "title": "混合"},
    {"text": "😀🔥💋" * 30_000, "title": "🍑" * 500},
    {"default_region": "not a region"},
    {"default_region": None},
    {"url": "http://[::1"},
]


@pytest.mark.parametrize("kw", BAD)
def test_bad_input_never_raises(kw):
    f = _extract(**kw)
    assert isinstance(f, Facts)
    assert facts_from_json(json.loads(json.dumps(facts_to_json(f)))) == f


def test_megabytes_of_text_are_cut_and_said_so():
    text = ("Nieuw in Breda, 23 jaar, 30 min €100, zoenen. " * 40_000)[: 3 * 1024 * 1024]
    f = _extract(text=text, fields={}, title="")
    assert f.gemeente_code == "GM0758" and f.age == 23
    assert [e.field for e in f.errors] == ["text"]
    assert str(MAX_TEXT_CHARS) in f.errors[0].reason


def test_an_extractor_that_fails_becomes_a_field_error(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(services, "find_services", broken)
    f = _extract()
    assert f.services == []
    assert FieldError("services", "extractor failed: ValueError") in f.errors
    assert f.gemeente_code == "GM0518"  # the rest of the ad is still read


def test_json_round_trip_keeps_everything():
    f = _extract()
    stored = json.loads(json.dumps(facts_to_json(f)))
    assert facts_from_json(stored) == f
    assert stored["contacts"][1]["span"] == {"start": 31, "end": 42, "text": "06-12345678"}


def test_stored_facts_of_another_version_still_load():
    old = {"age": 30, "contacts": [{"kind": "email", "value": "a@b.nl"}], "unknown_key": 1}
    f = facts_from_json(old)
    assert f.age == 30 and f.contacts[0].source == "text" and f.contacts[0].span is None
    assert facts_from_json({}) == Facts()


def test_deterministic():
    assert facts_to_json(_extract()) == facts_to_json(_extract())


def test_version_names_every_extractor():
    for version in (
        ages.AGES_VERSION,
        places.PLACES_VERSION,
        services.SERVICES_VERSION,
        rates.RATES_VERSION,
        profile.PROFILE_VERSION,
    ):
        assert version in EXTRACTOR_VERSION
    assert "contacts" in EXTRACTOR_VERSION and "phones" in EXTRACTOR_VERSION
    assert facts.reference.REFERENCE_VERSION in EXTRACTOR_VERSION


def test_extract_imports_nothing_from_store_or_web():
    code = (
        "import sys, zicht.extract.facts; "
        "print(sorted(m for m in sys.modules if m.startswith(('zicht.store', 'zicht.web'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(max_size=80),
    text=st.text(max_size=400),
    fields=st.dictionaries(
        st.sampled_from(["age", "location", "origin", "reception", "hours", "languages"]),
        st.text(max_size=30),
    ),
    declared=st.lists(st.text(max_size=30), max_size=4),
    phone=st.one_of(st.none(), st.text(max_size=20)),
)
def test_any_input_reads_without_raising_and_round_trips(title, text, fields, declared, phone):
    f = extract_facts(title, text, fields, declared, declared, phone, "https://example.nl/ad/1")
    assert facts_from_json(json.loads(json.dumps(facts_to_json(f)))) == f
    assert f.age is None or 18 <= f.age <= 79
    assert f.gemeente_code is None or f.gemeente_code in facts.reference.gemeenten()
    assert facts_to_json(f) == facts_to_json(
        extract_facts(title, text, fields, declared, declared, phone, "https://example.nl/ad/1")
    )


# --- ages: under 18 kept, client ages not the advertiser's -------------------------------------------


def test_an_age_under_18_in_the_text_is_kept_and_flagged():
    f = _extract(title="Anna", text="Hoi, ik ben Anna, 17 jaar.", fields={})
    assert (f.age, f.age_text, f.age_below_18) == (17, 17, True)
    assert not [e for e in f.errors if e.field == "age"]
    assert facts_from_json(facts_to_json(f)).age_below_18 is True


def test_a_declared_age_under_18_is_kept_and_flagged():
    f = _extract(title="Anna", text="Nieuw!", fields={"age": "17"})
    assert (f.age, f.age_declared, f.age_below_18) == (17, 17, True)
    assert not [e for e in f.errors if e.field == "age"]


def test_an_adult_declared_age_with_a_young_text_age_is_flagged_and_a_conflict():
    f = _extract(title="Anna", text="ik ben 16 jaar", fields={"age": "21"})
    assert (f.age, f.age_text, f.age_conflict, f.age_below_18) == (21, 16, True, True)


def test_adult_and_experience_ages_are_not_flagged():
    f = _extract(title="Anna", text="Ik ben 23 jaar, 17 jaar ervaring.", fields={})
    assert (f.age, f.age_below_18) == (23, False)


def test_a_declared_age_below_12_is_an_error():
    f = _extract(title="", text="", fields={"age": "9"})
    assert f.age is None and not f.age_below_18
    (error,) = [e for e in f.errors if e.field == "age"]
    assert "12 to 79" in error.reason


@pytest.mark.parametrize(
    "text",
    [
        "Lieve meid. Heren vanaf 40 jaar welkom",
        "Ik ontvang alleen heren tot 60 jaar",
        "klanten boven de 40 jaar",
        "min leeftijd klant 25 jaar",
        "Heren van 30 tot 60 jaar",
        "men over 40 welcome",
        "clients 30+",
    ],
)
def test_client_ages_make_no_conflict(text):
    f = _extract(title="Anna 23", text=text, fields={"age": "23"})
    assert (f.age, f.age_text, f.age_conflict) == (23, None, False)


def test_declared_age_with_jaar_oud_is_read():
    f = _extract(title="", text="", fields={"age": "23 jaar oud"})
    assert f.age_declared == 23 and not f.errors


# --- ambiguous places: the other gemeenten are kept ------------------------------------------------


def test_a_declared_place_of_several_gemeenten_keeps_the_others():
    f = _extract(fields={"location": "Beek"}, title="", text="Bel me.")
    assert f.gemeente_code == "GM0888" and f.place_ambiguous and f.place_chosen_by == "namesake"
    assert [a["gemeente_code"] for a in f.place_alternatives] == ["GM1945", "GM1955"]
    assert all(a["gemeente_name"] for a in f.place_alternatives)
    back = facts_from_json(json.loads(json.dumps(facts_to_json(f))))
    assert back.place_alternatives == f.place_alternatives and back.place_chosen_by == "namesake"


def test_an_ambiguous_place_in_the_text_keeps_the_others():
    f = _extract(fields={}, title="", text="Nieuw in Hengelo!")
    assert f.gemeente_code == "GM0164" and f.place_ambiguous and f.place_chosen_by == "namesake"
    assert [a["gemeente_code"] for a in f.place_alternatives] == ["GM1876"]


def test_an_unsettled_place_in_the_text_says_why():
    f = _extract(fields={}, title="", text="Nieuw in Nes!")
    assert f.gemeente_code is None and f.place_ambiguous and f.place_chosen_by is None
    assert [a["gemeente_code"] for a in f.place_alternatives] == ["GM0060", "GM0074", "GM1970"]
    (error,) = [e for e in f.errors if e.field == "location"]
    assert error.reason.startswith("ambiguous (GM0060") and "'Nes' in the text" in error.reason


def test_an_unsettled_declared_place_keeps_the_candidates():
    f = _extract(fields={"location": "Nes"}, title="", text="Bel me.")
    assert f.gemeente_code is None and f.place_ambiguous
    assert [a["gemeente_code"] for a in f.place_alternatives] == ["GM0060", "GM0074", "GM1970"]


def test_a_place_of_one_gemeente_is_not_ambiguous():
    f = _extract(fields={"location": "Breda"}, title="", text="Bel me.")
    assert (f.gemeente_code, f.place_ambiguous, f.place_alternatives, f.place_chosen_by) == (
        "GM0758",
        False,
        [],
        None,
    )


def test_a_place_settled_by_the_ad_says_so():
    f = _extract(fields={"location": "Nes"}, title="", text="Lekker uitwaaien op Ameland.")
    assert f.gemeente_code == "GM0060" and f.place_chosen_by == "hint"
    assert {a["gemeente_code"] for a in f.place_alternatives} == {"GM0074", "GM1970"}


# --- declared fields that cannot be read are per-ad errors ---------------------------------------------


@pytest.mark.parametrize(
    ("kw", "field", "reason"),
    [
        ({"fields": {"hours": "zzz"}}, "hours", "no hours, days or times recognised: 'zzz'"),
        ({"fields": {"languages": "klingon"}}, "languages", "no language recognised: 'klingon'"),
        (
            {"fields": {"reception": "ruimteschip"}},
            "reception",
            "not a known kind of reception: 'ruimteschip'",
        ),
        ({"rates": ["heel duur"]}, "rates", "no price recognised: 'heel duur'"),
        ({"rates": ["1 uur"]}, "rates", "no price recognised: '1 uur'"),
    ],
)
def test_an_unreadable_declared_field_is_an_error(kw, field, reason):
    args = {"title": "", "text": "", "fields": {}, "rates": [], "services": [], "phone": None, "url": ""}
    f = _extract(**(args | kw))
    assert [(e.field, e.reason) for e in f.errors] == [(field, reason)]
    assert f.hours is None and f.languages == [] and f.reception is None and f.rates == []


def test_readable_declared_fields_give_no_error():
    f = _extract(
        title="",
        text="",
        fields={"hours": "ma t/m vr 10:00 - 22:00", "languages": "Nederlands, Engels", "reception": "escort"},
        rates=["heel duur", "1 uur: 150"],
        phone=None,
    )
    assert f.hours == "ma t/m vr 10:00 - 22:00" and f.languages == ["en", "nl"] and f.reception == "escort"
    assert [r["price_eur"] for r in f.rates] == [150]
    assert [(e.field, e.reason) for e in f.errors] == [("rates", "no price recognised: 'heel duur'")]


def test_every_number_in_the_declared_phone_field_is_kept():
    f = _extract(title="", text="", phone="+31 6 12345678 / 06 87654321")
    assert [(c.value, c.source) for c in f.contacts] == [("+31612345678", "field"), ("+31687654321", "field")]
    assert not [e for e in f.errors if e.field == "phone"]
