from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from zicht.store.views import AD_SORTS, AD_STATUSES
from zicht.web.ad_filters import SORT_LABELS, STATUS_LABELS, parse_date, parse_filters
from zicht.web.i18n import TIMEZONE


def test_labels_cover_every_sort_and_status() -> None:
    assert set(SORT_LABELS) == set(AD_SORTS)
    assert set(STATUS_LABELS) == set(AD_STATUSES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-05", date(2026, 10, 5)),
        ("5-10-2026", date(2026, 10, 5)),
        ("05/10/2026", date(2026, 10, 5)),
        (" 2026-1-9 ", date(2026, 1, 9)),
        ("2026-02-30", None),
        ("9999-12-31", None),
        ("gisteren", None),
        ("2026-10", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_dates_become_whole_local_days() -> None:
    form = parse_filters({"first_from": "2026-10-05", "first_to": "2026-10-05"}, "nl")
    assert form.query is not None and not form.errors
    start = datetime(2026, 10, 5, tzinfo=TIMEZONE)
    assert form.query.first_seen_from == start
    assert form.query.first_seen_to == start + timedelta(days=1)  # "up to and including"


def test_empty_form_is_the_default_query() -> None:
    form = parse_filters({}, "nl")
    assert form.query is not None and form.query.sort == "last_seen_desc" and form.query.page == 1
    assert form.query.site is None and not form.active


def test_errors_are_translated_and_block_the_query() -> None:
    nl = parse_filters({"last_from": "31-02-2026", "page": "0"}, "nl")
    en = parse_filters({"last_from": "31-02-2026", "page": "0"}, "en")
    assert nl.query is None and en.query is None
    assert (
        nl.errors[0]
        == "“31-02-2026” is geen geldige datum bij “Laatst gezien vanaf”. Gebruik de vorm JJJJ-MM-DD."
    )
    assert en.errors[0] == "“31-02-2026” is not a valid date for “Last seen from”. Use the form YYYY-MM-DD."
    assert len(nl.errors) == 2 and nl.values["last_from"] == "31-02-2026"


def test_overlong_text_is_refused() -> None:
    form = parse_filters({"q": "x" * 201}, "nl")
    assert form.query is None and "200" in form.errors[0]
