"""The one storage layer: every stage and the web app read and write through ``Store``.

Writes are batched in one transaction per call, so a failure leaves what was stored before
untouched. The same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from zicht.sources.types import ParsedAd
from zicht.sources.warc import StoredRecord, WarcStore
from zicht.store import db
from zicht.store.models import (
    Ad,
    AdVersion,
    CrawlRun,
    CrawlTask,
    RawPage,
    Site,
)


@dataclass(frozen=True)
class IngestItem:
    parsed: ParsedAd
    seen_at: datetime
    parser: str  # adapter name@version, or import@version
    raw_page_id: int | None = None
    # The page shows a "toon nummer" link but its number could not be had: stored with phone
    # None and completed (not followed by a new version) once a later fetch reads the number.
    phone_unknown: bool = False
    listed_under: str | None = None  # the seed listing url the ad was reached from (removal scope)


@dataclass(frozen=True)
class PageResult:
    """How a raw page parsed: ``ok``, ``partial`` (stored, phone number unknown) or ``error``."""

    raw_page_id: int
    status: str
    error: str | None
    parser: str | None


@dataclass(frozen=True)
class TaskResult:
    """A frontier task's outcome, written in the same transaction as what it produced."""

    url: str
    status: str
    error: str | None = None


@dataclass
class IngestResult:
    new_ads: int = 0
    new_versions: int = 0
    unchanged: int = 0
    ad_ids: list[int] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.new_ads += other.new_ads
        self.new_versions += other.new_versions
        self.unchanged += other.unchanged
        self.ad_ids.extend(other.ad_ids)


