"""The fast skeleton, shingle and MinHash code equals the plain definitions it replaced.

`_by_definition` is the original word-by-word skeleton (normalise, fold, blank e-mails and URLs, then
`_skeleton_by_word`); the vocabulary mixes what takes each fast path and each fall-back: slot values
over a sentence end, a sentence starting with the marker the previous one ended with, numbers,
non-ASCII words, combining marks, blanks, e-mail addresses and URLs.
"""

from __future__ import annotations

import zlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zicht.extract.text import normalise
from zicht.linking import text as t

WORDS = [
    "lisa", "Lisa", "heerlen", "Den", "Bosch", "massage", "erotische", "1", "uur", "150", "30", "€80",
    "euro", "Zoë", "Zoe\u0301", "ß", "straße", "Σοφία", "ΣΑΣ", "😀", "6\ufe0f\u20e3", "１２", "٣٤", "½",
    "x²", "ﬁne", "\u200b", "a@b.nl", "www.x.nl", "http://y.nl/z", "_", "69", "av", "ik", "\x00", "İ",
]  # fmt: skip
SEPARATORS = [" ", " ", ", ", ". ", "! ", "; ", "\n", "...", " (", ": "]
VALUES = [
    "Lisa", "Den Bosch", "Massage", "Erotische massage", "1 uur. 150", "uur. 150", "30 min €80",
    "Zoë", "Zoe\u0301", "ß", "69", "AV", "lisa lisa", "Σοφία", "😀", "1", "80 euro",
]  # fmt: skip
MARKS = [t.MARK_NAME, t.MARK_PLACE, t.MARK_SERVICE, t.MARK_RATE]


def _by_definition(text: str, blank: list[tuple[int, int]], slots: dict[str, list[str]] | None) -> t.Skeleton:
    chars = list(text)
    for start, end in blank:
        for i in range(max(start, 0), min(end, len(chars))):
            chars[i] = t._BLANK
    norm = normalise("".join(chars))
    folded = t._fold(norm.text)
    if "@" in folded or "www" in folded or "http" in folded:
        folded = t._EMAIL_OR_URL.sub(lambda m: t._BLANK * len(m.group()), folded)
    cuts = [m.end() for m in t._SENTENCE_END.finditer(folded)]
    return t._skeleton_by_word(text, norm, folded, slots or {}, cuts)


@st.composite
def ads(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], dict[str, list[str]]]:
    pieces = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=40))
    text = "".join(w + s for w, s in pieces)
    blank = draw(
        st.lists(st.tuples(st.integers(-2, len(text) + 2), st.integers(-2, len(text) + 8)), max_size=3)
    )
    slots = {m: draw(st.lists(st.sampled_from(VALUES), max_size=3)) for m in MARKS}
    return text, blank, slots


@settings(max_examples=400, deadline=None)
@given(ads())
def test_skeleton_equals_the_word_by_word_definition(
    ad: tuple[str, list[tuple[int, int]], dict[str, list[str]]],
) -> None:
    text, blank, slots = ad
    assert t.skeleton(text, blank=blank, slots=slots) == _by_definition(text, blank, slots)


def test_fall_backs_and_edge_cases_equal_the_definition() -> None:
    cases = [
        ("Prijs 1 uur. 150 euro. Tot dan.", [], {t.MARK_RATE: ["1 uur. 150"]}),  # value over a cut
        ("Ik ben Lisa. Lisa wacht op je, echt waar.", [], {t.MARK_NAME: ["Lisa"]}),  # marker run
        ("Prijs 50. 60 euro per uur hier.", [], {}),
        ("Zoe\u0301 uit Straße. Bel 06 1234 5678.", [(22, 34)], {t.MARK_NAME: ["Zoë"]}),
        ("", [(0, 3)], {t.MARK_NAME: ["Lisa"]}),
        ("lisa " * 2000, [(3, 40)], {t.MARK_NAME: ["lisa lisa", "Lisa"]}),
        ("Mail a@b.nl of www.x.nl. Σοφία 😀 ١٢ hier!", [], {t.MARK_NAME: ["Σοφία"]}),
    ]
    for text, blank, slots in cases:
        assert t.skeleton(text, blank=blank, slots=slots) == _by_definition(text, blank, slots)


def test_shingles_and_minhash_equal_their_definitions() -> None:
    rng = np.random.default_rng(5)
    vocab = [f"w{i}" for i in range(30)]
    sets = []
    for size in [0, 1, 3, 4, 5, 9, 60, 0, 200, 2, 5000]:
        tokens = tuple(vocab[i] for i in rng.integers(0, len(vocab), size=size))
        grams = [" ".join(tokens[i : i + 4]) for i in range(max(len(tokens) - 3, 1))] if tokens else []
        expected = np.unique(np.array([zlib.crc32(g.encode()) for g in grams], dtype=np.uint32))
        got = t.shingle_hashes(tokens)
        assert got.dtype == np.uint32 and np.array_equal(got, expected)
        sets.append(got)
    signatures = t.minhash_many(sets)
    for s, sig in zip(sets, signatures, strict=True):
        if len(s):
            hashed = (s.astype(np.uint64)[:, None] * t._A[None, :] + t._B[None, :]) >> t._SHIFT
            assert np.array_equal(sig, hashed.min(axis=0).astype(np.uint32))
        else:
            assert np.array_equal(sig, t._EMPTY)
    assert signatures.dtype == np.uint32 and signatures.shape == (len(sets), t.NUM_PERM)
