"""All SQL of the linking stage: profiles and keys, hubs, candidate joins, links, clusters, decisions.

Candidate generation is a relational self-join of ``link_keys`` on ``key`` (hub keys excluded through
an anti-join on ``link_hubs``), so the same algorithm runs unchanged on SQLite, PostgreSQL or a
distributed SQL engine. Everything else here moves rows in batches; the decisions are made by the
pure modules in ``zicht.linking``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, delete, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from zicht.linking.clusters import (
    GROUP_CAPPED,
    GROUP_LOOSE,
    GROUP_NONE,
    TEMPLATE_CORE,
    AdNode,
    Clustering,
    Decision,
    Edge,
    control_window,
    make_edge,
)
from zicht.linking.keys import contact_key
from zicht.linking.profile import AdProfile, ContactInput, LinkInput, date_of_day, day_of_date, week_of_day
from zicht.linking.roles import Roles
from zicht.linking.verify import PairVerdict
from zicht.store.models import (
    Ad,
    AdContact,
    AdPhoto,
    AdVersion,
    ContactPoint,
    Extraction,
    Intervention,
    Link,
    LinkAd,
    LinkChange,
    LinkDecision,
    LinkHub,
    LinkKey,
    LinkMove,
    LinkNetwork,
    LinkPersona,
    LinkRole,
    LinkState,
    Photo,
    Site,
)
from zicht.store.store import Store

CHUNK = 900  # ids per IN (...) list: far below SQLite's and PostgreSQL's parameter limits


def _insert_plain(conn, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:  # type: ignore[no-untyped-def]
    """Bulk insert of plain values (numbers, short strings) straight through the driver: for the
    tens of millions of key rows a full rebuild writes, SQLAlchemy's per-row parameter handling costs
    more than the insert itself.

    ``table`` and ``columns`` are identifiers from this module's models, never from data; every value
    travels as a bound parameter."""
    mark = _placeholder(conn)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql, list(rows))


def _placeholder(conn) -> str:  # type: ignore[no-untyped-def]
    """The driver's parameter mark, for statements sent with ``exec_driver_sql``."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def bind_rows(
    dialect, table, rows: Sequence[dict], bound: Iterable[str] = ()
) -> tuple[list[str], list[tuple]]:  # type: ignore[no-untyped-def]
    """Dict rows as driver values, each converted once by its column's own type (JSON, UTC
    datetimes) for this dialect; ``bound``: columns whose values are converted already."""
    if not rows:
        return [], []
    columns = list(rows[0])
    done = set(bound)
    procs = [None if name in done else table.c[name].type._cached_bind_processor(dialect) for name in columns]
    values = [
        tuple(v if proc is None else proc(v) for v, proc in zip((r[c] for c in columns), procs, strict=True))
        for r in rows
    ]
    return columns, values


def _insert_rows(conn, table, rows: Sequence[dict], bound: Iterable[str] = ()) -> None:  # type: ignore[no-untyped-def]
    """Bulk insert of dict rows through the driver (``bind_rows``): SQLAlchemy's per-row statement
    handling costs more than the insert for the hundreds of thousands of link and profile rows of a
    rebuild. Converted and sent 5,000 rows at a time, so the driver values of a rebuild's rows are
    never all in memory at once."""
    for chunk in _chunks(rows, 5000):
        columns, values = bind_rows(conn.dialect, table, chunk, bound)
        if values:
            _insert_plain(conn, table.name, columns, values)


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ------------------------------------------------------------------ profiles and keys

# SQLite page cache for the linking run (KiB; SQLite's default is 2 MiB). The candidate join looks up
# keys all over ``link_keys`` and sorts tens of millions of join rows: with the default cache and temp
# files, a 100,000-ad rebuild spent a large part of its time in page reads and temp-file writes.
SQLITE_CACHE_KIB = 256 * 1024


@contextmanager
def tuned_for_linking(store: Store) -> Iterator[None]:
    """A larger page cache and in-memory temp storage on this store's SQLite connections while the
    block runs (a no-op on PostgreSQL, whose memory is the server's).

    The settings are per connection, so they are applied when a connection is checked out during
    the block, and undone when one is checked out after it: a long-lived process that links once
    must not keep a 256 MB cache on every pooled connection (lowering ``cache_size`` frees pages)."""
    engine = store.engine
    if engine.dialect.name != "sqlite":
        yield
        return
    if not getattr(engine, "_zicht_linking_tuned", False):
        from sqlalchemy import event

        @event.listens_for(engine, "checkout")
        def _tune(dbapi_conn, record, _proxy):  # type: ignore[no-untyped-def]
            want = getattr(engine, "_zicht_linking_runs", 0) > 0
            saved = record.info.get("zicht_linking_defaults")
            if want == (saved is not None):
                return
            cur = dbapi_conn.cursor()
            if want:
                defaults = {}
                for name in ("cache_size", "temp_store"):
                    cur.execute(f"PRAGMA {name}")
                    defaults[name] = int(cur.fetchone()[0])
                record.info["zicht_linking_defaults"] = defaults
                pragmas = {"cache_size": -SQLITE_CACHE_KIB, "temp_store": 2}  # 2: MEMORY
            else:
                pragmas = record.info.pop("zicht_linking_defaults")
            for name, value in pragmas.items():
                cur.execute(f"PRAGMA {name}={int(value)}")
            cur.close()

        engine._zicht_linking_tuned = True  # type: ignore[attr-defined]
    engine._zicht_linking_runs = getattr(engine, "_zicht_linking_runs", 0) + 1  # type: ignore[attr-defined]
    try:
        yield
    finally:
        engine._zicht_linking_runs -= 1  # type: ignore[attr-defined]


# A rebuild writes tens of millions of key rows. Inserted batch by batch (in ad order) into the indexed
# ``link_keys``, each batch touched pages all over its indexes, and every commit rewrote them. So a
# rebuild keeps its keys in memory (``zicht.linking.keyindex``), writes them in key order (appends to
# the primary key) while verification runs, and builds the secondary indexes of ``link_keys`` and
# ``links`` once all rows are in (a sort instead of millions of random inserts).
#
# Until then the key rows of the saved profiles are not all stored, so a rebuild marks the store
# (``REBUILD_MARK``, a table of its own) and only clears the mark when its keys and indexes are
# complete: a run that finds the mark — a rebuild stopped by an error or killed — rebuilds.
# ``ensure_link_indexes`` puts the indexes back whatever happened, at the start of every run and when
# a rebuild stops.
REBUILD_MARK = "link_rebuild_running"
_OLD_MARK = "link_keys_rebuild"  # the scratch table of key rows of earlier versions: also a stopped rebuild
_REBUILD_INDEXES = (("link_keys", "ix_link_keys_ad"), ("links", "ix_links_ad_b"))


def _index(table: str, name: str):  # type: ignore[no-untyped-def]
    model = {"link_keys": LinkKey, "links": Link}[table]
    return next(ix for ix in model.__table__.indexes if ix.name == name)


def ensure_link_indexes(store: Store) -> None:
    """The secondary indexes of the linking tables, as the migrations define them."""
    with store.session() as s:
        conn = s.connection()
        for table, name in _REBUILD_INDEXES:
            _index(table, name).create(conn, checkfirst=True)


def rebuild_was_stopped(store: Store) -> bool:
    """A rebuild started and did not finish writing its keys: the stored keys are incomplete."""
    from sqlalchemy import inspect

    with store.session() as s:
        found = inspect(s.connection())
        return found.has_table(REBUILD_MARK) or found.has_table(_OLD_MARK)


def start_rebuild_writes(store: Store) -> None:
    """Before a rebuild writes keys and links (the tables are empty): see ``REBUILD_MARK``."""
    with store.session() as s:
        conn = s.connection()
        for table, name in _REBUILD_INDEXES:
            _index(table, name).drop(conn, checkfirst=True)
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_OLD_MARK}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {REBUILD_MARK}")
        conn.exec_driver_sql(f"CREATE TABLE {REBUILD_MARK} (started_at VARCHAR(40) NOT NULL)")
        conn.exec_driver_sql(
            f"INSERT INTO {REBUILD_MARK} (started_at) VALUES ({_placeholder(conn)})",
            (datetime.now(UTC).isoformat(),),
        )


def save_rebuild_keys(store: Store, rows: Sequence[tuple[int, int, str]]) -> None:
    """A slice of a rebuild's key rows ``(key, ad_id, channel)``, in key order."""
    if rows:
        with store.session() as s:
            _insert_plain(s.connection(), "link_keys", ("key", "ad_id", "channel"), rows)


def finish_rebuild_writes(store: Store) -> None:
    """Once every key row and link is written: the indexes dropped while they were, then the mark.

    Runs in a thread while the rebuild clusters in memory (nothing reads the keys or links by then):
    the database drivers let go of the interpreter while the database sorts, so the two share the
    machine's cores. On SQLite the sorts spill to temporary files here rather than memory: with
    clustering's memory at its peak, sorting 29 million key rows in memory took 1.3 GB more."""
    with store.session() as s:
        conn = s.connection()
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            temp_store = int(conn.exec_driver_sql("PRAGMA temp_store").scalar())  # type: ignore[arg-type]
            conn.exec_driver_sql("PRAGMA temp_store=1")  # 1: FILE
        try:
            for table, name in _REBUILD_INDEXES:
                _index(table, name).create(conn, checkfirst=True)
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {REBUILD_MARK}")
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA temp_store={temp_store}")