def content_hash(ad: ParsedAd) -> str:
    """What counts as a new version: the content a reader sees, not when it was fetched."""
    payload = {
        "title": ad.title,
        "text": ad.text,
        "fields": dict(sorted(ad.fields.items())),
        "services": list(ad.services),
        "rates": list(ad.rates),
        "images": list(ad.images),
        "phone": ad.phone,
        "email": ad.email,
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def translate_operational(exc: OperationalError, url: str | None) -> db.DatabaseError:
    """A database error in words: locked (SQLite's lock, PostgreSQL's lock timeout), unreachable."""
    return _translate_locked(exc, db.normalise_url(url or db.default_url()))


def _translate_locked(exc: OperationalError, url: str) -> db.DatabaseError:
    message = str(exc.orig) if exc.orig else str(exc)
    if "locked" in message or "busy" in message or "lock timeout" in message or "deadlock" in message:
        return db.DatabaseError(
            f"The database {db.describe(url)} is locked by another process (another zicht job?). "
            "Nothing was changed; try again when that job has finished."
        )
    if "connection" in message.lower() or "could not connect" in message.lower():
        return db.DatabaseError(f"Cannot connect to the database {db.describe(url)}: {message}")
    return db.DatabaseError(f"Database error on {db.describe(url)}: {message}")


class Store:
    """Connection to one Zicht database plus its evidence (WARC) directory."""

    def __init__(self, engine: Engine, url: str, data_dir: Path) -> None:
        self.engine = engine
        self.url = url
        self.data_dir = Path(data_dir)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._warc: WarcStore | None = None

    # ------------------------------------------------------------ life cycle

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True, data_dir: Path | None = None) -> Store:
        url = db.normalise_url(url or db.default_url())
        engine = db.make_engine(url)
        try:
            if migrate and db.needs_migration(engine):
                db.migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            raise _translate_locked(exc, url) from exc
        return cls(engine, url, data_dir or db.data_dir_for(url))

    def close(self) -> None:
        if self._warc is not None:
            self._warc.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        s = self._sessions()
        try:
            yield s
            s.commit()
        except OperationalError as exc:
            s.rollback()
            raise _translate_locked(exc, self.url) from exc
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @property
    def warc(self) -> WarcStore:
        if self._warc is None:
            self._warc = WarcStore(self.data_dir)
        return self._warc

    # ------------------------------------------------------------ sites and runs

    def ensure_site(self, name: str, base_url: str | None = None, default_region: str = "NL") -> int:
        with self.session() as s:
            site = s.scalar(select(Site).where(Site.name == name))
            if site is None:
                site = Site(name=name, base_url=base_url, default_region=default_region.upper())
                s.add(site)
                s.flush()
            elif base_url and site.base_url != base_url:
                site.base_url = base_url
            return site.id

    def site_id(self, name: str) -> int | None:
        with self.session() as s:
            return s.scalar(select(Site.id).where(Site.name == name))

    def sites(self) -> list[Site]:
        with self.session() as s:
            return list(s.scalars(select(Site).order_by(Site.name)))

    def start_run(
        self,
        site_id: int,
        kind: str,
        *,
        purpose: str,
        legal_basis: str,
        config: dict | None = None,
        user_agent: str | None = None,
        started_at: datetime | None = None,
    ) -> int:
        if not purpose.strip() or not legal_basis.strip():
            raise ValueError("every collection run needs a purpose and a legal basis")
        with self.session() as s:
            run = CrawlRun(
                site_id=site_id,
                kind=kind,
                purpose=purpose,
                legal_basis=legal_basis,
                config=config or {},
                user_agent=user_agent,
                started_at=started_at or datetime.now(UTC),
            )
            s.add(run)
            s.flush()
            return run.id

    def unfinished_run(self, site_id: int, kind: str) -> CrawlRun | None:
        """The newest run of this site that was interrupted, to resume instead of starting over."""
        with self.session() as s:
            return s.scalar(
                select(CrawlRun)
                .where(CrawlRun.site_id == site_id, CrawlRun.kind == kind, CrawlRun.status == "running")
                .order_by(CrawlRun.id.desc())
                .limit(1)
            )

    def get_run(self, run_id: int) -> CrawlRun | None:
        with self.session() as s:
            return s.get(CrawlRun, run_id)

    def runs(self, limit: int = 50) -> list[CrawlRun]:
        with self.session() as s:
            return list(s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)))

    def finished_import(self, site_id: int, sha256: str, options: dict | None = None) -> CrawlRun | None:
        """The finished import of exactly this file for this site, with the same ``options``
        (format, mapping, region) when given: a file read with a wrong --format or --map may be
        imported again corrected."""
        options = options or {}
        with self.session() as s:
            runs = s.scalars(
                select(CrawlRun).where(
                    CrawlRun.site_id == site_id, CrawlRun.kind == "import", CrawlRun.status == "finished"
                )
            )
            return next(
                (
                    r
                    for r in runs
                    if (c := r.config or {}).get("sha256") == sha256
                    and all((c.get(k) or None) == (v or None) for k, v in options.items())
                ),
                None,
            )

    def finish_run(
        self,
        run_id: int,
        *,
        status: str = "finished",
        stats: dict | None = None,
        complete: bool = False,
        finished_at: datetime | None = None,
    ) -> None:
        if self._warc is not None:
            self._warc.sync()  # a finished run's evidence is durable before the run says so
        with self.session() as s:
            run = s.get(CrawlRun, run_id)
            if run is None:
                raise KeyError(run_id)
            run.status = status
            run.finished_at = finished_at or datetime.now(UTC)
            run.stats = {**(run.stats or {}), **(stats or {})}
            run.complete = complete

    def update_run_stats(self, run_id: int, stats: dict) -> None:
        with self.session() as s:
            run = s.get(CrawlRun, run_id)
            if run is not None:
                run.stats = {**(run.stats or {}), **stats}

    # ------------------------------------------------------------ crawl frontier

    def add_tasks(self, run_id: int, tasks: Iterable[tuple[str, str, str | None]]) -> int:
        """Add (url, kind, parent_url) to the frontier; urls already there are left alone."""
        tasks = list({url: (url, kind, parent) for url, kind, parent in tasks}.values())
        if not tasks:
            return 0
        with self.session() as s:
            existing: set[str] = set()
            for chunk in _chunks([t[0] for t in tasks], 500):
                existing.update(
                    s.scalars(
                        select(CrawlTask.url).where(CrawlTask.run_id == run_id, CrawlTask.url.in_(chunk))
                    )
                )
            new = [t for t in tasks if t[0] not in existing]
            now = datetime.now(UTC)
            s.add_all(
                CrawlTask(run_id=run_id, url=u, kind=k, parent_url=p, updated_at=now) for u, k, p in new
            )
            return len(new)

    def pending_tasks(self, run_id: int, kind: str | None = None, limit: int = 1000) -> list[CrawlTask]:
        with self.session() as s:
            q = select(CrawlTask).where(CrawlTask.run_id == run_id, CrawlTask.status == "pending")
            if kind:
                q = q.where(CrawlTask.kind == kind)
            return list(s.scalars(q.order_by(CrawlTask.id).limit(limit)))

    def set_task(self, run_id: int, url: str, status: str, error: str | None = None) -> None:
        with self.session() as s:
            self._set_tasks(s, run_id, [TaskResult(url, status, error)])

    def task_counts(self, run_id: int) -> dict[str, int]:
        with self.session() as s:
            rows = s.execute(
                select(CrawlTask.status, func.count())
                .where(CrawlTask.run_id == run_id)
                .group_by(CrawlTask.status)
            )
            return {status: n for status, n in rows}

    def task_progress(self, run_id: int) -> tuple[dict[str, int], dict[str, int]]:
        """Tasks done and tasks in all, per kind (listing, ad, image)."""
        done: dict[str, int] = {}
        total: dict[str, int] = {}
        with self.session() as s:
            rows = s.execute(
                select(CrawlTask.kind, CrawlTask.status, func.count())
                .where(CrawlTask.run_id == run_id)
                .group_by(CrawlTask.kind, CrawlTask.status)
            )
            for kind, status, n in rows:
                total[kind] = total.get(kind, 0) + n
                if status != "pending":
                    done[kind] = done.get(kind, 0) + n
        return done, total

    def fetched_since(self, urls: Sequence[str], since: datetime) -> set[str]:
        """Urls fetched and kept fine at or after ``since`` (the freshness window).

        An ad page counts only when it was parsed into a stored ad (``parse_status`` "ok", set in
        the ingest transaction): a page that did not parse, or whose ad was stored without its
        phone number ("partial"), is fetched again by the next crawl instead of skipped as fresh.
        Other kinds (photos) count when they were stored with status 200.
        """
        found: set[str] = set()
        with self.session() as s:
            for chunk in _chunks(list(urls), 500):
                found.update(
                    s.scalars(
                        select(RawPage.url).where(
                            RawPage.url.in_(chunk),
                            RawPage.fetched_at >= since,
                            RawPage.status_code == 200,
                            or_(RawPage.kind != "ad", RawPage.parse_status == "ok"),
                        )
                    )
                )
        return found

    def run_page_count(self, run_id: int) -> int:
        """Raw pages a run stored (its fetches; the same after any number of resumes)."""
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(RawPage).where(RawPage.run_id == run_id)) or 0

    def listing_roots(self, run_id: int) -> dict[str, str]:
        """Each listing url of a run mapped to the seed it was reached from (seeds have no parent)."""
        with self.session() as s:
            parents = dict(
                s.execute(
                    select(CrawlTask.url, CrawlTask.parent_url).where(
                        CrawlTask.run_id == run_id, CrawlTask.kind == "listing"
                    )
                ).all()
            )
        roots: dict[str, str] = {}
        for url in parents:
            seen, cur = {url}, url
            while parents.get(cur) and parents[cur] in parents and parents[cur] not in seen:
                cur = parents[cur]
                seen.add(cur)
            roots[url] = cur
        return roots

    # ------------------------------------------------------------ raw pages (evidence)

    def add_raw_page(
        self,
        run_id: int,
        url: str,
        kind: str,
        status_code: int,
        content_type: str | None,
        record: StoredRecord,
        fetched_at: datetime,
    ) -> int:
        # Core, one short transaction: a row per fetched page is on the crawler's hot path, and
        # the ORM's unit of work cost more than the insert itself.
        row = {
            "run_id": run_id,
            "url": url,
            "kind": kind,
            "fetched_at": fetched_at,
            "status_code": status_code,
            "content_type": content_type,
            "size": record.size,
            "sha256": record.sha256,
            "warc_file": record.warc_file,
            "warc_offset": record.offset,
            "warc_length": record.length,
        }
        t = RawPage.__table__
        try:
            with self.engine.begin() as conn:
                return int(conn.execute(insert(t).returning(t.c.id), row).scalar_one())
        except OperationalError as exc:
            raise _translate_locked(exc, self.url) from exc

    def store_page(
        self,
        run_id: int,
        url: str,
        kind: str,
        status_code: int,
        headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
    ) -> int:
        """Write the evidence record, then its row (in that order: see zicht.sources.warc)."""
        record = self.warc.append(f"run-{run_id:06d}", url, status_code, headers, body, fetched_at)
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        return self.add_raw_page(run_id, url, kind, status_code, content_type, record, fetched_at)

    def set_parse_result(self, raw_page_id: int, status: str, error: str | None, parser: str | None) -> None:
        with self.session() as s:
            self._set_pages(s, [PageResult(raw_page_id, status, error, parser)])

    def get_raw_page(self, raw_page_id: int) -> RawPage | None:
        with self.session() as s:
            return s.get(RawPage, raw_page_id)

    def read_raw_body(self, page: RawPage, *, verify: bool = True) -> bytes:
        """The stored bytes of a page; with ``verify`` the sha256 must still match (evidence)."""
        _status, _headers, body = self.warc.read(page.warc_file, page.warc_offset)
        if verify and hashlib.sha256(body).hexdigest() != page.sha256:
            raise db.DatabaseError(f"evidence mismatch for raw page {page.id} ({page.url}): sha256 differs")
        return body

    def raw_pages_at(self, url: str, *, kind: str, run_id: int | None = None) -> list[RawPage]:
        """Successful fetches of one url, newest first (preferring the given run)."""
        with self.session() as s:
            pages = list(
                s.scalars(
                    select(RawPage)
                    .where(RawPage.url == url, RawPage.kind == kind, RawPage.status_code == 200)
                    .order_by(RawPage.fetched_at.desc())
                )
            )
        return sorted(pages, key=lambda p: p.run_id != run_id)

    def raw_pages(self, kinds: Sequence[str] = ("ad",), site_id: int | None = None) -> Iterator[RawPage]:
        """Stored successful pages, oldest first (for re-parsing without fetching again)."""
        with self.session() as s:
            q = select(RawPage).where(RawPage.kind.in_(kinds), RawPage.status_code == 200)
            if site_id is not None:
                q = q.join(CrawlRun, CrawlRun.id == RawPage.run_id).where(CrawlRun.site_id == site_id)
            yield from s.scalars(q.order_by(RawPage.fetched_at, RawPage.id)).all()

    # ------------------------------------------------------------ ads and versions

    def ingest(
        self,
        items: Sequence[IngestItem],
        *,
        run_id: int | None = None,
        pages: Sequence[PageResult] = (),
        tasks: Sequence[TaskResult] = (),
        counts: dict[str, int] | None = None,
    ) -> IngestResult:
        """Store parsed ads: new ads, new versions for changed content, last_seen for the rest.

        With ``run_id`` (the crawler) the batch is recorded in the same transaction: the pages'
        parse results, the tasks' outcomes, and the run's counters (``ads_parsed``, ``new_ads``,
        ``new_versions``, ``unchanged`` plus ``counts``), so a kill at any point leaves a page
        marked "ok" only when its ad is stored, and counts that match what is stored.
        """
        result = IngestResult()
        if not items and not pages and not tasks:
            return result
        with self.session() as s:
            self._ingest(s, items, result)
            if pages:
                self._set_pages(s, pages)
            if run_id is not None:
                if tasks:
                    self._set_tasks(s, run_id, tasks)
                run = s.get(CrawlRun, run_id)
                if run is not None:
                    add = dict(counts or {})
                    add["ads_parsed"] = add.get("ads_parsed", 0) + len(items)
                    add["new_ads"] = add.get("new_ads", 0) + result.new_ads
                    add["new_versions"] = add.get("new_versions", 0) + result.new_versions
                    add["unchanged"] = add.get("unchanged", 0) + result.unchanged
                    stats = dict(run.stats or {})
                    for key, n in add.items():
                        stats[key] = int(stats.get(key) or 0) + n
                    run.stats = stats
        return result

    @staticmethod
    def _set_pages(s: Session, pages: Sequence[PageResult]) -> None:
        s.execute(
            update(RawPage),
            [
                {"id": p.raw_page_id, "parse_status": p.status, "parse_error": p.error, "parser": p.parser}
                for p in pages
            ],
        )

    @staticmethod
    def _set_tasks(s: Session, run_id: int, tasks: Sequence[TaskResult]) -> None:
        t = CrawlTask.__table__
        s.connection().execute(
            update(t)
            .where(t.c.run_id == run_id, t.c.url == bindparam("b_url"))
            .values(
                status=bindparam("b_status"),
                last_error=bindparam("b_error"),
                attempts=t.c.attempts + 1,
                updated_at=bindparam("b_at"),
            ),
            [
                {"b_url": r.url, "b_status": r.status, "b_error": r.error, "b_at": datetime.now(UTC)}
                for r in tasks
            ],
        )

    def _ingest(self, s: Session, items: Sequence[IngestItem], result: IngestResult) -> None:
        if not items:
            return
        site_ids: dict[str, int] = {}
        for name in {it.parsed.site for it in items}:
            sid = s.scalar(select(Site.id).where(Site.name == name))
            if sid is None:
                site = Site(name=name, default_region="NL")
                s.add(site)
                s.flush()
                sid = site.id
            site_ids[name] = sid
        keys = {(site_ids[it.parsed.site], it.parsed.source_id) for it in items}
        ads: dict[tuple[int, str], Ad] = {}
        for sid in {k[0] for k in keys}:
            wanted = [k[1] for k in keys if k[0] == sid]
            for chunk in _chunks(wanted, 500):
                for ad in s.scalars(select(Ad).where(Ad.site_id == sid, Ad.source_id.in_(chunk))):
                    ads[(sid, ad.source_id)] = ad
        hashes = [(it, content_hash(it.parsed)) for it in items]
        known_versions: dict[tuple[int, str], AdVersion] = {}
        ad_ids = [a.id for a in ads.values()]
        for chunk in _chunks(ad_ids, 500):
            for v in s.scalars(select(AdVersion).where(AdVersion.ad_id.in_(chunk))):
                known_versions[(v.ad_id, v.content_hash)] = v
        ordered = sorted(hashes, key=lambda x: x[0].seen_at)
        # New ads first, all inserted by one flush (the ORM batches the INSERTs), so the loop
        # below has every ad's id without a flush per row.
        for it, _chash in ordered:
            p = it.parsed
            key = (site_ids[p.site], p.source_id)
            if key not in ads:
                ads[key] = Ad(
                    site_id=key[0],
                    source_id=p.source_id,
                    url=p.url,
                    first_seen=it.seen_at,
                    last_seen=it.seen_at,
                    status="active",
                    listed_under=it.listed_under,
                )
                s.add(ads[key])
                result.new_ads += 1
        if result.new_ads:
            s.flush()
        # The version each ad shows: new versions get their ids at the one flush below.
        current: dict[int, tuple[Ad, AdVersion | None]] = {}
        new_versions: list[AdVersion] = []
        for it, chash in ordered:
            p = it.parsed
            ad = ads[(site_ids[p.site], p.source_id)]
            if it.seen_at > ad.last_seen:
                ad.last_seen = it.seen_at
                ad.url = p.url
            if it.listed_under and it.seen_at >= ad.last_seen:
                ad.listed_under = it.listed_under
            if it.seen_at < ad.first_seen:
                ad.first_seen = it.seen_at
            if ad.status != "active" and it.seen_at >= (ad.removed_at or it.seen_at):
                ad.status, ad.removed_at = "active", None
            version = known_versions.get((ad.id, chash))
            if version is None:
                version = _phone_match(s, known_versions, ad.id, it, chash)
                if version is not None:
                    known_versions[(ad.id, version.content_hash)] = version
            if version is None:
                version = AdVersion(
                    ad_id=ad.id,
                    content_hash=chash,
                    first_seen=it.seen_at,
                    last_seen=it.seen_at,
                    raw_page_id=it.raw_page_id,
                    parser=it.parser,
                    title=p.title,
                    text=p.text,
                    posted_at=p.posted_at,
                    fields=dict(p.fields),
                    services=list(p.services),
                    rates=list(p.rates),
                    images=list(p.images),
                    phone=p.phone,
                    email=p.email,
                )
                s.add(version)
                new_versions.append(version)
                known_versions[(ad.id, chash)] = version
                result.new_versions += 1
            else:
                # Seen without its number, this content may be the version with another number: the ad
                # was seen (its last_seen above), but no version's number is claimed seen then.
                if not (it.phone_unknown and p.phone is None and version.content_hash != chash):
                    version.last_seen = max(version.last_seen, it.seen_at)
                    version.first_seen = min(version.first_seen, it.seen_at)
                if it.raw_page_id and version.raw_page_id is None:
                    version.raw_page_id = it.raw_page_id
                result.unchanged += 1
            if ad.id not in current:
                shown = s.get(AdVersion, ad.current_version_id) if ad.current_version_id else None
                current[ad.id] = (ad, shown)
            shown = current[ad.id][1]
            if shown is None or version.last_seen >= shown.last_seen:
                current[ad.id] = (ad, version)
            result.ad_ids.append(ad.id)
        if new_versions:
            s.flush()
        for ad, shown in current.values():
            if shown is not None and ad.current_version_id != shown.id:
                ad.current_version_id = shown.id
        from zicht.store.aggregates import mark_stale

        mark_stale(s)  # sightings change the counts: they are counted directly until the next refresh

    def versions_from_page(self, raw_page_id: int) -> list[AdVersion]:
        with self.session() as s:
            return list(s.scalars(select(AdVersion).where(AdVersion.raw_page_id == raw_page_id)))

    def replace_version_content(self, version_id: int, parsed: ParsedAd, parser: str) -> str:
        """Re-parsed content for an existing version (after an adapter fix), keeping its history.

        Derived results of the version are dropped so the next ``process`` re-derives them.
        Returns "unchanged", "updated", or "conflict" when another version of the ad already has
        exactly this content (the version is then left as it was).
        """
        from zicht.store.models import AdContact, AdPhoto, Extraction, IndicatorHit, Score

        chash = content_hash(parsed)
        with self.session() as s:
            version = s.get(AdVersion, version_id)
            if version is None:
                raise KeyError(version_id)
            if version.content_hash == chash:
                version.parser = parser
                return "unchanged"
            clash = s.scalar(
                select(AdVersion.id).where(AdVersion.ad_id == version.ad_id, AdVersion.content_hash == chash)
            )
            if clash is not None:
                return "conflict"
            version.content_hash = chash
            version.parser = parser
            version.title, version.text, version.posted_at = parsed.title, parsed.text, parsed.posted_at
            version.fields, version.services = dict(parsed.fields), list(parsed.services)
            version.rates, version.images = list(parsed.rates), list(parsed.images)
            version.phone, version.email = parsed.phone, parsed.email
            for model in (AdContact, AdPhoto, Extraction, IndicatorHit, Score):
                s.execute(delete(model).where(model.ad_version_id == version_id))
            return "updated"

    def touch_ads(
        self, site_id: int, urls: Sequence[str], seen_at: datetime, listed_under: str | None = None
    ) -> int:
        """An ad listed on a listing page is still there, even when its page was not re-fetched.

        ``listed_under`` is the seed listing url the page was reached from: the scope whose
        complete walk may later mark the ad removed.
        """
        values: dict[str, object] = {"last_seen": seen_at, "status": "active", "removed_at": None}
        if listed_under:
            values["listed_under"] = listed_under
        n = 0
        with self.session() as s:
            for chunk in _chunks(list(urls), 500):
                n += s.execute(
                    update(Ad)
                    .where(Ad.site_id == site_id, Ad.url.in_(chunk), Ad.last_seen < seen_at)
                    .values(**values)
                ).rowcount
        return n

    def mark_removed_urls(self, site_id: int, urls: Sequence[str], at: datetime) -> int:
        n = 0
        with self.session() as s:
            for chunk in _chunks(list(urls), 500):
                n += s.execute(
                    update(Ad)
                    .where(Ad.site_id == site_id, Ad.url.in_(chunk), Ad.status == "active")
                    .values(status="removed", removed_at=at)
                ).rowcount
        return n

    def mark_removed_not_seen(self, site_id: int, since: datetime, at: datetime, scope: Sequence[str]) -> int:
        """After a complete crawl of ``scope`` (seed listing urls): its ads not seen since are gone.

        Only ads last listed under one of those seeds are considered, so a complete crawl of one
        category or region never marks another scope's ads removed; ads never reached from a
        listing (imports) are left alone.
        """
        n = 0
        with self.session() as s:
            for chunk in _chunks(list(dict.fromkeys(scope)), 500):
                n += s.execute(
                    update(Ad)
                    .where(
                        and_(
                            Ad.site_id == site_id,
                            Ad.status == "active",
                            Ad.last_seen < since,
                            Ad.listed_under.in_(chunk),
                        )
                    )
                    .values(status="removed", removed_at=at)
                ).rowcount
        return n

    def ad_urls(self, site_id: int | None = None) -> set[str]:
        """The urls of stored ads (``zicht reparse`` re-reads kept ad pages whose ad is missing)."""
        with self.session() as s:
            q = select(Ad.url)
            if site_id is not None:
                q = q.where(Ad.site_id == site_id)
            return set(s.scalars(q))

    def get_ad(self, ad_id: int) -> Ad | None:
        with self.session() as s:
            return s.get(Ad, ad_id)

    def all_ads(self) -> list[Ad]:
        """Every ad with its site loaded (small databases and tests; pages use zicht.store.views)."""
        from sqlalchemy.orm import joinedload

        with self.session() as s:
            return list(s.scalars(select(Ad).options(joinedload(Ad.site)).order_by(Ad.id)))

    def find_ad(self, site: str, source_id: str) -> Ad | None:
        with self.session() as s:
            return s.scalar(
                select(Ad)
                .join(Site, Site.id == Ad.site_id)
                .where(Site.name == site, Ad.source_id == source_id)
            )

    def versions(self, ad_id: int) -> list[AdVersion]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(AdVersion)
                    .where(AdVersion.ad_id == ad_id)
                    .order_by(AdVersion.first_seen, AdVersion.id)
                )
            )

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                "sites": s.scalar(select(func.count()).select_from(Site)) or 0,
                "ads": s.scalar(select(func.count()).select_from(Ad)) or 0,
                "active_ads": s.scalar(select(func.count()).select_from(Ad).where(Ad.status == "active"))
                or 0,
                "versions": s.scalar(select(func.count()).select_from(AdVersion)) or 0,
                "raw_pages": s.scalar(select(func.count()).select_from(RawPage)) or 0,
                "runs": s.scalar(select(func.count()).select_from(CrawlRun)) or 0,
            }


