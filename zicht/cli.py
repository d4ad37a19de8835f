"""The ``zicht`` command line: the contract partners rely on (see docs/cli.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from zicht import __version__
from zicht.cli_interventions import intervention_app
from zicht.cli_link import link_app
from zicht.cli_regions import region_app
from zicht.cli_watches import alerts_command, print_check_report, watch_app

if TYPE_CHECKING:
    from zicht.store.store import Store


class ZichtGroup(TyperGroup):
    """Turns a database that stays locked (or a lost connection) anywhere in any command into the
    one-line error ``fail`` prints, instead of a long traceback. The transaction in flight was rolled
    back (``Store.session``), so what was stored before is kept."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import OperationalError

        from zicht.store.db import DatabaseError
        from zicht.store.store import translate_operational

        try:
            return super().invoke(ctx)
        except DatabaseError as exc:
            fail(str(exc))
        except OperationalError as exc:
            obj = ctx.obj if isinstance(ctx.obj, Ctx) else None
            fail(str(translate_operational(exc, obj.db if obj else None)))


app = typer.Typer(
    cls=ZichtGroup,
    name="zicht",
    help="Zicht: collect, keep and explain sex-work ads for control teams. Every signal is advice to a person.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)
export_app = typer.Typer(help="Write ads, links or counts to a file.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(watch_app, name="watch")
app.command("alerts")(alerts_command)
app.add_typer(intervention_app, name="intervention")
app.add_typer(region_app, name="region")
app.add_typer(link_app, name="link")

console = Console(soft_wrap=True)  # file:line messages stay whole, for copying and grepping
err = Console(stderr=True, soft_wrap=True)


@dataclass
class Ctx:
    db: str | None


def _version(value: bool) -> None:
    if value:
        console.print(f"zicht {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="ZICHT_DATABASE_URL",
            help="Database URL (postgresql://… or sqlite:///file.db). Default: zicht.db in this folder.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = Ctx(db=db)


def open_store(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from zicht.store.db import DatabaseError
    from zicht.store.store import Store

    try:
        return Store.open(ctx.obj.db if ctx.obj else None)
    except DatabaseError as exc:
        fail(str(exc))
    except Exception as exc:  # a wrong URL, a server that is down: say so plainly
        fail(f"Cannot open the database: {exc}")


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]Error:[/] {escape(message)}")  # messages quote what was typed
    raise typer.Exit(code)


def progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


CRAWL_LABELS = {"listing": "listing pages", "ad": "ad pages", "image": "photos"}


def stage_progress(bar: Progress, labels: dict[str, str] | None = None, prefix: str = ""):  # type: ignore[no-untyped-def]
    """A ``(event, done, total)`` callback that keeps one progress bar per event."""
    tasks: dict[str, TaskID] = {}

    def on_progress(event: str, done: int, total: int) -> None:
        if event not in tasks:
            site, sep, kind = event.rpartition(": ")  # "site: kind" from a multi-site crawl
            tasks[event] = bar.add_task(
                prefix + site + sep + (labels or {}).get(kind, kind), total=total or None
            )
        bar.update(tasks[event], completed=done, total=total or None)

    return on_progress


def _require(value: str | None, name: str, env: str) -> str:
    if not value or not value.strip():
        fail(
            f"{name} is required: every collection of personal data records why and on what legal basis. "
            f"Give --{name.replace(' ', '-')} or set {env}."
        )
    return value  # type: ignore[return-value]


# ------------------------------------------------------------------ status


@app.command()
def status(ctx: typer.Context) -> None:
    """Show what is in the database: sites, ads, versions, evidence, runs."""
    from zicht.store import db as dbmod

    with open_store(ctx) as store:
        counts = store.counts()
        table = Table(title=f"Zicht — {dbmod.describe(store.url)}")
        table.add_column("what")
        table.add_column("count", justify="right")
        for key, value in counts.items():
            table.add_row(key, str(value))
        console.print(table)
        runs = store.runs(limit=10)
        if runs:
            rt = Table(title="Latest runs")
            for col in ("id", "kind", "status", "started", "finished", "stats"):
                rt.add_column(col)
            for r in runs:
                rt.add_row(
                    str(r.id),
                    r.kind,
                    r.status,
                    f"{r.started_at:%Y-%m-%d %H:%M}",
                    f"{r.finished_at:%Y-%m-%d %H:%M}" if r.finished_at else "",
                    ", ".join(f"{k}={v}" for k, v in (r.stats or {}).items()),
                )
            console.print(rt)


# ------------------------------------------------------------------ import


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The CSV or JSONL file.")],
    format: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl")],
    site: Annotated[str, typer.Option("--site", help="Name of the site the ads come from.")],
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="Default country for numbers without a country code (a new site: NL; an existing site: its own).",
        ),
    ] = None,
    set_site_region: Annotated[
        bool,
        typer.Option(
            "--set-site-region", help="Make --region the site's default when the site has another one."
        ),
    ] = False,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN when the file names a canonical field differently."),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            envvar="ZICHT_PURPOSE",
            help="Required (or set ZICHT_PURPOSE): why these ads are collected (AVG art. 9).",
            show_envvar=False,
        ),
    ] = None,
    legal_basis: Annotated[
        str | None,
        typer.Option(
            "--legal-basis",
            envvar="ZICHT_LEGAL_BASIS",
            help="Required (or set ZICHT_LEGAL_BASIS): the legal ground for processing them.",
            show_envvar=False,
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(
            "--contact",
            envvar="ZICHT_CONTACT",
            help="E-mail address put in the user agent when photos are fetched from URLs.",
            show_envvar=False,
        ),
    ] = None,
) -> None:
    """Import ads from a table. Fields: id, url, posted_at, title, text, location, age, phone, email, images.

    Photos (file paths or URLs) are read or fetched and kept as evidence for `zicht process`."""
    from zicht.sources.import_images import import_policy
    from zicht.sources.table_import import ImportError_, import_table, parse_mapping

    purpose = _require(purpose, "purpose", "ZICHT_PURPOSE")
    legal_basis = _require(legal_basis, "legal basis", "ZICHT_LEGAL_BASIS")
    labels = {"read": f"Reading {file.name}", "images": "Photos", "store": "Storing ads"}
    with open_store(ctx) as store:
        try:
            mapping = parse_mapping(map_ or [])
            with progress() as bar:
                report = import_table(
                    store,
                    file,
                    fmt=format.lower(),
                    site=site,
                    region=region,
                    set_site_region=set_site_region,
                    mapping=mapping,
                    purpose=purpose,
                    legal_basis=legal_basis,
                    on_progress=stage_progress(bar, labels),
                    http_policy=import_policy(contact),
                )
        except ImportError_ as exc:
            fail(str(exc))
    if report.region_changed_from:
        console.print(
            f"Site {site!r}: default region changed from {report.region_changed_from} to {report.region}."
        )
    print_import_report(file, report)


