"""Import ads from a CSV or JSONL table (e.g. a partner's own list) into the store.

Bad rows are reported with their line number and skipped; good rows are kept. The file itself
is stored as evidence (WARC, sha256), and so are the photos it names (``import_images``).
Importing the same file again with the same options changes nothing; with other options
(a corrected --format or --map) it is read again.
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

from zicht.sources import import_images
from zicht.sources.http import HttpPolicy
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
    encoding_note: str | None = None  # set when part of the file was not UTF-8
    ignored_columns: list[str] = field(default_factory=list)  # in the file, used for no field
    images: import_images.ImageResult = field(default_factory=import_images.ImageResult)
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


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _decode(data: bytes, path: Path) -> tuple[str, str, str | None]:
    """(text, encoding, note). A byte-order mark decides (Excel's "Unicode text" is UTF-16); else
    UTF-8, and lines that are not UTF-8 are read as Windows-1252 one by one, with a note naming
    the first, so one odd byte does not turn every "café" into "cafÃ©"."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding.removesuffix("-sig")), encoding, None
            except UnicodeDecodeError as exc:
                raise ImportError_(
                    f"{path}: starts with a {encoding} byte-order mark but is not {encoding}: {exc}"
                ) from None
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        pass
    if data[:4096].count(b"\x00") > 8:
        raise ImportError_(
            f"{path}: looks like UTF-16 without a byte-order mark; save it as UTF-8 (CSV UTF-8)"
        )
    out: list[str] = []
    odd: list[int] = []
    utf8_beyond_ascii = False
    for n, line in enumerate(data.split(b"\n"), start=1):
        try:
            out.append(line.decode("utf-8"))
            utf8_beyond_ascii = utf8_beyond_ascii or not line.isascii()
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
            odd.append(n)
    if not utf8_beyond_ascii:  # a Windows-1252 file through and through (an older Excel's CSV)
        return "\n".join(out), "cp1252", f"not UTF-8 (first on line {odd[0]}): read as Windows-1252 (cp1252)"
    note = f"line {odd[0]} is not UTF-8: {len(odd)} line(s) read as Windows-1252 (cp1252), the rest as UTF-8"
    return "\n".join(out), "utf-8+cp1252", note


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
    reader.fieldnames = [h.strip() for h in reader.fieldnames]  # "id, title, text" as typed by hand
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


def _header_columns(fmt: str, text: str) -> list[str] | None:
    if fmt != "csv":
        return None
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(text)), [])
    if not header:
        raise ImportError_("the file is empty or has no header row")
    return [h.strip() for h in header]


def _key(column: str) -> str:
    """Column names match trimmed and case-insensitively (ID, Title, Text)."""
    return column.strip().casefold()


def _unused(columns: list[str], mapping: dict[str, str]) -> list[str]:
    used = {_key(mapping.get(fld, fld)) for fld in CANONICAL}
    return [c for c in dict.fromkeys(columns) if _key(c) not in used]


def row_to_ad(
    row: dict[str, object], mapping: dict[str, str], site: str, base: Path | None = None
) -> ParsedAd:
    """One table row to a ParsedAd; raises ValueError with the reason for a bad row. With ``base``
    (the table's folder) photo file paths become absolute file URIs (``import_images.normalise``)."""
    keyed = {_key(str(k)): v for k, v in row.items()}

    def get(fld: str) -> object:
        value = keyed.get(_key(mapping.get(fld, fld)))
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
    if base is not None:
        images = list(dict.fromkeys(import_images.normalise(x, base) for x in images))
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
        return row.id, region, stored  # made the site's default once rows are stored (_set_region)


