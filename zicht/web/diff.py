"""Word-level differences between two ad versions, for the side-by-side comparison.

Ads change a few words at a time (a new town, a price, "nu ook ..."): diffing words rather
than lines or characters shows exactly that and stays readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from zicht.store.views import VersionView

# Words, runs of whitespace and single punctuation marks, so that "Heerlen," -> "Sittard,"
# marks only the town.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

Op = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Piece:
    op: Op
    text: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[Piece]:
    """Pieces that read as ``old`` when inserts are skipped and as ``new`` when deletes are."""
    a, b = tokens(old), tokens(new)
    pieces: list[Piece] = []

    def emit(op: Op, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op, pieces[-1].text + text)
        else:
            pieces.append(Piece(op, text))

    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    # A lone space kept between two changes splits "uit Heerlen" -> "in Sittard" into word
    # salad; fold such spaces into the change so each side reads as one phrase.
    merged: list[tuple[str, int, int, int, int]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < k < len(opcodes) - 1 and opcodes[k + 1][0] != "equal"
        if tag == "equal" and between_changes and all(t.isspace() for t in a[i1:i2]):
            tag = "replace"
        if tag != "equal" and merged and merged[-1][0] != "equal":
            _, pi1, _, pj1, _ = merged[-1]
            merged[-1] = ("replace", pi1, i2, pj1, j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    for tag, i1, i2, j1, j2 in merged:
        if tag == "equal":
            emit("equal", a[i1:i2])
        else:
            emit("delete", a[i1:i2])
            emit("insert", b[j1:j2])
    return pieces


def old_side(pieces: list[Piece]) -> list[Piece]:
    return [p for p in pieces if p.op != "insert"]


def new_side(pieces: list[Piece]) -> list[Piece]:
    return [p for p in pieces if p.op != "delete"]


@dataclass(frozen=True)
class FieldChange:
    key: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ListChange:
    added: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class Comparison:
    old: VersionView
    new: VersionView
    title: list[Piece]
    text: list[Piece]
    fields: list[FieldChange]
    services: ListChange
    rates: ListChange
    images: ListChange
    contacts: list[FieldChange]

    @property
    def text_changed(self) -> bool:
        return any(p.op != "equal" for p in self.title + self.text)

    @property
    def changed(self) -> bool:
        return bool(
            self.text_changed or self.fields or self.services or self.rates or self.images or self.contacts
        )


def _list_change(old: list[str], new: list[str]) -> ListChange:
    return ListChange(
        added=[x for x in new if x not in old],
        removed=[x for x in old if x not in new],
    )


def compare(old: VersionView, new: VersionView, field_order: tuple[str, ...] = ()) -> Comparison:
    keys = [k for k in field_order if k in old.fields or k in new.fields]
    keys += sorted((old.fields.keys() | new.fields.keys()) - set(keys))
    return Comparison(
        old=old,
        new=new,
        title=word_diff(old.title, new.title),
        text=word_diff(old.text, new.text),
        fields=[
            FieldChange(k, old.fields.get(k), new.fields.get(k))
            for k in keys
            if old.fields.get(k) != new.fields.get(k)
        ],
        services=_list_change(old.services, new.services),
        rates=_list_change(old.rates, new.rates),
        images=_list_change(old.images, new.images),
        contacts=[
            FieldChange(k, o, n)
            for k, o, n in (("phone", old.phone, new.phone), ("email", old.email, new.email))
            if o != n
        ],
    )