def print_import_report(file: Path, report) -> None:  # type: ignore[no-untyped-def]
    """The outcome of one import; exits with 1 when nothing could be imported."""
    if report.already_imported:
        console.print(
            f"{file}: already imported (run {report.run_id}) with the same --format, --map and --region; "
            "nothing changed."
        )
        return
    if report.encoding_note:
        err.print(f"  {file}: {report.encoding_note}")
    if report.ignored_columns:
        console.print(
            f"{file}: ignored column(s), used for no field: {', '.join(report.ignored_columns)} "
            "(use --map FIELD=COLUMN to use one)"
        )
    for e in report.skipped[:50]:
        err.print(f"  {file}:{e.line}: {e.reason}")
    if len(report.skipped) > 50:
        err.print(f"  … and {len(report.skipped) - 50} more skipped rows")
    if report.imported == 0:
        fail(
            f"{file}: nothing was imported: "
            + (f"all {report.rows} rows were skipped." if report.rows else "the file has no rows.")
            + " Nothing was stored."
        )
    r, im = report.result, report.images
    for w in im.warnings[:50]:
        err.print(f"  {file}:{w.line}: photo {w.image} not kept: {w.reason}")
    if len(im.warnings) > 50:
        err.print(f"  … and {len(im.warnings) - 50} more photos not kept")
    console.print(
        f"{file}: {report.rows} rows, {report.imported} imported "
        f"({r.new_ads} new ads, {r.new_versions} new versions, {r.unchanged} unchanged), "
        f"{len(report.skipped)} skipped. Photos: {im.stored} kept, {im.known} already kept, "
        f"{len(im.warnings)} not available."
    )


