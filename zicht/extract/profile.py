"""Profile facts: working hours and 24/7 availability, languages, stated origin, reception type.

Stated origin is special-category data (it can reveal ethnicity): it is read so that an analyst sees
what the ad claims and so that research on such claims can be checked, never to score a person on
its own. Values are coarse, neutral codes: an ISO 3166 country code when a nationality or country is
stated ("RO", "BR"), otherwise a region ("eastern_europe", "latin_america", "asia", ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote, urlsplit

from zicht.extract.types import Span

PROFILE_VERSION = "profile-3"

_MAX_TEXT = 200_000


def _lowered(text: str) -> str:
    """Lower case with the same length, so spans found in it are spans in the text."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# --- hours ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    hours: str | None  # the declared hours, or time ranges found in the text, as written (tidied)
    available_247: bool  # "24/7", "dag en nacht", "altijd beschikbaar", a declared 00:00–24:00
    span: Span | None = None  # where the text says it is available around the clock


# Patterns run on lower-cased text, without re.IGNORECASE (a case-insensitive alternation scans slowly).
_ALWAYS = re.compile(
    r"24\s{0,3}(?:/|x|-|\\|op|hr?s?\s{0,3}/)\s{0,3}7"
    r"|24\s{0,3}(?:uur|u|h|hours?)\s{0,3}(?:per\s{1,3}dag|p/d|a\s{1,3}day|per\s{1,3}day|/\s{0,3}7|,?\s{0,3}7\s{0,3}dagen|,?\s{0,3}7\s{0,3}days)"
    r"|dag\s{1,3}en\s{1,3}nacht|day\s{1,3}(?:and|&)\s{1,3}night|nacht\s{1,3}en\s{1,3}dag"
    r"|altijd\s{1,3}(?:beschikbaar|bereikbaar|open|klaar|available)|always\s{1,3}(?:available|open)|available\s{1,3}anytime"
    r"|any\s{0,3}time\s{1,3}(?:day|of\s{1,3}the\s{1,3}day)|rond\s{1,3}de\s{1,3}klok|round\s{1,3}the\s{1,3}clock|around\s{1,3}the\s{1,3}clock"
    r"|non[\s-]?stop|24\s{0,3}(?:uur|u|h)\s{1,3}(?:beschikbaar|bereikbaar|open|available)"
)
_ALWAYS_KEYWORDS = ("24", "nacht", "night", "altijd", "always", "anytime", "any time", "klok", "clock", "non")
_TIME = r"(?:[01]?\d|2[0-4])(?:[:.h]\s?[0-5]\d)?"
_RANGE = re.compile(
    rf"(?=[\dvf])(?<![\d:.])(?:van\s{{1,3}}|from\s{{1,3}})?(?P<a>{_TIME})\s{{0,3}}(?:uur|u|h)?\s{{0,3}}(?:-|–|—|tot|t/m|to|till|until)\s{{0,3}}"
    rf"(?P<b>{_TIME})\s{{0,3}}(?:uur|u\b|h\b)?(?![\d:])"
)
_ALL_DAY = re.compile(
    r"^(?:0?0[:.]?0{0,2})\s{0,3}(?:-|–|tot|to)\s{0,3}(?:24[:.]?0{0,2}|23[:.]59|0?0[:.]?0{0,2})$"
)


def parse_hours(declared: str | None, text: str | None) -> Hours:
    """Working hours as the ad gives them, and whether it claims availability around the clock."""
    declared_clean = (
        " ".join(declared.split())[:200] if isinstance(declared, str) and declared.strip() else None
    )
    text = text[:_MAX_TEXT] if isinstance(text, str) else ""
    lowered = _lowered(text)
    always = _ALWAYS.search(lowered) if any(k in lowered for k in _ALWAYS_KEYWORDS) else None
    span = Span(always.start(), always.end(), text[always.start() : always.end()]) if always else None
    declared_always = False
    if declared_clean:
        d = declared_clean.lower()
        declared_always = bool(
            _ALWAYS.search(d) or _ALL_DAY.match(d.strip()) or d in ("24 uur", "24u", "24h")
        )
    hours = declared_clean
    if hours is None:
        ranges = [
            text[m.start("a") : m.end()].strip() for m in _RANGE.finditer(lowered) if _plausible_range(m)
        ]
        hours = "; ".join(dict.fromkeys(ranges))[:200] or None
    return Hours(hours=hours, available_247=bool(always) or declared_always, span=span)


