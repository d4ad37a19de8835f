"""Pairwise agreement of personas and networks with the demo market's ground truth.

Pairwise precision/recall/F1 counts pairs of ads: a pair is a true positive when both the linking
and the truth put the two ads together. Big groups weigh quadratically, which is what an analyst
feels: a wrong merge of two large networks is a big mistake. The adjusted Rand index summarises the
same contingency table in one figure corrected for chance (0 for a random clustering of the same
group sizes, 1 for the truth itself), so clusterings of different markets can be compared. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PairScores:
    tp: int
    predicted: int
    truth: int

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.truth if self.truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "tp": self.tp,
            "predicted_pairs": self.predicted,
            "truth_pairs": self.truth,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> PairScores:
    """Scores over the items present in both mappings (item -> cluster label)."""
    items = [i for i in predicted if i in truth]
    cells = Counter((predicted[i], truth[i]) for i in items)
    pred = Counter(predicted[i] for i in items)
    true = Counter(truth[i] for i in items)
    return PairScores(
        tp=sum(_pairs(n) for n in cells.values()),
        predicted=sum(_pairs(n) for n in pred.values()),
        truth=sum(_pairs(n) for n in true.values()),
    )


def adjusted_rand_index(
    predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]
) -> float | None:
    """Hubert and Arabie's adjusted Rand index over the items present in both mappings.

    From the contingency table: ``(index - expected) / (max - expected)`` with ``index`` the pairs
    together in both, ``expected`` what independent clusterings with these group sizes would share
    (``a * b / C(n, 2)``) and ``max`` the mean of the pairs together in each (``(a + b) / 2``). Exact
    integer counts until the last division. None without items; 1.0 when the denominator is zero, which
    happens only when both put every item apart or both put all items together (identical clusterings).
    """
    pairs = pairwise(predicted, truth)
    n = sum(1 for i in predicted if i in truth)
    if n == 0:
        return None
    total = _pairs(n)
    # index - a*b/total over max - a*b/total, multiplied through by 2 * total to stay in integers
    numerator = 2 * (pairs.tp * total - pairs.predicted * pairs.truth)
    denominator = (pairs.predicted + pairs.truth) * total - 2 * pairs.predicted * pairs.truth
    return numerator / denominator if denominator else 1.0


def merged_groups(predicted: Mapping[Hashable, Hashable], groups: Mapping[Hashable, Hashable]) -> list[set]:
    """Predicted clusters that hold items of more than one group (e.g. of two scam operators)."""
    by_cluster: dict[Hashable, set] = {}
    for item, group in groups.items():
        if item in predicted:
            by_cluster.setdefault(predicted[item], set()).add(group)
    return [g for g in by_cluster.values() if len(g) > 1]


def observable_networks(
    truth: Mapping[Hashable, tuple[Hashable, Hashable | None, Hashable | None]], text_cap: int
) -> dict[Hashable, Hashable]:
    """The networks a reader of the ads can see, from ``item -> (network, scam operator, victim)``.

    The truth's networks, except for a scam operator whose ads are more than ``text_cap`` (the text hub
    cap): its profiles share nothing but its house text, and a text that common is not used to link
    (it cannot be told from boilerplate), so only its copies of one stolen identity can be seen together.
    """
    ads_of = Counter(op for _, op, _ in truth.values() if op is not None)
    return {
        item: (op, victim) if op is not None and ads_of[op] > text_cap else network
        for item, (network, op, victim) in truth.items()
    }
