"""Linking at scale: N ads from scratch, then 1,000 new ads against them.

Targets (issue 4): 1,000,000 ads from scratch in < 10 min with peak memory < 8 GB on 2 cores; 1,000 new
ads against 1,000,000 existing in < 5 s. Prints figures; asserts nothing.

What is measured is the linking stage alone. The earlier stages would take far longer than linking
at this volume, so the store is filled directly with what they would have stored, from the demo
market's stream (``zicht.demo.market.iter_ads``): ads and versions as generated, the numbers the
generator wrote (as extraction would find them, with their spans in the text; numbers only on a photo
are left out, as without OCR), declared ages and the gemeente of each version. Photos get synthetic
64-bit pHashes: one random hash per picture, a re-upload (variant v) with 2v bits flipped — the
distances measured on the demo's rendered photos (0-6 bits) — instead of rendering millions of images.

Each linking run happens in a child process, so its peak memory (ru_maxrss) and CPU time are its own;
the CPU time is printed beside the wall time because the development machine is shared (the load
average is printed too).

    .venv/bin/python benchmarks/bench_linking.py --ads 100000 [--new 1000] [--weeks 26] [--db PATH|URL]
        [--cache DIR] [--workers N]

``--cache DIR`` keeps the loaded (not yet linked) SQLite store and the new ads in DIR, so later runs
with the same --ads/--new/--weeks/--seed skip generating and loading the market.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from itertools import islice
from pathlib import Path

from sqlalchemy import bindparam, insert, update

from zicht.demo.market import iter_ads
from zicht.demo.model import TZ, DemoAd
from zicht.store.models import Ad, AdContact, AdPhoto, AdVersion, ContactPoint, Extraction, Photo
from zicht.store.store import Store

START = datetime(2026, 1, 5).date()
BATCH = 2000


def _h64(*parts: object) -> int:
    value = int.from_bytes(
        hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest(), "big"
    )
    return value - (1 << 64) if value >= 1 << 63 else value


def synthetic_phash(photo_id: str, variant: int, overlay: str | None) -> int:
    value = _h64("photo", photo_id) & ((1 << 64) - 1)
    for i in range(2 * variant):
        value ^= 1 << (_h64("flip", photo_id, variant, i) % 64)
    if overlay:
        for i in range(16):
            value ^= 1 << (_h64("overlay", photo_id, overlay, i) % 64)
    return value - (1 << 64) if value >= 1 << 63 else value


class Loader:
    """Writes demo ads straight into the tables the earlier stages fill, with ids it assigns itself."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sites = {
            name: store.ensure_site(name, f"https://{name}.example")
            for name in ("kinky", "sexjobs", "redlights")
        }
        self.ad_id = self.version_id = self.contact_id = self.photo_id = 0
        with store.session() as s:
            from sqlalchemy import func, select

            self.ad_id = s.scalar(select(func.max(Ad.id))) or 0
            self.version_id = s.scalar(select(func.max(AdVersion.id))) or 0
            self.contact_id = s.scalar(select(func.max(ContactPoint.id))) or 0
            self.photo_id = s.scalar(select(func.max(Photo.id))) or 0
            self.contacts = {
                (k, v): i
                for i, k, v in s.execute(select(ContactPoint.id, ContactPoint.kind, ContactPoint.value))
            }
            self.photos = {sha: i for i, sha in s.execute(select(Photo.id, Photo.sha256))}
        self.truth: dict[tuple[str, str], tuple[str, str, str | None, str | None]] = {}

    def when(self, day: int, hour: int) -> datetime:
        return datetime.combine(START + timedelta(days=day), dtime(hour), tzinfo=TZ).astimezone(UTC)

    def load(self, ads: Iterable[DemoAd]) -> int:
        n = 0
        for batch in _batched(ads, BATCH):
            self._write(batch)
            n += len(batch)
        return n

    def _write(self, batch: list[DemoAd]) -> None:
        rows: dict[str, list[dict]] = {
            k: [] for k in ("ads", "versions", "extractions", "cps", "contacts", "photos", "ad_photos")
        }
        now = datetime.now(UTC)
        for ad in batch:
            self.ad_id += 1
            t = ad.truth
            self.truth[(ad.site, ad.source_id)] = (
                t.persona_id,
                t.network_id,
                t.scam_operator_id,
                t.copied_from_persona,
            )
            version_ids = []
            for n, (v, vt) in enumerate(zip(ad.versions, t.versions, strict=True)):
                self.version_id += 1
                version_ids.append(self.version_id)
                end = ad.versions[n + 1].from_day - 1 if n + 1 < len(ad.versions) else ad.last_day
                first, last = self.when(v.from_day, 10), self.when(max(end, v.from_day), 18)
                rows["versions"].append(
                    {
                        "id": self.version_id,
                        "ad_id": self.ad_id,
                        "content_hash": f"{self.version_id:064x}",
                        "first_seen": first,
                        "last_seen": last,
                        "parser": "bench",
                        "title": v.title,
                        "text": v.text,
                        "posted_at": ad.posted_at,
                        "fields": v.fields,
                        "services": v.services,
                        "rates": v.rates,
                        "images": [f"https://{ad.site}.example/img/{p.key}.jpg" for p in v.photos],
                        "phone": ad.phone_display,
                        "email": ad.email,
                    }
                )
                rows["extractions"].append(
                    {
                        "ad_version_id": self.version_id,
                        "extractor_version": "bench",
                        "created_at": now,
                        "facts": {},
                        "age": t.declared_age,
                        "place": vt.place_written,
                        "gemeente_code": vt.gemeente_code,
                        "error_count": 0,
                    }
                )
                seen = set()
                for ph in vt.phones:
                    if ph.where == "photo":
                        continue
                    cp = self._contact("phone", ph.e164, rows)
                    source = "field" if ph.where == "field" else "text"
                    start = v.text.find(ph.rendered) if source == "text" else -1
                    if (cp, source) in seen:
                        continue
                    seen.add((cp, source))
                    rows["contacts"].append(
                        {
                            "ad_version_id": self.version_id,
                            "contact_point_id": cp,
                            "source": source,
                            "span_start": start if start >= 0 else None,
                            "span_end": start + len(ph.rendered) if start >= 0 else None,
                            "obscured": False,
                        }
                    )
                if ad.email:
                    cp = self._contact("email", ad.email.lower(), rows)
                    rows["contacts"].append(
                        {
                            "ad_version_id": self.version_id,
                            "contact_point_id": cp,
                            "source": "field",
                            "span_start": None,
                            "span_end": None,
                            "obscured": False,
                        }
                    )
                for pos, p in enumerate(v.photos):
                    sha = hashlib.sha256(p.key.encode()).hexdigest()
                    pid = self.photos.get(sha)
                    if pid is None:
                        self.photo_id += 1
                        pid = self.photos[sha] = self.photo_id
                        rows["photos"].append(
                            {
                                "id": pid,
                                "sha256": sha,
                                "phash": synthetic_phash(p.photo_id, p.variant, p.overlay_text),
                                "photos_version": "bench",
                            }
                        )
                    rows["ad_photos"].append(
                        {"ad_version_id": self.version_id, "position": pos, "url": p.key, "photo_id": pid}
                    )
            rows["ads"].append(
                {
                    "id": self.ad_id,
                    "site_id": self.sites[ad.site],
                    "source_id": ad.source_id,
                    "url": f"https://{ad.site}.example/ad/{ad.source_id}",
                    "first_seen": self.when(ad.first_day, 10),
                    "last_seen": self.when(ad.last_day, 18),
                    "status": "active",
                    "current_version_id": None,
                    "_current": version_ids[-1],
                }
            )
        current = [{"b_id": r["id"], "b_v": r.pop("_current")} for r in rows["ads"]]
        with self.store.engine.begin() as conn:
            for table, key in (
                (Ad, "ads"),
                (AdVersion, "versions"),
                (Extraction, "extractions"),
                (ContactPoint, "cps"),
                (AdContact, "contacts"),
                (Photo, "photos"),
                (AdPhoto, "ad_photos"),
            ):
                if rows[key]:
                    conn.execute(insert(table.__table__), rows[key])
            conn.execute(
                update(Ad.__table__)
                .where(Ad.id == bindparam("b_id"))
                .values(current_version_id=bindparam("b_v")),
                current,
            )

    def _contact(self, kind: str, value: str, rows: dict) -> int:
        cid = self.contacts.get((kind, value))
        if cid is None:
            self.contact_id += 1
            cid = self.contacts[(kind, value)] = self.contact_id
            rows["cps"].append(
                {"id": cid, "kind": kind, "value": value, "hmac": f"{_h64(kind, value) & 0xFFFFFFFF:032x}"}
            )
        return cid


