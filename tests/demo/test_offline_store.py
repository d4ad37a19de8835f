"""``zicht.demo.offline_store``: a demo market stored, processed and linked without HTTP, on both backends."""

from __future__ import annotations

from sqlalchemy import func, select

from zicht.demo.market import generate_market
from zicht.evaluation import load_ground_truth
from zicht.evaluation.report import build_report
from zicht.store.evaluation import link_assignments, stored_versions
from zicht.store.models import AdPhoto, Photo
from zicht.store.store import Store


def test_offline_store_holds_the_market_processed_and_linked(store: Store) -> None:
    from zicht.demo.offline_store import build_offline_store

    market = generate_market(seed=9, n_ads=80, weeks=2)
    said: list[str] = []
    truth_path = build_offline_store(store, market, say=said.append)
    assert truth_path.is_file() and any("photos hashed" in line for line in said)

    truth = load_ground_truth(truth_path)
    assert len(truth.records) == len(market.ads) and truth.start == market.start
    assignments = link_assignments(store)
    assert len(assignments) == len(market.ads) and all(a.persona_id is not None for a in assignments)
    with store.session() as s:
        photos = s.scalar(select(func.count()).select_from(Photo))
        unlinked = s.scalar(select(func.count()).select_from(AdPhoto).where(AdPhoto.photo_id.is_(None)))
    distinct = {p.key for ad in market.ads for v in ad.versions for p in v.photos}
    assert (photos, unlinked) == (len(distinct), 0)

    report = build_report(truth, stored_versions(store), [], assignments=assignments)
    assert report.matching.consistency == 1.0 and report.matching.not_collected == 0
    assert report.linking is not None and report.linking.linked and report.linking.personas.pairs.tp > 0
