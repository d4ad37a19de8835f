"""End to end: a demo market stored and processed for real, evaluated through the store and the CLI.

The figures must come from the stored data: perfect facts give exactly 1.0, and damaging the stored
contacts or gemeenten in a copy of the database lowers recall and accuracy by exactly the damage done.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from eval_builders import parsed_ad
from sqlalchemy import delete, select
from typer.testing import CliRunner

from zicht.cli import app
from zicht.demo.market import generate_market
from zicht.demo.model import WHERE_PHOTO
from zicht.demo.truth import write_truth
from zicht.evaluation import load_ground_truth
from zicht.evaluation.report import build_report, missed_targets
from zicht.signals.catalogue import load_catalogue
from zicht.store.evaluation import StoredContact, StoredHit, StoredVersion, stored_versions
from zicht.store.models import AdContact, ContactPoint, Extraction
from zicht.store.store import Store, content_hash

runner = CliRunner()
SECTIONS = ("coverage", "phones", "emails", "ages", "places", "indicators", "targets")


def _codes() -> list[str]:
    return [i.code for i in load_catalogue().indicators]


def _read(db_url: str) -> list[StoredVersion]:
    with Store.open(db_url) as store:
        return stored_versions(store)


def _zicht(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db_url, *args], env={"ZICHT_DATA_DIR": ""}, catch_exceptions=False)


def _copy(demo_store, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    target = tmp_path / "copy.db"
    with sqlite3.connect(demo_store.db_path) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def test_every_stored_version_is_joined_to_the_version_it_was_made_from(demo_store) -> None:  # type: ignore[no-untyped-def]
    market = demo_store.market
    report = build_report(load_ground_truth(demo_store.truth_path), _read(demo_store.db_url), _codes())
    mt = report.matching
    # An edit that changes nothing a reader sees is no new version: one stored row per distinct content,
    # first seen on the first day it was online.
    versions = []
    for ad in market.ads:
        firsts = {}
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            firsts.setdefault(content_hash(parsed_ad(ad, v)), t)
        versions.extend(firsts.values())
    assert len(mt.versions) == demo_store.versions == len(versions)
    assert (mt.not_collected, mt.unmatched_ads, mt.outside_lifetime, mt.consistency) == (0, [], 0, 1.0)
    for m in mt.versions:
        ad = market.ad(*m.record.key)
        assert m.day == ad.version_on(m.day).from_day
        assert m.stored.title == ad.version_on(m.day).title
        assert m.truth.gemeente_code == ad.truth_on(m.day).gemeente_code

    # Every figure's support is what the market holds, counted here independently.
    assert report.phones.overall.support == sum(
        len({p.e164 for p in v.phones if p.where != WHERE_PHOTO}) for v in versions
    )
    assert report.phones.photo_not_read == sum(
        1 for v in versions for p in v.phones if p.where == WHERE_PHOTO
    )
    assert report.phones.overall_lost == 0 and report.places.lost == 0 and report.ages.text.lost == 0
    assert report.places.n == len(versions)
    assert report.ages.text.n == sum(1 for v in versions if v.text_age is not None)
    assert report.ages.conflict.support == sum(1 for v in versions if v.age_conflict)
    emails = {(ad.key, v.from_day): len(ad.truth.emails) for ad in market.ads for v in ad.truth.versions}
    assert report.emails.counts.support == sum(emails[(m.record.key, m.truth.from_day)] for m in mt.versions)
    low = _low_price_keys(mt.versions)
    for code, row in report.indicators.rows.items():
        if code == "YOUNG_STATED_AGE":
            assert row.counts.support == sum(1 for m in mt.versions if m.record.truth.declared_age < 23)
            continue
        if code == "LOW_PRICE":
            assert row.counts.support == len(low) > 0
            continue
        with_cue = sum(1 for v in versions if any(c.code == code and not c.negated for c in v.cues))
        photo_only = sum(
            1
            for v in versions
            if any(c.code == code and not c.negated for c in v.cues)
            and all(c.where == WHERE_PHOTO for c in v.cues if c.code == code and not c.negated)
        )
        assert row.counts.support == with_cue - photo_only, code
        assert row.photo_only_skipped == photo_only and row.lost == 0, code
    assert report.indicators.versions == len(versions)
    assert set(report.indicators.derived) == {"YOUNG_STATED_AGE", "LOW_PRICE"}
    # MINOR_STATED_AGE: the demo market states no age under 18 (it is tested on hand-written cases)
    assert set(report.indicators.not_in_ground_truth) == {
        "SHARED_CONTACT",
        "FREQUENT_MOVES",
        "COPIED_TEXT",
        "MINOR_STATED_AGE",
    }


def _low_price_keys(versions) -> set[tuple[tuple[str, str], int]]:  # type: ignore[no-untyped-def]
    """Versions whose hourly price (the engine's own reading of the truth's rates) is under 0.6 of the
    median of the ads' latest joined versions in their police unit (national under 20 prices)."""
    from statistics import median

    from zicht.reference import gemeente
    from zicht.signals.engine import hourly_price

    def hourly(m) -> float | None:  # type: ignore[no-untyped-def]
        found = hourly_price([{"minutes": mi, "price_eur": p} for mi, p in m.truth.rates])
        return found[0] if found else None

    latest = {}
    for m in sorted(versions, key=lambda m: m.day):
        latest[m.record.key] = m
    units: dict[str, list[float]] = {}
    for m in latest.values():
        if (h := hourly(m)) is not None:
            units.setdefault(gemeente(m.truth.gemeente_code).police_unit_code, []).append(h)
    national = median([h for hs in units.values() for h in hs])
    out = set()
    for m in versions:
        values = units.get(gemeente(m.truth.gemeente_code).police_unit_code, [])
        mid = median(values) if len(values) >= 20 else national
        if (h := hourly(m)) is not None and h < 0.6 * mid:
            out.add((m.record.key, m.day))
    return out