# ------------------------------------------------------------------ crawl


@app.command()
def crawl(
    ctx: typer.Context,
    config: Annotated[Path, typer.Option("--config", "-c", help="Crawl configuration (YAML or TOML).")],
    region: Annotated[str | None, typer.Option("--region", help="Region in a multi-region file.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Only this site of the configuration.")] = None,
    max_pages: Annotated[
        int | None, typer.Option("--max-pages", help="Stop after this many pages; the next crawl resumes.")
    ] = None,
) -> None:
    """Collect the configured sites politely (robots.txt, rate limit); resumes an interrupted run."""
    from zicht.sources.config import ConfigError, load_config
    from zicht.sources.crawler import crawl_site

    try:
        cfg = load_config(config, region=region)
        names = [site] if site else cfg.site_names
        for name in names:
            cfg.site(name)
    except (ConfigError, OSError) as exc:
        fail(str(exc))
    with open_store(ctx) as store:
        for name in names:
            try:
                with progress() as bar:
                    summary = crawl_site(
                        store,
                        name,
                        cfg,
                        on_progress=stage_progress(bar, CRAWL_LABELS, prefix=f"{name}: "),
                        max_pages=max_pages,
                    )
            except KeyboardInterrupt:
                _crawl_interrupted(store, name)
                raise typer.Exit(130) from None
            console.print(str(summary))


def _crawl_interrupted(store: Store, site: str) -> None:
    """What Ctrl-C left: the interrupted run keeps its pages and the same command resumes it."""
    site_id = store.site_id(site)
    run = store.unfinished_run(site_id, "crawl") if site_id is not None else None
    kept = int((run.stats or {}).get("stored") or 0) if run is not None else 0
    where = f" (run {run.id})" if run is not None else ""
    err.print(
        f"{site}: interrupted{where}; {kept} pages kept as evidence. "
        "Run the same command again to resume where it stopped."
    )


# ------------------------------------------------------------------ reparse / process


@app.command()
def reparse(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="Only this site.")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Also pages already parsed by the current adapter version.")
    ] = False,
) -> None:
    """Re-parse stored raw pages with the current adapters, without fetching anything again."""
    from zicht.sources.reparse import reparse as run_reparse

    with open_store(ctx) as store, progress() as bar:
        task = bar.add_task("Re-parsing stored pages", total=None)
        try:
            report = run_reparse(
                store,
                site=site,
                everything=everything,
                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except KeyError as exc:
            fail(str(exc.args[0]))
    console.print(
        f"{report.pages} stored ad pages: {report.skipped_current} already current, "
        f"{report.updated} versions corrected, {report.unchanged} unchanged, {report.new_ads} new ads, "
        f"{report.new_versions} new versions, {report.conflicts} conflicts, {len(report.errors)} parse errors."
    )
    for url, reason in report.errors[:20]:
        err.print(f"  {url}: {reason}")


@link_app.callback()
def link(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Rebuild all links from scratch.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Processes for profiles and pair checks in large runs (default 2)."
        ),
    ] = None,
) -> None:
    """Link ads into personas and networks (shared contacts, photos, text, templates), with reasons.

    With no sub-command: run linking. [bold]confirm[/] / [bold]split[/]: record an analyst's decision on a pair."""
    if ctx.invoked_subcommand is not None:
        if full:
            fail("--full belongs to `zicht link` itself; `confirm` and `split` only record a decision")
        return
    with open_store(ctx) as store:
        print_link_report(run_link(store, full=full, workers=workers))
        run_aggregates(store)  # personas changed: their weeks are counted again


def run_link(store, *, full: bool = False, workers: int | None = None):  # type: ignore[no-untyped-def]
    from zicht.linking.run import LinkSettings
    from zicht.linking.run import link as link_stage

    settings = LinkSettings(workers=workers) if workers is not None else None
    labels = {
        "profiles": "Linking: profiles",
        "keys": "Linking: indexing keys",
        "verify": "Linking: verifying pairs",
        "cluster": "Linking: clusters",
    }
    with progress() as bar:
        return link_stage(store, full=full, on_progress=stage_progress(bar, labels), settings=settings)