# Words a working-hours field may hold without a time ("ma t/m vr", "weekend", "op afspraak").
_HOURS_WORDS = re.compile(
    r"(?<![^\W\d_])(?:ma|di|wo|do|vr|za|zo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    r"mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|weekdagen|"
    r"werkdagen|doordeweeks|dagelijks|daily|overdag|ochtend|middag|avond|nacht|morning|afternoon|evening|night|"
    r"afspraak|appointment|flexibel|flexible|altijd|always|wisselend|varies)(?![^\W\d_])"
)


def hours_readable(declared: str | None) -> bool:
    """Whether a declared working-hours field says anything about hours: a time range, around the
    clock, or day and part-of-day words. "zzz" does not, and is reported instead of stored."""
    if not isinstance(declared, str) or not declared.strip():
        return False
    d = " ".join(_lowered(declared[:200]).split())
    return bool(
        _ALWAYS.search(d)
        or _ALL_DAY.match(d)
        or d in ("24 uur", "24u", "24h")
        or any(_plausible_range(m) for m in _RANGE.finditer(d))
        or _HOURS_WORDS.search(d)
    )


def _plausible_range(m: re.Match[str]) -> bool:
    """ "10:00-22:00" and "van 10 tot 2 uur" are hours; "2-3" of something else is not."""
    a, b = m.group("a"), m.group("b")
    has_clock = any(c in a + b for c in ":.h") or "uur" in m.group() or "van" in m.group()
    return has_clock and a != b


# --- languages ------------------------------------------------------------------------------------

LANGUAGES: dict[str, tuple[str, ...]] = {
    "nl": ("nederlands", "dutch", "hollands", "vlaams", "niederländisch"),
    "en": ("engels", "english", "englisch", "inglés", "ingles", "angielski"),
    "de": ("duits", "german", "deutsch"),
    "fr": ("frans", "french", "français", "francais", "französisch"),
    "es": ("spaans", "spanish", "español", "espanol", "spanisch"),
    "pt": ("portugees", "portuguese", "português", "portugues"),
    "it": ("italiaans", "italian", "italiano"),
    "pl": ("pools", "polish", "polski"),
    "ro": ("roemeens", "romanian", "română", "romana", "moldavisch"),
    "bg": ("bulgaars", "bulgarian"),
    "hu": ("hongaars", "hungarian", "magyar"),
    "cs": ("tsjechisch", "czech"),
    "sk": ("slowaaks", "slovak"),
    "ru": ("russisch", "russian", "русский"),
    "uk": ("oekraïens", "oekraiens", "ukrainian", "українська"),
    "lt": ("litouws", "lithuanian"),
    "lv": ("lets", "latvian"),
    "sr": ("servisch", "serbian"),
    "hr": ("kroatisch", "croatian"),
    "sq": ("albanees", "albanian"),
    "el": ("grieks", "greek"),
    "tr": ("turks", "turkish"),
    "ar": ("arabisch", "arabic"),
    "th": ("thais", "thai"),
    "zh": ("chinees", "chinese", "mandarijn", "mandarin", "kantonees", "cantonese"),
    "ja": ("japans", "japanese"),
    "ko": ("koreaans", "korean"),
    "vi": ("vietnamees", "vietnamese"),
    "tl": ("tagalog", "filipijns", "filipino"),
    "id": ("indonesisch", "indonesian"),
    "pap": ("papiaments", "papiamento", "papiamentu"),
    "sw": ("swahili",),
}
_LANGUAGE_CODES = {"nl", "en", "eng", "de", "fr", "es", "pt", "it", "pl", "ro", "ru"}
_LANGUAGE_NAME = {name: code for code, names in LANGUAGES.items() for name in names}
_LANGUAGE_CUE = re.compile(
    r"\b(?:ik\s{1,3}spreek|spreek|spreekt|spreken|talen|taal|languages?|i\s{1,3}speak|speaks?|sprache|sprachen|"
    r"habla|hablo|vloeiend|fluent)\b"
)
_LANGUAGE_KEYWORDS = ("spre", "taal", "talen", "language", "speak", "sprach", "habl", "vloeiend", "fluent")
_WORD = re.compile(r"[^\W\d_]+")
_CLAUSE_END = re.compile(r"[.!?\n;]|\b(?:maar|but|ik\s{1,3}ben|i\s{1,3}am)\b")


