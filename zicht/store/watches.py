"""Watches and alerts: a person saves a watch, and Zicht raises an alert when its subject appears again.

A watch names its subject without keeping a raw contact value (see ``zicht.store.models.Watch``):

- ``contact``: the keyed pseudonym of a phone number, e-mail address or messenger handle. A phone
  number is stored as the pseudonyms of both kinds the extractor writes for one (``phone`` and
  ``whatsapp``, space-separated), so a number that comes back only as a WhatsApp link is found too;
- ``photo``: a pHash (signed 64-bit, as text); a photo matches within the linking stage's photo
  distance (``NEAR_DUPLICATE_DISTANCE``);
- ``template``: the text band keys of an ad (the linking stage's ``link_keys``, channel ``text``), as
  16 hex numbers; an ad uses the template when it shares at least two bands with it, the linking
  stage's own rule for a text candidate pair;
- ``gemeente``: the current CBS code and a threshold of active ads per ISO week, counted by
  ``zicht.store.counts.area_counts`` (the numbers of the dashboard and the export).

``check_watches`` runs at the end of ``zicht process``. It is incremental: it reads only ad versions
processed since the watch was last checked (``checked_at``; extraction and linking stamp what they
store), and it only alerts on appearances after the watch was made: an ad version first seen after
``created_at``, in an ad that did not already show the subject before then. Alerts are unique per
watch and subject (``ad:<id>``, ``week:<ISO week>``), so nothing alerts twice. A watch on a number
in thousands of ads raises at most ``MAX_ALERTS_PER_CHECK`` alerts per check and one more alert that
says how many further ads were left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, delete, func, select, true, update
from sqlalchemy.exc import IntegrityError

from zicht import reference
from zicht.analysis.counts import local_day, period_start
from zicht.extract.photos import NEAR_DUPLICATE_DISTANCE, hamming
from zicht.linking.keys import CHANNEL_TEXT, PHONE_KINDS, TEXT_BANDS, contact_channel
from zicht.settings import load_secret, pseudonym
from zicht.store.models import (
    Ad,
    AdContact,
    AdPhoto,
    AdVersion,
    Alert,
    ContactPoint,
    Extraction,
    LinkAd,
    LinkKey,
    Photo,
    Site,
    Watch,
)
from zicht.store.reviews import MAX_USER, clean_user
from zicht.store.store import Store

KINDS = ("contact", "photo", "template", "gemeente")
MAX_ALERTS_PER_CHECK = 50  # per watch and check; the rest is counted in one summary alert
TEMPLATE_MIN_BANDS = 2  # shared text bands: the linking stage's rule for a text candidate pair
PHOTO_DISTANCE = NEAR_DUPLICATE_DISTANCE
MAX_LABEL = 255
MAX_THRESHOLD = 1_000_000
# Gemeente watches re-count the weeks since a little before the last check, so that ads seen late
# in a week (or processed a few days after they were crawled) still count for that week.
GEMEENTE_LOOKBACK = timedelta(days=14)
_CHUNK = 500

# Problem codes of WatchError: the web layer turns them into sentences in the person's language.
PROBLEM_KIND = "kind_unknown"
PROBLEM_VALUE = "value_required"
PROBLEM_CONTACT = "contact_unreadable"
PROBLEM_CONTACT_MANY = "contact_ambiguous"
PROBLEM_PHOTO = "photo_unreadable"
PROBLEM_PHOTO_MISSING = "photo_not_found"
PROBLEM_AD = "ad_not_found"
PROBLEM_TEMPLATE_KEYS = "template_not_keyed"
PROBLEM_GEMEENTE = "gemeente_unknown"
PROBLEM_THRESHOLD = "threshold_required"
PROBLEM_USER = "user_required"
PROBLEM_USER_LONG = "user_too_long"
PROBLEM_LABEL_LONG = "label_too_long"
PROBLEM_DUPLICATE = "duplicate"
PROBLEM_WATCH = "watch_not_found"


class WatchError(ValueError):
    """The watch was not stored (or not found); ``problem`` is a code above, the text says it in English."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class WatchRow:
    id: int
    kind: str
    label: str
    threshold: int | None
    active: bool
    created_by: str
    created_at: datetime
    checked_at: datetime | None
    alerts: int
    unseen: int
    gemeente_code: str | None = None  # gemeente watches: the code (not personal data)

    @property
    def title(self) -> str:
        """The label, or what the watch is about without any contact value in it."""
        return self.label or f"{self.kind} #{self.id}"


