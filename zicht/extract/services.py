"""Offered services as canonical codes, from the site's service list and from the ad text.

The vocabulary is data (``SERVICES``): one code per service with its Dutch and English ways of writing
it, so the signal catalogue can name codes ("pijpen_zonder", "gv_zonder", "av") instead of phrases.
A service that the text refuses ("geen anaal", "zoenen: nee", "no kissing", "nooit zonder condoom")
is not offered: negation reaches from "geen/niet/no/nooit" to the end of the clause, or the word after
the service ("nee", "no", "❌"). Codes are neutral names of acts; whether one is a signal is the
catalogue's call, with its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

SERVICES_VERSION = "services-2"

# code -> phrases, lower case. Matched as whole words; between the words of a phrase only a space, hyphen,
# slash, ampersand or apostrophe ("s/m", "strap-on"). The longest phrase at a word wins.
# fmt: off
SERVICES: dict[str, tuple[str, ...]] = {
    "gv": ("gv", "geslachtsgemeenschap", "geslachtsverkeer", "neuken", "sex met condoom", "seks met condoom",
           "intercourse", "full service"),
    "gv_zonder": ("gv zonder", "gv zonder condoom", "neuken zonder", "neuken zonder condoom",
                  "sex zonder condoom", "seks zonder condoom", "bareback", "bbfs", "onbeschermde seks",
                  "onbeschermde sex", "onbeschermd neuken"),
    "zonder_condoom": ("zonder condoom", "without condom", "without a condom", "no condom", "geen condoom",
                       "onbeschermd", "unprotected"),
    "fo": ("fo", "frans", "franse", "french", "frans met", "frans met condoom"),
    "fo_zonder": ("fo zonder", "frans zonder", "frans zonder condoom", "french without", "owo"),
    "pijpen": ("pijpen", "pijpen met", "pijpen met condoom", "blowjob", "blow job", "bj", "orale seks",
               "oral", "oraal", "oraal met condoom"),
    "pijpen_zonder": ("pijpen zonder", "pijpen zonder condoom", "bbbj", "bbj", "blowjob zonder",
                      "blowjob zonder condoom", "oraal zonder", "oraal zonder condoom", "oral without condom",
                      "oral without"),
    "av": ("av", "anaal", "anal", "anale seks", "anale sex", "anaal verkeer", "a-level", "griekse", "grieks",
           "greek"),
    "av_zonder": ("av zonder", "anaal zonder", "anaal zonder condoom", "anal without condom"),
    "cim": ("cim", "klaarkomen in mond", "klaarkomen in de mond", "komen in mond", "spuiten in mond",
            "cum in mouth"),
    "cob": ("cob", "klaarkomen op lichaam", "klaarkomen op het lichaam", "komen op lichaam", "cum on body"),
    "facial": ("facial", "klaarkomen op gezicht", "klaarkomen in gezicht", "komen op gezicht", "cum on face"),
    "slikken": ("slikken", "swallow", "swallowing"),
    "zoenen": ("zoenen", "kussen", "kissing", "dfk"),  # not "kisses": a closing greeting ("Kisses, Anna")
    "tongzoenen": ("tongzoenen", "tong zoenen", "tongen", "french kiss", "french kissing", "franse zoen"),
    "beffen": ("beffen", "laten beffen", "cunnilingus", "likken", "lick", "licking"),
    "vingeren": ("vingeren", "fingering"),
    "rimming": ("rimmen", "rimming", "kontlikken", "anaal likken"),
    "handjob": ("aftrekken", "handjob", "hand job", "hj", "afrukken"),
    "footjob": ("footjob", "voetjob", "voetenwerk"),
    "deepthroat": ("deepthroat", "deep throat", "diep pijpen", "keelneuken"),
    "69": ("standje 69", "69 standje", "69-standje", "position 69"),
    "massage": ("massage", "erotische massage", "body to body", "body-to-body", "b2b", "bodyslide", "tantra",
                "tantra massage", "nuru", "nuru massage", "happy ending", "prostaatmassage", "lingam"),
    "striptease": ("striptease", "strip tease", "lapdance", "lap dance", "paaldansen"),
    "rollenspel": ("rollenspel", "rollenspellen", "roleplay", "role play", "rollenspelletjes"),
    "sm": ("sm", "s/m", "s&m", "bdsm", "sado", "sadomasochisme", "bondage", "meesteres", "mistress", "domina",
           "dominant", "dominante", "onderdanig", "submissive", "slavin", "spanking", "billenkoek"),
    "dildo": ("dildo", "dildo's", "dildoshow", "dildo show", "speeltjes", "seksspeeltjes", "toys", "sextoys", "strapon", "strap-on",
              "voorbinddildo"),
    "golden_shower": ("golden shower", "gs", "plassex", "plasseks", "watersport", "plassen", "pissen"),
    "kaviaar": ("kaviaar", "scat", "caviar"),
    "fisting": ("fisting", "vuistneuken", "vuisten"),
    "duo": ("duo", "trio", "triootje", "threesome", "met vriendin", "met een vriendin", "2 dames",
            "twee dames", "2 meiden", "twee meiden", "lesbo show", "lesboshow", "lesbische show"),
    "gangbang": ("gangbang", "gang bang", "meerdere mannen"),
    "escort": ("escort", "escortservice", "escort service", "outcall", "out call"),
    "gfe": ("gfe", "girlfriend experience", "girl friend experience", "vriendinnen ervaring",
            "vriendinnenervaring", "vriendinnetjes ervaring"),
    "pse": ("pse", "pornstar experience", "porn star experience"),
    "couples": ("stellen", "koppels", "couples", "voor stellen"),
    "webcam": ("webcam", "webcamsex", "camsex", "cam sex", "sexting"),
    "overnachting": ("overnachting", "overnight", "hele nacht", "whole night"),
    "knuffelen": ("knuffelen", "knuffel", "cuddling", "cuddle", "cuddles"),
    "douchen": ("samen douchen", "douchen samen", "samen onder de douche", "shower together", "douche samen"),
    "voetfetisj": ("voetfetisj", "voetfetish", "voetenfetisj", "foot fetish", "footfetish", "voeten"),
    "no_limits": ("alles kan", "kan alles", "alles mag", "geen grenzen", "zonder grenzen", "geen taboes", "no limits", "no taboos",
                  "extreem", "extreme"),
}
# Phrases that only count in the site's own service list: as free text they are mostly something else
# ("69 euro", "kussen" on a bed, "frans" as a language, "strip" of a road).
DECLARED_ONLY = frozenset({"69", "extreem", "extreme", "voeten", "knuffel", "dominant", "dominante", "frans", "franse", "french", "greek", "grieks",
    "griekse", "kussen", "lick", "licking", "likken", "oraal", "oral", "pissen", "plassen", "s&m", "s/m",
    "stellen", "strip", "tongen", "toys", "vuisten"})
_DECLARED_EXTRA: dict[str, tuple[str, ...]] = {"69": ("69",), "striptease": ("strip",)}
# fmt: on

# A refusal names the service right after a negator, or a list of services after one:
# "geen anaal", "niet: AV, GV zonder of zoenen", "no kissing". "geen haast, GFE" is no refusal of GFE:
# only separators and other services may stand between the negator and the service.
_NEGATOR_BEFORE = re.compile(
    r"\b(?:geen|niet|nooit|no|not|never)\b(?:\s{0,3}:)?(?:\s{1,3}(?:aan|doe\s{1,3}ik|ik\s{1,3}doe|i\s{1,3}do|do))?[\s:]*$",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(r"^[\s,/&+:;\-]*(?:\b(?:en|of|and|or|noch|nor)\b[\s,]*)?$", re.IGNORECASE)
_NEGATION_AFTER = re.compile(
    r"[ \t]{0,3}[:=\-]?[ \t]{0,3}(?:(?:doe|wil|do)\s{1,3}(?:ik|i)\s{1,3})?(?:nee|no|niet|never|nooit|geen|not|❌|✖|✗|✘|⛔|🚫)(?!\w)",
    re.IGNORECASE,
)
_CONDOM_REQUIRED = re.compile(
    r"\b(?:altijd|always|alleen|only|uitsluitend|strikt|strictly|nooit|never|niet|not)\s{1,3}(?:met|with|zonder|without)?\s{0,3}$",
    re.IGNORECASE,
)

_MAX_TEXT = 200_000


_WORD_RE = re.compile(r"[^\W_]+")
_INNER_GAP = r"[\s\-/&'’.]{0,3}"  # between the words of one phrase: "s/m", "strap-on", "a.v."


@dataclass(frozen=True)
class _Vocabulary:
    first_words: frozenset[str]
    tails: dict[
        str, tuple[tuple[re.Pattern[str], str], ...]
    ]  # first word -> (rest of phrase, code), longest first


@cache
def _vocabulary(declared: bool) -> _Vocabulary:
    phrases: dict[tuple[str, ...], str] = {}
    entries = [(code, p) for code, ps in SERVICES.items() for p in ps]
    if declared:
        entries += [(code, p) for code, ps in _DECLARED_EXTRA.items() for p in ps]
    for code, phrase in entries:
        if declared or phrase not in DECLARED_ONLY:
            phrases.setdefault(tuple(_WORD_RE.findall(phrase.lower())), code)
    tails: dict[str, list[tuple[int, re.Pattern[str], str]]] = {}
    for words, code in phrases.items():
        tail = "".join(f"{_INNER_GAP}{re.escape(w)}(?![^\\W_])" for w in words[1:])
        tails.setdefault(words[0], []).append((len(words), re.compile(tail), code))
    return _Vocabulary(
        first_words=frozenset(tails),
        tails={
            w: tuple((rx, code) for _, rx, code in sorted(t, key=lambda x: -x[0])) for w, t in tails.items()
        },
    )


@cache
def _word_re(word: str) -> re.Pattern[str]:
    """The literal first, so the regex engine can search for it quickly; the left edge is checked after."""
    return re.compile(rf"{re.escape(word)}(?![^\W_])")


def _is_word_char(c: str) -> bool:
    return c.isalnum()


def _lowered(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)  # keep offsets true ("İ")


def _matches(text: str, declared: bool) -> list[tuple[str, int, int]]:
    """(code, start, end) of each phrase, longest first at each word, left to right.

    The words of the text are compared as a set first (fast, in C); only the words that can start a
    phrase are then looked up where they stand.
    """
    vocabulary = _vocabulary(declared)
    lowered = _lowered(text)
    present = vocabulary.first_words.intersection(_WORD_RE.findall(lowered))
    if not present:
        return []
    starts = sorted(
        (m.start(), m.end(), w)
        for w in present
        for m in _word_re(w).finditer(lowered)
        if not (m.start() and _is_word_char(lowered[m.start() - 1]))
    )
    found: list[tuple[str, int, int]] = []
    last_end = -1
    for start, end, word in starts:
        if start < last_end:
            continue
        for tail, code in vocabulary.tails[word]:
            m = tail.match(lowered, end)
            if m:
                found.append((code, start, m.end()))
                last_end = m.end()
                break
    return found


def _codes_in(text: str, declared: bool) -> list[str]:
    codes: list[str] = []
    previous_end, previous_negated = 0, False
    for code, start, end in _matches(text, declared):
        gap = text[previous_end:start]
        if previous_negated and len(gap) <= 40 and _LIST_GAP.match(gap):
            negated = True
        else:
            negated = bool(_NEGATOR_BEFORE.search(text, max(previous_end, start - 40), start))
        if not negated and _NEGATION_AFTER.match(text, end):
            negated = True
        if code == "zonder_condoom" and _CONDOM_REQUIRED.search(text, max(0, start - 30), start):
            negated = True  # "nooit zonder condoom", "altijd met condoom"
        previous_end, previous_negated = end, negated
        if not negated:
            codes.append(code)
    return codes


def find_services(text: str | None, declared: Iterable[str] | None = None) -> list[str]:
    """Canonical service codes offered, from the declared list and the text; sorted, without repeats."""
    codes: set[str] = set()
    for item in declared or ():
        if isinstance(item, str) and item.strip():
            codes.update(_codes_in(item[:500], declared=True))
    if text and isinstance(text, str):
        codes.update(_codes_in(text[:_MAX_TEXT], declared=False))
    # "pijpen zonder" also says "pijpen"; keep both: the catalogue decides what each means.
    return sorted(codes)