def find_languages(text: str | None, declared: str | None = None) -> list[str]:
    """Languages the ad says are spoken, as ISO 639 codes, sorted.

    In free text only after a cue ("ik spreek", "talen:", "I speak"): "Frans" and "Grieks" are also
    service names, "Thais" a massage style. A declared languages field is read without a cue.
    """
    codes: set[str] = set()
    if isinstance(declared, str) and declared.strip():
        low = _lowered(declared[:500])
        cue = _LANGUAGE_CUE.search(low)
        codes |= _languages_in(low[cue.end() :] if cue else low, allow_codes=True)
    if isinstance(text, str) and text:
        low = _lowered(text[:_MAX_TEXT])
        cues = _LANGUAGE_CUE.finditer(low) if any(k in low for k in _LANGUAGE_KEYWORDS) else ()
        for cue in cues:
            rest = low[cue.end() : cue.end() + 160]
            end = _CLAUSE_END.search(rest)
            codes |= _languages_in(rest[: end.start()] if end else rest, allow_codes=True)
    return sorted(codes)


def _languages_in(fragment: str, allow_codes: bool) -> set[str]:
    """Language names; two-letter codes only in a list of codes ("NL, EN, DE"): beside names they are
    words ("Nederlands en Duits": "en" is "and", "de" is "the")."""
    words = _WORD.findall(fragment)
    found = {_LANGUAGE_NAME[w] for w in words if w in _LANGUAGE_NAME}
    if allow_codes and not found:
        found = {"en" if w == "eng" else w for w in words if w in _LANGUAGE_CODES}
    return found


# --- stated origin --------------------------------------------------------------------------------