@dataclass(frozen=True)
class AlertRow:
    id: int
    watch_id: int
    watch_kind: str
    watch_title: str
    subject: str
    ad_id: int | None
    message: str
    detail: dict
    raised_at: datetime
    seen_at: datetime | None
    seen_by: str | None

    @property
    def place(self) -> str:
        return str(self.detail.get("place") or self.detail.get("gemeente_name") or "")


@dataclass
class CheckReport:
    watches: int = 0
    raised: int = 0
    left_out: dict[int, int] = field(default_factory=dict)  # watch id -> matches not raised one by one
    by_watch: dict[int, int] = field(default_factory=dict)


# ---------------------------------------------------------------- making watches


def _contact_targets(store: Store, value: str, default_region: str) -> tuple[str, str]:
    """(target, channel) for a contact written in any common way: a number, an address, a handle or link."""
    from zicht.extract.contacts import find_contacts
    from zicht.extract.phones import normalise_declared_phone

    text = value.strip()
    phone = normalise_declared_phone(text, default_region) if "@" not in text else None
    if phone:
        found = {("phone", phone)}
    else:
        found = {
            (c.kind if c.kind not in PHONE_KINDS else "phone", c.value)
            for c in find_contacts(text, default_region=default_region)
        }
    if not found:
        raise WatchError(
            PROBLEM_CONTACT,
            f"“{value}” is not a phone number, e-mail address or handle Zicht can read "
            "(write a handle as telegram:name, instagram:name or snapchat:name, or give its link)",
        )
    if len(found) > 1:
        raise WatchError(PROBLEM_CONTACT_MANY, f"“{value}” holds more than one contact point; give one")
    kind, canonical = found.pop()
    secret = load_secret(store.data_dir)
    if kind == "phone":
        return " ".join(pseudonym(secret, k, canonical) for k in sorted(PHONE_KINDS)), "phone"
    return pseudonym(secret, kind, canonical), contact_channel(kind)


def _contact_point_target(store: Store, contact_point_id: int) -> str:
    secret = load_secret(store.data_dir)
    with store.session() as s:
        row = s.execute(
            select(ContactPoint.kind, ContactPoint.value).where(ContactPoint.id == contact_point_id)
        ).first()
    if row is None:
        raise WatchError(PROBLEM_CONTACT, f"there is no contact point {contact_point_id}")
    kind, value = row
    if kind in PHONE_KINDS:
        return " ".join(pseudonym(secret, k, value) for k in sorted(PHONE_KINDS))
    return pseudonym(secret, kind, value)


def parse_phash(value: str) -> int | None:
    """A pHash written as 16 hex digits (``0x`` optional) or as the stored signed integer, else None."""
    text = value.strip().lower()
    digits = text[2:] if text.startswith("0x") else text
    if len(digits) == 16 and all(c in "0123456789abcdef" for c in digits):
        number = int(digits, 16)
    elif text.lstrip("-").isdigit() and len(text.lstrip("-")) >= 10:
        number = int(text)
        if not -(1 << 63) <= number < (1 << 64):
            return None
    else:
        return None
    return number - (1 << 64) if number >= 1 << 63 else number


def _photo_target(store: Store, value: str) -> tuple[int, str]:
    """(signed pHash, default label) for a photo id or a pHash."""
    text = value.strip()
    if text.isdigit() and len(text) <= 9:
        with store.session() as s:
            phash = s.scalar(select(Photo.phash).where(Photo.id == int(text)))
        if phash is None:
            raise WatchError(PROBLEM_PHOTO_MISSING, f"there is no hashed photo with id {text}")
        return int(phash), f"photo {text}"
    phash = parse_phash(text)
    if phash is None:
        raise WatchError(
            PROBLEM_PHOTO, f"“{value}” is neither a photo id nor a pHash (16 hex digits or a signed integer)"
        )
    return phash, f"pHash {phash & ((1 << 64) - 1):016x}"


