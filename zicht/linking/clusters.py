"""Personas and networks from verified links, with analysts' decisions as hard constraints.

Two levels are kept apart on purpose:

- a **persona** is a set of ads that appear to advertise the same person: the connected components of
  ``persona`` verdicts (a shared number with agreeing photos or name/age);
- a **network** is a set of personas that belong together: one number answering for several of them
  (telefonist), one template filled in for several of them by different numbers (ad manager), people
  who move from town to town together (touring group), or one identity re-used under unrelated
  numbers (copies, the scam pattern).

Hubs never get this far (their keys make no candidates; hub values do not count in verification).
An ad without any contact point joins a persona only when its photos/text point to exactly one.

Networks join personas in two kinds of ways. Direct links (a shared contact point, an analyst's
confirmation) always count. Indirect ones gather personas into a network but never join two
networks that each hold several personas through contact points of their own:

- a template: pairs at least ``TEMPLATE_CORE`` alike, in a triangle (three personas on it), in a
  group that is neither huge nor about as much like the ads around it as like itself;
- copies: a copied identity is kept from pulling the person who was copied into the copiers'
  network — the persona of a copy group whose longest ad stayed online clearly longest is presumed
  the original and stays apart;
- travelling together: the same move (left one gemeente, arrived in the next) within days.

Analysts' decisions are constraints: a confirmed pair is a must-link, a split pair a cannot-link. A
component that holds a split pair is cut with a minimum cut (igraph) on the link scores, so the
weakest evidence between the two goes; a confirmed link has a capacity no evidence can outweigh.

Pure and deterministic: the same ads, links and decisions give the same personas and networks in any
order, which is what makes an incremental run equal to a full rebuild.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from itertools import pairwise

import igraph as ig

from zicht.linking import keys as k
from zicht.linking.profile import week_of_day
from zicht.linking.verify import VERDICT_COPY, VERDICT_NETWORK, VERDICT_PERSONA, VERDICT_TEMPLATE

MUST_LINK = 1_000_000.0
# The presumed original of a copied identity kept one ad online at least this long, and this much
# longer than any copy did (scam profiles are short-lived and re-posted; the original stays up).
ORIGINAL_MIN_DAYS = 10
ORIGINAL_MARGIN = 1.5
# Movement: the next place within this many days of the last, two personas arriving within ±2 days.
MOVE_MAX_GAP_DAYS = 10
MOVE_DAY_TOLERANCE = 2
# A move shared by more personas than this is a popular route, not a group: it counts only together
# with a second shared move.
MOVE_BUCKET_MAX = 8
# After a control action (any recorded intervention) many people leave the gemeente at once, to the
# same few neighbours: the waterbed effect, not group travel. A move out of it arriving from the day
# before one until this many days after counts only together with a second shared move.
MOVE_AFTER_CONTROL_DAYS = 14
TEMPLATE_MIN_SUPPORT = 1  # common template neighbours an edge needs (1: a triangle, three personas)
# Template pairs at least this alike join personas (see ``template_links``); weaker ones are shown.
TEMPLATE_CORE = 0.7
# ... and those at least this alike are one text with other slots, which copies in the same text may
# support (at 1,000,000 demo ads: 90 % of one scam operator's template pairs, 0.5 % of those between two).
TEMPLATE_SAME_TEXT = 0.85
# More personas than this on one template is boilerplate, not an ad manager (demo: 5-30 ads a template).
TEMPLATE_GROUP_MAX = 60
# ... and a group with more template-like ad pairs to ads outside it than this share of its pairs
# inside it is part of a continuum of look-alike texts, not a template of its own.
TEMPLATE_OUTSIDE_MAX = 1.0


@dataclass(frozen=True, slots=True)
class AdNode:
    ad_id: int
    first_day: int
    last_day: int
    contacts: tuple[str, ...] = ()  # non-hub contact labels
    name: str | None = None
    age: int | None = None
    stays: tuple[tuple[int, int, str], ...] = ()
    template_pairs: int | None = None  # template-like pairs of this ad in the whole store, when known


@dataclass(frozen=True, slots=True)
class Edge:
    """A verified ad pair as clustering sees it."""

    a: int
    b: int
    verdict: str
    score: float
    channels: tuple[str, ...] = ()
    summary: str = ""
    hub_channels: tuple[str, ...] = ()  # matched, but on a value too common to count (a stock text)


def make_edge(a: int, b: int, verdict: str, score: float, links: Iterable[tuple[str, float, bool]]) -> Edge:
    """The edge of a verified pair from its channel links (channel, score, hub): hub links are left
    out of its channels and summary. The one way to make it, from the store or from a fresh verdict."""
    links = list(links)
    shown = [f"{channel} {s:.2f}" for channel, s, hub in links if not hub]
    hubs = tuple(sorted({channel for channel, _, hub in links if hub}))
    return Edge(
        a, b, verdict, score, tuple(sorted(c.split()[0] for c in shown)), ", ".join(sorted(shown)), hubs
    )


@dataclass(frozen=True, slots=True)
class Decision:
    a: int
    b: int
    level: str  # persona | network
    decision: str  # confirm | split


@dataclass(slots=True)
class Persona:
    id: int
    ads: list[int]
    first_day: int
    last_day: int
    contacts: list[str]
    name: str | None
    age: int | None
    longest_ad_days: int = 0  # the longest any one of its ads stayed online

    @property
    def span_days(self) -> int:
        return self.last_day - self.first_day + 1

    @property
    def label(self) -> str:
        parts = [
            p for p in (self.name.title() if self.name else None, str(self.age) if self.age else None) if p
        ]
        return ", ".join(parts) or f"persona {self.id}"


@dataclass(frozen=True, slots=True)
class Move:
    persona_id: int
    key: int
    day: int  # first day in the gemeente arrived at
    left: str
    arrived: str
    left_day: int | None = None  # last day in the gemeente left

    @property
    def week(self) -> int:
        return week_of_day(self.day)


@dataclass(frozen=True, slots=True)
class PersonaEdge:
    """Why two personas are in one network."""

    a: int
    b: int
    kind: str  # contact | persona | template | copy | move | analyst
    score: float
    evidence: Mapping


@dataclass
class Clustering:
    persona_of: dict[int, int]
    personas: dict[int, Persona]
    network_of: dict[int, int]  # persona id -> network id
    networks: dict[int, list[int]]  # network id -> persona ids
    edges: list[PersonaEdge] = field(default_factory=list)  # network edges between personas
    template_edges: list[PersonaEdge] = field(default_factory=list)  # all, supported or not
    copy_groups: list[dict] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    # Kept template groups (persona ids): stored with each network so that an increment touching one
    # re-clusters all of it (see ``zicht.store.linking.expand_region``).
    template_groups: list[list[int]] = field(default_factory=list)
    # persona -> (template group, kept | loose | capped | none), or (None, None) where only part of
    # its group was seen: stored with the persona for the next increment (see ``TemplateGroups``).
    template_state: dict[int, tuple[int | None, str | None]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


def constrained_components(
    nodes: Sequence[int],
    edges: Iterable[tuple[int, int, float]],
    cannot: Iterable[tuple[int, int]] = (),
) -> tuple[dict[int, int], list[str]]:
    """node -> component representative (its smallest node), components cut apart where ``cannot`` asks.

    Edges are (u, v, capacity); several edges between the same nodes add up. Conflicts (a cannot-link
    that can only be met by cutting a must-link) are met anyway and reported.
    """
    order = sorted(set(nodes))
    index = {n: i for i, n in enumerate(order)}
    weights: dict[tuple[int, int], float] = defaultdict(float)
    for u, v, w in edges:
        if u == v or u not in index or v not in index:
            continue
        a, b = (index[u], index[v]) if index[u] < index[v] else (index[v], index[u])
        weights[(a, b)] += w
    pairs = sorted(weights)
    graph = ig.Graph(n=len(order), edges=pairs)
    graph.es["w"] = [weights[p] for p in pairs]
    conflicts: list[str] = []
    todo = sorted(
        {tuple(sorted((index[a], index[b]))) for a, b in cannot if a in index and b in index and a != b}
    )
    while True:
        membership = graph.connected_components().membership
        violated = [(a, b) for a, b in todo if membership[a] == membership[b]]
        if not violated:
            break
        a, b = violated[0]
        members = [i for i, m in enumerate(membership) if m == membership[a]]
        sub = graph.subgraph(members)
        local = {v: i for i, v in enumerate(members)}
        cut = sub.mincut(source=local[a], target=local[b], capacity=sub.es["w"])
        if cut.value >= MUST_LINK:
            conflicts.append(
                f"split of {order[a]} and {order[b]} cuts a confirmed link; the split was applied"
            )
        remove = []
        for edge_id in cut.cut:
            e = sub.es[edge_id]
            remove.append(graph.get_eid(members[e.source], members[e.target]))
        graph.delete_edges(remove)
    membership = graph.connected_components().membership
    rep: dict[int, int] = {}
    for i, m in enumerate(membership):
        rep.setdefault(m, order[i])
    return {order[i]: rep[m] for i, m in enumerate(membership)}, conflicts


def cluster_personas(
    ads: Mapping[int, AdNode], edges: Sequence[Edge], decisions: Sequence[Decision] = ()
) -> tuple[dict[int, Persona], dict[int, int], set[tuple[int, int]], list[str]]:
    """Personas: persona verdicts and confirmed pairs, minus split pairs.

    Links through a contact point come first. An ad without any contact point (its number only on a
    photo, say) then joins the persona its photos/text point to, but only when they point to exactly
    one: an identity seen under several numbers must not be chained into one person through it. Two
    such ads are one person only when their text agrees too: the same stolen photos without a number
    are posted by every operator who copies them, each in their own words. Those ambiguous links are
    returned (they mean "same identity, other numbers": copies, for the network).
    """
    contact = set(k.CONTACT_CHANNELS)
    persona_edges = [e for e in edges if e.verdict == VERDICT_PERSONA]
    anchored = [(e.a, e.b, e.score) for e in persona_edges if contact & set(e.channels)]
    floating = [e for e in persona_edges if not contact & set(e.channels)]
    must = [(d.a, d.b, MUST_LINK) for d in decisions if d.level == "persona" and d.decision == "confirm"]
    cannot = [(d.a, d.b) for d in decisions if d.level == "persona" and d.decision == "split"]
    base, conflicts = constrained_components(list(ads), anchored + must, cannot)

    members: dict[int, list[int]] = defaultdict(list)
    for ad_id, pid in base.items():
        members[pid].append(ad_id)
    has_contact = {pid: any(ads[a].contacts for a in ids) for pid, ids in members.items()}
    loose = sorted(pid for pid, yes in has_contact.items() if not yes)
    loose_edges = []
    anchors: dict[int, set[int]] = defaultdict(set)  # loose base persona -> anchored ones it points to
    for e in floating:
        p, q = base.get(e.a), base.get(e.b)
        if p is None or q is None or p == q:
            continue
        if not has_contact[p] and not has_contact[q]:
            if k.CHANNEL_TEXT in e.channels:
                loose_edges.append((p, q, e.score))
        elif not has_contact[p]:
            anchors[p].add(q)
        elif not has_contact[q]:
            anchors[q].add(p)
    groups, _ = constrained_components(loose, loose_edges)
    by_group: dict[int, list[int]] = defaultdict(list)
    for pid, g in groups.items():
        by_group[g].append(pid)
    split_pairs = {(min(a, b), max(a, b)) for a, b in cannot}
    final = dict(base)
    ambiguous: set[tuple[int, int]] = set()
    for g, pids in by_group.items():
        targets = set().union(*(anchors[p] for p in pids))
        merged_into = None
        if len(targets) == 1:
            target = next(iter(targets))
            ids = [a for p in pids for a in members[p]] + members[target]
            if not any((min(x, y), max(x, y)) in split_pairs for x in ids for y in ids if x < y):
                merged_into = target
        for p in pids:
            for a in members[p]:
                final[a] = merged_into if merged_into is not None else g
    for e in floating:
        if final.get(e.a) != final.get(e.b):
            ambiguous.add((e.a, e.b))

    grouped: dict[int, list[int]] = defaultdict(list)
    for ad_id, pid in final.items():
        grouped[pid].append(ad_id)
    personas: dict[int, Persona] = {}
    persona_of: dict[int, int] = {}
    for ids in grouped.values():
        ids.sort()
        personas[ids[0]] = _persona(ids[0], ids, ads)
        for a in ids:
            persona_of[a] = ids[0]
    return personas, persona_of, ambiguous, conflicts


def _persona(pid: int, ids: list[int], ads: Mapping[int, AdNode]) -> Persona:
    nodes = [ads[i] for i in ids]
    names = Counter(n.name for n in nodes if n.name)
    ages = Counter(n.age for n in nodes if n.age is not None)
    return Persona(
        id=pid,
        ads=ids,
        first_day=min(n.first_day for n in nodes),
        last_day=max(n.last_day for n in nodes),
        contacts=sorted({c for n in nodes for c in n.contacts}),
        name=_most_common(names),
        age=_most_common(ages),
        longest_ad_days=max(n.last_day - n.first_day + 1 for n in nodes),
    )


def _most_common(counter: Counter):  # type: ignore[no-untyped-def]
    if not counter:
        return None
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]


def persona_moves(personas: Mapping[int, Persona], ads: Mapping[int, AdNode]) -> list[Move]:
    """Each time a persona stops advertising in one gemeente and starts in another within days."""
    out: list[Move] = []
    for pid in sorted(personas):
        stays = sorted({s for ad_id in personas[pid].ads for s in ads[ad_id].stays})
        arrivals: list[tuple[int, int, str]] = []  # first day, last day, gemeente
        for first, last, gm in stays:
            if arrivals and arrivals[-1][2] == gm:
                prev = arrivals[-1]
                arrivals[-1] = (prev[0], max(prev[1], last), gm)
            else:
                arrivals.append((first, last, gm))
        seen: set[int] = set()
        for (f1, l1, g1), (f2, _l2, g2) in pairwise(arrivals):
            if g1 == g2 or f2 - l1 > MOVE_MAX_GAP_DAYS or l1 > f2 + 1 or f2 <= f1:
                continue  # the same place, a long pause, or two places at the same time
            if any(g == g1 and first <= f2 and last > f2 + 1 for first, last, g in stays):
                continue  # still advertising in the place it would have left
            key = k.move_key(week_of_day(f2), g1, g2)
            if key not in seen:
                seen.add(key)
                out.append(Move(pid, key, f2, g1, g2, l1))
    return out


def _together(m1: Move, m2: Move) -> bool:
    """Left the one place and arrived in the other within days of each other."""
    if abs(m1.day - m2.day) > MOVE_DAY_TOLERANCE:
        return False
    return m1.left_day is None or m2.left_day is None or abs(m1.left_day - m2.left_day) <= MOVE_DAY_TOLERANCE


def control_window(day: int) -> tuple[int, int]:
    """First and last arrival day of a move out of a gemeente that a control there on ``day`` explains."""
    return day - 1, day + MOVE_AFTER_CONTROL_DAYS


def _after_control(m: Move, controls: Mapping[str, Sequence[int]]) -> bool:
    return any(first <= m.day <= last for first, last in map(control_window, controls.get(m.left, ())))


def co_movement(
    moves: Sequence[Move], controls: Mapping[str, Sequence[int]] | None = None
) -> list[PersonaEdge]:
    """Personas that made the same move(s) within days of each other.

    ``controls``: gemeente -> day numbers of recorded interventions there (see ``MOVE_AFTER_CONTROL_DAYS``).
    """
    controls = controls or {}
    by_key: dict[int, list[Move]] = defaultdict(list)
    for m in moves:
        by_key[m.key].append(m)
    shared: dict[tuple[int, int], list[tuple[Move, Move, bool]]] = defaultdict(list)
    for bucket in by_key.values():
        popular = len({m.persona_id for m in bucket}) > MOVE_BUCKET_MAX
        bucket = sorted(bucket, key=lambda m: (m.persona_id, m.day))
        for i, m1 in enumerate(bucket):
            for m2 in bucket[i + 1 :]:
                if m1.persona_id != m2.persona_id and _together(m1, m2):
                    weak = popular or _after_control(m1, controls) or _after_control(m2, controls)
                    shared[(m1.persona_id, m2.persona_id)].append((m1, m2, weak))
    n_moves = Counter(m.persona_id for m in moves)
    edges = []
    for (p, q), items in sorted(shared.items()):
        rare = [x for x in items if not x[2]]
        if len(items) < 2 and not rare:
            continue
        score = round(min(1.0, len(items) / max(n_moves[p], n_moves[q], 1)) * 0.9, 4)
        route = [
            {"week": m1.week, "from": m1.left, "to": m1.arrived, "days": [m1.day, m2.day]}
            for m1, m2, _ in sorted(items, key=lambda x: x[0].day)
        ]
        summary = f"moved together {len(items)} time(s): " + ", ".join(
            f"{r['from']}→{r['to']} (week {r['week']})" for r in route
        )
        edges.append(PersonaEdge(p, q, "move", score, {"route": route, "summary": summary}))
    return edges


def _persona_level(
    edges: Sequence[Edge], persona_of: Mapping[int, int], verdict: str
) -> dict[tuple[int, int], list[Edge]]:
    out: dict[tuple[int, int], list[Edge]] = defaultdict(list)
    for e in edges:
        if e.verdict != verdict or e.a not in persona_of or e.b not in persona_of:
            continue
        p, q = persona_of[e.a], persona_of[e.b]
        if p != q:
            out[(min(p, q), max(p, q))].append(e)
    return out


def _evidence(items: Sequence[Edge], limit: int = 3) -> dict:
    best = sorted(items, key=lambda e: (-e.score, e.a, e.b))[:limit]
    return {
        "ads": [[e.a, e.b] for e in best],
        "channels": sorted({c for e in items for c in e.channels}),
        "summary": "; ".join(dict.fromkeys(e.summary for e in best if e.summary)),
    }


class LazyEvidence(Mapping):
    """``_evidence(items)`` (plus ``extra``), built on first read: a rebuild makes hundreds of
    thousands of persona edges whose evidence nothing reads (only template and move evidence is
    used further), and building it was a large part of clustering."""

    __slots__ = ("_extra", "_items", "_value")

    def __init__(self, items: Sequence[Edge], extra: dict | None = None) -> None:
        self._items = items
        self._extra = extra or {}
        self._value: dict | None = None

    def _full(self) -> dict:
        if self._value is None:
            self._value = _evidence(self._items) | self._extra
        return self._value

    def __getitem__(self, key: str):  # type: ignore[no-untyped-def]
        if key in self._extra:
            return self._extra[key]
        return self._full()[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._full())

    def __repr__(self) -> str:
        return repr(self._full())


def _neighbours(pairs: Iterable[tuple[int, int]]) -> defaultdict[int, set[int]]:
    out: defaultdict[int, set[int]] = defaultdict(set)
    for p, q in pairs:
        out[p].add(q)
        out[q].add(p)
    return out


def supported_template_edges(
    template: Mapping[tuple[int, int], object],
    same_text: Iterable[tuple[int, int]] = (),
    close: Set[tuple[int, int]] = frozenset(),
) -> set[tuple[int, int]]:
    """Template pairs whose personas share at least one more template neighbour.

    ``same_text``: persona pairs in the same text that are not template pairs (copies of one identity,
    its name and age too). They support the ``close`` template pairs (nearly the same text, other
    slots), as a scam operator's copies of one stolen identity support its text filled in for another
    across them. Only those: a look-alike text would be supported by any copy pair of either side.
    """
    neighbours, with_text = _neighbours(template), _neighbours(same_text)
    out = set()
    for p, q in template:
        common = neighbours[p] & neighbours[q]
        if (p, q) in close and (with_text[p] or with_text[q]):
            common = (neighbours[p] | with_text[p]) & (neighbours[q] | with_text[q])
        if len(common - {p, q}) >= TEMPLATE_MIN_SUPPORT:
            out.add((p, q))
    return out


def _template_degree(
    personas: Mapping[int, Persona], ads: Mapping[int, AdNode] | None
) -> dict[int, int] | None:
    """Per persona, its ads' template-like pairs in the whole store; None when not known for all ads."""
    if ads is None:
        return None
    out: dict[int, int] = {}
    for pid, p in personas.items():
        counts = [ads[a].template_pairs for a in p.ads]
        if any(c is None for c in counts):
            return None
        out[pid] = sum(counts)  # type: ignore[arg-type]
    return out


