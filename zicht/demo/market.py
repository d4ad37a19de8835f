"""Generate the synthetic demo market, with its ground truth, deterministically from a seed.

The market is built actor by actor (an independent worker, a telefonist network, an ad manager's
template network, a touring group, a scam operator), each from its own random stream, so a seed always
gives the same market and a stream of a million ads needs memory for one actor at a time (plus a small
pool of recent real profiles that scam operators copy from). The mix of actors follows ``ROLE_SHARES``
by ads, steered towards the target as ads are produced, so even a small market has every role.

Texts are assembled from ``zicht.demo.vocab``: neutral sentences never contain cue vocabulary, and
every cue sentence that goes in is recorded as a ``Cue`` in the truth, so the truth is exactly what was
written. Besides the stock sentences every writer has one or two of her own (``_own_words``): with
stock sentences only, unrelated texts read alike at national scale, which no real market does.
"""

from __future__ import annotations

import dataclasses
import random
import re
import unicodedata
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate

from zicht.demo import vocab
from zicht.demo.model import (
    OBSCURED_FORMAT_CLASSES,
    PAIR_CLASS,
    REACTION_MOVED,
    REACTION_PAUSED,
    REACTION_STAYED,
    REACTION_STOPPED,
    ROLE_INDEPENDENT,
    ROLE_SCAM,
    ROLE_TELEFONIST,
    ROLE_TEMPLATE,
    ROLE_TOURING,
    TELEGRAM_CLASS,
    TZ,
    WHATSAPP_CLASS,
    WHERE_FIELD,
    WHERE_PHOTO,
    WHERE_SERVICES,
    WHERE_TEXT,
    WHERE_TITLE,
    AdTruth,
    Cue,
    DemoAd,
    DemoIntervention,
    DemoPhoto,
    DemoVersion,
    Market,
    PersonaReaction,
    PhoneTruth,
    VersionTruth,
)
from zicht.extract.phone_formats import PHONE_FORMAT_CLASSES, render_phone

DEFAULT_START = date(2026, 10, 5)  # a Monday

# Share of ads per role. Independents are most of the market; the rest are the patterns to find.
ROLE_SHARES: dict[str, float] = {
    ROLE_INDEPENDENT: 0.62,
    ROLE_TELEFONIST: 0.10,
    ROLE_TEMPLATE: 0.09,
    ROLE_TOURING: 0.08,
    ROLE_SCAM: 0.11,
}
# How a persona advertising in the gemeente of the simulated control action reacts (shares), how long a
# pause lasts (days), and among how many of the nearest neighbours a moving persona chooses.
REACTION_SHARES: dict[str, float] = {
    REACTION_STOPPED: 0.40,
    REACTION_MOVED: 0.30,
    REACTION_PAUSED: 0.20,
    REACTION_STAYED: 0.10,
}
_REACTION_CUM = tuple(zip(REACTION_SHARES, accumulate(REACTION_SHARES.values()), strict=True))
_PAUSE_DAYS = (7, 21)
_NEAREST = 4
# Smallest actor of each kind that still shows its pattern (ads).
_MIN_ADS = {ROLE_INDEPENDENT: 1, ROLE_TELEFONIST: 3, ROLE_TEMPLATE: 5, ROLE_TOURING: 4, ROLE_SCAM: 3}

# Chance that a persona of a role carries a cue, per code (the rest of the codes: never).
CUE_RATES: dict[str, dict[str, float]] = {
    ROLE_INDEPENDENT: {
        "AVAILABLE_247": 0.05, "UNPROTECTED_SERVICES": 0.04, "EXTREME_SERVICES": 0.03, "YOUTH_EMPHASIS": 0.06,
        "TRUST_LANGUAGE": 0.12, "STATED_ORIGIN": 0.06, "NEW_IN_TOWN": 0.04, "RESTRICTED_CONTACT": 0.08,
        "HOTEL_OR_TEMP_LOCATION": 0.03,
    },
    ROLE_TELEFONIST: {
        "AVAILABLE_247": 0.45, "UNPROTECTED_SERVICES": 0.25, "EXTREME_SERVICES": 0.15, "YOUTH_EMPHASIS": 0.35,
        "TRUST_LANGUAGE": 0.3, "STATED_ORIGIN": 0.35, "THIRD_PERSON": 0.7, "MULTIPLE_WORKERS": 0.35,
        "NEW_IN_TOWN": 0.15, "RESTRICTED_CONTACT": 0.35, "HOTEL_OR_TEMP_LOCATION": 0.15,
    },
    ROLE_TEMPLATE: {
        "AVAILABLE_247": 0.5, "UNPROTECTED_SERVICES": 0.3, "EXTREME_SERVICES": 0.2, "YOUTH_EMPHASIS": 0.4,
        "TRUST_LANGUAGE": 0.4, "STATED_ORIGIN": 0.4, "THIRD_PERSON": 0.6, "MULTIPLE_WORKERS": 0.3,
        "NEW_IN_TOWN": 0.2, "RESTRICTED_CONTACT": 0.4, "HOTEL_OR_TEMP_LOCATION": 0.2,
    },
    ROLE_TOURING: {
        "AVAILABLE_247": 0.3, "UNPROTECTED_SERVICES": 0.15, "EXTREME_SERVICES": 0.1, "YOUTH_EMPHASIS": 0.3,
        "TRUST_LANGUAGE": 0.2, "STATED_ORIGIN": 0.45, "THIRD_PERSON": 0.2, "MULTIPLE_WORKERS": 0.45,
        "NEW_IN_TOWN": 1.0, "RESTRICTED_CONTACT": 0.3, "HOTEL_OR_TEMP_LOCATION": 0.4,
    },
    ROLE_SCAM: {
        "AVAILABLE_247": 0.2, "UNPROTECTED_SERVICES": 0.2, "YOUTH_EMPHASIS": 0.3, "TRUST_LANGUAGE": 0.7,
        "RESTRICTED_CONTACT": 0.6,
    },
}  # fmt: skip
DECOY_RATE = {
    ROLE_INDEPENDENT: 0.16,
    ROLE_TELEFONIST: 0.05,
    ROLE_TEMPLATE: 0.05,
    ROLE_TOURING: 0.05,
    ROLE_SCAM: 0.0,
}
# Decoy codes and how often each is chosen when an ad gets one.
_DECOY_WEIGHTS = {
    "UNPROTECTED_SERVICES": 8, "AVAILABLE_247": 1, "EXTREME_SERVICES": 2, "YOUTH_EMPHASIS": 1, "NEW_IN_TOWN": 1,
    "HOTEL_OR_TEMP_LOCATION": 1, "RESTRICTED_CONTACT": 1, "MULTIPLE_WORKERS": 1,
}  # fmt: skip

STOCK_PHOTOS = tuple(f"stock{n:02d}" for n in range(1, 7))  # hub: the same stock picture in unrelated ads
STOCK_PHOTO_RATE = 0.02
GENERIC_SENTENCE_RATE = 0.03

# Relative ad volume of the bigger gemeenten (CBS names); every other gemeente weighs 1.
CITY_WEIGHTS: dict[str, float] = {
    "Amsterdam": 60, "Rotterdam": 55, "'s-Gravenhage": 40, "Utrecht": 28, "Eindhoven": 22, "Tilburg": 15,
    "Groningen": 18, "Almere": 12, "Breda": 14, "Nijmegen": 14, "Arnhem": 14, "Haarlem": 10, "Enschede": 12,
    "Maastricht": 16, "Venlo": 16, "Heerlen": 16, "Sittard-Geleen": 13, "Roermond": 11, "Kerkrade": 9,
    "Zwolle": 9, "Apeldoorn": 9, "'s-Hertogenbosch": 12, "Leiden": 8, "Dordrecht": 10, "Schiedam": 10,
    "Vlaardingen": 8, "Capelle aan den IJssel": 7, "Nissewaard": 7, "Zoetermeer": 7, "Amersfoort": 8,
    "Leeuwarden": 8, "Emmen": 5, "Deventer": 6, "Alkmaar": 6, "Zaanstad": 7, "Haarlemmermeer": 6, "Delft": 5,
    "Gouda": 4, "Helmond": 6, "Oss": 5, "Lelystad": 4, "Weert": 6, "Venray": 5, "Brunssum": 5, "Landgraaf": 5,
    "Echt-Susteren": 4, "Ridderkerk": 4, "Barendrecht": 4, "Lansingerland": 3, "Maassluis": 4, "Westland": 4,
    "Hengelo (O.)": 5, "Den Helder": 5, "Vlissingen": 4, "Bergen op Zoom": 4, "Roosendaal": 4, "Hoorn": 4,
    "Purmerend": 4, "Hilversum": 4, "Ede": 4, "Stein (L.)": 3, "Beek (L.)": 3, "Gennep": 2, "Horst aan de Maas": 3,
    "Peel en Maas": 3, "Meerssen": 2, "Valkenburg aan de Geul": 3, "Vaals": 2, "Beekdaelen": 2, "Maasgouw": 2,
    "Hoeksche Waard": 3, "Voorne aan Zee": 3, "Krimpen aan den IJssel": 2, "Albrandswaard": 2,
}  # fmt: skip
# Province/police-unit multipliers on top: Limburg and the Rotterdam region are well represented.
_REGION_BOOST = {"PV31": 1.8, "RE07": 1.5}
_BIG_CITY_MIN_WEIGHT = 12  # cities at least this heavy are written with districts ("Rotterdam-Zuid")
_COMMON_NAMES = {"'s-Gravenhage": ("Den Haag", "den haag", "Den Haag", "'s-Gravenhage", "Scheveningen"),
                 "'s-Hertogenbosch": ("Den Bosch", "den bosch", "'s-Hertogenbosch", "s-Hertogenbosch",
                                      "'s Hertogenbosch")}  # fmt: skip

