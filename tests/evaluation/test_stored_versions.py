"""The evaluation's read query (zicht.store.evaluation) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store import stages
from zicht.store.evaluation import iter_stored_versions, stored_versions
from zicht.store.models import AdContact, IndicatorHit
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)


def _ad(source_id: str, text: str, images: list[str], **kw) -> ParsedAd:  # type: ignore[no-untyped-def]
    return ParsedAd(
        site="kinky",
        source_id=source_id,
        url=f"http://127.0.0.1/kinky/advertenties/{source_id}-anna",
        title="Anna in Heerlen",
        text=text,
        fields={"location": "Heerlen", "age": "24"},
        services=["massage", "zonder condoom"],
        images=images,
        **kw,
    )


def _photo(store: Store, sha: str, ocr_text: str | None, error: str | None) -> int:
    return stages.save_photo(
        store, {"sha256": sha, "ocr_text": ocr_text, "error": error, "photos_version": "test-1"}
    )


def test_versions_come_with_facts_contacts_hits_and_photo_state(store: Store) -> None:
    store.ingest(
        [
            IngestItem(
                _ad("1", "Bel 06-12345678, altijd beschikbaar 24/7", ["a.jpg"], phone="0687654321"), T0, "t@1"
            ),
            IngestItem(_ad("2", "Nieuw in Heerlen! x@example.test", ["b.jpg", "c.jpg"]), T0, "t@1"),
            IngestItem(_ad("3", "Alleen WhatsApp", ["d.jpg"], email="y@example.test"), T0, "t@1"),
            IngestItem(_ad("4", "Geen foto's", []), T0, "t@1"),
        ]
    )
    process(store, photos=False)
    rows = {v.source_id: v for v in stored_versions(store)}
    assert sorted(rows) == ["1", "2", "3", "4"]
    one = rows["1"]
    assert one.site == "kinky" and one.phone == "0687654321" and one.scored
    assert one.first_seen == T0
    assert one.fields == {"location": "Heerlen", "age": "24"}
    assert one.services == ("massage", "zonder condoom")
    assert one.facts is not None and one.facts["gemeente_code"] == "GM0917"
    assert {(c.kind, c.value, c.source) for c in one.contacts} >= {
        ("phone", "+31687654321", "field"),
        ("phone", "+31612345678", "text"),
    }
    assert ("email", "y@example.test") in {(c.kind, c.value) for c in rows["3"].contacts}
    assert {h.code for h in one.hits if not h.negated} >= {"AVAILABLE_247", "UNPROTECTED_SERVICES"}
    with store.session() as s:
        assert sum(len(v.contacts) for v in rows.values()) == s.scalar(
            select(func.count()).select_from(AdContact)
        )
        assert sum(len(v.hits) for v in rows.values()) == s.scalar(
            select(func.count()).select_from(IndicatorHit)
        )
    assert not any(v.photos_read for v in rows.values())  # photos=False: nothing linked, nothing read

    # Photos: read when every photo of the version went through OCR (text or an error stored).
    read = _photo(store, "a" * 64, "", None)
    failed = _photo(store, "b" * 64, None, "OCR: timeout")
    hashed_only = _photo(store, "c" * 64, None, None)
    ids = {v.source_id: v.version_id for v in rows.values()}
    stages.link_photos(
        store,
        [
            (ids["1"], 0, "a.jpg", read),
            (ids["2"], 0, "b.jpg", failed),
            (ids["2"], 1, "c.jpg", read),
            (ids["3"], 0, "d.jpg", hashed_only),
        ],
    )
    again = {v.source_id: v for v in stored_versions(store)}
    assert {k: (v.photos, v.photos_read) for k, v in again.items()} == {
        "1": (1, True),
        "2": (2, True),
        "3": (1, False),
        "4": (0, False),
    }
    assert [len(batch) for batch in iter_stored_versions(store, batch=3)] == [3, 1]


def test_unprocessed_versions_have_no_facts(store: Store) -> None:
    store.ingest([IngestItem(_ad("9", "Hoi", []), T0, "t@1")])
    (row,) = stored_versions(store)
    assert row.facts is None and not row.scored and row.contacts == () and row.hits == ()
