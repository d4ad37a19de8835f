from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from zicht.store.views import VersionView
from zicht.web.diff import compare, new_side, old_side, word_diff


def text_of(pieces) -> str:  # type: ignore[no-untyped-def]
    return "".join(p.text for p in pieces)


def test_changed_words_are_marked_and_the_rest_is_not() -> None:
    pieces = word_diff("Hoi, ik ben Anna uit Heerlen. Bel me.", "Hoi, ik ben Anna, nu in Sittard. Bel me.")
    deleted = [p.text for p in pieces if p.op == "delete"]
    inserted = [p.text for p in pieces if p.op == "insert"]
    assert deleted == [" uit Heerlen"]
    assert inserted == [", nu in Sittard"]
    assert pieces[0].op == "equal" and pieces[0].text == "Hoi, ik ben Anna"


def test_an_inserted_word_leaves_neighbours_alone() -> None:
    pieces = word_diff("Bel me op 06", "Bel me niet op 06")
    assert [(p.op, p.text) for p in pieces if p.op != "equal"] == [("insert", "niet ")]


def test_punctuation_is_its_own_token() -> None:
    pieces = word_diff("Heerlen,", "Sittard,")
    assert [(p.op, p.text) for p in pieces] == [("delete", "Heerlen"), ("insert", "Sittard"), ("equal", ",")]


words = st.lists(
    st.sampled_from(["Anna", "Lisa", "in", "Heerlen", "Sittard", ",", ".", " ", "\n", "€80", "é"])
)


@given(words, words)
def test_each_side_reads_back_as_its_version(a: list[str], b: list[str]) -> None:
    old, new = "".join(a), "".join(b)
    pieces = word_diff(old, new)
    assert text_of(old_side(pieces)) == old
    assert text_of(new_side(pieces)) == new
    assert all(p.text for p in pieces)
    assert all(x.op != y.op for x, y in itertools.pairwise(pieces) if "equal" in (x.op, y.op))


def version(n: int, **kw) -> VersionView:  # type: ignore[no-untyped-def]
    t = datetime(2026, 10, n, tzinfo=UTC)
    base = dict(
        id=n,
        number=n,
        first_seen=t,
        last_seen=t,
        title="Lisa",
        text="Hoi",
        posted_at=None,
        fields={"location": "Heerlen", "age": "23"},
        services=["massage"],
        rates=[],
        images=[],
        phone="0612345678",
        email=None,
        raw_page_id=None,
        parser="x",
        is_current=False,
    )
    base.update(kw)
    return VersionView(**base)


def test_compare_lists_field_list_and_contact_changes() -> None:
    old = version(1)
    new = version(
        2,
        fields={"location": "Sittard", "age": "23", "name": "Lisa"},
        services=["massage", "escort"],
        phone="0687654321",
    )
    c = compare(old, new, ("age", "location", "name"))
    assert [(f.key, f.old, f.new) for f in c.fields] == [
        ("location", "Heerlen", "Sittard"),
        ("name", None, "Lisa"),
    ]
    assert c.services.added == ["escort"] and c.services.removed == []
    assert not c.rates and not c.images
    assert [(f.key, f.old, f.new) for f in c.contacts] == [("phone", "0612345678", "0687654321")]
    assert c.changed and not c.text_changed
    assert not compare(old, version(3)).changed