_SITE_CATEGORY = {
    "kinky": {"vrouw": "vrouwen", "man": "mannen", "stel": "stellen", "trans": "trans"},
    "sexjobs": None,  # sexjobs files ads by reception
    "redlights": {"vrouw": "dames", "man": "heren", "stel": "stellen", "trans": "trans"},
}
_SITE_RECEPTION = {
    "kinky": {"prive": "prive-ontvangst", "escort": "escort", "thuis": "thuisontvangst", "massage": "prive-ontvangst"},
    "sexjobs": {"prive": "thuisontvangst", "escort": "escort", "thuis": "thuisontvangst", "massage": "erotische-massage"},
    "redlights": {"prive": "thuisontvangst", "escort": "escort", "thuis": "thuisontvangst", "massage": "massage"},
}  # fmt: skip
_SITES = ("kinky", "sexjobs", "redlights")
_SITE_WEIGHTS = (0.45, 0.35, 0.20)
_RECEPTION_KINDS = ("prive", "escort", "thuis", "massage")
_RECEPTION_TEXT = {
    "prive": "prive-ontvangst",
    "escort": "escort",
    "thuis": "thuisontvangst",
    "massage": "massage",
}
_RECEPTION_WEIGHTS = (0.45, 0.25, 0.2, 0.1)