def _set_region(store: Store, site_id: int, region: str) -> None:
    from zicht.store.models import Site

    with store.session() as s:
        row = s.get(Site, site_id)
        if row is not None:
            row.default_region = region


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
    on_progress: Callable[[str, int, int], None] | None = None,
    http_policy: HttpPolicy | None = None,
) -> ImportReport:
    """Import one file. Raises ImportError_ when the file as a whole is unusable.

    ``on_progress(stage, done, total)`` is called for the stages "read" (rows), "images" and
    "store" (rows); ``http_policy`` is how photo URLs are fetched (default: ``import_policy``).

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
    text, encoding, note = _decode(data, path)
    report = ImportReport(file=str(path), site=site, encoding=encoding, encoding_note=note)

    try:
        columns = _header_columns(fmt, text)
    except ImportError_ as exc:
        raise ImportError_(f"{path}: {exc}") from None
    if columns is not None:
        have = {_key(c) for c in columns}
        wanted = {fld: mapping.get(fld, fld) for fld in CANONICAL}
        missing = [f"{f} (column {wanted[f]!r})" for f in REQUIRED if _key(wanted[f]) not in have]
        if not any(_key(wanted[f]) in have for f in NEED_ONE_OF):
            missing.append("title or text")
        if missing:
            raise ImportError_(
                f"{path}: missing column(s): {', '.join(missing)}. Columns in the file: "
                f"{', '.join(sorted(columns)) or '(none)'}. Use --map FIELD=COLUMN to name yours."
            )
        for fld, col in mapping.items():
            if _key(col) not in have:
                raise ImportError_(f"{path}: --map {fld}={col}: there is no column {col!r} in the file")
        report.ignored_columns = _unused(columns, mapping)

    digest = hashlib.sha256(data).hexdigest()
    site_id, report.region, changed_from = _site_region(store, site, region, set_site_region)
    region = report.region
    options = {"format": fmt, "region": region, "map": mapping}
    earlier = store.finished_import(site_id, digest, options)
    if earlier is not None:
        report.already_imported = True
        report.run_id = earlier.id
        return report

    parsed, json_keys = _parse_rows(report, text, fmt, mapping, site, path, on_progress)
    if columns is None:
        report.ignored_columns = _unused(json_keys, mapping)
    if not parsed:  # nothing to keep: no run, no evidence, and the same file may come again corrected
        return report

    started = now()
    run_id = store.start_run(
        site_id,
        "import",
        purpose=purpose,
        legal_basis=legal_basis,
        config={"file": str(path), "sha256": digest, **options},
        started_at=started,
    )
    report.run_id = run_id
    raw_id = store.store_page(
        run_id, path.resolve().as_uri(), "import", 200, [("Content-Type", _mime(fmt))], data, started
    )
    wanted: dict[str, list[int]] = {}
    for line, ad in parsed:
        for ref in ad.images:
            wanted.setdefault(ref, []).append(line)
    if wanted:
        report.images = import_images.keep_images(
            store,
            run_id,
            wanted,
            policy=http_policy or import_images.import_policy(),
            now=now,
            on_progress=(lambda done, total: on_progress("images", done, total)) if on_progress else None,
        )
    parser = f"import@{IMPORT_VERSION}"
    if changed_from:  # only now: a repeated or empty import changes nothing
        _set_region(store, site_id, report.region)
        report.region_changed_from = changed_from
    for i in range(0, len(parsed), BATCH):
        batch = parsed[i : i + BATCH]
        report.result.add(store.ingest([IngestItem(ad, started, parser, raw_id) for _, ad in batch]))
        report.imported += len(batch)
        if on_progress:
            on_progress("store", report.imported, len(parsed))
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
            "images": report.images.stored,
            "images_unavailable": len(report.images.warnings),
        },
        finished_at=now(),
    )
    return report


def _parse_rows(
    report: ImportReport,
    text: str,
    fmt: str,
    mapping: dict[str, str],
    site: str,
    path: Path,
    on_progress: Callable[[str, int, int], None] | None,
) -> tuple[list[tuple[int, ParsedAd]], list[str]]:
    """The good rows (line, ad), bad ones recorded on ``report``; and the keys seen in JSONL objects."""
    total = text.count("\n") + (0 if text.endswith("\n") else 1) - (1 if fmt == "csv" else 0)
    rows_iter = _csv_rows(text, str(path)) if fmt == "csv" else _jsonl_rows(text, str(path))
    seen_ids: dict[str, int] = {}
    keys: dict[str, None] = {}
    parsed: list[tuple[int, ParsedAd]] = []
    for line, row in rows_iter:
        report.rows += 1
        if on_progress and report.rows % 500 == 0:
            on_progress("read", report.rows, max(total, report.rows))
        if "__error__" in row:
            report.skipped.append(RowError(line, str(row["__error__"])))
            continue
        if fmt == "jsonl":
            keys.update(dict.fromkeys(str(k) for k in row))
        try:
            ad = row_to_ad(row, mapping, site, base=path.resolve().parent)
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
    if on_progress:
        on_progress("read", report.rows, report.rows)
    return parsed, list(keys)


def _mime(fmt: str) -> str:
    return "text/csv" if fmt == "csv" else "application/x-ndjson"


def _summarise(errors: list[RowError], limit: int = 50) -> str | None:
    if not errors:
        return None
    lines = [f"line {e.line}: {e.reason}" for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more")
    return "\n".join(lines)
