"""Decide whether a matched phrase is cancelled by a negation cue ("geen AV", "AV: nee", "no BBBJ").

Ads write services as terse lists, so negation is decided locally: a cue shortly before the match in
the same clause, a cue right after it, or the match continuing a list that a cue already negated
("geen AV, BBBJ of bareback"). A line break ends a clause, because sites and ads put one item per line
("Zoenen: nee\nAV: ja"). A comma ends the reach of a cue unless matched phrases stand between cue and
match ("geen AV, bareback"): this keeps "Geen haast, pijpen zonder condoom" counted, and a cue right
before a comma belongs to what came before it ("Kussen niet, BBBJ wel"). An affirmation right after a
match ("BBBJ wel", "AV: ja") cancels a cue before it. All work is bounded by a fixed look-back distance,
so cost does not grow with the text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

LOOK_BACK_CHARS = 60  # a cue further back than this never negates a match
CLAUSE_BREAKS = ".!?;:\n\r•|·"
CONJUNCTIONS = frozenset({"en", "of", "noch", "ook", "and", "or", "nor", "also"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Negation:
    """Why a match is not counted: the cue text and where it stood relative to the match."""

    cue: str
    where: str  # "before" | "after" | "list"


class Covered:
    """Sorted, possibly overlapping spans of all raw matches: phrases that are content, not gap words."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self._spans = sorted(spans)
        self._starts = [s for s, _ in self._spans]
        # running maximum of ends lets one bisect answer "is position p inside some span?"
        self._max_end: list[int] = []
        best = -1
        for _, e in self._spans:
            best = max(best, e)
            self._max_end.append(best)

    def contains(self, start: int, end: int) -> bool:
        """True if [start, end) lies inside one of the spans."""
        i = bisect.bisect_right(self._starts, start) - 1
        while i >= 0:
            s, e = self._spans[i]
            if s <= start and end <= e:
                return True
            if self._max_end[i] < end:
                return False
            i -= 1
        return False


# \Z, not $: "$" also matches before a final "\n", which would let a cue reach across a line break
_LAST_BREAK = re.compile(f"[^{re.escape(CLAUSE_BREAKS)}]*\\Z")
# Words right after a match that say it IS offered: "BBBJ wel", "AV: ja", "bareback: yes". Not "graag"
# ("geen AV graag" = no AV, please) nor "mogelijk" ("geen AV mogelijk" = AV not possible).
_AFFIRMED = re.compile(r"[ \t:=\-–—>]{0,4}(?:wel|ja|yes)(?!\w)")
_REST_OF_CLAUSE = re.compile(r"[^.,;:!?\n]{0,40}")
_AFFIRM_ENDINGS = frozenset(
    {"mogelijk", "graag", "hoor", "zeker", "natuurlijk", "possible", "please", "ok", "oke"}
)


def clause_start(text: str, pos: int, limit: int = LOOK_BACK_CHARS) -> int:
    """Start of the clause containing ``pos``, looking back at most ``limit`` characters."""
    lo = max(0, pos - limit)
    m = _LAST_BREAK.search(text, lo, pos)  # the break-free run that ends at pos
    return m.start() if m is not None else pos


def only_list_glue(text: str, start: int, end: int, covered: Covered) -> bool:
    """True if text[start:end] holds nothing but separators, conjunctions and other matched phrases."""
    if any(ch in CLAUSE_BREAKS for ch in text[start:end]):
        return False
    return _gap_words(text, start, end, covered)[0] == 0


def _gap_words(text: str, start: int, end: int, covered: Covered) -> tuple[int, int, int]:
    """(free words, words inside other matched phrases, conjunctions) between start and end."""
    free = inside = conjunctions = 0
    for m in _WORD.finditer(text, start, end):
        if m.group() in CONJUNCTIONS:
            conjunctions += 1
        elif covered.contains(m.start(), m.end()):
            inside += 1
        else:
            free += 1
    return free, inside, conjunctions


def negation_before(
    text: str, start: int, cues: re.Pattern[str], window: int, covered: Covered
) -> Negation | None:
    """A cue before ``start`` in the same clause, at most ``window`` words away, that is not itself
    part of a matched phrase ("geen" in "geen grenzen" is content, not a cue).

    Other matched phrases between cue and match let the cue through only as a list, joined by commas,
    slashes or conjunctions ("geen AV, gangbang of kaviaar"); otherwise they block it: in "not
    available 24/7 bareback" or "no BBBJ echte foto's" the cue belongs to the nearer phrase.
    """
    lo = clause_start(text, start)
    if lo >= start:
        return None
    candidates = [m for m in cues.finditer(text, lo, start) if not covered.contains(m.start(), m.end())]
    for cue in reversed(candidates[-3:]):
        gap = text[cue.end() : start]
        free, inside, conjunctions = _gap_words(text, cue.end(), start, covered)
        if inside:
            if free == 0 and (conjunctions or any(ch in gap for ch in ",/&+")):
                return Negation(cue=cue.group().strip(), where="before")
            continue
        # without matched phrases in between, a comma ends the cue's reach: "Kussen niet, BBBJ wel"
        if "," not in gap and free <= window:
            return Negation(cue=cue.group().strip(), where="before")
    return None


def affirmed_after(text: str, end: int) -> bool:
    """True if the match is directly followed by a word that says it is offered ("BBBJ wel", "AV: ja",
    "AV wel mogelijk") and nothing else in its clause: in "Geen AV wel BBBJ" the "wel" is BBBJ's."""
    m = _AFFIRMED.match(text, end)
    if m is None:
        return False
    rest = _REST_OF_CLAUSE.match(text, m.end())
    return all(word.lower() in _AFFIRM_ENDINGS for word in re.findall(r"\w+", rest.group() if rest else ""))


def negation_after(text: str, end: int, cues: re.Pattern[str]) -> Negation | None:
    """A cue right after a match, separated only by a few marks ("AV: nee", "bareback ❌")."""
    m = cues.match(text, end)
    if m is None:
        return None
    return Negation(cue=m.group().strip(" \t\r\n:=-–—>(?"), where="after")
