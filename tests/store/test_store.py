from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from zicht.sources.types import ParsedAd
from zicht.store import db
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def _ad(source_id: str = "1", text: str = "Hoi, ik ben Anna", **kw) -> ParsedAd:
    return ParsedAd(
        site=kw.pop("site", "kinky"),
        source_id=source_id,
        url=kw.pop("url", f"http://127.0.0.1/kinky/advertenties/{source_id}-anna"),
        title=kw.pop("title", "Anna in Heerlen"),
        text=text,
        fields=kw.pop("fields", {"location": "Heerlen", "age": "24"}),
        **kw,
    )


def test_schema_created_and_current(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "sites",
        "crawl_runs",
        "crawl_tasks",
        "raw_pages",
        "ads",
        "ad_versions",
        "alembic_version",
    } <= tables
    assert not db.needs_migration(store.engine)


def test_ingest_new_ad_then_same_content_only_moves_last_seen(store: Store) -> None:
    r1 = store.ingest([IngestItem(_ad(), T0, "kinky@1")])
    assert (r1.new_ads, r1.new_versions, r1.unchanged) == (1, 1, 0)
    later = T0 + timedelta(days=7)
    r2 = store.ingest([IngestItem(_ad(), later, "kinky@1")])
    assert (r2.new_ads, r2.new_versions, r2.unchanged) == (0, 0, 1)
    ad = store.find_ad("kinky", "1")
    assert ad is not None
    assert ad.first_seen == T0 and ad.last_seen == later
    assert len(store.versions(ad.id)) == 1


def test_edit_creates_version_and_keeps_old(store: Store) -> None:
    store.ingest([IngestItem(_ad(text="Eerste tekst"), T0, "kinky@1")])
    store.ingest([IngestItem(_ad(text="Nieuwe tekst, nu in Sittard"), T0 + timedelta(days=1), "kinky@1")])
    ad = store.find_ad("kinky", "1")
    versions = store.versions(ad.id)
    assert [v.text for v in versions] == ["Eerste tekst", "Nieuwe tekst, nu in Sittard"]
    assert ad.current_version_id == versions[-1].id
    # the old content coming back is not a new version; it becomes current again
    store.ingest([IngestItem(_ad(text="Eerste tekst"), T0 + timedelta(days=2), "kinky@1")])
    ad = store.find_ad("kinky", "1")
    assert len(store.versions(ad.id)) == 2
    assert ad.current_version_id == versions[0].id


def test_same_source_id_on_other_site_is_another_ad(store: Store) -> None:
    store.ingest(
        [IngestItem(_ad(site="kinky"), T0, "kinky@1"), IngestItem(_ad(site="sexjobs"), T0, "sexjobs@1")]
    )
    assert store.counts()["ads"] == 2


def test_duplicates_in_one_batch_are_one_ad(store: Store) -> None:
    r = store.ingest([IngestItem(_ad(), T0, "x"), IngestItem(_ad(), T0 + timedelta(hours=1), "x")])
    assert (r.new_ads, r.new_versions, r.unchanged) == (1, 1, 1)


def test_one_batch_of_new_ads_and_edits_matches_one_by_one(store: Store) -> None:
    """Ingest inserts a batch's new ads and versions together: the outcome must equal ingesting
    the same items one at a time (ids, versions, first/last seen, the version each ad shows)."""
    t1, t2, t3 = T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0 + timedelta(hours=3)
    items = [
        IngestItem(_ad("1", text="Later tekst"), t2, "x"),  # out of order: seen after the next one
        IngestItem(_ad("1", text="Eerste tekst"), t1, "x"),
        IngestItem(_ad("2", text="Alleen deze"), t1, "x"),
        IngestItem(_ad("3", text="Oud"), t1, "x"),
        IngestItem(_ad("3", text="Nieuw"), t2, "x"),
        IngestItem(_ad("3", text="Oud"), t3, "x"),  # the old content back: current again
    ]
    r = store.ingest(items)
    assert (r.new_ads, r.new_versions, r.unchanged) == (3, 5, 1)
    assert len(set(r.ad_ids)) == 3

    def shown(source_id: str) -> tuple[str, datetime, datetime, list[str]]:
        ad = store.find_ad("kinky", source_id)
        versions = store.versions(ad.id)
        current = next(v for v in versions if v.id == ad.current_version_id)
        return current.text, ad.first_seen, ad.last_seen, [v.text for v in versions]

    assert shown("1") == ("Later tekst", t1, t2, ["Eerste tekst", "Later tekst"])
    assert shown("2") == ("Alleen deze", t1, t1, ["Alleen deze"])
    assert shown("3") == ("Oud", t1, t3, ["Oud", "Nieuw"])


