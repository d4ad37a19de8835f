"""Ad text as HTML with the words behind each signal marked: everything escaped, only spans wrapped.

The text is hostile input (an ad may contain ``<script>``), so it is never trusted as markup: it is
cut at every span boundary, each piece escaped, and only pieces inside a span are wrapped in
``<mark>``. Spans may overlap or nest ("2 jonge meiden" holds "jonge"): a piece covered by several
spans is one ``<mark>`` naming all of them, so the text reads once and in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

# How a piece is shown when several spans cover it: a counting signal wins over a shown-only one,
# which wins over a negated one, so a person never overlooks a span that raised the score.
KINDS = ("counts", "info", "negated")


@dataclass(frozen=True)
class Mark:
    start: int  # offsets local to the text being marked, end exclusive
    end: int
    key: str  # the anchor id of the span ("hit-12"), unique on the page
    kind: str  # one of KINDS
    label: str  # why it is marked, for the title attribute (already in the reader's language)


def _kind(covering: Sequence[Mark]) -> str:
    return min((m.kind for m in covering), key=KINDS.index)


def highlight(text: str, marks: Sequence[Mark], anchored: set[str] | None = None) -> Markup:
    """``text`` escaped, with ``<mark>`` around the spans of ``marks``; spans outside the text are
    clipped, empty ones dropped. The first piece of each span carries its ``key`` as an id, unless
    the key is in ``anchored`` (keys already given an id elsewhere on the page; updated here)."""
    n = len(text)
    usable = []
    for m in marks:
        if m.kind not in KINDS:
            raise ValueError(f"unknown mark kind {m.kind!r}")
        start, end = max(0, m.start), min(n, m.end)
        if start < end:
            usable.append(Mark(start, end, m.key, m.kind, m.label))
    if not usable:
        return Markup(escape(text))
    cuts = sorted({0, n, *(m.start for m in usable), *(m.end for m in usable)})
    out: list[str] = []
    anchored = set() if anchored is None else anchored
    for a, b in pairwise(cuts):
        piece = escape(text[a:b])
        covering = [m for m in usable if m.start <= a and b <= m.end]
        if not covering:
            out.append(piece)
            continue
        starting = [m.key for m in covering if m.start == a and m.key not in anchored]
        anchored.update(starting)
        # Extra spans that start here get an empty anchor each, so every hit can be linked to.
        out.extend(Markup('<span class="mark-anchor" id="{}"></span>').format(key) for key in starting[1:])
        labels = list(dict.fromkeys(m.label for m in covering))
        out.append(
            Markup('<mark{} class="mark-{}" title="{}" data-hits="{}">{}</mark>').format(
                Markup(' id="{}"').format(starting[0]) if starting else "",
                _kind(covering),
                "; ".join(labels),
                " ".join(dict.fromkeys(m.key for m in covering)),
                piece,
            )
        )
    return Markup("").join(out)