def clear_all(store: Store) -> None:
    """Forget every derived linking result (a full rebuild); analysts' decisions stay."""
    with store.session() as s:
        for model in (LinkRole, LinkMove, LinkNetwork, LinkPersona, Link, LinkHub, LinkKey, LinkAd):
            s.connection().execute(delete(model))


@dataclass
class ProfileWork:
    """The ads to profile, and the ``link_changes`` rows read to find them (cleared by
    ``profiles_done`` once their profiles are stored)."""

    ad_ids: list[int]
    change_seqs: list[int]  # SQLite: only the highest
    everything: bool  # every ad was looked at (first run, rebuild, another linking version)


def ads_needing_profiles(store: Store, linking_version: str, *, everything: bool = False) -> ProfileWork:
    """Ads never profiled, profiled by another version, or changed since (new current version or facts).

    Only the ads listed in ``link_changes`` can have changed (the triggers of migration 0010 list
    every new ad, new current version and new extraction), so an increment checks those and the
    profiles stored by another version (indexed); every ad is looked at when asked, when the table
    says so (a row without an ad) or when the last run that finished profiling was of another
    linking version."""
    with store.session() as s:
        conn = s.connection()
        # The numbers first, then what they list (each read may see a later commit: never the reverse).
        if conn.dialect.name == "sqlite":
            top = conn.scalar(select(func.max(LinkChange.seq)))
            seqs = [] if top is None else [top]  # (see ``profiles_done``)
        else:
            seqs = list(conn.scalars(select(LinkChange.seq)))
            top = max(seqs, default=None)
        listed = select(LinkChange.ad_id).where(LinkChange.seq <= (top or 0)).distinct()
        state = conn.scalar(select(LinkState.value).where(LinkState.name == "linking_version"))
        flagged = conn.scalar(
            select(LinkChange.seq).where(LinkChange.seq <= (top or 0), LinkChange.ad_id.is_(None)).limit(1)
        )
        everything = everything or state != linking_version or flagged is not None
        # (as two ranges, so that ``ix_link_ads_version`` finds them without reading every profile)
        other_version = or_(
            LinkAd.linking_version < linking_version, LinkAd.linking_version > linking_version
        )
        needed = or_(
            LinkAd.ad_id.is_(None),
            other_version,
            LinkAd.version_stamp != Ad.current_version_id,
            and_(
                Extraction.created_at.is_not(None),
                or_(LinkAd.facts_stamp.is_(None), LinkAd.facts_stamp < Extraction.created_at),
            ),
        )
        q = (
            select(Ad.id)
            .outerjoin(LinkAd, LinkAd.ad_id == Ad.id)
            .outerjoin(Extraction, Extraction.ad_version_id == Ad.current_version_id)
            .where(Ad.current_version_id.is_not(None), needed)
        )
        if everything:
            # A run that stops before ``profiles_done`` leaves no version behind that matches: the next
            # run looks at every ad again.
            _set_state(conn, "linking_version", "")
            ids = list(conn.scalars(q.order_by(Ad.id)))
        else:
            # Listed as changed, or stored by another linking version (a damaged profile marked so).
            candidates = {ad for ad in conn.scalars(listed) if ad is not None}
            candidates.update(conn.scalars(select(LinkAd.ad_id).where(other_version)))
            ids = []
            for chunk in _chunks(sorted(candidates)):
                ids.extend(conn.scalars(q.where(Ad.id.in_(chunk))))
            ids.sort()
    return ProfileWork(ids, seqs, everything)


def profiles_done(store: Store, work: ProfileWork, linking_version: str) -> None:
    """The profiles of ``work`` are stored: forget the changes read to find them (not those written
    since) and, after a run that looked at every ad, record the linking version it profiled with."""
    with store.session() as s:
        conn = s.connection()
        if conn.dialect.name == "sqlite":
            # One writer at a time: every row numbered below the highest one read was committed
            # before it, and was read too.
            if work.change_seqs:
                conn.execute(delete(LinkChange).where(LinkChange.seq <= max(work.change_seqs)))
        else:  # a lower number can still be in a transaction that commits later: only those read
            for chunk in _chunks(work.change_seqs, 10 * CHUNK):
                conn.execute(delete(LinkChange).where(LinkChange.seq.in_(chunk)))
        if work.everything:
            _set_state(conn, "linking_version", linking_version)