# What a persona's template group was when it was last clustered (stored with the persona).
GROUP_KEPT = "kept"  # joins its personas into a network
GROUP_LOOSE = "loose"  # at most TEMPLATE_GROUP_MAX personas, but about as alike to the ads around it
GROUP_CAPPED = "capped"  # over TEMPLATE_GROUP_MAX personas
GROUP_NONE = "none"  # in no group


@dataclass(slots=True)
class TemplateGroups:
    """Template groups of personas: the pairs that join personas, each persona's group (named by its
    smallest persona), the kept ones, and those holding a ``capped`` persona (only partly seen)."""

    joined: set[tuple[int, int]] = field(default_factory=set)
    group_of: dict[int, int] = field(default_factory=dict)
    sizes: Counter[int] = field(default_factory=Counter)
    kept: set[int] = field(default_factory=set)
    partial: set[int] = field(default_factory=set)

    def kept_members(self) -> list[list[int]]:
        """The personas of each kept group, groups and members in id order."""
        members: dict[int, list[int]] = defaultdict(list)
        for p in sorted(self.group_of):
            if self.group_of[p] in self.kept:
                members[self.group_of[p]].append(p)
        return [members[g] for g in sorted(members)]

    def states(self) -> dict[int, tuple[int, str]]:
        """(group, kept | loose | capped) of each persona in a group seen whole."""
        out: dict[int, tuple[int, str]] = {}
        for p, g in self.group_of.items():
            if g in self.partial:
                continue
            if g in self.kept:
                state = GROUP_KEPT
            else:
                state = GROUP_CAPPED if self.sizes[g] > TEMPLATE_GROUP_MAX else GROUP_LOOSE
            out[p] = (g, state)
        return out


