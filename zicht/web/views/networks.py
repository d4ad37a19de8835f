"""Networks of linked ads: the list, and one network's page with its graph, the reason for every link,
its roles, where it advertised week by week, and the analysts' confirm/split decisions.

The page reads through ``zicht.store.network_page``; decisions are stored with
``zicht.store.linking.record_decision`` and take effect at the next linking run. The graph is drawn
by ``static/network.js`` (cytoscape.js) from a JSON block; everything it shows is also in the tables,
so the page is complete without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zicht.store import linking
from zicht.store import network_page as queries
from zicht.store.network_page import NetworkPage, PageContact
from zicht.store.reviews import MAX_REASON, MAX_USER, clean_reason, clean_user
from zicht.web import link_text
from zicht.web.decision_form import remember_user, remembered_user
from zicht.web.i18n import N_
from zicht.web.rendering import gettext, templates
from zicht.web.same_origin import is_same_origin, refused
from zicht.web.views.ad import parse_id

router = APIRouter()

LIST_PATH = "/netwerken"
PAGE_SIZE = 50
TABLE_ROWS = 25  # rows per page in the network page's tables of personas, ads, contact points, photos
# The heat map: the gemeenten with the most ads over the last weeks (the table below it has them all).
HEATMAP_GEMEENTEN = 15
HEATMAP_WEEKS = 26
WEEK_ROWS = 26  # weeks per page in the table of weeks
SELECT_ADS_UP_TO = 50  # the decision form offers a list of the ads up to this many; above, ad numbers
# the query parameter that pages each table (the pairs are paged by the store)
TABLE_PARAMS = {"personas": "personas", "ads": "advertenties", "contacts": "contacten", "photos": "fotos"}
MIN_PERSONA_CHOICES = (1, 2, 3, 5, 10)

ROLE_LABELS: dict[str, str] = {
    "telefonist": N_("telefonist (one contact point for several personas)"),
    "ad_manager": N_("ad manager (one template, several contact points)"),
    "touring_group": N_("touring group (personas moving together)"),
    "likely_scam": N_("likely scam (someone else's photos or text)"),
    "identity_copied": N_("photos or text copied by others"),
    "independent": N_("independent (one persona, own contact points)"),
    "linked": N_("linked (no named pattern)"),
}
ROLE_SHORT: dict[str, str] = {
    "telefonist": N_("telefonist"),
    "ad_manager": N_("ad manager"),
    "touring_group": N_("touring group"),
    "likely_scam": N_("likely scam"),
    "identity_copied": N_("copied by others"),
    "independent": N_("independent"),
    "linked": N_("linked"),
}
CHANNEL_LABELS: dict[str, str] = {
    "phone": N_("same phone number"),
    "email": N_("same e-mail address"),
    "handle": N_("same messenger handle"),
    "photo": N_("same photo"),
    "text": N_("same text"),
    "template": N_("same template"),
    "move": N_("moved together"),
    "analyst": N_("analyst"),
    "uses": N_("uses contact point"),
    "shows": N_("shows photo"),
}
VERDICT_LABELS: dict[str, str] = {
    "persona": N_("same persona"),
    "network": N_("same network, other persona"),
    "copy": N_("same identity under unrelated numbers"),
    "template": N_("same template, other persona"),
    "weak": N_("shown only, not used"),
    "move": N_("moved together"),
}
KIND_LABELS: dict[str, str] = {
    "phone": N_("phone"),
    "whatsapp": N_("WhatsApp"),
    "email": N_("e-mail"),
}
LEVEL_LABELS: dict[str, str] = {
    "persona": N_("persona: the same person or not"),
    "network": N_("network: belonging together or not"),
}
LINK_DECISION_LABELS: dict[str, str] = {"confirm": N_("confirm"), "split": N_("split")}
ORDER_LABELS: dict[str, str] = {"size": N_("biggest first"), "recent": N_("most recently seen first")}
PROBLEMS = {
    "pair": N_("Choose two different ads of this network."),
    "decision": N_("Choose confirm or split."),
    "level": N_("Choose the level: persona or network."),
    "user": N_("Fill in your name: it is stored with the decision."),
    "user_long": N_("Your name is longer than %(max)d characters."),
    "reason": N_("Give a reason: it is kept with the decision."),
    "reason_long": N_("The reason is longer than %(max)d characters."),
}


# ---------------------------------------------------------------- the list


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    number = parse_id((value or "").strip()) if value else None
    return default if number is None else max(lo, min(hi, number))


@router.get(LIST_PATH, response_class=HTMLResponse)
def network_list(request: Request) -> HTMLResponse:
    params = request.query_params
    role = (params.get("role") or "").strip()[:32]
    order = params.get("order") if params.get("order") in queries.LIST_ORDERS else "size"
    min_personas = _int(params.get("min"), 2, 1, 1000)
    page = _int(params.get("page"), 1, 1, 100_000)
    found = queries.network_list(
        request.app.state.store,
        role=role or None,
        min_personas=min_personas,
        order=order,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-found.total // PAGE_SIZE))
    return templates(request).response(
        request,
        "networks/list.html",
        found=found,
        role=role,
        order=order,
        min_personas=min_personas,
        page=page,
        pages=pages,
        role_labels=ROLE_SHORT,
        order_labels=ORDER_LABELS,
        min_choices=MIN_PERSONA_CHOICES,
    )


# ---------------------------------------------------------------- one network


def masked(contact: PageContact) -> str:
    """A short, neutral name for a contact point in the graph; the full value is in the tables."""
    value = contact.value
    if contact.kind == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}…@{domain}"
    if contact.label.startswith("phone:"):
        return f"…{value[-4:]}"
    return f"{value[:2]}…"


# The graph's elements travel as rows (``network.js`` makes cytoscape's objects of them): a big
# network's graph is a few hundred elements, and the keys repeated on each would double its size.
NODE_FIELDS = ("id", "kind", "label", "why", "hub")
EDGE_FIELDS = ("source", "target", "kind", "channel", "score", "why", "hub")


def graph_data(request: Request, net: NetworkPage) -> dict:
    """Cytoscape elements: personas, contact points and photos as nodes, links as edges, as rows of
    NODE_FIELDS and EDGE_FIELDS."""
    drawn = {e.source for e in net.graph_edges} | {e.target for e in net.graph_edges}
    nodes: list[list] = []
    for p in net.personas:
        node = f"persona:{p.id}"
        if net.personas_drawn < len(net.personas) and node not in drawn:
            continue
        label = p.label or gettext(request, N_("persona %(id)s"), id=p.id)
        nodes.append([node, "persona", label, f"persona-{p.id}", 0])
    for n, c in enumerate(net.contacts_drawn):
        label = (
            ("hub · " if c.hub else "") + gettext(request, KIND_LABELS.get(c.kind, c.kind)) + " " + masked(c)
        )
        nodes.append([c.node_id, "contact", label, f"contact-{n}", int(c.hub)])
    for ph in net.photos_drawn:
        label = ("hub · " if ph.hub else "") + "pHash " + ph.phashes[0][:6] + "…"
        nodes.append([ph.node_id, "photo", label, f"photo-{ph.photo_ids[0]}", int(ph.hub)])
    edges: list[list] = []
    for e in net.graph_edges:
        if e.pair:
            edges.append([e.source, e.target, "link", e.channel, round(e.score, 3), e.pair, int(e.hub)])
        else:
            edges.append([e.source, e.target, e.channel, e.channel, 1, "", int(e.hub)])
    # a link's label (channel and score) is made by network.js from these names: one copy, not one per edge
    channels = {
        c: gettext(request, CHANNEL_LABELS[c]) for c in {e.channel for e in net.graph_edges if e.pair}
    }
    return {
        "node_fields": NODE_FIELDS,
        "edge_fields": EDGE_FIELDS,
        "nodes": nodes,
        "edges": edges,
        "channels": channels,
    }


def timeline_spec(request: Request, net: NetworkPage) -> dict:
    """A Vega-Lite heat map: ISO weeks across, gemeenten down, ads per cell."""
    ads = gettext(request, N_("Ads"))
    week = gettext(request, N_("Week"))
    place = gettext(request, N_("Gemeente"))
    weeks = net.weeks[-HEATMAP_WEEKS:]
    totals: dict[str, int] = {}
    for w in weeks:
        for _, name, n in w.gemeenten:
            totals[name] = totals.get(name, 0) + n
    shown = set(sorted(totals, key=lambda name: (-totals[name], name))[:HEATMAP_GEMEENTEN])
    # one row per gemeente with its weeks and counts, flattened by Vega-Lite: the names are not repeated
    cells: dict[str, tuple[list[str], list[int]]] = {}
    for w in weeks:
        for _, name, n in w.gemeenten:
            if name in shown:
                row = cells.setdefault(name, ([], []))
                row[0].append(w.key)
                row[1].append(n)
    values = [{"gemeente": name, "week": ws, "ads": ns} for name, (ws, ns) in sorted(cells.items())]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": {"step": 56},
        "height": {"step": 22},
        "data": {"values": values},
        "transform": [{"flatten": ["week", "ads"]}],
        "encoding": {
            "x": {"field": "week", "type": "ordinal", "title": week, "sort": [w.key for w in weeks]},
            "y": {"field": "gemeente", "type": "nominal", "title": place},
        },
        "layer": [
            {
                "mark": {"type": "rect"},
                "encoding": {
                    "color": {
                        "field": "ads",
                        "type": "quantitative",
                        "title": ads,
                        "scale": {"scheme": "blues"},
                    },
                    "tooltip": [
                        {"field": "week", "type": "ordinal", "title": week},
                        {"field": "gemeente", "type": "nominal", "title": place},
                        {"field": "ads", "type": "quantitative", "title": ads},
                    ],
                },
            },
            {"mark": {"type": "text", "color": "#10202f"}, "encoding": {"text": {"field": "ads"}}},
        ],
    }


@dataclass(frozen=True)
class Paged:
    """One page of a table's rows, with what the pager needs."""

    rows: list
    page: int
    pages: int
    total: int
    param: str