def _set_state(conn, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    if conn.execute(update(LinkState).where(LinkState.name == name).values(value=value)).rowcount == 0:
        conn.execute(insert(LinkState).values(name=name, value=value))


@dataclass
class InputBatch:
    inputs: list[LinkInput]
    stamps: dict[int, tuple[int, datetime | None]]  # ad -> (current version id, facts created_at)


def load_inputs(store: Store, ad_ids: Sequence[int]) -> InputBatch:
    """What the profiles of these ads are built from, read in a few set queries."""
    out = InputBatch([], {})
    with store.session() as s:
        base = {}
        for chunk in _chunks(list(ad_ids)):
            rows = s.connection().execute(
                select(
                    Ad.id,
                    Ad.first_seen,
                    Ad.last_seen,
                    Ad.current_version_id,
                    AdVersion.text,
                    AdVersion.fields,
                    AdVersion.services,
                    AdVersion.rates,
                    Extraction.age,
                    Extraction.created_at,
                )
                .join(AdVersion, AdVersion.id == Ad.current_version_id)
                .outerjoin(Extraction, Extraction.ad_version_id == Ad.current_version_id)
                .where(Ad.id.in_(chunk))
            )
            for r in rows:
                base[r[0]] = r
        contacts: dict[int, list[ContactInput]] = defaultdict(list)
        photos: dict[int, set[tuple[int, int]]] = defaultdict(set)
        stays: dict[int, list[tuple[datetime, datetime, str]]] = defaultdict(list)
        for chunk in _chunks(list(base)):
            for ad_id, kind, value, source, start, end, vid in s.connection().execute(
                select(
                    AdVersion.ad_id,
                    ContactPoint.kind,
                    ContactPoint.value,
                    AdContact.source,
                    AdContact.span_start,
                    AdContact.span_end,
                    AdVersion.id,
                )
                .join(AdContact, AdContact.ad_version_id == AdVersion.id)
                .join(ContactPoint, ContactPoint.id == AdContact.contact_point_id)
                .where(AdVersion.ad_id.in_(chunk))
            ):
                contacts[ad_id].append(ContactInput(kind, value, source, start, end, vid))
            for ad_id, photo_id, phash in s.connection().execute(
                select(AdVersion.ad_id, Photo.id, Photo.phash)
                .join(AdPhoto, AdPhoto.ad_version_id == AdVersion.id)
                .join(Photo, Photo.id == AdPhoto.photo_id)
                .where(AdVersion.ad_id.in_(chunk), Photo.phash.is_not(None))
            ):
                photos[ad_id].add((photo_id, phash))
            for ad_id, first, last, gm in s.connection().execute(
                select(AdVersion.ad_id, AdVersion.first_seen, AdVersion.last_seen, Extraction.gemeente_code)
                .join(Extraction, Extraction.ad_version_id == AdVersion.id)
                .where(AdVersion.ad_id.in_(chunk), Extraction.gemeente_code.is_not(None))
            ):
                stays[ad_id].append((first, last, gm))
    for ad_id in sorted(base):
        r = base[ad_id]
        out.inputs.append(
            LinkInput(
                ad_id=ad_id,
                first_seen=r[1],
                last_seen=r[2],
                text_version_id=r[3],
                text=r[4] or "",
                fields=r[5] or {},
                services=[str(x) for x in r[6] or []],
                rates=[str(x) for x in r[7] or []],
                age=r[8],
                contacts=contacts.get(ad_id, []),
                photos=sorted(photos.get(ad_id, ())),
                stays=stays.get(ad_id, []),
            )
        )
        out.stamps[ad_id] = (r[3], r[9])
    return out


@dataclass(frozen=True)
class EncodedProfile:
    """A profile already converted to its ``link_ads.profile`` value (in a worker process, so that
    the process writing the store does not spend its time encoding JSON)."""

    ad_id: int
    value: object


def encode_profiles(
    store: Store, rows: Sequence[tuple[AdProfile, list[tuple[int, str]]]]
) -> list[tuple[EncodedProfile, list[tuple[int, str]]]]:
    proc = LinkAd.__table__.c["profile"].type._cached_bind_processor(store.engine.dialect)
    return [
        (EncodedProfile(p.ad_id, proc(p.to_json()) if proc is not None else p.to_json()), keys)
        for p, keys in rows
    ]


def save_profiles(
    store: Store,
    rows: Sequence[tuple[AdProfile | EncodedProfile, list[tuple[int, str]]]],
    stamps: dict[int, tuple[int, datetime | None]],
    linking_version: str,
    *,
    fresh: bool = False,
) -> set[int]:
    """Replace profiles and keys of these ads; returns every key that was added or removed.

    ``fresh``: a rebuild (``start_rebuild_writes``): nothing is stored for these ads yet, so nothing
    is read or deleted, and the keys are not written here (the rebuild writes them in key order:
    ``save_rebuild_keys``); no touched keys are returned.
    """
    if not rows:
        return set()
    ids = [p.ad_id for p, _ in rows]
    now = datetime.now(UTC)
    touched: set[int] = set()
    with store.session() as s:
        existing: dict[int, tuple[int | None, int | None]] = {}
        if not fresh:
            for chunk in _chunks(ids):
                for (key,) in s.connection().execute(select(LinkKey.key).where(LinkKey.ad_id.in_(chunk))):
                    touched.add(key)
                s.connection().execute(delete(LinkKey).where(LinkKey.ad_id.in_(chunk)))
                for ad_id, pid, nid in s.connection().execute(
                    select(LinkAd.ad_id, LinkAd.persona_id, LinkAd.network_id).where(LinkAd.ad_id.in_(chunk))
                ):
                    existing[ad_id] = (pid, nid)
                s.connection().execute(delete(LinkAd).where(LinkAd.ad_id.in_(chunk)))
        if not fresh:
            key_rows = [(key, profile.ad_id, channel) for profile, keys in rows for key, channel in keys]
            touched.update(r[0] for r in key_rows)
            if key_rows:
                _insert_plain(s.connection(), "link_keys", ("key", "ad_id", "channel"), key_rows)
        _insert_rows(
            s.connection(),
            LinkAd.__table__,
            [
                {
                    "ad_id": profile.ad_id,
                    "linking_version": linking_version,
                    "version_stamp": stamps[profile.ad_id][0],
                    "facts_stamp": stamps[profile.ad_id][1],
                    "keyed_at": now,
                    "dirty": True,
                    "recluster": True,
                    "persona_id": existing.get(profile.ad_id, (None, None))[0],
                    "network_id": existing.get(profile.ad_id, (None, None))[1],
                    "profile": profile.value if isinstance(profile, EncodedProfile) else profile.to_json(),
                }
                for profile, _ in rows
            ],
            bound=("profile",) if isinstance(rows[0][0], EncodedProfile) else (),
        )
    return touched


# ------------------------------------------------------------------ hubs


def save_hubs(store: Store, hubs: Iterable[tuple[int, str, int, int]], linking_version: str) -> int:
    """A rebuild's hubs: (key, channel, n_ads, smallest ad) counted from its keys (``KeyIndex.hubs``),
    as ``refresh_hubs`` counts them in ``link_keys``."""
    rows = _hub_rows(hubs, linking_version)
    with store.session() as s:
        s.connection().execute(delete(LinkHub))
        for chunk in _chunks(rows, 5000):
            s.connection().execute(insert(LinkHub.__table__), list(chunk))
    return len(rows)


def _hub_rows(hubs: Iterable[tuple[int, str, int, int]], linking_version: str) -> list[dict]:
    """``link_hubs`` rows of (key, channel, n_ads, smallest ad), detected now."""
    now = datetime.now(UTC)
    return [
        {
            "key": key,
            "channel": channel,
            "n_ads": n,
            "sample_ad_id": sample,
            "linking_version": linking_version,
            "detected_at": now,
        }
        for key, channel, n, sample in hubs
    ]


def refresh_hubs(
    store: Store, keys: Iterable[int], caps: dict[str, int], default_cap: int, linking_version: str
) -> set[int]:
    """Re-count these keys; returns the keys that became or stopped being hubs."""
    changed: set[int] = set()
    with store.session() as s:
        for chunk in _chunks(sorted(set(keys))):
            counts = {
                key: (channel, n, sample)
                for key, channel, n, sample in s.connection().execute(
                    select(LinkKey.key, func.min(LinkKey.channel), func.count(), func.min(LinkKey.ad_id))
                    .where(LinkKey.key.in_(chunk))
                    .group_by(LinkKey.key)
                )
            }
            existing = set(s.connection().scalars(select(LinkHub.key).where(LinkHub.key.in_(chunk))))
            now_hub = {key for key, (ch, n, _) in counts.items() if n > caps.get(ch, default_cap)}
            gone = existing - now_hub
            new = now_hub - existing
            if gone:
                s.connection().execute(delete(LinkHub).where(LinkHub.key.in_(gone)))
            for key in now_hub & existing:
                s.connection().execute(update(LinkHub).where(LinkHub.key == key).values(n_ads=counts[key][1]))
            if new:
                s.connection().execute(
                    insert(LinkHub.__table__),
                    _hub_rows(((key, *counts[key]) for key in sorted(new)), linking_version),
                )
            changed |= gone | new
    return changed


def mark_holders_dirty(store: Store, keys: Iterable[int]) -> int:
    """Ads holding these keys must have their pairs verified again (a key became or stopped being a hub)."""
    n = 0
    with store.session() as s:
        for chunk in _chunks(sorted(set(keys))):
            n += (
                s.connection()
                .execute(
                    update(LinkAd)
                    .where(LinkAd.ad_id.in_(select(LinkKey.ad_id).where(LinkKey.key.in_(chunk))))
                    .values(dirty=True)
                )
                .rowcount
            )
    return n


def hub_keys(store: Store) -> set[int]:
    with store.session() as s:
        return set(s.connection().scalars(select(LinkHub.key)))


def hubs_without_value(store: Store) -> list[tuple[int, str, int | None]]:
    with store.session() as s:
        return list(
            s.connection().execute(
                select(LinkHub.key, LinkHub.channel, LinkHub.sample_ad_id).where(LinkHub.value.is_(None))
            )
        )


def set_hub_values(store: Store, values: dict[int, str]) -> None:
    with store.session() as s:
        for key, value in values.items():
            s.connection().execute(update(LinkHub).where(LinkHub.key == key).values(value=value))


# ------------------------------------------------------------------ candidates and links


def dirty_ad_ids(store: Store) -> list[int]:
    with store.session() as s:
        return list(
            s.connection().scalars(select(LinkAd.ad_id).where(LinkAd.dirty.is_(True)).order_by(LinkAd.ad_id))
        )


def candidate_pairs(
    store: Store, ad_ids: Sequence[int], *, text_bands: int = 2, all_dirty: bool = False
) -> set[tuple[int, int]]:
    """Pairs (a < b) of one of these (dirty) ads with any ad sharing a non-hub key.

    A shared contact or photo key is enough; texts must share ``text_bands`` LSH bands, which makes
    the MinHash S-curve steeper: near-copies stay candidates, texts that merely share a few stock
    sentences do not. A pair of two dirty ads is produced once: by its smaller ad (``all_dirty``: every
    ad is dirty, a full rebuild, so that is simply ``b > a``).

    Hub keys are excluded with ``NOT IN`` on the first key, before the key's holders are joined (a hub
    has hundreds of holders), and dirtiness through a subquery on the small set of dirty ads, rather
    than a join to every holder's row.
    """
    k1, k2 = aliased(LinkKey), aliased(LinkKey)
    is_text = case((k1.channel == "text", 1), else_=0)
    once = k2.ad_id > k1.ad_id
    if not all_dirty:
        once = or_(once, k2.ad_id.not_in(select(LinkAd.ad_id).where(LinkAd.dirty.is_(True))))
    pairs: set[tuple[int, int]] = set()
    with store.session() as s:
        for chunk in _chunks(list(ad_ids), 2000):
            q = (
                select(k1.ad_id, k2.ad_id)
                .join(k2, and_(k2.key == k1.key, k2.ad_id != k1.ad_id))
                .where(k1.ad_id.in_(chunk), k1.key.not_in(select(LinkHub.key)), once)
                .group_by(k1.ad_id, k2.ad_id)
                .having(or_(func.count() > func.sum(is_text), func.sum(is_text) >= text_bands))
            )
            for a, b in s.connection().execute(q):
                pairs.add((a, b) if a < b else (b, a))
    return pairs


def _mark_neighbours_of_dirty(conn) -> None:  # type: ignore[no-untyped-def]
    """Ads whose links to a dirty ad change are clustered again, when the change can matter: a link
    clustering follows, or a weak template pair of an ad whose persona may be in a template group
    (whose count of look-alike pairs it changes, see ``clusters.template_links``).

    Every query starts from the dirty ads (and then their partners' personas), so the cost follows the
    size of the change, not of the store."""
    dirty = list(conn.scalars(select(LinkAd.ad_id).where(LinkAd.dirty.is_(True))))
    followed_verdicts = ("persona", "network", "copy")
    marked: set[int] = set()
    template_partners: set[int] = set()
    for chunk in _chunks(dirty):
        for ours, other in ((Link.ad_a, Link.ad_b), (Link.ad_b, Link.ad_a)):
            for partner, channel, verdict, score, pair_score in conn.execute(
                select(other, Link.channel, Link.verdict, Link.score, Link.pair_score).where(ours.in_(chunk))
            ):
                if (
                    verdict in followed_verdicts
                    or (channel == "template" and score >= TEMPLATE_CORE)
                    or (verdict == "template" and pair_score >= TEMPLATE_CORE)
                ):
                    marked.add(partner)
                elif channel == "template" and verdict == "template":
                    template_partners.add(partner)
    # A template partner counts when its persona has an ad with a template pair >= TEMPLATE_CORE.
    candidates = sorted(template_partners - marked)
    persona_of: dict[int, int] = {}
    for chunk in _chunks(candidates):
        for ad_id, pid in conn.execute(
            select(LinkAd.ad_id, LinkAd.persona_id).where(
                LinkAd.ad_id.in_(chunk), LinkAd.persona_id.is_not(None)
            )
        ):
            persona_of[ad_id] = pid
    grouped_personas: set[int] = set()
    for pchunk in _chunks(sorted(set(persona_of.values()))):
        members = dict(
            conn.execute(select(LinkAd.ad_id, LinkAd.persona_id).where(LinkAd.persona_id.in_(pchunk))).all()
        )
        for achunk in _chunks(sorted(members)):
            strong = and_(Link.channel == "template", Link.score >= TEMPLATE_CORE)
            for column in (Link.ad_a, Link.ad_b):
                for (ad_id,) in conn.execute(select(column).where(column.in_(achunk), strong).distinct()):
                    grouped_personas.add(members[ad_id])
    marked.update(ad for ad, pid in persona_of.items() if pid in grouped_personas)
    for chunk in _chunks(sorted(marked)):
        conn.execute(update(LinkAd).where(LinkAd.ad_id.in_(chunk)).values(recluster=True))


def delete_links_of_dirty(store: Store) -> int:
    """Drop the verified links of the dirty ads (they are verified again); their partners re-cluster."""
    dirty = select(LinkAd.ad_id).where(LinkAd.dirty.is_(True))
    with store.session() as s:
        conn = s.connection()
        _mark_neighbours_of_dirty(conn)
        return conn.execute(
            delete(Link).where(Link.channel != "move", or_(Link.ad_a.in_(dirty), Link.ad_b.in_(dirty)))
        ).rowcount


def load_profiles(store: Store, ad_ids: Iterable[int]) -> dict[int, AdProfile]:
    out: dict[int, AdProfile] = {}
    with store.session() as s:
        for chunk in _chunks(sorted(set(ad_ids))):
            for ad_id, profile in s.connection().execute(
                select(LinkAd.ad_id, LinkAd.profile).where(LinkAd.ad_id.in_(chunk))
            ):
                out[ad_id] = AdProfile.from_json(ad_id, profile or {})
    return out


def prepare_links(
    store: Store, verdicts: Sequence[PairVerdict], linking_version: str
) -> tuple[list[str], list[tuple]]:
    """The ``links`` rows of these verdicts as driver values (built where the verdicts are made)."""
    now = datetime.now(UTC)
    rows = [
        {
            "ad_a": v.a,
            "ad_b": v.b,
            "channel": link.channel,
            "score": link.score,
            "hub": link.hub,
            "evidence": link.evidence,
            "verdict": v.verdict,
            "pair_score": v.score,
            "reason": v.reason,
            "linking_version": linking_version,
            "created_at": now,
        }
        for v in verdicts
        for link in v.links
    ]
    return bind_rows(store.engine.dialect, Link.__table__, rows)


def save_prepared_links(store: Store, prepared: tuple[list[str], list[tuple]]) -> int:
    """Write rows made by ``prepare_links`` (possibly in a worker process); returns their number."""
    columns, values = prepared
    if values:
        with store.session() as s:
            _insert_plain(s.connection(), Link.__table__.name, columns, values)
    return len(values)


def finish_verification(store: Store, ad_ids: Sequence[int], *, full: bool = False) -> None:
    """Verified: no longer dirty, to be clustered, and so are the ads they are now linked to."""
    with store.session() as s:
        conn = s.connection()
        if not full:
            _mark_neighbours_of_dirty(conn)
        for chunk in _chunks(list(ad_ids)):
            conn.execute(update(LinkAd).where(LinkAd.ad_id.in_(chunk)).values(dirty=False, recluster=True))


# ------------------------------------------------------------------ clustering region


def recluster_seed(store: Store) -> set[int]:
    with store.session() as s:
        return set(s.connection().scalars(select(LinkAd.ad_id).where(LinkAd.recluster.is_(True))))


def all_linked_ads(store: Store) -> set[int]:
    with store.session() as s:
        return set(s.connection().scalars(select(LinkAd.ad_id)))


def expand_region(store: Store, seed: Iterable[int], closed: Iterable[int] = ()) -> set[int]:
    """Everything whose persona or network the seed's changes can alter, closed transitively.

    From every ad: the ads linked to it in a way clustering uses (a persona, network or copy verdict,
    a move, an analyst's decision), the whole old network it was in, and the whole of every template
    group that was kept in that network (the network's ``summary["template_personas"]``). Template
    pairs themselves are followed by ``TemplateReach`` (only into groups that can be kept); weaker
    template pairs only count through their number (see ``load_nodes``), and the ads at their ends
    are in the seed whenever those pairs changed.

    ``closed``: ads already known to be closed under all this (an earlier region); they are returned
    too, but not walked from again.
    """
    done = set(closed)
    frontier = set(seed) - done
    region = done | frontier
    seen_networks: set[int] = set()
    with store.session() as s:
        conn = s.connection()
        while frontier:
            found: set[int] = set()
            for chunk in _chunks(sorted(frontier)):
                for a, b in conn.execute(
                    select(Link.ad_a, Link.ad_b).where(
                        Link.verdict.in_(("persona", "network", "copy", "move")),
                        or_(Link.ad_a.in_(chunk), Link.ad_b.in_(chunk)),
                    )
                ):
                    found.add(a)
                    found.add(b)
                for a, b in conn.execute(
                    select(LinkDecision.ad_a, LinkDecision.ad_b).where(
                        or_(LinkDecision.ad_a.in_(chunk), LinkDecision.ad_b.in_(chunk))
                    )
                ):
                    found.add(a)
                    found.add(b)
                networks = set(
                    conn.scalars(
                        select(LinkAd.network_id).where(
                            LinkAd.ad_id.in_(chunk), LinkAd.network_id.is_not(None)
                        )
                    )
                )
                networks -= seen_networks
                seen_networks |= networks
                group_personas: set[int] = set()
                for nchunk in _chunks(sorted(networks)):
                    found.update(conn.scalars(select(LinkAd.ad_id).where(LinkAd.network_id.in_(nchunk))))
                    for (summary,) in conn.execute(
                        select(LinkNetwork.summary).where(LinkNetwork.id.in_(nchunk))
                    ):
                        group_personas.update((summary or {}).get("template_personas") or ())
                for pchunk in _chunks(sorted(group_personas)):
                    found.update(conn.scalars(select(LinkAd.ad_id).where(LinkAd.persona_id.in_(pchunk))))
            frontier = found - region
            region |= frontier
    return region


def _stored_personas(conn, ad_ids: Iterable[int]) -> dict[int, int | None]:  # type: ignore[no-untyped-def]
    """The stored persona of each of these ads that has a ``link_ads`` row (None: not clustered yet)."""
    out: dict[int, int | None] = {}
    for chunk in _chunks(sorted(set(ad_ids))):
        out.update(conn.execute(select(LinkAd.ad_id, LinkAd.persona_id).where(LinkAd.ad_id.in_(chunk))).all())
    return out


class TemplateReach:
    """Which template groups an increment must re-cluster, found in the whole store.

    Clustering keeps a template group (a component of triangle-supported template pairs >=
    ``TEMPLATE_CORE`` between personas) only when it has at most ``TEMPLATE_GROUP_MAX`` personas
    and stands apart from the texts around it. A region must therefore hold the whole of every group
    of its personas that can be kept; a group over the cap joins nothing whatever its shape, so the
    walk stops as soon as it has found more personas than that, and the region's personas in it are
    reported as *capped* (clustering drops any group holding one). This is what keeps an increment
    small in a market where look-alike texts form one continuum, and still exactly equal to a full
    rebuild.

    Most of a region's personas are there because their old network is, and nothing in their
    template group changed. Each persona stores its group and whether it was kept
    (``LinkPersona.template_state``), and only groups that can have changed are walked (``_starts``);
    the others keep what they were: a kept group is in the region already (through its network), a
    loose or capped one counts as capped without being read.

    Personas are the region's own (``update``) for its ads and the stored ones for all other ads,
    which a region closed under persona links leaves unchanged. Kept across the growth steps of one
    region; ``walked`` counts the personas whose template pairs were read.
    """

    def __init__(self, store: Store, cap: int) -> None:
        self.store = store
        self.cap = cap
        self.region_persona: dict[int, int] = {}
        self.region_members: dict[int, list[int]] = {}
        self.stored_persona: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}
        self.neighbours: dict[int, set[int]] = {}
        self.small: dict[int, frozenset[int]] = {}  # persona -> its whole (keepable) group
        self.capped: set[int] = set()
        self.old_persona: dict[int, int | None] = {}  # region ad -> its stored persona
        self.state: dict[int, tuple[int | None, str | None]] = {}  # stored persona -> template state
        self.clean: dict[int, tuple[int | None, str | None]] = {}  # region persona -> unchanged state
        self.walked = 0

    def update(self, persona_of: Mapping[int, int]) -> None:
        """The region's personas (its clustering of persona links)."""
        self.region_persona = dict(persona_of)
        grouped: dict[int, list[int]] = defaultdict(list)
        for ad_id, pid in persona_of.items():
            grouped[pid].append(ad_id)
        self.region_members = {pid: sorted(ids) for pid, ids in grouped.items()}

    def _persona_of(self, conn, ad_ids: Iterable[int]) -> dict[int, int]:  # type: ignore[no-untyped-def]
        out: dict[int, int] = {}
        unknown = []
        for a in ad_ids:
            if a in self.region_persona:
                out[a] = self.region_persona[a]
            elif a in self.stored_persona:
                out[a] = self.stored_persona[a]
            else:
                unknown.append(a)
        got = _stored_personas(conn, unknown)
        for a in set(unknown):
            pid = got.get(a)
            self.stored_persona[a] = pid if pid is not None else a
            out[a] = self.stored_persona[a]
        return out

    def _ads_of(self, conn, pids: Iterable[int]) -> dict[int, list[int]]:  # type: ignore[no-untyped-def]
        out: dict[int, list[int]] = {}
        unknown = []
        for p in pids:
            if p in self.region_members:
                out[p] = self.region_members[p]
            elif p in self.members:
                out[p] = self.members[p]
            else:
                unknown.append(p)
        found: dict[int, list[int]] = defaultdict(list)
        for chunk in _chunks(sorted(set(unknown))):
            for ad_id, pid in conn.execute(
                select(LinkAd.ad_id, LinkAd.persona_id).where(LinkAd.persona_id.in_(chunk))
            ):
                found[pid].append(ad_id)
        for p in unknown:
            ids = sorted(found.get(p) or [p])
            self.members[p] = ids
            for a in ids:
                self.stored_persona.setdefault(a, p)
            out[p] = ids
        return out

    def strong_partners(self, conn, ad_ids: Iterable[int]) -> dict[int, set[int]]:  # type: ignore[no-untyped-def]
        """Per ad, the ads it has a template pair >= ``TEMPLATE_CORE`` with (what clustering uses)."""
        out: dict[int, set[int]] = defaultdict(set)
        strong = and_(Link.verdict == "template", Link.pair_score >= TEMPLATE_CORE)
        for chunk in _chunks(sorted(set(ad_ids))):
            for ours, other in ((Link.ad_a, Link.ad_b), (Link.ad_b, Link.ad_a)):
                for a, b in conn.execute(select(ours, other).where(ours.in_(chunk), strong)):
                    out[a].add(b)
        return out

    def _load_neighbours(self, conn, pids: Iterable[int]) -> None:  # type: ignore[no-untyped-def]
        todo = [p for p in set(pids) if p not in self.neighbours]
        if not todo:
            return
        self.walked += len(todo)
        ads = self._ads_of(conn, todo)
        partners = self.strong_partners(conn, [a for p in todo for a in ads[p]])
        pid_of = self._persona_of(conn, {b for bs in partners.values() for b in bs})
        for p in todo:
            self.neighbours[p] = {pid_of[b] for a in ads[p] for b in partners.get(a, ())} - {p}

    def _group(self, conn, start: int) -> None:  # type: ignore[no-untyped-def]
        """Walk the supported pairs from ``start`` until its group is complete or over the cap."""
        group = {start}
        frontier = [start]
        while frontier:
            self._load_neighbours(conn, frontier)
            self._load_neighbours(conn, {q for p in frontier for q in self.neighbours[p]})
            nxt = []
            for p in sorted(frontier):
                for q in sorted(self.neighbours[p] - group):
                    if (self.neighbours[p] & self.neighbours[q]) - {p, q}:
                        if q in self.capped:
                            self.capped |= group
                            return
                        group.add(q)
                        nxt.append(q)
            if len(group) > self.cap:
                self.capped |= group
                return
            frontier = nxt
        frozen = frozenset(group)
        for p in group:
            self.small[p] = frozen

    def _load_stored(self, conn, ad_ids: Iterable[int]) -> None:  # type: ignore[no-untyped-def]
        """Stored personas of these ads, and the stored template state of those personas."""
        todo = set(ad_ids) - self.old_persona.keys()
        got = _stored_personas(conn, todo)
        for a in todo:
            self.old_persona[a] = got.get(a)
        self._load_states(conn, {p for p in (self.old_persona[a] for a in ad_ids) if p is not None})

    def _load_states(self, conn, pids: Iterable[int]) -> None:  # type: ignore[no-untyped-def]
        for chunk in _chunks(sorted(set(pids) - self.state.keys())):
            got = {
                pid: (group, state)
                for pid, group, state in conn.execute(
                    select(LinkPersona.id, LinkPersona.template_group, LinkPersona.template_state).where(
                        LinkPersona.id.in_(chunk)
                    )
                )
            }
            for p in chunk:
                self.state[p] = got.get(p, (None, None))

    def _starts(self, conn, seed: Set[int]) -> set[int]:  # type: ignore[no-untyped-def]
        """The personas whose template groups must be walked; sets ``clean``: the others.

        A stored group can only have changed through one of its personas that is new or changed
        (ads joined or left it), that holds an ad of the seed (whose template pairs or template-like
        pair counts changed: ``_mark_neighbours_of_dirty`` puts both ends of a changed pair in the
        seed), or that has a pair >= ``TEMPLATE_CORE`` with an ad of such a persona (its neighbour
        changed). Every other persona's group is exactly what it was, kept or not: such a persona is
        clean, unless it shares a stored group with one of those, or its state is not known."""
        region_ads = self.region_persona.keys()
        self._load_stored(conn, region_ads)
        held = Counter(self.old_persona[a] for a in region_ads)
        changed = {a for a in seed if a in self.region_persona}
        for pid, ads in self.region_members.items():
            if held[pid] != len(ads) or any(self.old_persona[a] != pid for a in ads):
                changed.update(ads)
        partners = self.strong_partners(conn, changed)
        neighbours = set(self._persona_of(conn, {b for bs in partners.values() for b in bs}).values())
        dirty = {self.region_persona[a] for a in changed} | neighbours
        old_dirty = {
            self.old_persona[a] for p in dirty & self.region_members.keys() for a in self.region_members[p]
        }
        old_dirty |= neighbours - self.region_members.keys()
        old_dirty.discard(None)
        self._load_states(conn, old_dirty)
        dirty_groups = {self.state[p][0] for p in old_dirty} - {None}  # type: ignore[index]
        self.clean = {}
        for pid in self.region_members.keys() - dirty:
            group, state = self.state.get(pid, (None, None))
            if state is not None and (state == GROUP_NONE or group not in dirty_groups):
                self.clean[pid] = (group, state)
        return dirty | (self.region_members.keys() - self.clean.keys())

    def reach(self, seed: Set[int]) -> set[int]:
        """Ads of keepable groups to add to the region: the groups of its personas that can have
        changed, and of the personas with a template pair to one of those (see ``_starts``)."""
        with self.store.session() as s:
            conn = s.connection()
            starts = self._starts(conn, seed)
            # Read the pairs of all starts and of their partners at once (most groups are complete
            # after that), rather than group by group.
            todo = {p for p in starts if p not in self.small and p not in self.capped}
            self._load_neighbours(conn, todo)
            self._load_neighbours(conn, {q for p in todo for q in self.neighbours[p]})
            for p in sorted(starts):
                if p not in self.small and p not in self.capped:
                    self._group(conn, p)
            wanted = {q for p in starts if p in self.small for q in self.small[p]}
            ads = self._ads_of(conn, wanted - set(self.region_members))
        return {a for ids in ads.values() for a in ids} - set(self.region_persona)

    def capped_ads(self) -> set[int]:
        """Region ads whose group is not kept and not wholly in the region: over the cap (walked), or
        unchanged since it was found loose or over the cap."""
        out = {p for p, (_, state) in self.clean.items() if state in (GROUP_LOOSE, GROUP_CAPPED)}
        out |= self.capped
        return {a for a, p in self.region_persona.items() if p in out}

    def states(self, clustering: Clustering) -> dict[int, tuple[int | None, str | None]]:
        """What to store for each persona of the region: its group as clustering saw it whole, else
        what it was (clean), else unknown (a group over the cap seen in part), else none."""
        out: dict[int, tuple[int | None, str | None]] = {}
        for pid in clustering.personas:
            if pid in clustering.template_state:
                out[pid] = clustering.template_state[pid]
            elif pid in self.clean:
                out[pid] = self.clean[pid]
            elif pid in self.capped:
                out[pid] = (None, None)
            else:
                out[pid] = (None, GROUP_NONE)
        return out


