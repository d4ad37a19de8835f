"""Text as the linking stage compares it: a skeleton without contact details and slot values.

Two ads are "the same text" when a person would say one was copied from the other, and "the same
template" when only the filled-in values differ (name, place, age, prices, the service list). Both are
judged on the *skeleton*: contact details are blanked (they are their own channel, and a copied text
with another number in it is exactly the case to find), declared slot values become markers, numbers
become ``#``. Sentences keep their offsets in the original text, so a shared sentence can be shown as
evidence where the analyst reads it.

MinHash (``NUM_PERM`` multiply-shift hashes over word ``SHINGLE_WORDS``-grams) estimates the Jaccard
similarity of two skeletons from a short signature; LSH bands of it are the candidate keys. Everything
here is pure and deterministic across processes (no use of Python's salted ``hash``).
"""

from __future__ import annotations

import base64
import re
import unicodedata
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from zicht.extract.text import NormalisedText, fold_in_place, normalise

SHINGLE_WORDS = 4
NUM_PERM = 64
# Sentences shorter than this (in skeleton tokens) are too generic to show or count as evidence.
MIN_SENTENCE_TOKENS = 4
SNIPPET_CHARS = 90

MARK_NAME = "<name>"
MARK_PLACE = "<place>"
MARK_SERVICE = "<service>"
MARK_RATE = "<rate>"
MARK_NUMBER = "#"
MARKERS = frozenset({MARK_NAME, MARK_PLACE, MARK_SERVICE, MARK_RATE, MARK_NUMBER})

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_WORD_SPLIT = re.compile(r"([^\W_]+)", re.UNICODE)
_WORD_CHAR = re.compile(r"[^\W_]", re.UNICODE)
_ASCII_NON_WORD_TO_SPACE = {i: " " for i in range(128) if not _WORD_CHAR.match(chr(i))}
_BLANK = "\ue000"  # a private-use character: what stood there was a contact detail
_CONTACT_SENTENCE_MAX_WORDS = 12
_SENTENCE_END = re.compile(r"[.!?;\n]+")
_EMAIL_OR_URL = re.compile(
    r"(?i)[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}|(?:https?://|www\.)[^\s<>\"']{1,300}"
)

