"""``zicht region add|list|show|remove``: named sets of gemeenten (a regional project) for counts and maps.

Kept apart from ``zicht/cli.py`` (which registers ``region_app``); the shared helpers are imported when a
command runs, so the two modules do not import each other at load time.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

region_app = typer.Typer(
    help="Define regions: named sets of gemeenten (e.g. a regional project) to count and map together.",
    no_args_is_help=True,
)

# English texts of the problem codes of zicht.store.regions (unclear values have their own sentences).
PROBLEMS = {
    "name_required": "give the region a name",
    "name_too_long": "the name is longer than 128 characters",
    "name_taken": "a region with this name exists already: choose another name, or give --replace to change it",
    "user_required": "--user is required: it is stored with the region",
    "user_too_long": "--user is longer than 128 characters",
    "description_too_long": "--description is longer than 2000 characters",
    "gemeenten_required": "give at least one gemeente, --police-unit or --province",
    "region_not_found": "there is no such region",
}


def _explain(exc) -> str:  # type: ignore[no-untyped-def]
    parts = [PROBLEMS[p] for p in exc.problems if p in PROBLEMS]
    parts += [v.message() for v in exc.values]
    return "; ".join(parts)


@region_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help='The region\'s name, e.g. "Parkstad pilot".')],
    gemeenten: Annotated[
        list[str] | None,
        typer.Argument(help='Gemeenten by name or CBS code (Heerlen, "Den Haag", GM0917, 917).'),
    ] = None,
    police_unit: Annotated[
        list[str] | None,
        typer.Option(
            "--police-unit", help="Add every gemeente of this police unit (Limburg or RE10); repeatable."
        ),
    ] = None,
    province: Annotated[
        list[str] | None,
        typer.Option(
            "--province", help="Add every gemeente of this province (Limburg, Friesland or PV31); repeatable."
        ),
    ] = None,
    description: Annotated[str, typer.Option("--description", help="What the region is for.")] = "",
    user: Annotated[str, typer.Option("--user", "-u", help="Your name, stored with the region.")] = "",
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Change the region of this name if it exists (its gemeenten are replaced)."
        ),
    ] = False,
) -> None:
    """Create a region from gemeenten, police units and/or provinces."""
    from zicht.cli import console, fail, open_store
    from zicht.store.regions import RegionError, save_region

    with open_store(ctx) as store:
        try:
            row, notes = save_region(
                store,
                name,
                gemeenten or [],
                user=user,
                description=description,
                police_units=police_unit or [],
                provinces=province or [],
                replace=replace,
            )
        except RegionError as exc:
            fail(f"region {name!r} not stored: {_explain(exc)}")
        _recount(store)
    for note in notes:
        console.print(f"Note: {escape(note)}.")
    console.print(
        f"Stored region {escape(repr(row.name))} (id {row.id}) with {len(row.gemeenten)} gemeenten."
    )


def _recount(store) -> None:  # type: ignore[no-untyped-def]
    """The region's stored counts follow at once (the dashboard counts the region level directly
    while they differ); nothing to do before the first ``zicht process``."""
    from zicht.cli import progress, stage_progress
    from zicht.store.aggregates import refresh_regions

    with progress() as bar:
        refresh_regions(store, on_progress=stage_progress(bar, {"regions": "Region counts"}))


@region_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Show every region and its gemeenten."""
    from zicht.cli import console, open_store
    from zicht.store.regions import list_regions

    with open_store(ctx) as store:
        regions = list_regions(store)
    if not regions:
        console.print("No regions yet. Create one with `zicht region add NAME GEMEENTE... --user NAME`.")
        return
    table = Table(title=f"{len(regions)} regions")
    for col in ("id", "name", "gemeenten", "description", "created by"):
        table.add_column(col, justify="right" if col == "id" else "left")
    for r in regions:
        names = ", ".join(r.gemeente_names)
        table.add_row(
            str(r.id),
            escape(r.name),
            f"{len(r.gemeenten)}: {names}",
            escape(r.description),
            escape(r.created_by),
        )
    console.print(table)


@region_app.command("show")
def show(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The region's name (any case).")]
) -> None:
    """Show one region: its gemeenten with code, province and police unit."""
    from zicht import reference
    from zicht.cli import console, fail, open_store
    from zicht.store.regions import get_region

    with open_store(ctx) as store:
        row = get_region(store, name)
    if row is None:
        fail(f"there is no region {name!r}; `zicht region list` shows them")
        return
    created = f", {row.created_at:%Y-%m-%d}" if row.created_at else ""
    console.print(f"[bold]{escape(row.name)}[/] (id {row.id}, created by {escape(row.created_by)}{created})")
    if row.description:
        console.print(escape(row.description))
    table = Table(title=f"{len(row.gemeenten)} gemeenten")
    for col in ("code", "gemeente", "province", "police unit"):
        table.add_column(col)
    for code in row.gemeenten:
        g = reference.gemeenten().get(code)
        table.add_row(code, g.name if g else code, g.province if g else "", g.police_unit if g else "")
    console.print(table)


@region_app.command("remove")
def remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The region's name (any case).")]
) -> None:
    """Remove a region (the ads and their counts are not touched)."""
    from zicht.cli import console, fail, open_store
    from zicht.store.regions import delete_region

    with open_store(ctx) as store:
        removed = delete_region(store, name)
        if removed:
            _recount(store)
    if not removed:
        fail(f"there is no region {name!r}; `zicht region list` shows them")
    console.print(f"Removed region {escape(repr(name))}.")
