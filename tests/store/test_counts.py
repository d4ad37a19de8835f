"""Monitoring counts from a real store on SQLite and PostgreSQL, and the ``export counts`` files."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from zicht import reference
from zicht.analysis.counts import UNKNOWN_CODE, local_day, period_key, period_start
from zicht.cli import app
from zicht.exports import COUNT_COLUMNS, export_counts
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store.counts import area_counts, data_range, personas_linked
from zicht.store.models import Ad, Extraction, LinkAd
from zicht.store.store import IngestItem, Store

MONDAY = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)  # ISO week 41 of 2026


@dataclass
class Seen:
    source_id: str
    site: str
    place: str
    phone: str
    days: tuple[int, ...]  # days after MONDAY on which this content was seen


# Lisa is on two sites with one phone; "d1" moves from Heerlen to Sittard in week 42; week 43 is empty.
MARKET = (
    Seen("a1", "kinky", "Heerlen", "0612345678", (0, 2)),
    Seen("b1", "sexjobs", "Maastricht", "0612345678", (1,)),
    Seen("c1", "kinky", "Nergenshuizen", "0687654321", (1,)),
    Seen("d1", "kinky", "Heerlen", "0611111111", (0,)),
    Seen("d1", "kinky", "Sittard", "0611111111", (7, 8)),
    Seen("e1", "kinky", "Heerlen", "0622222222", (22,)),
)


def gm(place: str) -> str | None:
    codes = {"Heerlen": "GM0917", "Maastricht": "GM0935", "Sittard": "GM1883"}
    return codes.get(place)


def seed(store: Store) -> dict[str, int]:
    items = []
    for s in MARKET:
        parsed = ParsedAd(
            site=s.site,
            source_id=s.source_id,
            url=f"https://{s.site}.example/ad/{s.source_id}",
            title=f"Advertentie {s.source_id}",
            text=f"Hoi, nu in {s.place}. Bel {s.phone}.",
            fields={"location": s.place, "category": "Vrouwen"},
            phone=s.phone,
        )
        items += [IngestItem(parsed, MONDAY + timedelta(days=d), f"{s.site}@test") for d in s.days]
    store.ingest(sorted(items, key=lambda i: i.seen_at))
    process(store, photos=False)
    ids = {}
    for s in MARKET:
        found = store.find_ad(s.site, s.source_id)
        assert found is not None
        ids[s.source_id] = found.id
    return ids


def expected_active(place: str, week_start: date) -> int:
    """Ads whose content placed in ``place`` was in force during the week (from the MARKET table)."""
    out = set()
    for s in MARKET:
        later = [
            d for x in MARKET if x.source_id == s.source_id and x is not s for d in x.days if d > max(s.days)
        ]
        first = local_day(MONDAY + timedelta(days=min(s.days)))
        last = local_day(MONDAY + timedelta(days=(min(later) - 1) if later else max(s.days)))
        if s.place == place and first <= week_start + timedelta(days=6) and last >= week_start:
            out.add(s.source_id)
    return len(out)


def test_counts_per_gemeente_and_week(store: Store) -> None:
    seed(store)
    table = area_counts(store, "gemeente", "week")
    first, last = data_range(store) or (None, None)
    assert first == local_day(MONDAY) and last == local_day(MONDAY + timedelta(days=22))
    weeks = [period_key(period_start(first + timedelta(days=7 * i), "week"), "week") for i in range(4)]
    for place in ("Heerlen", "Maastricht", "Sittard"):
        code = gm(place)
        rows = table.for_area(code)
        assert [r.period for r in rows] == weeks, place  # every week, the empty one included
        assert [r.active_ads for r in rows] == [
            expected_active(place, period_start(first, "week") + timedelta(days=7 * i)) for i in range(4)
        ], place
    assert [r.active_ads for r in table.for_area("GM0917")][2] == 0  # the gap week shows as zero
    # The ad without a known place is in an explicit "onbekend" row, last.
    assert table.rows[-1].area_code == UNKNOWN_CODE
    assert sum(r.active_ads for r in table.for_area(UNKNOWN_CODE)) == 1
    # New ads: each ad once, in the week and gemeente where it was first seen.
    assert sum(r.new_ads for r in table.rows) == len({s.source_id for s in MARKET})
    assert sum(r.new_ads for r in table.for_area("GM1883")) == 0
    assert personas_linked(store) is False and all(r.personas is None for r in table.rows)


def test_contact_points_personas_and_levels(store: Store) -> None:
    ids = seed(store)
    week41 = date(2026, 10, 5)
    total = area_counts(store, "all", "week", week41, week41).rows
    assert len(total) == 1
    in_week = [s for s in MARKET if min(s.days) < 7]
    assert total[0].active_ads == len({s.source_id for s in in_week})
    assert total[0].contact_points == len({s.phone for s in in_week})  # Lisa's shared phone once
    sites = {r.area_code: r.active_ads for r in area_counts(store, "site", "week", week41, week41).rows}
    assert sites == {"kinky": 3, "sexjobs": 1}
    unit = reference.gemeente("GM0917").police_unit_code  # type: ignore[union-attr]
    units = {
        r.area_code: r.active_ads for r in area_counts(store, "police_unit", "week", week41, week41).rows
    }
    assert units == {unit: 3, UNKNOWN_CODE: 1}  # a1, b1, d1 in Limburg; c1 unknown
    categories = area_counts(store, "category", "week", week41, week41).rows
    assert [(r.area_code, r.active_ads) for r in categories] == [("vrouwen", 4)]

    # Once linking has run, the same person on two sites is one persona.
    with store.session() as s:
        for source_id, ad_id in ids.items():
            persona = ids["a1"] if source_id in ("a1", "b1") else ad_id
            s.add(LinkAd(ad_id=ad_id, linking_version="test", version_stamp=0, persona_id=persona))
    assert personas_linked(store)
    linked = area_counts(store, "all", "week", week41, week41).rows[0]
    assert (linked.active_ads, linked.personas) == (4, 3)


def test_old_gemeente_spellings_are_mapped_and_unknown_codes_kept_visible(store: Store) -> None:
    ids = seed(store)
    with store.session() as s:
        ad = s.get(Ad, ids["b1"])
        s.execute(
            update(Extraction)
            .where(Extraction.ad_version_id == ad.current_version_id)
            .values(gemeente_code="935")
        )
        ad = s.get(Ad, ids["e1"])
        # A code that is no gemeente on 1 January 2026 (no change table shipped): unknown, not dropped.
        s.execute(
            update(Extraction)
            .where(Extraction.ad_version_id == ad.current_version_id)
            .values(gemeente_code="GM0001")
        )
    table = area_counts(store, "gemeente", "week")
    assert sum(r.active_ads for r in table.for_area("GM0935")) == 1
    assert sum(r.active_ads for r in table.for_area(UNKNOWN_CODE)) == 2


def test_export_files_hold_the_store_numbers(store: Store, tmp_path: Path, db_url: str) -> None:
    seed(store)
    table = area_counts(store, "gemeente", "day", date(2026, 10, 5), date(2026, 10, 14))
    out_csv, out_parquet = tmp_path / "c.csv", tmp_path / "c.parquet"
    n = export_counts(
        store,
        out_csv,
        level="gemeente",
        period="day",
        first_day=date(2026, 10, 5),
        last_day=date(2026, 10, 14),
    )
    assert n == len(table.rows) == len(table.areas()) * 10
    with out_csv.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == COUNT_COLUMNS
    assert [(r["area_code"], r["period"], int(r["active_ads"]), r["personas"]) for r in rows] == [
        (r.area_code, r.period, r.active_ads, "") for r in table.rows
    ]
    export_counts(
        store,
        out_parquet,
        level="gemeente",
        period="day",
        first_day=date(2026, 10, 5),
        last_day=date(2026, 10, 14),
    )
    data = pq.read_table(out_parquet).to_pylist()
    assert [(d["area_code"], d["period_start"], d["new_ads"], d["active_ads_change"]) for d in data] == [
        (r.area_code, r.period_start, r.new_ads, r.active_ads_change) for r in table.rows
    ]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".part") == []
    with pytest.raises(ValueError):
        export_counts(store, tmp_path / "c.xlsx")

    # The CLI writes the same file; wrong options are refused with a message, not a traceback.
    cli_out = tmp_path / "cli.csv"
    args = ["--db", db_url, "export", "counts", "--by", "gemeente", "--period", "day"]
    result = CliRunner().invoke(
        app, [*args, "--from", "2026-10-05", "--to", "2026-10-14", "--output", str(cli_out)]
    )
    assert result.exit_code == 0, result.output
    assert cli_out.read_text(encoding="utf-8") == out_csv.read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, [*args, "--from", "5-10-2026", "--output", str(cli_out)])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output
    bad = CliRunner().invoke(
        app, ["--db", db_url, "export", "counts", "--by", "street", "--output", str(cli_out)]
    )
    assert bad.exit_code == 1 and "--by" in bad.output


def test_regions_count_an_ad_once_per_region(store: Store, tmp_path: Path, db_url: str) -> None:
    """Regions overlap (Heerlen is in both); an ad counts once per region; personas and phones are
    distinct per region; a region without ads still has its rows; stored aggregates agree."""
    from zicht.analysis.counts import region_code
    from zicht.store.aggregates import refresh_aggregates
    from zicht.store.models import Region, RegionGemeente

    ids = seed(store)
    with store.session() as s:
        for source_id, ad_id in ids.items():
            persona = ids["a1"] if source_id in ("a1", "b1") else ad_id
            s.add(LinkAd(ad_id=ad_id, linking_version="test", version_stamp=0, persona_id=persona))
        made = {}
        for name, codes in (
            ("Zuid", ["GM0917", "GM0935"]),
            ("Parkstad-Sittard", ["GM0917", "GM1883"]),
            ("Leeg", []),
        ):
            region = Region(
                name=name, created_by="test", gemeenten=[RegionGemeente(gemeente_code=c) for c in codes]
            )
            s.add(region)
            s.flush()
            made[name] = region_code(region.id)
    week41, week42 = date(2026, 10, 5), date(2026, 10, 12)
    table = area_counts(store, "region", "week", week41, week42)
    got = {
        (r.area_name, r.period): (r.active_ads, r.new_ads, r.contact_points, r.personas) for r in table.rows
    }
    assert got == {
        # a1 and b1 (one persona, one phone) and d1 in Heerlen/Maastricht; c1 has no place.
        ("Zuid", "2026-W41"): (3, 3, 2, 2),
        ("Zuid", "2026-W42"): (0, 0, 0, 0),
        # a1 and d1 in Heerlen; in week 42 d1 has moved to Sittard, still in this region.
        ("Parkstad-Sittard", "2026-W41"): (2, 2, 2, 2),
        ("Parkstad-Sittard", "2026-W42"): (1, 0, 1, 1),
        ("Leeg", "2026-W41"): (0, 0, 0, 0),
        ("Leeg", "2026-W42"): (0, 0, 0, 0),
    }
    assert [a.code for a in table.areas()] == [made["Leeg"], made["Parkstad-Sittard"], made["Zuid"]]
    refresh_aggregates(store)
    assert area_counts(store, "region", "week", week41, week42) == table

    out = tmp_path / "regions.csv"
    args = ["--db", db_url, "export", "counts", "--by", "region", "--period", "week"]
    result = CliRunner().invoke(
        app, [*args, "--from", "2026-10-05", "--to", "2026-10-18", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [
        (r["area_level"], r["area_code"], r["period"], int(r["active_ads"]), r["personas"]) for r in rows
    ] == [("region", r.area_code, r.period, r.active_ads, str(r.personas)) for r in table.rows]
