"""Read queries for the network pages of the web app (``/netwerken``, ``/netwerken/{id}``).

Everything here reads the linking stage's stored results (networks, personas, links, roles, hubs,
decisions) and the base tables (ads, versions, contact points, photos, extractions); nothing is
written and no linking decision is made here. Contact points, photos and the weekly timeline come
from the base tables rather than from the stage's internal profile JSON, so the page keeps working
when the stage changes how it stores its working data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select

from zicht.analysis.counts import UNKNOWN_CODE, local_day, period_key, period_start, period_starts
from zicht.extract.photos import NEAR_DUPLICATE_DISTANCE, hamming
from zicht.linking.keys import contact_key, contact_label, photo_keys
from zicht.reference import gemeente
from zicht.store.models import (
    Ad,
    AdContact,
    AdPhoto,
    AdVersion,
    ContactPoint,
    Extraction,
    Link,
    LinkAd,
    LinkDecision,
    LinkHub,
    LinkNetwork,
    LinkPersona,
    LinkRole,
    Photo,
    Site,
)
from zicht.store.store import Store

CHUNK = 900  # ids per IN (...) list
MAX_PAIRS = (
    100  # linked ad pairs listed on one page (graph pairs first); each pair also has a page of its own
)
MAX_WEEKS = 160  # the timeline of a network online for years is cut to its last three years
MAX_PHOTOS_GROUPED = 1000  # above this, photos are grouped by identical hash only (no pairwise test)
ALL_PHOTOS_UP_TO = 40  # more photo groups than this: only photos that tie personas together are drawn
LIST_ORDERS = ("size", "recent")
# More persona - persona links than this per persona (a template or copy clique): draw each persona's
# STRONGEST_PER_PERSONA strongest only.
DENSE_EDGES_PER_PERSONA = 3
STRONGEST_PER_PERSONA = 3


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def gemeente_name(code: str | None) -> str:
    if not code or code == UNKNOWN_CODE:
        return UNKNOWN_CODE
    g = gemeente(code)
    return g.name if g else code


def phash_hex(phash: int) -> str:
    """A stored (signed 64-bit) perceptual hash as the 16 hex digits people compare."""
    return f"{phash & ((1 << 64) - 1):016x}"


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class NetworkListRow:
    id: int
    role: str
    roles: list[str]
    n_personas: int
    n_ads: int
    n_contacts: int
    first_seen: datetime | None
    last_seen: datetime | None
    labels: list[str]
    gemeenten: list[str]  # names, most ads first


@dataclass(frozen=True)
class NetworkList:
    rows: list[NetworkListRow]
    total: int
    roles: list[str]  # every main role present in the store, for the filter


def network_list(
    store: Store,
    *,
    role: str | None = None,
    min_personas: int = 2,
    order: str = "size",
    limit: int = 50,
    offset: int = 0,
) -> NetworkList:
    """Networks, biggest (or most recently seen) first, with the gemeenten their current ads name."""
    if order not in LIST_ORDERS:
        raise ValueError(f"order must be one of {', '.join(LIST_ORDERS)}")
    with store.session() as s:
        where = [LinkNetwork.n_personas >= min_personas]
        if role:
            where.append(LinkNetwork.role == role)
        total = s.scalar(select(func.count()).select_from(LinkNetwork).where(*where)) or 0
        q = select(LinkNetwork).where(*where)
        if order == "recent":
            q = q.order_by(LinkNetwork.last_seen.desc(), LinkNetwork.n_ads.desc(), LinkNetwork.id)
        else:
            q = q.order_by(LinkNetwork.n_personas.desc(), LinkNetwork.n_ads.desc(), LinkNetwork.id)
        nets = list(s.scalars(q.limit(limit).offset(offset)))
        ids = [n.id for n in nets]
        places: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for chunk in _chunks(ids):
            rows = s.execute(
                select(LinkAd.network_id, Extraction.gemeente_code, func.count())
                .join(Ad, Ad.id == LinkAd.ad_id)
                .join(Extraction, Extraction.ad_version_id == Ad.current_version_id)
                .where(LinkAd.network_id.in_(chunk), Extraction.gemeente_code.is_not(None))
                .group_by(LinkAd.network_id, Extraction.gemeente_code)
            )
            for nid, code, n in rows:
                places[nid].append((-n, gemeente_name(code)))
        roles = sorted(r for r in s.scalars(select(LinkNetwork.role).distinct()) if r)
    return NetworkList(
        [
            NetworkListRow(
                n.id,
                n.role,
                list(n.roles or []),
                n.n_personas,
                n.n_ads,
                n.n_contacts,
                n.first_seen,
                n.last_seen,
                list((n.summary or {}).get("labels", [])),
                [name for _, name in sorted(places.get(n.id, []))],
            )
            for n in nets
        ],
        total,
        roles,
    )


# ---------------------------------------------------------------- one network


@dataclass(frozen=True)
class PagePersona:
    id: int
    label: str
    n_ads: int
    role: str
    role_evidence: dict
    first_seen: datetime | None
    last_seen: datetime | None
    contacts: list[str]  # contact labels ("phone:+316...")


@dataclass(frozen=True)
class PageAd:
    id: int
    site: str
    source_id: str
    url: str
    title: str
    status: str
    persona_id: int | None
    first_seen: datetime
    last_seen: datetime
    gemeente: str | None  # name, from the current version


@dataclass(frozen=True)
class PageContact:
    label: str  # "phone:+31612345678", the linking stage's name for it
    kind: str  # as extracted: phone, whatsapp, email, or a messenger
    value: str
    personas: list[int]
    ads: list[int]
    hub: bool  # shared by so many ads that linking does not use it
    hub_ads: int | None  # how many ads hold it, store-wide, when it is a hub

    @property
    def node_id(self) -> str:
        return f"contact:{self.label}"


@dataclass(frozen=True)
class PagePhoto:
    """Near-duplicate photos (pHash within the linking distance) shown as one node."""

    photo_ids: list[int]
    phashes: list[str]  # hex
    personas: list[int]
    ads: list[int]
    hub: bool

    @property
    def node_id(self) -> str:
        return f"photo:{self.photo_ids[0]}"


@dataclass(frozen=True)
class PageLink:
    channel: str
    score: float
    verdict: str
    hub: bool
    reason: str
    evidence: dict
    pair_score: float


@dataclass(frozen=True)
class PageDecision:
    id: int
    ad_a: int
    ad_b: int
    level: str
    decision: str
    user: str
    reason: str
    created_at: datetime
    applied: bool  # the network was (re)built after it; otherwise the next linking run applies it


@dataclass
class PagePair:
    ad_a: int
    ad_b: int
    persona_a: int | None
    persona_b: int | None
    links: list[PageLink] = field(default_factory=list)
    decisions: list[PageDecision] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"pair-{self.ad_a}-{self.ad_b}"

    @property
    def score(self) -> float:
        return max((lk.pair_score for lk in self.links), default=0.0)

    @property
    def main(self) -> PageLink | None:
        """The link that says what the pair is (a move is only shown beside it)."""
        others = [lk for lk in self.links if lk.channel != "move"] or self.links
        return max(others, key=lambda lk: (lk.pair_score, lk.score), default=None)

    @property
    def same_persona(self) -> bool:
        return self.persona_a is not None and self.persona_a == self.persona_b


@dataclass(frozen=True)
class PageRole:
    role: str
    persona_id: int | None
    subject: str
    score: float
    evidence: dict


@dataclass(frozen=True)
class TimelineWeek:
    key: str  # "2026-W41"
    start: date
    ads: int  # distinct ads online that week
    gemeenten: list[tuple[str, str, int]]  # (code, name, ads), most ads first


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    channel: str  # a link channel, or "uses" (persona - contact point) / "shows" (persona - photo)
    score: float
    pair: str | None  # the pair key whose why-linked details explain a persona - persona edge
    verdict: str = ""
    hub: bool = False


@dataclass(frozen=True)
class NetworkPage:
    id: int
    role: str
    roles_present: list[str]
    n_personas: int
    n_ads: int
    n_contacts: int
    first_seen: datetime | None
    last_seen: datetime | None
    updated_at: datetime
    linking_version: str
    personas: list[PagePersona]
    ads: list[PageAd]
    contacts: list[PageContact]
    photos: list[PagePhoto]
    photos_drawn: list[PagePhoto]
    pairs: list[PagePair]
    pairs_total: int
    roles: list[PageRole]
    weeks: list[TimelineWeek]
    weeks_cut: bool
    decisions: list[PageDecision]
    graph_edges: list[GraphEdge]
    graph_sparse: bool
    gemeenten: list[str] = field(default_factory=list)

    def persona(self, pid: int | None) -> PagePersona | None:
        return next((p for p in self.personas if p.id == pid), None)

    def pair(self, a: int, b: int) -> PagePair | None:
        lo, hi = sorted((a, b))
        return next((p for p in self.pairs if (p.ad_a, p.ad_b) == (lo, hi)), None)


def network_page(store: Store, network_id: int, *, max_pairs: int | None = MAX_PAIRS) -> NetworkPage | None:
    """All a network page shows, in a few set queries; None when there is no such network.

    ``pairs`` holds the first ``max_pairs`` linked pairs (all with None): those drawn in the graph,
    then those with decisions, then between personas before within one, strongest first.
    """
    with store.session() as s:
        net = s.get(LinkNetwork, network_id)
        if net is None:
            return None
        personas = [
            PagePersona(
                p.id,
                p.label,
                p.n_ads,
                p.role,
                dict(p.role_evidence or {}),
                p.first_seen,
                p.last_seen,
                list(p.contacts or []),
            )
            for p in s.scalars(
                select(LinkPersona).where(LinkPersona.network_id == network_id).order_by(LinkPersona.id)
            )
        ]
        ads = [
            PageAd(
                ad_id,
                site,
                source_id,
                url,
                title or "",
                status,
                pid,
                first,
                last,
                gemeente_name(gm) if gm else None,
            )
            for ad_id, site, source_id, url, title, status, pid, first, last, gm in s.execute(
                select(
                    Ad.id,
                    Site.name,
                    Ad.source_id,
                    Ad.url,
                    AdVersion.title,
                    Ad.status,
                    LinkAd.persona_id,
                    Ad.first_seen,
                    Ad.last_seen,
                    Extraction.gemeente_code,
                )
                .join(LinkAd, LinkAd.ad_id == Ad.id)
                .join(Site, Site.id == Ad.site_id)
                .outerjoin(AdVersion, AdVersion.id == Ad.current_version_id)
                .outerjoin(Extraction, Extraction.ad_version_id == Ad.current_version_id)
                .where(LinkAd.network_id == network_id)
                .order_by(LinkAd.persona_id, Ad.id)
            )
        ]
        ad_ids = [a.id for a in ads]
        persona_of = {a.id: a.persona_id for a in ads}
        in_network = set(ad_ids)

        contact_rows: list[tuple[int, str, str]] = []
        photo_rows: list[tuple[int, int, int]] = []
        stays: list[tuple[int, datetime, datetime, str | None]] = []
        links: list[Link] = []
        decision_rows: list[LinkDecision] = []
        for chunk in _chunks(ad_ids):
            contact_rows.extend(
                s.execute(
                    select(AdVersion.ad_id, ContactPoint.kind, ContactPoint.value)
                    .join(AdContact, AdContact.ad_version_id == AdVersion.id)
                    .join(ContactPoint, ContactPoint.id == AdContact.contact_point_id)
                    .where(AdVersion.ad_id.in_(chunk))
                    .distinct()
                )
            )
            photo_rows.extend(
                s.execute(
                    select(AdVersion.ad_id, Photo.id, Photo.phash)
                    .join(AdPhoto, AdPhoto.ad_version_id == AdVersion.id)
                    .join(Photo, Photo.id == AdPhoto.photo_id)
                    .where(AdVersion.ad_id.in_(chunk), Photo.phash.is_not(None))
                    .distinct()
                )
            )
            stays.extend(
                s.execute(
                    select(
                        AdVersion.ad_id, AdVersion.first_seen, AdVersion.last_seen, Extraction.gemeente_code
                    )
                    .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
                    .where(AdVersion.ad_id.in_(chunk))
                )
            )
            links.extend(
                lk for lk in s.scalars(select(Link).where(Link.ad_a.in_(chunk))) if lk.ad_b in in_network
            )
            decision_rows.extend(
                s.scalars(
                    select(LinkDecision).where(
                        or_(LinkDecision.ad_a.in_(chunk), LinkDecision.ad_b.in_(chunk))
                    )
                )
            )
        roles = [
            PageRole(r.role, r.persona_id, r.subject, r.score, dict(r.evidence or {}))
            for r in s.scalars(
                select(LinkRole).where(LinkRole.network_id == network_id).order_by(LinkRole.id)
            )
        ]

        # hubs among this network's contact points and photos
        labels = {contact_label(kind, value) for _, kind, value in contact_rows}
        label_keys = {contact_key(label): label for label in labels}
        photo_key_of: dict[int, set[int]] = defaultdict(set)
        for _, _, phash in photo_rows:
            for key in photo_keys(phash):
                photo_key_of[key].add(phash)
        hub_count: dict[int, int] = {}
        wanted = sorted(set(label_keys) | set(photo_key_of))
        for chunk in _chunks(wanted):
            for key, n in s.execute(select(LinkHub.key, LinkHub.n_ads).where(LinkHub.key.in_(chunk))):
                hub_count[key] = n

    contacts = _contacts(contact_rows, persona_of, label_keys, hub_count)
    hub_phashes = {ph for key in hub_count if key in photo_key_of for ph in photo_key_of[key]}
    photos = _photo_groups(photo_rows, persona_of, hub_phashes)
    # a big network's graph stays readable: then only photos that tie personas together (or hubs) are drawn
    many = len(photos) > ALL_PHOTOS_UP_TO
    drawn = [p for p in photos if len(p.personas) > 1 or p.hub] if many else photos

    seen_dec: dict[tuple[int, int], list[PageDecision]] = defaultdict(list)
    decisions = []
    for d in sorted({d.id: d for d in decision_rows}.values(), key=lambda d: (d.created_at, d.id)):
        row = PageDecision(
            d.id,
            d.ad_a,
            d.ad_b,
            d.level,
            d.decision,
            d.user,
            d.reason,
            d.created_at,
            d.created_at <= net.updated_at,
        )
        decisions.append(row)
        seen_dec[(d.ad_a, d.ad_b)].append(row)

    by_pair: dict[tuple[int, int], PagePair] = {}
    for lk in links:
        pair = by_pair.get((lk.ad_a, lk.ad_b))
        if pair is None:
            pair = by_pair[(lk.ad_a, lk.ad_b)] = PagePair(
                lk.ad_a, lk.ad_b, persona_of.get(lk.ad_a), persona_of.get(lk.ad_b)
            )
        pair.links.append(
            PageLink(
                lk.channel, lk.score, lk.verdict, lk.hub, lk.reason, dict(lk.evidence or {}), lk.pair_score
            )
        )
    for pair in by_pair.values():
        pair.links.sort(key=lambda lk: (-lk.score, lk.channel))
        pair.decisions = seen_dec.get((pair.ad_a, pair.ad_b), [])

    graph_edges, graph_pairs, sparse = _graph_edges(personas, contacts, drawn, by_pair)
    ordered = sorted(
        by_pair.values(),
        key=lambda p: (
            (p.ad_a, p.ad_b) not in graph_pairs,
            not p.decisions,
            p.same_persona,
            -p.score,
            p.ad_a,
            p.ad_b,
        ),
    )
    weeks, cut = _timeline(stays)
    totals: dict[str, int] = defaultdict(int)
    for w in weeks:
        for _, name, n in w.gemeenten:
            totals[name] += n
    return NetworkPage(
        id=net.id,
        role=net.role,
        roles_present=list(net.roles or []),
        n_personas=net.n_personas,
        n_ads=net.n_ads,
        n_contacts=net.n_contacts,
        first_seen=net.first_seen,
        last_seen=net.last_seen,
        updated_at=net.updated_at,
        linking_version=net.linking_version,
        personas=personas,
        ads=ads,
        contacts=contacts,
        photos=photos,
        photos_drawn=drawn,
        pairs=ordered if max_pairs is None else ordered[:max_pairs],
        pairs_total=len(ordered),
        roles=roles,
        weeks=weeks,
        weeks_cut=cut,
        decisions=decisions,
        graph_edges=graph_edges,
        graph_sparse=sparse,
        gemeenten=[
            name for name, _ in sorted(totals.items(), key=lambda x: (-x[1], x[0])) if name != UNKNOWN_CODE
        ],
    )


def _contacts(
    rows: list[tuple[int, str, str]],
    persona_of: dict[int, int | None],
    label_keys: dict[int, str],
    hub_count: dict[int, int],
) -> list[PageContact]:
    ads: dict[str, set[int]] = defaultdict(set)
    kinds: dict[str, str] = {}
    for ad_id, kind, value in rows:
        label = contact_label(kind, value)
        ads[label].add(ad_id)
        kinds.setdefault(label, kind)
    hub_of = {label: hub_count[key] for key, label in label_keys.items() if key in hub_count}
    out = []
    for label in sorted(ads):
        kind = kinds[label]
        value = label.split(":", 1)[1]
        personas = sorted({p for a in ads[label] if (p := persona_of.get(a)) is not None})
        out.append(
            PageContact(label, kind, value, personas, sorted(ads[label]), label in hub_of, hub_of.get(label))
        )
    # most personas first: the contact points that tie the network together lead
    return sorted(out, key=lambda c: (-len(c.personas), -len(c.ads), c.label))


def _photo_groups(
    rows: list[tuple[int, int, int]], persona_of: dict[int, int | None], hub_phashes: set[int]
) -> list[PagePhoto]:
    """Photos grouped as the linking stage compares them: near-duplicates by pHash distance."""
    phash_of: dict[int, int] = {}
    ads_of: dict[int, set[int]] = defaultdict(set)
    for ad_id, photo_id, phash in rows:
        phash_of[photo_id] = phash
        ads_of[photo_id].add(ad_id)
    ids = sorted(phash_of)
    parent = {i: i for i in ids}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(ids) <= MAX_PHOTOS_GROUPED:
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                if hamming(phash_of[a], phash_of[b]) <= NEAR_DUPLICATE_DISTANCE:
                    parent[find(b)] = find(a)
    else:
        first: dict[int, int] = {}
        for i in ids:
            parent[i] = first.setdefault(phash_of[i], i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in ids:
        groups[find(i)].append(i)
    out = []
    for members in groups.values():
        members.sort()
        ad_ids = sorted({a for m in members for a in ads_of[m]})
        out.append(
            PagePhoto(
                members,
                sorted({phash_hex(phash_of[m]) for m in members}),
                sorted({p for a in ad_ids if (p := persona_of.get(a)) is not None}),
                ad_ids,
                any(phash_of[m] in hub_phashes for m in members),
            )
        )
    return sorted(out, key=lambda p: (-len(p.personas), -len(p.ads), p.photo_ids[0]))


def _graph_edges(
    personas: list[PagePersona],
    contacts: list[PageContact],
    photos: list[PagePhoto],
    pairs: dict[tuple[int, int], PagePair],
) -> tuple[list[GraphEdge], set[tuple[int, int]], bool]:
    """Persona - contact point, persona - photo, and per persona pair and channel its strongest link
    (in a dense network only each persona's strongest few: the third value says so)."""
    edges = []
    known = {p.id for p in personas}
    for c in contacts:
        for pid in c.personas:
            if pid in known:
                edges.append(GraphEdge(f"persona:{pid}", c.node_id, "uses", 1.0, None, hub=c.hub))
    for ph in photos:
        for pid in ph.personas:
            if pid in known:
                edges.append(GraphEdge(f"persona:{pid}", ph.node_id, "shows", 1.0, None, hub=ph.hub))
    best: dict[tuple[int, int, str], tuple[PageLink, PagePair]] = {}
    for pair in pairs.values():
        pa, pb = pair.persona_a, pair.persona_b
        if pa is None or pb is None or pa == pb or pa not in known or pb not in known:
            continue
        for lk in pair.links:
            if lk.verdict == "weak":
                continue
            key = (min(pa, pb), max(pa, pb), lk.channel)
            if key not in best or lk.score > best[key][0].score:
                best[key] = (lk, pair)
    chosen = sorted(best)
    sparse = len(chosen) > DENSE_EDGES_PER_PERSONA * max(len(known), 1)
    if sparse:
        # A template or copy group links every persona with every other: draw each persona's strongest
        # few links (counted links before hubs), so the structure stays visible; all pairs are listed.
        ranked = sorted(chosen, key=lambda k: (best[k][0].hub, -best[k][0].score, k))
        per: dict[int, int] = defaultdict(int)
        keep = set()
        for k in ranked:
            pa, pb, _ = k
            if per[pa] < STRONGEST_PER_PERSONA or per[pb] < STRONGEST_PER_PERSONA:
                keep.add(k)
                per[pa] += 1
                per[pb] += 1
        chosen = [k for k in chosen if k in keep]
    used = set()
    for pa, pb, channel in chosen:
        lk, pair = best[(pa, pb, channel)]
        edges.append(
            GraphEdge(f"persona:{pa}", f"persona:{pb}", channel, lk.score, pair.key, lk.verdict, lk.hub)
        )
        used.add((pair.ad_a, pair.ad_b))
    return edges, used, sparse


def _timeline(stays: list[tuple[int, datetime, datetime, str | None]]) -> tuple[list[TimelineWeek], bool]:
    """Per ISO week (Dutch calendar), the ads online and the gemeenten their versions named."""
    cells: dict[date, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for ad_id, first, last, code in stays:
        start, end = period_start(local_day(first), "week"), local_day(last)
        for week in period_starts(start, end, "week"):
            cells[week][code or UNKNOWN_CODE].add(ad_id)
    if not cells:
        return [], False
    starts = period_starts(min(cells), max(cells), "week")
    cut = len(starts) > MAX_WEEKS
    starts = starts[-MAX_WEEKS:]
    out = []
    for week in starts:
        by_code = cells.get(week, {})
        gms = sorted(
            ((code, gemeente_name(code), len(ads)) for code, ads in by_code.items()),
            key=lambda g: (-g[2], g[1]),
        )
        out.append(
            TimelineWeek(
                period_key(week, "week"), week, len(set().union(*by_code.values())) if by_code else 0, gms
            )
        )
    return out, cut


# ---------------------------------------------------------------- an ad's place in the networks


@dataclass(frozen=True)
class AdNetwork:
    persona_id: int | None
    persona_label: str
    persona_ads: int
    network_id: int | None
    network_role: str
    network_personas: int
    network_ads: int


def ad_network(store: Store, ad_id: int) -> AdNetwork | None:
    """The persona and network of one ad (for a link from the ad page); None before linking ran."""
    with store.session() as s:
        row = s.execute(select(LinkAd.persona_id, LinkAd.network_id).where(LinkAd.ad_id == ad_id)).first()
        if row is None or row[1] is None:
            return None
        pid, nid = row
        persona = s.get(LinkPersona, pid) if pid is not None else None
        net = s.get(LinkNetwork, nid)
        if net is None:
            return None
        return AdNetwork(
            pid,
            persona.label if persona else "",
            persona.n_ads if persona else 0,
            nid,
            net.role,
            net.n_personas,
            net.n_ads,
        )