# Adjectives and country names → code. Region codes where the ad names a region, not a country.
ORIGINS: dict[str, tuple[str, ...]] = {
    "NL": ("nederlandse", "nederlands", "hollandse", "hollands", "dutch", "nederland", "holland"),
    "BE": ("belgische", "belgisch", "belgian", "belgië", "belgie", "belgium", "vlaamse"),
    "DE": ("duitse", "duits", "german", "duitsland", "germany"),
    "FR": ("franse", "french", "frankrijk", "france"),
    "ES": ("spaanse", "spanish", "spanje", "spain"),
    "PT": ("portugese", "portuguese", "portugal"),
    "IT": ("italiaanse", "italian", "italië", "italie", "italy"),
    "GB": ("engelse", "britse", "british", "english", "engeland", "england"),
    "PL": ("poolse", "polish", "polen", "poland"),
    "RO": ("roemeense", "romanian", "roemenië", "roemenie", "romania"),
    "BG": ("bulgaarse", "bulgarian", "bulgarije", "bulgaria"),
    "HU": ("hongaarse", "hungarian", "hongarije", "hungary"),
    "CZ": ("tsjechische", "czech", "tsjechië", "tsjechie"),
    "SK": ("slowaakse", "slovak", "slowakije", "slovakia"),
    "RU": ("russische", "russian", "rusland", "russia"),
    "UA": ("oekraïense", "oekraiense", "ukrainian", "oekraïne", "oekraine", "ukraine"),
    "MD": ("moldavische", "moldovan", "moldavië", "moldavie", "moldova"),
    "LT": ("litouwse", "lithuanian", "litouwen", "lithuania"),
    "LV": ("letse", "latvian", "letland", "latvia"),
    "RS": ("servische", "serbian", "servië", "servie", "serbia"),
    "HR": ("kroatische", "croatian", "kroatië", "kroatie", "croatia"),
    "AL": ("albanese", "albanian", "albanië", "albanie", "albania"),
    "GR": ("griekse", "greek", "griekenland", "greece"),
    "TR": ("turkse", "turkish", "turkije", "turkey"),
    "MA": ("marokkaanse", "moroccan", "marokko", "morocco"),
    "NG": ("nigeriaanse", "nigerian", "nigeria"),
    "GH": ("ghanese", "ghanaian", "ghana"),
    "BR": ("braziliaanse", "brazilian", "brazilië", "brazilie", "brazil"),
    "CO": ("colombiaanse", "colombian", "colombia"),
    "VE": ("venezolaanse", "venezuelan", "venezuela"),
    "DO": ("dominicaanse", "dominican", "dominicaanse republiek"),
    "CU": ("cubaanse", "cuban", "cuba"),
    "AR": ("argentijnse", "argentinian", "argentina", "argentinië", "argentinie"),
    "PE": ("peruaanse", "peruvian", "peru"),
    "MX": ("mexicaanse", "mexican", "mexico"),
    "SR": ("surinaamse", "surinamese", "suriname"),
    "CW": ("curaçaose", "curacaose", "antilliaanse", "antillian", "curaçao", "curacao"),
    "TH": ("thaise", "thai", "thailand"),
    "PH": ("filipijnse", "filipina", "filipino", "filippijnen", "philippines"),
    "CN": ("chinese", "china"),
    "JP": ("japanse", "japanese", "japan"),
    "KR": ("koreaanse", "korean", "korea"),
    "VN": ("vietnamese", "vietnam"),
    "ID": ("indonesische", "indonesian", "indonesië", "indonesie", "indonesia"),
    "IN": ("indiase", "indian", "india"),
    "eastern_europe": (
        "oost-europese",
        "oosteuropese",
        "oost europese",
        "oost-europa",
        "oost europa",
        "east european",
        "eastern european",
        "eastern europe",
    ),
    "latin_america": (
        "latina",
        "latijns-amerikaanse",
        "latijns amerikaanse",
        "latijnse",
        "latin",
        "zuid-amerikaanse",
        "zuid amerikaanse",
        "south american",
        "latin american",
        "latino",
    ),
    "asia": ("aziatische", "aziatisch", "asian", "azië", "azie", "asia", "oosterse", "oriental"),
    "africa": ("afrikaanse", "afrikaans", "african", "afrika", "africa"),
    "caribbean": ("caribische", "caribisch", "caribbean", "antillen"),
    "middle_east": ("arabische", "arabisch", "arabian", "arab", "midden-oosten", "perzische", "persian"),
    "western_europe": ("west-europese", "west europese", "western european"),
    "europe": ("europese", "european"),
    "scandinavia": (
        "scandinavische",
        "scandinavian",
        "scandinavië",
        "scandinavie",
        "zweedse",
        "swedish",
        "deense",
        "danish",
        "noorse",
        "norwegian",
    ),
    "mixed": ("gemengd", "mixed", "halfbloed"),
}
# Bare adjectives ("Spaans", "Pools") are also language names: only read in the declared origin field.
_DECLARED_ORIGIN_EXTRA: dict[str, str] = {
    "latijns-amerikaans": "latin_america", "latijns amerikaans": "latin_america", "zuid-amerikaans": "latin_america",
    "oost-europees": "eastern_europe", "oost europees": "eastern_europe", "west-europees": "western_europe",
    "europees": "europe", "surinaams": "SR", "antilliaans": "CW", "curaçaos": "CW", "marokkaans": "MA",
    "turks": "TR", "braziliaans": "BR", "colombiaans": "CO", "venezolaans": "VE", "dominicaans": "DO",
    "cubaans": "CU", "roemeens": "RO", "bulgaars": "BG", "hongaars": "HU", "pools": "PL", "russisch": "RU",
    "oekraïens": "UA", "oekraiens": "UA", "thais": "TH", "chinees": "CN", "japans": "JP", "belgisch": "BE",
    "frans": "FR", "spaans": "ES", "italiaans": "IT", "portugees": "PT", "grieks": "GR", "nigeriaans": "NG",
    "ghanees": "GH", "filipijns": "PH", "indonesisch": "ID", "indiaas": "IN", "mexicaans": "MX",
    "peruaans": "PE", "argentijns": "AR", "kroatisch": "HR", "servisch": "RS", "albanees": "AL",
    "moldavisch": "MD", "litouws": "LT", "lets": "LV", "tsjechisch": "CZ", "slowaaks": "SK",
    "scandinavisch": "scandinavia", "koreaans": "KR", "vietnamees": "VN", "engels": "GB", "brits": "GB",
}  # fmt: skip
_ORIGIN_NAME = {name: code for code, names in ORIGINS.items() for name in names}
_ORIGIN_LABEL_KEYWORDS = ("afkomst", "etnici", "ethnic", "nationali")
_DECLARED_ORIGIN_NAME = {**_DECLARED_ORIGIN_EXTRA, **_ORIGIN_NAME}
_ORIGIN_WORD = re.compile(r"[^\W\d_]+")
_ORIGIN_FIRST_WORD = {name: _ORIGIN_WORD.findall(name)[0] for name in _ORIGIN_NAME}
_ORIGIN_FIRST_WORDS = frozenset(_ORIGIN_FIRST_WORD.values())
_ORIGIN_BY_LENGTH = sorted(_ORIGIN_NAME, key=len, reverse=True)
# In free text an origin needs a frame: "<adjective> dame/meid/...", "uit/from <country>", "ik ben <adj>",
# "afkomst: <...>". Each frame is checked only around an origin word, never scanned over the whole text.
_PERSON_AFTER = re.compile(
    r"\s{1,3}(?:(?:jonge|mooie|lieve|sexy|hete|geile|echte|hot|young|sweet|beautiful|pretty)\s{1,3})?"
    r"(?:dame|dametje|meid|meisje|meiden|vrouw|vrouwtje|schoonheid|studente|girl|lady|babe|beauty|woman|milf|"
    r"tiener|brunette|blondine|model|escort|godin|goddess|prinses|princess|sweetheart|schatje|jongen|man|"
    r"trans|shemale|ts|vriendin|dames|girls|ladies)\b"
)
_FRAME_BEFORE = re.compile(
    r"(?:\b(?:uit|from|afkomstig\s{1,3}uit|origin(?:e|ally)?\s{1,3}from|geboren\s{1,3}in|born\s{1,3}in)\s{1,3}(?:het\s{1,3}|de\s{1,3}|the\s{1,3})?"
    r"|\b(?:ik\s{1,3}ben\s{1,3}(?:een\s{1,3})?|i\s{1,3}am\s{1,3}(?:an?\s{1,3})?|i'm\s{1,3}(?:an?\s{1,3})?)"
    r"|\b(?:afkomst|etniciteit|ethnicity|nationaliteit|nationality|origin)\s{0,3}[:=]?\s{0,3})$"
)
_STANDALONE = frozenset({"latina", "latino", "filipina"})
# "Afkomst: Bulgaars", "Nationaliteit: Roemeens": a label, then the value as a declared field would hold it.
_ORIGIN_LABEL = re.compile(
    r"\b(?:afkomst|etniciteit|ethnicity|nationaliteit|nationality)\s{0,3}[:=]\s{0,3}(?P<v>[^\W\d_][^\n.,;!?:]{0,39})"
)
# A Dutch adjective standing alone as a phrase ("Oost-Europese!", "Roemeense, 23 jaar"): at the start of
# the text or a line and followed by punctuation or the end.
_PHRASE_START = re.compile(r"(?:^|[\n.!?:|•])\s{0,3}$")
_PHRASE_END = re.compile(r"\s{0,3}(?:$|[,!.\n;|•])")