# Phone ranges that phonenumbers accepts as valid: (country prefix, national prefixes, digits after).
_PHONE_RANGES: dict[str, tuple[str, tuple[str, ...], int]] = {
    "NL": ("+316", ("1", "2", "3", "4", "5"), 7),
    "NL_LANDLINE": ("+31", ("10", "20", "43", "46", "45", "77", "70", "30", "40", "13", "76"), 7),
    "RO": ("+407", ("2", "3", "4", "5", "6", "7"), 7),
    "ES": ("+346", ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), 7),
    "CO": ("+57", ("300", "301", "304", "310", "311", "312", "313", "314", "315", "316", "320", "321"), 7),
    "VE": ("+584", ("12", "14", "16", "24", "26"), 7),
    "BG": ("+3598", ("7", "8", "9"), 7),
    "PL": ("+48", ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"), 7),
    "UA": ("+380", ("50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"), 7),
    "BE": ("+324", ("6", "7", "8", "9"), 7),
    "DE": (
        "+49",
        ("1512", "1520", "160", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179"),
        7,
    ),
    # Second numbers (``_second_number``): 068..., a range no persona's first number comes from, so a
    # second number can never equal anybody's first one. Last in this table: the offsets of the others stay.
    "NL_SECOND": ("+316", ("8",), 7),
}
_FOREIGN = ("RO", "ES", "CO", "VE", "BG", "PL", "UA", "BE", "DE")
_FOREIGN_WEIGHTS = (5, 2, 2, 1, 3, 2, 2, 2, 1)

# How numbers are written: the "toon nummer" field is mostly plain; free text uses every class.
FIELD_FORMAT_WEIGHTS = {"plain": 70, "dashed": 15, "spaced": 10, "international": 5}
TEXT_FORMAT_WEIGHTS = {c: 3 for c in PHONE_FORMAT_CLASSES} | {
    "plain": 14,
    "spaced": 12,
    "dashed": 12,
    "dotted": 6,
    "international": 8,
    "intl_00": 3,
    "bracketed": 4,
}
PHOTO_FORMAT_WEIGHTS = {"plain": 3, "spaced": 3, "dashed": 3, "dotted": 1, "international": 1}
_FIELD_CLASSES, _FIELD_CUM = tuple(FIELD_FORMAT_WEIGHTS), tuple(accumulate(FIELD_FORMAT_WEIGHTS.values()))
_TEXT_CLASSES, _TEXT_CUM = tuple(TEXT_FORMAT_WEIGHTS), tuple(accumulate(TEXT_FORMAT_WEIGHTS.values()))
_PHOTO_CLASSES, _PHOTO_CUM = tuple(PHOTO_FORMAT_WEIGHTS), tuple(accumulate(PHOTO_FORMAT_WEIGHTS.values()))

# Extras drawn from streams of their own (``_extras``), so adding them left the rest of the market as it was:
# a second number of the persona's own (every format class well represented, and two numbers separated by
# one space), a chat link carrying the number, and digit groups that are not numbers (look-alikes).
SECOND_NUMBER_RATE = 0.2  # personas with a second number of their own
# Format classes of second numbers: every class but the four the first numbers already use most.
SECOND_NUMBER_CLASSES = tuple(
    c for c in PHONE_FORMAT_CLASSES if c not in ("plain", "spaced", "dashed", "international")
)
PAIR_RATE = 0.35  # of drafts with a second number and no number in the text: written as a pair
LINK_RATE = 0.3  # of drafts with the number in the field only: a WhatsApp (2/3) or Telegram (1/3) link
LOOKALIKE_RATE = 0.45  # of drafts: one or two look-alike digit groups in the text
LANGUAGES_RATE = 0.25  # of personas: a sentence listing the languages they speak
HANDLE_RATE = 0.1  # of personas: a messenger handle (Snapchat, Instagram, Telegram) beside the number

_NEUTRAL_SERVICES = frozenset(vocab.SERVICES_NEUTRAL + vocab.SERVICES_NEUTRAL_EN)
_LINE_STARTS = frozenset(
    {"contact", "services_line", "rates", "closer", "handle"}
)  # segments that begin a new line
_SLUG_RE = re.compile(r"[^a-z0-9]+")


class _Rng(random.Random):
    """``random.Random`` with cheaper small draws (``int(random() * n)``): the generator makes dozens of
    draws per ad, and the standard rejection sampling was a fifth of the run time. The bias is below
    2**-40 for the ranges used here, and a seed still gives one stream."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        n = (stop - start + step - 1) // step
        if n <= 0:
            raise ValueError(f"empty range ({start}, {stop}, {step})")
        return start + step * int(self.random() * n)

    def randint(self, a: int, b: int) -> int:
        if b < a:
            raise ValueError(f"empty range ({a}, {b})")
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):  # type: ignore[override]
        if not seq:
            raise IndexError("cannot choose from an empty sequence")
        return seq[int(self.random() * len(seq))]

    def shuffle(self, x: list) -> None:  # type: ignore[override]
        for i in range(len(x) - 1, 0, -1):
            j = int(self.random() * (i + 1))
            x[i], x[j] = x[j], x[i]

    def sample(self, population, k: int, *, counts=None) -> list:  # type: ignore[override]
        pool = list(population)
        n = len(pool)
        if counts is not None or not 0 <= k <= n:
            raise ValueError("sample larger than population, or counts given")
        for i in range(k):
            j = i + int(self.random() * (n - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


# --- places -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PlaceTable:
    codes: tuple[str, ...]
    cum_weights: tuple[float, ...]
    forms: dict[str, tuple[tuple[str, ...], tuple[float, ...]]]  # gm -> (written forms, cum weights)


def _reference_tables() -> tuple[dict[str, tuple[str, str, str]], dict[str, tuple[str, ...]]]:
    """(gm_code -> (name, province_code, police_unit_code), gm_code -> woonplaatsen) from zicht.reference."""
    from zicht.reference import gemeenten, woonplaatsen_by_gemeente

    gems = {g.code: (g.name, g.province_code, g.police_unit_code) for g in gemeenten().values()}
    return gems, woonplaatsen_by_gemeente()


_SUFFIX_RE = re.compile(r"\s*\((?:[A-Z]{1,3})\.\)$")


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def _place_table(region_key: tuple[tuple[str, float], ...] = ()) -> _PlaceTable:
    gems, places = _reference_tables()
    name_count: dict[str, int] = {}
    for names in places.values():
        for n in names:
            name_count[n] = name_count.get(n, 0) + 1
    region = dict(region_key)
    codes, cum, total = [], [], 0.0
    forms: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {}
    for code, (name, province, unit) in sorted(gems.items()):
        w = CITY_WEIGHTS.get(name, 1.0) * _REGION_BOOST.get(province, 1.0) * _REGION_BOOST.get(unit, 1.0)
        w *= region.get(code, 1.0) * region.get(province, 1.0) * region.get(unit, 1.0)
        if w <= 0:
            continue
        total += w
        codes.append(code)
        cum.append(total)
        forms[code] = _written_forms(name, places.get(code, ()), name_count, CITY_WEIGHTS.get(name, 1.0))
    if not codes:
        raise ValueError("region_weights leave no gemeente with a positive weight")
    return _PlaceTable(tuple(codes), tuple(cum), forms)


def _written_forms(
    name: str, woonplaatsen: tuple[str, ...], name_count: dict[str, int], weight: float
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """How ads write a gemeente: its main place in common spellings, sometimes a village or a district."""
    stripped = _SUFFIX_RE.sub("", name)
    unique = [w for w in woonplaatsen if name_count.get(w, 0) == 1 and "(" not in w and " gem" not in w]
    if name in _COMMON_NAMES:
        main_forms = list(_COMMON_NAMES[name])
    elif stripped in unique:
        main_forms = [stripped]
    elif name in woonplaatsen and name_count.get(name, 0) == 1:
        main_forms = [name]
    elif "-" in name and all(part in unique for part in name.split("-")):
        main_forms = [*name.split("-"), name]  # Sittard-Geleen -> Sittard, Geleen
    elif unique:
        main_forms = [unique[0], name] if name_count.get(stripped, 0) == 0 else [unique[0]]
    else:
        main_forms = [name]
    items: list[tuple[str, float]] = []
    for i, f in enumerate(main_forms):
        base = 6.0 if i == 0 else 3.0
        items.append((f, base))
        items.append((f.lower(), 1.5))
        plain = _strip_accents(f)
        if plain != f:
            items.append((plain, 1.5))
    main = main_forms[0]
    if weight >= _BIG_CITY_MIN_WEIGHT:
        for part in vocab.CITY_PARTS[:3]:
            items.append((f"{main}-{part}", 0.5))
        items.append((f"{main} {vocab.CITY_PARTS[2].lower()}", 0.3))
    for prefix in vocab.PLACE_PREFIXES:
        items.append((prefix.format(place=main), 0.3))
    villages = [w for w in unique if w not in main_forms][:6]
    for v in villages:
        items.append((v, 0.3))
    written, cum, total = [], [], 0.0
    for f, w in items:
        total += w
        written.append(f)
        cum.append(total)
    return tuple(written), tuple(cum)


# --- phone numbers ------------------------------------------------------------------------------------------


class _PhoneBank:
    """Unique numbers per country range: an affine permutation of a counter, so no two actors ever share a
    number by accident (a shared number in the truth is always meant)."""

    _MULT = 2_654_435_761  # a prime, so coprime with every range size: the permutation never repeats

    def __init__(self, seed: int) -> None:
        self._next = dict.fromkeys(_PHONE_RANGES, 0)
        self._offset = {k: (seed * 7_919 + i * 104_729) for i, k in enumerate(_PHONE_RANGES)}

    def new(self, kind: str) -> str:
        prefix, nationals, digits = _PHONE_RANGES[kind]
        size = len(nationals) * 10**digits
        while True:
            n = self._next[kind]
            self._next[kind] = n + 1
            value = (n * self._MULT + self._offset[kind]) % size
            national, rest = divmod(value, 10**digits)
            rest_s = str(rest).zfill(digits)
            if _looks_memorable(rest_s):
                continue
            return f"{prefix}{nationals[national]}{rest_s}"


class _EmailTags:
    """A number per e-mail address, unique in the market (the same affine permutation as the phone
    bank): without it, name + three random digits gave unrelated personas one address by chance (one
    in seven addresses at 1,000,000 ads), and a shared address is a real link in the data."""

    _MULT = 2_654_435_761
    SIZE = 10**6

    def __init__(self, seed: int) -> None:
        self._next = 0
        self._offset = seed * 7_919

    def new(self) -> str:
        n = self._next
        self._next = n + 1
        return str((n * self._MULT + self._offset) % self.SIZE).zfill(6)


def _looks_memorable(digits: str) -> bool:
    """Skip numbers people would recognise (1234567, 0000000, 2222222): they may well be someone's."""
    return len(set(digits)) <= 2 or digits in "01234567890123456789" or digits in "98765432109876543210"


# --- drafts: what an ad says, before it is rendered on a day ---------------------------------------------------


@dataclass(slots=True)
class _Persona:
    persona_id: str
    network_id: str
    role: str
    gender: str  # vrouw | man | trans | stel
    name: str
    age: int
    lang: str  # nl | en | mix
    phone: str  # E.164 of the persona's own number (telefonist: the network's number)
    email: str | None
    photos: list[str]
    origin: str | None  # the "afkomst" field value, when filled in
    price60: int
    hours: str
    features: str
    orientation: str
    services: list[str]
    reception: str  # prive | escort | thuis | massage
    codes: set[str]
    decoys: set[str]
    adj: str
    noun: str
    scam_operator_id: str | None = None
    copied_from: str | None = None
    template_id: str | None = None
    # How this writer puts the number in each place: where -> (format class, rendered). Kept per persona
    # (shared by a telefonist network) because the same person writes the number the same way every time.
    renders: dict[str, tuple[str, str]] = field(default_factory=dict)
    # A second number of this persona only (E.164, format class, rendered), drawn once from its own stream;
    # None: no second number. Unset until the first draft asks (see ``_Generator._second_number``).
    second: tuple[str, str, str] | None = None
    second_drawn: bool = False
    # Languages listed, and a messenger handle ("kind:value", the line written): her own, drawn once
    # (``_profile_extras``).
    languages: list[str] = field(default_factory=list)
    language_line: dict[bool, str] = field(default_factory=dict)  # by "written in Dutch"
    handle: tuple[str, str] | None = None
    extras_drawn: bool = False


@dataclass(slots=True)
class _Seg:
    """One sentence of an ad: a template with slots, and the cue it stands for (None: neutral)."""

    template: str
    code: str | None = None
    negated: bool = False
    where: str = WHERE_TEXT
    hub: str | None = None


@dataclass(slots=True)
class _Draft:
    """Everything an ad says, fixed per (persona, site); versions re-render it with edits applied."""

    persona: _Persona
    title_cue: _Seg | None
    title: str
    segments: list[_Seg]
    services: list[str]
    service_cues: list[Cue]
    field_cues: list[Cue]
    rate_formats: tuple[str, ...]
    photos: list[DemoPhoto]
    photo_cues: list[Cue]
    phone_display: str | None
    phones: list[PhoneTruth]
    text_phone: str  # rendered number for the {phone} slot ("" when none)
    text_age: int | None
    age_conflict: bool
    hubs: list[str]
    names2: str
    origin_adj: str
    price60: int
    fields: dict[str, str] = field(default_factory=dict)
    body: list[_Seg] = field(default_factory=list)  # the composed sentences, before per-ad additions

    def copy(self) -> _Draft:
        return _Draft(
            self.persona, self.title_cue, self.title, list(self.segments), self.services, self.service_cues,
            self.field_cues, self.rate_formats, self.photos, self.photo_cues, self.phone_display, self.phones,
            self.text_phone, self.text_age, self.age_conflict, self.hubs, self.names2, self.origin_adj,
            self.price60, self.fields, self.body,
        )  # fmt: skip


class _Generator:
    """Holds the state shared between actors: counters, phone bank, the pool scam operators copy from."""

    def __init__(
        self,
        seed: int,
        n_ads: int,
        weeks: int,
        start: date,
        region_weights: Mapping[str, float] | None,
        intervention: DemoIntervention | None = None,
    ):
        if n_ads < 0 or weeks < 1:
            raise ValueError("n_ads must be >= 0 and weeks >= 1")
        self.seed = seed
        self.n_ads = n_ads
        self.days = weeks * 7
        self.weeks = weeks
        self.start = start
        self.places = _place_table(tuple(sorted((region_weights or {}).items())))
        self.phones = _PhoneBank(seed)
        self.email_tags = _EmailTags(seed)
        self.handle_tags = _EmailTags(seed + 104_729)  # its own counter: drawing handles moves nothing else
        self.site_counters = dict.fromkeys(_SITES, 0)
        self.persona_n = 0
        self.network_n = 0
        self.victims: deque[_Persona] = deque(maxlen=2000)
        self.produced = dict.fromkeys(ROLE_SHARES, 0)
        self.start_dt = datetime(start.year, start.month, start.day, tzinfo=TZ)
        self.intervention = intervention
        self.return_counters = dict.fromkeys(_SITES, 0)
        # (site, source_id) -> (steps, repost_of) of the current actor's ads, for the intervention to redo
        self._recipes: dict[tuple[str, str], tuple[list[tuple[int, _Draft, str, str]], str | None]] = {}

    # -- ids ------------------------------------------------------------------------------------------------

    def _source_id(self, site: str) -> str:
        n = self.site_counters[site]
        self.site_counters[site] = n + 1
        return _source_id_of(site, n)

    def _return_source_id(self, site: str) -> str:
        """An id for an ad the intervention adds, counted down from the top of the site's id space so
        that no other ad's id moves (the ordinary ids count up from 0; they meet only past millions)."""
        k = self.return_counters[site]
        self.return_counters[site] = k + 1
        return _source_id_of(site, _ID_SPACE[site] - 1 - k)

    def _new_persona_id(self) -> str:
        self.persona_n += 1
        return f"P{self.persona_n:07d}"

    def _new_network_id(self) -> str:
        self.network_n += 1
        return f"N{self.network_n:07d}"

    # -- the actor loop ---------------------------------------------------------------------------------------

    def ads(self) -> Iterator[DemoAd]:
        remaining = self.n_ads
        actor = 0
        total = 0
        while remaining > 0:
            rng = _Rng(f"{self.seed}:{actor}")
            actor += 1
            role = max(ROLE_SHARES, key=lambda r: ROLE_SHARES[r] * (total + 1) - self.produced[r])
            if remaining < _MIN_ADS[role]:
                role = ROLE_INDEPENDENT
            maker = {
                ROLE_INDEPENDENT: self._independent,
                ROLE_TELEFONIST: self._telefonist,
                ROLE_TEMPLATE: self._template_network,
                ROLE_TOURING: self._touring_group,
                ROLE_SCAM: self._scam_operator,
            }[role]
            made = maker(rng, remaining)
            made = made[:remaining]
            self.produced[role] += len(made)
            total += len(made)
            remaining -= len(made)
            if self.intervention is not None:
                made = self._intervene(made)
                self._recipes.clear()
            yield from made

    # -- shared pieces ---------------------------------------------------------------------------------------

    def _place(self, rng: random.Random) -> str:
        return rng.choices(self.places.codes, cum_weights=self.places.cum_weights)[0]

    def _written(self, rng: random.Random, gm: str) -> str:
        forms, cum = self.places.forms[gm]
        return rng.choices(forms, cum_weights=cum)[0]

    def _phone_kind(self, rng: random.Random, foreign: float, landline: float = 0.0) -> str:
        x = rng.random()
        if x < foreign:
            return rng.choices(_FOREIGN, weights=_FOREIGN_WEIGHTS)[0]
        if x < foreign + landline:
            return "NL_LANDLINE"
        return "NL"

    def _persona(
        self, rng: random.Random, role: str, network_id: str | None = None, *, phone: str | None = None,
        foreign: float = 0.1, lang: str | None = None,
    ) -> _Persona:  # fmt: skip
        x = rng.random()
        gender = "vrouw" if x < 0.86 else "trans" if x < 0.92 else "man" if x < 0.97 else "stel"
        if role in (ROLE_TEMPLATE, ROLE_TOURING, ROLE_SCAM, ROLE_TELEFONIST):
            gender = "vrouw" if rng.random() < 0.95 else "trans"
        if gender == "vrouw":
            name = rng.choice(vocab.NAMES_WOMEN)
        elif gender == "man":
            name = rng.choice(vocab.NAMES_MEN)
        elif gender == "trans":
            name = rng.choice(vocab.NAMES_TRANS)
        else:
            name = rng.choice(vocab.COUPLE_TEMPLATES).format(
                m=rng.choice(vocab.NAMES_MEN), w=rng.choice(vocab.NAMES_WOMEN)
            )
        young = role in (ROLE_TELEFONIST, ROLE_TEMPLATE, ROLE_TOURING, ROLE_SCAM)
        age = 18 + int(rng.triangular(0, 14 if young else 30, 2 if young else 7))
        if lang is None:
            x = rng.random()
            lang = "nl" if x < (0.72 if role == ROLE_INDEPENDENT else 0.5) else "en" if x < 0.88 else "mix"
        persona_id = self._new_persona_id()
        network = network_id or self._new_network_id()
        number = phone or self.phones.new(
            self._phone_kind(rng, foreign, 0.04 if role == ROLE_INDEPENDENT else 0.0)
        )
        codes = {c for c, p in CUE_RATES[role].items() if rng.random() < p}
        decoys: set[str] = set()
        if rng.random() < DECOY_RATE[role]:
            # A decoy denies a cue the persona does not carry ("geen AV"). Network roles can draw every
            # decoy-able code (about once in 10^5 personas); such a persona has nothing left to deny and
            # gets no decoy. Checked, not drawn differently, so every other market stays the same.
            options = [c for c in _DECOY_WEIGHTS if c not in codes]
            if options:
                decoys.add(rng.choices(options, weights=[_DECOY_WEIGHTS[c] for c in options])[0])
        origin = None
        if "STATED_ORIGIN" in codes and rng.random() < 0.6:
            origin = rng.choice(vocab.ORIGIN_FIELD[1:])
        nouns = vocab.NOUNS_NL if lang == "nl" else vocab.NOUNS_EN
        noun_key = "man" if gender == "man" else "trans" if gender == "trans" else "vrouw"
        n_services = rng.randint(3, vocab.NEUTRAL_LIST_MAX)
        pool = vocab.SERVICES_NEUTRAL if lang != "en" else vocab.SERVICES_NEUTRAL_EN
        email = None
        if rng.random() < 0.15:
            handle = _SLUG_RE.sub("", _strip_accents(name).lower())[:10] or "demo"
            digits = f"{rng.randint(1, 999)}{self.email_tags.new()}"
            email = f"{handle}{digits}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
        return _Persona(
            persona_id=persona_id,
            network_id=network,
            role=role,
            gender=gender,
            name=name,
            age=age,
            lang=lang,
            phone=number,
            email=email,
            photos=[f"{rng.getrandbits(64):016x}" for _ in range(rng.randint(2, 6))],
            origin=origin,
            price60=rng.randrange(90, 260, 10),
            hours=rng.choice(vocab.HOURS_NEUTRAL),
            features=_features(rng),
            orientation=rng.choice(vocab.ORIENTATIONS),
            services=rng.sample(pool, min(n_services, len(pool))),
            reception=rng.choices(_RECEPTION_KINDS, weights=_RECEPTION_WEIGHTS)[0],
            codes=codes,
            decoys=decoys,
            adj=rng.choice(vocab.ADJECTIVES_NL if lang == "nl" else vocab.ADJECTIVES_EN),
            noun=rng.choice(nouns[noun_key]),
        )

    def _sites(self, rng: random.Random, p2: float = 0.22, p3: float = 0.08) -> list[str]:
        x = rng.random()
        n = 3 if x < p3 else 2 if x < p3 + p2 else 1
        first = rng.choices(_SITES, weights=_SITE_WEIGHTS)[0]
        others = [s for s in _SITES if s != first]
        rng.shuffle(others)
        return [first, *others[: n - 1]]

    def _draft(
        self, rng: random.Random, p: _Persona, site: str, *, third_person: bool = False,
        phone_in_text: float = 0.5, display: float = 0.88, photo_variant: int = 0,
        template: list[_Seg] | None = None, shared_phone: bool = False,
        body: list[_Seg] | None = None,
    ) -> _Draft:  # fmt: skip
        """Compose the texts and the truth of one ad of a persona on a site."""
        lang = p.lang
        nl = lang == "nl" or (lang == "mix" and rng.random() < 0.5)
        cues_in_text = set(p.codes)
        field_cues: list[Cue] = []
        service_cues: list[Cue] = []
        photo_cues: list[Cue] = []
        hubs: list[str] = []

        # Phones: the "toon nummer" field, the number in the text, the number on a photo.
        phones: list[PhoneTruth] = []
        only_photo = not shared_phone and rng.random() < 0.03
        phone_display = None
        if not only_photo and rng.random() < display:
            cls, phone_display = _written_number(p, WHERE_FIELD, rng)
            phones.append(PhoneTruth(p.phone, cls, WHERE_FIELD, phone_display))
        text_phone = ""
        if not only_photo and (rng.random() < phone_in_text or phone_display is None):
            cls, text_phone = _written_number(p, WHERE_TEXT, rng)
            phones.append(PhoneTruth(p.phone, cls, WHERE_TEXT, text_phone))
        photos = [DemoPhoto(pid, photo_variant) for pid in p.photos]
        if only_photo or rng.random() < 0.05:
            cls, rendered = _written_number(p, WHERE_PHOTO, rng)
            photos[0] = DemoPhoto(photos[0].photo_id, photos[0].variant, rendered)
            phones.append(PhoneTruth(p.phone, cls, WHERE_PHOTO, rendered))
            if only_photo:
                photo_cues.append(Cue("OBSCURED_CONTACT", rendered, WHERE_PHOTO))
        if rng.random() < STOCK_PHOTO_RATE:
            stock = rng.choice(STOCK_PHOTOS)
            photos.insert(rng.randint(0, len(photos)), DemoPhoto(stock, rng.randint(0, 2)))
            hubs.append(f"stock_photo:{stock}")
        if "NEW_IN_TOWN" in cues_in_text and photos[0].overlay_text is None and rng.random() < 0.3:
            word = rng.choice(vocab.OVERLAY_NEW)
            photos[0] = DemoPhoto(photos[0].photo_id, photos[0].variant, word)
            photo_cues.append(Cue("NEW_IN_TOWN", word, WHERE_PHOTO))

        # Declared fields.
        age_text = str(p.age) if rng.random() < 0.7 else f"{p.age} jaar"
        fields = {"age": age_text, "gender": vocab.GENDER_LABELS[p.gender], "name": p.name}
        if site != "sexjobs":
            fields["orientation"] = p.orientation
            fields["features"] = p.features
        hours = p.hours
        if "AVAILABLE_247" in cues_in_text and rng.random() < 0.4:
            hours = rng.choice(vocab.HOURS_247)
            field_cues.append(Cue("AVAILABLE_247", hours, WHERE_FIELD))
            cues_in_text.discard("AVAILABLE_247")
        fields["hours"] = hours
        if p.origin and site != "sexjobs":
            fields["origin"] = p.origin
            field_cues.append(Cue("STATED_ORIGIN", p.origin, WHERE_FIELD))
            cues_in_text.discard("STATED_ORIGIN")

        # Services: the checklist can carry cues too.
        services = list(p.services)
        if "UNPROTECTED_SERVICES" in cues_in_text and rng.random() < 0.5:
            item = rng.choice(vocab.SERVICES_UNPROTECTED)
            services.append(item)
            service_cues.append(Cue("UNPROTECTED_SERVICES", item, WHERE_SERVICES))
            cues_in_text.discard("UNPROTECTED_SERVICES")
        if "EXTREME_SERVICES" in cues_in_text and rng.random() < 0.5:
            for item in rng.sample(vocab.SERVICES_EXTREME, 2):
                services.append(item)
                service_cues.append(Cue("EXTREME_SERVICES", item, WHERE_SERVICES))
            extra = [s for s in vocab.SERVICES_NEUTRAL if s not in services]
            services.extend(extra[: max(vocab.EXTREME_LIST_MIN - len(services), 0)])
            cues_in_text.discard("EXTREME_SERVICES")
        decoys = set(p.decoys) - {s.code for s in template or () if s.code} - set(p.codes)
        if "UNPROTECTED_SERVICES" in decoys and rng.random() < 0.4:
            item = rng.choice(vocab.SERVICES_DECOY)
            services.append(item)
            service_cues.append(Cue("UNPROTECTED_SERVICES", item, WHERE_SERVICES, negated=True))
            decoys.discard("UNPROTECTED_SERVICES")
        decoys_in_text = decoys

        # Title.
        title_cue = None
        if "NEW_IN_TOWN" in cues_in_text and rng.random() < 0.6:
            phrase = rng.choice([c for c, lg in vocab.CUES["NEW_IN_TOWN"] if "{place}" in c])
            title_cue = _Seg(phrase, "NEW_IN_TOWN", where=WHERE_TITLE)
            cues_in_text.discard("NEW_IN_TOWN")
        title = rng.choice(vocab.TITLES_NL if nl else vocab.TITLES_EN)

        # Body.
        if template is not None:
            segments = list(template)
        elif body is not None:  # the same writer on another site: her text, lightly varied
            segments = _vary(rng, body, nl)
        else:
            segments = self._body(rng, p, nl, cues_in_text, third_person)
        own_body = list(segments)
        text_age, conflict = None, False
        if template is None and rng.random() < 0.25:
            text_age = p.age
            if rng.random() < (0.12 if p.role == ROLE_INDEPENDENT else 0.45):
                k = rng.randint(2, 6)
                text_age = p.age - k if p.age - k >= 18 else p.age + k
                conflict = True
            bank = vocab.AGE_TEXT_NL if nl else vocab.AGE_TEXT_EN
            phrase = bank[-1] if third_person else rng.choice(bank)  # "Leeftijd: 23 jaar." fits either voice
            segments.insert(1, _Seg(phrase, where="age"))
        for code in sorted(decoys_in_text):
            phrase, _ = rng.choice(vocab.DECOYS[code])
            segments.insert(rng.randint(1, len(segments)), _Seg(phrase, code, negated=True))
        if rng.random() < GENERIC_SENTENCE_RATE:
            n = rng.randrange(len(vocab.GENERIC_SENTENCES))
            segments.insert(
                rng.randint(1, len(segments)), _Seg(vocab.GENERIC_SENTENCES[n], hub=f"generic_sentence:{n}")
            )
        if text_phone:
            segments.append(_Seg(rng.choice(vocab.CONTACT_NL if nl else vocab.CONTACT_EN), where="contact"))
        elif only_photo:
            segments.append(
                _Seg(rng.choice(vocab.CONTACT_PHOTO_NL if nl else vocab.CONTACT_PHOTO_EN), where="contact")
            )
        if p.email and rng.random() < 0.5:
            segments.append(_Seg("E-mail: " + p.email, where="contact"))
        if template is None:
            segments.append(_Seg(rng.choice(vocab.CLOSERS_NL if nl else vocab.CLOSERS_EN), where="closer"))

        phones = self._extras(p, site, nl, segments, phones, phone_display, text_phone, template is not None)
        hubs.extend(dict.fromkeys(s.hub for s in segments if s.hub and s.hub not in hubs))
        slots = "".join(seg.template for seg in segments if "{" in seg.template)
        names2 = " & ".join(rng.sample(vocab.NAMES_WOMEN, 2)) if "{names2}" in slots else ""
        return _Draft(
            persona=p,
            title_cue=title_cue,
            title=title,
            segments=segments,
            services=services,
            service_cues=service_cues,
            field_cues=field_cues,
            rate_formats=tuple(rng.sample(vocab.RATE_FORMATS, rng.randint(2, 3))),
            photos=photos,
            photo_cues=photo_cues,
            phone_display=phone_display,
            phones=phones,
            text_phone=text_phone,
            text_age=text_age,
            age_conflict=conflict,
            hubs=hubs,
            names2=names2,
            origin_adj=rng.choice(vocab.ORIGIN_ADJ) if "{origin_adj}" in slots else "",
            price60=p.price60,
            fields=fields,
            body=own_body,
        )

    def _body(
        self, rng: random.Random, p: _Persona, nl: bool, codes: set[str], third_person: bool
    ) -> list[_Seg]:
        """Neutral sentences with the persona's cue sentences mixed in."""
        segs: list[_Seg] = []
        if third_person:
            codes = codes | {"THIRD_PERSON"}
            bank = vocab.NETWORK_BODY_NL if nl else vocab.NETWORK_BODY_EN
            segs.append(_Seg(rng.choice(bank[:1] + bank[2:]) if len(bank) > 2 else bank[0]))
        else:
            segs.append(_Seg(rng.choice(vocab.OPENERS_NL if nl else vocab.OPENERS_EN)))
        mixed = p.lang == "mix"  # Dutch and English sentences in one ad
        if not third_person:
            rec_bank = vocab.RECEPTION_NL if nl else vocab.RECEPTION_EN
            segs.append(_Seg(rec_bank[_RECEPTION_TEXT[p.reception]]))
            body = vocab.BODY_NL + vocab.BODY_EN if mixed else vocab.BODY_NL if nl else vocab.BODY_EN
            segs.extend(_Seg(s) for s in rng.sample(body, rng.randint(1, 3)))
        for code in sorted(codes):
            if code in vocab.CUES:
                in_dutch = rng.random() < 0.5 if mixed else nl
                segs.insert(rng.randint(1, len(segs)), _Seg(_pick_phrase(rng, code, in_dutch), code))
        segs[2:2] = [_Seg(sentence) for sentence in self._own_words(p, nl, third_person)]
        if third_person:
            line = vocab.SERVICES_LINE_THIRD
        else:
            line = vocab.SERVICES_LINE_NL if nl else vocab.SERVICES_LINE_EN
        segs.append(_Seg(rng.choice(line), where="services_line"))
        if rng.random() < 0.4:
            segs.append(_Seg(rng.choice(vocab.RATES_LINE_NL if nl else vocab.RATES_LINE_EN), where="rates"))
        return segs

    def _second_number(self, p: _Persona) -> tuple[str, str, str] | None:
        """The persona's second number (E.164, format class, rendered), the same in all her ads."""
        if not p.second_drawn:
            p.second_drawn = True
            rng = _Rng(f"{self.seed}:second-number:{p.persona_id}")
            if rng.random() < SECOND_NUMBER_RATE:
                number = self.phones.new("NL_SECOND")
                cls = rng.choice(SECOND_NUMBER_CLASSES)
                p.second = (number, cls, render_phone(number, cls, rng))
        return p.second

    def _extras(
        self, p: _Persona, site: str, nl: bool, segments: list[_Seg], phones: list[PhoneTruth],
        phone_display: str | None, text_phone: str, templated: bool,
    ) -> list[PhoneTruth]:  # fmt: skip
        """Add the extras (see ``SECOND_NUMBER_RATE``) to a draft's segments; returns its phones with
        the added ones. A number is written at most once per place, so each written form is measured
        on its own: links and pairs go only into ads whose text has no number yet."""
        rng = _Rng(f"{self.seed}:extras:{p.persona_id}:{site}")
        phones = list(phones)
        lines: list[str] = []
        second = self._second_number(p)
        if second is not None and not text_phone and rng.random() < PAIR_RATE:
            a, b = render_phone(p.phone, "plain", rng), render_phone(second[0], "plain", rng)
            lines.append(rng.choice(vocab.NUMBER_PAIR_NL if nl else vocab.NUMBER_PAIR_EN).format(a=a, b=b))
            phones += [
                PhoneTruth(p.phone, PAIR_CLASS, WHERE_TEXT, a),
                PhoneTruth(second[0], PAIR_CLASS, WHERE_TEXT, b),
            ]
        elif second is not None:
            lines.append(
                rng.choice(vocab.SECOND_NUMBER_NL if nl else vocab.SECOND_NUMBER_EN).format(n=second[2])
            )
            phones.append(PhoneTruth(second[0], second[1], WHERE_TEXT, second[2]))
        if not lines and phone_display and not text_phone and rng.random() < LINK_RATE:
            whatsapp = rng.random() < 2 / 3
            bank = vocab.WHATSAPP_LINKS if whatsapp else vocab.TELEGRAM_LINKS
            link = rng.choice(bank).format(d=p.phone.lstrip("+"))
            url = link.split(" ")[-1]
            lines.append(link)
            phones.append(
                PhoneTruth(p.phone, WHATSAPP_CLASS if whatsapp else TELEGRAM_CLASS, WHERE_TEXT, url)
            )
        self._profile_extras(p)
        at = next((i for i, s in enumerate(segments) if s.where == "contact"), len(segments) - 1)
        segments[at:at] = [_Seg(line, where="contact") for line in lines]
        if p.handle is not None and (phone_display or text_phone):  # beside a number, never instead of one
            segments.insert(at + len(lines), _Seg(p.handle[1], where=HANDLE))
        if p.languages and not templated:
            line = p.language_line.get(nl)
            if line is None:
                names = [
                    nl_name if nl else en_name
                    for c, nl_name, en_name in vocab.LANGUAGE_NAMES
                    if c in p.languages
                ]
                joined = (
                    names[0]
                    if len(names) == 1
                    else f"{', '.join(names[:-1])} {'en' if nl else 'and'} {names[-1]}"
                )
                lang_rng = _Rng(f"{self.seed}:language-line:{p.persona_id}:{nl}")
                bank = vocab.LANGUAGE_LINES_NL if nl else vocab.LANGUAGE_LINES_EN
                line = p.language_line[nl] = lang_rng.choice(bank).format(langs=joined)
            segments.insert(max(at, 1), _Seg(line, where=LANGUAGES))
            at += 1
        # A shared template stays one text; a writer's own look-alikes go wherever she posts.
        if not templated:
            own = _Rng(f"{self.seed}:lookalikes:{p.persona_id}:{nl}")
            if own.random() < LOOKALIKE_RATE:
                for _ in range(own.randint(1, 2)):
                    segments.insert(own.randint(1, max(at, 1)), _Seg(_lookalike(own, nl), where=LOOKALIKE))
        return phones

    def _profile_extras(self, p: _Persona) -> None:
        """Draw once per persona, from her own stream: the languages she lists and a messenger handle."""
        if p.extras_drawn:
            return
        p.extras_drawn = True
        rng = _Rng(f"{self.seed}:profile-extras:{p.persona_id}")
        if rng.random() < LANGUAGES_RATE:
            codes = [code for code, _, _ in vocab.LANGUAGE_NAMES]
            p.languages = sorted(rng.sample(codes, rng.randint(1, 3)))
        if rng.random() < HANDLE_RATE:
            kind, line = rng.choice(vocab.HANDLE_LINES)
            handle = (
                f"{(_SLUG_RE.sub('', _strip_accents(p.name).lower()) or 'demo')[:8]}{self.handle_tags.new()}"
            )
            p.handle = (f"{kind}:{handle}", line.format(h=handle))

    def _own_words(self, p: _Persona, nl: bool, third_person: bool) -> list[str]:
        """One or two sentences only this writer uses (see ``vocab.OWN_LEADS``), drawn from a stream
        of her own so that the rest of the market is the same as without them."""
        rng = _Rng(f"{self.seed}:own-words:{p.persona_id}")
        lang = "nl" if nl else "en"
        a, b = rng.sample(vocab.OWN_HOBBIES[lang], 2)
        out = [rng.choice(vocab.OWN_LEADS[(lang, third_person)]).format(a=a, b=b)]
        if not third_person and rng.random() < 0.7:
            sentence, values = rng.choice(vocab.OWN_FAVOURITES[lang])
            out.append(sentence.format(v=rng.choice(values)))
        return out

    # -- rendering -----------------------------------------------------------------------------------------

    def _render(
        self, d: _Draft, site: str, from_day: int, gm: str, written: str
    ) -> tuple[DemoVersion, VersionTruth]:
        p = d.persona
        rates = list(_rates(d.rate_formats, d.price60))
        shown_services = [s for s in d.services if s in _NEUTRAL_SERVICES]
        ctx = {
            "name": p.name, "age": p.age, "place": written, "adj": p.adj, "noun": p.noun,
            "adj_cap": p.adj.capitalize(), "phone": d.text_phone, "services": ", ".join(shown_services[:5]).lower(),
            "names2": d.names2, "origin_adj": d.origin_adj, "text_age": d.text_age, "rates": ", ".join(rates),
        }  # fmt: skip
        cues: list[Cue] = []
        title = d.title.format_map(ctx)
        if d.title_cue is not None:
            phrase = d.title_cue.template.format_map(ctx)
            cues.append(Cue(d.title_cue.code or "", phrase, WHERE_TITLE))
            title = f"{phrase} {title}"
        parts: list[str] = []
        lookalikes: list[str] = []
        for seg in d.segments:
            text = seg.template.format_map(ctx) if "{" in seg.template else seg.template
            if seg.code:
                cues.append(Cue(seg.code, text, WHERE_TEXT, seg.negated))
            elif seg.where == LOOKALIKE:
                lookalikes.append(text)
            if seg.where in _LINE_STARTS:
                parts.append("\n" if parts else "")
                parts.append(text)
            else:
                parts.append(" " if parts and parts[-1] != "\n" else "")
                parts.append(text if text[-1] in ".!?:" else text + ".")
        cues.extend(
            Cue("OBSCURED_CONTACT", ph.rendered, WHERE_TEXT)
            for ph in d.phones
            if ph.where == WHERE_TEXT and ph.format_class in OBSCURED_FORMAT_CLASSES
        )
        cues.extend(d.field_cues)
        cues.extend(d.service_cues)
        cues.extend(d.photo_cues)
        fields = dict(d.fields)
        fields["location"] = written
        fields["category"] = _category(site, p)
        fields["reception"] = _SITE_RECEPTION[site][p.reception]
        version = DemoVersion(
            from_day=from_day,
            title=title,
            text="".join(parts),
            fields=fields,
            services=d.services,
            rates=rates,
            photos=d.photos,
            place_gm_code=gm,
        )
        truth = VersionTruth(
            from_day=from_day,
            gemeente_code=gm,
            place_written=written,
            cues=cues,
            phones=d.phones,
            text_age=d.text_age,
            age_conflict=d.age_conflict,
            lookalikes=lookalikes,
            services=_services_truth(d),
            rates=list(_rate_truth(d.rate_formats, d.price60)),
            reception=vocab.RECEPTION_CODES.get(fields["reception"]),
            origin=vocab.ORIGIN_CODES.get(fields["origin"]) if fields.get("origin") else None,
            languages=_languages_truth(d),
            hours=fields.get("hours"),
            handles=[p.handle[0]] if any(s.where == HANDLE for s in d.segments) and p.handle else [],
        )
        return version, truth

    def _ad(
        self, rng: random.Random, d: _Draft, site: str, first_day: int, last_day: int,
        steps: list[tuple[int, _Draft, str, str]], repost_of: str | None = None,
    ) -> DemoAd:  # fmt: skip
        """An ad from its steps: (from_day, draft, gm_code, place as written), the first on first_day."""
        p = d.persona
        versions, truths = [], []
        for from_day, draft, gm, written in steps:
            v, t = self._render(draft, site, from_day, gm, written)
            versions.append(v)
            truths.append(t)
        source_id = self._source_id(site)
        if self.intervention is not None:
            self._recipes[(site, source_id)] = (steps, repost_of)
        first_text = versions[0]
        slug_base = (
            f"{p.name}-{first_text.fields['location']}" if site == "kinky"
            else first_text.title if site == "sexjobs" else f"{p.name}-{p.age}"
        )  # fmt: skip
        slug = _SLUG_RE.sub("-", _strip_accents(slug_base).lower()).strip("-")[:60] or "advertentie"
        if first_day == 0 and rng.random() < 0.5:
            posted = self.start_dt - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1439))
        else:
            posted = self.start_dt + timedelta(days=first_day, minutes=rng.randint(7 * 60, 23 * 60 + 59))
        truth = AdTruth(
            persona_id=p.persona_id,
            network_id=p.network_id,
            role=p.role,
            declared_age=p.age,
            emails=[p.email] if p.email else [],
            photo_ids=list(dict.fromkeys(ph.photo_id for v in versions for ph in v.photos)),
            versions=truths,
            scam_operator_id=p.scam_operator_id,
            copied_from_persona=p.copied_from,
            template_id=p.template_id,
            repost_of=repost_of,
            hubs=list(d.hubs),
        )
        return DemoAd(
            site=site,
            source_id=source_id,
            slug=slug,
            category=_category(site, p),
            reception=_SITE_RECEPTION[site][p.reception],
            first_day=first_day,
            last_day=last_day,
            posted_at=posted,
            phone_display=d.phone_display,
            email=p.email,
            versions=versions,
            truth=truth,
        )

    def _lifetime(self, rng: random.Random, short: bool = False) -> tuple[int, int]:
        first = 0 if not short and rng.random() < 0.35 else rng.randrange(self.days)
        x = rng.random()
        if short:
            length = rng.randint(1, 7)
        else:
            length = (
                rng.randint(3, 10) if x < 0.25 else rng.randint(10, 30) if x < 0.7 else rng.randint(30, 90)
            )
        return first, min(first + length, self.days - 1)

    def _edits(
        self,
        rng: random.Random,
        d: _Draft,
        first: int,
        last: int,
        gm: str,
        written: str,
    ) -> list[tuple[int, _Draft, str, str]]:
        """Steps for an ad that stays in one place: 0-2 edits (text, price, or an added cue)."""
        steps = [(first, d, gm, written)]
        nl = d.persona.lang != "en"
        third_person = any(s.code == "THIRD_PERSON" for s in d.segments)
        x = rng.random()
        n_edits = 0 if x < 0.55 else 1 if x < 0.85 else 2
        if last - first < 2:
            n_edits = 0
        days = sorted(rng.sample(range(first + 1, last + 1), min(n_edits, last - first)))
        current = d
        for day in days:
            current = current.copy()
            kind = rng.random()
            changed = False
            if 0.4 <= kind < 0.8 and not third_person:  # a sentence rewritten (first person only)
                body = vocab.BODY_NL if nl else vocab.BODY_EN
                used = {s.template for s in current.segments}
                fresh = [b for b in body if b not in used]
                slots = [
                    i
                    for i, s in enumerate(current.segments)
                    if s.code is None and s.hub is None and s.where == WHERE_TEXT
                ]
                if slots and fresh:
                    current.segments[rng.choice(slots)] = _Seg(rng.choice(fresh))
                    changed = True
            elif kind >= 0.8:  # a cue added ("nu ook 24/7")
                code = rng.choice(("AVAILABLE_247", "TRUST_LANGUAGE", "RESTRICTED_CONTACT"))
                taken = {s.code for s in current.segments} | {c.code for c in current.field_cues}
                if code not in taken:
                    current.segments.insert(
                        len(current.segments) - 1, _Seg(_pick_phrase(rng, code, nl), code)
                    )
                    changed = True
            if not changed:  # a new price
                current.price60 = max(60, current.price60 + rng.choice((-20, -10, 10, 20, 30)))
            steps.append((day, current, gm, written))
        return steps

    # -- actors ---------------------------------------------------------------------------------------------

    def _independent(self, rng: random.Random, budget: int) -> list[DemoAd]:
        p = self._persona(rng, ROLE_INDEPENDENT, foreign=0.12)
        gm = self._place(rng)
        ads: list[DemoAd] = []
        first_draft: _Draft | None = None
        for i, site in enumerate(self._sites(rng)):
            variant = 0 if i == 0 or rng.random() < 0.5 else rng.randint(1, 3)
            d = self._draft(
                rng, p, site, photo_variant=variant, body=first_draft.body if first_draft else None
            )
            first_draft = first_draft or d
            written = self._written(rng, gm)
            first, last = self._lifetime(rng)
            ad = self._ad(rng, d, site, first, last, self._edits(rng, d, first, last, gm, written))
            ads.append(ad)
            if last < self.days - 3 and rng.random() < 0.2:  # re-post: same content, new id
                first2 = last + rng.randint(1, 3)
                last2 = min(first2 + rng.randint(3, 30), self.days - 1)
                ads.append(
                    self._ad(
                        rng, d, site, first2, last2, [(first2, d, gm, written)], f"{site}:{ad.source_id}"
                    )
                )
        if first_draft is not None:
            self.victims.append(p)
        return ads[:budget]

    def _telefonist(self, rng: random.Random, budget: int) -> list[DemoAd]:
        network = self._new_network_id()
        number = self.phones.new(self._phone_kind(rng, foreign=0.3))
        n = min(rng.randint(3, 15), budget)
        cities = list(dict.fromkeys(self._place(rng) for _ in range(rng.randint(2, 5))))
        while len(cities) < 2:
            cities = list(dict.fromkeys([*cities, self._place(rng)]))
        third = rng.random() < 0.7
        site_pref = self._sites(rng, p2=0.4, p3=0.1)
        ads: list[DemoAd] = []
        renders: dict[str, tuple[str, str]] = {}
        for k in range(n):
            p = self._persona(rng, ROLE_TELEFONIST, network, phone=number)
            p.renders = renders
            gm = cities[k] if k < len(cities) else rng.choice(cities)
            spare = budget - len(ads) - (n - k - 1)  # leave one ad for every persona still to come
            n_sites = min(1 if rng.random() < 0.7 else len(site_pref), spare)
            for site in site_pref[:n_sites]:
                d = self._draft(rng, p, site, third_person=third and rng.random() < 0.8, phone_in_text=0.7,
                                display=0.95, shared_phone=True)  # fmt: skip
                first, last = self._lifetime(rng)
                written = self._written(rng, gm)
                ads.append(self._ad(rng, d, site, first, last, self._edits(rng, d, first, last, gm, written)))
        return ads

    def _template_network(self, rng: random.Random, budget: int) -> list[DemoAd]:
        network = self._new_network_id()
        template_id = f"T{network[1:]}"
        n = min(rng.randint(5, 30), budget)
        nl = rng.random() < 0.6
        lang = "nl" if nl else "en"
        lead = self._persona(rng, ROLE_TEMPLATE, network, lang=lang)
        third = "THIRD_PERSON" in lead.codes
        template = self._body(rng, lead, nl, set(lead.codes) - {"THIRD_PERSON"}, third)
        template.insert(1, _Seg("{name} ({age}) - {rates}", where="rates"))
        sites = self._sites(rng, p2=0.35, p3=0.1)
        foreign = rng.random() * 0.6
        ads: list[DemoAd] = []
        for k in range(n):
            p = lead if k == 0 else self._persona(rng, ROLE_TEMPLATE, network, foreign=foreign, lang=lang)
            p.codes = set(lead.codes)
            p.decoys = set()
            p.origin = lead.origin and rng.choice(vocab.ORIGIN_FIELD[1:])
            p.template_id = template_id
            p.adj, p.noun = lead.adj, lead.noun
            site = rng.choice(sites)
            gm = self._place(rng)
            d = self._draft(rng, p, site, template=template, phone_in_text=0.7)
            first, last = self._lifetime(rng)
            written = self._written(rng, gm)
            ads.append(self._ad(rng, d, site, first, last, [(first, d, gm, written)]))
        return ads

    def _touring_group(self, rng: random.Random, budget: int) -> list[DemoAd]:
        network = self._new_network_id()
        size = rng.randint(2, 6)
        start_week = rng.randrange(max(self.weeks - 1, 1))
        n_weeks = min(rng.randint(2, 5), self.weeks - start_week)
        route: list[str] = []
        while len(route) < n_weeks:
            gm = self._place(rng)
            if not route or gm != route[-1]:
                route.append(gm)
        repost_weekly = rng.random() < 0.5
        shift = rng.randint(0, 1)
        sites = self._sites(rng, p2=0.3, p3=0.05)
        if size * len(sites) * (n_weeks if repost_weekly else 1) > budget:  # the end of a stream: shrink
            repost_weekly, sites = False, sites[:1]
            size = max(2, min(size, budget))
        foreign = 0.6
        template = None
        nl = rng.random() < 0.5
        ads: list[DemoAd] = []
        for _ in range(size):
            p = self._persona(rng, ROLE_TOURING, network, foreign=foreign, lang="nl" if nl else "en")
            p.codes.add("NEW_IN_TOWN")
            if template is None and rng.random() < 0.5:
                template = self._body(rng, p, nl, set(p.codes), "THIRD_PERSON" in p.codes)
                p.template_id = f"T{network[1:]}"
            elif template is not None:
                p.template_id = f"T{network[1:]}"
            for site in sites[: rng.randint(1, len(sites))]:
                d = self._draft(rng, p, site, template=template if p.template_id else None, display=0.8)
                jitter = rng.randint(0, 1)
                week_days = [
                    min(7 * (start_week + w) + shift + jitter, self.days - 1) for w in range(n_weeks)
                ]
                end = min(7 * (start_week + n_weeks) + shift, self.days - 1)
                if repost_weekly:
                    prev = None
                    for w, gm in enumerate(route):
                        first = week_days[w]
                        last = week_days[w + 1] - 1 if w + 1 < n_weeks else end
                        if last < first:
                            continue
                        written = self._written(rng, gm)
                        ad = self._ad(rng, d, site, first, last, [(first, d, gm, written)], prev)
                        prev = f"{site}:{ad.source_id}"
                        ads.append(ad)
                else:
                    steps = [(week_days[w], d, gm, self._written(rng, gm)) for w, gm in enumerate(route)]
                    steps = [s for i, s in enumerate(steps) if i == 0 or s[0] > steps[i - 1][0]]
                    ads.append(self._ad(rng, d, site, steps[0][0], max(end, steps[-1][0]), steps))
        return ads

    def _scam_operator(self, rng: random.Random, budget: int) -> list[DemoAd]:
        """Fake profiles: a real worker's photos, name and age, written in the operator's own house text.

        An operator writes its text once (its conditions, its way of luring) and fills in each stolen
        identity, as an ad manager fills in a template: two operators who steal the same worker's photos
        still each write their own text, which is what keeps them apart in practice.
        """
        operator = f"SO{self._new_network_id()[1:]}"
        network = f"N{operator[2:]}"
        n_profiles = rng.randint(2, 40)
        victims = [rng.choice(self.victims) for _ in range(rng.randint(1, 3))] if self.victims else []
        lang = "nl" if rng.random() < 0.5 else "en"
        lead = self._persona(rng, ROLE_SCAM, network, foreign=0.5, lang=lang)
        house = self._body(rng, lead, lang == "nl", set(lead.codes), False)
        house.insert(1, _Seg("{name} ({age}) - {rates}", where="rates"))
        ads: list[DemoAd] = []
        for k in range(n_profiles):
            if len(ads) >= budget:
                break
            p = lead if k == 0 else self._persona(rng, ROLE_SCAM, network, foreign=0.5, lang=lang)
            p.scam_operator_id = operator
            p.codes, p.decoys, p.adj, p.noun = set(lead.codes), set(), lead.adj, lead.noun
            p.template_id = f"S{operator[2:]}"
            if victims:
                victim = victims[k % len(victims)]
                p.name, p.age, p.photos, p.copied_from = (
                    victim.name,
                    victim.age,
                    victim.photos,
                    victim.persona_id,
                )
                p.services = victim.services
            else:
                p.photos = list(rng.sample(STOCK_PHOTOS, 2))
            for site in self._sites(rng, p2=0.3, p3=0.1):
                if len(ads) >= budget:
                    break
                d = self._draft(
                    rng, p, site, template=house, phone_in_text=0.8, photo_variant=rng.randint(0, 3)
                )
                first, last = self._lifetime(rng, short=True)
                gm = self._place(rng)
                written = self._written(rng, gm)
                ad = self._ad(rng, d, site, first, last, [(first, d, gm, written)])
                ads.append(ad)
                if last < self.days - 2 and rng.random() < 0.4 and len(ads) < budget:
                    f2 = last + 1
                    l2 = min(f2 + rng.randint(1, 7), self.days - 1)
                    ads.append(
                        self._ad(rng, d, site, f2, l2, [(f2, d, gm, written)], f"{site}:{ad.source_id}")
                    )
        return ads

    # -- the simulated control action ----------------------------------------------------------------------

    def _intervene(self, made: list[DemoAd]) -> list[DemoAd]:
        """Apply the control action to one actor's ads; the ads of personas not advertising in the
        gemeente on the day before and on the day itself come back untouched (the same objects).

        Every decision is drawn from a stream of its own per persona (``seed:intervention:persona``), so
        the actor streams, and with them every other ad, are exactly those of a market without it.
        """
        iv = self.intervention
        assert iv is not None
        day, where = iv.day, iv.gemeente_code

        def there(ad: DemoAd, d: int) -> bool:
            t = ad.truth_on(d)
            return t is not None and t.gemeente_code == where

        hit: dict[str, list[str]] = {}
        for ad in made:
            if ad.truth.role != ROLE_SCAM and there(ad, day - 1) and there(ad, day):
                hit.setdefault(ad.truth.persona_id, []).append(f"{ad.site}:{ad.source_id}")
        if not hit:
            return made
        rngs: dict[str, _Rng] = {}
        pauses: dict[str, int] = {}
        for pid, keys in hit.items():
            rng = rngs[pid] = _Rng(f"{self.seed}:intervention:{pid}")
            x, dest, pause = rng.random(), self._destination(rng), rng.randint(*_PAUSE_DAYS)
            kind = next((k for k, cum in _REACTION_CUM if x < cum), REACTION_STAYED)
            role = next(a.truth.role for a in made if a.truth.persona_id == pid)
            iv.reactions[pid] = PersonaReaction(
                pid, role, kind, moved_to=dest if kind == REACTION_MOVED else None, ads=keys
            )
            pauses[pid] = pause
        out: list[DemoAd] = []
        dropped: dict[str, str | None] = {}  # "site:id" of an ad not posted -> what it re-posted
        for ad in made:
            r = iv.reactions.get(ad.truth.persona_id) if ad.truth.persona_id in hit else None
            if r is None or r.reaction == REACTION_STAYED:
                out.append(ad)
                continue
            new = self._react(ad, r, rngs[r.persona_id], pauses[r.persona_id])
            if not new:
                dropped[f"{ad.site}:{ad.source_id}"] = ad.truth.repost_of
            out.extend(new)
        for ad in out:  # a re-post of an ad that was never posted re-posts what that one re-posted
            while ad.truth.repost_of in dropped:
                ad.truth.repost_of = dropped[ad.truth.repost_of]
        return out

    def _destination(self, rng: random.Random) -> str | None:
        """A neighbouring gemeente, among the nearest few, the busier ones more often."""
        iv = self.intervention
        assert iv is not None
        near = [c for c in iv.neighbours if c in self.places.forms][:_NEAREST]
        if not near:
            return None
        index = {c: i for i, c in enumerate(self.places.codes)}
        cum = self.places.cum_weights
        weights = [cum[index[c]] - (cum[index[c] - 1] if index[c] else 0.0) for c in near]
        return rng.choices(near, weights=weights)[0]

    def _react(self, ad: DemoAd, r: PersonaReaction, rng: random.Random, pause: int) -> list[DemoAd]:
        """One ad of a reacting persona, as it is from the control day on: zero, one or two ads."""
        iv = self.intervention
        assert iv is not None
        steps, repost_of = self._recipes[(ad.site, ad.source_id)]
        spans = [
            (f, steps[i + 1][0] - 1 if i + 1 < len(steps) else ad.last_day, dr, gm, w)
            for i, (f, dr, gm, w) in enumerate(steps)
        ]
        # The first day from the control on that this ad names the gemeente; none: nothing to change.
        t = next(
            (max(f, iv.day) for f, end, _, gm, _ in spans if gm == iv.gemeente_code and end >= iv.day), None
        )
        if t is None:
            return [ad]
        if r.reaction == REACTION_MOVED and r.moved_to is not None:
            written = self._written(rng, r.moved_to)
            moved: list[tuple[int, _Draft, str, str]] = []
            for f, end, dr, gm, w in spans:
                if gm == iv.gemeente_code and end >= t:
                    if f < t:
                        moved.append((f, dr, gm, w))
                    moved.append((max(f, t), dr, r.moved_to, written))
                else:
                    moved.append((f, dr, gm, w))
            return [self._redo(ad, moved, ad.first_day, ad.last_day)]
        before = [(f, dr, gm, w) for f, _, dr, gm, w in spans if f < t]
        kept = [self._redo(ad, before, ad.first_day, t - 1)] if before else []
        back = iv.day + pause
        if r.reaction == REACTION_STOPPED or back > self.days - 1 or t >= back:
            if r.reaction == REACTION_PAUSED and t >= back:  # it names the gemeente after the pause anyway
                r.back_day = t if r.back_day is None else min(r.back_day, t)
                return [ad]
            return kept
        shift = back - t
        later = [(max(f, t) + shift, dr, gm, w) for f, end, dr, gm, w in spans if end >= t]
        last = min(ad.last_day + shift, self.days - 1)
        later = [s for s in later if s[0] <= last]
        posted = self.start_dt + timedelta(days=back, minutes=rng.randint(7 * 60, 23 * 60 + 59))
        if kept:  # the same ad again under a new id, as a re-post
            key = f"{ad.site}:{ad.source_id}"
            again = self._redo(ad, later, back, last, self._return_source_id(ad.site), posted, key)
        else:  # an ad that would have started during the pause starts after it
            again = self._redo(ad, later, back, last, ad.source_id, posted, repost_of)
        r.back_day = back if r.back_day is None else min(r.back_day, back)
        return [*kept, again]

    def _redo(
        self, ad: DemoAd, steps: list[tuple[int, _Draft, str, str]], first: int, last: int,
        source_id: str | None = None, posted: datetime | None = None, repost_of: str | None = None,
    ) -> DemoAd:  # fmt: skip
        """``ad`` re-rendered from new steps (the first on ``first``), with its lifetime ``first..last``."""
        rendered = [self._render(dr, ad.site, f, gm, w) for f, dr, gm, w in steps]
        versions = [v for v, _ in rendered]
        truth = dataclasses.replace(
            ad.truth,
            versions=[t for _, t in rendered],
            photo_ids=list(dict.fromkeys(ph.photo_id for v in versions for ph in v.photos)),
            repost_of=repost_of if source_id is not None else ad.truth.repost_of,
        )
        return dataclasses.replace(
            ad,
            source_id=source_id or ad.source_id,
            first_day=first,
            last_day=last,
            posted_at=posted or ad.posted_at,
            versions=versions,
            truth=truth,
        )


