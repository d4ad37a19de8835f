"""File exports (the CSV contract in docs/cli.md); lists are joined with ';'."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from zicht.store.exports import iter_ad_rows
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


def export_ads(
    store: Store,
    output: Path,
    *,
    pseudonymise: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write every ad to ``output`` (CSV, UTF-8); returns the number of rows.

    Written to a temporary file first, so a failed export never leaves half a file behind.
    """
    output = Path(output)
    if output.suffix.lower() != ".csv":
        raise ValueError(f"{output}: only .csv is supported for ads")
    tmp = output.with_name(output.name + ".part")
    n = 0
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(AD_COLUMNS)
        for row in iter_ad_rows(store, pseudonymise=pseudonymise):
            d = asdict(row)
            writer.writerow([_cell(d[c]) for c in AD_COLUMNS])
            n += 1
            if on_progress and n % 1000 == 0:
                on_progress(n)
    tmp.replace(output)
    return n
