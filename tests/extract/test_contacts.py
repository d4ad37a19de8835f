"""Contact points of all kinds, canonical values, first occurrence per (kind, value), in text order."""

from __future__ import annotations

import pytest
from time_budget import bounded

from zicht.extract.contacts import CONTACTS_VERSION, find_contacts
from zicht.extract.phones import PHONES_VERSION


def pairs(text: str, region: str = "NL") -> list[tuple[str, str]]:
    return [(c.kind, c.value) for c in find_contacts(text, region)]


def test_full_ad_in_text_order():
    text = (
        "Hoi! Bel 06-12345678 of app https://wa.me/31687654321?text=hoi.\n"
        "Mail: Anna.Lief@Gmail.com, Telegram: @Anna_Lief99, snap: anna.x, insta: @anna.lief."
    )
    assert pairs(text) == [
        ("phone", "+31612345678"),
        ("whatsapp", "+31687654321"),
        ("phone", "+31687654321"),
        ("email", "anna.lief@gmail.com"),
        ("telegram", "anna_lief99"),
        ("snapchat", "anna.x"),
        ("instagram", "anna.lief"),
    ]


def test_spans_point_into_the_text():
    text = "Mail anna@example.nl of t.me/sweetanna of bel O6-l2345678"
    for contact in find_contacts(text):
        assert contact.span is not None
        assert text[contact.span.start : contact.span.end] == contact.span.text
    kinds = {c.kind: c.span.text for c in find_contacts(text)}
    assert kinds == {"email": "anna@example.nl", "telegram": "t.me/sweetanna", "phone": "O6-l2345678"}


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://wa.me/31612345678", "+31612345678"),
        ("wa.me/+31612345678", "+31612345678"),
        ("http://wa.me/40712345678?text=hallo", "+40712345678"),
        ("https://api.whatsapp.com/send?phone=31612345678", "+31612345678"),
        ("https://api.whatsapp.com/send/?phone=%2B31612345678&text&type=phone_number", "+31612345678"),
        ("api.whatsapp.com/send?text=hoi&phone=573101234567", "+573101234567"),
        ("https://wa.me/0612345678", "+31612345678"),
    ],
)
def test_whatsapp_links_give_whatsapp_and_phone(link, expected):
    found = find_contacts(f"Stuur een bericht: {link} xx")
    assert [(c.kind, c.value, c.source) for c in found] == [
        ("whatsapp", expected, "link"),
        ("phone", expected, "link"),
    ]
    assert found[0].country == found[1].country is not None


def test_whatsapp_link_with_invalid_number_gives_nothing():
    assert pairs("https://wa.me/12345") == []


def test_phone_in_text_and_whatsapp_link_are_one_phone_contact():
    text = "Bel 06-12345678 of https://wa.me/31612345678"
    assert pairs(text) == [("phone", "+31612345678"), ("whatsapp", "+31612345678")]


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("t.me/SweetAnna", "sweetanna"),
        ("https://t.me/sweet_anna", "sweet_anna"),
        ("telegram.me/sweetanna", "sweetanna"),
        ("https://t.me/s/sweetanna", "sweetanna"),
        ("Telegram: @SweetAnna", "sweetanna"),
        ("telegram @sweetanna", "sweetanna"),
        ("tg: sweetanna", "sweetanna"),
    ],
)
def test_telegram(text, handle):
    assert pairs(f"Contact {text} !") == [("telegram", handle)]


