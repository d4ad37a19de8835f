"""The decision a person records on an ad: labels, messages, the remembered name, the way back.

There is no login yet. The name typed into the form is stored with each decision and remembered in
a cookie on this computer only, so that it need not be typed again; it is a convenience, not an
identity check, and the pages say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from fastapi import Request, Response

from zicht.store import reviews
from zicht.web import i18n
from zicht.web.i18n import N_
from zicht.web.rendering import language

USER_COOKIE = "zicht_user"
USER_COOKIE_MAX_AGE_S = 365 * 24 * 3600

DECISION_LABELS: dict[str, str] = {
    "reviewed": N_("reviewed"),
    "selected": N_("selected for a control"),
    "dismissed": N_("dismissed"),
}
PROBLEM_MESSAGES: dict[str, str] = {
    reviews.PROBLEM_AD: N_(
        "This ad was not found. The number may be wrong, or the ad was removed from Zicht."
    ),
    reviews.PROBLEM_DECISION: N_("Choose a decision: reviewed, selected for a control, or dismissed."),
    reviews.PROBLEM_USER: N_("Fill in your name: it is stored with the decision."),
    reviews.PROBLEM_USER_LONG: N_("Your name is longer than %(max)d characters."),
    reviews.PROBLEM_REASON: N_("Give a reason: every decision is stored with the reason for it."),
    reviews.PROBLEM_REASON_LONG: N_("The reason is longer than %(max)d characters."),
}
_LIMITS = {reviews.PROBLEM_USER_LONG: reviews.MAX_USER, reviews.PROBLEM_REASON_LONG: reviews.MAX_REASON}
# Where a no-JavaScript form may send the person back to: our own worklist or ad page, nothing else.
_BACK = re.compile(r"/werklijst(?:\?[A-Za-z0-9_.~%&=+-]*)?|/advertenties/[0-9]{1,10}")


@dataclass
class DecisionInput:
    """What was typed, echoed back into the form when it has to be corrected."""

    decision: str = ""
    reason: str = ""
    user: str = ""
    errors: list[str] = field(default_factory=list)  # translated messages
    saved: bool = False


def messages(request: Request, problems: tuple[str, ...]) -> list[str]:
    lang = language(request)
    return [
        i18n.gettext(lang, PROBLEM_MESSAGES[p], **({"max": _LIMITS[p]} if p in _LIMITS else {}))
        for p in problems
    ]


def remembered_user(request: Request) -> str:
    return reviews.clean_user(unquote(request.cookies.get(USER_COOKIE, "")))[: reviews.MAX_USER]


def remember_user(response: Response, user: str) -> None:
    response.set_cookie(
        USER_COOKIE, quote(user, safe=""), max_age=USER_COOKIE_MAX_AGE_S, httponly=True, samesite="strict"
    )


def safe_back(value: str | None, ad_id: int) -> str:
    """The page to return to after a decision without JavaScript; the ad page when in doubt."""
    if value and _BACK.fullmatch(value):
        return value
    return f"/advertenties/{ad_id}"
