"""One line of evidence per link, for exports and lists: what is shared, how much, and what it means.

The full evidence stays as JSON on the link (photo pairs with distances, sentence spans in both ads,
the route of a move); this line is what a spreadsheet shows. With a secret, contact values become
their keyed pseudonyms (the same ``hmac`` as ``contact_points``) and text snippets are left out, so a
pseudonymised export holds no number and no ad text.
"""

from __future__ import annotations

from zicht.settings import pseudonym

VERDICT_WORDS = {
    "persona": "same persona",
    "network": "same network, other persona",
    "copy": "same identity under unrelated numbers",
    "template": "same template, other persona",
    "weak": "shown only",
    "move": "moved together",
}


def evidence_line(
    channel: str, verdict: str, hub: bool, evidence: dict, *, secret: bytes | None = None
) -> str:
    meaning = VERDICT_WORDS.get(verdict, verdict)
    if hub:
        meaning = "widely shared value, not used"
    if channel in ("phone", "email", "handle"):
        kinds = evidence.get("kinds") or []
        values = evidence.get("values") or []
        shown = []
        for i, value in enumerate(values):
            kind = kinds[i] if i < len(kinds) else channel
            shown.append(
                f"{kind}:{pseudonym(secret, kind, value)}" if secret is not None else f"{kind}:{value}"
            )
        hub_values = evidence.get("hub_values") or []
        if hub_values and not shown:
            shown = [f"{len(hub_values)} widely shared value(s)"]
        what = "same " + ", ".join(shown)
    elif channel in ("text", "template") and secret is not None:
        what = (
            f"{channel} similarity {evidence.get('similarity', 0):.2f}, "
            f"{evidence.get('shared', 0)} sentence(s) shared"
        )
    else:
        what = str(evidence.get("summary", channel))
    return f"{what} [{meaning}]"