def template_links(
    template: Mapping[tuple[int, int], list[Edge]],
    degree: Mapping[int, int] | None = None,
    capped: Set[int] = frozenset(),
) -> set[tuple[int, int]]:
    """The template pairs that join personas into a network (see ``template_groups``)."""
    return template_groups(template, degree, capped).joined


def template_groups(
    template: Mapping[tuple[int, int], list[Edge]],
    degree: Mapping[int, int] | None = None,
    capped: Set[int] = frozenset(),
    same_text: Iterable[tuple[int, int]] = (),
    copiers: Set[int] = frozenset(),
) -> TemplateGroups:
    """Template groups, and the template pairs that join personas into a network.

    Cores: pairs at least ``TEMPLATE_CORE`` alike that close a triangle (three personas on one
    template); groups: the cores' components. A template is one writer's when it sets its group
    apart: a group over very many personas, or one whose ads have about as many template-like pairs
    with ads outside it as inside it, is a common way of writing, and joins nothing.

    ``degree``: per persona, its template-like ad pairs in the whole store (all of them, also with
    ads outside the region being clustered); without it, they are counted in ``template``.
    ``capped``: personas known to be in a group that is not kept in the whole store (over
    ``TEMPLATE_GROUP_MAX`` personas, or unchanged since it was found loose), of which the region being
    clustered may hold only a part: a group holding one joins nothing. ``same_text``: see
    ``supported_template_edges``. ``copiers``: personas offering someone else's identity (likely
    scams); a template pair of two of them is a core only when it is one text (``TEMPLATE_SAME_TEXT``):
    such profiles paste their operator's text, and a text merely like it is another operator's.
    """
    best = {pair: max(e.score for e in items) for pair, items in template.items()}
    strong = {
        (p, q)
        for (p, q), score in best.items()
        if score >= (TEMPLATE_SAME_TEXT if p in copiers and q in copiers else TEMPLATE_CORE)
    }
    close = {pair for pair in strong if best[pair] >= TEMPLATE_SAME_TEXT}
    joined = supported_template_edges(dict.fromkeys(strong), same_text, close)
    if not joined:
        return TemplateGroups()
    if degree is None:
        counted: Counter[int] = Counter()
        for (p, q), items in template.items():
            counted[p] += len(items)
            counted[q] += len(items)
        degree = counted
    nodes = sorted({p for pair in joined for p in pair})
    group_of, _ = constrained_components(nodes, [(p, q, 1.0) for p, q in joined])
    sizes = Counter(group_of.values())
    inside: Counter[int] = Counter()
    for (p, q), items in template.items():
        gp = group_of.get(p)
        if gp is not None and gp == group_of.get(q):
            inside[gp] += len(items)
    total: Counter[int] = Counter()
    for p, g in group_of.items():
        total[g] += degree.get(p, 0)
    kept = {
        g
        for g in sizes
        if sizes[g] <= TEMPLATE_GROUP_MAX and total[g] - 2 * inside[g] <= TEMPLATE_OUTSIDE_MAX * inside[g]
    }
    partial = {group_of[p] for p in capped if p in group_of}
    kept -= partial
    return TemplateGroups(
        joined={(p, q) for p, q in joined if group_of[p] in kept},
        group_of=group_of,
        sizes=sizes,
        kept=kept,
        partial=partial,
    )


