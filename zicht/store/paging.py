"""Reading a large query in pages by key, each page in its own short session."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select
from sqlalchemy.orm import InstrumentedAttribute

if TYPE_CHECKING:
    from zicht.store.store import Store


def keyset_pages(
    store: Store, query: Select[Any], key: InstrumentedAttribute[int], batch: int
) -> Iterator[Sequence[Row[Any]]]:
    """The rows of ``query`` in pages of ``batch``, ordered by ``key``, which must be its first column.

    Keyset paging (``key > last``) rather than OFFSET: every page costs the same, and rows that the
    caller writes between pages (the stages mark what they have done) neither shift nor repeat a page.
    Each page's session is closed before the page is handed on, so no read stays open during writes.
    """
    last = 0
    while True:
        with store.session() as s:
            rows = s.execute(query.where(key > last).order_by(key).limit(batch)).all()
        if not rows:
            return
        last = rows[-1][0]
        yield rows
