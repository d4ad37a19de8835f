"""``zicht intervention add|list|report|delete``: record interventions and compare before and after.

Kept apart from ``zicht/cli.py`` (which registers ``intervention_app``); the shared helpers are
imported when a command runs, so the two modules do not import each other at load time.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

intervention_app = typer.Typer(
    help="Record interventions (e.g. a control action) and compare before and after.", no_args_is_help=True
)

# English texts of the problem codes of zicht.store.interventions.
PROBLEMS = {
    "gemeente_required": "give at least one --gemeente (a name such as Schiedam or a code such as GM0606)",
    "gemeente_unknown": "unknown gemeente {unknown}: use a current (2026) name or CBS code",
    "gemeente_too_many": "at most {max} gemeenten per intervention",
    "day_invalid": "--date must be a date written YYYY-MM-DD (2000 or later)",
    "day_in_future": "--date is in the future: record an intervention once it has happened",
    "kind_unknown": "--kind must be one of {kinds}",
    "user_required": "--user is required: it is stored with the intervention",
    "user_too_long": "--user is longer than {max_user} characters",
    "description_too_long": "--description is longer than {max_description} characters",
}


def _problems(exc) -> str:  # type: ignore[no-untyped-def]
    from zicht.store.interventions import KINDS, MAX_DESCRIPTION, MAX_GEMEENTEN, MAX_USER

    kinds = ", ".join(f"{code} ({label})" for code, label in KINDS.items())
    unknown = ", ".join(repr(u) for u in exc.unknown)
    return "; ".join(
        PROBLEMS[p].format(
            unknown=unknown,
            max=MAX_GEMEENTEN,
            kinds=kinds,
            max_user=MAX_USER,
            max_description=MAX_DESCRIPTION,
        )
        for p in exc.problems
    )


@intervention_app.command("add")
def add(
    ctx: typer.Context,
    gemeente: Annotated[
        list[str], typer.Option("--gemeente", "-g", help="Gemeente name or CBS code; repeat for several.")
    ],
    day: Annotated[str, typer.Option("--date", "-d", help="The (first) day, YYYY-MM-DD, Dutch date.")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="control, visit, closure or other.")],
    user: Annotated[str, typer.Option("--user", "-u", help="Your name, stored with the record.")],
    description: Annotated[str, typer.Option("--description", help="What was done (free text).")] = "",
) -> None:
    """Record an intervention in one or more gemeenten."""
    from zicht.cli import console, fail, open_store
    from zicht.store.interventions import InterventionError, record_intervention

    with open_store(ctx) as store:
        try:
            item = record_intervention(store, gemeente, day, kind, user, description)
        except InterventionError as exc:
            fail(_problems(exc))
    console.print(
        f"Recorded intervention {item.id}: {item.kind} on {item.day} in {', '.join(item.gemeente_names)}. "
        f"Compare with: zicht intervention report {item.id}"
    )


@intervention_app.command("list")
def list_(ctx: typer.Context) -> None:
    """All recorded interventions, the most recent first."""
    from zicht.cli import console, open_store
    from zicht.store.interventions import list_interventions

    with open_store(ctx) as store:
        items = list_interventions(store)
    if not items:
        console.print("No interventions recorded yet. Add one with: zicht intervention add --help")
        return
    table = Table(title="Interventions")
    for col in ("id", "date", "kind", "gemeenten", "by", "description"):
        table.add_column(col, justify="right" if col == "id" else "left")
    for i in items:
        table.add_row(
            str(i.id),
            i.day.isoformat(),
            i.kind,
            ", ".join(i.gemeente_names),
            escape(i.created_by),
            escape(i.description),
        )
    console.print(table)


@intervention_app.command("delete")
def delete(ctx: typer.Context, intervention_id: Annotated[int, typer.Argument(help="The id.")]) -> None:
    """Remove a mistaken record."""
    from zicht.cli import console, fail, open_store
    from zicht.store.interventions import delete_intervention

    with open_store(ctx) as store:
        if not delete_intervention(store, intervention_id):
            fail(f"no intervention with id {intervention_id}; see zicht intervention list")
    console.print(f"Deleted intervention {intervention_id}.")


def _num(value: float | None, fmt: str = "{:.1f}") -> str:
    return "–" if value is None else fmt.format(value)


@intervention_app.command("report")
def report(
    ctx: typer.Context,
    intervention_id: Annotated[int, typer.Argument(help="The id (see zicht intervention list).")],
    weeks: Annotated[int, typer.Option("--weeks", "-w", help="ISO weeks before and after (1-26).")] = 4,
    neighbour: Annotated[
        list[str] | None,
        typer.Option("--neighbour", "-n", help="Compare with these gemeenten instead of the nearest ones."),
    ] = None,
) -> None:
    """Before and after: counts in the gemeente(n), neighbours and the rest of the unit, and where personas went."""
    from zicht.analysis.displacement import MAX_WEEKS
    from zicht.cli import console, fail, open_store
    from zicht.store.interventions import InterventionError, displacement_report, get_intervention
    from zicht.web.displacement_text import GROUP_LABELS, MOVE_LABELS, RELATION_LABELS, caveat_texts, summary

    if not 1 <= weeks <= MAX_WEEKS:
        fail(f"--weeks must be 1 to {MAX_WEEKS}, not {weeks}")
    with open_store(ctx) as store:
        item = get_intervention(store, intervention_id)
        if item is None:
            fail(f"no intervention with id {intervention_id}; see zicht intervention list")
        try:
            rep = displacement_report(store, item, weeks, neighbour)  # type: ignore[arg-type]
        except InterventionError as exc:
            fail(_problems(exc))
    c = rep.comparison
    w = c.windows
    console.print(
        f"Intervention {item.id}: {item.kind} on {item.day} in {', '.join(item.gemeente_names)} "  # type: ignore[union-attr]
        f"(week {w.intervention_week.isocalendar()[1]}). Before: {w.before_days[0]} – {w.before_days[1]}; "
        f"after: {w.after_days[0]} – {w.after_days[1]}."
    )
    counts = Table(title="Active ads per week (mean) and new ads (total)")
    for col in ("group", "gemeenten", "active before", "active after", "change", "new before", "new after"):
        counts.add_column(col, justify="left" if col in ("group", "gemeenten") else "right")
    for name, g in c.groups.items():
        change = "too few to say" if g.too_few else _num(g.active_change_pct, "{:+.0f}%")
        counts.add_row(
            GROUP_LABELS[name],
            str(len(g.codes)) if name != "national" else "all",
            _num(g.active_before),
            _num(g.active_after),
            change,
            str(g.new_before),
            str(g.new_after),
        )
    console.print(counts)
    m = c.movement
    moves = Table(title=f"Where the {m.tracked} personas active there before were seen after")
    for col in ("seen after", "personas", "share"):
        moves.add_column(col, justify="left" if col == "seen after" else "right")
    for move, n in m.moves.items():
        share = m.share(move)
        moves.add_row(MOVE_LABELS[move], str(n), "too few to say" if share is None else f"{share:.0f}%")
    console.print(moves)
    if m.destinations:
        dest = Table(title="Destination gemeenten (a persona seen in two gemeenten counts in both)")
        for col in ("gemeente", "relation", "personas"):
            dest.add_column(col, justify="right" if col == "personas" else "left")
        for d in m.destinations:
            dest.add_row(d.name, RELATION_LABELS[d.relation], str(d.personas))
        console.print(dest)
    console.print(summary(c, rep.neighbours, "en"))
    console.print("What this can and cannot say:")
    for text in caveat_texts(c.caveats, "en"):
        console.print(f"- {text}")