# Multiply-shift hash family (Dietzfelbinger): h(x) = ((a*x + b) mod 2**64) >> 32 for 32-bit x, with
# 64-bit odd a. Fixed seeds: signatures must compare across runs and machines.
_RNG = np.random.default_rng(0x5A1C47)
_A = (_RNG.integers(1, 2**63 - 1, size=NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _RNG.integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.uint64)
_SHIFT = np.uint64(32)
_EMPTY = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the skeleton: a stable hash, its place in the original text, how it reads."""

    hash: int
    start: int
    end: int
    snippet: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Skeleton:
    tokens: tuple[str, ...]
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _fold(text: str) -> str:
    """Lower case without accents, character for character (offsets stay valid)."""
    return _lower_same_length(fold_in_place(text))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=8192)
def _char_plan(ch: str) -> tuple[str, str] | None:
    """(normalised, folded before lower case) of a non-ASCII character on its own, when both are one
    character and do not depend on the neighbours (not a combining mark); None otherwise."""
    if unicodedata.combining(ch):
        return None
    norm = normalise(ch)
    if len(norm.text) != 1 or norm.original_span(0, 1) != (0, 1):
        return None
    folded = fold_in_place(norm.text) if not norm.text.isascii() else norm.text
    return (norm.text, folded) if len(folded) == 1 else None


def _normalise_and_fold(source: str) -> tuple[NormalisedText, str]:
    """``normalise(source)`` and ``_fold`` of its text, by replacing the few distinct non-ASCII
    characters when each maps to one character (every offset then maps to itself: no per-character
    offset lists, no per-character translation); the general functions otherwise."""
    normalised: dict[str, str] = {}
    folded: dict[str, str] = {}
    if _ASCII_FOLDS_TO_LOWER:
        for ch in set(_NON_ASCII.findall(source)):
            plan = _char_plan(ch)
            if plan is None:
                break
            if plan[0] != ch:
                normalised[ch] = plan[0]
            if plan[1] != ch:
                folded[ch] = plan[1]
        else:
            if normalised.keys().isdisjoint(normalised.values()) and folded.keys().isdisjoint(
                folded.values()
            ):  # else replacing one after another could chain
                text, low = source, source
                for ch, to in normalised.items():
                    text = text.replace(ch, to)
                for ch, to in folded.items():
                    low = low.replace(ch, to)
                return NormalisedText(text, source), _lower_same_length(low)
    norm = normalise(source)
    return norm, _fold(norm.text)


def _ascii_folds_to_lower() -> bool:
    """Whether folding ASCII characters amounts to lower case also beside non-ASCII ones."""
    probe = _BLANK + "".join(map(chr, range(128)))
    return _lower_same_length(fold_in_place(probe)) == _lower_same_length(probe)


_ASCII_FOLDS_TO_LOWER = _ascii_folds_to_lower()


def skeleton(
    text: str,
    *,
    blank: Iterable[tuple[int, int]] = (),
    slots: Mapping[str, Sequence[str]] | None = None,
) -> Skeleton:
    """The skeleton of ``text``.

    ``blank``: spans of the original text holding contact details (found by extraction). A short
    sentence with contact details in it ("Bel me op 06 ...", "E-mail: ...") is dropped whole: it
    varies with every ad and says nothing about who wrote the rest. E-mail addresses and URLs count
    as contact details. ``slots``: marker -> declared values (``MARK_NAME: ["Lisa"]``, ...) replaced
    wherever they occur, word for word.

    Built sentence by sentence with string splits and one cached regex per slot value, so that no
    Python code runs per word except in sentences with numbers; ``_skeleton_by_word`` is the plain
    word-by-word definition it equals, still used where a slot value runs over a sentence end.
    """
    source = text
    for start, end in blank:
        lo, hi = max(start, 0), min(end, len(text))
        if lo < hi:
            source = source[:lo] + _BLANK * (hi - lo) + source[hi:]
    norm, folded = _normalise_and_fold(source)
    if "@" in folded or "www" in folded or "http" in folded:
        folded = _EMAIL_OR_URL.sub(lambda m: _BLANK * len(m.group()), folded)
    cuts = [m.end() for m in _SENTENCE_END.finditer(folded)]
    words_text = _words_as_spaces(folded)
    spans = _slot_spans(folded, words_text, slots) if slots else []
    if spans and cuts:
        for s, e, _ in spans:
            k = bisect_right(cuts, s)
            if k < len(cuts) and cuts[k] < e:
                return _skeleton_by_word(text, norm, folded, slots or {}, cuts)
    n = len(folded)
    cuts.append(n + 1)
    tokens: list[str] = []
    sentences: list[Sentence] = []
    next_span = 0
    seg_start = 0
    for cut in cuts:
        a, seg_start = seg_start, cut
        if words_text is not None:
            seg = words_text[a:cut]
            sentence = seg.split()
            if not sentence:
                continue  # no words (and so no slot values) in this sentence
            first, last = a + len(seg) - len(seg.lstrip()), a + len(seg.rstrip())
        else:
            parts = _WORD_SPLIT.split(folded[a:cut])
            if len(parts) == 1:
                continue
            sentence = parts[1::2]
            first, last = a + len(parts[0]), min(cut, n) - len(parts[-1])
        # Slot values and numbers start and end at words: the sentence spans its first to last word.
        in_seg = next_span
        while in_seg < len(spans) and spans[in_seg][0] < cut:
            in_seg += 1
        seg_spans = spans[next_span:in_seg]
        next_span = in_seg
        if seg_spans:
            sentence = _slot_tokens(folded, words_text, a, seg_spans, min(cut, n))
        elif not "".join(sentence).isalpha():
            sentence = _number_tokens(sentence)
        if len(sentence) <= _CONTACT_SENTENCE_MAX_WORDS and _BLANK in folded[a:cut]:
            continue
        if tokens and len(sentence) > 1 and sentence[0] in MARKERS and tokens[-1] == sentence[0]:
            first = _sentence_entries(folded, a, min(cut, n), seg_spans)[1][1]
            sentence = sentence[1:]
        tokens.extend(sentence)
        sentences.append(_sentence(text, norm, sentence, first, last))
    return Skeleton(tuple(tokens), tuple(sentences))


def _sentence(text: str, norm: NormalisedText, tokens: list[str], first: int, last: int) -> Sentence:
    """A sentence of the skeleton: its tokens' hash, its span in ``text`` (``first``..``last`` in the
    normalised text), a snippet, and how many of its tokens are words rather than markers."""
    o_start, o_end = norm.original_span(first, last)
    return Sentence(
        hash=zlib.crc32(" ".join(tokens).encode("utf-8")),
        start=o_start,
        end=o_end,
        snippet=" ".join(text[o_start:o_end].split())[:SNIPPET_CHARS],
        tokens=len(tokens) - sum(map(MARKERS.__contains__, tokens)),
    )


def _words_as_spaces(folded: str) -> str | None:
    """``folded`` with every non-word character as a space (same offsets: words are the runs between
    spaces, found by ``str.split``, far cheaper than the regex), when all its word characters are
    ASCII; None otherwise."""
    spaced = folded
    if not spaced.isascii():
        for ch in set(_NON_ASCII.findall(folded)):
            if _WORD_CHAR.match(ch):
                return None
            spaced = spaced.replace(ch, " ")
    return spaced.translate(_ASCII_NON_WORD_TO_SPACE)


def _number_tokens(words: list[str]) -> list[str]:
    """Words with numbers as ``#``, a run of numbers as one."""
    out: list[str] = []
    for word in words:
        if not word.isalpha() and any(map(str.isdigit, word)):
            if out and out[-1] == MARK_NUMBER:
                continue
            word = MARK_NUMBER
        out.append(word)
    return out


