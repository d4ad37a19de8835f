"""The synthetic demo market and its ground truth: the contract between generator, demo site and evaluation.

Everything here is invented. The demo site renders ``DemoAd``/``DemoVersion``; the crawler collects
what the site shows; later stages are scored against ``AdTruth``. The truth travels with the market
in memory and is written apart from the app's database (``zicht.demo.truth``), so the app can
never see it by accident.

Time is an integer day axis: day 0 is ``Market.start`` (a Monday by default); week ``w`` is days
``7w .. 7w+6``. All datetimes are timezone-aware, Europe/Amsterdam.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Amsterdam")

SITES = ("kinky", "sexjobs", "redlights")

# What each site offers in its category and reception menus (the site's own slugs).
SITE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "kinky": ("vrouwen", "mannen", "stellen", "trans"),
    "sexjobs": ("escort", "thuisontvangst", "erotische-massage"),
    "redlights": ("dames", "heren", "trans", "stellen"),
}
SITE_RECEPTIONS: dict[str, tuple[str, ...]] = {
    "kinky": ("prive-ontvangst", "escort", "thuisontvangst"),
    "sexjobs": ("escort", "thuisontvangst", "erotische-massage"),
    "redlights": ("escort", "thuisontvangst", "massage"),
}

# Who is behind an ad. Every persona belongs to exactly one network id; an independent worker is a
# network of one (singleton), so "same network" is always a well-defined question.
ROLE_INDEPENDENT = "independent"
ROLE_TELEFONIST = "telefonist_network"  # one number answers for 3-15 personas in several cities
ROLE_TEMPLATE = "template_network"  # one text template posted under 5-30 different numbers
ROLE_TOURING = "touring_group"  # 2-6 personas moving city to city together, week by week
# Stolen photos, name and age in an operator's own text under unrelated numbers; never a real worker.
ROLE_SCAM = "scam"
ROLES = (ROLE_INDEPENDENT, ROLE_TELEFONIST, ROLE_TEMPLATE, ROLE_TOURING, ROLE_SCAM)

# Indicator codes the generator deliberately writes into ads (the catalogue in zicht.signals names them).
INDICATOR_CODES = (
    "AVAILABLE_247",
    "UNPROTECTED_SERVICES",
    "EXTREME_SERVICES",
    "YOUTH_EMPHASIS",
    "OBSCURED_CONTACT",
    "TRUST_LANGUAGE",
    "STATED_ORIGIN",
    "THIRD_PERSON",
    "MULTIPLE_WORKERS",
    "NEW_IN_TOWN",
    "RESTRICTED_CONTACT",
    "HOTEL_OR_TEMP_LOCATION",
)

# Phone format classes (``zicht.extract.phone_formats.PHONE_FORMAT_CLASSES``) that hide a number from a
# plain search: letters or words for digits, emoji or exotic digits, digits glued to words, one digit
# at a time, odd separators, a number broken over lines. A number in the text written this way, or a
# number only on a photo, is an OBSCURED_CONTACT cue in the truth. The ordinary ways of writing a
# number (plain, spaced, dotted, dashed, slashed, bracketed, international, intl_00) are not.
OBSCURED_FORMAT_CLASSES = frozenset(
    {
        "digit_spaced",
        "tilde",
        "asterisk",
        "underscore",
        "mixed_separators",
        "glued",
        "letter_ol",
        "dutch_words",
        "english_words",
        "keycap_emoji",
        "fullwidth",
        "unicode_digits",
        "split_lines",
    }
)

# Ways of writing a number beyond ``PHONE_FORMAT_CLASSES`` that the demo writes and the evaluation reports:
# two numbers separated by one space ("0612345678 0687654321", both numbers carry this class), and chat
# links that carry the number (wa.me/316..., api.whatsapp.com/send?phone=316..., t.me/+316...).
PAIR_CLASS = "space_pair"
WHATSAPP_CLASS = "whatsapp_link"
TELEGRAM_CLASS = "telegram_link"
EXTRA_FORMAT_CLASSES = (PAIR_CLASS, WHATSAPP_CLASS, TELEGRAM_CLASS)

# Where a cue or a phone number appears in an ad.
WHERE_FIELD = "field"  # a declared field (phone: the "toon nummer" button; cue: fields[...] value)
WHERE_TITLE = "title"
WHERE_TEXT = "text"
WHERE_SERVICES = "services"  # the service list
WHERE_PHOTO = "photo"  # drawn on a photo (text overlay); only OCR can read it


@dataclass(frozen=True, slots=True)
class DemoPhoto:
    """A photo reference; the pixels come from ``zicht.demo.images.render_photo`` on request.

    ``variant`` > 0 is a near-duplicate re-upload of the same photo (crop, brightness, JPEG quality):
    same picture for a person, a small perceptual-hash distance for a machine.
    ``overlay_text`` is drawn on the photo (a phone number or "nieuw!"), None for a clean photo.
    """

    photo_id: str
    variant: int = 0
    overlay_text: str | None = None

    @property
    def key(self) -> str:
        """A stable, opaque, file-name-safe key for URLs and caches: it reveals neither the photo id
        (so two re-uploads of one photo cannot be linked by their URLs) nor the overlay text."""
        return _short_hash(f"{self.photo_id}\x1f{self.variant}\x1f{self.overlay_text}", 8)


@dataclass(frozen=True, slots=True)
class PhoneTruth:
    """One phone number as it appears in an ad.

    ``e164``: the number (``+316...``). ``format_class``: the class from
    ``zicht.extract.phone_formats.PHONE_FORMAT_CLASSES`` used to write it. ``where``: field | title |
    text | photo. ``rendered``: exactly what was written.
    """

    e164: str
    format_class: str
    where: str
    rendered: str


@dataclass(frozen=True, slots=True)
class Cue:
    """A phrase the generator put in on purpose, with the indicator code it stands for.

    ``negated`` True marks a decoy ("altijd met condoom", "geen AV", "no BBBJ"): it looks like the
    code's phrases but says the opposite and must NOT count as a hit for ``code``.
    ``where``: title | text | field | services; ``phrase``: the exact text inserted (for ``field`` it is
    the field value, for ``services`` the service item).
    """

    code: str
    phrase: str
    where: str
    negated: bool = False


@dataclass(slots=True)
class VersionTruth:
    """What one version of an ad really contains; parallel to ``DemoAd.versions`` (same index)."""

    from_day: int
    gemeente_code: str  # CBS code of the place the ad names (GM0599 ...)
    place_written: str  # the place exactly as the ad writes it ("rotterdam-zuid", "Den Bosch")
    cues: list[Cue] = field(default_factory=list)
    phones: list[PhoneTruth] = field(default_factory=list)
    text_age: int | None = None  # age stated in the free text ("ik ben 23"), None if not stated
    age_conflict: bool = False  # text age differs from the declared age, on purpose
    # Digit groups written in the text that are not phone numbers (a date, postcode, body measurement,
    # house number, HHMM-HHMM opening time): phone precision is measured against them.
    lookalikes: list[str] = field(default_factory=list)
    # The declared fields and lists as codes (empty/None in truth files written before they existed):
    services: list[str] = field(default_factory=list)  # service codes of the site's checklist
    rates: list[tuple[int, int]] = field(default_factory=list)  # (minutes, euro) of every rate line shown
    reception: str | None = None  # reception type of the declared field (prive_ontvangst, escort, ...)
    origin: str | None = None  # the declared origin field as a country/region code, None when not shown
    languages: list[str] = field(default_factory=list)  # language codes the text lists
    hours: str | None = None  # the declared hours field as written
    handles: list[str] = field(default_factory=list)  # messenger handles, "kind:value" (snapchat:anna12)

    @property
    def indicators(self) -> frozenset[str]:
        return frozenset(c.code for c in self.cues if not c.negated)

    @property
    def negated_decoys(self) -> frozenset[str]:
        return frozenset(c.code for c in self.cues if c.negated)


@dataclass(slots=True)
class AdTruth:
    """Ground truth for one ad: who is behind it and what the generator put in it.

    ``persona_id``: one worker (or, for scams, one fake profile). The same persona may post on several
    sites and re-post; all those ads share ``persona_id``.
    ``network_id``: every persona belongs to exactly one network; independents have a singleton
    network (``N-...`` equal for all ads of that persona only). Scam profiles belong to the network of
    their scam operator, which never contains a real worker.
    ``scam_operator_id``: set for scam ads only. ``copied_from_persona``: for scam ads, the real
    persona whose photos, name and age were taken.
    ``template_id``: the text template behind a template-network ad, or the house text of a scam
    operator (``S...``).
    ``repost_of``: ``"site:source_id"`` of the earlier ad this one re-posts with the same content.
    ``hubs``: shared values that link unrelated ads on purpose: ``stock_photo:<id>``,
    ``generic_sentence:<n>``.
    """

    persona_id: str
    network_id: str
    role: str
    declared_age: int | None
    emails: list[str]
    photo_ids: list[str]
    versions: list[VersionTruth]
    scam_operator_id: str | None = None
    copied_from_persona: str | None = None
    template_id: str | None = None
    repost_of: str | None = None
    hubs: list[str] = field(default_factory=list)

    @property
    def phones(self) -> list[PhoneTruth]:
        """Every distinct (number, format, place) over all versions, in order of appearance."""
        seen: dict[tuple[str, str, str], PhoneTruth] = {}
        for v in self.versions:
            for p in v.phones:
                seen.setdefault((p.e164, p.format_class, p.where), p)
        return list(seen.values())

    @property
    def phone_numbers(self) -> frozenset[str]:
        return frozenset(p.e164 for v in self.versions for p in v.phones)

    @property
    def indicators(self) -> frozenset[str]:
        """Codes present in any version."""
        return frozenset(c.code for v in self.versions for c in v.cues if not c.negated)

    @property
    def negated_decoys(self) -> frozenset[str]:
        return frozenset(c.code for v in self.versions for c in v.cues if c.negated)

    @property
    def gemeente_codes(self) -> list[str]:
        """Gemeente of each version, in order (changes for touring groups)."""
        return [v.gemeente_code for v in self.versions]

    @property
    def text_age(self) -> int | None:
        return next((v.text_age for v in self.versions if v.text_age is not None), None)

    @property
    def age_conflict(self) -> bool:
        return any(v.age_conflict for v in self.versions)


@dataclass(slots=True)
class DemoVersion:
    """One state of an ad, valid from ``from_day`` until the next version or the ad's removal.

    ``fields`` uses the canonical keys of ``zicht.sources.types.CANONICAL_FIELDS`` (age, gender,
    location, origin, orientation, category, reception, hours, features, name), values as the site
    shows them. ``services``: the site's service checklist; ``rates``: price lines as written
    ("30 min €100"). ``place_gm_code`` is truth kept here for convenience of the site renderer (it
    may use it to file the ad under a region); never show it as text.
    """

    from_day: int
    title: str
    text: str
    fields: dict[str, str]
    services: list[str]
    rates: list[str]
    photos: list[DemoPhoto]
    place_gm_code: str


@dataclass(slots=True)
class DemoAd:
    """One ad on one site, over its whole life [first_day, last_day] (removed after last_day).

    ``phone_display`` is what the site's "toon nummer" button returns (None: no number shown).
    ``email`` is the declared e-mail field (None if absent). ``versions`` is sorted by ``from_day``
    and the first version starts on ``first_day``.
    """

    site: str
    source_id: str
    slug: str
    category: str
    reception: str
    first_day: int
    last_day: int
    posted_at: datetime
    phone_display: str | None
    email: str | None
    versions: list[DemoVersion]
    truth: AdTruth

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.source_id)

    def active(self, day: int) -> bool:
        return self.first_day <= day <= self.last_day

    def version_on(self, day: int) -> DemoVersion | None:
        """The version online on ``day``; None before the ad was posted or after it was removed."""
        if not self.active(day):
            return None
        found = None
        for v in self.versions:
            if v.from_day > day:
                break
            found = v
        return found

    def truth_on(self, day: int) -> VersionTruth | None:
        """The truth of the version online on ``day``."""
        if not self.active(day):
            return None
        found = None
        for v in self.truth.versions:
            if v.from_day > day:
                break
            found = v
        return found


@dataclass(slots=True)
class Market:
    """The whole market: a start date, a length in days and the ads (a list; see ``iter_ads`` for streams)."""

    start: date
    days: int
    ads: list[DemoAd] = field(repr=False)
    seed: int
    intervention: DemoIntervention | None = field(default=None, repr=False)  # a simulated control action
    _index: dict[tuple[str, str], DemoAd] | None = field(default=None, repr=False, compare=False)

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def day_of(self, when: date | datetime) -> int:
        if isinstance(when, datetime):
            when = when.astimezone(TZ).date()
        return (when - self.start).days

    @property
    def weeks(self) -> int:
        return (self.days + 6) // 7

    def active_on(self, day: int) -> list[DemoAd]:
        return [a for a in self.ads if a.first_day <= day <= a.last_day]

    def ad(self, site: str, source_id: str) -> DemoAd | None:
        if self._index is None:
            self._index = {a.key: a for a in self.ads}
        return self._index.get((site, source_id))

    def on_site(self, site: str) -> list[DemoAd]:
        return [a for a in self.ads if a.site == site]

    def __iter__(self) -> Iterator[DemoAd]:
        return iter(self.ads)

    def __len__(self) -> int:
        return len(self.ads)


def as_ads(market_or_ads: Market | Iterable[DemoAd]) -> Iterable[DemoAd]:
    """Accept a market or any iterable of ads (streams from ``iter_ads``)."""
    return market_or_ads.ads if isinstance(market_or_ads, Market) else market_or_ads


def _short_hash(text: str, size: int) -> str:
    return hashlib.blake2s(text.encode(), digest_size=size).hexdigest()


# --- a simulated control action (the waterbed effect, with its truth) -------------------------------------------

# What a persona advertising in the gemeente on the day of a control action did, as practice reports it
# ("from 15-20 pages of ads for Schiedam to one"): most stop advertising there, a share move their ads
# to a neighbouring gemeente, a share go quiet for a while and come back, a few stay.
REACTION_STOPPED = "stopped"
REACTION_MOVED = "moved"
REACTION_PAUSED = "paused"
REACTION_STAYED = "stayed"
REACTIONS = (REACTION_STOPPED, REACTION_MOVED, REACTION_PAUSED, REACTION_STAYED)


@dataclass(slots=True)
class PersonaReaction:
    """Truth of one displaced persona: what it did with its ads in the gemeente from the control day on.

    ``moved_to``: the gemeente its ads name instead (``moved``). ``back_day``: the first day its ads were
    online again after the pause (``paused``; None when the pause outlasted the market). ``ads``: its
    ads (``site:source_id``) that were online there on the day before and on the day of the control.
    """

    persona_id: str
    role: str
    reaction: str
    moved_to: str | None = None
    back_day: int | None = None
    ads: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DemoIntervention:
    """A simulated control action on market day ``day`` in ``gemeente_code``, and who reacted how.

    Every persona (scam profiles excepted: there is nobody to meet) with an ad online in the gemeente on
    the day before and on the day itself reacts (``reactions``, filled by the generator). ``neighbours``
    are the gemeenten that moving personas choose from, nearest first.
    """

    day: int
    gemeente_code: str
    kind: str = "control"
    neighbours: tuple[str, ...] = ()
    reactions: dict[str, PersonaReaction] = field(default_factory=dict)

    def persona_ids(self, reaction: str) -> list[str]:
        return sorted(p for p, r in self.reactions.items() if r.reaction == reaction)
