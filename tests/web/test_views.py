"""The pages in-process on SQLite and PostgreSQL: real store, real queries, real templates."""

from __future__ import annotations

from datetime import timedelta

from conftest import Seeded
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from web_seed import T0, VERSION_TEXTS, Seed

from zicht.store.models import RawPage
from zicht.web.i18n import TIMEZONE

HTMX = {"HX-Request": "true", "HX-Target": "results"}


def rows(html: str) -> list[dict[str, str]]:
    tree = HTMLParser(html)
    heads = [th.text(strip=True) for th in tree.css("table.ads thead th")]
    return [
        dict(zip(heads, (td.text(strip=True) for td in tr.css("td")), strict=True))
        for tr in tree.css("table.ads tbody tr")
    ]


def local_day(dt) -> str:  # type: ignore[no-untyped-def]
    return dt.astimezone(TIMEZONE).date().isoformat()


# ---------------------------------------------------------------- the list


def test_list_pages_through_all_ads(client: TestClient, seeded: Seed) -> None:
    total = len(seeded.ads)
    first = client.get("/advertenties")
    assert first.status_code == 200
    assert f"{total} advertenties gevonden" in first.text
    assert len(rows(first.text)) == 50
    second = client.get("/advertenties?page=2")
    assert len(rows(second.text)) == total - 50
    shown = {r["Titel"] for r in rows(first.text)} | {r["Titel"] for r in rows(second.text)}
    assert shown == {a.title for a in seeded.ads}
    # a page past the end shows the last page instead of nothing, and says so
    past = client.get("/advertenties?page=99").text
    assert rows(past) == rows(second.text)
    notice = HTMLParser(past).css_first(".page-clamped")
    assert (
        notice is not None and notice.text(strip=True) == "Er is geen pagina 99: dit is de laatste pagina, 2."
    )
    assert HTMLParser(second.text).css_first(".page-clamped") is None
    assert 'aria-current="page">2<' in second.text