def _template_target(store: Store, value: str) -> tuple[str, str]:
    """(16 band keys as hex, default label) of an ad's current text."""
    text = value.strip()
    if not text.isdigit() or len(text) > 10:
        raise WatchError(PROBLEM_AD, f"“{value}” is not an ad id (the number in /advertenties/<id>)")
    ad_id = int(text)
    with store.session() as s:
        ad = s.execute(
            select(Site.name, Ad.source_id).join(Site, Site.id == Ad.site_id).where(Ad.id == ad_id)
        ).first()
        if ad is None:
            raise WatchError(PROBLEM_AD, f"there is no ad {ad_id}")
        keys = sorted(
            s.scalars(select(LinkKey.key).where(LinkKey.ad_id == ad_id, LinkKey.channel == CHANNEL_TEXT))
        )
    if len(keys) < TEMPLATE_MIN_BANDS:
        raise WatchError(
            PROBLEM_TEMPLATE_KEYS,
            f"ad {ad_id} has no text keys yet: run `zicht process` (its linking stage) first, "
            "or the ad has too little text to recognise a template",
        )
    return " ".join(
        f"{k & ((1 << 64) - 1):016x}" for k in keys[:TEXT_BANDS]
    ), f"template of ad {ad[0]} {ad[1]}"


def _gemeente_target(value: str) -> reference.Gemeente:
    g = reference.gemeente(value)
    if g is None:
        from zicht.extract.places import place_key

        wanted = place_key(value)
        matches = [x for x in reference.gemeenten().values() if place_key(x.name) == wanted]
        if not matches:
            from zicht.extract.places import resolve_place

            found = resolve_place(value)
            matches = [reference.gemeenten()[found.gemeente_code]] if found else []
        g = matches[0] if len(matches) == 1 else None
    if g is None:
        raise WatchError(PROBLEM_GEMEENTE, f"“{value}” is not a gemeente name or CBS code Zicht knows")
    return g


def create_watch(
    store: Store,
    kind: str,
    value: str,
    *,
    user: str,
    label: str = "",
    threshold: int | None = None,
    contact_point_id: int | None = None,
    default_region: str = "NL",
    at: datetime | None = None,
) -> WatchRow:
    """Store a watch; raises ``WatchError`` (nothing stored) when a value cannot be used.

    ``value``: a phone number in any written form, an e-mail address or a handle (``contact``; or give
    ``contact_point_id``), a photo id or pHash (``photo``), an ad id (``template``: that ad's template),
    a gemeente name or CBS code (``gemeente``, with ``threshold`` active ads per ISO week).
    """
    if at is not None and at.tzinfo is None:
        raise ValueError("naive datetime given to create_watch; use a timezone-aware datetime")
    if kind not in KINDS:
        raise WatchError(PROBLEM_KIND, f"unknown watch kind “{kind}”; use one of {', '.join(KINDS)}")
    name = clean_user(user)
    if not name:
        raise WatchError(PROBLEM_USER, "give your name: it is stored with the watch")
    if len(name) > MAX_USER:
        raise WatchError(PROBLEM_USER_LONG, f"the name is longer than {MAX_USER} characters")
    label = " ".join((label or "").split())
    if len(label) > MAX_LABEL:
        raise WatchError(PROBLEM_LABEL_LONG, f"the label is longer than {MAX_LABEL} characters")
    value = (value or "").strip()
    if not value and not (kind == "contact" and contact_point_id is not None):
        raise WatchError(PROBLEM_VALUE, f"give what to watch for this {kind} watch")
    default_label = ""
    if kind == "contact":
        target = (
            _contact_point_target(store, contact_point_id)
            if contact_point_id is not None
            else _contact_targets(store, value, default_region)[0]
        )
    elif kind == "photo":
        phash, default_label = _photo_target(store, value)
        target = str(phash)
    elif kind == "template":
        target, default_label = _template_target(store, value)
    else:
        if threshold is None or not 1 <= threshold <= MAX_THRESHOLD:
            raise WatchError(
                PROBLEM_THRESHOLD,
                "a gemeente watch needs a threshold: the number of active ads per week (1 or more)",
            )
        g = _gemeente_target(value)
        target, default_label = g.code, f"{g.name} ≥ {threshold}/week"
    if kind != "gemeente":
        threshold = None
    try:
        with store.session() as s:
            same_threshold = Watch.threshold.is_(None) if threshold is None else Watch.threshold == threshold
            existing = s.scalar(
                select(Watch.id).where(
                    Watch.kind == kind, Watch.target == target, same_threshold, Watch.active.is_(True)
                )
            )
            if existing is not None:
                raise WatchError(PROBLEM_DUPLICATE, f"this is already watched (watch {existing})")
            row = Watch(
                kind=kind,
                target=target,
                label=label or default_label,
                threshold=threshold,
                active=True,
                created_by=name,
                created_at=at or datetime.now(UTC),
            )
            s.add(row)
            s.flush()
            watch_id = row.id
    except IntegrityError:
        # Saved by another writer meanwhile: the unique index of migration 0007 refuses a second
        # active watch on the same subject (and threshold), with the message a found one gives.
        with store.session() as s:
            existing = s.scalar(
                select(Watch.id).where(
                    Watch.kind == kind, Watch.target == target, same_threshold, Watch.active.is_(True)
                )
            )
        raise WatchError(PROBLEM_DUPLICATE, f"this is already watched (watch {existing})") from None
    return get_watch(store, watch_id)


