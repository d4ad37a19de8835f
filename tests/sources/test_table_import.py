from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from zicht.sources.table_import import ImportError_, import_table, parse_mapping, parse_posted_at
from zicht.store.store import Store

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
KW = {"purpose": "test", "legal_basis": "test", "now": lambda: NOW}


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return p


CSV = (
    "id,url,posted_at,title,text,location,age,phone,email,images\n"
    "a1,https://example.test/a1,2026-10-05,Anna,Hoi ik ben Anna,Heerlen,24,0612345678,,img/1.jpg;img/2.jpg\n"
    'a2,https://example.test/a2,05-10-2026,Bea,"Tekst met, komma",Den Bosch,,,bea@example.test,\n'
)


def test_csv_import_stores_rows_and_evidence(store: Store, tmp_path: Path) -> None:
    report = import_table(store, _write(tmp_path, "ads.csv", CSV), fmt="csv", site="partner", **KW)
    assert (report.rows, report.imported, report.skipped) == (2, 2, [])
    ad = store.find_ad("partner", "a1")
    (v,) = store.versions(ad.id)
    assert v.fields == {"location": "Heerlen", "age": "24"}
    # photo paths are kept as absolute file URIs (relative ones against the table's folder)
    assert v.images == [(tmp_path / "img" / n).as_uri() for n in ("1.jpg", "2.jpg")]
    assert v.phone == "0612345678"
    assert [(w.line, w.image) for w in report.images.warnings] == [(2, v.images[0]), (2, v.images[1])]
    assert v.posted_at == datetime(2026, 10, 4, 22, 0, tzinfo=UTC)  # midnight in Amsterdam (CEST)
    page = store.get_raw_page(v.raw_page_id)
    assert store.read_raw_body(page) == CSV.encode()
    b = store.versions(store.find_ad("partner", "a2").id)[0]
    assert b.text == "Tekst met, komma" and b.email == "bea@example.test"


def test_reimport_same_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "ads.csv", CSV)
    import_table(store, path, fmt="csv", site="partner", **KW)
    before = store.counts()
    again = import_table(store, path, fmt="csv", site="partner", **KW)
    assert again.already_imported and again.imported == 0
    assert store.counts() == before


def test_bad_rows_reported_with_line_and_good_rows_kept(store: Store, tmp_path: Path) -> None:
    content = (
        "id;title;text;posted_at\n"
        "1;Goed;tekst;2026-10-01\n"
        ";Zonder id;tekst;\n"
        "3;;;\n"
        "4;Datum fout;tekst;gisteren\n"
        "1;Dubbel;andere tekst;\n"
        "6;Te veel;x;2026-10-01;extra\n"
        "7;Ook goed;tekst;\n"
    )
    report = import_table(store, _write(tmp_path, "t.csv", content), fmt="csv", site="s", **KW)
    reasons = {e.line: e.reason for e in report.skipped}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "missing id" in reasons[3]
    assert "both empty" in reasons[4]
    assert "gisteren" in reasons[5]
    assert "duplicate id '1' (first on line 2)" in reasons[6]
    assert "more value" in reasons[7]
    assert report.imported == 2
    assert store.find_ad("s", "1") is not None and store.find_ad("s", "7") is not None
    assert store.find_ad("s", "1").url == "import:s/1"


