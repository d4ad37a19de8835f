"""The linking stage: ``link(store)`` profiles new and changed ads, links them, and re-clusters.

1. profiles and band keys for ads that are new, changed (new current version or new facts) or were
   profiled by another ``LINKING_VERSION``;
2. hubs: keys held by more ads than their channel's cap; a key that becomes (or stops being) a hub
   sends every ad holding it back to verification;
3. candidates (a relational join on the keys) of the new/changed ads against everything, verified
   pair by pair (``zicht.linking.verify``), stored with channel, score and evidence;
4. clustering of the region that can have changed (the new/changed ads, what they link to, whole
   old networks, analysts' decisions, co-moving personas, template groups small enough to be kept;
   see ``zicht.store.linking.TemplateReach``), personas → moves → networks → roles.

Large runs (a rebuild) profile and verify in ``LinkSettings.workers`` processes; this one writes.
A rebuild keeps its keys in memory for the candidate join (``zicht.linking.keyindex``), writes them
in key order while it verifies and builds the indexes while it clusters (``sql.REBUILD_MARK``), and
clusters the nodes and edges it made in memory (``_Graph``) rather than reading them back.

Every step only depends on the final state of the ads, the hub set and the decisions, so running
it in several increments gives the same result as ``full=True`` (which clears the derived tables and
runs all steps on everything).
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from zicht.linking import LINKING_VERSION
from zicht.linking import keys as k
from zicht.linking.clusters import (
    GROUP_NONE,
    TEMPLATE_GROUP_MAX,
    AdNode,
    Edge,
    cluster,
    cluster_personas,
    make_edge,
    persona_moves,
)
from zicht.linking.keyindex import KeyIndex
from zicht.linking.profile import AdProfile, build_profiles, prime_band_keys, profile_keys
from zicht.linking.roles import infer_roles
from zicht.linking.verify import (
    VERDICT_TEMPLATE,
    VERDICT_WEAK,
    PairVerdict,
    clear_hub_photo_memo,
    verify_pair,
)
from zicht.store import linking as sql
from zicht.store.store import Store

Progress = Callable[[str, int, int], None]

# How many ads may share a key before it is a hub. A telefonist serves 3-15 personas in a few dozen
# ads, a scam operator re-posts one stolen photo set some tens of times: caps above that keep them, and
# catch the stock photo and the number in hundreds of ads. Text is capped lower: an ad manager's
# template or a scam operator's house text goes to some tens of ads (up to about a hundred), while a
# stock phrase or a common way of writing an ad recurs in ever more ads as the market grows, and says
# nothing about who wrote it. (40 until the demo's writers had words of their own: at 1,000,000 ads
# 100 joins the large operators' profiles, network F1 0.897 -> 0.980, and merges nothing more.)
DEFAULT_HUB_CAPS = {
    k.CHANNEL_PHONE: 200,
    k.CHANNEL_EMAIL: 200,
    k.CHANNEL_HANDLE: 200,
    k.CHANNEL_PHOTO: 150,
    k.CHANNEL_TEXT: 100,
}


@dataclass(frozen=True)
class LinkSettings:
    hub_caps: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_HUB_CAPS))
    default_cap: int = 150
    batch: int = 2000
    # Build profiles and verify candidate pairs in this many worker processes when at least
    # ``parallel_from`` ads need it (a from-scratch run, a large re-profile); smaller runs stay in this
    # process, where starting workers would cost more than they win. 1: never.
    workers: int = 2
    parallel_from: int = 20_000


@dataclass
class LinkReport:
    full: bool = False
    redone_stopped_rebuild: bool = False  # an increment was asked for, but a rebuild had stopped
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
    capped_ads: int = 0  # region ads in a template group too large to keep, not re-clustered whole
    template_walked: int = 0  # personas whose template pairs were read to bound the region
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
    redo = not full and sql.rebuild_was_stopped(store)  # its keys are incomplete: ``sql.REBUILD_MARK``
    report = LinkReport(full=full or redo, redone_stopped_rebuild=redo)
    full = report.full
    try:
        with sql.tuned_for_linking(store), paused_gc():
            _run(store, report, settings, full, on_progress)
    finally:
        # Nothing of the run stays in the memory of a long-lived process (``zicht process``, tests).
        clear_hub_photo_memo()
    return report


@contextmanager
def paused_gc() -> Iterator[None]:
    """No automatic cyclic garbage collection while the block runs; one collection after it.

    Linking holds millions of small objects (profiles, edges, personas) that live until the end
    of a stage, and the collector walked all of them again and again as they were made: half of
    the clustering time at 100,000 ads. What linking makes is freed by reference counting; the few
    cycles (database sessions) wait for the collection at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


