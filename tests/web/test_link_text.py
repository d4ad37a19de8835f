"""The linking stage's English reasons and evidence, said again from their parts in Dutch and
English; what the module does not know is shown as stored."""

from __future__ import annotations

from zicht.web.i18n import gettext
from zicht.web.link_text import MAX_LISTED, LinkText


def texts(lang: str) -> LinkText:
    return LinkText(lambda message, **values: gettext(lang, message, **values))


def test_a_reason_is_translated_sentence_by_sentence_and_unknown_parts_stay() -> None:
    stored = "shared contact point, another name or age; name differs (eva / roos); something new"
    assert texts("nl").reason(stored) == (
        "gedeeld contactpunt, andere naam of leeftijd; naam verschilt (eva / roos); something new"
    )
    assert texts("en").reason(stored) == stored
    assert texts("nl").reason("") == ""


def test_channel_evidence_from_its_parts() -> None:
    nl, en = texts("nl"), texts("en")
    text = {"similarity": 0.834, "shared": 3, "summary": "same template (other name/age): ..."}
    assert nl.summary("template", False, text) == (
        "zelfde sjabloon (andere naam/leeftijd): gelijkenis 0.83, 3 zin(nen) gedeeld"
    )
    assert en.summary("text", True, text) == (
        "same text: similarity 0.83, 3 sentence(s) shared (boilerplate shared by very many ads: not used)"
    )
    photo = {"pairs": [[1, 2, 4], [3, 5, 0]], "hub_pairs": [[7, 8, 1]], "of": [2, 3]}
    assert en.summary("photo", False, photo) == (
        "2 matching photo pair(s); 2 and 3 photos (pHash distance 0, 4); 1 widely used photo(s) not counted"
    )
    move = {"route": [{"week": "2026-W41", "from": "GM0917", "to": "GM0935", "days": [1, 2]}]}
    assert nl.summary("move", False, move) == "1 keer samen verhuisd: Heerlen → Maastricht (week 2026-W41)"
    # a channel or shape this module does not know: the stored sentence
    assert nl.summary("photo", False, {"pairs": "odd", "summary": "as stored"}) == "as stored"
    assert nl.summary("newchannel", False, {"summary": "as stored"}) == "as stored"


def test_roles_and_persona_evidence_from_their_parts() -> None:
    nl = texts("nl")
    scam = {"personas": [5, 9, 12], "presumed_original": 3, "summary": "3 personas offer ..."}
    assert nl.role_summary("likely_scam", scam) == (
        "3 persona's bieden één identiteit aan onder losstaande nummers (vermoedelijk origineel: persona 3)"
    )
    assert nl.subject("likely_scam", "identity under 3 numbers", scam) == "identiteit onder 3 nummers"
    copied = {"identity_copied": {"copied_by": list(range(20)), "summary": "... under 31 other number(s)"}}
    assert (
        nl.persona_summary(copied) == "foto's/tekst van deze persona verschijnen onder 31 ander(e) nummer(s)"
    )
    many = {"personas": list(range(MAX_LISTED + 5)), "gemeenten": ["GM0917"], "summary": "x"}
    items = dict(nl.items(many))
    assert items["Persona’s"].endswith("en nog 5") and items["Gemeenten"] == "Heerlen"