_WRITE_CLASSES = {
    WHERE_FIELD: (_FIELD_CLASSES, _FIELD_CUM),
    WHERE_TEXT: (_TEXT_CLASSES, _TEXT_CUM),
    WHERE_PHOTO: (_PHOTO_CLASSES, _PHOTO_CUM),
}


def _written_number(p: _Persona, where: str, rng: random.Random) -> tuple[str, str]:
    got = p.renders.get(where)
    if got is None:
        classes, cum = _WRITE_CLASSES[where]
        cls = rng.choices(classes, cum_weights=cum)[0]
        got = p.renders[where] = (cls, render_phone(p.phone, cls, rng))
    return got


LOOKALIKE = "lookalike"  # segment kind: digits that are not a number (kept in the truth as ``lookalikes``)
LANGUAGES = "languages"  # segment kind: the sentence that lists the languages
HANDLE = "handle"  # segment kind: the line with a messenger handle
_RATE_SLOT = re.compile(r"\{(p\d+e?)\}")
_RATE_MINUTES = {"p15": 15, "p20": 20, "p30": 30, "p60": 60, "p120": 120, "p120e": 120}


@cache
def _rate_truth(formats: tuple[str, ...], price60: int) -> tuple[tuple[int, int], ...]:
    """(minutes, euro) of each rate line ``_rates`` writes, in the same order."""
    out = []
    for f in formats:
        slot = _RATE_SLOT.search(f)
        if slot is None:
            raise ValueError(f"rate format without a price slot: {f!r}")
        key = slot.group(1)
        out.append((_RATE_MINUTES[key], _rate_values(price60)[key]))
    return tuple(out)


