"""The ad page's facts and signals in-process on SQLite and PostgreSQL, from what the pipeline stored.

What each test expects is read from the stored rows (hits, score, facts) and the catalogue, so the
page is compared with the data it claims to explain.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select, update
from web_seed import HOSTILE_TEXT, T1, SignalSite, backend_url, signal_site

from zicht import reference
from zicht.extract.types import Span
from zicht.signals.catalogue import load_catalogue
from zicht.signals.engine import locate
from zicht.store.models import Ad, AdVersion, Extraction, IndicatorHit, Score


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignalSite]:
    tmp = tmp_path_factory.mktemp("ad-signals")
    pg = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    with signal_site(backend_url(request.param, tmp, pg), tmp) as seeded:
        yield seeded


@pytest.fixture
def client(site: SignalSite) -> Iterator[TestClient]:
    with TestClient(site.app) as c:
        yield c


def page(client: TestClient, site: SignalSite, key: str, lang: str = "nl") -> HTMLParser:
    r = client.get(f"/advertenties/{site.seed.ids[key]}?lang={lang}")
    assert r.status_code == 200
    return HTMLParser(r.text)


def stored(site: SignalSite, key: str) -> tuple[AdVersion, Score, Extraction, list[IndicatorHit]]:
    with site.store.session() as s:
        ad = s.get(Ad, site.seed.ids[key])
        assert ad is not None and ad.current_version_id is not None
        version = s.get(AdVersion, ad.current_version_id)
        score = s.get(Score, ad.current_version_id)
        facts = s.get(Extraction, ad.current_version_id)
        hits = list(
            s.scalars(select(IndicatorHit).where(IndicatorHit.ad_version_id == ad.current_version_id))
        )
        assert version is not None and score is not None and facts is not None
        return version, score, facts, hits


def text_of(node) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.text(separator=" ").split())


# ---------------------------------------------------------------- score and explanation


def test_score_and_explanation_in_both_languages(client: TestClient, site: SignalSite) -> None:
    _, score, facts, _ = stored(site, "many")
    for lang in ("nl", "en"):
        tree = page(client, site, "many", lang)
        assert tree.css_first(".score-number").text(strip=True) == str(round(score.value))
        assert tree.css_first(".score-explanation").text(strip=True) == score.explanation[lang]
        versions = tree.css_first(".versions-used").text()
        assert score.catalogue_version in versions and facts.extractor_version in versions
    assert "een mens beslist" in page(client, site, "many").css_first(".score-advice").text()
    assert "a person decides" in page(client, site, "many", "en").css_first(".score-advice").text()
    assert score.explanation["nl"] != score.explanation["en"]


def test_every_hit_is_listed_with_name_evidence_weight_and_sources(
    client: TestClient, site: SignalSite
) -> None:
    _, _, _, hits = stored(site, "many")
    catalogue = load_catalogue()
    tree = page(client, site, "many")
    cards = {c.css_first("h3").text(strip=True): c for c in tree.css(".indicator")}
    assert set(cards) == {catalogue.get(h.code).name.nl for h in hits}
    for code in {h.code for h in hits}:
        ind = catalogue.get(code)
        card = cards[ind.name.nl]
        assert len(card.css(".occurrence")) == sum(1 for h in hits if h.code == code)
        badge = card.css_first(".evidence-badge")
        assert f"evidence-{ind.evidence_level}" in badge.attributes["class"]
        links = [a.attributes["href"] for a in card.css(".sources a")]
        assert links == [s.url for s in ind.sources if s.url]
        assert len(card.css(".sources li")) == len(ind.sources)
        assert ind.explanation.nl in card.css_first(".why").text()
    labels = {b.text(strip=True) for b in tree.css(".evidence-badge")}
    assert {"onderzoek bevestigd", "praktijkkennis"} <= labels
    # English names in the English page
    en = page(client, site, "many", "en")
    assert {c.css_first("h3").text(strip=True) for c in en.css(".indicator")} == {
        catalogue.get(h.code).name.en for h in hits
    }


def test_negated_and_not_predictive_hits_are_shown_and_explained_but_not_counted(
    client: TestClient, site: SignalSite
) -> None:
    tree = page(client, site, "many")
    negated = tree.css_first(".occurrence-negated")
    assert text_of(negated).startswith("gevonden maar ontkend: ‘Geen AV’ — telt niet mee")

    only = page(client, site, "negated_only")
    card = only.css_first(".indicator")
    assert "indicator-negated" in card.attributes["class"]
    assert card.css_first(".state").text(strip=True) == "gevonden maar ontkend — telt niet mee"
    _, score, _, _ = stored(site, "negated_only")
    assert score.value == 0 and only.css_first(".score-number").text(strip=True) == "0"

    third = page(client, site, "third_person")
    name = load_catalogue().get("NEW_IN_TOWN").name.nl
    card = next(c for c in third.css(".indicator") if c.css_first("h3").text(strip=True) == name)
    assert card.css_first(".evidence-badge").text(strip=True) == "volgens onderzoek géén voorspeller"
    assert "telt niet mee" in card.css_first(".state").text()
    assert all("telt niet mee" in o.text() for o in card.css(".occurrence"))
    assert third.css(".ad-text mark.mark-info")  # marked, in the colour of "shown, not counted"


def test_the_not_evaluated_low_price_is_explained(client: TestClient, site: SignalSite) -> None:
    name = load_catalogue().get("LOW_PRICE").name.nl
    card = next(c for c in page(client, site, "many").css(".indicator") if c.css_first("h3").text() == name)
    assert "indicator-not_evaluated" in card.attributes["class"]
    assert "geen regionale mediaanprijs" in card.css_first(".occurrence").text()


# ---------------------------------------------------------------- marked words


def test_hostile_ad_text_is_escaped(client: TestClient, site: SignalSite) -> None:
    html = client.get(f"/advertenties/{site.seed.ids['many']}").text
    assert HOSTILE_TEXT not in html and "<script>document.title" not in html
    assert "&lt;script&gt;document.title=&#34;PWNED&#34;&lt;/script&gt;" in html
    tree = HTMLParser(html)
    assert tree.css("main script") == [] and tree.css("main b") == []
    assert HOSTILE_TEXT in tree.css_first(".ad-text").text()  # shown as text, exactly


def test_marks_cover_exactly_the_words_of_each_text_hit(client: TestClient, site: SignalSite) -> None:
    for key in ("many", "third_person", "hotel", "overlap"):
        version, _, _, hits = stored(site, key)
        tree = page(client, site, key)
        fields = {
            "title": tree.css_first(".ad-title-marked"),
            "text": tree.css_first(".ad-text"),
            "services": tree.css_first(".columns ul.tags"),
        }
        for hit in (h for h in hits if h.span_start is not None):
            where = locate(
                Span(hit.span_start, hit.span_end, hit.matched_text),
                version.title,
                version.text,
                version.services,
            )
            container = fields[where.field]
            assert container is not None, (key, hit.code, where.field)
            pieces = [
                m for m in container.css("mark") if f"hit-{hit.id}" in m.attributes["data-hits"].split()
            ]
            assert "".join(m.text() for m in pieces) == hit.matched_text, (key, hit.code)
            first = pieces[0]
            # its anchor: the first mark itself, or one of the empty anchors right before it
            anchors, node = [first.attributes.get("id")], first.prev
            while node is not None and "mark-anchor" in (node.attributes.get("class") or ""):
                anchors.append(node.attributes.get("id"))
                node = node.prev
            assert f"hit-{hit.id}" in anchors
            assert tree.css_first(f'a.to-mark[href="#hit-{hit.id}"]') is not None
            name = load_catalogue().get(hit.code).name.nl
            assert all(name in m.attributes["title"] for m in pieces)
        # each marked piece is coloured by the strongest hit covering it: counts > shown > negated
        by_key = {f"hit-{h.id}": h for h in hits}
        for mark in tree.css("main mark[data-hits]"):
            covering = [by_key[k] for k in mark.attributes["data-hits"].split()]
            if any(h.weight > 0 and not h.negated for h in covering):
                want = "mark-counts"
            elif any(not h.negated for h in covering):
                want = "mark-info"
            else:
                want = "mark-negated"
            assert mark.attributes["class"] == want, (key, mark.text())
    assert key == "overlap"  # the loop ran to the end


def test_overlapping_spans_are_read_once(client: TestClient, site: SignalSite) -> None:
    version, _, _, hits = stored(site, "overlap")
    tree = page(client, site, "overlap")
    text = tree.css_first(".ad-text")
    assert text.text() == version.text  # the words appear once, in order
    shared = [m for m in text.css("mark") if len(m.attributes["data-hits"].split()) > 1]
    assert shared and all(m.text() in {h.matched_text for h in hits} for m in shared)
    title = tree.css_first(".ad-title-marked")
    assert "".join(n.text() for n in title.css("mark")) in version.title


def test_services_items_are_marked(client: TestClient, site: SignalSite) -> None:
    version, _, _, _ = stored(site, "many")
    items = page(client, site, "many").css(".columns ul.tags li")
    assert [li.text() for li in items] == version.services
    assert all(li.css_first("mark.mark-counts") is not None for li in items)


# ---------------------------------------------------------------- facts


def test_facts_contacts_age_place_origin(client: TestClient, site: SignalSite) -> None:
    _, _, facts, _ = stored(site, "many")
    tree = page(client, site, "many")
    section = tree.css_first(".facts-section")
    contact = section.css_first(".contacts li")
    assert contact.css_first(".contact-value").text() == "+31612345678"
    sources = [s.text(strip=True) for s in contact.css(".contact-source")]
    assert sources[0] == "opgegeven" and sources[1].startswith("in de tekst")
    assert "verhuld geschreven" in sources[1] and "nul zes een twee" in sources[1]
    age = text_of(section.css_first(".age-fact"))
    assert (
        f"opgegeven: {facts.facts['age_declared']}" in age
        and f"in de tekst: {facts.facts['age_text']}" in age
    )
    assert section.css_first(".age-fact .conflict") is not None and facts.facts["age_conflict"] is True
    gemeente = reference.gemeente(facts.gemeente_code or "")
    assert gemeente is not None
    place = text_of(section.css_first(".place-fact"))
    assert f"gemeente {gemeente.name} ({gemeente.code})" in place
    assert f"provincie {gemeente.province}" in place and f"politie-eenheid {gemeente.police_unit}" in place
    origin = section.css_first(".origin-fact")
    assert "Roemenië" in origin.text() and origin.css_first(".badge-special") is not None
    assert "nooit op zichzelf" in origin.text()
    assert "dag en nacht beschikbaar" in section.text()


def test_an_unknown_place_says_unknown_and_why(client: TestClient, site: SignalSite) -> None:
    _, _, facts, _ = stored(site, "unknown_place")
    assert facts.gemeente_code is None
    place = page(client, site, "unknown_place").css_first(".place-fact")
    assert place.css_first(".unknown").text(strip=True) == "onbekend"
    assert "niet in de CBS-lijst" in place.text() and "Atlantis" in place.text()
    assert "unknown" in page(client, site, "unknown_place", "en").css_first(".place-fact").text()
    errors = page(client, site, "unknown_place").css(".field-errors li")
    assert any("kon niet gelezen worden: plaats" in e.text() for e in errors)


def test_a_version_not_processed_yet_says_so(site: SignalSite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from zicht.sources.types import ParsedAd
    from zicht.store.store import IngestItem, Store
    from zicht.web.app import create_app

    store = Store.open(f"sqlite:///{tmp_path / 'z.db'}", data_dir=tmp_path / "data")
    try:
        parsed = ParsedAd("kinky", "x", "https://kinky.example/x", "Titel <i>", "Tekst met <b>vet</b>.")
        ad_id = store.ingest([IngestItem(parsed, T1, "kinky@test")]).ad_ids[0]
        with TestClient(create_app(store)) as c:
            tree = HTMLParser(c.get(f"/advertenties/{ad_id}").text)
        assert "nog geen signalen berekend" in tree.css_first(".signals").text()
        assert "nog niet gelezen" in tree.css_first(".facts-section").text()
        assert tree.css_first(".ad-text").text() == "Tekst met <b>vet</b>."
    finally:
        store.close()


def test_a_score_from_an_older_catalogue_is_flagged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = backend_url("sqlite", tmp_path)
    with signal_site(url, tmp_path) as fresh:
        with fresh.store.session() as s:
            s.execute(update(Score).values(catalogue_version="2026.1.1"))
        with TestClient(fresh.app) as c:
            tree = HTMLParser(c.get(f"/advertenties/{fresh.seed.ids['hotel']}").text)
    notice = tree.css_first(".signals .notice")
    assert notice is not None and load_catalogue().version in notice.text()
    assert "2026.1.1" in tree.css_first(".versions-used").text()


def test_the_page_shows_a_history_of_decisions_newest_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from zicht.store.reviews import record_review

    with signal_site(backend_url("sqlite", tmp_path), tmp_path) as fresh:
        ad_id = fresh.seed.ids["hotel"]
        record_review(fresh.store, ad_id, "Anna", "reviewed", "gezien", at=T1 + timedelta(days=1))
        record_review(fresh.store, ad_id, "Bram", "selected", "<b>plannen</b>", at=T1 + timedelta(days=2))
        with TestClient(fresh.app) as c:
            html = c.get(f"/advertenties/{ad_id}").text
    tree = HTMLParser(html)
    rows = [
        [td.text(strip=True) for td in tr.css("td")] for tr in tree.css("#decision table.reviews tbody tr")
    ]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("Bram", "geselecteerd voor controle", "<b>plannen</b>"),
        ("Anna", "bekeken", "gezien"),
    ]
    assert "&lt;b&gt;plannen&lt;/b&gt;" in html


def test_an_ambiguous_place_shows_the_other_gemeenten(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from zicht.pipeline import process
    from zicht.sources.types import ParsedAd
    from zicht.store.store import IngestItem, Store
    from zicht.web.app import create_app

    store = Store.open(f"sqlite:///{tmp_path / 'z.db'}", data_dir=tmp_path / "data")
    try:
        parsed = ParsedAd(
            "kinky", "beek", "https://kinky.example/beek", "Hallo", "Bel me.", fields={"location": "Beek"}
        )
        ad_id = store.ingest([IngestItem(parsed, T1, "kinky@test")]).ad_ids[0]
        process(store, photos=False)
        with TestClient(create_app(store)) as c:
            nl = text_of(HTMLParser(c.get(f"/advertenties/{ad_id}").text).css_first(".place-alternatives"))
            en = text_of(
                HTMLParser(c.get(f"/advertenties/{ad_id}?lang=en").text).css_first(".place-alternatives")
            )
    finally:
        store.close()
    others = [reference.gemeente(code) for code in ("GM1945", "GM1955")]
    assert "ook mogelijk:" in nl and "de gemeente met die naam is genomen" in nl
    assert all(g is not None and f"gemeente {g.name} ({g.code})" in nl for g in others)
    assert "also possible:" in en


def test_fact_hits_read_from_the_text_are_marked_there(client: TestClient, site: SignalSite) -> None:
    """An obscured phone number written in the text and a 24/7 claim in the title are marked, so the
    analyst sees which words the fact came from."""
    for key, code in (("many", "OBSCURED_CONTACT"), ("hotel", "AVAILABLE_247")):
        version, _, _, hits = stored(site, key)
        facts_hits = [h for h in hits if h.code == code and str(h.reason).startswith("fact")]
        assert facts_hits, (key, code)
        tree = page(client, site, key)
        for hit in facts_hits:
            assert hit.span_start is not None and hit.span_end is not None, (key, code)
            marked = [
                m for m in tree.css("main mark[data-hits]") if f"hit-{hit.id}" in m.attributes["data-hits"]
            ]
            assert "".join(m.text() for m in marked) == hit.matched_text
            assert hit.matched_text in version.title + "\n\n" + version.text


def test_247_explanation_quotes_the_words_that_said_it(client: TestClient, site: SignalSite) -> None:
    """Declared hours 'weekend 10-18' never stand as proof of around-the-clock availability."""
    version, _, facts, _ = stored(site, "hotel")
    assert facts.facts["hours"] == "weekend 10-18" and facts.facts["available_247"]
    tree = page(client, site, "hotel")
    name = load_catalogue().get("AVAILABLE_247").name.nl
    group = next(g for g in tree.css("li.indicator") if text_of(g.css_first("h3")) == name)
    said = text_of(group)
    assert "weekend 10-18" not in said
    quoted = "'Dag en nacht'"  # the words the extractor found in the title
    assert f"dag en nacht beschikbaar: {quoted}" in said and "Dag en nacht" in version.title


def test_services_and_origin_read_as_words_in_the_readers_language(
    client: TestClient, site: SignalSite
) -> None:
    """Extracted services and the stated origin in words (Dutch or English), never as stored codes."""
    _, _, facts, _ = stored(site, "many")
    assert sorted(facts.facts["services"]) == ["no_limits", "pijpen_zonder"]
    for lang, words in {
        "nl": ["geen grenzen", "pijpen zonder condoom"],
        "en": ["blowjob without a condom", "no limits"],
    }.items():
        tree = page(client, site, "many", lang)
        listed = [li.text(strip=True) for li in tree.css(".facts-section .services-fact li")]
        assert sorted(listed) == words, (lang, listed)
        signals = text_of(tree.css_first("section.signals"))
        assert "pijpen_zonder" not in signals and "no_limits" not in signals and "'RO'" not in signals
    nl = text_of(page(client, site, "many").css_first("section.signals"))
    assert "dienst(en) genoemd: pijpen zonder condoom" in nl
    assert "afkomst opgegeven als 'Roemenië'" in nl
