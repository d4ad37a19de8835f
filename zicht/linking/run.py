"""The linking stage: ``link(store)`` profiles new and changed ads, links them, and re-clusters.

1. profiles and band keys for ads that are new, changed (new current version or new facts) or were
   profiled by another ``LINKING_VERSION``;
2. hubs: keys held by more ads than their channel's cap; a key that becomes (or stops being) a hub
   sends every ad holding it back to verification;
3. candidates (a relational join on the keys) of the new/changed ads against everything, verified
   pair by pair (``zicht.linking.verify``), stored with channel, score and evidence;
4. clustering of the region that can have changed (the new/changed ads, what they link to, whole
   old networks, analysts' decisions, co-moving personas), personas → moves → networks → roles.

Every step only depends on the final state of the ads, the hub set and the decisions, so running
it in several increments gives the same result as ``full=True`` (which clears the derived tables and
runs all steps on everything).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from zicht.linking import LINKING_VERSION
from zicht.linking import keys as k
from zicht.linking.candidates import candidate_batches
from zicht.linking.clusters import cluster, cluster_personas, persona_moves
from zicht.linking.profile import build_profiles, prime_band_keys, profile_keys
from zicht.linking.roles import infer_roles
from zicht.linking.verify import verify_pair
from zicht.store import linking as sql
from zicht.store.store import Store

Progress = Callable[[str, int, int], None]

# How many ads may share a key before it is a hub. A telefonist serves 3-15 personas in a few dozen
# ads, a scam operator re-posts one stolen photo set some tens of times: caps above that keep them, and
# catch the stock photo and the number in hundreds of ads. Text is capped lower: an ad manager's
# template goes to a few dozen ads, while a stock phrase or a common way of writing an ad recurs in
# ever more ads as the market grows, and says nothing about who wrote it.
DEFAULT_HUB_CAPS = {
    k.CHANNEL_PHONE: 200,
    k.CHANNEL_EMAIL: 200,
    k.CHANNEL_HANDLE: 200,
    k.CHANNEL_PHOTO: 150,
    k.CHANNEL_TEXT: 40,
}


@dataclass(frozen=True)
class LinkSettings:
    hub_caps: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_HUB_CAPS))
    default_cap: int = 150
    batch: int = 2000
    # Build profiles in this many worker processes when at least ``parallel_from`` ads need one. Off by
    # default: on the 2-core development machine, shared with other work, pickling cost more than it won.
    workers: int = 1
    parallel_from: int = 20_000


@dataclass
class LinkReport:
    full: bool = False
    profiled: int = 0
    keys_touched: int = 0
    hubs: int = 0
    hub_changes: int = 0
    verified_ads: int = 0
    candidates: int = 0
    linked_pairs: int = 0
    links: int = 0
    by_verdict: dict[str, int] = field(default_factory=dict)
    region_ads: int = 0
    personas: int = 0
    networks: int = 0
    conflicts: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # this process's CPU time per stage


def link(
    store: Store,
    *,
    full: bool = False,
    on_progress: Progress | None = None,
    settings: LinkSettings | None = None,
) -> LinkReport:
    settings = settings or LinkSettings()
    report = LinkReport(full=full)
    sql.tune_for_linking(store)
    t, c = time.perf_counter(), time.process_time()
    if full:
        sql.clear_all(store)
    touched = _profile(store, report, settings, full, on_progress)
    report.seconds["profiles"] = time.perf_counter() - t
    report.cpu_seconds["profiles"] = time.process_time() - c

    t, c = time.perf_counter(), time.process_time()
    if full:
        report.hubs = sql.rebuild_hubs(store, settings.hub_caps, settings.default_cap, LINKING_VERSION)
    else:
        changed = sql.refresh_hubs(store, touched, settings.hub_caps, settings.default_cap, LINKING_VERSION)
        report.hub_changes = len(changed)
        if changed:
            sql.mark_holders_dirty(store, changed)
        report.hubs = len(sql.hub_keys(store))
    _describe_hubs(store)
    report.seconds["hubs"] = time.perf_counter() - t
    report.cpu_seconds["hubs"] = time.process_time() - c

    t, c = time.perf_counter(), time.process_time()
    _verify(store, report, settings, full, on_progress)
    report.seconds["verify"] = time.perf_counter() - t
    report.cpu_seconds["verify"] = time.process_time() - c

    t, c = time.perf_counter(), time.process_time()
    _cluster(store, report, full)
    report.seconds["cluster"] = time.perf_counter() - t
    report.cpu_seconds["cluster"] = time.process_time() - c
    if on_progress:
        on_progress("cluster", report.region_ads, report.region_ads)
    return report


def _profile(
    store: Store, report: LinkReport, settings: LinkSettings, full: bool, on_progress: Progress | None
) -> set[int]:
    """Profiles and keys of new and changed ads. With many ads, profiles are built in worker processes
    while this one reads and writes the store."""
    ids = sql.ads_needing_profiles(store, LINKING_VERSION)
    touched: set[int] = set()
    batches = [ids[i : i + settings.batch] for i in range(0, len(ids), settings.batch)]
    pool = _pool(settings) if len(ids) >= settings.parallel_from else None
    try:
        pending: list = []  # (future or rows, stamps)

        def drain(limit: int) -> None:
            while len(pending) > limit:
                job, stamps = pending.pop(0)
                rows = job.result() if pool is not None else job
                keys = sql.save_profiles(store, rows, stamps, LINKING_VERSION, fresh=full)
                if not full:
                    touched.update(keys)
                report.profiled += len(rows)
                if on_progress:
                    on_progress("profiles", report.profiled, len(ids))

        for batch_ids in batches:
            batch = sql.load_inputs(store, batch_ids)
            job = (
                pool.submit(profiles_and_keys, batch.inputs)
                if pool is not None
                else profiles_and_keys(batch.inputs)
            )
            pending.append((job, batch.stamps))
            drain(settings.workers if pool is not None else 0)
        drain(0)
    finally:
        if pool is not None:
            pool.shutdown()
    report.keys_touched = len(touched)
    return touched


def profiles_and_keys(inputs: list) -> list:  # type: ignore[type-arg]
    """Pure work of the profile step (runs in a worker process for big runs)."""
    profiles = build_profiles(inputs)
    prime_band_keys(profiles)
    return [(p, profile_keys(p)) for p in profiles]


def _pool(settings: LinkSettings):  # type: ignore[no-untyped-def]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if settings.workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(max_workers=settings.workers, mp_context=multiprocessing.get_context("fork"))


def _verify(
    store: Store, report: LinkReport, settings: LinkSettings, full: bool, on_progress: Progress | None
) -> None:
    dirty = sql.dirty_ad_ids(store)
    if not dirty:
        return
    if not full:
        sql.delete_links_of_dirty(store)
    hubs = sql.hub_keys(store)
    for chunk, pairs in candidate_batches(store, dirty, settings.batch, all_dirty=full):
        report.candidates += len(pairs)
        profiles = sql.load_profiles(store, {x for pair in pairs for x in pair})
        prime_band_keys(list(profiles.values()))
        verdicts = []
        for a, b in sorted(pairs):
            pa, pb = profiles.get(a), profiles.get(b)
            if pa is None or pb is None:
                continue
            v = verify_pair(pa, pb, hubs)
            if v is not None:
                verdicts.append(v)
                report.by_verdict[v.verdict] = report.by_verdict.get(v.verdict, 0) + 1
        report.links += sql.save_links(store, verdicts, LINKING_VERSION)
        report.linked_pairs += len(verdicts)
        report.verified_ads += len(chunk)
        if on_progress:
            on_progress("verify", report.verified_ads, len(dirty))
    # Only now: while verifying, "dirty" tells which pairs of two new ads were already produced.
    sql.finish_verification(store, dirty, full=full)


def _cluster(store: Store, report: LinkReport, full: bool) -> None:
    hubs = sql.hub_keys(store)
    if full:
        region = sql.all_linked_ads(store)
    else:
        seed = sql.recluster_seed(store)
        if not seed:
            return
        region = sql.expand_region(store, seed)
    nodes = sql.load_nodes(store, region, hubs)
    edges = sql.load_edges(store, region)
    decisions = sql.load_decisions(store, region)
    while not full:
        # Personas outside the region that made the same moves may now travel with ours. Only personas
        # and their moves are needed to find them; the whole clustering runs once, on the final region.
        personas, _, _, _ = cluster_personas(nodes, edges, decisions)
        moves = persona_moves(personas, nodes)
        old_personas, _ = sql.old_ids(store, region)
        outside = sql.personas_sharing_moves(store, {m.key for m in moves}, set(personas) | old_personas)
        extra = outside - region
        if not extra:
            break
        grown = sql.expand_region(store, extra, closed=region)
        added = grown - region
        nodes.update(sql.load_nodes(store, added, hubs))
        region = grown
        edges = sorted(edges + sql.load_edges(store, region, touching=added), key=lambda e: (e.a, e.b))
        decisions = sql.load_decisions(store, region)
    clustering = cluster(nodes, edges, decisions)
    roles = infer_roles(clustering, nodes)
    sql.save_clustering(store, region, nodes, clustering, roles, LINKING_VERSION)
    report.region_ads = len(region)
    report.personas = len(clustering.personas)
    report.networks = len(clustering.networks)
    report.conflicts.extend(clustering.conflicts)


def _describe_hubs(store: Store) -> None:
    """A readable value for each new hub: the number, a photo id, the start of the text."""
    missing = sql.hubs_without_value(store)
    if not missing:
        return
    samples = sql.load_profiles(store, {ad for _, _, ad in missing if ad is not None})
    values: dict[int, str] = {}
    for key, channel, ad_id in missing:
        p = samples.get(ad_id) if ad_id is not None else None
        value = channel
        if p is not None:
            if channel in k.CONTACT_CHANNELS:
                value = next((c for c in p.contacts if k.contact_key(c) == key), channel)
            elif channel == k.CHANNEL_PHOTO:
                value = next((f"photo {pid}" for pid, ph in p.photos if key in k.photo_keys(ph)), "photo")
            elif channel == k.CHANNEL_TEXT and p.sentences:
                value = "text: " + str(p.sentences[0][3])
        values[key] = value
    sql.set_hub_values(store, values)