_RECEPTION_SENTENCE_SERVICE = {
    sentence: vocab.RECEPTION_SERVICES[kind]
    for bank in (vocab.RECEPTION_NL, vocab.RECEPTION_EN)
    for kind, sentence in bank.items()
    if kind in vocab.RECEPTION_SERVICES
}


def _services_truth(d: _Draft) -> list[str]:
    """Service codes the ad offers: its checklist, and a reception sentence that offers one."""
    codes = [c for s in d.services if (c := vocab.SERVICE_CODES.get(s)) is not None]
    codes += [c for s in d.segments if (c := _RECEPTION_SENTENCE_SERVICE.get(s.template)) is not None]
    if any(s.where == "rates" for s in d.segments) and any("escort" in f for f in d.rate_formats):
        codes.append("escort")  # the rates line in the text offers "escort vanaf 2 uur"
    return list(dict.fromkeys(codes))


def _languages_truth(d: _Draft) -> list[str]:
    """Language codes the text lists: the persona's languages sentence and stock sentences that list some."""
    codes = set(d.persona.languages) if any(s.where == LANGUAGES for s in d.segments) else set()
    for s in d.segments:
        codes.update(vocab.BODY_LANGUAGES.get(s.template, ()))
    return sorted(codes)


def _lookalike(rng: random.Random, nl: bool) -> str:
    """A date, postcode, body measurement, house number or HHMM-HHMM opening time."""
    o = rng.randint(8, 13)
    values = {
        "dd": f"{rng.randint(1, 28):02d}", "mm": f"{rng.randint(1, 12):02d}",
        "dd2": f"{rng.randint(1, 28):02d}", "mm2": f"{rng.randint(1, 12):02d}",
        "pc": str(rng.randint(1011, 9999)), "l2": "".join(rng.choice("ABCEGHJKLMNPRSTVXZ") for _ in range(2)),
        "hn": str(rng.randint(1, 240)), "street": rng.choice(vocab.LOOKALIKE_STREETS),
        "b": str(rng.randrange(80, 105, 5)), "w": str(rng.randrange(58, 76, 2)), "h": str(rng.randrange(84, 106, 2)),
        "kg": str(rng.randint(48, 80)), "o": f"{o:02d}00", "c": f"{o + rng.randint(8, 11):02d}00",
    }  # fmt: skip
    return rng.choice(vocab.LOOKALIKES_NL if nl else vocab.LOOKALIKES_EN).format(**values)