def _phone_match(
    s: Session, known: dict[tuple[int, str], AdVersion], ad_id: int, item: IngestItem, chash: str
) -> AdVersion | None:
    """The version this item is, when the two differ only in a phone number that was not read.

    An item whose number is unknown matches a version with the same content and any number, but
    does not extend that version's sightings (the number was not seen). An item with a number completes a version stored without one
    because its number could not be read (its page is "partial"): the version is filled in,
    its evidence becomes the complete page, and its derived facts are dropped to be re-made.
    """
    p = item.parsed
    versions = [v for (aid, _h), v in known.items() if aid == ad_id]
    if item.phone_unknown and p.phone is None:
        return next(
            (v for v in versions if content_hash(dataclasses.replace(p, phone=v.phone)) == v.content_hash),
            None,
        )
    if p.phone is None:
        return None
    bare = content_hash(dataclasses.replace(p, phone=None))
    version = next((v for v in versions if v.content_hash == bare and v.phone is None), None)
    if version is None or version.raw_page_id is None:
        return None
    old_page = s.get(RawPage, version.raw_page_id)
    if old_page is None or old_page.parse_status != "partial":
        return None
    from zicht.store.models import AdContact, Extraction, IndicatorHit, Score

    for model in (AdContact, Extraction, IndicatorHit, Score):
        s.execute(delete(model).where(model.ad_version_id == version.id))
    del known[(ad_id, version.content_hash)]
    old_page.parse_status, old_page.parse_error = "ok", f"number read later from raw page {item.raw_page_id}"
    version.content_hash, version.phone, version.parser = chash, p.phone, item.parser
    if item.raw_page_id:
        version.raw_page_id = item.raw_page_id
    return version


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