def load_nodes(store: Store, ad_ids: Iterable[int], hubs: set[int]) -> dict[int, AdNode]:
    """What clustering needs of each ad, with its number of template-like pairs in the whole store."""
    out: dict[int, AdNode] = {}
    with store.session() as s:
        conn = s.connection()
        for chunk in _chunks(sorted(set(ad_ids))):
            pairs: dict[int, int] = defaultdict(int)
            for column in (Link.ad_a, Link.ad_b):
                for ad_id, n in conn.execute(
                    select(column, func.count())
                    .where(column.in_(chunk), Link.channel == "template", Link.verdict == "template")
                    .group_by(column)
                ):
                    pairs[ad_id] += n
            for ad_id, p in conn.execute(select(LinkAd.ad_id, LinkAd.profile).where(LinkAd.ad_id.in_(chunk))):
                p = p or {}
                out[ad_id] = AdNode(
                    ad_id=ad_id,
                    first_day=p.get("first_day", 0),
                    last_day=p.get("last_day", 0),
                    contacts=tuple(c for c in p.get("contacts") or [] if contact_key(c) not in hubs),
                    name=p.get("name"),
                    age=p.get("age"),
                    stays=tuple((int(a), int(b), str(g)) for a, b, g in p.get("stays") or []),
                    template_pairs=pairs.get(ad_id, 0),
                )
    return out