def _slot_tokens(
    folded: str,
    words_text: str | None,
    start: int,
    spans: Sequence[tuple[int, int, str]],
    end: int,
) -> list[str]:
    """The tokens of a sentence holding slot values: values as markers, numbers as ``#``, runs of one
    marker as one. ``words_text``: ``folded`` with non-word characters as spaces, or None."""
    out: list[str] = []
    pos = start
    for s, e, marker in (*spans, (end, end, "")):
        words = words_text[pos:s].split() if words_text is not None else _WORD.findall(folded, pos, s)
        if words:
            if not "".join(words).isalpha():
                words = _number_tokens(words)
                if out and out[-1] == MARK_NUMBER and words[0] == MARK_NUMBER:
                    del words[0]
            out.extend(words)
        if marker and not (out and out[-1] == marker):
            out.append(marker)
        pos = e
    return out


def _sentence_entries(
    folded: str, start: int, end: int, spans: Sequence[tuple[int, int, str]]
) -> list[tuple[str, int, int]]:
    """(token, start, end) of one sentence: numbers as ``#``, slot spans as markers, runs merged."""
    out: list[tuple[str, int, int]] = []
    pos = start
    for s, e, marker in (*spans, (end, end, "")):
        for m in _WORD.finditer(folded, pos, s):
            word = m.group()
            if not word.isalpha() and any(c.isdigit() for c in word):
                if out and out[-1][0] == MARK_NUMBER:
                    out[-1] = (MARK_NUMBER, out[-1][1], m.end())
                    continue
                word = MARK_NUMBER
            out.append((word, m.start(), m.end()))
        if marker:
            if out and out[-1][0] == marker:
                out[-1] = (marker, out[-1][1], e)
            else:
                out.append((marker, s, e))
        pos = e
    return out


