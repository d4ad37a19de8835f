"""``zicht watch add|list|remove`` and ``zicht alerts``: saved watches and the alerts they raise.

Registered on the main app in ``zicht.cli``. Contact values are never printed back: a contact watch
shows its label (as the user wrote it) or only its kind and number; alerts name the ad, not the number.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

watch_app = typer.Typer(
    help="Saved watches: a contact point, photo, template or gemeente threshold.", no_args_is_help=True
)

KIND_HELP = "contact (a phone number, e-mail or handle), photo (a photo id or pHash), template (an ad id), gemeente (a name or CBS code)"


def _cli():  # type: ignore[no-untyped-def]
    from zicht import cli

    return cli


def _local(value) -> str:  # type: ignore[no-untyped-def]
    from zicht.analysis.counts import TIMEZONE

    return value.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if value else ""


@watch_app.command("add")
def watch_add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    value: Annotated[
        str, typer.Argument(help="What to watch for, e.g. 06-12345678, 4182, GM0917 or Heerlen.")
    ],
    user: Annotated[str, typer.Option("--user", help="Your name: it is stored with the watch.")],
    threshold: Annotated[
        int | None,
        typer.Option("--threshold", help="gemeente: alert when this many ads are active in an ISO week."),
    ] = None,
    label: Annotated[str, typer.Option("--label", help="A name for the watch, shown with its alerts.")] = "",
    region: Annotated[
        str, typer.Option("--region", help="Country for numbers without a country code.")
    ] = "NL",
) -> None:
    """Save a watch; `zicht process` raises an alert when its subject appears again."""
    from zicht.store.watches import WatchError, create_watch

    cli = _cli()
    with cli.open_store(ctx) as store:
        try:
            watch = create_watch(
                store, kind, value, user=user, label=label, threshold=threshold, default_region=region
            )
        except WatchError as exc:
            cli.fail(f"watch not stored: {exc}")
    cli.console.print(
        f"Watch {watch.id} stored ({watch.kind}{': ' + escape(watch.label) if watch.label else ''}). "
        "Alerts are raised for appearances from now on, by `zicht process`."
    )


@watch_app.command("list")
def watch_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Also the watches that were removed.")] = False,
) -> None:
    """The watches, with how many alerts each raised."""
    from zicht.store.watches import list_watches

    cli = _cli()
    with cli.open_store(ctx) as store:
        rows = list_watches(store, include_inactive=all_)
    table = Table(title=f"{len(rows)} watches")
    for col in ("id", "kind", "watch", "made by", "made", "last checked", "alerts", "unseen", "active"):
        table.add_column(col, no_wrap=col not in ("watch",))
    for w in rows:
        table.add_row(
            str(w.id),
            w.kind,
            escape(w.title),
            escape(w.created_by),
            _local(w.created_at),
            _local(w.checked_at) or "not yet",
            str(w.alerts),
            str(w.unseen),
            "yes" if w.active else "no",
        )
    cli.console.print(table)


@watch_app.command("remove")
def watch_remove(
    ctx: typer.Context,
    watch_id: Annotated[int, typer.Argument(help="The watch's id (see `zicht watch list`).")],
    delete: Annotated[bool, typer.Option("--delete", help="Delete the watch and its alerts too.")] = False,
) -> None:
    """Stop a watch (its alerts are kept), or delete it with its alerts."""
    from zicht.store.watches import WatchError, deactivate_watch, delete_watch

    cli = _cli()
    with cli.open_store(ctx) as store:
        try:
            if delete:
                delete_watch(store, watch_id)
            else:
                deactivate_watch(store, watch_id)
        except WatchError as exc:
            cli.fail(str(exc))
    cli.console.print(
        f"Watch {watch_id} {'deleted with its alerts' if delete else 'stopped; its alerts are kept'}."
    )


def alerts_command(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Also alerts already marked seen.")] = False,
    mark_seen: Annotated[
        bool, typer.Option("--mark-seen", help="Mark the alerts shown as seen (needs --user).")
    ] = False,
    user: Annotated[str, typer.Option("--user", help="Your name, stored with --mark-seen.")] = "",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many alerts.")] = 200,
) -> None:
    """Alerts raised by watches: unseen first, newest first."""
    from zicht.store.watches import WatchError, list_alerts
    from zicht.store.watches import mark_seen as mark

    cli = _cli()
    if mark_seen and not user.strip():
        cli.fail("--mark-seen needs --user NAME: it is stored with the alerts you mark seen")
    with cli.open_store(ctx) as store:
        rows = list_alerts(store, include_seen=all_, limit=limit)
        marked = 0
        if mark_seen and rows:
            try:
                marked = mark(store, user, [a.id for a in rows if a.seen_at is None])
            except WatchError as exc:
                cli.fail(str(exc))
    unseen = sum(1 for a in rows if a.seen_at is None)
    table = Table(title=f"{unseen} unseen alerts" + (f", {len(rows) - unseen} seen" if all_ else ""))
    for col in ("when", "watch", "ad", "place", "message", "seen"):
        table.add_column(col, no_wrap=col in ("when", "ad"))
    for a in rows:
        ad = f"/advertenties/{a.ad_id}" if a.ad_id is not None else ""
        seen = escape(f"{_local(a.seen_at)} {a.seen_by or ''}".strip()) if a.seen_at else ""
        title = escape(f"{a.watch_id} {a.watch_title}")
        table.add_row(_local(a.raised_at), title, ad, escape(a.place), escape(a.message), seen)
    cli.console.print(table)
    if mark_seen:
        cli.console.print(f"{marked} alerts marked seen by {escape(user.strip())}.")


def print_check_report(report) -> None:  # type: ignore[no-untyped-def]
    """The line ``zicht process`` prints after checking the watches."""
    cli = _cli()
    line = f"Watches: {report.watches} checked, {report.raised} new alerts"
    if report.left_out:
        more = sum(report.left_out.values())
        line += (
            f" ({more} further matches of {len(report.left_out)} watches summarised, not listed one by one)"
        )
    cli.console.print(line + (". See `zicht alerts`." if report.raised else "."))
