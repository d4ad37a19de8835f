"""Place names → gemeente, so that ads can be counted and worked per gemeente.

Two entry points with different caution:

* ``resolve_place`` reads a declared location field ("Den Bosch", "Amsterdam Zuidoost", "regio Utrecht",
  "Maastricht e.o.", "Nes (Ameland)"). The field is meant to hold a place, so every official name counts,
  including names that are ordinary words ("Best", "Echt").
* ``find_place_in_text`` finds places mentioned in free text ("nieuw in Breda", "regio Venlo"). Free text
  is full of words that happen to be place names, so it only accepts a name with a cue ("in", "regio",
  "e.o."), or a capitalised name of five letters or more, and never a name on ``TEXT_STOPLIST``.

A woonplaats name that exists in several gemeenten (70 names do, e.g. Achterveld, Nes, Hoenderloo) gives
an explicit unknown ("ambiguous", with the candidates) unless a gemeente or province in the same text
settles it. One rule resolves such names without a hint: when exactly one of the candidates is the
gemeente of that very name ("Hoorn" the city, not the hamlet on Terschelling; "Hengelo" in Overijssel),
that gemeente is taken and the other candidates are kept in ``PlaceMatch.other_gemeenten`` (with
``chosen_by`` saying how the gemeente was picked) so that a person sees them. An ambiguous name in free
text that nothing settles is returned by ``find_places_in_text_verbose`` as ``AmbiguousPlace``. Matching is on folded tokens: case, diacritics, hyphens, apostrophes and "St."/"Sint"
do not matter; "a/d" equals "aan de(n)".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from zicht import reference
from zicht.extract.types import Span

PLACES_VERSION = "places-2"

# How a place matched, strongest first where several apply to one name.
HOW_GEMEENTE = "gemeente"
HOW_WOONPLAATS = "woonplaats"
HOW_ALIAS = "alias"
HOW_DISTRICT = "district"
HOW_REGIO = "regio"  # "regio Utrecht", "Maastricht e.o.": the gemeente named, with its surroundings
HOW_FUZZY = "fuzzy"  # a declared field one or two letters off a single known name

_KIND_RANK = {HOW_GEMEENTE: 0, HOW_WOONPLAATS: 1, HOW_ALIAS: 2, HOW_DISTRICT: 3}

# How one gemeente was picked for a name that several gemeenten have.
CHOSEN_BY_HINT = "hint"  # another place or a province in the same field or ad
CHOSEN_BY_NAMESAKE = "namesake"  # the gemeente of that very name: a default, the others stay possible
CHOSEN_BY_SPELLING = "spelling"  # the exact official spelling (a hyphen) of one of them

# Reasons for an explicit unknown.
REASON_EMPTY = "empty"
REASON_UNKNOWN = "unknown"
REASON_AMBIGUOUS = "ambiguous"
REASON_PROVINCE_ONLY = "province_only"
REASON_REGION_ONLY = "region_only"
REASON_COUNTRY_ONLY = "country_only"


@dataclass(frozen=True)
class PlaceMatch:
    place: str  # official woonplaats, gemeente or district name the text stands for
    gemeente_code: str  # CBS "GM0935"
    gemeente_name: str
    province: str
    police_unit: str
    matched: str  # the text as written
    how: str  # gemeente | woonplaats | alias | district | regio | fuzzy
    span: Span | None = None  # where in the searched text (find_place_in_text)
    other_gemeenten: tuple[str, ...] = ()  # gemeenten that also have a place of this name
    chosen_by: str | None = (
        None  # when other_gemeenten: CHOSEN_BY_HINT | CHOSEN_BY_NAMESAKE | CHOSEN_BY_SPELLING
    )


@dataclass(frozen=True)
class AmbiguousPlace:
    """A place name in free text that several gemeenten have and nothing in the text settles."""

    written: str
    candidates: tuple[str, ...]  # gemeente codes
    span: Span


@dataclass(frozen=True)
class PlaceResolution:
    """A match, or the reason why there is none (shown to the analyst as the field's error)."""

    match: PlaceMatch | None
    reason: str | None = None
    candidates: tuple[str, ...] = ()  # gemeente codes when the reason is "ambiguous"
    also_named: tuple[PlaceMatch, ...] = field(default=())  # further places named in the same field


# --- normalisation ------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[^\W_]+")
_TOKEN_REWRITES = {"st": "sint"}


@lru_cache(maxsize=65536)
def _fold(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _TOKEN_REWRITES.get(folded, folded)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(_fold(m.group()), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def place_key(name: str) -> str:
    """The folded form places are compared in: "'s-Hertogenbosch" → "s hertogenbosch"."""
    return " ".join(t for t, _, _ in _tokens(name))


_AAN_DE = ("aan den", "aan de", "a d", "ad")


def _key_variants(name: str) -> set[str]:
    key = place_key(name)
    if not key:
        return set()
    keys = {key}
    for phrase in _AAN_DE:  # "Capelle aan den IJssel" == "Capelle a/d IJssel"
        padded = f" {phrase} "
        if padded in f" {key} ":
            keys |= {f" {key} ".replace(padded, f" {other} ").strip() for other in _AAN_DE}
            break
    for k in list(keys):
        parts = k.split()
        if parts[0] in ("s", "t") and len(parts) > 1:  # "'s-Hertogenbosch" also as "Hertogenbosch"
            keys.add(" ".join(parts[1:]))
    return keys


# --- words around a place -----------------------------------------------------------------------

_PROVINCE_WORDS = {
    "groningen": "Groningen",
    "gn": "Groningen",
    "gr": "Groningen",
    "gron": "Groningen",
    "friesland": "Fryslân",
    "fryslan": "Fryslân",
    "fr": "Fryslân",
    "frl": "Fryslân",
    "drenthe": "Drenthe",
    "dr": "Drenthe",
    "overijssel": "Overijssel",
    "ov": "Overijssel",
    "o": "Overijssel",
    "flevoland": "Flevoland",
    "fl": "Flevoland",
    "gelderland": "Gelderland",
    "gld": "Gelderland",
    "gl": "Gelderland",
    "utrecht": "Utrecht",
    "ut": "Utrecht",
    "u": "Utrecht",
    "utr": "Utrecht",
    "noord holland": "Noord-Holland",
    "nh": "Noord-Holland",
    "zuid holland": "Zuid-Holland",
    "zh": "Zuid-Holland",
    "zeeland": "Zeeland",
    "z": "Zeeland",
    "zl": "Zeeland",
    "zld": "Zeeland",
    "noord brabant": "Noord-Brabant",
    "brabant": "Noord-Brabant",
    "nb": "Noord-Brabant",
    "limburg": "Limburg",
    "l": "Limburg",
    "lb": "Limburg",
    "li": "Limburg",
}
# Province names that may stand alone as a declared location; abbreviations only count as a hint.
_PROVINCE_NAMES = {k for k in _PROVINCE_WORDS if len(k) > 4}
# A declared "Zeeland" means the province, not the village in Maashorst; "Groningen" and "Utrecht"
# mean the city, which is also the gemeente of that name.
_PROVINCE_BEFORE_PLACE = {"zeeland"}

_COUNTRY_WORDS = {
    "nederland",
    "netherlands",
    "the netherlands",
    "holland",
    "nl",
    "heel nederland",
    "hele land",
    "landelijk",
    "overal",
    "belgie",
    "belgium",
    "duitsland",
    "germany",
}
_REGION_WORDS = {
    "randstad",
    "twente",
    "achterhoek",
    "veluwe",
    "betuwe",
    "het gooi",
    "gooi",
    "zuid limburg",
    "noord limburg",
    "midden limburg",
    "parkstad",
    "westfriesland",
    "west friesland",
    "zaanstreek",
    "kennemerland",
    "rijnmond",
    "haaglanden",
    "drechtsteden",
    "bollenstreek",
    "de peel",
    "kempen",
    "de kempen",
    "west brabant",
    "oost brabant",
    "midden brabant",
    "zeeuws vlaanderen",
    "voorne putten",
    "salland",
    "liemers",
    "de liemers",
    "noord veluwe",
}
_REGIO_WORDS = {"regio", "omgeving", "omg", "omstreken", "area", "region", "omgev", "rondom", "buurt"}
_REGIO_AFTER = {("e", "o"), ("eo",), ("en", "omgeving"), ("en", "omstreken"), ("area",), ("en", "omg")}
_DISTRICT_SUFFIXES = {
    "noord": "Noord",
    "zuid": "Zuid",
    "oost": "Oost",
    "west": "West",
    "zuidoost": "Zuidoost",
    "noordoost": "Noordoost",
    "zuidwest": "Zuidwest",
    "noordwest": "Noordwest",
    "centrum": "Centrum",
    "center": "Centrum",
    "centre": "Centrum",
    "binnenstad": "Centrum",
    "north": "Noord",
    "south": "Zuid",
    "east": "Oost",
    "zo": "Zuidoost",
}
# Words before a place in free text that say a place follows.
_TEXT_CUES = {
    "in",
    "naar",
    "richting",
    "vlakbij",
    "dichtbij",
    "regio",
    "omgeving",
    "omg",
    "te",
    "bij",
    "nabij",
    "near",
    "rond",
    "rondom",
    "around",
    "vanuit",
    "centrum",
    "provincie",
    "gemeente",
    "plaats",
    "locatie",
    "location",
    "woonplaats",
    "stad",
    "city",
}

# Place names that are also ordinary Dutch or English words, names of people, or bigger places abroad.
# In free text they never count ("in Heel Nederland", "100% echt"); in a declared location field they do.
TEXT_STOPLIST = frozenset(
    {
        "america", "bern", "hasselt", "halle", "zurich",  # places abroad as well
        "amen", "balk", "bears", "blije", "boer", "broek", "dalen", "de bult", "de groeve", "de heen",
        "de hoef", "de hoeve", "de kiel", "de klomp", "de krim", "de lier", "de moer", "de pijp", "de pol", "de punt",
        "de steeg", "de waal", "de wijk", "de wilgen", "de woude", "den hout", "dorst", "echt", "een", "elim",
        "enter", "erica", "giessen", "graft", "grave", "groet", "halfweg", "hall", "handel", "hank",
        "heel", "heide", "hem", "herten", "hoek", "hoeven", "horn", "klimmen", "laak", "lies",
        "linde", "linden", "loon", "made", "maria hoop", "nederland", "neer", "noorden", "opende", "oranje",
        "oude meer", "peins", "rekken", "rien", "rijen", "schijf", "sint maarten", "sloten", "spier", "spui",
        "strijp", "t veld", "t waar", "t zand", "tuk", "veulen", "vries", "vuren", "waal", "waarde",
        "wateren", "wedde", "well", "wier", "witte paarden", "zeeland", "zegge",
    }
)  # fmt: skip
# Real towns whose names are also words ("Goes", "Best", "Huizen", "Monster"): in free text only right
# after a cue and written as a name ("in Goes", not "anything goes", "in huizen").
TEXT_CUED_ONLY = frozenset(
    {
        "beek", "best", "born", "dieren", "doorn", "goes", "haren", "helden", "horst", "huizen",
        "leek", "lent", "mill", "monster", "putte", "putten", "sluis", "son", "stein", "veen",
        "velden", "winkel",
    }
)  # fmt: skip
_TEXT_MIN_LENGTH = 3  # folded letters; shorter names ("Ee", "Ie") never match in free text
_UNCUED_MIN_LENGTH = 5  # without a cue, a name must be capitalised and at least this long


# --- the index ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    gm_code: str
    place: str
    kind: str  # gemeente | woonplaats | alias | district


@dataclass(frozen=True)
class _Index:
    entries: dict[str, tuple[_Entry, ...]]
    first: dict[str, int]  # first token of a key → longest key length in tokens starting with it


_DISAMBIGUATOR_RE = re.compile(r"\s*\([^)]*\)\s*$")


@cache
def _index() -> _Index:
    raw: dict[str, list[_Entry]] = {}

    def add(name: str, entry: _Entry) -> None:
        for key in _key_variants(name):
            bucket = raw.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    gemeenten = reference.gemeenten()
    for g in gemeenten.values():
        add(g.name, _Entry(g.code, g.name, HOW_GEMEENTE))
        stripped = _DISAMBIGUATOR_RE.sub("", g.name)  # "Beek (L.)" is called "Beek"
        if stripped != g.name:
            add(stripped, _Entry(g.code, g.name, HOW_GEMEENTE))
    for w in reference.woonplaatsen():
        add(w.name, _Entry(w.gm_code, w.name, HOW_WOONPLAATS))
    for a in reference.place_aliases():
        kind = HOW_DISTRICT if a.kind == "district" else HOW_ALIAS
        add(a.alias, _Entry(a.gm_code, a.place, kind))
        if kind == HOW_DISTRICT:  # the district's full name ("Almere Buiten") is a name of it too
            add(a.place, _Entry(a.gm_code, a.place, kind))

    # Written together: "Denhaag", "Bergenopzoom". Only where that spelling is not already a name.
    for key, bucket in list(raw.items()):
        if " " in key:
            joined = key.replace(" ", "")
            if joined not in raw:
                raw[joined] = list(bucket)

    entries = {k: tuple(v) for k, v in raw.items()}
    first: dict[str, int] = {}
    for key in entries:
        parts = key.split(" ")
        first[parts[0]] = max(first.get(parts[0], 0), len(parts))
    for key in _PROVINCE_NAMES | _COUNTRY_WORDS | _REGION_WORDS:
        parts = key.split(" ")
        first[parts[0]] = max(first.get(parts[0], 0), len(parts))
    return _Index(entries=entries, first=first)


# --- matching -----------------------------------------------------------------------------------


@dataclass
class _Hit:
    start: int  # token positions, end exclusive
    end: int
    key: str
    entries: tuple[_Entry, ...] = ()
    province: str | None = None
    country: bool = False
    region: bool = False


_NAME_GAP = frozenset(" \t-'’./()\u2010\u2011\u2013")  # between the words of one name; not "," or a newline


def _one_name(text: str, tokens: Sequence[tuple[str, int, int]], i: int, n: int) -> bool:
    """Tokens i..i+n-1 are written as one name: "St. Willebrord", "'s-Hertogenbosch", not "Sittard, Geleen"."""
    for j in range(i, i + n - 1):
        gap = text[tokens[j][2] : tokens[j + 1][1]]
        if len(gap) > 4 or not _NAME_GAP.issuperset(gap):
            return False
    return True


def _scan(
    tokens: Sequence[tuple[str, int, int]], text: str, start: int = 0, max_hits: int | None = None
) -> list[_Hit]:
    """Longest names first at each position, left to right, never overlapping."""
    index = _index()
    hits: list[_Hit] = []
    i, n_tokens = start, len(tokens)
    while i < n_tokens and (max_hits is None or len(hits) < max_hits):
        longest = index.first.get(tokens[i][0], 0)
        found = None
        for n in range(min(longest, n_tokens - i), 0, -1):
            if n > 1 and not _one_name(text, tokens, i, n):
                continue
            key = " ".join(t for t, _, _ in tokens[i : i + n])
            if key in _COUNTRY_WORDS:
                found = _Hit(i, i + n, key, country=True)
            elif key in _REGION_WORDS:
                found = _Hit(i, i + n, key, region=True)
            elif key in _PROVINCE_BEFORE_PLACE or (key in _PROVINCE_NAMES and key not in index.entries):
                found = _Hit(i, i + n, key, province=_PROVINCE_WORDS[key])
            elif key in index.entries:
                found = _Hit(i, i + n, key, entries=index.entries[key], province=_PROVINCE_WORDS.get(key))
            if found:
                break
        if found:
            hits.append(found)
            i = found.end
        else:
            i += 1
    return hits


def _gemeenten_of(entries: Iterable[_Entry]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.gm_code for e in entries))


def _narrow(codes: tuple[str, ...], hint_codes: set[str], hint_provinces: set[str]) -> tuple[str, ...]:
    gemeenten = reference.gemeenten()
    provinces = set(hint_provinces)
    if hint_codes:
        narrowed = tuple(c for c in codes if c in hint_codes)
        if narrowed:
            return narrowed
        # "Beek, Nijmegen": not one of the candidates, but it says which province is meant.
        provinces |= {gemeenten[c].province for c in hint_codes}
    if provinces:
        narrowed = tuple(c for c in codes if gemeenten[c].province in provinces)
        if narrowed:
            return narrowed
    return codes


def _choose(
    hit: _Hit, hint_codes: set[str], hint_provinces: set[str]
) -> tuple[str | None, tuple[str, ...], tuple[str, ...], str | None]:
    """(chosen gemeente or None, candidates left, other gemeenten of the same name, how it was chosen)."""
    all_codes = _gemeenten_of(hit.entries)
    codes = _narrow(all_codes, hint_codes, hint_provinces)
    if len(codes) == 1:
        chosen_by = CHOSEN_BY_HINT if len(all_codes) > 1 else None
        return codes[0], codes, tuple(c for c in all_codes if c != codes[0]), chosen_by
    namesakes = _gemeenten_of(e for e in hit.entries if e.kind == HOW_GEMEENTE and e.gm_code in codes)
    if len(namesakes) == 1:
        return namesakes[0], codes, tuple(c for c in all_codes if c != namesakes[0]), CHOSEN_BY_NAMESAKE
    return None, codes, (), None


def _make_match(
    hit: _Hit,
    code: str,
    others: tuple[str, ...],
    text: str,
    tokens: Sequence[tuple[str, int, int]],
    how: str | None = None,
    end_token: int | None = None,
    district_suffix: str | None = None,
    chosen_by: str | None = None,
) -> PlaceMatch:
    g = reference.gemeenten()[code]
    mine = sorted((e for e in hit.entries if e.gm_code == code), key=lambda e: _KIND_RANK[e.kind])
    kind = mine[0].kind
    by_kind: dict[str, str] = {}
    for e in mine:
        by_kind.setdefault(e.kind, e.place)
    place = by_kind.get(HOW_WOONPLAATS) or by_kind.get(HOW_ALIAS) or by_kind.get(HOW_DISTRICT) or g.name
    if place == g.name:  # "Beek (L.)" named as such is the place Beek
        stripped = _DISAMBIGUATOR_RE.sub("", g.name)
        if stripped in reference.woonplaatsen_by_gemeente().get(code, ()):
            place = stripped
    if district_suffix:
        place, kind = f"{place}-{district_suffix}", HOW_DISTRICT
    start = tokens[hit.start][1]
    end = tokens[(end_token if end_token is not None else hit.end) - 1][2]
    return PlaceMatch(
        place=place,
        gemeente_code=code,
        gemeente_name=g.name,
        province=g.province,
        police_unit=g.police_unit,
        matched=text[start:end],
        how=how or kind,
        span=Span(start, end, text[start:end]),
        other_gemeenten=others,
        chosen_by=chosen_by if others else None,
    )


def _joined(text: str, tokens: Sequence[tuple[str, int, int]], left: int) -> bool:
    """True when token ``left`` and the next one are written as one name (space or hyphen between)."""
    gap = text[tokens[left][2] : tokens[left + 1][1]]
    return len(gap) <= 3 and all(c in " -\u2010\u2011\u2013" for c in gap)


def _district_suffix(text: str, tokens: Sequence[tuple[str, int, int]], hit: _Hit) -> tuple[str | None, int]:
    """ "Rotterdam-Zuid", "Amsterdam Zuidoost", "Den Haag centrum": a part of the place just named."""
    if hit.end < len(tokens) and _joined(text, tokens, hit.end - 1):
        nxt = tokens[hit.end][0]
        if nxt == "nieuw" and hit.end + 1 < len(tokens) and tokens[hit.end + 1][0] == "west":
            return "Nieuw-West", hit.end + 2
        if nxt in _DISTRICT_SUFFIXES:
            return _DISTRICT_SUFFIXES[nxt], hit.end + 1
    return None, hit.end


def _has_regio_qualifier(tokens: Sequence[tuple[str, int, int]], hit: _Hit) -> bool:
    before = {t for t, _, _ in tokens[max(0, hit.start - 2) : hit.start]}
    if before & _REGIO_WORDS:
        return True
    after = tuple(t for t, _, _ in tokens[hit.end : hit.end + 2])
    return any(after[: len(q)] == q for q in _REGIO_AFTER)


def _hints(hits: Iterable[_Hit], skip: _Hit | None) -> tuple[set[str], set[str]]:
    """Unambiguous gemeenten and full province names among other hits."""
    codes: set[str] = set()
    provinces: set[str] = set()
    for h in hits:
        if h is skip:
            continue
        if h.province and h.key in _PROVINCE_NAMES:
            provinces.add(h.province)
        if h.entries:
            hit_codes = _gemeenten_of(h.entries)
            if len(hit_codes) == 1:
                codes.add(hit_codes[0])
    return codes, provinces


def _abbreviation_hint(tokens: Sequence[tuple[str, int, int]], end: int) -> set[str]:
    """A province abbreviation right after a name: "Beek (L)", "Alphen N.B.", "Elst Gld"."""
    if end >= len(tokens):
        return set()
    first = tokens[end][0]
    if end + 1 < len(tokens):
        pair = first + tokens[end + 1][0]
        if pair in _PROVINCE_WORDS and len(pair) == 2:
            return {_PROVINCE_WORDS[pair]}
    single_letter_ok = len(first) > 1 or first == "l" or end + 1 == len(tokens)  # "o" of "e.o." is no hint
    if first in _PROVINCE_WORDS and single_letter_ok:
        return {_PROVINCE_WORDS[first]}
    return set()


def resolve_place_verbose(text: str | None, hint: str | None = None) -> PlaceResolution:
    """Resolve a declared location.

    ``hint`` is other text of the same ad (title, body): the places and provinces in it may settle an
    ambiguous name ("Nes" with "op Ameland" in the text), never replace a name that resolved.
    """
    if not text or not isinstance(text, str) or not text.strip():
        return PlaceResolution(None, REASON_EMPTY)
    text = text[:_FIELD_MAX_CHARS]
    tokens = _tokens(text)
    if not tokens:
        return PlaceResolution(None, REASON_UNKNOWN)
    hits = _scan(tokens, text)
    place_hits = [h for h in hits if h.entries]
    if not place_hits:
        if any(h.province and h.key in _PROVINCE_NAMES for h in hits):
            return PlaceResolution(None, REASON_PROVINCE_ONLY)
        if any(h.region for h in hits):
            return PlaceResolution(None, REASON_REGION_ONLY)
        if any(h.country for h in hits):
            return PlaceResolution(None, REASON_COUNTRY_ONLY)
        fuzzy = _fuzzy(text, tokens)
        return PlaceResolution(fuzzy) if fuzzy else PlaceResolution(None, REASON_UNKNOWN)

    matches: list[PlaceMatch] = []
    ad_hints: tuple[set[str], set[str]] | None = None
    for n, hit in enumerate(place_hits):
        own_codes, own_provinces = _hints(hits, hit)
        own_provinces |= _abbreviation_hint(tokens, hit.end)
        code, candidates, others, chosen_by = _choose(hit, own_codes, own_provinces)
        if code is None and hint:
            ad_hints = ad_hints or _ad_hints(hint)  # read the rest of the ad only when it is needed
            code, candidates, others, chosen_by = _choose(
                hit, own_codes | ad_hints[0], own_provinces | ad_hints[1]
            )
        if code is None:
            code = _exact_official_spelling(hit, text, tokens)
            others, chosen_by = tuple(c for c in candidates if c != code), CHOSEN_BY_SPELLING
        if code is None:
            if n == 0:  # the first name in the field is the place meant; an unknown stays unknown
                return PlaceResolution(None, REASON_AMBIGUOUS, candidates=candidates)
            continue
        suffix, end = _district_suffix(text, tokens, hit)
        how = HOW_REGIO if _has_regio_qualifier(tokens, hit) else None
        matches.append(_make_match(hit, code, others, text, tokens, how, end, suffix, chosen_by))
    primary = matches[0]
    also = tuple(m for m in matches[1:] if m.gemeente_code != primary.gemeente_code)
    return PlaceResolution(primary, also_named=also)


_FIELD_MAX_CHARS = 500  # a location field; anything longer is not a place name
_TEXT_MAX_CHARS = 1_000_000
_MAX_OCCURRENCES = 2_000  # words that may start a place name; an ad with more is not an ad
_HINT_MAX_CHARS = 20_000


def _ad_hints(hint: str) -> tuple[set[str], set[str]]:
    hint = hint[:_HINT_MAX_CHARS]
    codes = {m.gemeente_code for m in find_place_in_text(hint)}
    provinces = {h.province for h in _scan(_tokens(hint), hint) if h.province and h.key in _PROVINCE_NAMES}
    return codes, provinces


def _exact_official_spelling(hit: _Hit, text: str, tokens: Sequence[tuple[str, int, int]]) -> str | None:
    """Two official woonplaatsen that differ only in a hyphen ("Kapel-Avezaath" in Buren, "Kapel
    Avezaath" in Tiel): the spelling as written decides, when it is exactly one of them."""
    if any(e.kind != HOW_WOONPLAATS for e in hit.entries):
        return None
    written = text[tokens[hit.start][1] : tokens[hit.end - 1][2]].casefold()
    exact = {e.gm_code for e in hit.entries if e.place.casefold() == written}
    return exact.pop() if len(exact) == 1 else None


def province_named(text: str | None) -> str | None:
    """The province a short text names ("Limburg", "Noord-Brabant", "regio Zeeland"), else None."""
    if not text or not isinstance(text, str):
        return None
    text = text[:_FIELD_MAX_CHARS]
    for hit in _scan(_tokens(text), text):
        if hit.province and hit.key in _PROVINCE_NAMES:
            return hit.province
    return None


def resolve_place(text: str | None, hint: str | None = None) -> PlaceMatch | None:
    """The gemeente of a declared location, or None (``resolve_place_verbose`` says why)."""
    return resolve_place_verbose(text, hint).match


# --- free text ----------------------------------------------------------------------------------


def find_place_in_text(text: str | None) -> list[PlaceMatch]:
    """Places named in free text, in order of appearance, one per gemeente; conservative by design."""
    return find_places_in_text_verbose(text)[0]


def find_places_in_text_verbose(text: str | None) -> tuple[list[PlaceMatch], list[AmbiguousPlace]]:
    """Places named in free text, and the names in it that several gemeenten have and nothing settles
    ("Nieuw in Nes!"), so that the analyst sees why no gemeente was taken.

    The words of the text are compared as a set with the words places start with (fast, in C); only
    where such a word stands is the text around it read token by token.
    """
    if not text or not isinstance(text, str):
        return [], []
    text = text[:_TEXT_MAX_CHARS]
    folded = _fast_fold(text)
    vocabulary = _text_vocabulary()
    present = vocabulary.first_words.intersection(_TOKEN_RE.findall(folded))
    if not present:
        return [], []
    starts = sorted(
        (m.start(), m.end(), w)
        for w in present
        for m in _word_re(w).finditer(folded)
        if not (m.start() and folded[m.start() - 1].isalnum())
    )
    found: dict[str, PlaceMatch] = {}
    ambiguous: dict[tuple[str, ...], AmbiguousPlace] = {}
    covered = -1
    for start, end, word in starts[:_MAX_OCCURRENCES]:
        if start < covered or vocabulary.settled.get(word) in found:
            continue  # inside a name already read, or a name whose one gemeente is already found
        if word not in vocabulary.single:  # only multi-word names start here: is the next word right?
            nxt = _NEXT_WORD.match(folded, end)
            if (
                not nxt
                or f"{_TOKEN_REWRITES.get(word, word)} {_TOKEN_REWRITES.get(nxt.group(1), nxt.group(1))}"
                not in vocabulary.bigrams
            ):
                continue
        match, covered_to = _place_at(text, folded, start)
        covered = max(covered, covered_to)
        if isinstance(match, AmbiguousPlace):
            ambiguous.setdefault(match.candidates, match)
        elif match and match.gemeente_code not in found:
            found[match.gemeente_code] = match
    places = sorted(found.values(), key=lambda m: m.span.start if m.span else 0)
    return places, sorted(ambiguous.values(), key=lambda a: a.span.start)


_NEXT_WORD = re.compile(r"[\W_]{1,3}([^\W_]+)")
_WINDOW_BEFORE = 24  # room for two cue words ("omgeving van")
_WINDOW_AFTER = 72  # room for the longest name, a district, a hint and "e.o."


def _window_tokens(folded: str, start: int) -> tuple[list[tuple[str, int, int]], int]:
    """Tokens around ``start`` (absolute offsets) and the index of the token at ``start``."""
    lo, hi = max(0, start - _WINDOW_BEFORE), min(len(folded), start + _WINDOW_AFTER)
    rewrites = _TOKEN_REWRITES
    tokens = [
        (rewrites.get(w, w), m.start(), m.end())
        for m in _TOKEN_RE.finditer(folded, lo, hi)
        if (w := m.group())
    ]
    if tokens and lo > 0 and tokens[0][1] == lo and folded[lo - 1].isalnum():
        tokens.pop(0)  # cut in half by the window
    if tokens and hi < len(folded) and tokens[-1][2] == hi and folded[hi].isalnum():
        tokens.pop()
    at = next((i for i, t in enumerate(tokens) if t[1] == start), 0)
    return tokens, at


def _place_at(text: str, folded: str, start: int) -> tuple[PlaceMatch | AmbiguousPlace | None, int]:
    """The place whose name starts at ``start``, if free text may name it there (or the gemeenten it
    may be, when nothing settles it); and where it ends."""
    tokens, at = _window_tokens(folded, start)
    hits = _scan(tokens, folded, at, max_hits=3)
    if not hits or hits[0].start != at:
        return None, start
    hit = hits[0]
    covered = tokens[hit.end - 1][2]
    if not hit.entries or hit.key in TEXT_STOPLIST or len(hit.key.replace(" ", "")) < _TEXT_MIN_LENGTH:
        return None, covered
    if hit.key in TEXT_CUED_ONLY:
        written = text[tokens[hit.start][1] : tokens[hit.end - 1][2]]
        if not (written.istitle() and hit.start > 0 and tokens[hit.start - 1][0] in _TEXT_CUES):
            return None, covered
    elif not _has_cue(tokens, hit) and not _looks_like_a_name(text, tokens, hit):
        return None, covered
    near = [h for h in hits[1:] if h.start - hit.end <= 2]
    codes, provinces = _hints(near, None)
    provinces |= _abbreviation_hint(tokens, hit.end)
    code, candidates, others, chosen_by = _choose(hit, codes, provinces)
    if code is None:
        start, end = tokens[hit.start][1], tokens[hit.end - 1][2]
        return AmbiguousPlace(text[start:end], candidates, Span(start, end, text[start:end])), covered
    suffix, end = _district_suffix(text, tokens, hit)
    how = HOW_REGIO if _has_regio_qualifier(tokens, hit) else None
    return _make_match(hit, code, others, text, tokens, how, end, suffix, chosen_by), covered


@dataclass(frozen=True)
class _TextVocabulary:
    first_words: frozenset[str]  # as they appear in folded text (so "st", not "sint")
    single: frozenset[str]  # names of one word that free text may hold
    bigrams: frozenset[str]  # first two words of longer names
    settled: dict[str, str]  # one-word names of one gemeente that start no longer name -> that gemeente


@cache
def _text_vocabulary() -> _TextVocabulary:
    index = _index()
    single = {k for k in index.entries if " " not in k}
    bigrams = {" ".join(k.split(" ")[:2]) for k in index.entries if " " in k}
    bigrams |= {
        " ".join(k.split(" ")[:2]) for k in _PROVINCE_NAMES | _COUNTRY_WORDS | _REGION_WORDS if " " in k
    }
    firsts = single | {b.split(" ")[0] for b in bigrams}
    inverse = {v: k for k, v in _TOKEN_REWRITES.items()}
    firsts |= {inverse[w] for w in firsts if w in inverse}
    return _TextVocabulary(
        first_words=frozenset(firsts),
        single=frozenset(w for w in single if w not in TEXT_STOPLIST and len(w) >= _TEXT_MIN_LENGTH),
        bigrams=frozenset(bigrams),
        settled={
            w: codes[0]
            for w in single
            if index.first.get(w) == 1 and len(codes := _gemeenten_of(index.entries[w])) == 1
        },
    )


@lru_cache(maxsize=4096)
def _word_re(word: str) -> re.Pattern[str]:
    """Where a word stands in folded text: the literal first (fast to search), the left edge checked after."""
    return re.compile(rf"{re.escape(word)}(?![^\W_])")


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        decomposed = unicodedata.normalize("NFKD", chr(code))
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if len(base) == 1 and base != chr(code):
            table[code] = base
    return table


_FOLD_TABLE = _build_fold_table()


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(m: re.Match[str]) -> str:
    run = m.group()
    folded = run.translate(_FOLD_TABLE).lower()
    if len(folded) == len(run):
        return folded
    return "".join(f if len(f := c.translate(_FOLD_TABLE).lower()) == 1 else c for c in run)


def _fast_fold(text: str) -> str:
    """Lower case without diacritics, same length as the text so offsets stay true."""
    if text.isascii():
        return text.lower()
    folded = _NON_ASCII.sub(_fold_run, text)
    lowered = folded.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)  # "İ" would grow


def _has_cue(tokens: Sequence[tuple[str, int, int]], hit: _Hit) -> bool:
    if hit.start > 0 and tokens[hit.start - 1][0] in _TEXT_CUES:
        return True
    if hit.start > 1 and (tokens[hit.start - 2][0], tokens[hit.start - 1][0]) in _TEXT_CUE_PAIRS:
        return True
    after = tuple(t for t, _, _ in tokens[hit.end : hit.end + 2])
    return any(after[: len(q)] == q for q in _REGIO_AFTER)


_TEXT_CUE_PAIRS = {("regio", "van"), ("buurt", "van"), ("omgeving", "van"), ("nieuw", "in"), ("new", "in")}


def _looks_like_a_name(text: str, tokens: Sequence[tuple[str, int, int]], hit: _Hit) -> bool:
    first = text[tokens[hit.start][1] : tokens[hit.start][2]]
    letters = len(hit.key.replace(" ", ""))
    if letters < _UNCUED_MIN_LENGTH:
        return False
    if first[:1].isupper() and not first.isupper():
        return True
    # All capitals or all lower case: only gemeente names, which are seldom ordinary words.
    return letters >= 6 and any(e.kind == HOW_GEMEENTE for e in hit.entries)


# --- declared fields a letter or two off --------------------------------------------------------

_FUZZY_MIN_LENGTH = 6
_FUZZY_CUTOFF = 90.0


@cache
def _fuzzy_keys() -> tuple[str, ...]:
    return tuple(k for k in _index().entries if len(k) >= _FUZZY_MIN_LENGTH)


def _fuzzy(text: str, tokens: Sequence[tuple[str, int, int]]) -> PlaceMatch | None:
    """One known name clearly closest to the whole field ("Amsterdm"); never a choice between two."""
    from rapidfuzz import fuzz, process

    words = [t for t, _, _ in tokens if t not in _REGIO_WORDS and not t.isdigit()]
    query = " ".join(words)
    if len(query) < _FUZZY_MIN_LENGTH or len(words) > 4:
        return None
    best = process.extract(query, _fuzzy_keys(), scorer=fuzz.ratio, limit=2, score_cutoff=_FUZZY_CUTOFF - 8)
    if not best or best[0][1] < _FUZZY_CUTOFF:
        return None
    if len(best) > 1 and best[1][1] >= best[0][1] - 4:
        return None
    key = best[0][0]
    hit = _Hit(0, len(tokens), key, entries=_index().entries[key])
    code, _, others, chosen_by = _choose(hit, set(), set())
    if code is None:
        return None
    return _make_match(hit, code, others, text, tokens, HOW_FUZZY, chosen_by=chosen_by)