def _slot_spans(
    folded: str, words_text: str | None, slots: Mapping[str, Sequence[str]]
) -> list[tuple[int, int, str]]:
    """(start, end, marker) of every occurrence of a declared slot value, by start.

    The same choice as ``_slot_positions`` (longest values first, then each value's occurrences left
    to right, never overlapping one taken before), found by searching the text per value instead of
    scanning every word. ``words_text`` (``folded`` with non-word characters as spaces, same
    offsets), where there is one, is searched instead: one word by ``str.find``, several by a regex.
    """
    spaced = words_text is not None
    text = words_text if words_text is not None else folded
    values = []
    for marker, raw_values in slots.items():
        for raw in raw_values:
            entry = _slot_entry(str(raw))
            if entry is not None and entry[2] in text:
                values.append((*entry, len(values), marker))
    if not values:
        return []
    values.sort()  # (-length, words, then as declared): the order of ``_slot_positions``
    out: list[tuple[int, int, str]] = []
    taken: bytearray | None = None
    previous = None
    for _, value, first, _, marker in values:
        if value == previous:
            continue  # a repeated value finds every occurrence taken by its first instance
        previous = value
        one_word = spaced and len(value) == 1
        pattern = None if one_word else _slot_pattern(value, spaced)
        pos = 0
        while True:
            if pattern is None:
                s = text.find(first, pos)
                if s < 0:
                    break
                e = s + len(first)
                if e < len(text) and text[e] != " ":
                    pos = s + 1  # not the end of a word
                    continue
            else:
                m = pattern.search(text, pos)
                if m is None:
                    break
                s, e = m.span()
            if s and (text[s - 1] != " " if spaced else _WORD_CHAR.match(text, s - 1)):
                pos = s + 1  # not the start of a word
                continue
            if taken is None:
                taken = bytearray(len(text))
            elif taken.find(1, s, e) != -1:
                pos = s + 1  # a later occurrence may overlap this one (word-by-word semantics)
                continue
            taken[s:e] = b"\x01" * (e - s)
            out.append((s, e, marker))
            pos = e
    out.sort()
    return out


@lru_cache(maxsize=65536)
def _slot_entry(raw: str) -> tuple[int, tuple[str, ...], str] | None:
    """(-length, words, first word) of a declared value; None when it matches nothing."""
    value = _slot_words(raw)
    if not value:
        return None
    return -sum(map(len, value)), value, value[0]


@lru_cache(maxsize=65536)
def _slot_pattern(value: tuple[str, ...], spaced: bool) -> re.Pattern[str]:
    """The words of a slot value as consecutive words, in the folded text or (``spaced``) in its
    words-as-spaces copy. The start of the first word is checked apart: a leading look-behind would
    stop the regex engine from scanning for the literal prefix."""
    if spaced:
        return re.compile(" +".join(map(re.escape, value)) + "(?![^ ])")
    return re.compile(r"[\W_]+".join(map(re.escape, value)) + r"(?![^\W_])")


def _skeleton_by_word(
    text: str,
    norm: NormalisedText,
    folded: str,
    slots: Mapping[str, Sequence[str]],
    cuts: list[int],
) -> Skeleton:
    """The skeleton word by word (the definition ``skeleton`` follows in bulk)."""
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
    slot_at = _slot_positions(words, slots)
    cuts = [*cuts, len(folded) + 1]
    tokens: list[str] = []
    sentences: list[Sentence] = []
    i, seg, seg_start = 0, 0, 0
    while i < len(words):
        while words[i][1] >= cuts[seg]:
            seg_start = cuts[seg]
            seg += 1
        seg_end = cuts[seg]
        sentence: list[tuple[str, int, int]] = []
        while i < len(words) and words[i][1] < seg_end:
            word, start, end = words[i]
            slot = slot_at.get(i)
            if slot is not None:
                word, n = slot
                end = words[i + n - 1][2]
                i += n
            else:
                i += 1
                if not word.isalpha() and any(c.isdigit() for c in word):
                    word = MARK_NUMBER
            if word in MARKERS and sentence and sentence[-1][0] == word:
                sentence[-1] = (word, sentence[-1][1], end)
                continue
            sentence.append((word, start, end))
        if not sentence:
            continue
        if (
            len(sentence) <= _CONTACT_SENTENCE_MAX_WORDS
            and _BLANK in folded[seg_start : min(seg_end, len(folded))]
        ):
            continue
        if tokens and sentence[0][0] in MARKERS and tokens[-1] == sentence[0][0] and len(sentence) > 1:
            sentence = sentence[1:]
        sentence_tokens = [w for w, _, _ in sentence]
        tokens.extend(sentence_tokens)
        sentences.append(_sentence(text, norm, sentence_tokens, sentence[0][1], sentence[-1][2]))
    return Skeleton(tuple(tokens), tuple(sentences))


