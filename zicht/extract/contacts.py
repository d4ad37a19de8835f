"""All contact points of an ad: phones, e-mail addresses and messenger handles.

These are what link ads to one advertiser, so values are canonical (E.164, lower-case handles) and each
keeps the span it came from. Contacts read from a URL (wa.me, t.me, instagram.com ...) get source "link".
All patterns use bounded quantifiers only, so hostile input cannot make them backtrack for long; each starts
with a lookahead for its first character, which lets the regex engine skip ahead quickly.
"""

from __future__ import annotations

import re

import phonenumbers

from zicht.extract.phones import PHONES_VERSION, find_phones
from zicht.extract.types import Contact, Span

CONTACTS_VERSION = f"contacts-1.3+{PHONES_VERSION}"

# "@" or "at" in brackets, "@" with spaces around it; "." or "dot"/"punt" in brackets, "." with space
# before it ("naam@gmail .com", "naam @ gmail . com"). A space only after a dot is a sentence ending
# ("anna@gmail.com. Bel ...") and ends the address.
_AT = r"(?:[ \t]{0,3}@[ \t]{0,3}|[ \t]{0,3}[\[\(\{<][ \t]{0,2}(?:at|@|apenstaartje)[ \t]{0,2}[\]\)\}>][ \t]{0,3})"
_DOT = (
    r"(?:\.|[ \t]{1,3}\.[ \t]{0,3}"
    r"|[ \t]{0,3}[\[\(\{<][ \t]{0,2}(?:dot|punt|\.)[ \t]{0,2}[\]\)\}>][ \t]{0,3})"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LOCAL = r"(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]{0,63})"
_EMAIL = re.compile(
    rf"(?=[A-Za-z0-9])(?<![\w.%+-]){_LOCAL}{_AT}"
    rf"(?P<domain>(?:{_LABEL}{_DOT}){{1,6}}[A-Za-z]{{2,24}})(?![\w-])",
    re.IGNORECASE,
)
# Everything in words: "naam at gmail dot com", "naam apenstaartje gmail punt nl". "at" is a common
# English word, so this form needs the dot as a word too, a known top-level domain and a local part that
# is not an ordinary word ("look at gmail dot com" is no address).
_MAIL_TLDS = (
    "com|nl|net|org|be|de|eu|info|fr|es|it|ro|pl|bg|hu|cz|ua|ru|co|uk|io|me|biz|online|live|email|mail"
)
_EMAIL_WORDS = re.compile(
    rf"(?i)(?=[A-Za-z0-9])(?<![\w.%+-]){_LOCAL}[ \t]{{1,3}}(?:at|apenstaartje)[ \t]{{1,3}}"
    rf"(?P<domain>(?:{_LABEL}[ \t]{{1,3}}(?:dot|punt)[ \t]{{1,3}}){{1,4}}(?:{_MAIL_TLDS}))(?![\w-])"
)
_NOT_LOCAL_PARTS = frozenset(
    [
        "i",
        "me",
        "you",
        "we",
        "us",
        "they",
        "him",
        "her",
        "them",
        "it",
        "is",
        "am",
        "are",
        "be",
        "was",
        "were",
        "look",
        "looking",
        "meet",
        "see",
        "stay",
        "staying",
        "arrive",
        "call",
        "text",
        "mail",
        "email",
        "here",
        "there",
        "home",
        "work",
        "working",
        "live",
        "living",
        "available",
        "only",
        "and",
        "or",
        "not",
        "me",
        "ik",
        "jij",
        "je",
        "wij",
        "we",
        "zij",
        "hij",
        "haar",
        "hem",
        "mij",
        "ons",
    ]
)
_DOT_WORD = re.compile(rf"{_DOT}|[ \t]{{1,3}}(?:dot|punt)[ \t]{{1,3}}", re.IGNORECASE)

_URL = re.compile(r"(?i)(?=[hw])(?:https?://|www\.)[^\s<>\"']{1,2000}")
_WHATSAPP = re.compile(
    r"(?i)(?=[hwa])(?<![\w.])(?:https?://)?(?:www\.)?"
    r"(?:wa\.me/|(?:api\.|web\.)?whatsapp\.com/send/?\?(?:[^\s#&]{0,200}&){0,5}phone=)"
    r"(?:%2B|\+)?(?P<number>[0-9]{6,16})"
)
_TELEGRAM_PHONE = re.compile(  # t.me/+<number> opens a chat with that number (letters: an invite link)
    r"(?i)(?=[ht])(?<![\w.])(?:https?://)?(?:www\.)?(?:t|telegram)\.me/\+(?P<number>[0-9]{6,16})(?![\w])"
)
_TELEGRAM_URL = re.compile(
    r"(?i)(?=[htw])(?<![\w.])(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?@?"
    r"(?!joinchat\b|addstickers\b|share\b|proxy\b)(?P<handle>[A-Za-z][A-Za-z0-9_]{4,31})(?![\w])"
)
_TELEGRAM_LABEL = re.compile(
    r"(?i)(?=t)(?<![\w])(?:telegram|tg)[ \t]{0,3}(?:[:=\-\u2013][ \t]{0,3}@?|@)(?P<handle>[A-Za-z][A-Za-z0-9_]{4,31})(?![\w])"
)
_SNAPCHAT_URL = re.compile(
    r"(?i)(?=[hsw])(?<![\w.])(?:https?://)?(?:www\.)?snapchat\.com/add/(?P<handle>[A-Za-z][A-Za-z0-9._-]{2,14})(?![\w])"
)
_SNAPCHAT_LABEL = re.compile(
    r"(?i)(?=[s\U0001f47b])(?:(?<![\w])(?:snapchat|snap)[ \t]{0,3}(?:[:=\-\u2013][ \t]{0,3}@?|@)|\U0001f47b[ \t]{0,3}[:\-]?[ \t]{0,3}@?)"
    r"(?P<handle>[A-Za-z][A-Za-z0-9._-]{2,14})(?![\w])"
)
_INSTAGRAM_URL = re.compile(
    r"(?i)(?=[hiw])(?<![\w.])(?:https?://)?(?:www\.)?(?:instagram\.com|instagr\.am)/"
    r"(?!p/|reel/|reels/|explore/|stories/|accounts/|tv/|direct/)(?P<handle>[A-Za-z0-9._]{1,30})(?![\w])"
)
_INSTAGRAM_LABEL = re.compile(
    r"(?i)(?=i)(?<![\w])(?:instagram|insta|ig)[ \t]{0,3}(?:[:=\-\u2013][ \t]{0,3}@?|@)(?P<handle>[A-Za-z0-9._]{1,30})(?![\w])"
)
# Links that open a chat with a number: (kind, pattern, substrings without which it cannot match).
_NUMBER_LINKS = (
    ("whatsapp", _WHATSAPP, ("wa.me", "whatsapp.com")),
    ("telegram", _TELEGRAM_PHONE, ("t.me/+", "telegram.me/+")),
)
# (kind, pattern, is a URL, substrings of the lower-cased text without which the pattern cannot match):
# most ads have none of these, and a substring test is far cheaper than running the regex.
_HANDLE_PATTERNS = (
    ("telegram", _TELEGRAM_URL, True, ("t.me/", "telegram.me/")),
    ("telegram", _TELEGRAM_LABEL, False, ("telegram", "tg")),
    ("snapchat", _SNAPCHAT_URL, True, ("snapchat.com",)),
    ("snapchat", _SNAPCHAT_LABEL, False, ("snap", "\U0001f47b")),
    ("instagram", _INSTAGRAM_URL, True, ("instagram.com", "instagr.am")),
    ("instagram", _INSTAGRAM_LABEL, False, ("insta", "ig")),
)
_EMAIL_HINTS = ("@", "at]", "at)", "at}", "at>", "apenstaartje")
_WORD_EMAIL_HINTS = (" dot ", " punt ")
# A platform name followed by a handle without ":" or "@" ("telegram annalove", "insta annalove"): only the
# full names (not "tg", "ig", "snap"), and only a word that looks like a handle (a digit, "_" or "." in
# it) or that ends the phrase ("snapchat annalove!"); "snapchat kan ook" names no handle.
_BARE_LABEL_HANDLE = re.compile(
    r"(?i)(?=[tsi])(?<![\w])(?P<kind>telegram|snapchat|instagram|insta)[ \t]{1,3}"
    r"(?P<handle>[A-Za-z][A-Za-z0-9._]{2,29})(?![\w@/:-])(?P<end>[ \t]*(?:$|[\r\n,;!?)|]|\.(?!\w)))?"
)
_BARE_KIND = {"telegram": "telegram", "snapchat": "snapchat", "instagram": "instagram", "insta": "instagram"}
_NOT_HANDLES = frozenset(
    [
        "ook",
        "alleen",
        "en",
        "of",
        "is",
        "mij",
        "me",
        "mijn",
        "my",
        "naar",
        "voor",
        "via",
        "op",
        "account",
        "app",
        "story",
        "stories",
        "verhaal",
        "profiel",
        "profile",
        "contact",
        "bericht",
        "berichten",
        "message",
        "messages",
        "only",
        "also",
        "and",
        "or",
        "please",
        "graag",
        "welkom",
        "welcome",
        "beschikbaar",
        "available",
        "bereikbaar",
        "niet",
        "not",
        "geen",
        "video",
        "videos",
        "foto",
        "fotos",
        "photos",
        "pics",
        "aanwezig",
        "volgen",
        "volg",
        "follow",
        "add",
        "voeg",
        "prive",
        "private",
        "link",
        "bio",
        "chat",
        "channel",
        "kanaal",
        "group",
        "groep",
        "premium",
        "vip",
        "nummer",
        "number",
        "handle",
        "username",
        "naam",
        "name",
        "hier",
        "here",
        "dan",
        "then",
        "with",
        "met",
        "the",
        "de",
        "het",
        "een",
        "leuk",
        "nice",
        "too",
        "aan",
        "door",
        "when",
        "als",
        "maar",
        "but",
        "for",
        "jij",
        "you",
        "your",
        "jouw",
        "stuur",
        "send",
        "sms",
        "bellen",
        "bel",
        "call",
        "whatsapp",
        "telegram",
        "snapchat",
        "instagram",
        "insta",
        "kan",
        "sinds",
        "onder",
        "messenger",
        "web",
        "desktop",
    ]
)


def find_contacts(text: str, default_region: str = "NL", source: str = "text") -> list[Contact]:
    """Phones, e-mail addresses, WhatsApp/Telegram/Snapchat/Instagram contacts in `text`.

    One contact per (kind, value), in the order of first occurrence; a number written out in the text
    wins over the same number read from a link. A WhatsApp link yields both a "whatsapp" and a
    "phone" contact (source "link") with the same E.164 value; so does a Telegram link t.me/+<number>.
    """
    if not text:
        return []
    found: list[tuple[int, int, Contact]] = []  # (position, emission order, contact)
    taken: list[tuple[int, int]] = []  # spans whose digits are not free-text phone numbers

    lower = text.lower()
    if "http" in lower or "www." in lower:
        taken.extend(match.span() for match in _URL.finditer(text))
    for kind, pattern, hints in _NUMBER_LINKS:
        if not any(hint in lower for hint in hints):
            continue
        for match in pattern.finditer(text):
            taken.append(match.span())
            e164, country = _link_number(match.group("number"), default_region)
            if e164 is None:
                continue
            span = _span(text, match.start(), match.end())
            found.append((match.start(), len(found), Contact(kind, e164, "link", country, span)))
            found.append((match.start(), len(found), Contact("phone", e164, "link", country, span)))
    emails = list(_EMAIL.finditer(text)) if any(hint in lower for hint in _EMAIL_HINTS) else []
    if any(hint in lower for hint in _WORD_EMAIL_HINTS):
        emails += (
            match
            for match in _EMAIL_WORDS.finditer(text)
            if match.group("local").lower() not in _NOT_LOCAL_PARTS
            and not any(s < match.end() and match.start() < e for s, e in (m.span() for m in emails))
        )
    for match in emails:
        taken.append(match.span())
        value = f"{match.group('local')}@{_DOT_WORD.sub('.', match.group('domain'))}".lower()
        raw = match.group()
        plain_at = raw[len(match.group("local")) : match.start("domain") - match.start()] == "@"
        obscured = not plain_at or _DOT_WORD.sub(".", match.group("domain")) != match.group("domain")
        found.append(
            (
                match.start(),
                len(found),
                Contact("email", value, source, None, _span(text, *match.span()), obscured),
            )
        )
    for kind, pattern, is_url, hints in _HANDLE_PATTERNS:
        if not any(hint in lower for hint in hints):
            continue
        for match in pattern.finditer(text):
            handle = match.group("handle").rstrip("._-")
            if not any(c.isalpha() for c in handle):
                continue
            if not is_url and any(s <= match.start("handle") < e for s, e in taken):
                continue  # "Telegram: https://t.me/..." – the label's "handle" is the start of a link
            if is_url:
                taken.append(match.span())
            span = _span(text, match.start(), match.start("handle") + len(handle))
            contact = Contact(kind, handle.lower(), "link" if is_url else source, None, span)
            found.append((match.start(), len(found), contact))

    bare = _BARE_LABEL_HANDLE.finditer(text) if any(k in lower for k in _BARE_KIND) else ()
    for match in bare:
        handle = match.group("handle").rstrip("._")
        handle_like = any(c.isdigit() or c in "._" for c in handle)
        if (
            handle.lower() in _NOT_HANDLES
            or len(handle) < 3
            or not (handle_like or match.group("end") is not None)
        ):
            continue
        kind = _BARE_KIND[match.group("kind").lower()]
        if kind == "telegram" and (len(handle) < 5 or "." in handle):
            continue  # Telegram handles: 5-32 letters, digits, underscores
        span = _span(text, match.start(), match.start("handle") + len(handle))
        found.append((match.start(), len(found), Contact(kind, handle.lower(), source, None, span)))

    for phone in find_phones(text, default_region, source, unique=False):
        span = phone.span
        if span is not None and any(s < span.end and span.start < e for s, e in taken):
            continue
        found.append((span.start if span else 0, len(found), phone))

    found.sort(key=lambda item: (item[0], item[1]))
    first: dict[tuple[str, str], Contact] = {}
    for _, _, contact in found:
        key = (contact.kind, contact.value)
        if key not in first:
            first[key] = contact
        elif first[key].source == "link" and contact.source != "link":
            # The number is also written out to call: that is what counts ("only via WhatsApp" or not).
            first[key] = contact
    return list(first.values())


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def _link_number(digits: str, default_region: str) -> tuple[str | None, str | None]:
    """wa.me links carry the number internationally without "+"; some people paste "06..." anyway."""
    for candidate, region in (("+" + digits, None), (digits, default_region.upper())):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return e164, phonenumbers.region_code_for_number(number)
    return None, None