def _perfect(m, low: set) -> StoredVersion:  # type: ignore[no-untyped-def]
    """What flawless extraction and scoring would have stored for this version."""
    truth, ad_truth = m.truth, m.record.truth
    contacts = [StoredContact("phone", p.e164, p.where) for p in truth.phones if p.where != WHERE_PHOTO]
    contacts += [StoredContact("email", e, "field") for e in ad_truth.emails]
    facts = {
        "age_declared": ad_truth.declared_age,
        "age_text": truth.text_age,
        "age_conflict": truth.age_conflict,
        "gemeente_code": truth.gemeente_code,
        "errors": [],
    }
    facts |= {
        "services": list(truth.services),
        "rates": [{"minutes": mi, "price_eur": p} for mi, p in truth.rates],
        "reception": truth.reception,
        "origin": truth.origin,
        "languages": list(truth.languages),
        "hours": truth.hours,
        "available_247": "AVAILABLE_247" in truth.indicators,
    }
    contacts += [StoredContact(*h.split(":", 1), "text") for h in truth.handles]
    hits = [StoredHit(code, False) for code in truth.indicators]
    hits += [StoredHit(code, True) for code in truth.negated_decoys]
    if ad_truth.declared_age < 23:
        hits.append(StoredHit("YOUNG_STATED_AGE", False))
    if (m.record.key, m.day) in low:
        hits.append(StoredHit("LOW_PRICE", False))
    sv = m.stored
    return StoredVersion(
        sv.version_id, sv.site, sv.source_id, sv.first_seen, sv.fields, facts, True,
        sv.title, sv.text, sv.services, sv.phone, sv.email, tuple(contacts), tuple(hits),
    )  # fmt: skip