def copy_groups(copies: Mapping[tuple[int, int], list[Edge]], personas: Mapping[int, Persona]) -> list[dict]:
    """Groups of personas sharing one identity under unrelated numbers, with the presumed original."""
    nodes = sorted({p for pair in copies for p in pair})
    if not nodes:
        return []
    rep, _ = constrained_components(nodes, [(p, q, 1.0) for p, q in copies])
    groups: dict[int, list[int]] = defaultdict(list)
    for p, r in rep.items():
        groups[r].append(p)
    out = []
    for members in groups.values():
        members.sort()
        by_life = sorted(members, key=lambda p: (-personas[p].longest_ad_days, personas[p].first_day, p))
        original = None
        if len(by_life) >= 2:
            top, second = personas[by_life[0]], personas[by_life[1]]
            if (
                top.longest_ad_days >= ORIGINAL_MIN_DAYS
                and top.longest_ad_days >= ORIGINAL_MARGIN * second.longest_ad_days
            ):
                original = top.id
        out.append({"personas": members, "original": original})
    return out


def cluster_networks(
    personas: Mapping[int, Persona],
    persona_of: Mapping[int, int],
    edges: Sequence[Edge],
    co_moves: Sequence[PersonaEdge] = (),
    decisions: Sequence[Decision] = (),
    ads: Mapping[int, AdNode] | None = None,
    capped: Set[int] = frozenset(),
) -> tuple[
    dict[int, int],
    dict[int, list[int]],
    list[PersonaEdge],
    list[PersonaEdge],
    list[dict],
    list[str],
    TemplateGroups,
]:
    """network_of, networks, network edges, all template edges, copy groups, conflicts, template groups."""
    net_edges: list[PersonaEdge] = []
    for (p, q), items in sorted(_persona_level(edges, persona_of, VERDICT_NETWORK).items()):
        net_edges.append(PersonaEdge(p, q, "contact", max(e.score for e in items), LazyEvidence(items)))
    # Ads of one persona verified as persona pairs are already together; a persona verdict between
    # two personas (kept apart by a split) is still a reason to be in one network.
    for (p, q), items in sorted(_persona_level(edges, persona_of, VERDICT_PERSONA).items()):
        net_edges.append(PersonaEdge(p, q, "persona", max(e.score for e in items), LazyEvidence(items)))

    copies = _persona_level(edges, persona_of, VERDICT_COPY)
    groups = copy_groups(copies, personas)
    original_of = {p: g["original"] for g in groups for p in g["personas"]}
    copy_edges, same_text = [], []
    for (p, q), items in sorted(copies.items()):
        if original_of.get(p) in (p, q) or original_of.get(q) in (p, q):
            continue  # the presumed original stays out of the copiers' network
        counted = any(k.CHANNEL_TEXT in e.channels for e in items)
        if not counted and not any(k.CHANNEL_TEXT in e.hub_channels for e in items):
            continue  # the same photos in another text: someone else using the identity, not a repost
        copy_edges.append(PersonaEdge(p, q, "copy", max(e.score for e in items), LazyEvidence(items)))
        if counted:
            same_text.append((p, q))

    template = _persona_level(edges, persona_of, VERDICT_TEMPLATE)
    copiers = {p for g in groups for p in g["personas"] if p != g["original"]}
    # Two copied identities posting in the same towns is how their operators post, not two people
    # travelling together: a co-move joins them only when at least one of the two is no copy.
    co_moves = [e for e in co_moves if e.a not in copiers or e.b not in copiers]
    groups_found = template_groups(template, _template_degree(personas, ads), capped, same_text, copiers)
    joined = groups_found.joined
    template_edges = []
    for (p, q), items in sorted(template.items()):
        ev = LazyEvidence(items, {"supported": (p, q) in joined})
        edge = PersonaEdge(p, q, "template", max(e.score for e in items), ev)
        template_edges.append(edge)
        if (p, q) in joined:
            net_edges.append(edge)
    net_edges.extend(copy_edges)

    net_edges.extend(co_moves)
    for d in decisions:
        if d.a in persona_of and d.b in persona_of and d.decision == "confirm":
            p, q = sorted((persona_of[d.a], persona_of[d.b]))
            if p != q:
                net_edges.append(PersonaEdge(p, q, "analyst", 1.0, {"summary": "confirmed by an analyst"}))
    cannot = [
        (persona_of[d.a], persona_of[d.b])
        for d in decisions
        if d.level == "network" and d.decision == "split" and d.a in persona_of and d.b in persona_of
    ]
    accepted = _accept_indirect(list(personas), net_edges, cannot)
    weighted = [(e.a, e.b, MUST_LINK if e.kind == "analyst" else e.score) for e in accepted]
    network_of, conflicts = constrained_components(list(personas), weighted, cannot)
    networks: dict[int, list[int]] = defaultdict(list)
    for pid, rep in network_of.items():
        networks[rep].append(pid)
    # The network id is the smallest ad id in it, which is its smallest persona id.
    networks = {rep: sorted(members) for rep, members in networks.items()}
    kept = [e for e in net_edges if network_of[e.a] == network_of[e.b]]
    return network_of, networks, kept, template_edges, groups, conflicts, groups_found


