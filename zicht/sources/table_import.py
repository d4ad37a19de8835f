"""Import ads from a CSV or JSONL table (e.g. a partner's own list) into the store.

Bad rows are reported with their line number and skipped; good rows are kept. The file itself
is stored as evidence (WARC, sha256), and importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from zicht.sources.types import ParsedAd
from zicht.store.store import IngestItem, IngestResult, Store

IMPORT_VERSION = "1"
CANONICAL = ("id", "url", "posted_at", "title", "text", "location", "age", "phone", "email", "images")
REQUIRED = ("id",)
NEED_ONE_OF = ("title", "text")
MAX_FIELD_CHARS = 200_000
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BATCH = 1000


class ImportError_(ValueError):
    """The file as a whole cannot be imported (nothing was stored)."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    file: str
    site: str
    rows: int = 0
    imported: int = 0
    skipped: list[RowError] = field(default_factory=list)
    result: IngestResult = field(default_factory=IngestResult)
    already_imported: bool = False
    run_id: int | None = None
    encoding: str = "utf-8"
    region: str = "NL"  # the site's default region the ads of this import are read in
    region_changed_from: str | None = None  # the site's earlier default, when --set-site-region changed it


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``FIELD=COLUMN`` pairs from the command line into {canonical field: file column}."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ImportError_(f"--map {pair!r}: expected FIELD=COLUMN, e.g. --map text=omschrijving")
        fld, col = (x.strip() for x in pair.split("=", 1))
        if fld not in CANONICAL:
            raise ImportError_(f"--map {pair!r}: unknown field {fld!r}; known fields: {', '.join(CANONICAL)}")
        if not col:
            raise ImportError_(f"--map {pair!r}: empty column name")
        mapping[fld] = col
    return mapping


