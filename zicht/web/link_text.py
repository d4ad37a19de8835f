"""The linking stage's reasons, evidence summaries and role evidence in the reader's language.

The stage stores each link's ``reason``, each channel's ``evidence["summary"]`` and each role's
``evidence["summary"]`` as English sentences for exports and logs. The web pages do not show those
sentences: they say the same thing again from the structured parts stored beside them (the shared
values, photo pairs and distances, similarity, sentence counts, personas, gemeenten, route) with
gettext, so a Dutch team reads Dutch. A reason is a fixed sentence plus notes on name and age; a
sentence or note this module does not know (a newer stage) is shown as stored, in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from zicht.analysis.counts import UNKNOWN_CODE
from zicht.reference import gemeente
from zicht.web.i18n import N_

Translate = Callable[..., str]  # (message, **values) -> the message translated, values filled in

MAX_LISTED = 10  # items of one evidence list shown; the rest is counted

# The verification stage's fixed reasons (``zicht/linking/verify.py``) and the move links' reason.
REASONS: dict[str, str] = {
    "shared contact point and the same photos": N_("shared contact point and the same photos"),
    "shared contact point and the same photos (name/age differ)": N_(
        "shared contact point and the same photos (name/age differ)"
    ),
    "shared contact point, different photos": N_("shared contact point, different photos"),
    "shared contact point, another name or age": N_("shared contact point, another name or age"),
    "shared contact point, nothing says another person": N_(
        "shared contact point, nothing says another person"
    ),
    "same identity (photos/text, name/age) under unrelated contact points": N_(
        "same identity (photos/text, name/age) under unrelated contact points"
    ),
    "same photos under unrelated contact points": N_("same photos under unrelated contact points"),
    "same text filled in for another person": N_("same text filled in for another person"),
    "same text filled in for another person (other photos)": N_(
        "same text filled in for another person (other photos)"
    ),
    "something shared, not enough to link": N_("something shared, not enough to link"),
    "same photos or text, same name/age, no conflicting contact": N_(
        "same photos or text, same name/age, no conflicting contact"
    ),
    "same photos or text, nothing says another person": N_(
        "same photos or text, nothing says another person"
    ),
    "personas moved between gemeenten together": N_("personas moved between gemeenten together"),
}
NOTES: dict[tuple[str, str], str] = {
    ("name", "same"): N_("name the same (%(a)s / %(b)s)"),
    ("name", "differs"): N_("name differs (%(a)s / %(b)s)"),
    ("age", "same"): N_("age the same (%(a)s / %(b)s)"),
    ("age", "differs"): N_("age differs (%(a)s / %(b)s)"),
}
_NOTE = re.compile(r"^(name|age) (same|differs) \((.*) / (.*)\)$")
KEY_LABELS: dict[str, str] = {
    "personas": N_("Personas"),
    "labels": N_("Names"),
    "gemeenten": N_("Gemeenten"),
    "contact_points": N_("Contact points"),
    "ads": N_("Ads"),
    "route": N_("Route"),
    "presumed_original": N_("Presumed original"),
    "copied_by": N_("Copied by"),
    "same_identity_as": N_("Same identity as"),
    "longest_ad_days": N_("Longest online (days)"),
    "served_by": N_("Served by"),
    "name": N_("name"),
    "age": N_("age"),
}
CONTACT_CHANNELS = ("phone", "email", "handle")


def place(code: object) -> str:
    """A gemeente code as its name (codes the reference does not know, as they are)."""
    if not isinstance(code, str) or not code or code == UNKNOWN_CODE:
        return "?"
    found = gemeente(code)
    return found.name if found else code


@dataclass(frozen=True)
class LinkText:
    """Texts for one request; ``t`` translates into the request's language."""

    t: Translate

    # -------------------------------------------------------------- links

    def reason(self, stored: str) -> str:
        """A pair's reason: the fixed sentence and its notes, each translated when known."""
        if not stored:
            return ""
        parts = []
        for part in stored.split("; "):
            note = _NOTE.match(part)
            if part in REASONS:
                parts.append(self.t(REASONS[part]))
            elif note:
                what, how, a, b = note.groups()
                parts.append(self.t(NOTES[(what, how)], a=a, b=b))
            else:
                parts.append(part)
        return "; ".join(parts)

    def summary(self, channel: str, hub: bool, evidence: dict) -> str:
        """One channel's evidence in a sentence, from its stored parts (the stored sentence otherwise)."""
        e = evidence or {}
        try:
            if channel in CONTACT_CHANNELS:
                return self._contact(e)
            if channel == "photo":
                return self._photo(e)
            if channel in ("text", "template"):
                return self._text(channel, hub, e)
            if channel == "move" and e.get("route"):
                return self.t(
                    N_("moved together %(n)s time(s): %(route)s"),
                    n=len(e["route"]),
                    route=", ".join(self.leg(r) for r in e["route"]),
                )
            if channel == "analyst":
                return self.t(N_("confirmed by an analyst"))
        except (KeyError, TypeError, ValueError, IndexError):
            pass
        return str(e.get("summary", ""))

    def _contact(self, e: dict) -> str:
        values = [str(v) for v in e.get("values") or []]
        hubs = [str(v) for v in e.get("hub_values") or []]
        if values:
            out = self.t(N_("same %(values)s"), values=", ".join(values))
            if hubs:
                out += "; " + self.t(
                    N_("%(values)s shared by very many ads: not used"), values=", ".join(hubs)
                )
            return out
        return self.t(N_("same %(values)s: shared by very many ads, not used"), values=", ".join(hubs))

    def _photo(self, e: dict) -> str:
        pairs, hub_pairs = e.get("pairs") or [], e.get("hub_pairs") or []
        n_a, n_b = (e.get("of") or [0, 0])[:2]
        out = self.t(N_("%(n)s matching photo pair(s); %(a)s and %(b)s photos"), n=len(pairs), a=n_a, b=n_b)
        if pairs:
            dists = ", ".join(str(d) for d in sorted(p[2] for p in pairs))
            out += " " + self.t(N_("(pHash distance %(d)s)"), d=dists)
        if hub_pairs:
            out += "; " + self.t(N_("%(n)s widely used photo(s) not counted"), n=len(hub_pairs))
        return out

    def _text(self, channel: str, hub: bool, e: dict) -> str:
        values = {"s": f"{float(e['similarity']):.2f}", "n": int(e.get("shared") or 0)}
        if channel == "text":
            out = self.t(N_("same text: similarity %(s)s, %(n)s sentence(s) shared"), **values)
        else:
            out = self.t(
                N_("same template (other name/age): similarity %(s)s, %(n)s sentence(s) shared"), **values
            )
        if hub:
            out += " " + self.t(N_("(boilerplate shared by very many ads: not used)"))
        return out

    def leg(self, leg: dict) -> str:
        """One move of a route: from → to (week)."""
        text = f"{place(leg.get('from'))} → {place(leg.get('to'))}"
        if leg.get("week") is not None:
            text += " (" + self.t(N_("week %(w)s"), w=leg["week"]) + ")"
        return text

    def slot(self, name: str) -> str:
        return self.t(KEY_LABELS[name]) if name in KEY_LABELS else name

    # -------------------------------------------------------------- roles

    def role_summary(self, role: str, evidence: dict, subject: str = "") -> str:
        """What a role finding says, from its evidence (the stored sentence otherwise)."""
        e = evidence or {}
        personas = len(e.get("personas") or [])
        try:
            if role == "telefonist":
                return self.t(
                    N_("%(contact)s is the contact for %(p)s personas in %(g)s gemeente(n)"),
                    contact=subject,
                    p=personas,
                    g=len(e.get("gemeenten") or []),
                )
            if role == "ad_manager":
                return self.t(
                    N_("one template used for %(p)s personas under %(c)s contact points"),
                    p=personas,
                    c=int(e["contact_points"]),
                )
            if role == "touring_group":
                return self.t(
                    N_("%(p)s personas moved together %(n)s time(s)"), p=personas, n=len(e.get("route") or [])
                )
            if role == "likely_scam":
                out = self.t(N_("%(p)s personas offer one identity under unrelated numbers"), p=personas)
                if e.get("presumed_original"):
                    out += " " + self.t(N_("(presumed original: persona %(id)s)"), id=e["presumed_original"])
                return out
            if role == "identity_copied":
                return self._copied(e)
            if role == "independent":
                return self.t(
                    N_(
                        "one persona with its own contact point(s); no shared numbers, templates, "
                        "group travel or copies found"
                    )
                )
        except (KeyError, TypeError, ValueError):
            pass
        return str(e.get("summary", ""))

    def _copied(self, e: dict) -> str:
        n = len(e.get("copied_by") or [])
        stored = re.search(r"under (\d+) other number", str(e.get("summary", "")))
        if stored:  # the persona's evidence keeps the first 20 copiers only; the sentence has the count
            n = int(stored.group(1))
        return self.t(N_("photos/text of this persona appear under %(n)s other number(s)"), n=n)

    def subject(self, role: str, subject: str, evidence: dict) -> str:
        """What a role finding is about: a contact point, a route, a count."""
        e = evidence or {}
        if role == "ad_manager" and e.get("personas"):
            return self.t(N_("template over %(n)s personas"), n=len(e["personas"]))
        if role == "likely_scam" and e.get("personas"):
            return self.t(N_("identity under %(n)s numbers"), n=len(e["personas"]))
        if role == "identity_copied" and e.get("copied_by") is not None:
            return self.t(N_("copied by %(n)s persona(s)"), n=len(e["copied_by"]))
        if role == "touring_group" and e.get("route"):
            route = e["route"]
            return " → ".join([place(route[0].get("from"))] + [place(r.get("to")) for r in route])
        return subject

    def persona_summary(self, evidence: dict) -> str:
        """A persona's role evidence in sentences (scam pattern, copied by others)."""
        e = evidence or {}
        out = []
        if "presumed_original" in e or "same_identity_as" in e:
            text = self.t(N_("the same photos/text as other ads under an unrelated number"))
            if e.get("presumed_original"):
                text += "; " + self.t(
                    N_("persona %(id)s kept it online longest (presumed original)"), id=e["presumed_original"]
                )
            out.append(text)
        if isinstance(e.get("identity_copied"), dict):
            out.append(self._copied(e["identity_copied"]))
        if not out and e.get("summary"):
            out.append(str(e["summary"]))
        return "; ".join(out)

    def items(self, evidence: dict) -> list[tuple[str, str]]:
        """The evidence's other parts as (label, text), long lists cut to MAX_LISTED with a count."""
        out = []
        for key, value in (evidence or {}).items():
            if key in ("summary", "identity_copied"):
                continue
            label = self.t(KEY_LABELS[key]) if key in KEY_LABELS else key
            if key == "route" and isinstance(value, list):
                out.append((label, self._listed(self.leg(r) for r in value if isinstance(r, dict))))
            elif key == "gemeenten" and isinstance(value, list):
                out.append((label, self._listed(place(v) for v in value)))
            elif isinstance(value, list | tuple):
                out.append((label, self._listed(str(v) for v in value)))
            else:
                out.append((label, str(value)))
        return out

    def _listed(self, values: Iterable[str]) -> str:
        values = list(values)
        text = ", ".join(values[:MAX_LISTED])
        if len(values) > MAX_LISTED:
            text += " " + self.t(N_("and %(n)s more"), n=len(values) - MAX_LISTED)
        return text
