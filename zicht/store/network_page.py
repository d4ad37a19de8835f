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

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

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
# A national network holds hundreds of personas and thousands of linked pairs: everything the page
# renders is bounded. Pairs are listed a page at a time (their evidence is loaded for that page only,
# or for one pair on demand); the other tables are paged by the view; the graph draws at most
# GRAPH_MAX_PERSONAS personas (those with the most ads) and at most
# GRAPH_MAX_CONTACTS contact points and GRAPH_MAX_PHOTOS photo groups among them.
PAIRS_PER_PAGE = 25
GRAPH_MAX_PERSONAS = 60
GRAPH_MAX_CONTACTS = 30
GRAPH_MAX_PHOTOS = 30
MAX_WEEKS = 160  # the timeline of a network online for years is cut to its last three years
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
    pairs: list[PagePair]  # this page of the linked pairs, with their evidence
    pairs_total: int
    roles: list[PageRole]
    weeks: list[TimelineWeek]
    weeks_cut: bool
    decisions: list[PageDecision]
    graph_edges: list[GraphEdge]
    graph_sparse: bool
    gemeenten: list[str] = field(default_factory=list)
    pair_page: int = 1
    pair_pages: int = 1
    personas_drawn: int = 0  # personas in the graph (all, up to GRAPH_MAX_PERSONAS)
    contacts_drawn: list[PageContact] = field(default_factory=list)

    def persona(self, pid: int | None) -> PagePersona | None:
        return next((p for p in self.personas if p.id == pid), None)

    def persona_of(self, ad_id: int | None) -> int | None:
        return next((a.persona_id for a in self.ads if a.id == ad_id), None)