@dataclass
class _Graph:
    """What a rebuild keeps in memory for clustering, made as the profiles and verdicts are, instead
    of reading every profile and link back from the store (the same values: see ``load_nodes`` and
    ``load_edges``). Node contacts are not yet hub-filtered: the hubs are known after profiling."""

    nodes: dict[int, AdNode] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    template_pairs: Counter[int] = field(default_factory=Counter)
    keys: KeyIndex | None = field(default_factory=KeyIndex)
    keys_written: int = 0

    def write_keys(self, store: Store, share: float) -> None:
        """Store the key rows in key order up to this share of them (a slice per verified batch,
        while the workers verify the next ones)."""
        if self.keys is not None:
            stop = len(self.keys) if share >= 1 else int(len(self.keys) * share)
            if stop > self.keys_written:
                sql.save_rebuild_keys(store, self.keys.rows(self.keys_written, stop))
                self.keys_written = stop


def _run(
    store: Store, report: LinkReport, settings: LinkSettings, full: bool, on_progress: Progress | None
) -> None:
    t, c = time.perf_counter(), time.process_time()
    graph = _Graph() if full else None
    sql.ensure_link_indexes(store)  # (after a rebuild that was stopped)
    if full:
        sql.clear_all(store)
        sql.start_rebuild_writes(store)
    writes = _Background()
    try:
        _stages(store, report, settings, graph, writes, on_progress, t, c)
    finally:
        if full:
            writes.wait(raise_error=False)  # (already waited for, unless the rebuild stopped)
            sql.ensure_link_indexes(store)