@pytest.mark.parametrize("text", ["t.me/joinchat/AbCdEf", "t.me/+AbCdEfGh", "telegram is leuk", "t.me/abc"])
def test_telegram_non_handles(text):
    assert [k for k, _ in pairs(text)] == []


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("snap: anna.x", "anna.x"),
        ("Snapchat: @Anna_X", "anna_x"),
        ("snapchat - annax", "annax"),
        ("snapchat.com/add/AnnaXX", "annaxx"),
        ("https://www.snapchat.com/add/anna-x", "anna-x"),
        ("👻 ghostgirl", "ghostgirl"),
        ("👻: @ghostgirl", "ghostgirl"),
    ],
)
def test_snapchat(text, handle):
    assert pairs(f"Add me {text} xx") == [("snapchat", handle)]


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("instagram.com/anna_nl", "anna_nl"),
        ("https://www.instagram.com/Anna.NL/", "anna.nl"),
        ("insta: @anna.lief.", "anna.lief"),
        ("ig: lief_nl", "lief_nl"),
        ("IG @lief_nl", "lief_nl"),
        ("Instagram: anna", "anna"),
    ],
)
def test_instagram(text, handle):
    assert pairs(f"Volg me {text} xx") == [("instagram", handle)]


@pytest.mark.parametrize(
    "text",
    ["instagram.com/p/Cabc123", "instagram.com/reel/xyz", "ik hou van instagram", "snap je het?", "Snapchat"],
)
def test_social_non_handles(text):
    assert pairs(text) == []


@pytest.mark.parametrize(
    ("text", "email", "obscured"),
    [
        ("Anna.Lief@Gmail.COM", "anna.lief@gmail.com", False),
        ("info+ads@my-site.co.uk", "info+ads@my-site.co.uk", False),
        ("anna [at] hotmail [dot] com", "anna@hotmail.com", True),
        ("anna(at)hotmail.nl", "anna@hotmail.nl", True),
        ("anna@hotmail (punt) nl", "anna@hotmail.nl", True),
    ],
)
def test_emails(text, email, obscured):
    found = find_contacts(f"Mail: {text}.")
    assert [(c.kind, c.value, c.obscured) for c in found] == [("email", email, obscured)]


@pytest.mark.parametrize("text", ["@anna", "anna@", "anna@localhost", "a @ b", "prijs 100@uur"])
def test_non_emails(text):
    assert [k for k, _ in pairs(text)] == []


def test_phone_digits_inside_urls_and_emails_are_not_phones():
    text = "Zie https://example.nl/profiel/0201234567 en mail 0612345678@example.nl"
    assert pairs(text) == [("email", "0612345678@example.nl")]


def test_deduplicated_first_occurrence_kept():
    text = "Bel 06-12345678. Nogmaals: 06 12 34 56 78. Mail ANNA@x.nl of anna@X.nl"
    found = find_contacts(text)
    assert [(c.kind, c.value) for c in found] == [("phone", "+31612345678"), ("email", "anna@x.nl")]
    assert found[0].span.text == "06-12345678"
    assert found[1].span.text == "ANNA@x.nl"


def test_source_is_passed_to_free_text_contacts():
    found = find_contacts("06-12345678 snap: annax t.me/sweetanna", source="title")
    assert [(c.kind, c.source) for c in found] == [
        ("phone", "title"),
        ("snapchat", "title"),
        ("telegram", "link"),
    ]


def test_default_region_is_used_for_phones():
    assert pairs("Bel 0470 12 34 56", "BE") == [("phone", "+32470123456")]


def test_empty_text():
    assert find_contacts("") == []


@pytest.mark.parametrize(
    "flood",
    [
        "naam at gmail dot " * 30_000,
        "a at " * 50_000 + " dot " * 20_000,
        "x @ " * 50_000,
        "a . " * 100_000 + "@",
        ("a" * 63 + " dot ") * 3_000 + " at b",
        "telegram " * 50_000,
        "insta a_" * 40_000,
        "naam [@] gmail [.] " * 30_000,
        "wa.me/" * 50_000 + "3" * 50_000,
    ],
)
def test_hostile_floods_are_bounded(flood):
    found = bounded(find_contacts, flood + " bel 0612345678")
    assert ("phone", "+31612345678") in [(c.kind, c.value) for c in found]


