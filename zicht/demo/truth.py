"""The demo market's ground truth as a JSONL file, kept apart from the app's database.

The app must never see who is behind an ad; evaluations must. So the truth goes to its own file (one
JSON object per ad, ``.jsonl`` or ``.jsonl.gz``), which an evaluation reads next to what the pipeline
stored. Writing streams, so the truth of a million-ad ``iter_ads`` run never sits in memory.

One line::

    {"site", "source_id", "first_day", "last_day", "first_date", "last_date", "posted_at",
     "persona_id", "network_id", "role", "scam_operator_id", "copied_from_persona", "template_id",
     "repost_of", "declared_age", "text_age", "age_conflict", "emails", "photo_ids", "hubs",
     "indicators", "negated_decoys",                      # unions over versions, sorted
     "phones": [{"e164", "format_class", "where", "rendered"}],   # distinct over versions
     "versions": [{"from_day", "from_date", "gemeente_code", "place_written", "text_age", "age_conflict",
                   "cues": [{"code", "phrase", "where", "negated"}], "phones": [...],
                   "lookalikes": ["Open 1000-2200", ...], "services": ["zoenen", ...],
                   "rates": [[30, 65], ...], "reception", "origin", "languages": ["nl", ...], "hours",
                   "handles": ["snapchat:anna123456", ...]}]}

Dates are ISO dates, None when the start date is unknown (a bare stream written without ``start``).

A market with a simulated control action (``Market.intervention``) also gets a second file beside it,
``<name>-intervention.json`` (``intervention_path``): one JSON object, so that every line of the
truth file stays one ad::

    {"day", "date", "gemeente_code", "gemeente_name", "kind", "neighbours": [...],
     "personas": [{"persona_id", "role", "reaction": "stopped|moved|paused|stayed", "moved_to",
                   "back_day", "back_date", "ads": ["site:source_id", ...]}]}
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from zicht.demo.model import (
    AdTruth,
    Cue,
    DemoAd,
    DemoIntervention,
    Market,
    PersonaReaction,
    PhoneTruth,
    VersionTruth,
    as_ads,
)


@dataclass(frozen=True, slots=True)
class TruthRecord:
    """One line of the truth file: where the ad was, when it was online, and its ``AdTruth``."""

    site: str
    source_id: str
    first_day: int
    last_day: int
    truth: AdTruth

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.source_id)

    def active(self, day: int) -> bool:
        return self.first_day <= day <= self.last_day

    def gemeente_on(self, day: int) -> str | None:
        """The gemeente the ad names on ``day``, None when it is not online."""
        if not self.active(day):
            return None
        found = None
        for v in self.truth.versions:
            if v.from_day > day:
                break
            found = v.gemeente_code
        return found


def write_truth(market: Market | Iterable[DemoAd], path: str | Path, *, start: date | None = None) -> int:
    """Write one line per ad; returns the number of ads written. A ``.gz`` path is gzip-compressed.

    A market's intervention goes to ``intervention_path(path)``; a stale one from an earlier market
    without it is removed.
    """
    if isinstance(market, Market):
        start = market.start
        side = intervention_path(path)
        if market.intervention is not None:
            write_intervention(market.intervention, side, market.start)
        elif side.is_file():
            side.unlink()
    count = 0
    with _open(Path(path), "wt") as out:
        for ad in as_ads(market):
            out.write(json.dumps(ad_truth_line(ad, start), ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


def read_truth(path: str | Path) -> dict[tuple[str, str], TruthRecord]:
    """All records of a truth file by (site, source_id)."""
    return {r.key: r for r in iter_truth(path)}


def iter_truth(path: str | Path) -> Iterator[TruthRecord]:
    """Records one at a time, for files too big to hold."""
    with _open(Path(path), "rt") as lines:
        for line in lines:
            if line.strip():
                yield record_from_line(json.loads(line))


def ad_truth_line(ad: DemoAd, start: date | None = None) -> dict:
    """The JSON object written for one ad."""
    t = ad.truth

    def day_iso(day: int) -> str | None:
        return (start + timedelta(days=day)).isoformat() if start else None

    return {
        "site": ad.site,
        "source_id": ad.source_id,
        "first_day": ad.first_day,
        "last_day": ad.last_day,
        "first_date": day_iso(ad.first_day),
        "last_date": day_iso(ad.last_day),
        "posted_at": ad.posted_at.isoformat(),
        "persona_id": t.persona_id,
        "network_id": t.network_id,
        "role": t.role,
        "scam_operator_id": t.scam_operator_id,
        "copied_from_persona": t.copied_from_persona,
        "template_id": t.template_id,
        "repost_of": t.repost_of,
        "declared_age": t.declared_age,
        "text_age": t.text_age,
        "age_conflict": t.age_conflict,
        "emails": t.emails,
        "photo_ids": t.photo_ids,
        "hubs": t.hubs,
        "indicators": sorted(t.indicators),
        "negated_decoys": sorted(t.negated_decoys),
        "phones": [_phone(p) for p in t.phones],
        "versions": [
            {
                "from_day": v.from_day,
                "from_date": day_iso(v.from_day),
                "gemeente_code": v.gemeente_code,
                "place_written": v.place_written,
                "text_age": v.text_age,
                "age_conflict": v.age_conflict,
                "cues": [
                    {"code": c.code, "phrase": c.phrase, "where": c.where, "negated": c.negated}
                    for c in v.cues
                ],
                "phones": [_phone(p) for p in v.phones],
                "lookalikes": v.lookalikes,
                "services": v.services,
                "rates": [list(r) for r in v.rates],
                "reception": v.reception,
                "origin": v.origin,
                "languages": v.languages,
                "hours": v.hours,
                "handles": v.handles,
            }
            for v in t.versions
        ],
    }


def record_from_line(obj: dict) -> TruthRecord:
    """Rebuild a record from one parsed line (the derived fields are recomputed, not trusted)."""
    versions = [
        VersionTruth(
            from_day=v["from_day"],
            gemeente_code=v["gemeente_code"],
            place_written=v["place_written"],
            cues=[Cue(c["code"], c["phrase"], c["where"], c["negated"]) for c in v["cues"]],
            phones=[PhoneTruth(p["e164"], p["format_class"], p["where"], p["rendered"]) for p in v["phones"]],
            text_age=v["text_age"],
            age_conflict=v["age_conflict"],
            # absent in truth files written before they existed:
            lookalikes=list(v.get("lookalikes", ())),
            services=list(v.get("services", ())),
            rates=[(int(m), int(p)) for m, p in v.get("rates", ())],
            reception=v.get("reception"),
            origin=v.get("origin"),
            languages=list(v.get("languages", ())),
            hours=v.get("hours"),
            handles=list(v.get("handles", ())),
        )
        for v in obj["versions"]
    ]
    truth = AdTruth(
        persona_id=obj["persona_id"],
        network_id=obj["network_id"],
        role=obj["role"],
        declared_age=obj["declared_age"],
        emails=list(obj["emails"]),
        photo_ids=list(obj["photo_ids"]),
        versions=versions,
        scam_operator_id=obj["scam_operator_id"],
        copied_from_persona=obj["copied_from_persona"],
        template_id=obj["template_id"],
        repost_of=obj["repost_of"],
        hubs=list(obj["hubs"]),
    )
    return TruthRecord(obj["site"], obj["source_id"], obj["first_day"], obj["last_day"], truth)


def _phone(p: PhoneTruth) -> dict:
    return {"e164": p.e164, "format_class": p.format_class, "where": p.where, "rendered": p.rendered}


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, mode, encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode[0], encoding="utf-8")


def intervention_path(truth_path: str | Path) -> Path:
    """Where the intervention of the market whose truth is at ``truth_path`` is written."""
    p = Path(truth_path)
    stem = p.name.removesuffix(".gz").removesuffix(".jsonl")
    return p.with_name(f"{stem}-intervention.json")


def intervention_json(iv: DemoIntervention, start: date | None = None) -> dict:
    """The intervention and every displaced persona's reaction as one JSON object."""
    from zicht import reference

    def day_iso(day: int | None) -> str | None:
        return (start + timedelta(days=day)).isoformat() if start and day is not None else None

    g = reference.gemeente(iv.gemeente_code)
    return {
        "day": iv.day,
        "date": day_iso(iv.day),
        "gemeente_code": iv.gemeente_code,
        "gemeente_name": g.name if g else iv.gemeente_code,
        "kind": iv.kind,
        "neighbours": list(iv.neighbours),
        "personas": [
            {
                "persona_id": r.persona_id,
                "role": r.role,
                "reaction": r.reaction,
                "moved_to": r.moved_to,
                "back_day": r.back_day,
                "back_date": day_iso(r.back_day),
                "ads": list(r.ads),
            }
            for r in sorted(iv.reactions.values(), key=lambda r: r.persona_id)
        ],
    }


def write_intervention(iv: DemoIntervention, path: str | Path, start: date | None = None) -> Path:
    path = Path(path)
    path.write_text(
        json.dumps(intervention_json(iv, start), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return path


def read_intervention(truth_path: str | Path) -> DemoIntervention | None:
    """The intervention written beside a truth file, None when its market had none."""
    side = intervention_path(truth_path)
    if not side.is_file():
        return None
    obj = json.loads(side.read_text(encoding="utf-8"))
    reactions = {
        p["persona_id"]: PersonaReaction(
            p["persona_id"], p["role"], p["reaction"], p["moved_to"], p["back_day"], list(p["ads"])
        )
        for p in obj["personas"]
    }
    return DemoIntervention(
        obj["day"], obj["gemeente_code"], obj["kind"], tuple(obj["neighbours"]), reactions
    )