def parse_posted_at(value: str) -> datetime:
    """ISO 8601 or Dutch dd-mm-yyyy; times without a zone are Dutch local time."""
    value = value.strip()
    for fmt in ("%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            dt = datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    else:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                d = date.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"posted_at {value!r} is not a date (use 2026-10-05 or 05-10-2026)"
                ) from None
            dt = datetime(d.year, d.month, d.day)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=AMSTERDAM)
    return dt.astimezone(UTC)


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _sniff(text: str) -> str:
    """The delimiter used in the header row; Dutch spreadsheets often write ';'."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str, path: str) -> Iterator[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_sniff(text))
    if not reader.fieldnames:
        raise ImportError_(f"{path}: the file is empty or has no header row")
    for row in reader:
        extra = row.pop(None, None)  # type: ignore[call-overload]
        if extra:
            yield reader.line_num, {"__error__": f"{len(extra)} more value(s) than header columns"}
            continue
        if any(v is None for v in row.values()):
            yield reader.line_num, {"__error__": "fewer values than header columns"}
            continue
        yield reader.line_num, dict(row)


def _jsonl_rows(text: str, path: str) -> Iterator[tuple[int, dict[str, object]]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, {"__error__": f"not valid JSON ({exc.msg} at column {exc.colno})"}
            continue
        if not isinstance(obj, dict):
            yield n, {"__error__": "a line must be a JSON object"}
            continue
        yield n, obj


def _header_columns(fmt: str, text: str) -> set[str] | None:
    if fmt != "csv":
        return None
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(text)), [])
    if not header:
        raise ImportError_("the file is empty or has no header row")
    return {h.strip() for h in header}


def row_to_ad(row: dict[str, object], mapping: dict[str, str], site: str) -> ParsedAd:
    """One table row to a ParsedAd; raises ValueError with the reason for a bad row."""

    def get(fld: str) -> object:
        value = row.get(mapping.get(fld, fld))
        if isinstance(value, str):
            value = value.strip()
            if len(value) > MAX_FIELD_CHARS:
                raise ValueError(f"{fld} is longer than {MAX_FIELD_CHARS} characters")
        return value if value not in ("", None) else None

    source_id = get("id")
    if source_id is None:
        raise ValueError("missing id")
    if isinstance(source_id, float | bool | list | dict):
        raise ValueError(f"id must be text or a whole number, got {source_id!r}")
    source_id = str(source_id)
    title = get("title")
    text = get("text")
    if title is None and text is None:
        raise ValueError("title and text are both empty")
    for name, value in (("title", title), ("text", text)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be text")
    images_raw = get("images")
    if images_raw is None:
        images: list[str] = []
    elif isinstance(images_raw, list):
        images = [str(x).strip() for x in images_raw if str(x).strip()]
    elif isinstance(images_raw, str):
        images = [x.strip() for x in images_raw.split(";") if x.strip()]
    else:
        raise ValueError("images must be a list (JSONL) or ';'-separated text (CSV)")
    posted = get("posted_at")
    posted_at = parse_posted_at(str(posted)) if posted is not None else None
    fields: dict[str, str] = {}
    for fld, key in (("location", "location"), ("age", "age")):
        value = get(fld)
        if value is not None:
            fields[key] = str(value)
    url = get("url")
    phone = get("phone")
    email = get("email")
    return ParsedAd(
        site=site,
        source_id=source_id,
        url=str(url) if url else f"import:{site}/{source_id}",
        title=str(title or ""),
        text=str(text or ""),
        posted_at=posted_at,
        fields=fields,
        images=images,
        phone=str(phone) if phone is not None else None,
        email=str(email) if email is not None else None,
    )


def _site_region(
    store: Store, site: str, region: str | None, set_site_region: bool
) -> tuple[int, str, str | None]:
    """(site id, the region its ads are read in, the earlier default when it was changed)."""
    from sqlalchemy import select

    from zicht.store.models import Site

    with store.session() as s:
        row = s.scalar(select(Site).where(Site.name == site))
        if row is None:
            row = Site(name=site, default_region=region or "NL")
            s.add(row)
            s.flush()
            return row.id, row.default_region, None
        stored = row.default_region
        if region is None or region == stored:
            return row.id, stored, None
        if not set_site_region:
            raise ImportError_(
                f"--region {region}: site {site!r} reads phone numbers without a country code as {stored} "
                f"(its default region). Give --region {stored} or leave --region out to import in {stored}, "
                f"import into a separate --site for {region} ads, or add --set-site-region to make {region} "
                f"the default of site {site!r} (its versions not extracted yet are then read as {region} too)."
            )
        row.default_region = region
        return row.id, region, stored


def import_table(
    store: Store,
    path: Path,
    *,
    fmt: str,
    site: str,
    region: str | None = None,
    set_site_region: bool = False,
    mapping: dict[str, str] | None = None,
    purpose: str,
    legal_basis: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import one file. Raises ImportError_ when the file as a whole is unusable.

    ``region`` is the default country for phone numbers without a country code. It is stored per site
    (the pipeline reads every version of a site in its site's region), so a region other than an
    existing site's is refused, naming both, unless ``set_site_region`` makes it the site's new
    default. Without ``region`` a new site gets NL and an existing site keeps its own.
    """
    path = Path(path)
    mapping = mapping or {}
    if fmt not in ("csv", "jsonl"):
        raise ImportError_(f"{path}: unknown format {fmt!r}; use csv or jsonl")
    if not site.strip():
        raise ImportError_("--site must name the site the ads come from")
    if region is not None and (len(region) != 2 or not region.isalpha()):
        raise ImportError_(f"--region {region!r}: use a two-letter country code such as NL or BE")
    region = region.upper() if region is not None else None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read the file ({exc.strerror})") from exc
    text, encoding = _decode(data)
    report = ImportReport(file=str(path), site=site, encoding=encoding)

    try:
        columns = _header_columns(fmt, text)
    except ImportError_ as exc:
        raise ImportError_(f"{path}: {exc}") from None
    if columns is not None:
        wanted = {fld: mapping.get(fld, fld) for fld in CANONICAL}
        missing = [f"{f} (column {wanted[f]!r})" for f in REQUIRED if wanted[f] not in columns]
        if not any(wanted[f] in columns for f in NEED_ONE_OF):
            missing.append("title or text")
        if missing:
            raise ImportError_(
                f"{path}: missing column(s): {', '.join(missing)}. Columns in the file: "
                f"{', '.join(sorted(columns)) or '(none)'}. Use --map FIELD=COLUMN to name yours."
            )
        for fld, col in mapping.items():
            if col not in columns:
                raise ImportError_(f"{path}: --map {fld}={col}: there is no column {col!r} in the file")

    digest = hashlib.sha256(data).hexdigest()
    site_id, report.region, report.region_changed_from = _site_region(store, site, region, set_site_region)
    region = report.region
    earlier = store.finished_import(site_id, digest)
    if earlier is not None:
        report.already_imported = True
        report.run_id = earlier.id
        return report

    rows_iter = _csv_rows(text, str(path)) if fmt == "csv" else _jsonl_rows(text, str(path))
    seen_ids: dict[str, int] = {}
    parsed: list[tuple[int, ParsedAd]] = []
    for line, row in rows_iter:
        report.rows += 1
        if "__error__" in row:
            report.skipped.append(RowError(line, str(row["__error__"])))
            continue
        try:
            ad = row_to_ad(row, mapping, site)
        except ValueError as exc:
            report.skipped.append(RowError(line, str(exc)))
            continue
        if ad.source_id in seen_ids:
            report.skipped.append(
                RowError(line, f"duplicate id {ad.source_id!r} (first on line {seen_ids[ad.source_id]})")
            )
            continue
        seen_ids[ad.source_id] = line
        parsed.append((line, ad))

    started = now()
    run_id = store.start_run(
        site_id,
        "import",
        purpose=purpose,
        legal_basis=legal_basis,
        config={"file": str(path), "sha256": digest, "format": fmt, "region": region, "map": mapping},
        started_at=started,
    )
    report.run_id = run_id
    raw_id = store.store_page(
        run_id, path.resolve().as_uri(), "import", 200, [("Content-Type", _mime(fmt))], data, started
    )
    parser = f"import@{IMPORT_VERSION}"
    for i in range(0, len(parsed), BATCH):
        batch = parsed[i : i + BATCH]
        report.result.add(store.ingest([IngestItem(ad, started, parser, raw_id) for _, ad in batch]))
        report.imported += len(batch)
        if on_progress:
            on_progress(report.imported, len(parsed))
    store.set_parse_result(
        raw_id, "ok" if not report.skipped else "error", _summarise(report.skipped), parser
    )
    store.finish_run(
        run_id,
        stats={
            "rows": report.rows,
            "imported": report.imported,
            "skipped": len(report.skipped),
            "new_ads": report.result.new_ads,
            "new_versions": report.result.new_versions,
        },
        finished_at=now(),
    )
    return report


def _mime(fmt: str) -> str:
    return "text/csv" if fmt == "csv" else "application/x-ndjson"


def _summarise(errors: list[RowError], limit: int = 50) -> str | None:
    if not errors:
        return None
    lines = [f"line {e.line}: {e.reason}" for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more")
    return "\n".join(lines)
