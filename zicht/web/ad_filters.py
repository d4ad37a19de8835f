"""What a person typed into the ad-list filters, checked and turned into an ``AdQuery``.

A bad value is never guessed at or silently dropped: the list would then show more than the
person asked for. Instead the form comes back with a message per problem and no results.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from zicht.store.views import AD_SORTS, AD_STATUSES, AdQuery
from zicht.web import i18n
from zicht.web.i18n import N_

PER_PAGE = 50
DEFAULT_SORT = "last_seen_desc"
MAX_TEXT = 200

# Form fields in the order of the form; the labels are shared by the form and the messages.
LABELS: dict[str, str] = {
    "q": N_("Search in title and text"),
    "site": N_("Site"),
    "place": N_("Place"),
    "first_from": N_("First seen from"),
    "first_to": N_("First seen up to and including"),
    "last_from": N_("Last seen from"),
    "last_to": N_("Last seen up to and including"),
    "status": N_("Status"),
    "sort": N_("Sort by"),
    "page": N_("Page"),
}
FIELDS = tuple(LABELS)

SORT_LABELS: dict[str, str] = {
    "last_seen_desc": N_("Last seen, newest first"),
    "last_seen_asc": N_("Last seen, oldest first"),
    "first_seen_desc": N_("First seen, newest first"),
    "first_seen_asc": N_("First seen, oldest first"),
}
STATUS_LABELS: dict[str, str] = {"active": N_("active"), "removed": N_("removed")}

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DUTCH_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


@dataclass
class FilterForm:
    values: dict[str, str]  # echoed back into the form exactly as typed
    errors: list[str] = field(default_factory=list)  # translated messages
    query: AdQuery | None = None  # None when there are errors

    @property
    def active(self) -> bool:
        return any(self.values.get(k) for k in FIELDS if k not in ("sort", "page"))


def parse_date(text: str) -> date | None:
    """``2026-10-05`` (what a date input sends) or ``5-10-2026`` (how people write it here)."""
    text = text.strip()
    if m := _ISO_DATE.fullmatch(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DUTCH_DATE.fullmatch(text):
        d, mo, y = (int(g) for g in m.groups())
    else:
        return None
    if not 1900 <= y <= 9998:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=i18n.TIMEZONE)


def match_site(value: str, sites: Sequence[str]) -> str | None:
    """The stored site name that ``value`` names, ignoring case ("Kinky" -> "kinky"); None if none."""
    wanted = value.casefold()
    return next((name for name in sites if name.casefold() == wanted), None)


def parse_filters(params: Mapping[str, str], lang: str, sites: Sequence[str] | None = None) -> FilterForm:
    """The filters of the ad list, or messages for each one that cannot be read. ``sites`` are the
    known site names: another site name is reported (without it, any name is passed on)."""
    values = {k: (params.get(k) or "").strip() for k in FIELDS}
    form = FilterForm(values=values)

    def error(message: str, **kw: object) -> None:
        form.errors.append(i18n.gettext(lang, message, **kw))

    def label(key: str) -> str:
        return i18n.gettext(lang, LABELS[key])

    days: dict[str, date | None] = {}
    for key in ("first_from", "first_to", "last_from", "last_to"):
        days[key] = None
        if values[key]:
            days[key] = parse_date(values[key])
            if days[key] is not None:
                values[key] = days[key].isoformat()  # what a date input can show
            else:
                error(
                    N_("“%(value)s” is not a valid date for “%(field)s”. Use the form YYYY-MM-DD."),
                    value=values[key],
                    field=label(key),
                )
    for start, end in (("first_from", "first_to"), ("last_from", "last_to")):
        if days[start] and days[end] and days[start] > days[end]:
            error(
                N_("“%(start)s” is after “%(end)s”."),
                start=label(start),
                end=label(end),
            )
    if values["status"] and values["status"] not in AD_STATUSES:
        error(N_("Unknown value “%(value)s” for “%(field)s”."), value=values["status"], field=label("status"))
    if values["sort"] and values["sort"] not in AD_SORTS:
        error(N_("Unknown value “%(value)s” for “%(field)s”."), value=values["sort"], field=label("sort"))
    page = 1
    if values["page"]:
        if re.fullmatch(r"[0-9]{1,9}", values["page"]) and int(values["page"]) >= 1:
            page = int(values["page"])
        else:
            error(N_("“%(value)s” is not a page number."), value=values["page"])
    for key in ("q", "place", "site"):
        if len(values[key]) > MAX_TEXT:
            error(N_("“%(field)s” is longer than %(max)d characters."), field=label(key), max=MAX_TEXT)
    if values["site"] and sites is not None and len(values["site"]) <= MAX_TEXT:
        known = match_site(values["site"], sites)
        if known is None:
            error(N_("Unknown value “%(value)s” for “%(field)s”."), value=values["site"], field=label("site"))
        else:
            values["site"] = known
    if form.errors:
        return form

    def end_of(day: date | None) -> datetime | None:
        return _day_start(day + timedelta(days=1)) if day else None

    def start_of(day: date | None) -> datetime | None:
        return _day_start(day) if day else None

    form.query = AdQuery(
        site=values["site"] or None,
        place=values["place"] or None,
        text=values["q"] or None,
        first_seen_from=start_of(days["first_from"]),
        first_seen_to=end_of(days["first_to"]),
        last_seen_from=start_of(days["last_from"]),
        last_seen_to=end_of(days["last_to"]),
        status=values["status"] or None,
        sort=values["sort"] or DEFAULT_SORT,  # type: ignore[arg-type]
        page=page,
        per_page=PER_PAGE,
    )
    return form