def test_missing_columns_named_and_nothing_stored(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", "nummer,omschrijving\n1,tekst\n")
    with pytest.raises(ImportError_, match=r"t\.csv: missing column\(s\): id \(column 'id'\), title or text"):
        import_table(store, path, fmt="csv", site="s", **KW)
    assert store.counts()["ads"] == 0
    report = import_table(
        store, path, fmt="csv", site="s", mapping=parse_mapping(["id=nummer", "text=omschrijving"]), **KW
    )
    assert report.imported == 1 and store.versions(store.find_ad("s", "1").id)[0].text == "tekst"


def test_map_to_absent_column_is_an_error(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", "id,text\n1,x\n")
    with pytest.raises(ImportError_, match="no column 'plaats'"):
        import_table(store, path, fmt="csv", site="s", mapping={"location": "plaats"}, **KW)


def test_jsonl_with_lists_and_bad_lines(store: Store, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 10, "text": "Hallo", "images": ["a.jpg", "b.jpg"], "location": "Venlo"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": 11, "title": "Alleen titel", "images": 5}),
        "",
        json.dumps({"id": 12, "title": "ok"}),
    ]
    report = import_table(store, _write(tmp_path, "t.jsonl", "\n".join(lines)), fmt="jsonl", site="s", **KW)
    reasons = {e.line: e.reason for e in report.skipped}
    assert set(reasons) == {2, 3, 4}
    assert "not valid JSON" in reasons[2] and "JSON object" in reasons[3] and "images" in reasons[4]
    assert store.versions(store.find_ad("s", "10").id)[0].images == [
        (tmp_path / "a.jpg").as_uri(),
        (tmp_path / "b.jpg").as_uri(),
    ]
    assert report.imported == 2


def test_cp1252_file_is_read(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", "id,text\n1,Prijs €150 café\n".encode("cp1252"))
    report = import_table(store, path, fmt="csv", site="s", **KW)
    assert report.encoding == "cp1252" and "line 2" in (report.encoding_note or "")
    assert store.versions(store.find_ad("s", "1").id)[0].text == "Prijs €150 café"


def test_file_level_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ImportError_, match="cannot read"):
        import_table(store, tmp_path / "missing.csv", fmt="csv", site="s", **KW)
    with pytest.raises(ImportError_, match="empty or has no header"):
        import_table(store, _write(tmp_path, "e.csv", ""), fmt="csv", site="s", **KW)
    with pytest.raises(ImportError_, match="two-letter"):
        import_table(
            store, _write(tmp_path, "x.csv", "id,text\n1,a\n"), fmt="csv", site="s", region="NLD", **KW
        )
    with pytest.raises(ImportError_, match="unknown field"):
        parse_mapping(["leeftijd=age"])


def test_region_becomes_site_default(store: Store, tmp_path: Path) -> None:
    import_table(store, _write(tmp_path, "t.csv", "id,text\n1,a\n"), fmt="csv", site="be", region="be", **KW)
    assert {s.name: s.default_region for s in store.sites()}["be"] == "BE"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-29T02:30:00Z", datetime(2026, 3, 29, 2, 30, tzinfo=UTC)),
        ("2026-07-01 12:00", datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
        ("01-12-2026", datetime(2026, 11, 30, 23, 0, tzinfo=UTC)),
    ],
)
def test_posted_at_formats(value: str, expected: datetime) -> None:
    assert parse_posted_at(value) == expected


def test_reimport_with_corrected_format_imports(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "id,title,text,kleur\n1,A,a,rood\n2,B,b,blauw\n")
    wrong = import_table(store, path, fmt="jsonl", site="p", **KW)
    assert wrong.imported == 0 and len(wrong.skipped) == 3 and wrong.run_id is None
    right = import_table(store, path, fmt="csv", site="p", **KW)
    assert not right.already_imported and right.imported == 2 and right.result.new_ads == 2
    assert right.ignored_columns == ["kleur"]
    mapped = import_table(store, path, fmt="csv", site="p", mapping={"location": "kleur"}, **KW)
    assert not mapped.already_imported and mapped.result.new_versions == 2  # location now kept
    again = import_table(store, path, fmt="csv", site="p", mapping={"location": "kleur"}, **KW)
    assert again.already_imported and again.run_id == mapped.run_id


def test_header_names_are_trimmed_and_case_insensitive(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "h.csv", "ID, Title, TEXT , Leeftijd\n1, Anna , hoi,24\n")
    report = import_table(store, path, fmt="csv", site="s", mapping={"age": "leeftijd"}, **KW)
    assert (report.imported, report.skipped, report.ignored_columns) == (1, [], [])
    v = store.versions(store.find_ad("s", "1").id)[0]
    assert (v.title, v.text, v.fields) == ("Anna", "hoi", {"age": "24"})


def test_jsonl_ignored_keys_are_listed(store: Store, tmp_path: Path) -> None:
    lines = [json.dumps({"id": 1, "text": "a", "extra": 1}), json.dumps({"id": 2, "Text": "b", "ook": 2})]
    report = import_table(store, _write(tmp_path, "t.jsonl", "\n".join(lines)), fmt="jsonl", site="s", **KW)
    assert report.imported == 2 and report.ignored_columns == ["extra", "ook"]


def test_nothing_to_import_stores_nothing(store: Store, tmp_path: Path) -> None:
    for name, content, fmt in (
        ("h.csv", "id,text\n", "csv"),
        ("e.jsonl", "\n\n", "jsonl"),
        ("s.csv", "id,text\n,a\n2,\n", "csv"),
    ):
        report = import_table(store, _write(tmp_path, name, content), fmt=fmt, site="s", **KW)
        assert report.imported == 0 and report.run_id is None
    assert store.counts()["ads"] == 0 and store.runs() == []


def test_too_few_values_is_a_row_error(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "f.csv", "id,title,text\n1,A,a\n2,B\n3,C,c\n")
    report = import_table(store, path, fmt="csv", site="s", **KW)
    assert [(e.line, e.reason) for e in report.skipped] == [(3, "fewer values than header columns")]
    assert report.imported == 2


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8-sig"])
def test_byte_order_marks(store: Store, tmp_path: Path, encoding: str) -> None:
    text = "id\ttitle\ttext\r\n1\tCafé\tPrijs €150\r\n"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-8-sig": b""}[encoding]
    report = import_table(
        store, _write(tmp_path, "u.txt", bom + text.encode(encoding)), fmt="csv", site="s", **KW
    )
    assert (report.encoding, report.encoding_note, report.imported) == (encoding, None, 1)
    v = store.versions(store.find_ad("s", "1").id)[0]
    assert (v.title, v.text) == ("Café", "Prijs €150")


def test_one_windows_1252_line_in_a_utf8_file(store: Store, tmp_path: Path) -> None:
    data = "id,text\n1,Café goed\n".encode() + "2,Café fout\n".encode("cp1252") + "3,Ça va\n".encode()
    report = import_table(store, _write(tmp_path, "m.csv", data), fmt="csv", site="s", **KW)
    assert report.encoding == "utf-8+cp1252"
    assert report.encoding_note is not None and report.encoding_note.startswith("line 3 is not UTF-8")
    texts = [store.versions(store.find_ad("s", i).id)[0].text for i in ("1", "2", "3")]
    assert texts == ["Café goed", "Café fout", "Ça va"]


def test_utf16_without_bom_is_refused_clearly(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "n.csv", "id,text\n1,Café\n".encode("utf-16-le"))
    with pytest.raises(ImportError_, match="UTF-16 without a byte-order mark"):
        import_table(store, path, fmt="csv", site="s", **KW)