def _batched(items: Iterable, n: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


def child_link(url: str, full: bool, workers: int | None = None) -> None:
    """Runs in its own process: one linking run, its figures as JSON on stdout. CPU time and peak
    memory include the worker processes (``workers_*``: theirs alone)."""
    from zicht.linking.run import LinkSettings, link
    from zicht.store import linking as sql

    store = Store.open(url)
    settings = LinkSettings(workers=workers) if workers is not None else None
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF)
    report = link(store, full=full, settings=settings)
    seconds = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    workers_cpu = kids.ru_utime + kids.ru_stime
    out = {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(own + workers_cpu, 2),
        "workers_cpu_seconds": round(workers_cpu, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "workers_peak_rss_mb": round(kids.ru_maxrss / 1024, 1),
        "stages": {k: round(v, 2) for k, v in report.seconds.items()},
        "stages_cpu": {k: round(v, 2) for k, v in report.cpu_seconds.items()},
        "profiled": report.profiled,
        "candidates": report.candidates,
        "linked_pairs": report.linked_pairs,
        "links": report.links,
        "by_verdict": report.by_verdict,
        "hubs": report.hubs,
        "region_ads": report.region_ads,
        "capped_ads": report.capped_ads,
        "template_walked": report.template_walked,
        "personas": report.personas,
        "networks": report.networks,
        "counts": sql.counts(store),
    }
    print(json.dumps(out))


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return out


def _pss_kib(pids: Iterable[int]) -> int:
    """Proportional set size of these processes: shared pages (a forked worker's copy of its parent)
    are counted once over all of them, unlike adding up each process's peak RSS."""
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total


def run_child(url: str, full: bool, workers: int | None = None) -> dict:
    """One linking run in a child process; ``peak_pss_mb``: the most memory its process tree held
    at once (sampled every half second)."""
    cmd = [sys.executable, __file__, "--child", url] + (["--full"] if full else [])
    if workers is not None:
        cmd += ["--workers", str(workers)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        peak = 0
        while proc.poll() is None:
            if Path("/proc/self/smaps_rollup").exists():
                peak = max(peak, _pss_kib(_tree(proc.pid)))
            time.sleep(0.5)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.stderr.write(err.read())
            raise SystemExit(f"linking run failed ({proc.returncode})")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["peak_pss_mb"] = round(peak / 1024, 1) if peak else None
    return result


def evaluate(store: Store, truth: dict) -> dict:
    from sqlalchemy import select

    from zicht.linking.evaluate import merged_groups, observable_networks, pairwise
    from zicht.linking.keys import CHANNEL_TEXT
    from zicht.linking.run import DEFAULT_HUB_CAPS
    from zicht.store.models import LinkAd, Site

    persona, network, ops, seen, tp, tn = {}, {}, {}, {}, {}, {}
    with store.session() as s:
        rows = s.execute(
            select(Site.name, Ad.source_id, LinkAd.persona_id, LinkAd.network_id)
            .join(Ad, Ad.site_id == Site.id)
            .join(LinkAd, LinkAd.ad_id == Ad.id)
        )
        for site, source_id, pid, nid in rows:
            t = truth.get((site, source_id))
            if t is None:
                continue
            key = (site, source_id)
            persona[key], network[key] = pid, nid
            tp[key], tn[key] = t[0], t[1]
            seen[key] = (t[1], t[2], t[3])
            if t[2]:
                ops[key] = t[2]
    return {
        "persona": pairwise(persona, tp).as_dict(),
        "network": pairwise(network, tn).as_dict(),
        "network_observable": pairwise(
            network, observable_networks(seen, DEFAULT_HUB_CAPS[CHANNEL_TEXT])
        ).as_dict(),
        "scam_operator_merges": len(merged_groups(network, ops)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ads", type=int, default=100_000)
    ap.add_argument("--new", type=int, default=1000)
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--db", default=None, help="SQLite path or database URL (default: a temporary SQLite file)"
    )
    ap.add_argument("--cache", default=None, help="keep/reuse the loaded market in this folder (SQLite)")
    ap.add_argument("--no-evaluate", action="store_true")
    ap.add_argument(
        "--workers", type=int, default=None, help="worker processes for linking (default: LinkSettings')"
    )
    ap.add_argument(
        "--load-only", action="store_true", help="stop after loading the market (to fill --cache)"
    )
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_link(args.child, args.full, args.workers)
        return

    cache = Path(args.cache) if args.cache else None
    tag = f"linking-{args.ads}-{args.new}-{args.weeks}-{args.seed}"
    # The store of a run is 11 GB at 1,000,000 ads: it goes when the run does (unless --db names it).
    scratch = Path(tempfile.mkdtemp(prefix="zicht-bench-"))
    store: Store | None = None
    try:
        if cache is not None and (cache / f"{tag}.db").exists() and not args.db:
            url = f"sqlite:///{scratch / 'zicht.db'}"
            shutil.copyfile(cache / f"{tag}.db", url.removeprefix("sqlite:///"))
            store = Store.open(url)
            with open(cache / f"{tag}.pickle", "rb") as f:
                truth, new_ads = pickle.load(f)
            loader = Loader(store)
            loader.truth = truth
            base = len(truth)
            stream: Iterable[DemoAd] = iter(new_ads)
            print(f"{base:,} ads from the cache {cache / tag}.db ({url})", flush=True)
        else:
            url = args.db or f"sqlite:///{scratch / 'zicht.db'}"
            if "://" not in url:
                url = f"sqlite:///{url}"
            store = Store.open(url)
            loader = Loader(store)
            stream = iter_ads(seed=args.seed, n_ads=args.ads + args.new, weeks=args.weeks, start=START)
            t = time.perf_counter()
            base = loader.load(islice(stream, args.ads))
            load_s = time.perf_counter() - t
            print(f"loaded {base:,} ads in {load_s:.0f} s ({url})", flush=True)
            if cache is not None and url.startswith("sqlite:///"):
                cache.mkdir(parents=True, exist_ok=True)
                new_ads = list(stream)
                stream = iter(new_ads)
                store.engine.dispose()
                shutil.copyfile(url.removeprefix("sqlite:///"), cache / f"{tag}.db")
                with open(cache / f"{tag}.pickle", "wb") as f:
                    pickle.dump((dict(loader.truth), new_ads), f)
        if args.load_only:
            return

        full = run_child(url, True, args.workers)
        print(
            f"from scratch: {base:,} ads linked in {full['seconds']:.1f} s ({full['cpu_seconds']:.1f} s CPU, "
            f"load {full['load_average'][0]}), peak RSS {full['peak_rss_mb']:.0f} MB "
            f"(+ {full['workers_peak_rss_mb']:.0f} MB per worker; all processes together at most "
            f"{full['peak_pss_mb']} MB PSS); "
            f"stages {full['stages']}",
            flush=True,
        )
        print(json.dumps(full, indent=1), flush=True)

        t = time.perf_counter()
        new = loader.load(stream)
        print(f"loaded {new:,} new ads in {time.perf_counter() - t:.1f} s", flush=True)
        incr = run_child(url, False, args.workers)
        print(
            f"incremental: {new:,} new ads against {base:,} linked in {incr['seconds']:.2f} s "
            f"({incr['cpu_seconds']:.2f} s CPU, load {incr['load_average'][0]}), "
            f"peak RSS {incr['peak_rss_mb']:.0f} MB; stages {incr['stages']}; region {incr['region_ads']:,} ads "
            f"({incr['capped_ads']:,} in template groups over the cap)",
            flush=True,
        )
        if not args.no_evaluate:
            print("against the truth:", json.dumps(evaluate(store, loader.truth)), flush=True)
        print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()}")

    finally:
        if store is not None:
            store.engine.dispose()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