def stale_notice(as_of) -> str:  # type: ignore[no-untyped-def]
    """The dashboard's notice, for the command line: the stored counts are older than the ads."""
    from zicht.analysis.counts import TIMEZONE

    at = as_of.refreshed_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")
    if as_of.new_ads:
        return (
            f"Counts updated up to {at}; {as_of.new_ads} ads have come in since and will be counted "
            "after the next processing run (`zicht process`, or use --fresh)."
        )
    return (
        f"Counts updated up to {at}; data has changed since and will be included after the next "
        "processing run (`zicht process`, or use --fresh)."
    )


def run_aggregates(store) -> None:  # type: ignore[no-untyped-def]
    """Bring the dashboard's count aggregates up to date: only the weeks the changes touched."""
    from zicht.store.aggregates import refresh_aggregates

    with progress() as bar:
        r = refresh_aggregates(store, on_progress=stage_progress(bar, {"aggregates": "Counts per area"}))
    console.print(
        f"Counts: {r.changed_ads} ads changed, {r.weeks} weeks and {r.regions} regions counted again"
        f"{' (first full count)' if r.full else ''}."
    )


def print_link_report(report) -> None:  # type: ignore[no-untyped-def]
    if report.redone_stopped_rebuild:
        console.print("A rebuild (--full) had stopped before it finished; it was done again from scratch.")
    console.print(
        f"Linking: {report.profiled} ads profiled, {report.candidates} candidate pairs, "
        f"{report.links} links, {report.personas} personas, {report.networks} networks, "
        f"{report.hubs} hub values held apart."
    )
    for conflict in report.conflicts[:10]:
        err.print(f"  ! {conflict}")


@app.command()
def lookup(
    ctx: typer.Context,
    numbers: Annotated[
        list[str],
        typer.Argument(help="Phone numbers, or a file with one number per line (e.g. a phone's contacts)."),
    ],
    region: Annotated[
        str, typer.Option("--region", help="Country for numbers without a country code.")
    ] = "NL",
) -> None:
    """Cross-reference numbers against all ads: first/last seen, places and networks."""
    from zicht.store.linking import lookup_numbers

    wanted: list[str] = []
    for item in numbers:
        path = Path(item)
        if path.is_file():
            try:
                wanted.extend(
                    line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()
                )
            except (OSError, UnicodeDecodeError) as exc:
                fail(f"{path}: cannot read the file ({exc})")
        else:
            wanted.append(item)
    with open_store(ctx) as store:
        rows = lookup_numbers(store, wanted, default_region=region)
    table = Table(title=f"{sum(r.found for r in rows)} of {len(rows)} numbers found in ads")
    for col in ("number", "E.164", "ads", "first seen", "last seen", "gemeenten", "networks"):
        table.add_column(col, no_wrap=col in ("number", "E.164", "first seen", "last seen"))
    for r in rows:
        table.add_row(
            r.query,
            r.e164 or "(not a phone number)",
            str(r.ads),
            f"{r.first_seen:%Y-%m-%d}" if r.first_seen else "",
            f"{r.last_seen:%Y-%m-%d}" if r.last_seen else "",
            ", ".join(r.gemeenten[:6]),
            ", ".join(f"{n} ({r.network_roles.get(n, '')})" for n in r.networks[:5]),
        )
    console.print(table)


@app.command()
def process(
    ctx: typer.Context,
    no_photos: Annotated[bool, typer.Option("--no-photos", help="Skip hashing and OCR of photos.")] = False,
    no_ocr: Annotated[
        bool, typer.Option("--no-ocr", help="Hash photos but do not read text on them.")
    ] = False,
) -> None:
    """Run every stage on what is new or changed: photos, extraction, signals, linking; then check watches."""
    with open_store(ctx) as store:
        process_everything(store, photos=not no_photos, ocr=not no_ocr)


def process_everything(store, *, photos: bool = True, ocr: bool = True) -> None:  # type: ignore[no-untyped-def]
    """What `zicht process` does, also at the end of `zicht demo`: every stage, the counts, the watches."""
    from zicht.store.watches import check_watches

    print_process_report(run_process(store, photos=photos, ocr=ocr))
    print_link_report(run_link(store))
    run_aggregates(store)
    print_check_report(check_watches(store))


