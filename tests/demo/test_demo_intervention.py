"""The demo market's simulated control action: its effect on the ads, its truth, and the displacement
report over an offline demo store compared with that truth (both backends)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

import pytest
from typer.testing import CliRunner

from zicht.analysis.displacement import neighbours
from zicht.cli import app
from zicht.demo.intervention import DEMO_USER, demo_intervention_in_store, displacement_check
from zicht.demo.market import generate_market, plan_intervention
from zicht.demo.model import (
    REACTION_MOVED,
    REACTION_PAUSED,
    REACTION_STAYED,
    REACTION_STOPPED,
    ROLE_SCAM,
    DemoAd,
    Market,
)
from zicht.demo.truth import TruthRecord, intervention_path, read_intervention, read_truth, write_truth
from zicht.store.interventions import displacement_report, list_interventions
from zicht.store.store import Store

ROTTERDAM = "GM0599"
# A small market with many ads around Rotterdam, so the control action has a few dozen personas to move.
SMALL = {"seed": 7, "n_ads": 400, "weeks": 5, "region_weights": {"RE07": 20}}


def _key(ad: DemoAd) -> tuple:
    return (
        ad.site, ad.source_id, ad.slug, ad.first_day, ad.last_day, ad.posted_at, ad.phone_display, ad.email,
        [(v.from_day, v.title, v.text, v.fields, v.services, v.rates, v.photos) for v in ad.versions], ad.truth,
    )  # fmt: skip


@pytest.fixture(scope="module")
def pair() -> tuple[Market, Market]:
    return generate_market(seed=7, n_ads=3000), generate_market(seed=7, n_ads=3000, intervention=True)


def test_off_by_default_and_planned_in_the_busiest_gemeente_mid_market() -> None:
    assert generate_market(seed=1, n_ads=50, weeks=2).intervention is None
    plan = plan_intervention(6)
    assert plan is not None and (plan.day, plan.gemeente_code, plan.kind) == (21, ROTTERDAM, "control")
    assert plan.neighbours == neighbours([ROTTERDAM]) and "GM0606" in plan.neighbours  # Schiedam
    assert plan_intervention(1) is None  # a one-week market has no before
    assert plan_intervention(4, {"GM0983": 400}).gemeente_code == "GM0983"  # Venlo, when it is the busiest
    with pytest.raises(ValueError):
        plan_intervention(2, day=30)


def test_only_the_displaced_personas_ads_change(pair: tuple[Market, Market]) -> None:
    plain, market = pair
    iv = market.intervention
    assert iv is not None and len(iv.reactions) >= 40
    before = {a.key: _key(a) for a in plain.ads}
    after = {a.key: _key(a) for a in market.ads}
    touched = set(iv.reactions)
    persona = {a.key: a.truth.persona_id for a in [*plain.ads, *market.ads]}
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed and all(persona[k] in touched for k in changed)
    assert len(after) == len(market.ads)  # keys stay unique
    # Every ad of the plain market outside the reacting personas is there, exactly as it was.
    assert sum(1 for k, v in before.items() if persona[k] not in touched and after.get(k) == v) == sum(
        1 for k in before if persona[k] not in touched
    )
    assert generate_market(seed=7, n_ads=3000, intervention=True).intervention == iv  # deterministic
    assert all(r.role != ROLE_SCAM for r in iv.reactions.values())
    kinds = Counter(r.reaction for r in iv.reactions.values())
    assert set(kinds) == {REACTION_STOPPED, REACTION_MOVED, REACTION_PAUSED, REACTION_STAYED}
    assert kinds[REACTION_STAYED] < min(kinds[REACTION_STOPPED], kinds[REACTION_MOVED])


def _places_from(ads: Iterable[DemoAd], day: int) -> set[str]:
    return {
        t.gemeente_code for a in ads for d in range(day, a.last_day + 1) if (t := a.truth_on(d)) is not None
    }


def test_each_reaction_is_what_the_ads_do(pair: tuple[Market, Market]) -> None:
    plain, market = pair
    iv = market.intervention
    assert iv is not None
    day, where = iv.day, iv.gemeente_code
    by_persona: dict[str, list[DemoAd]] = {}
    for ad in market.ads:
        by_persona.setdefault(ad.truth.persona_id, []).append(ad)
    keys = {f"{a.site}:{a.source_id}" for a in market.ads}
    old = {f"{a.site}:{a.source_id}": a for a in plain.ads}
    for r in iv.reactions.values():
        ads = by_persona[r.persona_id]
        for key in r.ads:  # the ads the control saw were there on the day before and on the day
            seen = old[key]
            assert seen.truth_on(day - 1).gemeente_code == where == seen.truth_on(day).gemeente_code
        if r.reaction == REACTION_STOPPED:
            assert where not in _places_from(ads, day)
        elif r.reaction == REACTION_MOVED:
            assert r.moved_to in iv.neighbours[:4] and where not in _places_from(ads, day)
            assert all(
                old[k].last_day == next(a for a in ads if f"{a.site}:{a.source_id}" == k).last_day
                for k in r.ads
            )
            assert r.moved_to in _places_from(ads, day)
        elif r.reaction == REACTION_PAUSED:
            quiet = range(day, r.back_day if r.back_day is not None else market.days)
            assert not any(a.truth_on(d) and a.truth_on(d).gemeente_code == where for a in ads for d in quiet)
            if r.back_day is not None:
                back = [a.truth_on(r.back_day) for a in ads]
                assert any(t is not None and t.gemeente_code == where for t in back)
        else:
            assert where in _places_from(ads, day)
    for ad in market.ads:  # every re-post points at an ad of the market, before it
        assert ad.truth.repost_of is None or ad.truth.repost_of in keys
        assert 0 <= ad.first_day <= ad.last_day < market.days
        assert ad.versions[0].from_day == ad.first_day


def test_truth_file_and_its_intervention(pair: tuple[Market, Market], tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, market = pair
    path = tmp_path / "demo-truth.jsonl"
    assert write_truth(market, path) == len(market.ads)
    assert len(read_truth(path)) == len(market.ads)  # the truth file stays one line per ad
    side = intervention_path(path)
    assert side.name == "demo-truth-intervention.json"
    assert read_intervention(path) == market.intervention
    assert '"date": "2026-10-26"' in side.read_text(encoding="utf-8")
    write_truth(generate_market(seed=1, n_ads=20, weeks=2), path)  # a market without one
    assert read_intervention(path) is None and not side.exists()


def _true_weekly_active(
    records: Iterable[TruthRecord], start: date, codes: Sequence[str], mondays: Sequence[date]
) -> float:
    """Mean over ``mondays`` of the ads naming one of ``codes`` on some day of that week, from the truth."""
    total = 0
    for monday in mondays:
        days = [(monday - start).days + i for i in range(7)]
        total += sum(1 for r in records if any(r.gemeente_on(d) in codes for d in days))
    return total / len(mondays)


def test_displacement_report_on_an_offline_demo_store_matches_the_truth(store: Store) -> None:
    from zicht.demo.offline_store import build_offline_store

    market = generate_market(**SMALL, intervention=True)
    plain = generate_market(**SMALL)
    iv = market.intervention
    assert iv is not None and len(iv.reactions) >= 25
    build_offline_store(store, market, photos=False, say=lambda _m: None)

    item = demo_intervention_in_store(store, iv, market.start)
    assert item is not None and [i.id for i in list_interventions(store)] == [item.id]
    assert item.created_by == DEMO_USER and item.day == market.date_of(iv.day) == date(2026, 10, 19)
    assert "Gesimuleerd" in item.description and "Rotterdam" in item.description
    # Recorded before linking (as ``zicht demo`` does): the clustering already knows the control, and
    # no persona that left right after it waits to be re-clustered.
    from zicht.store.linking import recluster_seed

    assert recluster_seed(store) == set()

    report = displacement_report(store, item, weeks=2)
    cmp = report.comparison
    win = cmp.windows
    assert report.neighbours == iv.neighbours
    records = list(read_truth(store.data_dir / "demo-truth.jsonl").values())
    plain_records = [TruthRecord(a.site, a.source_id, a.first_day, a.last_day, a.truth) for a in plain.ads]
    # The counts are exactly the truth's: the offline store saw every version on the day it went online.
    for group, codes in (("target", (ROTTERDAM,)), ("neighbours", report.neighbours)):
        g = cmp.groups[group]
        assert g.active_before == _true_weekly_active(records, market.start, codes, win.before)
        assert g.active_after == _true_weekly_active(records, market.start, codes, win.after)
    # The drop: fewer ads in Rotterdam after than the same market without the control action, more in
    # its neighbours; before it, the two markets are the same.
    target, near = cmp.groups["target"], cmp.groups["neighbours"]
    assert target.active_before == _true_weekly_active(plain_records, market.start, (ROTTERDAM,), win.before)
    assert (
        target.active_after < _true_weekly_active(plain_records, market.start, (ROTTERDAM,), win.after) - 10
    )
    assert (
        near.active_after > _true_weekly_active(plain_records, market.start, report.neighbours, win.after) + 5
    )
    assert (
        target.active_change_pct is not None
        and target.active_change_pct < cmp.groups["national"].active_change_pct - 20
    )

    # Where the personas went: each displaced persona classed from its true ads and from what the report
    # sees of its stored persona. They agree here; linking errors (a persona joined to another, or split)
    # would show as disagreements, which the test would then list.
    ad_ids = {ad.key: found.id for ad in market.ads if (found := store.find_ad(*ad.key)) is not None}
    check = displacement_check(store, iv, report, records, market.start, ad_ids)
    assert len(check.personas) == len(iv.reactions)
    assert check.agree == len(check.personas), check.as_json()["disagreements"]
    assert check.moved_expected >= 8 and check.moved_found == check.moved_expected
    assert (
        check.count(REACTION_STOPPED, found="same") == 0 and check.count(REACTION_STAYED, found="same") >= 1
    )
    assert cmp.movement.moves["neighbour"] >= check.moved_found  # the report's own table holds them

    # `zicht evaluate` prints and writes the same comparison as its displacement section.
    out = store.data_dir / "report.json"
    r = CliRunner().invoke(
        app,
        [
            "--db",
            store.url,
            "evaluate",
            "--truth",
            str(store.data_dir / "demo-truth.jsonl"),
            "--output",
            str(out),
        ],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    assert "Moved personas found in a neighbour gemeente" in r.output
    written = json.loads(out.read_text(encoding="utf-8"))["displacement"]
    assert written["intervention_id"] == item.id and written["personas"] == len(iv.reactions)
    assert (written["moved_found_in_neighbour"], written["agree"]) == (check.moved_found, check.agree)