def test_root_redirects_to_the_list(client: TestClient) -> None:
    r = client.get("/?site=kinky", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/advertenties?site=kinky"


def test_list_columns_show_the_ad(client: TestClient, seeded: Seed) -> None:
    lisa = next(a for a in seeded.ads if a.id == seeded.versioned_id)
    row = next(r for r in rows(client.get("/advertenties?q=Lisa").text) if r["Titel"] == lisa.title)
    assert row["Site"] == "kinky"
    assert row["Plaats"] == "Sittard"
    assert row["Versies"] == "3"
    assert row["Status"] == "actief"


def test_filters_really_filter(client: TestClient, seeded: Seed) -> None:
    got = rows(client.get("/advertenties?site=sexjobs").text)
    assert len(got) == len(seeded.where(site="sexjobs")) and {r["Site"] for r in got} == {"sexjobs"}

    got = rows(client.get("/advertenties?place=maastr").text)  # part of the name, any case
    assert len(got) == len(seeded.where(place="Maastricht")) and {r["Plaats"] for r in got} == {"Maastricht"}

    got = rows(client.get("/advertenties?status=removed").text)
    assert len(got) == len(seeded.where(removed=True)) and {r["Status"] for r in got} == {"verwijderd"}

    got = rows(client.get("/advertenties?status=active&site=kinky&place=Heerlen").text)
    expected = [a for a in seeded.where(site="kinky", place="Heerlen") if not a.removed]
    assert len(got) == len(expected)


def test_text_search_in_title_and_text(client: TestClient, seeded: Seed) -> None:
    in_text = [a for a in seeded.ads if "zonnebloem" in a.text.lower()]
    got = rows(client.get("/advertenties?q=ZONNEBLOEM").text)
    assert [r["Titel"] for r in got] == [a.title for a in in_text] and len(got) == 1
    in_title = [a for a in seeded.ads if "amsterdam 7" in a.title.lower()]
    assert [r["Titel"] for r in rows(client.get("/advertenties?q=amsterdam+7").text)] == [
        a.title for a in in_title
    ]
    # LIKE wildcards typed by a person are searched for literally
    assert rows(client.get("/advertenties?q=%25").text) == []


def test_date_filters_are_inclusive_local_days(client: TestClient, seeded: Seed) -> None:
    day = T0 + timedelta(days=10)
    expected = [a for a in seeded.ads if local_day(a.first_seen) == local_day(day)]
    assert expected
    got = rows(client.get(f"/advertenties?first_from={local_day(day)}&first_to={local_day(day)}").text)
    assert sorted(r["Titel"] for r in got) == sorted(a.title for a in expected)

    cutoff = T0 + timedelta(days=2, hours=20)
    expected = [a for a in seeded.ads if local_day(a.last_seen) <= local_day(cutoff)]
    got = rows(client.get(f"/advertenties?last_to={local_day(cutoff)}").text)
    assert len(got) == len(expected)
    # the Dutch way of writing a date works too
    dutch = cutoff.astimezone(TIMEZONE).strftime("%d-%m-%Y")
    assert len(rows(client.get(f"/advertenties?last_to={dutch}").text)) == len(expected)


def test_sorting(client: TestClient, seeded: Seed) -> None:
    oldest = min(seeded.ads, key=lambda a: a.first_seen)
    newest_seen = max(seeded.ads, key=lambda a: a.last_seen)
    assert rows(client.get("/advertenties?sort=first_seen_asc").text)[0]["Titel"] == oldest.title
    assert rows(client.get("/advertenties").text)[0]["Titel"] == newest_seen.title


def test_bad_filter_values_give_a_message_not_an_error(client: TestClient) -> None:
    r = client.get("/advertenties?first_from=2026-13-45&last_to=gisteren&sort=random&page=-1&status=x")
    assert r.status_code == 400
    tree = HTMLParser(r.text)
    messages = [li.text(strip=True) for li in tree.css(".messages li")]
    assert (
        "“2026-13-45” is geen geldige datum bij “Eerst gezien vanaf”. Gebruik de vorm JJJJ-MM-DD." in messages
    )
    assert any("gisteren" in m for m in messages)
    assert any("random" in m for m in messages) and any("“x”" in m for m in messages)
    assert any("paginanummer" in m for m in messages)
    assert not tree.css("table.ads")
    # what the person typed comes back in the form to be corrected
    assert tree.css_first("#f-first-from").attributes["value"] == "2026-13-45"
    reversed_range = client.get("/advertenties?first_from=2026-10-09&first_to=2026-10-01")
    assert reversed_range.status_code == 400 and "ligt na" in reversed_range.text


def test_htmx_gets_only_the_results(client: TestClient, seeded: Seed) -> None:
    r = client.get("/advertenties?site=sexjobs", headers=HTMX)
    assert r.status_code == 200
    assert "<html" not in r.text and "<form" not in r.text
    assert len(rows(r.text)) == len(seeded.where(site="sexjobs"))
    # the language links follow the new address out of band
    switch = HTMLParser(r.text).css_first("#language-switch")
    assert switch.attributes["hx-swap-oob"] == "true"
    assert "site=sexjobs" in switch.css_first("a").attributes["href"]
    # a history restore needs the whole page again
    full = client.get("/advertenties?site=sexjobs", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in full.text


def test_pager_links_keep_the_filters(client: TestClient) -> None:
    tree = HTMLParser(client.get("/advertenties?site=kinky&sort=first_seen_asc").text)
    nxt = tree.css_first(".pager a[rel=next]")
    assert nxt.attributes["href"] == "/advertenties?site=kinky&sort=first_seen_asc&page=2"
    assert nxt.attributes["hx-get"] == nxt.attributes["href"]


# ---------------------------------------------------------------- one ad


def test_ad_page_shows_current_content_and_fields(client: TestClient, seeded: Seed) -> None:
    r = client.get(f"/advertenties/{seeded.versioned_id}")
    assert r.status_code == 200
    tree = HTMLParser(r.text)
    assert tree.css_first(".ad-text").text() == VERSION_TEXTS[-1]
    fields = {
        dt.text(strip=True): dd.text(strip=True)
        for dt, dd in zip(tree.css(".fields dt"), tree.css(".fields dd"), strict=True)
    }
    assert fields["Plaats"] == "Sittard" and fields["Naam"] == "Lisa" and fields["Telefoon"] == "0612345678"
    assert [li.text() for li in tree.css(".tags li")] == ["massage"]
    assert [li.text() for li in tree.css(".rates li")] == ["30 min € 80"]
    source = tree.css_first(".summary a.external")
    assert source.attributes["href"] == "https://kinky.example/advertenties/v1"
    assert "noreferrer" in source.attributes["rel"]


def test_photos_are_links_not_images(client: TestClient, seeded: Seed) -> None:
    tree = HTMLParser(client.get(f"/advertenties/{seeded.versioned_id}").text)
    assert not tree.css("img"), "no photo is shown before someone asks for it"
    photos = tree.css("li.photo")
    assert len(photos) == len(seeded.image_urls)
    assert photos[0].css_first("a.external").attributes["href"] == seeded.image_urls[0]
    assert "Foto tonen" in photos[0].text()
    # a stored javascript: url is shown as text, never as a link or a "show" button
    assert not photos[1].css("a") and "javascript:alert(1)" in photos[1].text()
    assert "javascript:" not in " ".join(a.attributes.get("href") or "" for a in tree.css("a"))


def test_show_photo_uses_the_stored_copy(client: TestClient, seeded: Seed) -> None:
    r = client.get(
        f"/advertenties/{seeded.versioned_id}/fotos/1", headers={"HX-Request": "true", "HX-Target": "photo-1"}
    )
    assert r.status_code == 200 and "<html" not in r.text
    img = HTMLParser(r.text).css_first("img")
    assert img.attributes["src"] == f"/snapshots/{seeded.photo_raw_page_id}/inhoud"
    image = client.get(img.attributes["src"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    # without JS the same link is a whole page
    assert "<html" in client.get(f"/advertenties/{seeded.versioned_id}/fotos/1").text
    assert client.get(f"/advertenties/{seeded.versioned_id}/fotos/2").status_code == 404
    assert client.get(f"/advertenties/{seeded.versioned_id}/fotos/9").status_code == 404


def test_versions_compare_word_by_word(client: TestClient, seeded: Seed) -> None:
    r = client.get(f"/advertenties/{seeded.versioned_id}?a=1&b=2")
    assert r.status_code == 200
    tree = HTMLParser(r.text)
    old_col, new_col = tree.css("#compare .version-col")
    deleted = [d.text() for d in old_col.css(".diff-text del")]
    inserted = [i.text() for i in new_col.css(".diff-text ins")]
    assert any("uit Heerlen" in d for d in deleted)
    assert any("nu in Sittard" in i for i in inserted)
    # words that stayed are not marked
    assert not any("Bel me" in x or "Lisa" in x for x in deleted + inserted)
    assert (
        old_col.css_first(".diff-text").text().replace("[verwijderd: ", "").replace("]", "")
        == VERSION_TEXTS[0]
    )
    changes = {
        tr.css_first("th").text(strip=True): [td.text(strip=True) for td in tr.css("td")]
        for tr in tree.css(".field-changes tbody tr")
    }
    assert changes["Plaats"] == ["Heerlen", "Sittard"]
    # the last two versions by default; services dropped between them
    default = HTMLParser(client.get(f"/advertenties/{seeded.versioned_id}").text)
    assert "Versie 2 vergeleken met versie 3" in default.css_first("#compare h3").text()
    assert "knuffelen" in default.css_first(".list-change del").text()
    assert "checked" in default.css_first("input[name=a][value='2']").attributes


def test_compare_fragment_for_htmx_and_bad_versions(client: TestClient, seeded: Seed) -> None:
    r = client.get(
        f"/advertenties/{seeded.versioned_id}?a=1&b=3", headers={"HX-Request": "true", "HX-Target": "compare"}
    )
    assert r.status_code == 200 and "<html" not in r.text
    assert "Versie 1 vergeleken met versie 3" in r.text
    bad = client.get(f"/advertenties/{seeded.versioned_id}?a=1&b=7")
    assert bad.status_code == 400 and "geen versie “7”" in bad.text
    only_a = HTMLParser(client.get(f"/advertenties/{seeded.versioned_id}?a=1").text)
    assert "Versie 1 vergeleken met versie 3" in only_a.css_first("#compare h3").text()
    one_version = next(a for a in seeded.ads if a.site == "sexjobs")
    assert "niets te vergelijken" in client.get(f"/advertenties/{one_version.id}").text


def test_unknown_ads_get_a_friendly_404(client: TestClient) -> None:
    for path in ("/advertenties/999999", "/advertenties/abc", "/advertenties/99999999999999999999"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Deze advertentie is niet gevonden" in r.text
        assert "<footer" in r.text
    r = client.get("/bestaat-niet")
    assert r.status_code == 404 and "Op dit adres staat geen pagina" in r.text
    assert client.get("/snapshots/424242").status_code == 404


# ---------------------------------------------------------------- evidence


def test_snapshot_is_verified_and_escaped(client: TestClient, seeded: Seed) -> None:
    r = client.get(f"/snapshots/{seeded.snapshot_id}")
    assert r.status_code == 200
    tree = HTMLParser(r.text)
    assert seeded.snapshot_sha256 in tree.css_first(".sha").text()
    assert tree.css_first(".evidence-ok") is not None and tree.css_first(".evidence-bad") is None
    # the stored markup is shown as text: no script element of it reaches our page
    assert "&lt;script&gt;document.body" in r.text
    assert "PWNED" not in "".join(s.text() for s in tree.css("script"))
    assert tree.css_first("pre.source").text().startswith("<!doctype html>")
    frame = tree.css_first("iframe")
    assert (
        frame.attributes["sandbox"] == ""
        and frame.attributes["src"] == f"/snapshots/{seeded.snapshot_id}/inhoud"
    )
    assert "APV art. 3:5 (test)" in r.text
    assert f"/advertenties/{seeded.versioned_id}" in {a.attributes.get("href") for a in tree.css("a")}


def test_snapshot_content_cannot_run_or_fetch(client: TestClient, seeded: Seed) -> None:
    r = client.get(f"/snapshots/{seeded.snapshot_id}/inhoud")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp.split("; ")
    assert "script-src" not in csp  # falls back to default-src 'none'
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.content.startswith(b"<!doctype html>")


def test_tampered_snapshot_is_flagged(fresh: Seeded) -> None:
    seeded = fresh.seed
    with fresh.store.session() as s:
        s.get(RawPage, seeded.snapshot_id).sha256 = "f" * 64
    client = TestClient(fresh.app)
    r = client.get(f"/snapshots/{seeded.snapshot_id}")
    assert r.status_code == 200
    tree = HTMLParser(r.text)
    assert tree.css_first(".evidence-bad") is not None and "Niet geverifieerd" in r.text
    assert not tree.css("iframe")
    assert client.get(f"/snapshots/{seeded.snapshot_id}/inhoud").status_code == 409


# ---------------------------------------------------------------- language, headers, health


def test_language_switch_changes_the_ui_and_sticks(client: TestClient) -> None:
    nl = client.get("/advertenties")
    assert 'lang="nl"' in nl.text and "Eerst gezien" in nl.text
    assert "Signalen zijn advies aan een mens; Zicht neemt geen besluiten." in nl.text
    en = client.get("/advertenties?lang=en")
    assert en.cookies.get("zicht_lang") == "en"
    assert '<html lang="en">' in en.text and "First seen" in en.text and "Eerst gezien" not in en.text
    assert "Signals are advice to a person; Zicht takes no decisions." in en.text
    # the cookie carries the choice to the next page
    later = client.get("/advertenties/999999")
    assert "This ad was not found" in later.text
    back = client.get("/advertenties?lang=nl")
    assert "Eerst gezien" in back.text and back.cookies.get("zicht_lang") == "nl"
    assert "Eerst gezien" in client.get("/advertenties?lang=fr").text


def test_pages_carry_protective_headers(client: TestClient, seeded: Seed) -> None:
    r = client.get(f"/advertenties/{seeded.versioned_id}")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:200]
    assert "no-store" not in htmx.headers.get("cache-control", "")


def test_health_counts(client: TestClient, seeded: Seed) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["counts"]["ads"] == len(seeded.ads)
    assert body["counts"]["active_ads"] == len([a for a in seeded.ads if not a.removed])
    assert body["counts"]["versions"] == len(seeded.ads) - 1 + len(VERSION_TEXTS)


def test_the_language_switch_keeps_the_chosen_comparison(client: TestClient, seeded: Seed) -> None:
    """Switching language on the ad page keeps ?a=&b=, also after the comparison was swapped in."""
    url = f"/advertenties/{seeded.versioned_id}?a=1&b=3"
    full = HTMLParser(client.get(url).text)
    fragment = HTMLParser(client.get(url, headers={"HX-Request": "true", "HX-Target": "compare"}).text)
    for tree in (full, fragment):
        switch = tree.css_first("#language-switch a[hreflang=en]")
        assert switch is not None
        href = switch.attributes["href"]
        assert href.startswith(f"/advertenties/{seeded.versioned_id}?")
        assert "a=1" in href.split("?")[1].split("&") and "b=3" in href.split("?")[1].split("&")
        assert "lang=en" in href
    assert fragment.css_first("#language-switch").attributes.get("hx-swap-oob") == "true"
    assert len(full.css("#language-switch")) == 1  # the full page has it once, in the header
    # and the English page it leads to compares the same versions
    english = HTMLParser(
        client.get(full.css_first("#language-switch a[hreflang=en]").attributes["href"]).text
    )
    assert "Version 1 compared with version 3" in english.css_first("#compare h3").text()


def test_an_unknown_site_is_reported_and_a_differently_cased_one_is_found(
    client: TestClient, seeded: Seed
) -> None:
    r = client.get("/advertenties?site=foo")
    assert r.status_code == 400
    messages = [li.text(strip=True) for li in HTMLParser(r.text).css(".messages li")]
    assert messages == ["Onbekende waarde “foo” bij “Site”."]
    assert not HTMLParser(r.text).css("table.ads")
    cased = client.get("/advertenties?site=SexJobs")
    assert cased.status_code == 200
    assert len(rows(cased.text)) == len(seeded.where(site="sexjobs")) > 0
    assert HTMLParser(cased.text).css_first("#f-site option[selected]").attributes["value"] == "sexjobs"