def _slot_positions(
    words: Sequence[tuple[str, int, int]], slots: Mapping[str, Sequence[str]]
) -> dict[int, tuple[str, int]]:
    """word index -> (marker, number of words) of every occurrence of a declared slot value."""
    values: list[tuple[tuple[str, ...], str]] = []
    for marker, raw_values in slots.items():
        for raw in raw_values:
            value = _slot_words(str(raw))
            if value:
                values.append((value, marker))
    if not values:
        return {}
    first: dict[str, list[int]] = {}
    for i, (w, _, _) in enumerate(words):
        first.setdefault(w, []).append(i)
    values.sort(key=lambda v: (-sum(map(len, v[0])), v[0]))
    taken = bytearray(len(words))
    out: dict[int, tuple[str, int]] = {}
    for value, marker in values:
        n = len(value)
        for i in first.get(value[0], ()):
            if i + n > len(words) or any(taken[i : i + n]):
                continue
            if all(words[i + j][0] == value[j] for j in range(1, n)):
                taken[i : i + n] = b"\x01" * n
                out[i] = (marker, n)
    return out


@lru_cache(maxsize=65536)
def _slot_words(raw: str) -> tuple[str, ...]:
    """A declared value as the words it is matched by ("30 min €80" -> ("30", "min", "80"))."""
    value = tuple(_WORD.findall(_fold(normalise(raw).text)))
    if value and (len(value) > 1 or (len(value[0]) >= 2 and not value[0].isdigit())):
        return value
    return ()


def shingle_hashes(tokens: Sequence[str], k: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct 32-bit hashes of the word k-grams (the whole text when it is shorter than k)."""
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    if len(tokens) <= k:
        grams: Iterable[str] = [" ".join(tokens)]
    else:
        # the k-grams without a Python loop: zip stops at the shortest (last) tail
        grams = map(" ".join, zip(*(tokens[i:] for i in range(k)), strict=False))
    return np.unique(np.fromiter(map(zlib.crc32, map(str.encode, grams)), dtype=np.uint32))


# Shingles hashed per block in ``minhash_many``: the block's (NUM_PERM, n) uint64 products stay in cache.
_MINHASH_BLOCK = 4096


def minhash_many(shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
    """MinHash signatures (rows, ``NUM_PERM`` uint32) of many shingle sets, vectorised over a batch.

    Hashes are laid out one permutation per row so the per-set minimum reduces contiguous memory, in
    blocks of whole sets of about ``_MINHASH_BLOCK`` shingles.
    """
    out = np.tile(_EMPTY, (len(shingle_sets), 1))
    nonempty = [i for i, s in enumerate(shingle_sets) if len(s)]
    if not nonempty:
        return out
    lengths = np.fromiter((len(shingle_sets[i]) for i in nonempty), dtype=np.intp, count=len(nonempty))
    ends = np.cumsum(lengths)
    values = np.concatenate([shingle_sets[i] for i in nonempty]).astype(np.uint64)
    rows = np.asarray(nonempty, dtype=np.intp)
    first = 0
    while first < len(nonempty):
        start = int(ends[first - 1]) if first else 0
        last = max(int(np.searchsorted(ends, start + _MINHASH_BLOCK, side="right")), first + 1)
        stop = int(ends[last - 1])
        hashed = np.multiply(_A[:, None], values[None, start:stop])
        np.add(hashed, _B[:, None], out=hashed)
        np.right_shift(hashed, _SHIFT, out=hashed)
        offsets = np.empty(last - first, dtype=np.intp)
        offsets[0] = 0
        np.subtract(ends[first : last - 1], start, out=offsets[1:])
        out[rows[first:last]] = np.minimum.reduceat(hashed, offsets, axis=1).T
        first = last
    return out


def minhash(shingles: np.ndarray) -> np.ndarray:
    return minhash_many([shingles])[0]


def similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def jaccard(a: Iterable[int], b: Iterable[int]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 0.0


def encode_signature(sig: np.ndarray) -> str:
    return base64.b64encode(np.asarray(sig, dtype="<u4").tobytes()).decode("ascii")


def decode_signature(data: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype="<u4").astype(np.uint32)


def fold_name(name: str | None) -> str | None:
    """A declared name as compared between ads ("Zoë " -> "zoe"); None when empty."""
    if not name:
        return None
    if type(name) is str:
        return _fold_name(name)  # the same names recur in ad after ad
    words = _WORD.findall(_fold(normalise(name).text))
    return " ".join(words) or None


@lru_cache(maxsize=65536)
def _fold_name(name: str) -> str | None:
    words = _WORD.findall(_fold(normalise(name).text))
    return " ".join(words) or None