class _Background:
    """One function run in a thread (a rebuild's last writes, while it clusters); ``wait`` joins it
    and raises what it raised."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, fn: Callable[[], None]) -> None:
        def target() -> None:
            try:
                fn()
            except BaseException as e:  # handed to ``wait``
                self._error = e

        self._thread = threading.Thread(target=target, name="zicht-link-writes", daemon=True)
        self._thread.start()

    def wait(self, *, raise_error: bool = True) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None and raise_error:
            raise error


def _stages(
    store: Store,
    report: LinkReport,
    settings: LinkSettings,
    graph: _Graph | None,
    writes: _Background,
    on_progress: Progress | None,
    t: float,
    c: float,
) -> None:
    touched = _profile(store, report, settings, graph, on_progress)
    if graph is not None and graph.keys is not None:
        graph.keys.freeze()
    report.seconds["profiles"] = time.perf_counter() - t
    report.cpu_seconds["profiles"] = time.process_time() - c

    t, c = time.perf_counter(), time.process_time()
    if graph is not None and graph.keys is not None:
        hubs = graph.keys.hubs(settings.hub_caps, settings.default_cap)
        report.hubs = sql.save_hubs(store, hubs, LINKING_VERSION)
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
    _verify(store, report, settings, graph, on_progress)
    if graph is not None and graph.keys is not None:
        graph.write_keys(store, 1.0)
    report.seconds["verify"] = time.perf_counter() - t
    report.cpu_seconds["verify"] = time.process_time() - c

    t, c = time.perf_counter(), time.process_time()
    before_save = None
    if graph is not None:
        graph.keys = None  # (its memory goes back before clustering's peak)
        if on_progress:  # minutes at national volume, with nothing else to count
            on_progress("keys", 0, 1)
        writes.start(lambda: sql.finish_rebuild_writes(store))

        def before_save() -> None:
            writes.wait()
            if on_progress:
                on_progress("keys", 1, 1)

    if on_progress:
        on_progress("cluster", 0, 0)  # (an open-ended bar until the region's size is known)
    _cluster(store, report, graph, before_save)
    report.seconds["cluster"] = time.perf_counter() - t
    report.cpu_seconds["cluster"] = time.process_time() - c
    if on_progress:
        on_progress("cluster", report.region_ads, report.region_ads)


def _profile(
    store: Store,
    report: LinkReport,
    settings: LinkSettings,
    graph: _Graph | None,
    on_progress: Progress | None,
) -> set[int]:
    """Profiles and keys of new and changed ads. With many ads, worker processes read the ads and
    build the profiles while this one writes them, batch by batch in ad id order."""
    full = graph is not None
    work = sql.ads_needing_profiles(store, LINKING_VERSION, everything=full)
    ids = work.ad_ids
    touched: set[int] = set()
    batches = [ids[i : i + settings.batch] for i in range(0, len(ids), settings.batch)]
    pool = _pool(settings, store, (set(), full)) if len(ids) >= settings.parallel_from else None
    try:
        pending: list = []  # futures or (rows, stamps, nodes)

        def drain(limit: int) -> None:
            while len(pending) > limit:
                job = pending.pop(0)
                rows, stamps, nodes = job.result() if pool is not None else job
                keys = sql.save_profiles(store, rows, stamps, LINKING_VERSION, fresh=full)
                if graph is not None:
                    graph.nodes.update((n.ad_id, n) for n in nodes)
                    if graph.keys is not None:
                        graph.keys.add((key, p.ad_id, channel) for p, pkeys in rows for key, channel in pkeys)
                else:
                    touched.update(keys)
                report.profiled += len(rows)
                if on_progress:
                    on_progress("profiles", report.profiled, len(ids))

        for batch_ids in batches:
            if pool is not None:
                pending.append(pool.submit(_profile_in_worker, batch_ids))
                drain(2 * settings.workers)
            else:
                pending.append(load_and_profile(store, batch_ids, with_nodes=full))
                drain(0)
        drain(0)
    finally:
        _close_pool(pool)
    sql.profiles_done(store, work, LINKING_VERSION)
    report.keys_touched = len(touched)
    return touched


def load_and_profile(
    store: Store, ad_ids: Sequence[int], *, with_nodes: bool = False
) -> tuple[list, dict, list[AdNode]]:  # type: ignore[type-arg]
    """Profiles and keys of these ads, with the version stamps they were built from (and, for a
    rebuild, what clustering will need of each ad)."""
    batch = sql.load_inputs(store, ad_ids)
    rows = profiles_and_keys(batch.inputs)
    nodes = [node_of(p) for p, _ in rows] if with_nodes else []
    return sql.encode_profiles(store, rows), batch.stamps, nodes


def node_of(p: AdProfile) -> AdNode:
    """An ad as clustering sees it, from its profile, before hubs and template pairs are known
    (``load_nodes`` makes the same from the stored profile)."""
    return AdNode(p.ad_id, p.first_day, p.last_day, tuple(p.contacts), p.name, p.age, tuple(p.stays))


def _profile_in_worker(ad_ids: Sequence[int]) -> tuple[list, dict, list[AdNode]]:  # type: ignore[type-arg]
    return _collected(load_and_profile(_worker_store(), ad_ids, with_nodes=bool(_worker["full"])))


def profiles_and_keys(inputs: list) -> list:  # type: ignore[type-arg]
    """Pure work of the profile step (runs in a worker process for big runs)."""
    profiles = build_profiles(inputs)
    prime_band_keys(profiles)
    return [(p, profile_keys(p)) for p in profiles]


def _pool(settings: LinkSettings, store: Store, initargs: tuple = ()):  # type: ignore[no-untyped-def,type-arg]
    """Worker processes (forked; spawned where there is no fork), each opening its own store for what
    it reads. None (work in this process) for one worker, or for an in-memory SQLite database, which
    another process cannot open."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from sqlalchemy.engine import make_url

    url = make_url(store.url)
    if settings.workers < 2 or (
        url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    ):
        return None
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    _worker["parent_engine"] = store.engine
    return ProcessPoolExecutor(
        max_workers=settings.workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(store.url, *initargs),
    )


def _close_pool(pool) -> None:  # type: ignore[no-untyped-def]
    """Stop the workers; after a failure, batches not started yet are dropped rather than run."""
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
    _worker.pop("parent_engine", None)  # the workers are forked: no reference kept in this process


_worker: dict[str, object] = {}


def _init_worker(url: str, hubs: set[int] | None = None, full: bool = False) -> None:
    """In a new worker: forget the parent's pooled connections without closing them (a forked copy
    must never use or close the parent's sockets; the engine is found in ``_worker`` as it was at
    the fork), and keep what the worker needs to open its own store."""
    parent = _worker.pop("parent_engine", None)
    if parent is not None:
        parent.dispose(close=False)  # type: ignore[attr-defined]
    _worker["url"] = url
    _worker["hubs"] = hubs or set()
    _worker["full"] = full
    # As in ``paused_gc``: each job collects once when it is done (``_collected``); what the fork
    # inherited is frozen, so those collections neither walk it nor copy its pages.
    gc.disable()
    gc.freeze()