def _vary(rng: random.Random, body: list[_Seg], nl: bool) -> list[_Seg]:
    """A copy of a text with, most of the time, one neutral sentence swapped: how one writer's ads on two
    sites differ."""
    out = list(body)
    slots = [
        i for i, s in enumerate(out) if s.code is None and s.hub is None and s.where == WHERE_TEXT and i > 0
    ]
    if slots and rng.random() < 0.7:
        bank = vocab.BODY_NL if nl else vocab.BODY_EN
        fresh = [b for b in bank if b not in {s.template for s in out}]
        if fresh:
            out[rng.choice(slots)] = _Seg(rng.choice(fresh))
    return out


def _features(rng: random.Random) -> str:
    body, hair, cup = (
        rng.choice(vocab.FEATURES_BODY),
        rng.choice(vocab.FEATURES_HAIR),
        rng.choice(vocab.FEATURES_CUP),
    )
    return f"{body}; {hair}; {cup}; 1.{rng.randint(55, 82)} m"


def _pick_phrase(rng: random.Random, code: str, nl: bool) -> str:
    options = [phrase for phrase, lang in vocab.CUES[code] if (lang == "nl") == nl] or [
        p for p, _ in vocab.CUES[code]
    ]
    return rng.choice(options)


def _category(site: str, p: _Persona) -> str:
    mapping = _SITE_CATEGORY[site]
    if mapping is None:
        return _SITE_RECEPTION[site][p.reception]
    return mapping[p.gender]