# ---------------------------------------------------------------- listing and removing


def _watch_rows(store: Store, where: Iterable = ()) -> list[WatchRow]:
    with store.session() as s:
        counts = {
            wid: (n, unseen)
            for wid, n, unseen in s.execute(
                select(
                    Alert.watch_id,
                    func.count(Alert.id),
                    func.count(Alert.id).filter(Alert.seen_at.is_(None)),
                ).group_by(Alert.watch_id)
            )
        }
        rows = s.scalars(select(Watch).where(*where).order_by(Watch.active.desc(), Watch.id)).all()
        return [
            WatchRow(
                w.id,
                w.kind,
                w.label,
                w.threshold,
                w.active,
                w.created_by,
                w.created_at,
                w.checked_at,
                counts.get(w.id, (0, 0))[0],
                counts.get(w.id, (0, 0))[1],
                w.target if w.kind == "gemeente" else None,
            )
            for w in rows
        ]


def list_watches(store: Store, *, include_inactive: bool = False) -> list[WatchRow]:
    """Active watches first (oldest first), with how many alerts each raised and how many are unseen."""
    return _watch_rows(store, () if include_inactive else (Watch.active.is_(True),))


def get_watch(store: Store, watch_id: int) -> WatchRow:
    rows = _watch_rows(store, (Watch.id == watch_id,))
    if not rows:
        raise WatchError(PROBLEM_WATCH, f"there is no watch {watch_id}")
    return rows[0]


def deactivate_watch(store: Store, watch_id: int) -> WatchRow:
    """Stop checking a watch; its alerts are kept."""
    with store.session() as s:
        if s.execute(update(Watch).where(Watch.id == watch_id).values(active=False)).rowcount == 0:
            raise WatchError(PROBLEM_WATCH, f"there is no watch {watch_id}")
    return get_watch(store, watch_id)


def delete_watch(store: Store, watch_id: int) -> None:
    """Delete a watch and its alerts."""
    with store.session() as s:
        s.execute(delete(Alert).where(Alert.watch_id == watch_id))
        if s.execute(delete(Watch).where(Watch.id == watch_id)).rowcount == 0:
            raise WatchError(PROBLEM_WATCH, f"there is no watch {watch_id}")


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class _Appearance:
    ad_id: int
    first_seen: datetime
    detail: dict


def _processed_since(column, checked_at: datetime | None):  # type: ignore[no-untyped-def]
    return column > checked_at if checked_at is not None else true()


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _contact_appearances(s, w: Watch) -> list[_Appearance]:  # type: ignore[no-untyped-def]
    hmacs = w.target.split()
    shows = and_(ContactPoint.hmac.in_(hmacs))
    rows = s.execute(
        select(AdVersion.ad_id, func.min(AdVersion.first_seen))
        .join(AdContact, AdContact.ad_version_id == AdVersion.id)
        .join(ContactPoint, ContactPoint.id == AdContact.contact_point_id)
        .join(Extraction, Extraction.ad_version_id == AdVersion.id)
        .where(
            shows, AdVersion.first_seen > w.created_at, _processed_since(Extraction.created_at, w.checked_at)
        )
        .group_by(AdVersion.ad_id)
    ).all()
    before: set[int] = set()
    ids = [r[0] for r in rows]
    for chunk in _chunks(ids):
        before.update(
            s.scalars(
                select(AdVersion.ad_id)
                .join(AdContact, AdContact.ad_version_id == AdVersion.id)
                .join(ContactPoint, ContactPoint.id == AdContact.contact_point_id)
                .where(shows, AdVersion.ad_id.in_(chunk), AdVersion.first_seen <= w.created_at)
            )
        )
    return [_Appearance(ad_id, first, {}) for ad_id, first in rows if ad_id not in before]