@dataclass(frozen=True)
class Origin:
    code: str | None  # ISO 3166 alpha-2 ("RO") or a region ("eastern_europe"); None when not read
    declared: bool  # from the site's origin field, not the text
    span: Span | None = None
    unread: str | None = None  # a declared value that is not in the vocabulary, kept for the analyst


def parse_origin(declared: str | None, text: str | None) -> Origin:
    """The origin the ad states: the declared field first, else a stated origin in the text."""
    if isinstance(declared, str) and declared.strip():
        value = " ".join(_lowered(declared[:100]).replace("_", " ").split()).strip(" .:-")
        code = _DECLARED_ORIGIN_NAME.get(value) or _first_origin_word(value)
        if code:
            return Origin(code, True)
        if value in ("anders", "other", "overig", "onbekend", "unknown", "-", "n.v.t.", "nvt"):
            return Origin(None, True)
        return Origin(None, True, unread=declared.strip()[:100])
    if not isinstance(text, str) or not text:
        return Origin(None, False)
    lowered = _lowered(text[:_MAX_TEXT])
    label = _ORIGIN_LABEL.search(lowered) if any(k in lowered for k in _ORIGIN_LABEL_KEYWORDS) else None
    if label:
        value = label.group("v").strip()
        code = _DECLARED_ORIGIN_NAME.get(value) or _first_origin_word(value)
        if code:
            start = label.start("v")
            return Origin(code, False, Span(start, start + len(value), text[start : start + len(value)]))
    present = _ORIGIN_FIRST_WORDS.intersection(_ORIGIN_WORD.findall(lowered))
    if not present:
        return Origin(None, False)
    candidates = sorted(
        (m.start(), m.end(), name)
        for name in _ORIGIN_BY_LENGTH
        if _ORIGIN_FIRST_WORD[name] in present
        for m in _name_re(name).finditer(lowered)
        if not (m.start() and lowered[m.start() - 1].isalnum())
    )
    covered = -1
    for start, end, name in candidates:
        if start < covered:
            continue  # "oost-europese" already read; not again as "europese"
        covered = end
        if (
            name in _STANDALONE
            or _PERSON_AFTER.match(lowered, end)
            or _FRAME_BEFORE.search(lowered, max(0, start - 40), start)
            or (
                name.endswith("e")
                and _PHRASE_START.search(lowered, max(0, start - 4), start)
                and _PHRASE_END.match(lowered, end)
            )
        ):
            return Origin(_ORIGIN_NAME[name], False, Span(start, end, text[start:end]))
    return Origin(None, False)


