"""Text normalisation that keeps a map back to the original, so facts found in the normalised text can
still point at the exact characters an analyst sees in the ad (evidence spans)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_SEGMENTS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")

# Characters that carry no text of their own: emoji variation selectors, the keycap mark, tag characters.
# (Format characters — zero-width spaces/joiners, bidi controls, soft hyphens — are dropped by category.)
_INVISIBLE = frozenset(
    [*map(chr, range(0xFE00, 0xFE10)), "\u20e3", *map(chr, range(0xE0020, 0xE0080)), "\u034f"]
)
_SPECIAL = {
    "\u2795": "+",  # heavy plus sign emoji
    "\U0001f51f": "10",  # keycap ten
    "\u2028": "\n",
    "\u2029": "\n",
    "\u0085": "\n",
}


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """`text` is the normalised string; `original_span` maps a slice of it back to the input."""

    text: str
    original: str
    _starts: list[int] | None = None  # None: identical to the original (pure ASCII input)
    _ends: list[int] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) covering normalised text[start:end] (end exclusive, end > start)."""
        if self._starts is None or self._ends is None:
            return start, end
        return self._starts[start], self._ends[end - 1]

    def original_offsets(self, start: int, end: int) -> tuple[list[int], list[int]]:
        """Per normalised character in [start, end): its original (start, end) offsets."""
        if self._starts is None or self._ends is None:
            return list(range(start, end)), list(range(start + 1, end + 1))
        return self._starts[start:end], self._ends[start:end]

    @property
    def is_identity(self) -> bool:
        """True when offsets in `text` are offsets in `original` (nothing was changed)."""
        return self._starts is None

    @property
    def changed(self) -> bool:
        return self.text != self.original


@lru_cache(maxsize=8192)
def _normalise_char(ch: str) -> str:
    special = _SPECIAL.get(ch)
    if special is not None:
        return special
    if ch in _INVISIBLE:
        return ""
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""
    if category == "Cc":
        return " "
    out = unicodedata.normalize("NFKC", ch)
    if out.isascii():
        return out
    chars = []
    for c in out:
        value = unicodedata.decimal(c, None)
        if value is None and len(out) == 1:
            value = unicodedata.digit(c, None)  # e.g. dingbat negative circled digits
        chars.append(str(value) if value is not None else c)
    return "".join(chars)


def normalise(text: str) -> NormalisedText:
    """NFKC per character, every Unicode digit as an ASCII digit, invisible characters dropped.

    Fullwidth, mathematical and Arabic-Indic digits become 0-9; keycap emoji ("6️⃣") become the bare digit,
    with the dropped marks still covered by that digit's original span. Combining accents stay attached
    to their letter. Pure-ASCII input is returned as is, without a map.
    """
    if text.isascii():
        return NormalisedText(text, text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for segment in _SEGMENTS.finditer(text):
        seg_start, seg_end = segment.span()
        if text[seg_start].isascii():
            out.append(segment.group())
            starts.extend(range(seg_start, seg_end))
            ends.extend(range(seg_start + 1, seg_end + 1))
            continue
        for pos in range(seg_start, seg_end):
            ch = text[pos]
            if unicodedata.combining(ch) and out:
                _attach_mark(out, starts, ends, ch, pos)
                continue
            mapped = _normalise_char(ch)
            if not mapped:
                if ends:
                    ends[-1] = pos + 1  # the dropped mark belongs to the previous character's span
                continue
            for c in mapped:
                out.append(c)
                starts.append(pos)
                ends.append(pos + 1)
    return NormalisedText("".join(out), text, starts, ends)


def _attach_mark(out: list[str], starts: list[int], ends: list[int], mark: str, pos: int) -> None:
    """Compose an accent with the preceding character ("e" + U+0308 -> "ë") where Unicode can."""
    composed = unicodedata.normalize("NFKC", out[-1][-1] + mark)
    if len(composed) == 1:
        out[-1] = out[-1][:-1] + composed
        ends[-1] = pos + 1
    else:
        out.append(mark)
        starts.append(pos)
        ends.append(pos + 1)


def fold(word: str) -> str:
    """Lower-case without diacritics ("Één" -> "een", "tweeëntwintig" -> "tweeentwintig")."""
    word = word.lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _fold_table() -> dict[int, str]:
    table = {code: chr(code + 32) for code in range(ord("A"), ord("Z") + 1)}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0].lower()
        if base.isascii() and base.isalpha() and base != chr(code):
            table[code] = base
    return table


_FOLD_TABLE = _fold_table()


def fold_in_place(text: str) -> str:
    """Like `fold`, but character for character (Latin letters only), so offsets into the result are
    offsets into `text`: a regex can search the folded copy and report positions in the original."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE)