def _collected(result):  # type: ignore[no-untyped-def]
    gc.collect()
    return result


def _worker_store() -> Store:
    if "store" not in _worker:
        _worker["store"] = Store.open(str(_worker["url"]), migrate=False)
    return _worker["store"]  # type: ignore[return-value]


def verify_pairs(store: Store, pairs: Iterable[tuple[int, int]], hubs: set[int]) -> list[PairVerdict]:
    """Verdicts for candidate pairs, in pair order (pure apart from reading the profiles)."""
    pairs = sorted(pairs)
    profiles = sql.load_profiles(store, {x for pair in pairs for x in pair})
    prime_band_keys(list(profiles.values()))
    verdicts = []
    for a, b in pairs:
        pa, pb = profiles.get(a), profiles.get(b)
        if pa is None or pb is None:
            continue
        v = verify_pair(pa, pb, hubs)
        if v is not None:
            verdicts.append(v)
    return verdicts


def _verify(
    store: Store,
    report: LinkReport,
    settings: LinkSettings,
    graph: _Graph | None,
    on_progress: Progress | None,
) -> None:
    """Candidates come from one join per batch of dirty ads, verified pair by pair. With many dirty
    ads, worker processes join and verify whole batches while this one writes the links. Links are
    written in batch order either way, so the result does not depend on the workers."""
    full = graph is not None
    dirty = sql.dirty_ad_ids(store)
    if not dirty:
        return
    if not full:
        sql.delete_links_of_dirty(store)
    hubs = sql.hub_keys(store)
    index = graph.keys if graph is not None else None
    if index is not None:
        index.use_hubs(hubs)
        _worker["keys"] = index  # (forked workers share its arrays)
    pool = _pool(settings, store, (hubs, full)) if len(dirty) >= settings.parallel_from else None
    chunks = [dirty[i : i + settings.batch] for i in range(0, len(dirty), settings.batch)]
    pending: list = []  # futures or (candidates, verdicts), with the number of dirty ads

    def drain(limit: int) -> None:
        while len(pending) > limit:
            job, n = pending.pop(0)
            candidates, by_verdict, prepared, made = job.result() if pool is not None else job
            if graph is not None and made is not None:
                graph.edges.extend(made[0])
                graph.template_pairs.update(made[1])
            report.candidates += candidates
            for verdict, n_pairs in by_verdict.items():
                report.by_verdict[verdict] = report.by_verdict.get(verdict, 0) + n_pairs
                report.linked_pairs += n_pairs
            report.links += sql.save_prepared_links(store, prepared)
            report.verified_ads += n
            if graph is not None:
                graph.write_keys(store, report.verified_ads / len(dirty))
            if on_progress:
                on_progress("verify", report.verified_ads, len(dirty))

    try:
        for chunk in chunks:
            if pool is not None:
                pending.append((pool.submit(_verify_in_worker, chunk), len(chunk)))
                drain(2 * settings.workers)
            else:
                pending.append((join_and_verify(store, chunk, hubs, full, index), len(chunk)))
                drain(0)
        drain(0)
    finally:
        _close_pool(pool)
        _worker.pop("keys", None)
    # Only now: while verifying, "dirty" tells which pairs of two new ads were already produced.
    sql.finish_verification(store, dirty, full=full)


GraphPart = tuple[list[Edge], Counter[int]]
Verified = tuple[int, dict[str, int], tuple[list[str], list[tuple]], GraphPart | None]  # type: ignore[type-arg]


def join_and_verify(
    store: Store, chunk: Sequence[int], hubs: set[int], full: bool, index: KeyIndex | None = None
) -> Verified:
    """Candidate pairs of these dirty ads (a relational join on the keys: in the store, or for a
    rebuild on its keys in memory), verified: the number of candidates, pairs per verdict, the
    ``links`` rows ready to write and, for a rebuild, the edges clustering will read (``graph_part``)."""
    if index is not None:
        pairs = index.candidate_pairs(chunk)
    else:
        pairs = sql.candidate_pairs(store, chunk, all_dirty=full)
    verdicts = verify_pairs(store, pairs, hubs)
    by_verdict: dict[str, int] = {}
    for v in verdicts:
        by_verdict[v.verdict] = by_verdict.get(v.verdict, 0) + 1
    prepared = sql.prepare_links(store, verdicts, LINKING_VERSION)
    return len(pairs), by_verdict, prepared, graph_part(verdicts) if full else None