def load_edges(store: Store, ad_ids: Iterable[int], touching: Iterable[int] | None = None) -> list[Edge]:
    """Verified pairs among these ads (weak ones and movement links excluded), one edge per pair.

    ``touching``: only the pairs with at least one ad in it (the ads a region grew by)."""
    ids = set(ad_ids)
    new = set(touching) if touching is not None else ids
    pairs: dict[tuple[int, int], list] = {}
    columns = (Link.ad_a, Link.ad_b, Link.verdict, Link.pair_score, Link.channel, Link.score, Link.hub)
    wanted = and_(Link.verdict != "weak", Link.channel != "move")
    with store.session() as s:
        for chunk in _chunks(sorted(new)):
            queries = [(select(*columns).where(Link.ad_a.in_(chunk), wanted), False)]
            if touching is not None:  # pairs of a new ad with a smaller old one
                queries.append((select(*columns).where(Link.ad_b.in_(chunk), wanted), True))
            for q, by_b in queries:
                for a, b, verdict, pair_score, channel, score, hub in s.connection().execute(q):
                    if a not in ids or b not in ids or (by_b and a in new):
                        continue
                    entry = pairs.setdefault((a, b), [verdict, pair_score, []])
                    entry[2].append((channel, score, hub))
    return [
        make_edge(a, b, verdict, score, links) for (a, b), (verdict, score, links) in sorted(pairs.items())
    ]