def _photo_appearances(s, w: Watch) -> list[_Appearance]:  # type: ignore[no-untyped-def]
    target = int(w.target)
    best: dict[int, tuple[datetime, int]] = {}
    for ad_id, first_seen, phash in s.execute(
        select(AdVersion.ad_id, AdVersion.first_seen, Photo.phash)
        .join(AdPhoto, AdPhoto.ad_version_id == AdVersion.id)
        .join(Photo, Photo.id == AdPhoto.photo_id)
        .join(Extraction, Extraction.ad_version_id == AdVersion.id)
        .where(
            Photo.phash.is_not(None),
            AdVersion.first_seen > w.created_at,
            _processed_since(Extraction.created_at, w.checked_at),
        )
    ):
        distance = hamming(target, int(phash))
        if distance <= PHOTO_DISTANCE:
            old = best.get(ad_id)
            best[ad_id] = (min(first_seen, old[0]), min(distance, old[1])) if old else (first_seen, distance)
    before: set[int] = set()
    for chunk in _chunks(list(best)):
        for ad_id, phash in s.execute(
            select(AdVersion.ad_id, Photo.phash)
            .join(AdPhoto, AdPhoto.ad_version_id == AdVersion.id)
            .join(Photo, Photo.id == AdPhoto.photo_id)
            .where(AdVersion.ad_id.in_(chunk), AdVersion.first_seen <= w.created_at, Photo.phash.is_not(None))
        ):
            if hamming(target, int(phash)) <= PHOTO_DISTANCE:
                before.add(ad_id)
    return [
        _Appearance(ad_id, first, {"distance": distance})
        for ad_id, (first, distance) in best.items()
        if ad_id not in before
    ]


def template_keys(target: str) -> list[int]:
    """The signed band keys stored in a template watch's target."""
    out = []
    for part in target.split():
        value = int(part, 16)
        out.append(value - (1 << 64) if value >= 1 << 63 else value)
    return out


def _template_appearances(s, w: Watch) -> list[_Appearance]:  # type: ignore[no-untyped-def]
    keys = template_keys(w.target)
    rows = s.execute(
        select(LinkKey.ad_id, func.count(LinkKey.key), AdVersion.first_seen)
        .join(LinkAd, LinkAd.ad_id == LinkKey.ad_id)
        .join(Ad, Ad.id == LinkKey.ad_id)
        .join(AdVersion, AdVersion.id == Ad.current_version_id)
        .where(
            LinkKey.channel == CHANNEL_TEXT,
            LinkKey.key.in_(keys),
            AdVersion.first_seen > w.created_at,
            _processed_since(LinkAd.keyed_at, w.checked_at),
        )
        .group_by(LinkKey.ad_id, AdVersion.first_seen)
        .having(func.count(LinkKey.key) >= TEMPLATE_MIN_BANDS)
    ).all()
    return [_Appearance(ad_id, first, {"bands": int(n), "of": len(keys)}) for ad_id, n, first in rows]


def _ad_details(s, ad_ids: Sequence[int]) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    """Site, number on the site and place of each ad's current version: what an alert shows."""
    out: dict[int, dict] = {}
    for chunk in _chunks(list(ad_ids)):
        for ad_id, site, source_id, place, gm in s.execute(
            select(Ad.id, Site.name, Ad.source_id, Extraction.place, Extraction.gemeente_code)
            .join(Site, Site.id == Ad.site_id)
            .outerjoin(Extraction, Extraction.ad_version_id == Ad.current_version_id)
            .where(Ad.id.in_(chunk))
        ):
            g = reference.gemeente(gm) if gm else None
            out[ad_id] = {
                "site": site,
                "source_id": source_id,
                "place": place or (g.name if g else ""),
                "gemeente": g.code if g else None,
            }
    return out