@cache
def _name_re(name: str) -> re.Pattern[str]:
    return re.compile(r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", name)) + r"(?![^\W_])")


def _first_origin_word(value: str) -> str | None:
    for name in sorted(_DECLARED_ORIGIN_NAME, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", value):
            return _DECLARED_ORIGIN_NAME[name]
    return None


# --- reception --------------------------------------------------------------------------------------

RECEPTION_TYPES = (
    "prive_ontvangst",
    "thuisontvangst",
    "escort",
    "hotel",
    "erotische_massage",
    "massage",
    "club",
    "raam",
    "webcam",
)
_RECEPTION_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "thuisontvangst",
        re.compile(
            r"thuis\s{0,3}-?\s{0,3}ontvangst|ontvang\w{0,6}\s{1,3}(?:je|u|jou|heren|mannen)?\s{0,3}(?:bij\s{1,3}mij\s{1,3})?thuis"
            r"|bij\s{1,3}mij\s{1,3}thuis|at\s{1,3}my\s{1,3}(?:home|house|apartment)"
        ),
    ),
    (
        "prive_ontvangst",
        re.compile(
            r"priv[ée]\s{0,3}-?\s{0,3}ontvangst|priv[ée]\s{0,3}-?\s{0,3}huis|priv[ée]\s{0,3}-?\s{0,3}kamer"
            r"|eigen\s{1,3}ontvangst|\bincall\b|in\s{1,3}call|privehuis|privéhuis"
        ),
    ),
    (
        "erotische_massage",
        re.compile(
            r"erotische?\s{0,3}-?\s{0,3}massage|body\s{0,3}-?\s{0,3}to\s{0,3}-?\s{0,3}body|tantra|nuru|"
            r"happy\s{1,3}ending|sensual\s{1,3}massage|erotic\s{1,3}massage"
        ),
    ),
    (
        "escort",
        re.compile(
            r"\bescort\b|escortservice|\boutcall\b|out\s{1,3}call|kom\s{1,3}naar\s{1,3}(?:je|jou|u)\s{1,3}toe"
            r"|bij\s{1,3}(?:jou|u)\s{1,3}thuis|aan\s{1,3}huis"
        ),
    ),
    ("hotel", re.compile(r"\bhotel\b|hotelkamer|hotelbezoek|hotel\s{1,3}visit")),
    ("club", re.compile(r"\bclub\b|seksclub|sexclub|parenclub|privéclub|priveclub")),
    ("raam", re.compile(r"\braam\b|achter\s{1,3}het\s{1,3}raam|raamprostitutie|window")),
    ("webcam", re.compile(r"\bwebcam|camsex|cam\s{0,3}show")),
    ("massage", re.compile(r"\bmassage")),
]
_RECEPTION_DECLARED = {
    "prive": "prive_ontvangst", "privé": "prive_ontvangst", "prive ontvangst": "prive_ontvangst",
    "privé ontvangst": "prive_ontvangst", "priveontvangst": "prive_ontvangst", "privéontvangst": "prive_ontvangst",
    "ontvangst": "prive_ontvangst", "incall": "prive_ontvangst",
    "thuisontvangst": "thuisontvangst", "thuis ontvangst": "thuisontvangst", "thuis": "thuisontvangst",
    "escort": "escort", "outcall": "escort", "escortservice": "escort",
    "hotel": "hotel", "massage": "massage", "erotische massage": "erotische_massage",
    "erotische-massage": "erotische_massage", "erotic massage": "erotische_massage",
    "club": "club", "raam": "raam", "webcam": "webcam",
}  # fmt: skip


