"""Place names → gemeente: hard cases from a fixture, every official name, and the cautions of free text."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from zicht import reference
from zicht.extract import places
from zicht.extract.places import find_place_in_text, place_key, resolve_place, resolve_place_verbose

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "places_hard_cases.yaml").read_text("utf-8"))


def _id(case: dict) -> str:
    return case["text"] or "<empty>"


def test_fixture_codes_exist():
    gemeenten = reference.gemeenten()
    for case in CASES["field"] + CASES["text"]:
        for code in [case.get("gemeente"), *case.get("candidates", []), *case.get("others", [])]:
            assert code is None or code in gemeenten, case


@pytest.mark.parametrize("case", CASES["field"], ids=_id)
def test_declared_location(case):
    resolution = resolve_place_verbose(case["text"])
    if "reason" in case:
        assert resolution.match is None
        assert resolution.reason == case["reason"]
        if "candidates" in case:
            assert sorted(resolution.candidates) == sorted(case["candidates"])
        return
    match = resolution.match
    assert match is not None, resolution
    assert match.gemeente_code == case["gemeente"]
    g = reference.gemeenten()[case["gemeente"]]
    assert (match.gemeente_name, match.province, match.police_unit) == (g.name, g.province, g.police_unit)
    if "how" in case:
        assert match.how == case["how"]
    if "others" in case:
        assert list(match.other_gemeenten) == case["others"]
    assert match.matched and match.matched in case["text"]


@pytest.mark.parametrize("case", CASES["text"], ids=_id)
def test_place_in_free_text(case):
    found = find_place_in_text(case["text"])
    assert (found[0].gemeente_code if found else None) == case["gemeente"]
    for m in found:
        assert case["text"][m.span.start : m.span.end] == m.matched == m.span.text


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


SPELLINGS = [
    lambda s: s,
    str.lower,
    str.upper,
    _strip_accents,
    lambda s: s.replace("-", " "),
    lambda s: s.replace(" ", "-"),
    lambda s: s.replace("'s-", "s "),
    lambda s: f"  {s}. ",
]


def _names_by_gemeente() -> dict[str, set[str]]:
    per_name: dict[str, set[str]] = {}
    for w in reference.woonplaatsen():
        per_name.setdefault(w.name, set()).add(w.gm_code)
    return per_name


# Official names that a declared location field reads as something else, by design: the country and
# the province, not the hamlet in Steenwijkerland or the village in Maashorst.
READ_AS_REGION = {"Nederland", "Zeeland"}


def test_every_unambiguous_woonplaats_in_common_spellings():
    """The demo market and real ads write official names with case, accent and hyphen variants."""
    ambiguous_by_alias = {
        place_key(a.alias) for a in reference.place_aliases() if a.kind == "suffix_stripped"
    }
    keys: dict[str, set[str]] = {}
    for w in reference.woonplaatsen():
        keys.setdefault(place_key(w.name), set()).add(w.name)
    wrong, checked = [], 0
    for name, codes in _names_by_gemeente().items():
        if len(codes) > 1 or place_key(name) in ambiguous_by_alias or name in READ_AS_REGION:
            continue
        (code,) = codes
        # "Kapel-Avezaath" (Buren) and "Kapel Avezaath" (Tiel) differ only in the hyphen: only the exact
        # spelling can tell them apart.
        spellings = SPELLINGS if len(keys[place_key(name)]) == 1 else SPELLINGS[:2]
        for spell in spellings:
            written = spell(name)
            checked += 1
            match = resolve_place(written)
            if match is None or match.gemeente_code != code:
                wrong.append((written, code, match and match.gemeente_code))
    assert checked > 18_000
    assert wrong == []


@pytest.mark.parametrize("name", sorted(READ_AS_REGION))
def test_country_and_province_names_are_not_read_as_villages(name):
    assert resolve_place(name) is None
    assert resolve_place(f"{name}, {'Steenwijkerland' if name == 'Nederland' else 'Maashorst'}") is not None


def test_every_gemeente_name_resolves_to_itself():
    for code, g in reference.gemeenten().items():
        match = resolve_place(g.name)
        assert match is not None and match.gemeente_code == code, g.name


def test_shared_names_are_unknown_or_the_namesake_gemeente():
    gemeenten = reference.gemeenten()
    for name, codes in _names_by_gemeente().items():
        if len(codes) < 2:
            continue
        resolution = resolve_place_verbose(name)
        if resolution.match is None:
            assert resolution.reason == "ambiguous"
            assert set(resolution.candidates) <= codes | _alias_codes(name)
            continue
        chosen = resolution.match.gemeente_code
        # Only the gemeente that carries the name itself ("Hoorn", "Noordwijk") may be chosen ...
        assert places._DISAMBIGUATOR_RE.sub("", gemeenten[chosen].name) == name, name
        # ... and the others are shown alongside.
        assert codes - {chosen} <= set(resolution.match.other_gemeenten), name


def _alias_codes(name: str) -> set[str]:
    return {a.gm_code for a in reference.place_aliases() if a.alias == name}


def test_a_hint_from_the_ad_settles_an_ambiguous_name():
    assert resolve_place("Nes") is None
    match = resolve_place("Nes", hint="Lekker uitwaaien op Ameland, ik ontvang in Nes.")
    assert match is not None and match.gemeente_code == "GM0060"
    assert resolve_place("Achterveld", hint="Ik woon in de provincie Utrecht").gemeente_code == "GM0327"
    # A hint never replaces a name that resolved on its own.
    assert resolve_place("Breda", hint="nieuw in Tilburg").gemeente_code == "GM0758"


def test_several_places_in_one_field_first_one_counts():
    resolution = resolve_place_verbose("Amsterdam / Haarlem / Zaandam")
    assert resolution.match.gemeente_code == "GM0363"
    assert [m.gemeente_code for m in resolution.also_named] == ["GM0392", "GM0479"]
    assert resolve_place_verbose("Nes / Leeuwarden").reason == "ambiguous"


@pytest.mark.parametrize(
    "word", ["Echt", "Heel", "Een", "Noorden", "Winkel", "Best", "Goes", "Monster", "Son"]
)
def test_ordinary_words_match_as_a_declared_location(word):
    assert resolve_place(word) is not None


@pytest.mark.parametrize("word", ["Echt", "Heel", "Een", "Noorden", "Hoek", "Enter", "America", "Zurich"])
def test_ordinary_words_never_match_in_free_text(word):
    assert find_place_in_text(f"{word} lekker, ik ben in {word} {word.lower()} of {word.upper()}") == []


@pytest.mark.parametrize(("word", "code"), [("Goes", "GM0664"), ("Best", "GM0753"), ("Monster", "GM1783")])
def test_towns_named_like_words_need_a_cue_and_a_capital_in_free_text(word, code):
    assert find_place_in_text(f"anything {word.lower()}, {word} is mooi, nu in {word.lower()}") == []
    found = find_place_in_text(f"Nieuw in {word}!")
    assert [m.gemeente_code for m in found] == [code]


def test_free_text_needs_a_cue_or_a_capitalised_name():
    assert find_place_in_text("nieuw in breda") != []  # cue
    assert find_place_in_text("Groeten uit Zwolle") != []  # capitalised, long enough
    assert find_place_in_text("zwolle") != []  # a gemeente name, written small
    assert find_place_in_text("even naar sneek") != []  # cue
    assert find_place_in_text("lekker sneek") == []  # small, no cue, and no gemeente's name
    assert find_place_in_text("lekker Ede") == []  # short names need a cue
    assert find_place_in_text("in Ede") != []


def test_free_text_returns_each_gemeente_once_in_order():
    found = find_place_in_text("Sittard, Geleen en Born; daarna in Heerlen en weer in Sittard.")
    assert [m.gemeente_code for m in found] == ["GM1883", "GM0917"]
    assert found[0].matched == "Sittard"


def test_spans_are_true_offsets_in_text_with_accents_and_emoji():
    text = "😍😍 Privé-ontvangst — nieuw in Súdwest-Fryslân & regio Sneek! ✨"
    found = find_place_in_text(text)
    assert [m.gemeente_code for m in found] == ["GM1900"]
    m = found[0]
    assert text[m.span.start : m.span.end] == "Súdwest-Fryslân" == m.matched


def test_letters_that_grow_when_lowered_keep_offsets_true():
    text = "İSTANBUL dame, NU IN AMSTERDAM"
    (m,) = find_place_in_text(text)
    assert (m.gemeente_code, m.matched, text[m.span.start : m.span.end]) == (
        "GM0363",
        "AMSTERDAM",
        "AMSTERDAM",
    )


@pytest.mark.parametrize(
    "bad", [None, "", " ", 12345, b"Amsterdam", ["Amsterdam"], "\x00\x01\x02", "\u202eمرحبا", "🙂" * 1000]
)
def test_bad_input_gives_an_explicit_unknown(bad):
    assert resolve_place(bad) is None  # type: ignore[arg-type]
    assert resolve_place_verbose(bad).reason in ("empty", "unknown")  # type: ignore[arg-type]
    assert find_place_in_text(bad) == []  # type: ignore[arg-type]


def test_long_and_hostile_text_is_bounded():
    text = ("in Amsterdam in Breda de den 's st. " * 30_000) + "in Maastricht"
    found = find_place_in_text(text)
    assert [m.gemeente_code for m in found][:2] == ["GM0363", "GM0758"]
    assert resolve_place_verbose("Amsterdam " * 10_000).match.gemeente_code == "GM0363"


def test_deterministic():
    text = "Nieuw in Den Bosch e.o., ook Tilburg en regio Breda."
    assert find_place_in_text(text) == find_place_in_text(text)
    assert resolve_place_verbose("Hoorn") == resolve_place_verbose("Hoorn")


def test_place_key_folds_what_does_not_matter():
    assert place_key("'s-Hertogenbosch") == place_key("s Hertogenbosch") == "s hertogenbosch"
    assert place_key("Súdwest-Fryslân") == "sudwest fryslan"
    assert place_key("St.-Annaparochie") == place_key("Sint Annaparochie")


def test_unsettled_names_in_free_text_are_returned_with_their_candidates():
    found, ambiguous = places.find_places_in_text_verbose("Nieuw in Nes! Ook in Breda.")
    assert [m.gemeente_code for m in found] == ["GM0758"]
    assert [(a.written, a.candidates) for a in ambiguous] == [("Nes", ("GM0060", "GM0074", "GM1970"))]
    assert places.find_place_in_text("Nieuw in Nes! Ook in Breda.") == found


def test_how_an_ambiguous_name_was_chosen():
    beek = places.resolve_place("Beek")
    assert (beek.gemeente_code, beek.chosen_by) == ("GM0888", places.CHOSEN_BY_NAMESAKE)
    breda = places.resolve_place("Breda")
    assert (breda.other_gemeenten, breda.chosen_by) == ((), None)
    nes = places.resolve_place("Nes", hint="op Ameland")
    assert (nes.gemeente_code, nes.chosen_by) == ("GM0060", places.CHOSEN_BY_HINT)