def test_hostile_input_is_handled():
    text = "a@" * 50_000 + "x [at] " * 20_000 + "t.me/" * 20_000 + "https://" * 20_000 + " bel 0612345678"
    found = bounded(find_contacts, text)
    assert ("phone", "+31612345678") in [(c.kind, c.value) for c in found]
    assert len(found) <= 4  # one of each shape the garbage happens to form, deduplicated
    for contact in found:
        assert text[contact.span.start : contact.span.end] == contact.span.text


def test_versions_name_the_phone_extractor():
    assert PHONES_VERSION in CONTACTS_VERSION


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("naam@gmail .com", "naam@gmail.com"),
        ("naam @ gmail . com", "naam@gmail.com"),
        ("naam at gmail dot com", "naam@gmail.com"),
        ("naam [@] gmail [.] com", "naam@gmail.com"),
        ("naam apenstaartje gmail punt com", "naam@gmail.com"),
        ("naam{at}hotmail{punt}nl", "naam@hotmail.nl"),
    ],
)
def test_obscured_emails(text, email):
    found = find_contacts(f"Mail me: {text} of bel")
    assert [(c.kind, c.value, c.obscured) for c in found] == [("email", email, True)]
    assert found[0].span.text == text


@pytest.mark.parametrize(
    "text",
    [
        "look at gmail dot com",
        "meet me at the hotel dot com",
        "I am at home. Com later",
        "we are at example dot com today",
        "see you at school dot nl",
        "stay at home dot",
    ],
)
def test_at_and_dot_in_sentences_are_not_emails(text):
    assert pairs(text) == []


def test_a_sentence_after_an_address_is_not_part_of_it():
    assert pairs("anna@gmail.com. Bel me") == [("email", "anna@gmail.com")]


@pytest.mark.parametrize(
    ("text", "kind", "handle"),
    [
        ("telegram annalove", "telegram", "annalove"),
        ("snapchat annalove", "snapchat", "annalove"),
        ("insta annalove", "instagram", "annalove"),
        ("Instagram anna_love22 en meer", "instagram", "anna_love22"),
        ("telegram annalove, of bel", "telegram", "annalove"),
    ],
)
def test_handles_after_the_platform_name_without_a_colon(text, kind, handle):
    assert pairs(text) == [(kind, handle)]


@pytest.mark.parametrize(
    "text",
    ["snapchat kan ook", "ik zit op Instagram sinds 2020", "Telegram Messenger", "instagram onder annalove"],
)
def test_ordinary_words_after_a_platform_name_are_not_handles(text):
    assert pairs(text) == []


def test_a_number_written_out_wins_over_the_same_number_from_a_link() -> None:
    for text in (
        "App via wa.me/31612345678 of bel 06-12345678",
        "Bel 06-12345678 of app via wa.me/31612345678",
    ):
        phones = [c for c in find_contacts(text) if c.kind == "phone"]
        assert [(c.value, c.source) for c in phones] == [("+31612345678", "text")], text
        assert phones[0].span is not None and phones[0].span.text == "06-12345678"
    only_link = find_contacts("Stuur me een bericht: https://wa.me/31612345678")
    assert {(c.kind, c.source) for c in only_link} == {("whatsapp", "link"), ("phone", "link")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Telegram: https://t.me/+31612345678", {("telegram", "+31612345678"), ("phone", "+31612345678")}),
        ("t.me/+40712345678 (alleen berichten)", {("telegram", "+40712345678"), ("phone", "+40712345678")}),
        ("telegram.me/+31612345678", {("telegram", "+31612345678"), ("phone", "+31612345678")}),
        ("Groep: t.me/+AbC123dEfGh", set()),  # an invite link, not a number
        ("Telegram: https://t.me/annalove", {("telegram", "annalove")}),  # not "https" as a handle
        ("Snapchat: https://snapchat.com/add/anna_x", {("snapchat", "anna_x")}),
    ],
)
def test_telegram_number_links_and_labels_before_links(text: str, expected: set[tuple[str, str]]) -> None:
    found = find_contacts(text)
    assert {(c.kind, c.value) for c in found} == expected
    assert all(c.source == "link" for c in found)