def _ads_of_network(s, network_id: int) -> list[PageAd]:  # type: ignore[no-untyped-def]
    return [
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


def _decision(d: LinkDecision, built: datetime) -> PageDecision:
    return PageDecision(
        d.id, d.ad_a, d.ad_b, d.level, d.decision, d.user, d.reason, d.created_at, d.created_at <= built
    )


def _page_links(lk: Link) -> PageLink:
    return PageLink(
        lk.channel, lk.score, lk.verdict, lk.hub, lk.reason, dict(lk.evidence or {}), lk.pair_score
    )


def network_page(store: Store, network_id: int, *, pair_page: int = 1) -> NetworkPage | None:
    """All a network page shows, in a few set queries; None when there is no such network.

    Links are read as bare columns (no evidence) to order the pairs and choose the graph's edges; the
    evidence is read only for the ``PAIRS_PER_PAGE`` pairs of page ``pair_page``: those drawn in the
    graph first, then those with decisions, then between personas before within one, strongest first.
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
        ads = _ads_of_network(s, network_id)
        ad_ids = [a.id for a in ads]
        persona_of = {a.id: a.persona_id for a in ads}

        contact_rows: list[tuple[int, str, str]] = []
        photo_rows: list[tuple[int, int, int]] = []
        stays: list[tuple[int, datetime, datetime, str | None]] = []
        decision_rows: dict[int, LinkDecision] = {}
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
            for d in s.scalars(
                select(LinkDecision).where(or_(LinkDecision.ad_a.in_(chunk), LinkDecision.ad_b.in_(chunk)))
            ):
                decision_rows[d.id] = d
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
        for phash in {phash for _, _, phash in photo_rows}:
            for key in photo_keys(phash):
                photo_key_of[key].add(phash)
        hub_count: dict[int, int] = {}
        wanted = sorted(set(label_keys) | set(photo_key_of))
        for chunk in _chunks(wanted):
            for key, n in s.execute(select(LinkHub.key, LinkHub.n_ads).where(LinkHub.key.in_(chunk))):
                hub_count[key] = n

        contacts = _contacts(contact_rows, persona_of, label_keys, hub_count)
        hub_phashes = {ph for key in hub_count if key in photo_key_of for ph in photo_key_of[key]}
        photos = _photo_groups(photo_rows, persona_of, hub_phashes, photo_key_of)

        decisions = [
            _decision(d, net.updated_at)
            for d in sorted(decision_rows.values(), key=lambda d: (d.created_at, d.id))
        ]
        decided = {(d.ad_a, d.ad_b) for d in decisions}

        # A national network has thousands of linked pairs: the database ranks and counts them, and
        # only the graph's edges (one per persona pair and channel) and one page of pairs come back.
        drawn_personas, drawn_contacts, drawn_photos = _drawn(personas, contacts, photos)
        best = _best_edges(s, network_id, None if len(drawn_personas) == len(personas) else drawn_personas)
        graph_edges, graph_pairs, sparse = _graph_edges(drawn_personas, drawn_contacts, drawn_photos, best)
        total, shown, page, pages = _pair_page(s, network_id, graph_pairs, decided, persona_of, pair_page)
        pairs = _pairs(s, shown, persona_of, decisions)

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
        photos_drawn=drawn_photos,
        pairs=pairs,
        pairs_total=total,
        roles=roles,
        weeks=weeks,
        weeks_cut=cut,
        decisions=decisions,
        graph_edges=graph_edges,
        graph_sparse=sparse,
        gemeenten=[
            name for name, _ in sorted(totals.items(), key=lambda x: (-x[1], x[0])) if name != UNKNOWN_CODE
        ],
        pair_page=page,
        pair_pages=pages,
        personas_drawn=len(drawn_personas),
        contacts_drawn=drawn_contacts,
    )


def _these_pairs(pairs: Sequence[tuple[int, int]]):  # type: ignore[no-untyped-def]
    """Links of these pairs: an OR of (ad_a, ad_b) equalities, which both databases answer from the
    pair index (SQLite scans the whole table for a row-value IN list)."""
    return or_(*(and_(Link.ad_a == a, Link.ad_b == b) for a, b in pairs))


def _in_network(network_id: int):  # type: ignore[no-untyped-def]
    """Links with both ads in the network, and the personas of both ends."""
    la, lb = aliased(LinkAd), aliased(LinkAd)
    return (
        la,
        lb,
        (
            la.ad_id == Link.ad_a,
            lb.ad_id == Link.ad_b,
            la.network_id == network_id,
            lb.network_id == network_id,
        ),
    )


def _best_edges(  # type: ignore[no-untyped-def]
    s, network_id: int, among: list[PagePersona] | None
) -> dict[tuple[int, int, str], tuple[float, int, int, bool, str]]:
    """Per persona pair and channel (both among the drawn personas), its strongest counted link:
    (score, ad_a, ad_b, hub, verdict)."""
    la, lb, on = _in_network(network_id)
    where = [on[2], on[3], la.persona_id != lb.persona_id, Link.verdict != "weak"]
    if among is not None:
        ids = [p.id for p in among]
        where += [la.persona_id.in_(ids), lb.persona_id.in_(ids)]
    pa = case((la.persona_id < lb.persona_id, la.persona_id), else_=lb.persona_id).label("pa")
    pb = case((la.persona_id < lb.persona_id, lb.persona_id), else_=la.persona_id).label("pb")
    rank = (
        func.row_number()
        .over(partition_by=(pa, pb, Link.channel), order_by=(Link.score.desc(), Link.ad_a, Link.ad_b))
        .label("rank")
    )
    ranked = (
        select(pa, pb, Link.channel, Link.score, Link.ad_a, Link.ad_b, Link.hub, Link.verdict, rank)
        .select_from(Link)
        .join(la, on[0])
        .join(lb, on[1])
        .where(*where)
        .subquery()
    )
    c = ranked.c
    rows = s.execute(
        select(c.pa, c.pb, c.channel, c.score, c.ad_a, c.ad_b, c.hub, c.verdict).where(c.rank == 1)
    )
    return {(p, q, channel): (score, a, b, hub, verdict) for p, q, channel, score, a, b, hub, verdict in rows}


def _pair_page(  # type: ignore[no-untyped-def]
    s,
    network_id: int,
    graph_pairs: set[tuple[int, int]],
    decided: set[tuple[int, int]],
    persona_of: dict[int, int | None],
    wanted: int,
) -> tuple[int, list[tuple[int, int]], int, int]:
    """The linked pairs in page order (graph pairs, then decided ones, then between personas before
    within one, strongest first): how many, the pairs of page ``wanted``, the page and the pages."""
    la, lb, on = _in_network(network_id)
    within = [Link.ad_a == la.ad_id, Link.ad_b == lb.ad_id, on[2], on[3]]
    pair = select(Link.ad_a, Link.ad_b).join(la, on[0]).join(lb, on[1]).where(*within).distinct().subquery()
    total = s.scalar(select(func.count()).select_from(pair)) or 0
    pages = max(1, -(-total // PAIRS_PER_PAGE))
    page = max(1, min(wanted, pages))
    start, end = (page - 1) * PAIRS_PER_PAGE, page * PAIRS_PER_PAGE
    first = sorted(graph_pairs | decided)
    scores: dict[tuple[int, int], float] = {}
    for chunk in _chunks(first, 100):
        for a, b, score in s.execute(
            select(Link.ad_a, Link.ad_b, func.max(Link.pair_score))
            .where(_these_pairs(chunk))
            .group_by(Link.ad_a, Link.ad_b)
        ):
            scores[(a, b)] = score
    lead = sorted(
        scores,
        key=lambda k: (
            k not in graph_pairs,
            k not in decided,
            persona_of.get(k[0]) == persona_of.get(k[1]),
            -scores[k],
            k,
        ),
    )
    shown = lead[start:end]
    if len(shown) < end - start:
        # The rest in the database's order, without a NOT IN over the leading pairs (a scan of every
        # pair against a list): read from the same offset a window long enough to skip them, and
        # count, from their keys, how many of them the database's order puts before that offset.
        offset, wanted_rows = max(0, start - len(lead)), end - start - len(shown)
        same = func.max(case((la.persona_id == lb.persona_id, 1), else_=0))
        score = func.max(Link.pair_score)
        window = s.execute(
            select(Link.ad_a, Link.ad_b, same, score)
            .join(la, on[0])
            .join(lb, on[1])
            .where(on[2], on[3])
            .group_by(Link.ad_a, Link.ad_b)
            .order_by(same, score.desc(), Link.ad_a, Link.ad_b)
            .offset(offset)
            .limit(wanted_rows + 2 * len(lead))
        ).all()
        skip = 0
        if window and offset:
            a0, b0, same0, score0 = window[0]
            first = (same0, -score0, a0, b0)
            skip = sum(
                (int(persona_of.get(k[0]) == persona_of.get(k[1])), -scores[k], k[0], k[1]) < first
                for k in lead
            )
        leading = set(lead)
        rest = [(a, b) for a, b, _, _ in window if (a, b) not in leading]
        shown += rest[skip : skip + wanted_rows]
    return total, shown, page, pages


def _pairs(  # type: ignore[no-untyped-def]
    s, keys: Sequence[tuple[int, int]], persona_of: dict[int, int | None], decisions: list[PageDecision]
) -> list[PagePair]:
    """The listed pairs with every channel's score, evidence and reason, in the order given."""
    by_pair = {k: PagePair(k[0], k[1], persona_of.get(k[0]), persona_of.get(k[1])) for k in keys}
    for chunk in _chunks(list(keys), 100):
        for lk in s.scalars(select(Link).where(_these_pairs(chunk))):
            by_pair[(lk.ad_a, lk.ad_b)].links.append(_page_links(lk))
    for d in decisions:
        if (d.ad_a, d.ad_b) in by_pair:
            by_pair[(d.ad_a, d.ad_b)].decisions.append(d)
    for pair in by_pair.values():
        pair.links.sort(key=lambda lk: (-lk.score, lk.channel))
    return [by_pair[k] for k in keys]


@dataclass(frozen=True)
class PairView:
    """One linked pair of a network, for its own page and the why-linked panel."""

    network_id: int
    pair: PagePair
    ads: dict[int, PageAd]


def pair_view(store: Store, network_id: int, a: int, b: int) -> PairView | None:
    """Why two ads of a network are linked; None unless both are in it and linked (or decided on)."""
    lo, hi = sorted((a, b))
    with store.session() as s:
        net = s.get(LinkNetwork, network_id)
        if net is None or lo == hi:
            return None
        assigned = dict(
            s.execute(
                select(LinkAd.ad_id, LinkAd.persona_id).where(
                    LinkAd.ad_id.in_([lo, hi]), LinkAd.network_id == network_id
                )
            ).all()
        )
        if len(assigned) != 2:
            return None
        decisions = [
            _decision(d, net.updated_at)
            for d in s.scalars(
                select(LinkDecision)
                .where(LinkDecision.ad_a == lo, LinkDecision.ad_b == hi)
                .order_by(LinkDecision.created_at, LinkDecision.id)
            )
        ]
        pair = _pairs(s, [(lo, hi)], assigned, decisions)[0]
        if not pair.links and not pair.decisions:
            return None
        ads = {
            ad.id: ad
            for ad in _ads_of_network(s, network_id)  # only two are needed, but this keeps one definition
            if ad.id in (lo, hi)
        }
    return PairView(network_id, pair, ads)


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
    rows: list[tuple[int, int, int]],
    persona_of: dict[int, int | None],
    hub_phashes: set[int],
    key_of: dict[int, set[int]],
) -> list[PagePhoto]:
    """Photos grouped as the linking stage compares them: near-duplicates by pHash distance, tested
    only among hashes that share a band key (the stage's candidates), so hundreds of photos stay cheap."""
    phash_of: dict[int, int] = {}
    ads_of: dict[int, set[int]] = defaultdict(set)
    for ad_id, photo_id, phash in rows:
        phash_of[photo_id] = phash
        ads_of[photo_id].add(ad_id)
    parent = {ph: ph for ph in set(phash_of.values())}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for bucket in key_of.values():
        if len(bucket) < 2:
            continue
        members = sorted(bucket)
        for n, x in enumerate(members):
            for y in members[n + 1 :]:
                if find(x) != find(y) and hamming(x, y) <= NEAR_DUPLICATE_DISTANCE:
                    parent[find(y)] = find(x)
    groups: dict[int, list[int]] = defaultdict(list)
    for photo_id in sorted(phash_of):
        groups[find(phash_of[photo_id])].append(photo_id)
    out = []
    for members in groups.values():
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