def graph_part(verdicts: Sequence[PairVerdict]) -> GraphPart:
    """The clustering edges of these verdicts (weak ones are not used) and, per ad, its number of
    template-like pairs: what ``load_edges`` and ``load_nodes`` read back from the stored links."""
    edges = [
        make_edge(v.a, v.b, v.verdict, v.score, ((x.channel, x.score, x.hub) for x in v.links))
        for v in verdicts
        if v.verdict != VERDICT_WEAK
    ]
    template_pairs: Counter[int] = Counter()
    for v in verdicts:
        if v.verdict == VERDICT_TEMPLATE:
            n = sum(1 for x in v.links if x.channel == k.CHANNEL_TEMPLATE)
            if n:
                template_pairs[v.a] += n
                template_pairs[v.b] += n
    return edges, template_pairs


def _verify_in_worker(chunk: Sequence[int]) -> Verified:
    store, hubs, full = _worker_store(), _worker["hubs"], bool(_worker["full"])
    return _collected(join_and_verify(store, chunk, hubs, full, _worker.get("keys")))  # type: ignore[arg-type]


def _cluster(
    store: Store, report: LinkReport, graph: _Graph | None, before_save: Callable[[], None] | None = None
) -> None:
    full = graph is not None
    hubs = sql.hub_keys(store)
    capped: set[int] = set()
    seed: set[int] = set()
    if graph is not None:
        region = sql.all_linked_ads(store)
        nodes, edges = _graph_nodes(graph, hubs), graph.edges
        graph.edges = []
        edges.sort(key=lambda e: (e.a, e.b))
    else:
        seed = sql.recluster_seed(store)
        if not seed:
            return
        region = sql.expand_region(store, seed)
        nodes = sql.load_nodes(store, region, hubs)
        edges = sql.load_edges(store, region)
    decisions = sql.load_decisions(store, region)
    reach = sql.TemplateReach(store, TEMPLATE_GROUP_MAX)
    while not full:
        # The region grows by (a) personas outside it that made the same moves as ours (they may now
        # travel with them) and (b) template groups of its personas that can be kept (see
        # ``TemplateReach``). Only personas and their moves are needed to find them; the whole
        # clustering runs once, on the final region.
        personas, persona_of, _, _ = cluster_personas(nodes, edges, decisions)
        moves = persona_moves(personas, nodes)
        old_personas, _ = sql.old_ids(store, region)
        extra = sql.personas_sharing_moves(store, {m.key for m in moves}, set(personas) | old_personas)
        reach.update(persona_of)
        extra |= reach.reach(seed)
        extra -= region
        if not extra:
            capped = reach.capped_ads()
            break
        grown = sql.expand_region(store, extra, closed=region)
        added = grown - region
        nodes.update(sql.load_nodes(store, added, hubs))
        region = grown
        edges = sorted(edges + sql.load_edges(store, region, touching=added), key=lambda e: (e.a, e.b))
        decisions = sql.load_decisions(store, region)
    clustering = cluster(nodes, edges, decisions, capped, sql.control_days(store))
    if full:
        clustering.template_state = {
            pid: clustering.template_state.get(pid, (None, GROUP_NONE)) for pid in clustering.personas
        }
    else:
        clustering.template_state = reach.states(clustering)
    roles = infer_roles(clustering, nodes)
    if before_save is not None:
        before_save()
    sql.save_clustering(store, region, nodes, clustering, roles, LINKING_VERSION)
    report.region_ads = len(region)
    report.capped_ads = len(capped)
    report.template_walked = reach.walked
    report.personas = len(clustering.personas)
    report.networks = len(clustering.networks)
    report.conflicts.extend(clustering.conflicts)


def _graph_nodes(graph: _Graph, hubs: set[int]) -> dict[int, AdNode]:
    """The rebuild's nodes with hub contacts left out and their template-like pairs counted."""
    out: dict[int, AdNode] = {}
    counts = graph.template_pairs
    for ad_id, n in graph.nodes.items():
        contacts = tuple(c for c in n.contacts if k.contact_key(c) not in hubs)
        out[ad_id] = AdNode(
            ad_id, n.first_day, n.last_day, contacts, n.name, n.age, n.stays, counts.get(ad_id, 0)
        )
    graph.nodes = {}
    return out


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
