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
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from zicht.extract.text import fold_in_place, normalise

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
    """
    blank = list(blank)
    if blank:
        chars = list(text)
        for start, end in blank:
            for i in range(max(start, 0), min(end, len(chars))):
                chars[i] = _BLANK
        source = "".join(chars)
    else:
        source = text
    norm = normalise(source)
    folded = _fold(norm.text)
    if "@" in folded or "www" in folded or "http" in folded:
        folded = _EMAIL_OR_URL.sub(lambda m: _BLANK * len(m.group()), folded)
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
    slot_at = _slot_positions(words, slots or {})
    cuts = [m.end() for m in _SENTENCE_END.finditer(folded)]
    cuts.append(len(folded) + 1)
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
        o_start, o_end = norm.original_span(sentence[0][1], sentence[-1][2])
        sentences.append(
            Sentence(
                hash=zlib.crc32(" ".join(sentence_tokens).encode("utf-8")),
                start=o_start,
                end=o_end,
                snippet=" ".join(text[o_start:o_end].split())[:SNIPPET_CHARS],
                tokens=sum(1 for t in sentence_tokens if t not in MARKERS),
            )
        )
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
        grams = [" ".join(tokens)]
    else:
        grams = [" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)]
    return np.unique(np.fromiter((zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint32))


def minhash_many(shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
    """MinHash signatures (rows, ``NUM_PERM`` uint32) of many shingle sets, vectorised over a batch."""
    out = np.tile(_EMPTY, (len(shingle_sets), 1))
    nonempty = [i for i, s in enumerate(shingle_sets) if len(s)]
    if not nonempty:
        return out
    values = np.concatenate([shingle_sets[i] for i in nonempty]).astype(np.uint64)
    lengths = np.array([len(shingle_sets[i]) for i in nonempty])
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    hashed = np.multiply(values[:, None], _A[None, :])
    np.add(hashed, _B[None, :], out=hashed)
    np.right_shift(hashed, _SHIFT, out=hashed)
    out[nonempty] = np.minimum.reduceat(hashed, offsets, axis=0)
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
    words = _WORD.findall(_fold(normalise(name).text))
    return " ".join(words) or None
