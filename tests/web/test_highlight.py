"""Marking words in hostile text: everything escaped, only spans wrapped, overlaps read once."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from zicht.web.highlight import KINDS, Mark, highlight


def marks_in(html_text: str) -> list[tuple[str, str, str, str | None]]:
    """(text, class, data-hits, id) of each <mark>, in order."""
    tree = HTMLParser(f"<div id='root'>{html_text}</div>")
    return [
        (
            m.text(),
            m.attributes.get("class") or "",
            m.attributes.get("data-hits") or "",
            m.attributes.get("id"),
        )
        for m in tree.css("mark")
    ]


def test_text_is_escaped_and_only_spans_are_wrapped() -> None:
    text = 'Hoi <script>alert("x")</script> geen AV & meer'
    start = text.index("AV")
    out = str(highlight(text, [Mark(start, start + 2, "hit-1", "negated", 'Onbeschermd "quote" <b>')]))
    assert "<script>" not in out and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in out
    assert "&amp; meer" in out
    assert out.count("<mark") == 1
    assert 'title="Onbeschermd &#34;quote&#34; &lt;b&gt;"' in out
    assert marks_in(out) == [("AV", "mark-negated", "hit-1", "hit-1")]


def test_nested_spans_become_pieces_that_name_every_hit() -> None:
    text = "Keuze uit 2 jonge meiden."
    outer = Mark(text.index("2"), text.index("."), "hit-1", "counts", "Meerdere")
    inner = Mark(text.index("jonge"), text.index("jonge") + 5, "hit-2", "counts", "Jong")
    got = marks_in(str(highlight(text, [outer, inner])))
    assert got == [
        ("2 ", "mark-counts", "hit-1", "hit-1"),
        ("jonge", "mark-counts", "hit-1 hit-2", "hit-2"),
        (" meiden", "mark-counts", "hit-1", None),
    ]


def test_a_counting_span_wins_over_a_negated_one_where_they_overlap() -> None:
    text = "geen pijpen zonder condoom"
    negated = Mark(5, 26, "hit-1", "negated", "ontkend")
    counting = Mark(12, 26, "hit-2", "counts", "telt")
    info = Mark(0, 11, "hit-3", "info", "getoond")
    got = marks_in(str(highlight(text, [negated, counting, info])))
    assert [(t, c) for t, c, _, _ in got] == [
        ("geen ", "mark-info"),
        ("pijpen", "mark-info"),
        (" ", "mark-negated"),
        ("zonder condoom", "mark-counts"),
    ]


def test_spans_that_start_together_each_get_an_anchor() -> None:
    text = "24/7 beschikbaar"
    out = str(highlight(text, [Mark(0, 4, "hit-1", "counts", "a"), Mark(0, 16, "hit-2", "counts", "b")]))
    tree = HTMLParser(out)
    assert {n.attributes["id"] for n in tree.css("[id]")} == {"hit-1", "hit-2"}


def test_spans_outside_the_text_are_clipped_or_dropped() -> None:
    assert (
        str(highlight("abc", [Mark(5, 9, "hit-1", "counts", "x"), Mark(2, 2, "hit-2", "counts", "y")]))
        == "abc"
    )
    assert marks_in(str(highlight("abc", [Mark(-3, 2, "hit-1", "counts", "x")]))) == [
        ("ab", "mark-counts", "hit-1", "hit-1")
    ]


def test_an_anchor_given_elsewhere_on_the_page_is_not_repeated() -> None:
    anchored: set[str] = set()
    first = highlight("Pijpen\n", [Mark(0, 6, "hit-1", "counts", "x")], anchored)
    second = highlight("zonder", [Mark(0, 6, "hit-1", "counts", "x")], anchored)
    assert 'id="hit-1"' in first and 'id="hit-1"' not in second and "hit-1" in second


def _strip_tags(out: str) -> str:
    return re.sub(r"<(?:mark|span)\b[^>]*>|</(?:mark|span)>", "", out)


texts = st.text(alphabet=st.sampled_from(list("ab <>&\"'\n€é")), max_size=40)


@given(
    texts, st.lists(st.tuples(st.integers(-5, 45), st.integers(-5, 45), st.sampled_from(KINDS)), max_size=6)
)
def test_the_text_survives_marking_exactly(text: str, spans: list[tuple[int, int, str]]) -> None:
    marks = [Mark(a, b, f"hit-{i}", kind, f"<{kind}>") for i, (a, b, kind) in enumerate(spans)]
    out = str(highlight(text, marks))
    # without the tags and unescaped, the output is the text, character for character
    assert html.unescape(_strip_tags(out)) == text
    # every span that overlaps the text has exactly one anchor; no other tag can come from the text
    visible = {m.key for m in marks if max(0, m.start) < min(len(text), m.end)}
    tree = HTMLParser(f"<div>{out}</div>")
    ids = [n.attributes["id"] for n in tree.css("[id]")]
    assert sorted(ids) == sorted(visible)
    assert {n.tag for n in tree.css("div *")} <= {"mark", "span"}
