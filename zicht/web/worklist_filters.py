"""What a person chose in the worklist filters, checked and turned into a ``WorkQuery``.

As in the ad list, a value that cannot be read is never guessed at or dropped: the form comes back
with a message and no rows, because a silently ignored filter shows more than was asked for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cache

from zicht import reference
from zicht.signals.catalogue import load_catalogue
from zicht.store.views import WORK_AD_STATUSES, WORK_STATUSES, WorkQuery
from zicht.web import i18n
from zicht.web.ad_filters import MAX_TEXT, match_site, parse_date
from zicht.web.i18n import N_

PER_PAGE = 50
DEFAULTS = {"status": "open", "ad_status": "active", "page": "1"}

LABELS: dict[str, str] = {
    "gemeente": N_("Gemeente"),
    "police_unit": N_("Police unit"),
    "site": N_("Site"),
    "indicator": N_("Signal"),
    "since": N_("New or changed since"),
    "status": N_("Decision"),
    "ad_status": N_("Ad status"),
    "min_score": N_("Minimum score"),
    "page": N_("Page"),
}
FIELDS = tuple(LABELS)

STATUS_LABELS: dict[str, str] = {
    "open": N_("open (no decision yet)"),
    "reviewed": N_("reviewed"),
    "selected": N_("selected for a control"),
    "dismissed": N_("dismissed"),
    "all": N_("all"),
}
AD_STATUS_LABELS: dict[str, str] = {"active": N_("active"), "removed": N_("removed"), "all": N_("all")}

_SCORE = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{1,2})?")


@dataclass
class WorkForm:
    values: dict[str, str]  # echoed back into the form exactly as chosen
    errors: list[str] = field(default_factory=list)  # translated messages
    query: WorkQuery | None = None  # None when there are errors

    @property
    def active(self) -> bool:
        return any(self.values.get(k) not in (None, "", DEFAULTS.get(k)) for k in FIELDS if k != "page")


@cache
def gemeente_choices() -> tuple[tuple[str, str], ...]:
    """(code, name) of every gemeente, by name as people look for it ("'s-Hertogenbosch" under H)."""
    return tuple(
        sorted(
            ((g.code, g.name) for g in reference.gemeenten().values()),
            key=lambda cn: cn[1].removeprefix("'s-").removeprefix("'t ").casefold(),
        )
    )


@cache
def police_unit_choices() -> tuple[str, ...]:
    """Names as the extractors store them (``Extraction.police_unit``)."""
    return tuple(sorted({g.police_unit for g in reference.gemeenten().values()}))


def indicator_choices(lang: str) -> list[tuple[str, str]]:
    """(code, name) of the indicators found per ad, in catalogue order."""
    return [(ind.code, ind.name.get(lang)) for ind in load_catalogue().ad_indicators]


def parse_work_filters(params: Mapping[str, str], lang: str, sites: Sequence[str] | None = None) -> WorkForm:
    """The worklist filters, or a message for each one that cannot be read; ``sites`` as in
    ``ad_filters.parse_filters``."""
    values = {k: (params.get(k) or "").strip() for k in FIELDS}
    form = WorkForm(values=values)

    def error(message: str, **kw: object) -> None:
        form.errors.append(i18n.gettext(lang, message, **kw))

    def unknown(key: str) -> None:
        error(
            N_("Unknown value “%(value)s” for “%(field)s”."),
            value=values[key][:MAX_TEXT],
            field=i18n.gettext(lang, LABELS[key]),
        )

    if values["gemeente"] and values["gemeente"] not in dict(gemeente_choices()):
        unknown("gemeente")
    if values["police_unit"] and values["police_unit"] not in police_unit_choices():
        unknown("police_unit")
    if values["indicator"] and values["indicator"] not in {c for c, _ in indicator_choices(lang)}:
        unknown("indicator")
    for key, allowed in (("status", WORK_STATUSES), ("ad_status", WORK_AD_STATUSES)):
        if values[key] and values[key] not in allowed:
            unknown(key)
    if len(values["site"]) > MAX_TEXT:
        error(
            N_("“%(field)s” is longer than %(max)d characters."),
            field=i18n.gettext(lang, LABELS["site"]),
            max=MAX_TEXT,
        )
    elif values["site"] and sites is not None:
        known = match_site(values["site"], sites)
        if known is None:
            unknown("site")
        else:
            values["site"] = known
    since = None
    if values["since"]:
        day = parse_date(values["since"])
        if day is None:
            error(
                N_("“%(value)s” is not a valid date for “%(field)s”. Use the form YYYY-MM-DD."),
                value=values["since"][:MAX_TEXT],
                field=i18n.gettext(lang, LABELS["since"]),
            )
        else:
            values["since"] = day.isoformat()
            since = datetime.combine(day, time(0), tzinfo=i18n.TIMEZONE)
    min_score = None
    if values["min_score"]:
        if _SCORE.fullmatch(values["min_score"]) and float(values["min_score"].replace(",", ".")) <= 100:
            min_score = float(values["min_score"].replace(",", "."))
        else:
            error(N_("“%(value)s” is not a score from 0 to 100."), value=values["min_score"][:MAX_TEXT])
    page = 1
    if values["page"]:
        if re.fullmatch(r"[0-9]{1,9}", values["page"]) and int(values["page"]) >= 1:
            page = int(values["page"])
        else:
            error(N_("“%(value)s” is not a page number."), value=values["page"][:MAX_TEXT])
    if form.errors:
        return form
    form.query = WorkQuery(
        gemeente_code=values["gemeente"] or None,
        police_unit=values["police_unit"] or None,
        site=values["site"] or None,
        indicator=values["indicator"] or None,
        changed_since=since,
        status=values["status"] or DEFAULTS["status"],
        ad_status=values["ad_status"] or DEFAULTS["ad_status"],
        min_score=min_score,
        page=page,
        per_page=PER_PAGE,
    )
    return form