def test_naive_datetime_rejected(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        store.ingest([IngestItem(_ad(), datetime(2026, 1, 1), "x")])
    assert store.counts()["ads"] == 0


def test_removed_and_back(store: Store) -> None:
    site_id = store.ensure_site("kinky")
    seed, other = "http://127.0.0.1/kinky/vrouwen", "http://127.0.0.1/kinky/mannen"
    store.ingest(
        [
            IngestItem(_ad("1"), T0, "x", listed_under=seed),
            IngestItem(_ad("2"), T0, "x", listed_under=seed),
            IngestItem(_ad("3"), T0, "x", listed_under=other),
            IngestItem(_ad("4"), T0, "x"),  # never listed (an import): no crawl infers its removal
        ]
    )
    run_start = T0 + timedelta(days=7)
    store.touch_ads(site_id, [_ad("1").url], run_start + timedelta(minutes=5), listed_under=seed)
    assert store.mark_removed_not_seen(site_id, run_start, run_start + timedelta(hours=1), [seed]) == 1
    assert store.find_ad("kinky", "2").status == "removed"
    assert {store.find_ad("kinky", k).status for k in ("1", "3", "4")} == {"active"}
    store.ingest([IngestItem(_ad("2"), T0 + timedelta(days=14), "x")])
    assert store.find_ad("kinky", "2").status == "active"


def test_raw_page_evidence_round_trip(store: Store) -> None:
    site_id = store.ensure_site("kinky")
    run = store.start_run(site_id, "crawl", purpose="toezicht", legal_basis="APV art. 3:5")
    body = "<html>Prijs €150 — café</html>".encode()
    pid = store.store_page(run, "http://127.0.0.1/a", "ad", 200, [("Content-Type", "text/html")], body, T0)
    page = store.get_raw_page(pid)
    assert store.read_raw_body(page) == body
    assert page.size == len(body) and len(page.sha256) == 64


def test_tampered_evidence_is_detected(store: Store) -> None:
    site_id = store.ensure_site("kinky")
    run = store.start_run(site_id, "crawl", purpose="toezicht", legal_basis="APV")
    pid = store.store_page(run, "http://127.0.0.1/a", "ad", 200, [], b"original", T0)
    page = store.get_raw_page(pid)
    store.warc.append(f"run-{run:06d}", "http://127.0.0.1/b", 200, [], b"other", T0)
    page.sha256 = "0" * 64
    with pytest.raises(db.DatabaseError, match="evidence mismatch"):
        store.read_raw_body(page)


def test_run_requires_purpose_and_legal_basis(store: Store) -> None:
    site_id = store.ensure_site("kinky")
    with pytest.raises(ValueError, match="purpose"):
        store.start_run(site_id, "crawl", purpose=" ", legal_basis="APV")


def test_frontier_is_idempotent_and_resumable(store: Store) -> None:
    site_id = store.ensure_site("kinky")
    run = store.start_run(site_id, "crawl", purpose="p", legal_basis="l")
    assert store.add_tasks(run, [("u1", "listing", None), ("u2", "ad", "u1")]) == 2
    assert store.add_tasks(run, [("u1", "listing", None), ("u3", "ad", "u1")]) == 1
    store.set_task(run, "u1", "done")
    assert [t.url for t in store.pending_tasks(run)] == ["u2", "u3"]
    assert store.task_counts(run) == {"done": 1, "pending": 2}
    assert store.unfinished_run(site_id, "crawl").id == run
    store.finish_run(run, complete=True, stats={"pages": 3})
    assert store.unfinished_run(site_id, "crawl") is None
    assert store.get_run(run).stats == {"pages": 3}


def test_a_sighting_without_its_number_claims_no_version_seen(store: Store) -> None:
    """The ad was seen, but not which number it showed: the version with the number keeps its dates."""
    store.ingest([IngestItem(_ad(phone="+31612345678"), T0, "kinky@1")])
    later = T0 + timedelta(days=7)
    r = store.ingest([IngestItem(_ad(), later, "kinky@1", phone_unknown=True)])
    assert (r.new_versions, r.unchanged) == (0, 1)
    ad = store.find_ad("kinky", "1")
    assert ad is not None and ad.last_seen == later
    (version,) = store.versions(ad.id)
    assert version.phone == "+31612345678" and version.last_seen == T0
    again = T0 + timedelta(days=8)
    store.ingest([IngestItem(_ad(phone="+31612345678"), again, "kinky@1")])  # read this time
    (version,) = store.versions(store.find_ad("kinky", "1").id)
    assert version.last_seen == again
