"""The worklist and decisions in-process on SQLite and PostgreSQL: real pipeline, real store, real pages.

Expected rows are read from the tables the pipeline wrote (scores, extractions, hits, reviews) with
plain ORM queries, never typed in, and compared with what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select
from web_seed import CHANGED_AFTER, CHANGED_LATER, T1, SignalSite, backend_url, signal_site

from zicht import reference
from zicht.signals.catalogue import load_catalogue
from zicht.store import views as queries
from zicht.store.models import Ad, AdVersion, Extraction, IndicatorHit, Review, Score, Site
from zicht.store.reviews import record_review
from zicht.web.i18n import TIMEZONE
from zicht.web.worklist_filters import AD_STATUS_LABELS, STATUS_LABELS

HTMX = {"HX-Request": "true", "HX-Target": "results"}
SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignalSite]:
    """Seeded once per backend for the read-only tests of this module."""
    tmp = tmp_path_factory.mktemp("worklist")
    pg = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    with signal_site(backend_url(request.param, tmp, pg), tmp) as seeded:
        yield seeded


@pytest.fixture
def client(site: SignalSite) -> Iterator[TestClient]:
    with TestClient(site.app) as c:
        yield c


@pytest.fixture
def fresh(db_url: str, tmp_path: Path) -> Iterator[SignalSite]:
    """A seeded database of its own (both backends), for tests that record decisions."""
    with signal_site(db_url, tmp_path) as seeded:
        yield seeded


def row_fragment(html: str) -> HTMLParser:
    """A lone ``<tr>`` (what HTMX swaps) parsed where it belongs: inside a table."""
    return HTMLParser(f"<table><tbody>{html}</tbody></table>")


def row_ids(html: str) -> list[int]:
    return [
        int(tr.attributes["id"].removeprefix("ad-row-"))
        for tr in HTMLParser(html).css("table.worklist tbody tr")
    ]


def expected(site: SignalSite, *conditions, status: str | None = "active") -> list[int]:  # type: ignore[no-untyped-def]
    """Ad ids in worklist order (score high to low, then newest first), from the tables themselves."""
    with site.store.session() as s:
        q = (
            select(Ad.id, Score.value, Ad.first_seen)
            .join(Site, Site.id == Ad.site_id)
            .join(Score, Score.ad_version_id == Ad.current_version_id)
            .join(Extraction, Extraction.ad_version_id == Ad.current_version_id)
            .where(*conditions)
        )
        if status:
            q = q.where(Ad.status == status)
        rows = s.execute(q).all()
    return [r[0] for r in sorted(rows, key=lambda r: (-r[1], -r[2].timestamp(), -r[0]))]


# ---------------------------------------------------------------- ranking and filters


def test_ranked_by_score_then_newest_first(client: TestClient, site: SignalSite) -> None:
    r = client.get("/werklijst")
    assert r.status_code == 200
    got = row_ids(r.text)
    assert got == expected(site)
    assert site.seed.ids["removed"] not in got  # active ads only by default
    # equal scores: the newer ad first
    ids = site.seed.ids
    assert got.index(ids["tie_new"]) == got.index(ids["tie_old"]) - 1
    with site.store.session() as s:
        scores = [
            s.scalar(
                select(Score.value).join(Ad, Ad.current_version_id == Score.ad_version_id).where(Ad.id == i)
            )
            for i in got
        ]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    # the score and the counting signals are in the row
    tree = HTMLParser(r.text)
    top = tree.css_first(f"#ad-row-{got[0]}")
    assert top.css_first(".score-badge").text(strip=True) == str(round(scores[0]))
    catalogue = load_catalogue()
    with site.store.session() as s:
        explanation = s.scalar(
            select(Score.explanation)
            .join(Ad, Ad.current_version_id == Score.ad_version_id)
            .where(Ad.id == got[0])
        )
    top_codes = [code for code, _ in explanation["contributions"][:3]]
    assert [b.text(strip=True) for b in top.css(".signal-badge")] == [
        catalogue.get(c).name.nl for c in top_codes
    ]
    assert "Werklijst" in tree.css_first(".main-nav").text()


def test_each_filter_really_filters(client: TestClient, site: SignalSite) -> None:
    heerlen = reference.gemeente("GM0917")
    assert heerlen is not None and heerlen.name == "Heerlen"
    cases = [
        ("gemeente=GM0917", expected(site, Extraction.gemeente_code == "GM0917")),
        ("police_unit=Limburg", expected(site, Extraction.police_unit == "Limburg")),
        ("site=redlights", expected(site, Site.name == "redlights")),
        ("min_score=20", expected(site, Score.value >= 20)),
        ("min_score=20,5", expected(site, Score.value >= 20.5)),
        ("ad_status=removed", expected(site, status="removed")),
        ("ad_status=all", expected(site, status=None)),
    ]
    day = (T1 + timedelta(days=1)).astimezone(TIMEZONE).date()
    start = (T1 + timedelta(days=1)).astimezone(TIMEZONE).replace(hour=0, minute=0)
    # new or changed: the current version was first seen since then (a new ad, or an old one that changed)
    changed = Ad.current_version_id.in_(select(AdVersion.id).where(AdVersion.first_seen >= start))
    cases.append((f"since={day.isoformat()}", expected(site, changed)))
    cases.append((f"since={day.strftime('%d-%m-%Y')}", expected(site, changed)))
    total = len(expected(site))
    for params, want in cases:
        got = row_ids(client.get(f"/werklijst?{params}").text)
        assert got == want, params
        assert want, f"{params}: the seed must give this filter something to find"
        if "ad_status" not in params:
            assert len(want) < total, f"{params}: the filter must leave something out"
    # the gemeente is shown by name
    tree = HTMLParser(client.get("/werklijst?gemeente=GM0917").text)
    assert {td.text(strip=True) for td in tree.css("table.worklist tbody td:nth-child(5)")} == {"Heerlen"}


def test_since_finds_an_old_ad_that_changed_and_not_an_old_one_that_did_not(
    client: TestClient, site: SignalSite
) -> None:
    ids, seen = site.seed.ids, site.seed.first_seen
    day = (T1 + CHANGED_AFTER).astimezone(TIMEZONE).date()
    assert seen[CHANGED_LATER] < T1 + timedelta(days=1) and seen["hotel"] < T1 + timedelta(days=1)
    got = row_ids(client.get(f"/werklijst?since={day.isoformat()}").text)
    assert ids[CHANGED_LATER] in got  # first seen long before, changed on that day
    assert ids["hotel"] not in got  # old and unchanged
    assert got == [ids[CHANGED_LATER]]  # nothing else is new since then


def test_indicator_filter_leaves_out_negated_hits_and_keeps_not_predictive_ones(
    client: TestClient, site: SignalSite
) -> None:
    ids = site.seed.ids

    def with_hit(code: str) -> list[int]:
        hit = (
            select(IndicatorHit.id)
            .where(
                IndicatorHit.ad_version_id == Ad.current_version_id,
                IndicatorHit.code == code,
                IndicatorHit.negated.is_(False),
                (IndicatorHit.weight > 0) | (IndicatorHit.evidence_level == "not_predictive"),
            )
            .exists()
        )
        return expected(site, hit)

    unprotected = row_ids(client.get("/werklijst?indicator=UNPROTECTED_SERVICES").text)
    assert unprotected == with_hit("UNPROTECTED_SERVICES")
    assert ids["many"] in unprotected
    assert ids["negated_only"] not in unprotected  # "Geen AV" is found, but it is no reason to look
    new_in_town = row_ids(client.get("/werklijst?indicator=NEW_IN_TOWN").text)
    assert new_in_town == with_hit("NEW_IN_TOWN") == [ids["third_person"]]
    # not evaluated (no regional median price): not a match either
    assert row_ids(client.get("/werklijst?indicator=LOW_PRICE").text) == []
    # the select offers every ad indicator of the catalogue, by name
    options = HTMLParser(client.get("/werklijst").text).css("#w-indicator option")
    assert [o.attributes["value"] for o in options][1:] == [i.code for i in load_catalogue().ad_indicators]


def test_filter_choices_come_from_the_reference_tables(client: TestClient) -> None:
    tree = HTMLParser(client.get("/werklijst").text)
    gemeenten = [o.attributes["value"] for o in tree.css("#w-gemeente option")][1:]
    assert sorted(gemeenten) == sorted(reference.gemeenten())
    names = [o.text(strip=True) for o in tree.css("#w-gemeente option")][1:]
    assert names.index("'s-Hertogenbosch") > names.index("Heerlen") > names.index("Amsterdam")
    units = [o.attributes["value"] for o in tree.css("#w-police option")][1:]
    assert set(units) == {g.police_unit for g in reference.gemeenten().values()} and len(units) == 10
    statuses = [o.attributes["value"] for o in tree.css("#w-status option")]
    assert tuple(statuses) == tuple(STATUS_LABELS) == queries.WORK_STATUSES
    assert tuple(AD_STATUS_LABELS) == queries.WORK_AD_STATUSES
    assert tree.css_first("#w-status option[selected]").attributes["value"] == "open"


def test_bad_filter_values_give_messages_and_no_rows(client: TestClient) -> None:
    r = client.get("/werklijst?gemeente=GM9999&indicator=NOPE&since=31-02-2026&min_score=101&status=x&page=0")
    assert r.status_code == 400
    tree = HTMLParser(r.text)
    messages = [li.text(strip=True) for li in tree.css(".messages li")]
    assert len(messages) == 6
    assert any("GM9999" in m for m in messages) and any("NOPE" in m for m in messages)
    assert any("31-02-2026" in m and "geen geldige datum" in m for m in messages)
    assert "“101” is geen score van 0 tot 100." in messages
    assert not tree.css("table.worklist")
    assert tree.css_first("#w-since").attributes["value"] == "31-02-2026"  # echoed to be corrected


def test_htmx_gets_only_the_results_with_a_clean_address(client: TestClient, site: SignalSite) -> None:
    r = client.get("/werklijst?site=redlights&status=open&ad_status=active&gemeente=", headers=HTMX)
    assert r.status_code == 200
    assert "<html" not in r.text and 'id="w-site"' not in r.text
    assert row_ids(r.text) == expected(site, Site.name == "redlights")
    assert r.headers["HX-Push-Url"] == "/werklijst?site=redlights"  # defaults and empty fields left out
    assert HTMLParser(r.text).css_first("#language-switch").attributes["hx-swap-oob"] == "true"


def test_paging(site: SignalSite) -> None:
    everything = expected(site)
    pages = [queries.worklist(site.store, queries.WorkQuery(per_page=3, page=n)) for n in (1, 2, 3, 4, 99)]
    assert pages[0].total == len(everything) and pages[0].pages == -(-len(everything) // 3)
    assert [r.ad_id for p in pages[: pages[0].pages] for r in p.rows] == everything
    assert pages[-1].page == pages[0].pages  # past the end: the last page


def test_pager_links_keep_the_filters(site: SignalSite) -> None:
    from zicht.web import worklist_filters

    old = worklist_filters.PER_PAGE
    worklist_filters.PER_PAGE = 2
    try:
        with TestClient(site.app) as c:
            tree = HTMLParser(c.get("/werklijst?police_unit=Limburg&ad_status=all").text)
    finally:
        worklist_filters.PER_PAGE = old
    nxt = tree.css_first(".pager a[rel=next]")
    assert nxt.attributes["href"] == "/werklijst?police_unit=Limburg&ad_status=all&page=2"
    assert nxt.attributes["hx-get"] == nxt.attributes["href"]


def test_an_ad_not_processed_yet_is_listed_last_and_says_so(fresh: SignalSite) -> None:
    from zicht.sources.types import ParsedAd
    from zicht.store.store import IngestItem

    parsed = ParsedAd("kinky", "later", "https://kinky.example/later", "Nog niet verwerkt", "Hallo.")
    new_id = fresh.store.ingest([IngestItem(parsed, T1 + timedelta(days=5), "kinky@test")]).ad_ids[0]
    with TestClient(fresh.app) as c:
        tree = HTMLParser(c.get("/werklijst").text)
    ids = row_ids(tree.html or "")
    assert ids[-1] == new_id and ids[:-1] == expected(fresh)
    assert tree.css_first(f"#ad-row-{new_id} .score-pending") is not None
    assert "nog niet verwerkt" in tree.css_first(f"#ad-row-{new_id}").text()


# ---------------------------------------------------------------- decisions


def reviews_of(site: SignalSite, ad_id: int) -> list[tuple[str, str, str]]:
    with site.store.session() as s:
        return [
            (r.user, r.decision, r.reason)
            for r in s.scalars(select(Review).where(Review.ad_id == ad_id).order_by(Review.id))
        ]


def test_a_decision_from_a_row_is_stored_and_the_row_shows_it(fresh: SignalSite) -> None:
    ad_id = fresh.seed.ids["many"]
    headers = {**SAME_ORIGIN, "HX-Request": "true", "HX-Target": f"ad-row-{ad_id}"}
    with TestClient(fresh.app) as c:
        r = c.post(
            f"/advertenties/{ad_id}/beslissingen",
            data={
                "decision": "selected",
                "reason": "Jonge leeftijd",
                "user": "Toezicht Heerlen",
                "back": "/werklijst",
            },
            headers=headers,
        )
        assert r.status_code == 200
        assert reviews_of(fresh, ad_id) == [("Toezicht Heerlen", "selected", "Jonge leeftijd")]
        assert r.text.lstrip().startswith("<tr")
        tree = row_fragment(r.text)
        row = tree.css_first(f"tr#ad-row-{ad_id}")
        assert row is not None and "<html" not in r.text
        assert row.css_first(".decision-selected").text(strip=True) == "geselecteerd voor controle"
        assert "Toezicht Heerlen" in row.css_first(".decided-by").text()
        assert row.css_first(".saved").text(strip=True) == "Beslissing opgeslagen."
        # the name is remembered for the next page
        assert "zicht_user=Toezicht%20Heerlen" in r.headers["set-cookie"]
        page = HTMLParser(c.get("/werklijst").text)
        assert page.css_first("#reviewer-name").attributes["value"] == "Toezicht Heerlen"
        # decided: no longer open, found under its decision
        assert ad_id not in row_ids(page.html or "")
        assert row_ids(c.get("/werklijst?status=selected").text) == [ad_id]
        assert ad_id in row_ids(c.get("/werklijst?status=all").text)
        assert row_ids(c.get("/werklijst?status=dismissed").text) == []


def test_the_latest_decision_counts_for_the_status_filter(fresh: SignalSite) -> None:
    ids = fresh.seed.ids
    at = T1 + timedelta(days=3)
    record_review(fresh.store, ids["hotel"], "Anna", "selected", "controle", at=at)
    record_review(fresh.store, ids["hotel"], "Bram", "dismissed", "scam-profiel", at=at + timedelta(hours=1))
    record_review(fresh.store, ids["quiet"], "Anna", "reviewed", "gezien", at=at)
    with TestClient(fresh.app) as c:
        assert row_ids(c.get("/werklijst?status=dismissed").text) == [ids["hotel"]]
        assert row_ids(c.get("/werklijst?status=selected").text) == []
        assert row_ids(c.get("/werklijst?status=reviewed").text) == [ids["quiet"]]
        open_ids = row_ids(c.get("/werklijst").text)
        assert ids["hotel"] not in open_ids and ids["quiet"] not in open_ids
        assert len(open_ids) == len(expected(fresh)) - 2
        cell = HTMLParser(c.get("/werklijst?status=dismissed").text).css_first(
            f"#ad-row-{ids['hotel']} .last-decision"
        )
        assert "afgewezen" in cell.text() and "Bram" in cell.text()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "selected", "reason": "", "user": "Anna"}, "Geef een reden"),
        ({"decision": "dismissed", "reason": "   ", "user": "Anna"}, "Geef een reden"),
        ({"decision": "reviewed", "reason": "", "user": "  "}, "Vul uw naam in"),
        ({"decision": "reviewed", "reason": " ", "user": "Anna"}, "elke beslissing wordt met de reden"),
        ({"decision": "delete", "reason": "x", "user": "Anna"}, "Kies een beslissing"),
    ],
)
def test_invalid_decisions_are_refused_with_a_message(fresh: SignalSite, data: dict, message: str) -> None:
    ad_id = fresh.seed.ids["hotel"]
    headers = {**SAME_ORIGIN, "HX-Request": "true", "HX-Target": f"ad-row-{ad_id}"}
    with TestClient(fresh.app) as c:
        r = c.post(f"/advertenties/{ad_id}/beslissingen", data=data, headers=headers)
    assert r.status_code == 400
    tree = row_fragment(r.text)
    assert message in tree.css_first(".messages").text()
    assert "open" in tree.css_first("details.decide").attributes  # the form stays open
    assert tree.css_first(f"#d{ad_id}-reason").text() == data["reason"]  # what was typed comes back
    assert reviews_of(fresh, ad_id) == []
    assert "set-cookie" not in r.headers


def test_decision_on_the_ad_page_swaps_the_section_with_its_history(fresh: SignalSite) -> None:
    ad_id = fresh.seed.ids["hotel"]
    headers = {**SAME_ORIGIN, "HX-Request": "true", "HX-Target": "decision"}
    with TestClient(fresh.app) as c:
        url = f"/advertenties/{ad_id}/beslissingen"
        c.post(url, data={"decision": "reviewed", "reason": "gezien", "user": "Anna"}, headers=headers)
        r = c.post(
            url,
            data={"decision": "dismissed", "reason": "Zelfde tekst als een scam-profiel", "user": "Bram"},
            headers=headers,
        )
        assert r.status_code == 200
        tree = HTMLParser(r.text)
        assert tree.css_first("section#decision") is not None and "<html" not in r.text
        history = [[td.text(strip=True) for td in tr.css("td")] for tr in tree.css("table.reviews tbody tr")]
        assert [(h[1], h[2], h[3]) for h in history] == [
            ("Bram", "afgewezen", "Zelfde tekst als een scam-profiel"),
            ("Anna", "bekeken", "gezien"),
        ]
        assert tree.css_first("#decision-user").attributes["value"] == "Bram"
        # and the full ad page shows the same history
        page = HTMLParser(c.get(f"/advertenties/{ad_id}").text)
        assert len(page.css("#decision table.reviews tbody tr")) == 2
        assert "Er gebeurt niets automatisch" in page.css_first("#decision").text()


def test_without_javascript_a_decision_redirects_back_or_shows_the_form(fresh: SignalSite) -> None:
    ad_id = fresh.seed.ids["overlap"]
    url = f"/advertenties/{ad_id}/beslissingen"
    with TestClient(fresh.app) as c:
        ok = c.post(
            url,
            data={
                "decision": "reviewed",
                "reason": "gezien",
                "user": "Anna",
                "back": "/werklijst?site=kinky",
            },
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/werklijst?site=kinky"
        # the row form has no name field of its own: without JS the person gets a form to finish
        missing = c.post(
            url,
            data={"decision": "selected", "reason": "Twee jonge meiden", "back": "/werklijst"},
            headers=SAME_ORIGIN,
        )
        assert missing.status_code == 400
        tree = HTMLParser(missing.text)
        assert "Vul uw naam in" in tree.css_first(".messages").text()
        assert tree.css_first("#decision-reason").text() == "Twee jonge meiden"
        assert "checked" in tree.css_first("#decision-selected").attributes
        assert tree.css_first("input[name=back]").attributes["value"] == "/werklijst"
        # never a redirect to another site
        away = c.post(
            url,
            data={
                "decision": "reviewed",
                "reason": "gezien",
                "user": "Anna",
                "back": "https://evil.example/",
            },
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert away.headers["location"] == f"/advertenties/{ad_id}"
        sneaky = c.post(
            url,
            data={
                "decision": "reviewed",
                "reason": "gezien",
                "user": "Anna",
                "back": "//evil.example/werklijst",
            },
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert sneaky.headers["location"] == f"/advertenties/{ad_id}"
    assert [d for _, d, _ in reviews_of(fresh, ad_id)] == ["reviewed", "reviewed", "reviewed"]


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, False),  # proves nothing
        ({"Origin": "http://evil.example"}, False),
        ({"Origin": "http://testserver.evil.example"}, False),
        ({"Origin": "null"}, False),
        ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Referer": "http://evil.example/werklijst"}, False),
        ({"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"}, False),  # a wrong Origin decides
        ({"Origin": "http://testserver"}, True),
        ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, True),  # what a browser sends under no-referrer
        ({"Referer": "http://testserver/werklijst"}, True),
    ],
)
def test_only_same_origin_posts_are_accepted(fresh: SignalSite, headers: dict, allowed: bool) -> None:
    ad_id = fresh.seed.ids["quiet"]
    with TestClient(fresh.app) as c:
        r = c.post(
            f"/advertenties/{ad_id}/beslissingen",
            data={"decision": "reviewed", "reason": "gezien", "user": "Anna"},
            headers=headers,
            follow_redirects=False,
        )
    if allowed:
        assert r.status_code == 303 and len(reviews_of(fresh, ad_id)) == 1
    else:
        assert r.status_code == 403 and reviews_of(fresh, ad_id) == []
        assert "niet opgeslagen" in r.text and "set-cookie" not in r.headers


def test_a_decision_on_an_ad_that_does_not_exist_is_a_404(fresh: SignalSite) -> None:
    with TestClient(fresh.app) as c:
        for ad in ("999999", "abc", "99999999999"):
            r = c.post(
                f"/advertenties/{ad}/beslissingen",
                data={"decision": "reviewed", "reason": "gezien", "user": "A"},
                headers=SAME_ORIGIN,
            )
            assert r.status_code == 404
    with fresh.store.session() as s:
        assert s.scalars(select(Review)).all() == []


def test_an_unknown_site_is_reported_and_a_differently_cased_one_is_found(
    client: TestClient, site: SignalSite
) -> None:
    r = client.get("/werklijst?site=foo")
    assert r.status_code == 400
    messages = [li.text(strip=True) for li in HTMLParser(r.text).css(".messages li")]
    assert messages == ["Onbekende waarde “foo” bij “Site”."]
    cased = client.get("/werklijst?site=Kinky", headers=HTMX)
    assert cased.status_code == 200
    assert row_ids(cased.text) == expected(site, Site.name == "kinky") != []
    assert cased.headers["HX-Push-Url"] == "/werklijst?site=kinky"


def test_a_page_past_the_end_says_it_shows_the_last_page(client: TestClient, site: SignalSite) -> None:
    past = client.get("/werklijst?page=99999&lang=en")
    assert past.status_code == 200
    assert row_ids(past.text) == expected(site)  # one page: the last is the first
    notice = HTMLParser(past.text).css_first(".page-clamped")
    assert (
        notice is not None and notice.text(strip=True) == "There is no page 99999: this is the last page, 1."
    )
    assert HTMLParser(client.get("/werklijst").text).css_first(".page-clamped") is None
