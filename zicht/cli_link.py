"""``zicht link confirm`` and ``zicht link split``: an analyst's decision on a pair of ads.

``zicht link`` is a command group whose callback (in ``zicht.cli``) still runs linking when no
sub-command is given, so ``zicht link`` and ``zicht link --full`` work as before.

A decision is stored with ``zicht.store.linking.record_decision`` (who, why, when; the newest per pair
and level wins) and is a hard constraint for every later linking run: a confirmed pair is always
linked at that level, a split pair never. It takes effect at the next linking run (``zicht link``,
``zicht process``), as a decision made on a network page does. ``--link`` runs that incremental link
right away: it re-clusters only the region around the two ads, but on a large database that region
can hold tens of thousands of ads (seconds to tens of seconds), so it is asked for, not the default.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.markup import escape

# No help here: the group's help is the docstring of its callback, ``zicht.cli.link``.
link_app = typer.Typer(invoke_without_command=True)

AD_HELP = "An ad: its Zicht id (as on the ad page) or site:source_id (e.g. kinky:1234567)."
_ID = re.compile(r"\d+")


def resolve_ad(store, ref: str, name: str) -> int:  # type: ignore[no-untyped-def]
    """The ad id that ``ref`` names; a clear error naming the argument when there is no such ad."""
    from zicht.cli import fail

    ref = ref.strip()
    if _ID.fullmatch(ref):
        if store.get_ad(int(ref)) is None:
            fail(f"{name} {ref!r}: no ad with id {int(ref)} in this database (or give site:source_id)")
        return int(ref)
    site, sep, source_id = ref.partition(":")
    if not sep or not site.strip() or not source_id.strip():
        fail(f"{name} {ref!r}: give an ad id (a number) or site:source_id, e.g. kinky:1234567")
    site, source_id = site.strip(), source_id.strip()
    if store.site_id(site) is None:
        known = ", ".join(sorted(s.name for s in store.sites())) or "none yet"
        fail(f"{name} {ref!r}: no site {site!r} in this database (sites: {known})")
    ad = store.find_ad(site, source_id)
    if ad is None:
        fail(f"{name} {ref!r}: site {site} has no ad with source id {source_id!r}")
    return ad.id


def _describe(store, ad_ids: list[int]) -> str:  # type: ignore[no-untyped-def]
    from zicht.store.linking import assignment_of

    found = assignment_of(store, ad_ids)
    parts = []
    for ad_id in ad_ids:
        persona, network = found.get(ad_id, (None, None))
        parts.append(
            f"ad {ad_id}: not linked yet"
            if persona is None
            else f"ad {ad_id}: persona {persona}, network {network}"
        )
    together = [found.get(a, (None, None)) for a in ad_ids]
    if all(p is not None for p, _ in together):
        if together[0][0] == together[1][0]:
            parts.append("same persona")
        elif together[0][1] == together[1][1]:
            parts.append("same network, different personas")
        else:
            parts.append("different networks")
    return "; ".join(parts)


def _decide(
    ctx: typer.Context,
    decision: str,
    ad_a: str,
    ad_b: str,
    user: str,
    reason: str,
    level: str,
    link_now: bool,
) -> None:
    from zicht.cli import console, fail, open_store, print_link_report, run_aggregates, run_link
    from zicht.store.linking import LEVELS, decisions_for, record_decision

    if level not in LEVELS:
        fail(f"--level must be one of {', '.join(LEVELS)}, not {level!r}")
    if not user.strip():
        fail("--user must name who decides: the decision is kept with that name")
    with open_store(ctx) as store:
        a = resolve_ad(store, ad_a, "AD_A")
        b = resolve_ad(store, ad_b, "AD_B")
        if a == b:
            fail(f"AD_A and AD_B are the same ad ({a}); a decision is about two different ads")
        console.print(f"Now: {_describe(store, [a, b])}.", highlight=False)
        pair = (min(a, b), max(a, b))
        same_pair = [
            d
            for d in decisions_for(store, a)
            if (min(d.ad_a, d.ad_b), max(d.ad_a, d.ad_b)) == pair and d.level == level
        ]
        # Conflicting decisions: the latest on a pair and level counts; say which one this overrides.
        earlier = [same_pair[-1]] if same_pair and same_pair[-1].decision != decision else []
        try:
            decision_id = record_decision(store, a, b, decision, user.strip(), reason.strip(), level=level)
        except (KeyError, ValueError) as exc:
            fail(str(exc.args[0] if exc.args else exc))
        verb = "must be linked" if decision == "confirm" else "must not be linked"
        who = f"{decision} by {user.strip()}{': ' + reason.strip() if reason.strip() else ''}"
        console.print(
            f"Decision {decision_id} stored: ads {a} and {b} {verb} as one {level} ({escape(who)}).",
            highlight=False,
        )
        for d in earlier:
            console.print(
                f"It replaces decision {d.id} ({escape(f'{d.decision} by {d.user}')}, "
                f"{d.created_at:%Y-%m-%d}): the latest decision on a pair counts.",
                highlight=False,
            )
        if not link_now:
            console.print(
                "It takes effect at the next linking run (`zicht link` or `zicht process`); "
                "add --link to run it now."
            )
            return
        print_link_report(run_link(store))
        run_aggregates(store)
        console.print(f"After linking: {_describe(store, [a, b])}.", highlight=False)


_Ad = Annotated[str, typer.Argument(help=AD_HELP, show_default=False)]
_User = Annotated[str, typer.Option("--user", help="Who decides; stored with the decision.")]
_Reason = Annotated[str, typer.Option("--reason", help="Why, in a sentence; stored with the decision.")]
_Level = Annotated[
    str, typer.Option("--level", help="persona (the same advertised person) or network (the same network).")
]
_LinkNow = Annotated[
    bool,
    typer.Option(
        "--link/--no-link", help="Run incremental linking right away instead of at the next linking run."
    ),
]


@link_app.command("confirm")
def link_confirm(
    ctx: typer.Context,
    ad_a: _Ad,
    ad_b: _Ad,
    user: _User,
    reason: _Reason = "",
    level: _Level = "persona",
    link_now: _LinkNow = False,
) -> None:
    """Record that two ads belong together (same persona, or same network with --level network)."""
    _decide(ctx, "confirm", ad_a, ad_b, user, reason, level, link_now)


@link_app.command("split")
def link_split(
    ctx: typer.Context,
    ad_a: _Ad,
    ad_b: _Ad,
    user: _User,
    reason: _Reason = "",
    level: _Level = "persona",
    link_now: _LinkNow = False,
) -> None:
    """Record that two ads do not belong together (not one persona, or not one network with --level network)."""
    _decide(ctx, "split", ad_a, ad_b, user, reason, level, link_now)