def parse_reception(url: str | None, declared: str | None, text: str | None) -> str | None:
    """How the ad receives clients, one of ``RECEPTION_TYPES``.

    The declared field wins, then the site's category in the URL path (kinky.nl and sexjobs.nl file ads
    under /prive-ontvangst/, /escort/, /erotische-massage/ ...), then the first such phrase in the text.
    """
    if isinstance(declared, str) and declared.strip():
        value = " ".join(_lowered(declared[:100]).replace("-", " ").replace("_", " ").split())
        if value in _RECEPTION_DECLARED:
            return _RECEPTION_DECLARED[value]
        found = _reception_in(value)
        if found:
            return found
    if isinstance(url, str) and url:
        try:
            path = unquote(urlsplit(url[:2000]).path).lower()
        except ValueError:
            path = ""
        found = _reception_in(path.replace("/", " ").replace("-", " ").replace("_", " "))
        if found:
            return found
    if isinstance(text, str) and text:
        return _reception_in(_lowered(text[:_MAX_TEXT]))
    return None


_RECEPTION_KEYWORDS = {
    "thuisontvangst": ("thuis", "at my"),
    "prive_ontvangst": ("priv", "ontvangst", "incall", "in call"),
    "erotische_massage": ("massage", "body", "tantra", "nuru", "happy ending"),
    "escort": ("escort", "outcall", "out call", "toe", "thuis", "aan huis"),
    "hotel": ("hotel",),
    "club": ("club",),
    "raam": ("raam", "window"),
    "webcam": ("webcam", "camsex", "cam"),
    "massage": ("massage",),
}  # plain substring tests first: most patterns have nothing to find in most texts


def _reception_in(lowered: str) -> str | None:
    best: tuple[int, int, str] | None = None
    for rank, (code, pattern) in enumerate(_RECEPTION_PATTERNS):
        if not any(k in lowered for k in _RECEPTION_KEYWORDS[code]):
            continue
        m = pattern.search(lowered)
        if m and (best is None or (m.start(), rank) < best[:2]):
            best = (m.start(), rank, code)
    return best[2] if best else None
