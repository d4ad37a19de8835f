"""Service codes from the declared list and the text, with refusals left out."""

from __future__ import annotations

import pytest

from zicht.extract.services import DECLARED_ONLY, SERVICES, find_services


def test_vocabulary_is_sound():
    seen: dict[str, str] = {}
    for code, phrases in SERVICES.items():
        assert code == code.lower() and " " not in code
        assert phrases, code
        for phrase in phrases:
            assert phrase == phrase.lower(), phrase
            assert seen.setdefault(phrase, code) == code, f"{phrase!r} under {seen[phrase]} and {code}"
    assert not DECLARED_ONLY - set(seen) - {"69", "strip"}
    assert {"gv", "fo", "av", "pijpen_zonder", "zoenen", "massage", "sm", "duo", "escort"} <= set(SERVICES)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Ik bied GV, FO, zoenen en massage.", ["fo", "gv", "massage", "zoenen"]),
        ("GV/FO/AV", ["av", "fo", "gv"]),
        ("Pijpen zonder condoom en klaarkomen in mond", ["cim", "pijpen_zonder"]),
        ("pijpen-zonder", ["pijpen_zonder"]),
        ("Bareback mogelijk", ["gv_zonder"]),
        ("alles zonder condoom", ["zonder_condoom"]),
        ("BDSM, rollenspel en golden shower", ["golden_shower", "rollenspel", "sm"]),
        ("Trio met vriendin mogelijk", ["duo"]),
        ("Escort naar hotel", ["escort"]),
        ("Girlfriend experience, tongzoenen", ["gfe", "tongzoenen"]),
        ("Erotische massage met happy ending", ["massage"]),
        ("Anal and kissing, no rush", ["av", "zoenen"]),
        ("Strap-on en dildo's", ["dildo"]),
        ("Bij mij kan alles, geen grenzen!", ["no_limits"]),
        ("Samen douchen en knuffelen", ["douchen", "knuffelen"]),
        ("Extreem lief en zacht", []),  # "extreem" counts only in the service list
        ("See you soon. Kisses, Anna", []),  # a closing greeting, not the service
    ],
)
def test_services_in_text(text, codes):
    assert find_services(text, []) == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Geen anaal, wel zoenen", ["zoenen"]),
        ("Niet: AV, GV zonder of zoenen. Wel pijpen zonder.", ["pijpen_zonder"]),
        ("Zoenen: nee. Anaal: ja", ["av"]),
        ("Anaal ❌ Zoenen ✅", ["zoenen"]),
        ("no kissing, no anal", []),
        ("zoenen doe ik niet", []),
        ("altijd met condoom", []),
        ("nooit zonder condoom!", []),
        ("Alleen met condoom, geen uitzonderingen", []),
        ("geen haast, GFE", ["gfe"]),  # "geen" refuses haste, not GFE
        ("Geen tijdsdruk. Massage en zoenen", ["massage", "zoenen"]),
    ],
)
def test_refused_services_are_not_offered(text, codes):
    assert find_services(text, []) == codes


@pytest.mark.parametrize(
    "text",
    [
        "Ik spreek Frans en Engels",  # a language, not the service
        "Maat S/M, lengte 170",  # a clothing size
        "Mijn tarief is 69 euro",  # a price
        "Kussen op het bed",  # pillows
        "Hallo heren, welkom",
        "",
    ],
)
def test_words_that_count_only_in_the_service_list(text):
    assert find_services(text, []) == []


def test_declared_list():
    declared = [
        "Pijpen zonder condoom",
        "Anaal: Nee",
        "Zoenen",
        "69",
        "Kussen",
        "Frans",
        "S/M",
        "Iets onbekends",
    ]
    assert find_services("", declared) == ["69", "fo", "pijpen_zonder", "sm", "zoenen"]


def test_declared_and_text_together_sorted_without_repeats():
    assert find_services("GV en zoenen, zoenen!", ["GV", "Massage"]) == ["gv", "massage", "zoenen"]


@pytest.mark.parametrize("bad", [None, 12, ["x"], "\x00\x01", "🙂" * 10_000, "\u202eزونر"])
def test_bad_input(bad):
    assert find_services(bad, None) == []  # type: ignore[arg-type]
    assert find_services("", [None, 5, bad]) in ([], ["zoenen"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "text",
    [
        "geen anaal" + ", " * 200_000 + "zoenen",
        "gv" + "\t" * 200_000 + "nee",
        "zoenen " * 40_000,
        "a" * 500_000,
        "pijpen zonder " * 20_000,
    ],
)
def test_hostile_text_is_bounded(text):
    assert find_services(text, []) == find_services(text, [])
