"""Photos named in an imported table (file paths and URLs) are kept as evidence, hashed and read."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from photo_cards import card_jpeg
from sqlalchemy import select

from zicht import pipeline
from zicht.sources.http import HttpPolicy
from zicht.sources.table_import import import_table
from zicht.store.models import AdContact, ContactPoint, Photo, RawPage
from zicht.store.store import Store

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
POLICY = HttpPolicy(user_agent="Zicht/test (+contact: test@example.test)", rate=50, max_attempts=1)
KW = {"purpose": "test", "legal_basis": "test", "now": lambda: NOW, "http_policy": POLICY}


CARD = card_jpeg("Bel 06-12345678")
PLAIN = card_jpeg("", "lightblue")
REMOTE = card_jpeg("06 41921634", "lightyellow")


class _Photos(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        type(self).requests.append((self.path, self.headers.get("User-Agent", "")))
        if self.path == "/img/remote.jpg":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(REMOTE)))
            self.end_headers()
            self.wfile.write(REMOTE)
        else:  # robots.txt and every other path: not here
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def photo_server() -> Iterator[str]:
    _Photos.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Photos)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _contacts(store: Store, site: str, source_id: str) -> set[tuple[str, str, str]]:
    ad = store.find_ad(site, source_id)
    assert ad is not None
    with store.session() as s:
        rows = s.execute(
            select(ContactPoint.kind, ContactPoint.value, AdContact.source)
            .join(AdContact, AdContact.contact_point_id == ContactPoint.id)
            .where(AdContact.ad_version_id == ad.current_version_id)
        )
        return {tuple(r) for r in rows}


def test_files_and_urls_are_kept_hashed_and_read(store: Store, tmp_path: Path, photo_server: str) -> None:
    (tmp_path / "fotos").mkdir()
    (tmp_path / "fotos" / "card.jpg").write_bytes(CARD)
    elsewhere = tmp_path / "elders" / "plain.jpg"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(PLAIN)
    table = tmp_path / "lijst" / "ads.csv"
    table.parent.mkdir()
    table.write_text(
        "id,title,text,images\n"
        f"1,Anna,Hoi,../fotos/card.jpg;{elsewhere}\n"
        f"2,Bea,Hallo,{photo_server}/img/remote.jpg\n"
        f"3,Cor,Hey,../fotos/missing.jpg;{photo_server}/img/gone.jpg\n",
        encoding="utf-8",
    )
    report = import_table(store, table, fmt="csv", site="partner", **KW)
    assert (report.imported, report.skipped) == (3, [])
    assert report.images.stored == 3
    missing_uri = (tmp_path / "fotos" / "missing.jpg").as_uri()
    assert [(w.line, w.image) for w in report.images.warnings] == [
        (4, missing_uri),
        (4, f"{photo_server}/img/gone.jpg"),
    ]
    assert (
        "cannot read" in report.images.warnings[0].reason and report.images.warnings[1].reason == "HTTP 404"
    )
    # fetched politely, saying who asks
    assert ("/robots.txt", POLICY.user_agent) in _Photos.requests
    assert ("/img/remote.jpg", POLICY.user_agent) in _Photos.requests

    # kept as evidence at the string the ad version holds, with the sha256 of the bytes
    anna = store.versions(store.find_ad("partner", "1").id)[0]
    assert anna.images == [(tmp_path / "fotos" / "card.jpg").as_uri(), elsewhere.as_uri()]
    with store.session() as s:
        kept = {p.url: p for p in s.scalars(select(RawPage).where(RawPage.kind == "image"))}
    assert set(kept) == {*anna.images, f"{photo_server}/img/remote.jpg"}
    for url, data in zip(anna.images, (CARD, PLAIN), strict=True):
        assert kept[url].sha256 == hashlib.sha256(data).hexdigest()
        assert store.read_raw_body(kept[url]) == data

    result = pipeline.process(store)
    assert (result.photos_hashed, result.photos_missing) == (3, 2)
    with store.session() as s:
        ocr = {p.sha256: p.ocr_text for p in s.scalars(select(Photo))}
    assert "06-12345678" in ocr[hashlib.sha256(CARD).hexdigest()]
    assert ("phone", "+31612345678", "photo") in _contacts(store, "partner", "1")
    assert ("phone", "+31641921634", "photo") in _contacts(store, "partner", "2")


def test_reimport_with_other_options_does_not_fetch_again(
    store: Store, tmp_path: Path, photo_server: str
) -> None:
    (tmp_path / "a.jpg").write_bytes(PLAIN)
    table = tmp_path / "t.csv"
    table.write_text(f"id,tekst,images\n1,Hoi,a.jpg;{photo_server}/img/remote.jpg\n", encoding="utf-8")
    first = import_table(store, table, fmt="csv", site="p", mapping={"text": "tekst"}, **KW)
    assert first.images.stored == 2
    fetched = len(_Photos.requests)
    again = import_table(store, table, fmt="csv", site="p", mapping={"text": "TEKST"}, **KW)
    assert not again.already_imported
    assert (again.images.stored, again.images.known) == (0, 2)
    assert len(_Photos.requests) == fetched  # the kept URL is not fetched again
    assert again.result.unchanged == 1 and again.result.new_versions == 0


def test_a_bad_reference_or_a_file_that_is_no_image_warns_and_the_row_is_kept(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "key").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    (tmp_path / "a.jpg").write_bytes(PLAIN)
    table = tmp_path / "t.csv"
    table.write_text(
        "id,title,text,images\n"
        f"1,Anna,Hoi,{tmp_path / 'key'};a.jpg\n"
        "2,Bea,Hallo,~nobody-zicht-test/1.jpg\n"
        "3,Cor,Hey,http://[x/1.jpg\n",
        encoding="utf-8",
    )
    report = import_table(store, table, fmt="csv", site="partner", **KW)
    assert (report.imported, report.skipped) == (3, [])
    assert report.images.stored == 1  # only the real photo
    reasons = {w.line: w.reason for w in report.images.warnings}
    assert set(reasons) == {2, 3, 4} and reasons[2].startswith("not an image")
    with store.session() as s:
        kept = list(s.scalars(select(RawPage.url).where(RawPage.kind == "image")))
    assert kept == [(tmp_path / "a.jpg").as_uri()]