def _drawn(
    personas: list[PagePersona], contacts: list[PageContact], photos: list[PagePhoto]
) -> tuple[list[PagePersona], list[PageContact], list[PagePhoto]]:
    """What the graph draws: every node of a small network; of a big one the personas with the most
    ads, and the contact points and photos that tie the most of them together."""
    if len(personas) > GRAPH_MAX_PERSONAS:
        chosen = sorted(personas, key=lambda p: (-p.n_ads, p.id))[:GRAPH_MAX_PERSONAS]
        keep = {p.id for p in chosen}
        personas = [p for p in personas if p.id in keep]
    known = {p.id for p in personas}
    contacts = [c for c in contacts if known.intersection(c.personas)][:GRAPH_MAX_CONTACTS]
    if len(photos) > ALL_PHOTOS_UP_TO:
        photos = [p for p in photos if len(p.personas) > 1 or p.hub]
    photos = [p for p in photos if known.intersection(p.personas)][:GRAPH_MAX_PHOTOS]
    return personas, contacts, photos


def _graph_edges(
    personas: list[PagePersona],
    contacts: list[PageContact],
    photos: list[PagePhoto],
    best: dict[tuple[int, int, str], tuple[float, int, int, bool, str]],
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
    chosen = sorted(k for k in best if k[0] in known and k[1] in known)
    sparse = len(chosen) > DENSE_EDGES_PER_PERSONA * max(len(known), 1)
    if sparse:
        # A template or copy group links every persona with every other: draw each persona's strongest
        # few links (counted links before hubs), so the structure stays visible; all pairs are listed.
        ranked = sorted(chosen, key=lambda k: (best[k][3], -best[k][0], k))
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
        score, a, b, hub, verdict = best[(pa, pb, channel)]
        edges.append(
            GraphEdge(f"persona:{pa}", f"persona:{pb}", channel, score, f"pair-{a}-{b}", verdict, hub)
        )
        used.add((a, b))
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