def run_process(store, *, photos: bool = True, ocr: bool = True):  # type: ignore[no-untyped-def]
    from zicht.pipeline import process as pipeline_process

    labels = {"photos": "Photos (hash, OCR)", "extraction": "Extracting facts", "signals": "Scoring signals"}
    with progress() as bar:
        return pipeline_process(store, on_progress=stage_progress(bar, labels), photos=photos, ocr=ocr)


def print_process_report(report) -> None:  # type: ignore[no-untyped-def]
    console.print(
        f"Photos: {report.photos_hashed} hashed, {report.photos_missing} not collected, "
        f"{report.photo_errors} unreadable. Extraction: {report.extracted} ad versions "
        f"({report.field_errors} fields unreadable). Signals: {report.scored} ad versions scored."
    )


# ------------------------------------------------------------------ export


@export_app.command("ads")
def export_ads_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV file to write.")],
    pseudonymise: Annotated[
        bool,
        typer.Option("--pseudonymise/--no-pseudonymise", help="Replace phones and emails by keyed hashes."),
    ] = False,
) -> None:
    """One row per ad: site, source_id, url, phones, emails, age, place, gemeente_code, indicators, risk_score, …"""
    from zicht.exports import export_ads

    with open_store(ctx) as store:
        try:
            with progress() as bar:
                task = bar.add_task(f"Writing {output.name}", total=store.counts()["ads"] or None)
                n = export_ads(
                    store,
                    output,
                    pseudonymise=pseudonymise,
                    on_progress=lambda done: bar.update(task, completed=done),
                )
                bar.update(task, completed=n, total=n)
        except (ValueError, OSError) as exc:
            fail(str(exc))
    console.print(f"Wrote {n} ads to {output}{' (contact points pseudonymised)' if pseudonymise else ''}.")


@export_app.command("links")
def export_links_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV file to write.")],
    pseudonymise: Annotated[
        bool,
        typer.Option("--pseudonymise/--no-pseudonymise", help="Replace shared numbers by keyed hashes."),
    ] = False,
) -> None:
    """One row per linked pair and channel: site_a, source_id_a, site_b, source_id_b, channel, score, evidence."""
    from zicht.exports import export_links

    with open_store(ctx) as store:
        try:
            with progress() as bar:  # the number of rows is known only at the end: a counting bar
                task = bar.add_task(f"Writing {output.name}", total=None)
                n = export_links(
                    store,
                    output,
                    pseudonymise=pseudonymise,
                    on_progress=lambda done: bar.update(task, completed=done),
                )
                bar.update(task, completed=n, total=n)
        except (ValueError, OSError) as exc:
            fail(str(exc))
    console.print(f"Wrote {n} links to {output}{' (contact points pseudonymised)' if pseudonymise else ''}.")