def _ad_message(kind: str, d: dict) -> str:
    ad = f"{d['site']} {d['source_id']}"
    if kind == "contact":
        return f"The watched contact point appears in ad {ad}."
    if kind == "photo":
        return f"A photo in ad {ad} matches the watched photo ({d['distance']} of 64 bits differ)."
    return f"Ad {ad} uses the watched template ({d['bands']} of {d['of']} text bands in common)."


def _alerted_subjects(s, watch_id: int, subjects: Sequence[str]) -> set[str]:  # type: ignore[no-untyped-def]
    found: set[str] = set()
    for chunk in _chunks(list(subjects)):
        found.update(
            s.scalars(select(Alert.subject).where(Alert.watch_id == watch_id, Alert.subject.in_(chunk)))
        )
    return found


def _raise_ad_alerts(
    s, w: Watch, found: list[_Appearance], now: datetime, cap: int, report: CheckReport
) -> None:  # type: ignore[no-untyped-def]
    subjects = {f"ad:{a.ad_id}": a for a in found}
    done = _alerted_subjects(s, w.id, list(subjects))
    new = sorted((a for sub, a in subjects.items() if sub not in done), key=lambda a: (a.first_seen, a.ad_id))
    raised, left = new[:cap], len(new) - cap
    details = _ad_details(s, [a.ad_id for a in raised])
    for a in raised:
        d = {"kind": w.kind, **details.get(a.ad_id, {"site": "?", "source_id": str(a.ad_id)}), **a.detail}
        d["first_seen"] = a.first_seen.isoformat()
        s.add(
            Alert(
                watch_id=w.id,
                subject=f"ad:{a.ad_id}",
                ad_id=a.ad_id,
                message=_ad_message(w.kind, d),
                detail=d,
                raised_at=now,
            )
        )
    report.raised += len(raised)
    report.by_watch[w.id] = report.by_watch.get(w.id, 0) + len(raised)
    if left > 0:
        report.left_out[w.id] = left
        s.add(
            Alert(
                watch_id=w.id,
                subject=f"more:{now.strftime('%Y%m%dT%H%M%S.%fZ')}",
                ad_id=None,
                message=(
                    f"{left} more ads matched this watch in this check; they are not listed one by one "
                    f"(at most {cap} per check)."
                ),
                detail={"kind": "more", "more": left, "cap": cap},
                raised_at=now,
            )
        )
        report.raised += 1


def _check_gemeenten(
    store: Store, watches: list[Watch], now: datetime, cap: int, report: CheckReport
) -> None:
    """One count over the weeks any gemeente watch needs, then one alert per watch and week over threshold."""
    from zicht.store.counts import area_counts, data_range

    found = data_range(store)
    if not watches or found is None:
        return
    # The weeks whose counts can have changed since a watch was last checked: those of the ad versions
    # processed since then (an import of older ads included), and the last few weeks (ads seen again).
    checked = [w.checked_at for w in watches if w.checked_at is not None]
    earliest_new: datetime | None = None
    if checked:
        with store.session() as s:
            earliest_new = s.scalar(
                select(func.min(AdVersion.first_seen))
                .join(Extraction, Extraction.ad_version_id == AdVersion.id)
                .where(Extraction.created_at > min(checked))
            )

    def start(w: Watch) -> date:
        moment = w.created_at
        if w.checked_at is not None:
            since = w.checked_at - GEMEENTE_LOOKBACK
            moment = max(w.created_at, min(since, earliest_new) if earliest_new is not None else since)
        return period_start(local_day(moment), "week")

    starts = {w.id: start(w) for w in watches}
    first: date = min(starts.values())
    last = found[1]
    if last < first:
        return
    table = area_counts(store, "gemeente", "week", first, last)
    rows = defaultdict(list)
    for row in table.rows:
        rows[row.area_code].append(row)
    with store.session() as s:
        for w in watches:
            over = [
                r
                for r in rows.get(w.target, [])
                if r.period_start >= starts[w.id] and w.threshold is not None and r.active_ads >= w.threshold
            ]
            subjects = {f"week:{r.period}": r for r in over}
            done = _alerted_subjects(s, w.id, list(subjects))
            new = [r for sub, r in subjects.items() if sub not in done][:cap]
            for r in new:
                s.add(
                    Alert(
                        watch_id=w.id,
                        subject=f"week:{r.period}",
                        ad_id=None,
                        message=(
                            f"{r.area_name}: {r.active_ads} active ads in week {r.period} (threshold "
                            f"{w.threshold}; {r.active_ads_change:+d} on the week before)."
                        ),
                        detail={
                            "kind": "gemeente",
                            "gemeente": r.area_code,
                            "gemeente_name": r.area_name,
                            "period": r.period,
                            "period_start": r.period_start.isoformat(),
                            "active_ads": r.active_ads,
                            "change": r.active_ads_change,
                            "threshold": w.threshold,
                        },
                        raised_at=now,
                    )
                )
            report.raised += len(new)
            report.by_watch[w.id] = report.by_watch.get(w.id, 0) + len(new)