DIRECT_KINDS = frozenset({"contact", "persona", "analyst"})


def _accept_indirect(
    personas: Sequence[int], edges: Sequence[PersonaEdge], cannot: Sequence[tuple[int, int]]
) -> list[PersonaEdge]:
    """Direct links (a shared contact point, the same person, an analyst) always count. Indirect ones
    (a shared template, copied photos/text, travelling together) gather personas into a network, but
    never join two networks that each hold several personas through contact points of their own: such
    a bridge is shown, not merged, so a common text or a busy route cannot chain the market together.
    Strongest first, then by persona ids, so the outcome does not depend on input order.
    """
    direct = [e for e in edges if e.kind in DIRECT_KINDS]
    indirect = sorted((e for e in edges if e.kind not in DIRECT_KINDS), key=lambda e: (-e.score, e.a, e.b))
    base, _ = constrained_components(personas, [(e.a, e.b, 1.0) for e in direct], cannot)
    size = Counter(base.values())
    parent = {r: r for r in set(base.values())}
    strong = {r: int(size[r] >= 2) for r in parent}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    accepted = list(direct)
    for e in indirect:
        ra, rb = find(base[e.a]), find(base[e.b])
        if ra != rb:
            if strong[ra] + strong[rb] > 1:
                continue
            ra, rb = min(ra, rb), max(ra, rb)
            parent[rb] = ra
            strong[ra] += strong[rb]
        accepted.append(e)
    return accepted