@export_app.command("counts")
def export_counts_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .csv or .parquet file to write.")],
    by: Annotated[
        str,
        typer.Option(
            "--by", help="Area level: gemeente, police_unit, province, region, site, category or all."
        ),
    ] = "gemeente",
    period: Annotated[
        str, typer.Option("--period", help="day or week (ISO weeks, Dutch local dates).")
    ] = "week",
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD); default: the first day with data.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day (YYYY-MM-DD); default: the last day with data.")
    ] = None,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise/--no-pseudonymise",
            help="Keyed hashes for any contact values (the counts hold none today).",
        ),
    ] = True,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Bring the stored counts up to date first (as `zicht process` does); without it the "
            "file holds what the dashboard shows, with a notice when ads came in since.",
        ),
    ] = False,
) -> None:
    """Ads per area and period: area_code, area_name, period, active_ads, new_ads, contact_points, personas, changes."""
    from datetime import date

    from zicht.analysis.counts import LEVELS, PERIODS
    from zicht.exports import export_counts

    if by not in LEVELS:
        fail(f"--by must be one of {', '.join(LEVELS)}, not {by!r}")
    if period not in PERIODS:
        fail(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    days: list[date | None] = []
    for name, value in (("--from", date_from), ("--to", date_to)):
        try:
            days.append(date.fromisoformat(value) if value else None)
        except ValueError:
            fail(f"{name} must be a date written YYYY-MM-DD, not {value!r}")
    with open_store(ctx) as store:
        from zicht.store.aggregates import freshness

        if fresh:
            run_aggregates(store)
        as_of = freshness(store)
        if as_of is not None and not as_of.fresh:
            err.print(stale_notice(as_of))
        try:
            n = export_counts(
                store,
                output,
                level=by,
                period=period,
                first_day=days[0],
                last_day=days[1],
                pseudonymise=pseudonymise,
            )
        except (ValueError, OSError) as exc:
            fail(str(exc))
    console.print(f"Wrote {n} rows ({by} per {period}) to {output}.")


# ------------------------------------------------------------------ web and demo


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A name the app answers for besides 127.0.0.1, localhost and ::1 (e.g. a reverse "
            "proxy's name); repeat for more. Also read from ZICHT_ALLOWED_HOSTS (comma-separated).",
        ),
    ] = None,
) -> None:
    """Start the web app."""
    from zicht.web.app import serve as serve_app

    with open_store(ctx) as store:
        try:
            serve_app(
                store,
                host=host,
                port=port,
                allowed_hosts=allowed_host,
                on_ready=lambda url: console.print(f"Zicht web app: {url}  (Ctrl+C to stop)"),
            )
        except ValueError as exc:
            fail(str(exc))


@app.command()
def demo(
    ctx: typer.Context,
    ads: Annotated[int, typer.Option("--ads", help="Number of synthetic ads in the market.")] = 3000,
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks the market spans.")] = 6,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the market generator.")] = 7,
    every: Annotated[int, typer.Option("--every", help="Crawl the demo sites every N market days.")] = 7,
    serve_app: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the web app when processing is done.")
    ] = True,
    port: Annotated[int, typer.Option("--port", help="Port for the web app.")] = 8000,
    intervention: Annotated[
        bool,
        typer.Option(
            "--intervention/--no-intervention",
            help="Simulate a control action in the middle week (recorded as intervention by 'demo').",
        ),
    ] = True,
) -> None:
    """Generate a synthetic market, serve it on 127.0.0.1, crawl it, process it, start the web app."""
    from zicht.demo.run import DemoOptions, run_demo

    if ads < 10 or weeks < 1:
        fail("--ads must be at least 10 and --weeks at least 1")
    if serve_app:
        from zicht.web.app import check_port

        try:  # before minutes of crawling, not after
            check_port("127.0.0.1", port)
        except ValueError as exc:
            fail(str(exc))
    with open_store(ctx) as store:
        if store.counts()["ads"]:
            console.print(
                "[yellow]This database already holds ads; the demo adds its synthetic market to them. "
                "Use a fresh --db for a clean demo.[/]"
            )
        with progress() as bar:
            report = run_demo(
                store,
                DemoOptions(
                    seed=seed, n_ads=ads, weeks=weeks, crawl_every_days=every, intervention=intervention
                ),
                on_stage=lambda msg: bar.console.print(f"[bold]»[/] {msg}"),
                on_progress=stage_progress(bar, CRAWL_LABELS),
            )
        pages = sum(s.fetched for s in report.summaries)
        console.print(
            f"Crawled {len(report.crawl_days)} market days, {pages} pages in {report.seconds:.0f} s; "
            f"ground truth in {report.truth_path}"
        )
        trouble = ", ".join(f"{n} {what}" for what, n in report.problem_counts().items() if n)
        console.print(
            f"Problems over the crawl: {trouble} (per site and day above; the demo site breaks the odd page "
            "on purpose)"
            if trouble
            else "No parse errors, failed pages or layout warnings."
        )
        process_everything(store)
        counts = store.counts()
        console.print(
            f"The database holds {counts['ads']} ads ({counts['active_ads']} active), "
            f"{counts['versions']} versions, {counts['raw_pages']} stored pages."
        )
        if serve_app:
            from zicht.web.app import serve as serve_web

            try:
                serve_web(
                    store,
                    host="127.0.0.1",
                    port=port,
                    on_ready=lambda url: console.print(
                        f"[bold green]Zicht is ready:[/] {url}  (Ctrl+C to stop)"
                    ),
                )
            except ValueError as exc:
                fail(str(exc))