_FINDERS = {"contact": _contact_appearances, "photo": _photo_appearances, "template": _template_appearances}


def check_watches(store: Store, *, cap: int = MAX_ALERTS_PER_CHECK) -> CheckReport:
    """Raise alerts for every active watch whose subject appeared since it was last checked.

    Each watch's ``checked_at`` becomes the moment this check started, so whatever is processed
    while it runs is read by the next check.
    """
    now = datetime.now(UTC)
    report = CheckReport()
    with store.session() as s:
        watches = s.scalars(select(Watch).where(Watch.active.is_(True)).order_by(Watch.id)).all()
    report.watches = len(watches)
    for w in watches:
        if w.kind in _FINDERS:
            with store.session() as s:
                _raise_ad_alerts(s, w, _FINDERS[w.kind](s, w), now, cap, report)
                s.execute(update(Watch).where(Watch.id == w.id).values(checked_at=now))
    gemeente = [w for w in watches if w.kind == "gemeente"]
    if gemeente:
        _check_gemeenten(store, gemeente, now, cap, report)
        with store.session() as s:
            s.execute(update(Watch).where(Watch.id.in_([w.id for w in gemeente])).values(checked_at=now))
    return report


# ---------------------------------------------------------------- alerts


def list_alerts(store: Store, *, include_seen: bool = False, limit: int = 500) -> list[AlertRow]:
    """Alerts, unseen first and newest first within each group."""
    with store.session() as s:
        query = (
            select(Alert, Watch.kind, Watch.label)
            .join(Watch, Watch.id == Alert.watch_id)
            .order_by(Alert.seen_at.is_not(None), Alert.raised_at.desc(), Alert.id.desc())
            .limit(limit)
        )
        if not include_seen:
            query = query.where(Alert.seen_at.is_(None))
        return [
            AlertRow(
                a.id,
                a.watch_id,
                kind,
                label or f"{kind} #{a.watch_id}",
                a.subject,
                a.ad_id,
                a.message,
                dict(a.detail or {}),
                a.raised_at,
                a.seen_at,
                a.seen_by,
            )
            for a, kind, label in s.execute(query).all()
        ]


def count_unseen(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count(Alert.id)).where(Alert.seen_at.is_(None))) or 0)


def mark_seen(
    store: Store,
    user: str,
    alert_ids: Sequence[int] | None = None,
    *,
    at: datetime | None = None,
    up_to: int | None = None,
) -> int:
    """Mark alerts seen by ``user`` (all unseen ones when ``alert_ids`` is None); returns how many.

    ``up_to``: only alerts with this id or a lower one, so that "mark all as seen" on a page does not
    also mark an alert raised after the page was shown (ids only grow), which nobody has seen.
    """
    name = clean_user(user)
    if not name:
        raise WatchError(PROBLEM_USER, "give your name: it is stored with the alerts you mark seen")
    if len(name) > MAX_USER:
        raise WatchError(PROBLEM_USER_LONG, f"the name is longer than {MAX_USER} characters")
    values = {"seen_at": at or datetime.now(UTC), "seen_by": name}
    with store.session() as s:
        if alert_ids is None:
            query = update(Alert).where(Alert.seen_at.is_(None))
            if up_to is not None:
                query = query.where(Alert.id <= up_to)
            return s.execute(query.values(**values)).rowcount
        total = 0
        for chunk in _chunks(list(alert_ids)):
            total += s.execute(
                update(Alert).where(Alert.id.in_(chunk), Alert.seen_at.is_(None)).values(**values)
            ).rowcount
        return total