def load_decisions(store: Store, ad_ids: Iterable[int] | None = None) -> list[Decision]:
    """The newest decision per pair and level among these ads (all ads when None)."""
    latest: dict[tuple[int, int, str], tuple[datetime, int, str]] = {}
    with store.session() as s:
        q = select(
            LinkDecision.ad_a,
            LinkDecision.ad_b,
            LinkDecision.level,
            LinkDecision.decision,
            LinkDecision.created_at,
            LinkDecision.id,
        )
        rows = []
        if ad_ids is None:
            rows = list(s.connection().execute(q))
        else:
            for chunk in _chunks(sorted(set(ad_ids))):
                rows.extend(s.connection().execute(q.where(LinkDecision.ad_a.in_(chunk))))
        for a, b, level, decision, created, did in rows:
            key = (a, b, level)
            if key not in latest or (created, did) > latest[key][:2]:
                latest[key] = (created, did, decision)
    return [Decision(a, b, level, v[2]) for (a, b, level), v in sorted(latest.items())]


def control_days(store: Store) -> dict[str, list[int]]:
    """Day numbers of the recorded interventions per gemeente (leaving together right after one is
    not group travel: ``zicht.linking.clusters.MOVE_AFTER_CONTROL_DAYS``)."""
    days: dict[str, set[int]] = defaultdict(set)
    with store.session() as s:
        for day, gemeenten in s.execute(select(Intervention.day, Intervention.gemeenten)):
            for code in gemeenten or ():
                days[code].add(day_of_date(day))
    return {code: sorted(d) for code, d in days.items()}


def mark_moves_after_control(store: Store, gemeenten: Iterable[str], day: date) -> int:
    """Re-cluster, at the next run, the personas that left these gemeenten around an intervention that
    was just recorded or removed (whether their moving together counts has changed); returns the ads."""
    first, last = control_window(day_of_date(day))
    with store.session() as s:
        conn = s.connection()
        personas = sorted(
            set(
                conn.scalars(
                    select(LinkMove.persona_id).where(
                        LinkMove.left_gm.in_(sorted(set(gemeenten))), LinkMove.day.between(first, last)
                    )
                )
            )
        )
        marked = 0
        for chunk in _chunks(personas):
            marked += conn.execute(
                update(LinkAd).where(LinkAd.persona_id.in_(chunk)).values(recluster=True)
            ).rowcount
    return marked


def personas_sharing_moves(store: Store, keys: Iterable[int], personas: set[int]) -> set[int]:
    """Ads of personas outside ``personas`` that made one of these moves (they join the region)."""
    out: set[int] = set()
    with store.session() as s:
        for chunk in _chunks(sorted(set(keys))):
            others = (
                set(s.connection().scalars(select(LinkMove.persona_id).where(LinkMove.key.in_(chunk))))
                - personas
            )
            for pchunk in _chunks(sorted(others)):
                out.update(s.connection().scalars(select(LinkAd.ad_id).where(LinkAd.persona_id.in_(pchunk))))
    return out