# ------------------------------------------------------------------ evaluate


@app.command()
def evaluate(
    ctx: typer.Context,
    truth: Annotated[
        Path | None,
        typer.Option("--truth", help="Ground-truth file (default: demo-truth.jsonl in the data directory)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the whole report as JSON.")
    ] = None,
    examples: Annotated[
        int, typer.Option("--examples", min=0, help="Failing examples shown per missed target.")
    ] = 3,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with code 3 when a target is missed (for CI).")
    ] = False,
    heldout: Annotated[
        bool,
        typer.Option(
            "--heldout",
            help="Measure on the hand-written, hand-labelled held-out ads instead (no database needed).",
        ),
    ] = False,
) -> None:
    """Measure extraction, indicators and linking against the demo market's ground truth (synthetic data only)."""
    import json

    if heldout:
        if strict:
            fail(
                "--strict has no targets to check with --heldout: the held-out ads are too few to judge any figure"
            )
        _evaluate_heldout(output)
        return

    from zicht.demo.run import TRUTH_FILE
    from zicht.evaluation import GroundTruthError, load_ground_truth
    from zicht.evaluation.displacement import evaluate_displacement, print_displacement
    from zicht.evaluation.report import (
        CONSISTENCY_REQUIRED,
        build_report,
        missed_targets,
        print_report,
        report_console,
    )
    from zicht.signals.catalogue import load_catalogue
    from zicht.store import db as dbmod
    from zicht.store.evaluation import iter_stored_versions, link_assignments

    with open_store(ctx) as store:
        path = truth or store.data_dir / TRUTH_FILE
        if not path.is_file():
            fail(f"no ground truth found at {path}; run `zicht demo` first or pass --truth")
        try:
            ground_truth = load_ground_truth(path)
            catalogue = load_catalogue()
            with console.status("Reading what the pipeline stored"):
                stored = [v for batch in iter_stored_versions(store) for v in batch]
                assignments = link_assignments(store)
            if not stored:
                fail(f"the database {dbmod.describe(store.url)} holds no ads; run `zicht demo` first")
            report = build_report(
                ground_truth,
                stored,
                [i.code for i in catalogue.indicators],
                assignments=assignments,
                examples=max(examples, 5),
                database=dbmod.describe(store.url),
                catalogue_version=catalogue.version,
            )
            displacement = evaluate_displacement(store, path, ground_truth)
        except GroundTruthError as exc:
            fail(str(exc))
    matching = report.matching
    if not matching.versions:
        fail(
            f"none of the {matching.stored_ads} stored ads is in the ground truth at {path}; "
            "was it written by another `zicht demo` run?"
        )
    if (matching.consistency or 0.0) < CONSISTENCY_REQUIRED:
        fail(
            f"the ground truth at {path} does not describe this database: only {matching.consistency:.0%} of "
            "the joined ad versions name the place the truth says they name; was it written by another "
            "`zicht demo` run?"
        )
    out = report_console(console)
    print_report(report, out, examples=examples)
    if displacement is not None:
        print_displacement(displacement, out)
    if output is not None:
        whole = report.as_json() | ({"displacement": displacement.as_json()} if displacement else {})
        try:
            output.write_text(json.dumps(whole, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {output}: {exc}")
        console.print(f"Report written to {output}.")
    if strict and missed_targets(report):
        raise typer.Exit(3)


def _evaluate_heldout(output: Path | None) -> None:
    import json

    from zicht.evaluation.heldout import HeldoutError, evaluate_heldout, load_heldout, print_heldout
    from zicht.evaluation.report import report_console
    from zicht.signals.catalogue import load_catalogue

    try:
        ads = load_heldout()
    except HeldoutError as exc:
        fail(str(exc))
    catalogue = load_catalogue()
    report = evaluate_heldout(ads, catalogue)
    print_heldout(report, report_console(console))
    if output is not None:
        whole = {"heldout": report.as_json(), "catalogue_version": catalogue.version}
        try:
            output.write_text(json.dumps(whole, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {output}: {exc}")
        console.print(f"Report written to {output}.")


def run() -> None:  # pragma: no cover - console entry point
    app()
