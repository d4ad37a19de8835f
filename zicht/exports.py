"""File exports (the CSV contract in docs/cli.md); lists are joined with ';'."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path

from zicht.store.exports import iter_ad_rows, iter_link_rows
from zicht.store.store import Store

AD_COLUMNS = (
    "site",
    "source_id",
    "url",
    "status",
    "first_seen",
    "last_seen",
    "phones",
    "emails",
    "age",
    "place",
    "gemeente_code",
    "indicators",
    "risk_score",
    "persona_id",
    "network_id",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _write_csv(
    output: Path,
    columns: Sequence[str],
    records: Iterable[dict],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``records`` to ``output.part`` and rename it when complete, so a failed export never
    leaves half a file behind (the part file is removed on failure). Returns the number of rows."""
    tmp = output.with_name(output.name + ".part")
    n = 0
    try:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for rec in records:
                writer.writerow([_cell(rec[c]) for c in columns])
                n += 1
                if on_progress and n % 1000 == 0:
                    on_progress(n)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _csv_output(output: Path, what: str) -> Path:
    output = Path(output)
    if output.suffix.lower() != ".csv":
        raise ValueError(f"{output}: only .csv is supported for {what}")
    return output


def export_ads(
    store: Store,
    output: Path,
    *,
    pseudonymise: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write every ad to ``output`` (CSV, UTF-8); returns the number of rows."""
    output = _csv_output(output, "ads")
    rows = (asdict(row) for row in iter_ad_rows(store, pseudonymise=pseudonymise))
    return _write_csv(output, AD_COLUMNS, rows, on_progress)


LINK_COLUMNS = ("site_a", "source_id_a", "site_b", "source_id_b", "channel", "score", "evidence")


def export_links(
    store: Store,
    output: Path,
    *,
    pseudonymise: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write every verified link (one row per pair and channel) to ``output`` (CSV, UTF-8).

    ``evidence`` is one readable line ending in what the link means, e.g. ``same phone:+316…
    [same network, other persona]``; with ``pseudonymise`` numbers become keyed hashes and ad text
    is left out.
    """
    output = _csv_output(output, "links")
    rows = (asdict(row) for row in iter_link_rows(store, pseudonymise=pseudonymise))
    return _write_csv(output, LINK_COLUMNS, rows, on_progress)


# ---------------------------------------------------------------- counts (monitoring)

COUNT_COLUMNS = (
    "area_level",
    "area_code",
    "area_name",
    "period",
    "period_start",
    "active_ads",
    "new_ads",
    "contact_points",
    "personas",
    "active_ads_change",
    "new_ads_change",
    "contact_points_change",
    "personas_change",
)


def export_counts(
    store: Store,
    output: Path,
    *,
    level: str = "gemeente",
    period: str = "week",
    first_day: date | None = None,
    last_day: date | None = None,
    pseudonymise: bool = True,
) -> int:
    """Counts per area and period (``zicht.store.counts.area_counts``) to CSV or Parquet; returns rows.

    The counts hold no contact values at all, so ``pseudonymise`` changes nothing today; it is kept so
    that any column of contact values added later is written as keyed hashes by default. ``personas``
    is empty while the linking stage has not run. Written to a temporary file first, then renamed.
    Like the dashboard it writes the stored aggregates of the last refresh even when ads came in
    since (``zicht.store.aggregates.freshness`` says how current; the command prints it), so the
    file and the page agree; ``zicht export counts --fresh`` refreshes them first.
    """
    from zicht.store.counts import area_counts

    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"{output}: counts are written as .csv or .parquet")
    table = area_counts(store, level, period, first_day, last_day, stale_ok=True)  # type: ignore[arg-type]
    records = [{"area_level": level, **asdict(r)} for r in table.rows]
    if suffix == ".csv":
        _write_csv(output, COUNT_COLUMNS, records)
    else:
        tmp = output.with_name(output.name + ".part")
        try:
            _write_counts_parquet(records, tmp)
            tmp.replace(output)
        finally:
            tmp.unlink(missing_ok=True)
    return len(records)


def _write_counts_parquet(records: list[dict], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("area_level", pa.string()),
            ("area_code", pa.string()),
            ("area_name", pa.string()),
            ("period", pa.string()),
            ("period_start", pa.date32()),
            *[
                (c, pa.int64())
                for c in COUNT_COLUMNS[5:]  # every count and change column
            ],
        ]
    )
    columns = {name: [rec[name] for rec in records] for name in schema.names}
    pq.write_table(pa.Table.from_pydict(columns, schema=schema), path)
