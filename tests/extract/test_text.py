"""Normalisation keeps a faithful map back to the original text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zicht.extract.text import fold, normalise


def test_ascii_is_returned_unchanged_without_a_map():
    result = normalise("Bel 06-12345678 nu")
    assert result.text == "Bel 06-12345678 nu"
    assert result.is_identity and not result.changed
    assert result.original_span(4, 15) == (4, 15)


def test_unicode_digits_become_ascii():
    assert normalise("０６ 𝟏𝟐 ٣٤ ۵۶ ७८ ⓪①").text == "06 12 34 56 78 01"


def test_keycap_marks_are_dropped_but_covered_by_the_digit_span():
    text = "a 0️⃣6️⃣ b"
    result = normalise(text)
    assert result.text == "a 06 b"
    start = result.text.index("06")
    ostart, oend = result.original_span(start, start + 2)
    assert text[ostart:oend] == "0️⃣6️⃣"


def test_invisible_and_bidi_characters_are_dropped():
    assert normalise("06\u200b12\u200d34\u202e56\u00ad78\ufeff").text == "0612345678"


def test_heavy_plus_and_fullwidth_plus():
    assert normalise("➕31 ＋31").text == "+31 +31"


def test_combining_accents_are_composed_with_their_letter():
    result = normalise("tweee\u0308ntwintig e\u0301e\u0301n")
    assert result.text == "tweeëntwintig één"
    assert result.original_span(0, len(result.text)) == (0, len("tweee\u0308ntwintig e\u0301e\u0301n"))


def test_line_separators_become_newlines():
    assert normalise("06\u20281234").text == "06\n1234"


def test_fold_lowercases_and_strips_diacritics():
    assert fold("Één") == "een"
    assert fold("TWEEËNTWINTIG") == "tweeentwintig"
    assert fold("zes") == "zes"


@given(st.text(max_size=200))
def test_map_is_monotonic_and_inside_the_original(text):
    result = normalise(text)
    spans = [result.original_span(i, i + 1) for i in range(len(result.text))]
    for start, end in spans:
        assert 0 <= start < end <= len(text)
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)
    assert [e for _, e in spans] == sorted(e for _, e in spans)


@given(st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=200))
def test_ascii_round_trip(text):
    result = normalise(text)
    assert result.text == text
    assert result.original_span(0, len(text)) == (0, len(text))