def test_perfect_stored_facts_score_exactly_one(demo_store) -> None:  # type: ignore[no-untyped-def]
    truth = load_ground_truth(demo_store.truth_path)
    real = build_report(truth, _read(demo_store.db_url), _codes())
    low = _low_price_keys(real.matching.versions)
    report = build_report(truth, [_perfect(m, low) for m in real.matching.versions], _codes())
    ph = report.phones
    assert ph.overall.precision == 1.0 and ph.overall.recall == 1.0 and ph.overall.support > 100
    assert all(c.precision == 1.0 and c.recall == 1.0 for c in ph.by_class.values())
    assert len(ph.by_class) >= 10
    assert report.emails.counts.precision == 1.0 and report.emails.counts.recall == 1.0
    assert report.ages.declared.accuracy == 1.0 and report.ages.text.accuracy == 1.0
    assert report.ages.text_spurious == 0
    assert report.places.accuracy == 1.0 and report.places.coverage == 1.0
    for code, row in report.indicators.rows.items():
        assert row.counts.fp == row.counts.fn == 0, code
    assert sum(r.counts.tp for r in report.indicators.rows.values()) > 100
    assert report.indicators.rows["LOW_PRICE"].counts.tp > 0
    assert report.indicators.rows["YOUNG_STATED_AGE"].counts.tp > 0
    fm = report.fields
    assert fm.measured
    for name, c in fm.sets().items():
        assert c.fp == c.fn == 0, name
    assert all(c.support > 0 for c in fm.sets().values() if c is not fm.available_247 or c.support)
    assert fm.reception.accuracy == 1.0 and fm.origin.correct == fm.origin.n and fm.hours_read.accuracy == 1.0
    assert missed_targets(report) == []