def old_ids(store: Store, ad_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    pids: set[int] = set()
    nids: set[int] = set()
    with store.session() as s:
        for chunk in _chunks(sorted(set(ad_ids))):
            for pid, nid in s.connection().execute(
                select(LinkAd.persona_id, LinkAd.network_id).where(LinkAd.ad_id.in_(chunk))
            ):
                if pid is not None:
                    pids.add(pid)
                if nid is not None:
                    nids.add(nid)
    return pids, nids


def save_clustering(
    store: Store,
    region: set[int],
    nodes: dict[int, AdNode],
    clustering: Clustering,
    roles: Roles,
    linking_version: str,
) -> None:
    """Replace personas, networks, roles and moves of the region, and the ads' persona/network ids."""
    c = clustering
    now = datetime.now(UTC)
    old_p, old_n = old_ids(store, region)
    pids = old_p | set(c.personas)
    nids = old_n | set(c.networks)
    with store.session() as s:
        for chunk in _chunks(sorted(pids)):
            s.connection().execute(delete(LinkPersona).where(LinkPersona.id.in_(chunk)))
            s.connection().execute(delete(LinkMove).where(LinkMove.persona_id.in_(chunk)))
        for chunk in _chunks(sorted(nids)):
            s.connection().execute(delete(LinkNetwork).where(LinkNetwork.id.in_(chunk)))
            s.connection().execute(delete(LinkRole).where(LinkRole.network_id.in_(chunk)))
        for chunk in _chunks(sorted(region)):
            s.connection().execute(delete(Link).where(Link.channel == "move", Link.ad_a.in_(chunk)))

        persona_rows = []
        for pid, p in sorted(c.personas.items()):
            group, state = c.template_state.get(pid, (None, None))
            persona_rows.append(
                {
                    "id": pid,
                    "network_id": c.network_of[pid],
                    "n_ads": len(p.ads),
                    "label": p.label[:255],
                    "first_seen": _day_start(p.first_day),
                    "last_seen": _day_start(p.last_day),
                    "contacts": p.contacts,
                    "role": roles.persona_role.get(pid, ""),
                    "role_evidence": roles.persona_evidence.get(pid, {}),
                    "linking_version": linking_version,
                    "updated_at": now,
                    "template_group": group,
                    "template_state": state,
                }
            )
        _insert_rows(s.connection(), LinkPersona.__table__, persona_rows)
        group_personas: dict[int, list[int]] = {}
        for group in c.template_groups:
            for nid in sorted({c.network_of[p] for p in group}):
                group_personas[nid] = sorted(set(group_personas.get(nid, [])) | set(group))
        network_rows = []
        for nid, members in sorted(c.networks.items()):
            ps = [c.personas[p] for p in members]
            network_rows.append(
                {
                    "id": nid,
                    "n_personas": len(ps),
                    "n_ads": sum(len(p.ads) for p in ps),
                    "n_contacts": len({x for p in ps for x in p.contacts}),
                    "role": roles.network_role.get(nid, ""),
                    "roles": roles.network_roles.get(nid, []),
                    "first_seen": _day_start(min(p.first_day for p in ps)),
                    "last_seen": _day_start(max(p.last_day for p in ps)),
                    "summary": {
                        "labels": [p.label for p in ps[:10]],
                        "template_personas": group_personas.get(nid, []),
                    },
                    "linking_version": linking_version,
                    "updated_at": now,
                }
            )
        _insert_rows(s.connection(), LinkNetwork.__table__, network_rows)
        role_rows = [
            {
                "network_id": f.network_id,
                "persona_id": f.persona_id,
                "role": f.role,
                "subject": f.subject[:320],
                "score": f.score,
                "evidence": f.evidence,
                "linking_version": linking_version,
            }
            for f in roles.findings
        ]
        _insert_rows(s.connection(), LinkRole.__table__, role_rows)
        move_rows = [
            {
                "persona_id": m.persona_id,
                "key": m.key,
                "day": m.day,
                "left_gm": m.left,
                "arrived_gm": m.arrived,
            }
            for m in c.moves
        ]
        _insert_rows(s.connection(), LinkMove.__table__, move_rows)
        move_links = [
            {
                "ad_a": e.a,
                "ad_b": e.b,
                "channel": "move",
                "score": e.score,
                "hub": False,
                "evidence": e.evidence,
                "verdict": "move",
                "pair_score": e.score,
                "reason": "personas moved between gemeenten together",
                "linking_version": linking_version,
                "created_at": now,
            }
            for e in c.edges
            if e.kind == "move"
        ]
        _insert_rows(s.connection(), Link.__table__, move_links)
        # Plain values straight through the driver (see ``_insert_plain``): a rebuild assigns every ad.
        assignments = [
            (c.persona_of[ad_id], c.network_of[c.persona_of[ad_id]], False, ad_id)
            for ad_id in sorted(region)
            if ad_id in c.persona_of
        ]
        mark = _placeholder(s.connection())
        assign = (
            f"UPDATE link_ads SET persona_id = {mark}, network_id = {mark}, recluster = {mark} "
            f"WHERE ad_id = {mark}"
        )
        for chunk in _chunks(assignments, 5000):
            s.connection().exec_driver_sql(assign, list(chunk))
        if assignments:
            from zicht.store.aggregates import mark_stale

            mark_stale(s)  # new personas/networks move no maximum: the next refresh must look


def _day_start(day: int) -> datetime:
    d = date_of_day(day)
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def before_deleting_ads(store: Store, ad_ids: Sequence[int]) -> int:
    """Call before ads are deleted from the store (retention): their networks are dropped, and the
    ads left in them and the ads linked to them are clustered again on the next run. (Their own
    links, keys and profiles go with them through the foreign keys.)"""
    with store.session() as s:
        conn = s.connection()
        touched: set[int] = set()
        for chunk in _chunks(list(ad_ids)):
            for a, b in conn.execute(
                select(Link.ad_a, Link.ad_b).where(or_(Link.ad_a.in_(chunk), Link.ad_b.in_(chunk)))
            ):
                touched.update((a, b))
            networks = list(
                conn.scalars(
                    select(LinkAd.network_id).where(LinkAd.ad_id.in_(chunk), LinkAd.network_id.is_not(None))
                )
            )
            personas = select(LinkPersona.id).where(LinkPersona.network_id.in_(networks))
            conn.execute(delete(LinkMove).where(LinkMove.persona_id.in_(personas)))
            conn.execute(delete(LinkRole).where(LinkRole.network_id.in_(networks)))
            conn.execute(delete(LinkPersona).where(LinkPersona.network_id.in_(networks)))
            conn.execute(delete(LinkNetwork).where(LinkNetwork.id.in_(networks)))
            touched.update(conn.scalars(select(LinkAd.ad_id).where(LinkAd.network_id.in_(networks))))
        touched -= set(ad_ids)
        for chunk in _chunks(sorted(touched)):
            conn.execute(update(LinkAd).where(LinkAd.ad_id.in_(chunk)).values(recluster=True))
        from zicht.store.aggregates import mark_stale

        mark_stale(s)  # the count aggregates still hold the deleted ads until the next refresh
        return len(touched)


# ------------------------------------------------------------------ analysts' decisions


DECISIONS = ("confirm", "split")
LEVELS = ("persona", "network")


def record_decision(
    store: Store, ad_a: int, ad_b: int, decision: str, user: str, reason: str = "", *, level: str = "persona"
) -> int:
    """Keep an analyst's decision on a pair of ads; the next ``link`` run respects it."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if ad_a == ad_b:
        raise ValueError("a decision is about two different ads")
    if not user.strip():
        raise ValueError("a decision needs the user who made it")
    a, b = sorted((ad_a, ad_b))
    with store.session() as s:
        found = set(s.scalars(select(Ad.id).where(Ad.id.in_([a, b]))))
        if found != {a, b}:
            raise KeyError(f"no ad {sorted({a, b} - found)}")
        row = LinkDecision(
            ad_a=a,
            ad_b=b,
            level=level,
            decision=decision,
            user=user,
            reason=reason,
            created_at=datetime.now(UTC),
        )
        s.add(row)
        s.flush()
        s.execute(update(LinkAd).where(LinkAd.ad_id.in_([a, b])).values(recluster=True))
        return row.id


@dataclass(frozen=True)
class DecisionRow:
    id: int
    ad_a: int
    ad_b: int
    level: str
    decision: str
    user: str
    reason: str
    created_at: datetime


def decisions_for(store: Store, ad_id: int) -> list[DecisionRow]:
    with store.session() as s:
        rows = s.scalars(
            select(LinkDecision)
            .where(or_(LinkDecision.ad_a == ad_id, LinkDecision.ad_b == ad_id))
            .order_by(LinkDecision.created_at, LinkDecision.id)
        )
        return [
            DecisionRow(r.id, r.ad_a, r.ad_b, r.level, r.decision, r.user, r.reason, r.created_at)
            for r in rows
        ]


# ------------------------------------------------------------------ read queries (exports, web, lookup)


@dataclass(frozen=True)
class AdLink:
    other_ad_id: int
    other_site: str
    other_source_id: str
    channel: str
    score: float
    verdict: str
    hub: bool
    evidence: dict
    reason: str


def links_of_ad(store: Store, ad_id: int) -> list[AdLink]:
    """Every verified link of one ad, strongest first (for the ad page)."""
    out: list[AdLink] = []
    with store.session() as s:
        for col_self, col_other in ((Link.ad_a, Link.ad_b), (Link.ad_b, Link.ad_a)):
            rows = s.execute(
                select(Link, Site.name, Ad.source_id)
                .join(Ad, Ad.id == col_other)
                .join(Site, Site.id == Ad.site_id)
                .where(col_self == ad_id)
            )
            for link, site, source_id in rows:
                out.append(
                    AdLink(
                        getattr(link, col_other.key),
                        site,
                        source_id,
                        link.channel,
                        link.score,
                        link.verdict,
                        link.hub,
                        link.evidence,
                        link.reason,
                    )
                )
    return sorted(out, key=lambda x: (-x.score, x.other_ad_id, x.channel))


def assignment_of(store: Store, ad_ids: Sequence[int]) -> dict[int, tuple[int | None, int | None]]:
    """ad -> (persona id, network id) for these ads (absent: not linked yet)."""
    out: dict[int, tuple[int | None, int | None]] = {}
    with store.session() as s:
        for chunk in _chunks(list(ad_ids)):
            for ad_id, pid, nid in s.execute(
                select(LinkAd.ad_id, LinkAd.persona_id, LinkAd.network_id).where(LinkAd.ad_id.in_(chunk))
            ):
                out[ad_id] = (pid, nid)
    return out


@dataclass(frozen=True)
class ViewNode:
    id: str  # "persona:12", "contact:phone:+316...", "photo:34"
    kind: str  # persona | contact | photo
    label: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ViewEdge:
    source: str
    target: str
    channel: str
    score: float
    evidence: dict


@dataclass(frozen=True)
class NetworkView:
    """What the network page shows: who, how they are linked and why, and where they advertised when."""

    network_id: int
    role: str
    roles: list[dict]
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    weeks: list[dict]  # {"week_start": date ISO, "gemeenten": [{"code", "name", "ads"}]}
    ads: list[dict]  # {"ad_id", "site", "source_id", "url", "persona_id", "first_seen", "last_seen"}


def network_view(store: Store, network_id: int) -> NetworkView | None:
    """Nodes (personas, contact points, photos), edges with channel/score/evidence, weeks × gemeenten."""
    from zicht.reference import gemeente

    with store.session() as s:
        net = s.get(LinkNetwork, network_id)
        if net is None:
            return None
        personas = list(
            s.scalars(
                select(LinkPersona).where(LinkPersona.network_id == network_id).order_by(LinkPersona.id)
            )
        )
        ad_rows = list(
            s.execute(
                select(
                    LinkAd.ad_id,
                    LinkAd.persona_id,
                    LinkAd.profile,
                    Site.name,
                    Ad.source_id,
                    Ad.url,
                    Ad.first_seen,
                    Ad.last_seen,
                )
                .join(Ad, Ad.id == LinkAd.ad_id)
                .join(Site, Site.id == Ad.site_id)
                .where(LinkAd.network_id == network_id)
                .order_by(LinkAd.ad_id)
            )
        )
        ad_ids = [r[0] for r in ad_rows]
        links: list[Link] = []
        for chunk in _chunks(ad_ids):
            links.extend(s.scalars(select(Link).where(Link.ad_a.in_(chunk), Link.verdict != "weak")))
        roles = list(
            s.scalars(select(LinkRole).where(LinkRole.network_id == network_id).order_by(LinkRole.id))
        )
        hub_set = set(s.scalars(select(LinkHub.key)))
    persona_of = {r[0]: r[1] for r in ad_rows}
    nodes: list[ViewNode] = []
    edges: list[ViewEdge] = []
    for p in personas:
        nodes.append(
            ViewNode(
                f"persona:{p.id}",
                "persona",
                p.label,
                {
                    "ads": p.n_ads,
                    "role": p.role,
                    "first_seen": _iso(p.first_seen),
                    "last_seen": _iso(p.last_seen),
                },
            )
        )
    contact_nodes: dict[str, set[int]] = defaultdict(set)
    photo_nodes: dict[int, set[int]] = defaultdict(set)
    weeks: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for ad_id, pid, profile, *_ in ad_rows:
        profile = profile or {}
        for label in profile.get("contacts") or []:
            if contact_key(label) not in hub_set:
                contact_nodes[label].add(pid)
        for photo_id, _ph in profile.get("photos") or []:
            photo_nodes[int(photo_id)].add(pid)
        for first, last, gm in profile.get("stays") or []:
            for w in range(week_of_day(int(first)), week_of_day(int(last)) + 1):
                weeks[w][str(gm)].add(ad_id)
    for label, pids in sorted(contact_nodes.items()):
        kind, _, value = label.partition(":")
        nodes.append(ViewNode(f"contact:{label}", "contact", value, {"kind": kind, "personas": len(pids)}))
        for pid in sorted(pids):
            edges.append(
                ViewEdge(f"persona:{pid}", f"contact:{label}", "uses", 1.0, {"summary": f"uses {label}"})
            )
    for photo_id, pids in sorted(photo_nodes.items()):
        if len(pids) < 2 and len(photo_nodes) > 50:
            continue  # keep big networks readable: only photos that tie personas together
        nodes.append(ViewNode(f"photo:{photo_id}", "photo", f"photo {photo_id}", {"personas": len(pids)}))
        for pid in sorted(pids):
            edges.append(ViewEdge(f"persona:{pid}", f"photo:{photo_id}", "shows", 1.0, {}))
    pair_best: dict[tuple[int, int, str], Link] = {}
    for link in links:
        pa, pb = persona_of.get(link.ad_a), persona_of.get(link.ad_b)
        if pa is None or pb is None or pa == pb:
            continue
        key = (min(pa, pb), max(pa, pb), link.channel)
        if key not in pair_best or link.score > pair_best[key].score:
            pair_best[key] = link
    for (pa, pb, channel), link in sorted(pair_best.items()):
        edges.append(
            ViewEdge(
                f"persona:{pa}",
                f"persona:{pb}",
                channel,
                link.score,
                dict(link.evidence)
                | {"ads": [link.ad_a, link.ad_b], "verdict": link.verdict, "hub": link.hub},
            )
        )
    week_list = []
    for w in sorted(weeks):
        gms = []
        for code, ads in sorted(weeks[w].items()):
            g = gemeente(code)
            gms.append({"code": code, "name": g.name if g else code, "ads": len(ads)})
        week_list.append({"week_start": date_of_day(w * 7 + 4).isoformat(), "gemeenten": gms})
    return NetworkView(
        network_id=network_id,
        role=net.role,
        roles=[
            {
                "role": r.role,
                "persona_id": r.persona_id,
                "subject": r.subject,
                "score": r.score,
                "evidence": r.evidence,
            }
            for r in roles
        ],
        nodes=nodes,
        edges=edges,
        weeks=week_list,
        ads=[
            {
                "ad_id": ad_id,
                "site": site,
                "source_id": source_id,
                "url": url,
                "persona_id": pid,
                "first_seen": _iso(first),
                "last_seen": _iso(last),
            }
            for ad_id, pid, _p, site, source_id, url, first, last in ad_rows
        ],
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class NumberLookup:
    """One number looked up: where and when it was advertised, and in which networks."""

    query: str
    e164: str | None
    found: bool
    ads: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    gemeenten: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    personas: list[int] = field(default_factory=list)
    networks: list[int] = field(default_factory=list)
    network_roles: dict[int, str] = field(default_factory=dict)


def lookup_numbers(store: Store, numbers: Sequence[str], default_region: str = "NL") -> list[NumberLookup]:
    """Cross-reference a list of numbers (e.g. from a seized phone) with everything advertised."""
    from zicht.extract.phones import normalise_declared_phone

    wanted: dict[str, str | None] = {}
    for raw in numbers:
        wanted[raw] = normalise_declared_phone(raw, default_region)
    values = sorted({v for v in wanted.values() if v})
    found: dict[str, dict] = {}
    with store.session() as s:
        for chunk in _chunks(values):
            rows = s.execute(
                select(
                    ContactPoint.value,
                    Ad.id,
                    AdVersion.first_seen,
                    AdVersion.last_seen,
                    Extraction.gemeente_code,
                    Extraction.place,
                    LinkAd.persona_id,
                    LinkAd.network_id,
                )
                .join(AdContact, AdContact.contact_point_id == ContactPoint.id)
                .join(AdVersion, AdVersion.id == AdContact.ad_version_id)
                .join(Ad, Ad.id == AdVersion.ad_id)
                .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
                .outerjoin(LinkAd, LinkAd.ad_id == Ad.id)
                .where(ContactPoint.kind.in_(("phone", "whatsapp")), ContactPoint.value.in_(chunk))
            )
            for value, ad_id, first, last, gm, place, pid, nid in rows:
                f = found.setdefault(
                    value,
                    {
                        "ads": set(),
                        "first": first,
                        "last": last,
                        "gm": set(),
                        "places": set(),
                        "p": set(),
                        "n": set(),
                    },
                )
                f["ads"].add(ad_id)
                f["first"] = min(f["first"], first)
                f["last"] = max(f["last"], last)
                if gm:
                    f["gm"].add(gm)
                if place:
                    f["places"].add(place)
                if pid is not None:
                    f["p"].add(pid)
                if nid is not None:
                    f["n"].add(nid)
        roles: dict[int, str] = {}
        nids = sorted({n for f in found.values() for n in f["n"]})
        for chunk in _chunks(nids):
            for nid, role in s.execute(
                select(LinkNetwork.id, LinkNetwork.role).where(LinkNetwork.id.in_(chunk))
            ):
                roles[nid] = role
    out = []
    for raw, e164 in wanted.items():
        f = found.get(e164 or "")
        if not f:
            out.append(NumberLookup(raw, e164, False))
            continue
        out.append(
            NumberLookup(
                query=raw,
                e164=e164,
                found=True,
                ads=len(f["ads"]),
                first_seen=f["first"],
                last_seen=f["last"],
                gemeenten=sorted(f["gm"]),
                places=sorted(f["places"]),
                personas=sorted(f["p"]),
                networks=sorted(f["n"]),
                network_roles={n: roles.get(n, "") for n in sorted(f["n"])},
            )
        )
    return out


@dataclass(frozen=True)
class NetworkRow:
    id: int
    role: str
    roles: list[str]
    n_personas: int
    n_ads: int
    n_contacts: int
    first_seen: datetime | None
    last_seen: datetime | None
    labels: list[str]


def networks(
    store: Store, *, role: str | None = None, min_personas: int = 1, limit: int = 100, offset: int = 0
) -> list[NetworkRow]:
    """Networks, biggest first (for a list page)."""
    with store.session() as s:
        q = select(LinkNetwork).where(LinkNetwork.n_personas >= min_personas)
        if role:
            q = q.where(LinkNetwork.role == role)
        q = (
            q.order_by(LinkNetwork.n_personas.desc(), LinkNetwork.n_ads.desc(), LinkNetwork.id)
            .limit(limit)
            .offset(offset)
        )
        return [
            NetworkRow(
                n.id,
                n.role,
                list(n.roles),
                n.n_personas,
                n.n_ads,
                n.n_contacts,
                n.first_seen,
                n.last_seen,
                list((n.summary or {}).get("labels", [])),
            )
            for n in s.scalars(q)
        ]


def counts(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {
            "linked_ads": s.scalar(select(func.count()).select_from(LinkAd)) or 0,
            "keys": s.scalar(select(func.count()).select_from(LinkKey)) or 0,
            "hubs": s.scalar(select(func.count()).select_from(LinkHub)) or 0,
            "links": s.scalar(select(func.count()).select_from(Link)) or 0,
            "personas": s.scalar(select(func.count()).select_from(LinkPersona)) or 0,
            "networks": s.scalar(select(func.count()).select_from(LinkNetwork)) or 0,
            "decisions": s.scalar(select(func.count()).select_from(LinkDecision)) or 0,
        }
