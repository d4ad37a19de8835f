"""The linking figures of ``zicht evaluate``: adjusted Rand index, and scores against the demo truth.

ARI is checked against values computed by hand from the contingency table and against its known
properties (1 for identical clusterings whatever the labels, about 0 for random ones, symmetric,
negative below chance). The per-level figures and the scam-operator merges are checked on a generated
market with assignments made from its truth and then damaged in known ways.
"""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

import pytest

from zicht.demo.market import generate_market
from zicht.evaluation import ground_truth_of
from zicht.evaluation.linking import linking_metrics
from zicht.linking.evaluate import adjusted_rand_index, observable_networks, pairwise
from zicht.linking.keys import CHANNEL_TEXT
from zicht.linking.run import DEFAULT_HUB_CAPS
from zicht.store.evaluation import StoredAssignment


def ari(pred: list, truth: list) -> float | None:
    return adjusted_rand_index(dict(enumerate(pred)), dict(enumerate(truth)))


def _by_hand(pred: list, truth: list) -> Fraction:
    """ARI straight from its definition, with exact fractions (independent of the implementation)."""

    def c2(n: int) -> int:
        return n * (n - 1) // 2

    n = len(pred)
    cells = {}
    for p, t in zip(pred, truth, strict=True):
        cells[(p, t)] = cells.get((p, t), 0) + 1
    index = sum(c2(v) for v in cells.values())
    a = sum(c2(pred.count(p)) for p in set(pred))
    b = sum(c2(truth.count(t)) for t in set(truth))
    expected = Fraction(a * b, c2(n))
    return (index - expected) / (Fraction(a + b, 2) - expected)


def test_ari_hand_computed_values() -> None:
    # truth {0,1,2}{3,4,5}, predicted {0,1}{2,3}{4,5}: index 2, a 3, b 6, C(6,2) 15, expected 1.2,
    # max 4.5 -> (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3
    assert ari([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1]) == pytest.approx(0.8 / 3.3, abs=1e-12)
    # truth {0,1}{2,3}, predicted {0,1}{2}{3}: index 1, a 1, b 2, expected 1/3, max 1.5 -> 4/7
    assert ari([0, 0, 1, 2], [0, 0, 1, 1]) == pytest.approx(4 / 7, abs=1e-12)
    # one cluster against all apart: nothing shared beyond chance
    assert ari([0, 0, 0, 0], [0, 1, 2, 3]) == 0.0
    # below chance: every pair the truth puts together is split, and vice versa
    assert ari([0, 1, 0, 1], [0, 0, 1, 1]) == pytest.approx(-0.5, abs=1e-12)


def test_ari_matches_the_definition_on_random_clusterings() -> None:
    rng = random.Random(3)
    for _ in range(50):
        n = rng.randint(3, 40)
        pred = [rng.randrange(rng.randint(1, 8)) for _ in range(n)]
        truth = [rng.randrange(rng.randint(1, 8)) for _ in range(n)]
        if len(set(pred)) in (1, n) and len(set(truth)) in (1, n) and len(set(pred)) == len(set(truth)):
            continue  # degenerate identical case, see the next test
        assert ari(pred, truth) == pytest.approx(float(_by_hand(pred, truth)), abs=1e-12)


def test_ari_is_one_for_identical_clusterings_whatever_the_labels() -> None:
    truth = [0, 0, 1, 1, 1, 2, 3, 3]
    assert ari(truth, truth) == 1.0
    assert ari(["x", "x", "y", "y", "y", "z", "w", "w"], truth) == 1.0
    assert ari([0, 1, 2, 3], [7, 6, 5, 4]) == 1.0  # all apart in both
    assert ari([5, 5, 5], [1, 1, 1]) == 1.0  # all together in both
    assert ari([1], [2]) == 1.0
    assert adjusted_rand_index({}, {1: 1}) is None  # nothing in common: nothing to say


def test_ari_is_about_zero_for_random_clusterings_and_symmetric() -> None:
    rng = random.Random(7)
    truth = [rng.randrange(200) for _ in range(20_000)]
    pred = [rng.randrange(200) for _ in range(20_000)]
    assert abs(ari(pred, truth)) < 0.01
    small = [rng.randrange(5) for _ in range(300)]
    other = [rng.randrange(9) for _ in range(300)]
    assert ari(small, other) == pytest.approx(ari(other, small), abs=1e-12)


def test_ari_counts_only_items_in_both_mappings() -> None:
    pred = {1: "a", 2: "a", 3: "b", 4: "b", 99: "a"}
    truth = {1: 0, 2: 0, 3: 1, 4: 1, 100: 1}
    assert adjusted_rand_index(pred, truth) == 1.0
    assert pairwise(pred, truth).tp == 2


# --------------------------------------------------------------------------- against the demo truth


@pytest.fixture(scope="module")
def market():  # type: ignore[no-untyped-def]
    return generate_market(seed=5, n_ads=2000, weeks=3)


def _assignments(market, persona_of, network_of) -> list[StoredAssignment]:  # type: ignore[no-untyped-def]
    return [StoredAssignment(ad.site, ad.source_id, persona_of(ad), network_of(ad)) for ad in market.ads]