def cluster(
    ads: Mapping[int, AdNode],
    edges: Sequence[Edge],
    decisions: Sequence[Decision] = (),
    capped_ads: Set[int] = frozenset(),
    controls: Mapping[str, Sequence[int]] | None = None,
) -> Clustering:
    """Personas, then their moves, then networks: everything a region of the graph needs.

    ``capped_ads``: ads whose persona is in a template group too large to keep, of which the region
    holds only a part (an increment does not re-cluster the whole of such a group). ``controls``:
    gemeente -> days of recorded interventions (moves right after one are not group travel)."""
    personas, persona_of, ambiguous, conflicts = cluster_personas(ads, edges, decisions)
    if ambiguous:  # one identity, several numbers: a copy, as far as networks are concerned
        edges = [replace(e, verdict=VERDICT_COPY) if (e.a, e.b) in ambiguous else e for e in edges]
    moves = persona_moves(personas, ads)
    co_moves = co_movement(moves, controls)
    capped = {persona_of[a] for a in capped_ads if a in persona_of}
    network_of, networks, net_edges, template_edges, groups, more, found = cluster_networks(
        personas, persona_of, edges, co_moves, decisions, ads, capped
    )
    return Clustering(
        persona_of=persona_of,
        personas=personas,
        network_of=network_of,
        networks=networks,
        edges=net_edges,
        template_edges=template_edges,
        copy_groups=groups,
        moves=moves,
        conflicts=conflicts + more,
        template_groups=found.kept_members(),
        template_state=found.states(),
    )