def paged(request: Request, rows: list, param: str, size: int = TABLE_ROWS) -> Paged:
    pages = max(1, -(-len(rows) // size))
    page = _int(request.query_params.get(param), 1, 1, pages)
    return Paged(rows[(page - 1) * size : page * size], page, pages, len(rows), param)


@dataclass
class LinkDecisionInput:
    ad_a: int | None = None
    ad_b: int | None = None
    level: str = ""
    decision: str = ""
    user: str = ""
    reason: str = ""
    errors: list[str] = field(default_factory=list)


def _load(request: Request, network_id: str) -> NetworkPage:
    number = parse_id(network_id)
    store = request.app.state.store
    pair_page = _int(request.query_params.get("paren"), 1, 1, 1_000_000)
    net = queries.network_page(store, number, pair_page=pair_page) if number is not None else None
    if net is None:
        raise HTTPException(404, detail="network")
    return net


def _chosen_pair(request: Request, net: NetworkPage) -> tuple[int | None, int | None]:
    raw = request.query_params.get("paar", "")
    a, _, b = raw.partition("-")
    ids = {ad.id for ad in net.ads}
    na, nb = parse_id(a), parse_id(b)
    if na in ids and nb in ids and na != nb:
        return na, nb
    return None, None


def render_page(
    request: Request, net: NetworkPage, entry: LinkDecisionInput, *, status_code: int = 200
) -> HTMLResponse:
    saved = parse_id(request.query_params.get("opgeslagen", ""))
    saved_decision = next((d for d in net.decisions if d.id == saved), None) if saved else None
    return templates(request).response(
        request,
        "networks/page.html",
        status_code=status_code,
        net=net,
        entry=entry,
        saved=saved_decision,
        graph=graph_data(request, net),
        timeline=timeline_spec(request, net),
        ads_by_id={ad.id: ad for ad in net.ads},
        tables={name: paged(request, getattr(net, name), param) for name, param in TABLE_PARAMS.items()},
        week_rows=paged(request, net.weeks, "weken", WEEK_ROWS),
        heatmap_cut=len(net.weeks) > HEATMAP_WEEKS or len(net.gemeenten) > HEATMAP_GEMEENTEN,
        heatmap=(HEATMAP_WEEKS, HEATMAP_GEMEENTEN),
        select_ads=len(net.ads) <= SELECT_ADS_UP_TO,
        lt=link_text.LinkText(lambda message, **values: gettext(request, message, **values)),
        role_labels=ROLE_LABELS,
        role_short=ROLE_SHORT,
        channel_labels=CHANNEL_LABELS,
        verdict_labels=VERDICT_LABELS,
        kind_labels=KIND_LABELS,
        level_labels=LEVEL_LABELS,
        decision_labels=LINK_DECISION_LABELS,
        masked=masked,
        max_user=MAX_USER,
        max_reason=MAX_REASON,
    )


@router.get(LIST_PATH + "/{network_id}", response_class=HTMLResponse)
def network_page(request: Request, network_id: str) -> HTMLResponse:
    net = _load(request, network_id)
    a, b = _chosen_pair(request, net)
    if a is not None and b is not None:
        level = "persona" if net.persona_of(a) == net.persona_of(b) else "network"
    else:
        level = ""
    entry = LinkDecisionInput(ad_a=a, ad_b=b, level=level, user=remembered_user(request))
    return render_page(request, net, entry)


@router.get(LIST_PATH + "/{network_id}/paren/{pair}", response_class=HTMLResponse)
def pair_page(request: Request, network_id: str, pair: str) -> HTMLResponse:
    """Why two ads of a network are linked, on a page of its own (the graph's panel loads it too)."""
    a, _, b = pair.partition("-")
    number, na, nb = parse_id(network_id), parse_id(a), parse_id(b)
    found = (
        queries.pair_view(request.app.state.store, number, na, nb)
        if number is not None and na is not None and nb is not None
        else None
    )
    if found is None:
        raise HTTPException(404, detail="pair")
    return templates(request).response(
        request,
        "networks/pair.html",
        view=found,
        pair=found.pair,
        ads_by_id=found.ads,
        channel_labels=CHANNEL_LABELS,
        verdict_labels=VERDICT_LABELS,
        lt=link_text.LinkText(lambda message, **values: gettext(request, message, **values)),
    )


def _problems(request: Request, entry: LinkDecisionInput, net: NetworkPage) -> list[str]:
    ids = {ad.id for ad in net.ads}
    out = []
    if entry.ad_a not in ids or entry.ad_b not in ids or entry.ad_a == entry.ad_b:
        out.append(gettext(request, PROBLEMS["pair"]))
    if entry.decision not in linking.DECISIONS:
        out.append(gettext(request, PROBLEMS["decision"]))
    if entry.level not in linking.LEVELS:
        out.append(gettext(request, PROBLEMS["level"]))
    if not entry.user:
        out.append(gettext(request, PROBLEMS["user"]))
    elif len(entry.user) > MAX_USER:
        out.append(gettext(request, PROBLEMS["user_long"], max=MAX_USER))
    if not entry.reason:
        out.append(gettext(request, PROBLEMS["reason"]))
    elif len(entry.reason) > MAX_REASON:
        out.append(gettext(request, PROBLEMS["reason_long"], max=MAX_REASON))
    return out


REFUSED = N_(
    "This decision was not stored: the form did not come from a Zicht page. "
    "Open the network in Zicht and record the decision there."
)


@router.post(LIST_PATH + "/{network_id}/beslissingen", response_class=HTMLResponse)
def record_link_decision(
    request: Request,
    network_id: str,
    ad_a: Annotated[str, Form()] = "",
    ad_b: Annotated[str, Form()] = "",
    level: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    user: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    net = _load(request, network_id)
    entry = LinkDecisionInput(
        parse_id(ad_a.strip()),
        parse_id(ad_b.strip()),
        level.strip(),
        decision.strip(),
        clean_user(user),
        clean_reason(reason),
    )
    entry.errors = _problems(request, entry, net)
    if entry.errors:
        return render_page(request, net, entry, status_code=400)
    assert entry.ad_a is not None and entry.ad_b is not None
    decision_id = linking.record_decision(
        request.app.state.store,
        entry.ad_a,
        entry.ad_b,
        entry.decision,
        entry.user,
        entry.reason,
        level=entry.level,
    )
    response = RedirectResponse(f"{LIST_PATH}/{net.id}?opgeslagen={decision_id}#beslissen", status_code=303)
    remember_user(response, entry.user)
    return response