def test_perfect_linking_scores_one_and_the_raw_network_ceiling_is_below_it(market) -> None:  # type: ignore[no-untyped-def]
    truth = ground_truth_of(market)
    ops = {ad.truth.scam_operator_id for ad in market.ads if ad.truth.scam_operator_id}
    # No demo operator reaches linking's own cap (100) in a market this small: score it as if linking
    # kept 40, the cap before 2026-11-24, under which this market has operators too large to join.
    cap = 40
    assert cap < DEFAULT_HUB_CAPS[CHANNEL_TEXT]
    big = Counter(ad.truth.scam_operator_id for ad in market.ads if ad.truth.scam_operator_id)
    victims = {
        (ad.truth.scam_operator_id, ad.truth.copied_from_persona)
        for ad in market.ads
        if big[ad.truth.scam_operator_id] > cap
    }
    assert len(victims) > len({op for op, _ in victims}) >= 1, (
        "an operator over the cap copying several victims"
    )

    def observable(ad):  # type: ignore[no-untyped-def]
        t = ad.truth
        return (t.scam_operator_id, t.copied_from_persona) if big[t.scam_operator_id] > cap else t.network_id

    m = linking_metrics(truth, _assignments(market, lambda ad: ad.truth.persona_id, observable), text_cap=cap)
    assert m.linked and m.not_linked == 0 and m.truth_ads == len(market.ads)
    assert m.personas.pairs.f1 == 1.0 and m.personas.ari == 1.0
    assert m.networks_observable.pairs.f1 == 1.0 and m.networks_observable.ari == 1.0
    assert m.networks.pairs.precision == 1.0 and m.networks.pairs.recall < 1.0
    assert m.networks.pairs.f1 == pytest.approx(m.network_ceiling.f1)
    assert m.scam_operators == len(ops) and m.scam_merges == []
    assert m.personas.merges == () and m.personas.splits == ()


def test_merging_two_scam_operators_is_listed_with_examples(market) -> None:  # type: ignore[no-untyped-def]
    truth = ground_truth_of(market)
    op_a, op_b = sorted({ad.truth.scam_operator_id for ad in market.ads if ad.truth.scam_operator_id})[:2]

    def network(ad):  # type: ignore[no-untyped-def]
        return "merged" if ad.truth.scam_operator_id in (op_a, op_b) else ad.truth.network_id

    m = linking_metrics(truth, _assignments(market, lambda ad: ad.truth.persona_id, network))
    (merge,) = m.scam_merges
    n_a = sum(1 for ad in market.ads if ad.truth.scam_operator_id == op_a)
    n_b = sum(1 for ad in market.ads if ad.truth.scam_operator_id == op_b)
    assert (merge.level, merge.cluster_id, merge.ads) == ("network", "merged", n_a + n_b)
    assert merge.operators == {op_a: n_a, op_b: n_b}
    keys = {f"{ad.site}:{ad.source_id}": ad.truth.scam_operator_id for ad in market.ads}
    assert [keys[e] for e in merge.examples] == [op_a, op_b]
    assert m.networks.pairs.precision < 1.0
    assert m.networks.merges[0].cluster == "merged" and m.networks.merges[0].wrong_pairs == n_a * n_b


def test_splitting_a_persona_costs_exactly_its_pairs(market) -> None:  # type: ignore[no-untyped-def]
    truth = ground_truth_of(market)
    sizes: dict[str, int] = {}
    for ad in market.ads:
        sizes[ad.truth.persona_id] = sizes.get(ad.truth.persona_id, 0) + 1
    victim = max(sizes, key=lambda p: (sizes[p], p))
    k = sizes[victim]
    seen: list[str] = []

    def persona(ad):  # type: ignore[no-untyped-def]
        if ad.truth.persona_id != victim:
            return ad.truth.persona_id
        seen.append(ad.source_id)
        return f"apart-{len(seen)}"  # every ad of that persona on its own

    m = linking_metrics(truth, _assignments(market, persona, lambda ad: ad.truth.network_id))
    total = sum(n * (n - 1) // 2 for n in sizes.values())
    assert m.personas.pairs.truth == total and m.personas.pairs.tp == total - k * (k - 1) // 2
    assert m.personas.pairs.precision == 1.0
    (split,) = m.personas.splits
    assert (split.cluster, split.ads, split.parts, split.wrong_pairs) == (victim, k, k, k * (k - 1) // 2)
    assert m.personas.ari < 1.0


def test_not_linked_yet_is_said_not_scored_as_zero(market) -> None:  # type: ignore[no-untyped-def]
    truth = ground_truth_of(market)
    m = linking_metrics(truth, _assignments(market, lambda ad: None, lambda ad: None))
    assert not m.linked and m.personas is None
    assert m.as_json() == {
        "linked": False,
        "truth_ads": len(market.ads),
        "note": "linking has not run (zicht link)",
    }
    first = market.ads[0]
    partial = linking_metrics(
        truth,
        _assignments(
            market,
            lambda ad: None if ad is first else ad.truth.persona_id,
            lambda ad: None if ad is first else ad.truth.network_id,
        ),
    )
    assert partial.linked and partial.not_linked == 1 and partial.personas.ads == len(market.ads) - 1


def test_only_an_operator_over_the_text_cap_is_observable_per_copied_persona() -> None:
    truth = {
        1: ("N1", "SO1", "P7"),
        2: ("N1", "SO1", "P8"),
        3: ("N1", "SO1", "P8"),
        4: ("N2", "SO2", "P7"),
        5: ("N2", "SO2", "P9"),
        6: ("N3", None, None),
    }
    seen = observable_networks(truth, text_cap=2)
    assert seen[1] != seen[2] == seen[3]  # SO1 has 3 ads, over the cap: one network per copied persona
    assert seen[4] == seen[5] == "N2"  # SO2 has 2: its house text links them
    assert seen[6] == "N3" and len(set(seen.values())) == 4