def test_damaging_the_stored_data_lowers_the_figures_by_exactly_the_damage(demo_store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    truth = load_ground_truth(demo_store.truth_path)
    before = build_report(truth, _read(demo_store.db_url), _codes())
    url = _copy(demo_store, tmp_path)

    # Remove every phone contact of ten versions whose numbers were all found, and break the gemeente of
    # seven versions that had the right one.
    found = [
        m for m in before.matching.versions
        if m.truth.phones and {p.e164 for p in m.truth.phones if p.where != WHERE_PHOTO}
        <= {c.value for c in m.stored.contacts if c.kind == "phone"}
    ][:10]  # fmt: skip
    lost_numbers = sum(len({p.e164 for p in m.truth.phones if p.where != WHERE_PHOTO}) for m in found)
    right_place = [
        m
        for m in before.matching.versions
        if (m.stored.facts or {}).get("gemeente_code") == m.truth.gemeente_code
    ][:7]
    with Store.open(url) as store, store.session() as s:
        phone_ids = select(ContactPoint.id).where(ContactPoint.kind == "phone")
        s.execute(
            delete(AdContact).where(
                AdContact.ad_version_id.in_([m.stored.version_id for m in found]),
                AdContact.contact_point_id.in_(phone_ids),
            )
        )
        for m in right_place:
            row = s.get(Extraction, m.stored.version_id)
            row.facts = {**row.facts, "gemeente_code": "GM9999"}

    after = build_report(truth, _read(url), _codes())
    b, a = before.phones.overall, after.phones.overall
    assert (a.tp, a.fn, a.fp) == (b.tp - lost_numbers, b.fn + lost_numbers, b.fp)
    assert a.recall == (b.tp - lost_numbers) / b.support < b.recall
    assert after.places.correct == before.places.correct - 7
    assert after.places.accuracy == (before.places.correct - 7) / before.places.n
    assert after.places.wrong == before.places.wrong + 7

    # The CLI reads the same damaged database: --strict fails on the missed targets, JSON holds the figures.
    out = tmp_path / "report.json"
    r = _zicht(url, "evaluate", "--truth", str(demo_store.truth_path), "--output", str(out), "--strict")
    assert r.exit_code == 3, r.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["phones"]["overall"]["tp"] == a.tp
    assert written["places"]["correct"] == after.places.correct
    assert any(t["name"] == "phones overall: recall" and t["met"] is False for t in written["targets"])


def test_cli_reads_the_demo_truth_beside_the_database_and_writes_the_report(demo_store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.json"
    r = _zicht(demo_store.db_url, "evaluate", "--output", str(out))
    assert r.exit_code == 0, r.output
    for heading in ("Phones", "Ages", "Place → gemeente", "Indicators", "Targets:", "Not in ground truth"):
        assert heading in r.output
    written = json.loads(out.read_text(encoding="utf-8"))
    expected = build_report(
        load_ground_truth(demo_store.truth_path), _read(demo_store.db_url), _codes()
    ).as_json()
    for section in SECTIONS:
        assert written[section] == expected[section], section
    assert written["truth"] == str(demo_store.truth_path)
    assert written["catalogue_version"] == load_catalogue().version


def test_cli_explains_a_missing_or_foreign_truth(demo_store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    r = _zicht(empty, "evaluate")
    assert r.exit_code == 1
    assert "no ground truth found at" in r.output and "run `zicht demo` first or pass --truth" in r.output
    assert str(tmp_path / "empty-data" / "demo-truth.jsonl") in r.output.replace("\n", "")

    r = _zicht(empty, "evaluate", "--truth", str(demo_store.truth_path))
    assert r.exit_code == 1 and "holds no ads" in r.output

    # The demo numbers ads the same way in every market: another market's truth joins, but does not fit.
    foreign = tmp_path / "other-truth.jsonl"
    write_truth(generate_market(seed=99, n_ads=150, weeks=2), foreign)
    r = _zicht(demo_store.db_url, "evaluate", "--truth", str(foreign))
    assert r.exit_code == 1 and "does not describe this database" in r.output

    renamed = tmp_path / "renamed-truth.jsonl"
    lines = [json.loads(line) for line in demo_store.truth_path.read_text(encoding="utf-8").splitlines()]
    renamed.write_text("".join(json.dumps({**o, "source_id": "x" + o["source_id"]}) + "\n" for o in lines))
    r = _zicht(demo_store.db_url, "evaluate", "--truth", str(renamed))
    assert r.exit_code == 1 and "none of the 150 stored ads is in the ground truth" in r.output


@pytest.mark.parametrize("examples", [0, 2])
def test_cli_prints_failing_examples_per_missed_target(demo_store, tmp_path, examples: int) -> None:  # type: ignore[no-untyped-def]
    url = _copy(demo_store, tmp_path)
    with Store.open(url) as store, store.session() as s:
        s.execute(delete(AdContact))  # no contact point read at all: every phone target is missed
    r = _zicht(url, "evaluate", "--truth", str(demo_store.truth_path), "--examples", str(examples))
    assert r.exit_code == 0, r.output
    assert "✗ phones overall: recall: 0.000 < 0.99" in r.output
    missed_lines = [line for line in r.output.splitlines() if "should give" in line]
    missed_targets_shown = r.output.count("✗ phones ")
    assert len(missed_lines) <= examples * missed_targets_shown
    assert (len(missed_lines) > 0) == (examples > 0)


def test_cli_output_piped_keeps_every_code_and_figure_whole(demo_store) -> None:  # type: ignore[no-untyped-def]
    """CliRunner is not a terminal: rich used to cut tables to 80 columns ("AVAILA…", "2…")."""
    r = _zicht(demo_store.db_url, "evaluate")
    assert r.exit_code == 0, r.output
    assert "…" not in r.output
    report = build_report(load_ground_truth(demo_store.truth_path), _read(demo_store.db_url), _codes())
    for code, row in report.indicators.rows.items():
        line = next(line for line in r.output.splitlines() if line.strip(" │┃").startswith(code))
        assert f" {row.counts.support} " in f" {line} ", line  # the code and its support on one line
    for (_where, cls), c in report.phones.by_class.items():
        assert any(cls in line and str(c.support) in line for line in r.output.splitlines()), cls
    assert "too few to judge" in r.output  # a 150-ad market has classes with fewer than 30 numbers