@cache
def _rates(formats: tuple[str, ...], price60: int) -> tuple[str, ...]:
    return tuple(f.format(**_rate_values(price60)) for f in formats)


@cache
def _rate_values(price60: int) -> dict[str, int]:
    def r5(x: float) -> int:
        return int(round(x / 5) * 5)

    return {
        "p15": r5(price60 * 0.45), "p20": r5(price60 * 0.55), "p30": r5(price60 * 0.65), "p60": price60,
        "p120": r5(price60 * 1.8), "p120e": r5(price60 * 2 + 50),
    }  # fmt: skip


_ID_SPACE = {"kinky": 9_000_000, "sexjobs": 90_000_000, "redlights": 2_000_000_000}


def _source_id_of(site: str, n: int) -> str:
    """The site's n-th ad id: a permutation of ``_ID_SPACE[site]`` numbers, so ids never repeat."""
    if site == "kinky":
        return str(1_000_000 + (n * 7_654_321 + 1_234_567) % 9_000_000)
    if site == "sexjobs":
        return str(10_000_000 + (n * 48_271 + 777) % 90_000_000)
    return _base36(100_000_000 + (n * 69_621 + 12_345) % 2_000_000_000)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


# --- public API -------------------------------------------------------------------------------------------------


def plan_intervention(
    weeks: int = 6,
    region_weights: Mapping[str, float] | None = None,
    *,
    day: int | None = None,
    gemeente: str | None = None,
) -> DemoIntervention | None:
    """A control action for a market of ``weeks`` weeks: on ``day`` (default the Monday that starts the
    middle week) in ``gemeente`` (a CBS code; default the gemeente with the largest share of the ads,
    Rotterdam unless ``region_weights`` say otherwise). None for a one-week market: no before."""
    from zicht.analysis.displacement import neighbours

    when = 7 * (weeks // 2) if day is None else day
    if not 1 <= when <= weeks * 7 - 1:
        if day is None:
            return None
        raise ValueError(f"the intervention day must be 1 to {weeks * 7 - 1}, not {day}")
    places = _place_table(tuple(sorted((region_weights or {}).items())))
    if gemeente is None:
        prev = (0.0, *places.cum_weights[:-1])
        gemeente = max(zip(places.codes, places.cum_weights, prev, strict=True), key=lambda t: t[1] - t[2])[0]
    elif gemeente not in places.forms:
        raise ValueError(f"{gemeente} is not a gemeente of this market")
    return DemoIntervention(when, gemeente, "control", neighbours([gemeente]))


def iter_ads(
    seed: int = 7,
    n_ads: int = 3000,
    weeks: int = 6,
    start: date = DEFAULT_START,
    region_weights: Mapping[str, float] | None = None,
    intervention: DemoIntervention | None = None,
) -> Iterator[DemoAd]:
    """Stream exactly ``n_ads`` ads, actor by actor (not in time order), for very large volumes.

    ``region_weights`` multiplies the ad volume of gemeenten, by key: a gemeente code ("GM0983"), a
    province code ("PV31") or a police-unit code ("RE10"); 0 removes an area.

    ``intervention`` (see ``plan_intervention``) simulates a control action and records who reacted how
    in its ``reactions`` as the ads stream. Ads of personas that did not advertise there on the day are
    exactly those of the market without it; the count is then ``n_ads`` minus the ads a stopping persona
    never posted plus the re-posts of pausing personas that came back.
    """
    return _Generator(seed, n_ads, weeks, start, region_weights, intervention).ads()


def generate_market(
    seed: int = 7,
    n_ads: int = 3000,
    weeks: int = 6,
    start: date = DEFAULT_START,
    region_weights: Mapping[str, float] | None = None,
    intervention: bool | DemoIntervention = False,
) -> Market:
    """The whole market in memory, ads in order of first appearance; the same seed gives the same market.

    ``intervention``: True for the default simulated control action (``plan_intervention``), or a
    planned one; the market then carries it, with every displaced persona's reaction.
    """
    plan = plan_intervention(weeks, region_weights) if intervention is True else intervention or None
    ads = list(iter_ads(seed, n_ads, weeks, start, region_weights, plan))
    ads.sort(key=lambda a: (a.first_day, a.posted_at, a.site, a.source_id))
    return Market(start=start, days=weeks * 7, seed=seed, ads=ads, intervention=plan)
