"""What linking keeps of one ad: its identity claims, contact points, photo hashes and text skeleton.

An ``AdProfile`` is built once per ad (again only when the ad gets a new version) from what earlier
stages stored, and saved as JSON beside the ad's keys. Verification then compares two profiles without
reading the ads again. Contacts and photos are the union over all versions of the ad (a number removed
from a later version still tells who advertised); the text is that of the current version; places are
kept per version, with the days they were online, for movement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np

from zicht.linking import keys as k
from zicht.linking.text import (
    MARK_NAME,
    MARK_PLACE,
    MARK_RATE,
    MARK_SERVICE,
    decode_signature,
    encode_signature,
    fold_name,
    minhash_many,
    shingle_hashes,
    skeleton,
)

TZ = ZoneInfo("Europe/Amsterdam")
_EPOCH = date(1970, 1, 1)
# Fewer shingles than this and a text says too little to link ads on.
MIN_TEXT_SHINGLES = 8


def day_number(when: datetime) -> int:
    """Days since 1970-01-01 of the Amsterdam date of ``when``."""
    return day_of_date(when.astimezone(TZ).date())


def day_of_date(when: date) -> int:
    """The day number of a calendar date (an intervention's day)."""
    return (when - _EPOCH).days


def week_of_day(day: int) -> int:
    """Monday-based week number (1970-01-05 was the first Monday)."""
    return (day - 4) // 7


def date_of_day(day: int) -> date:
    return date.fromordinal(_EPOCH.toordinal() + day)


@dataclass(frozen=True)
class ContactInput:
    kind: str
    value: str
    source: str
    span_start: int | None
    span_end: int | None
    version_id: int


@dataclass(frozen=True)
class LinkInput:
    """What the store gives the linking stage for one ad."""

    ad_id: int
    first_seen: datetime
    last_seen: datetime
    text_version_id: int
    text: str
    fields: dict
    services: list[str]
    rates: list[str]
    age: int | None
    contacts: Sequence[ContactInput] = ()
    photos: Sequence[tuple[int, int]] = ()  # (photo_id, phash) of hashed photos, any version
    stays: Sequence[tuple[datetime, datetime, str]] = ()  # (first_seen, last_seen, gemeente) per version


@dataclass
class AdProfile:
    ad_id: int
    first_day: int
    last_day: int
    name: str | None = None
    age: int | None = None
    contacts: list[str] = field(default_factory=list)
    photos: list[tuple[int, int]] = field(default_factory=list)
    signature: np.ndarray | None = None
    shingles: int = 0
    sentences: list[tuple[int, int, int, str, int]] = field(default_factory=list)  # hash,start,end,snip,n
    text_version_id: int | None = None
    stays: list[tuple[int, int, str]] = field(default_factory=list)  # first day, last day, gemeente

    @property
    def has_text(self) -> bool:
        return self.signature is not None and self.shingles >= MIN_TEXT_SHINGLES

    def to_json(self) -> dict:
        return {
            "first_day": self.first_day,
            "last_day": self.last_day,
            "name": self.name,
            "age": self.age,
            "contacts": self.contacts,
            "photos": [list(p) for p in self.photos],
            "sig": encode_signature(self.signature) if self.signature is not None else None,
            "shingles": self.shingles,
            "sentences": [list(s) for s in self.sentences],
            "text_version_id": self.text_version_id,
            "stays": [list(s) for s in self.stays],
        }

    @classmethod
    def from_json(cls, ad_id: int, d: dict) -> AdProfile:
        sig = d.get("sig")
        return cls(
            ad_id=ad_id,
            first_day=d["first_day"],
            last_day=d["last_day"],
            name=d.get("name"),
            age=d.get("age"),
            contacts=list(d.get("contacts") or []),
            photos=[(int(a), int(b)) for a, b in d.get("photos") or []],
            signature=decode_signature(sig) if sig else None,
            shingles=d.get("shingles") or 0,
            sentences=[tuple(s) for s in d.get("sentences") or []],  # type: ignore[misc]
            text_version_id=d.get("text_version_id"),
            stays=[(int(a), int(b), str(g)) for a, b, g in d.get("stays") or []],
        )


def _age(value: int | None, declared: object) -> int | None:
    if value is not None:
        return int(value)
    if declared is None:
        return None
    digits = "".join(c for c in str(declared) if c.isdigit())[:3]
    age = int(digits) if digits else None
    return age if age is not None and 16 <= age <= 99 else None


def build_profiles(inputs: Sequence[LinkInput]) -> list[AdProfile]:
    """Profiles for a batch of ads (MinHash is computed for the whole batch at once)."""
    skeletons = []
    for item in inputs:
        blank = [
            (c.span_start, c.span_end)
            for c in item.contacts
            if c.source == "text"
            and c.version_id == item.text_version_id
            and c.span_start is not None
            and c.span_end is not None
        ]
        fields = item.fields or {}
        slots = {
            MARK_NAME: [fields["name"]] if fields.get("name") else [],
            MARK_PLACE: [fields["location"]] if fields.get("location") else [],
            MARK_SERVICE: [str(s) for s in item.services or []],
            MARK_RATE: [str(r) for r in item.rates or []],
        }
        skeletons.append(skeleton(item.text or "", blank=blank, slots=slots))
    shingles = [shingle_hashes(s.tokens) for s in skeletons]
    signatures = minhash_many(shingles)
    out = []
    for item, skel, sh, sig in zip(inputs, skeletons, shingles, signatures, strict=True):
        contacts = sorted({k.contact_label(c.kind, c.value) for c in item.contacts})
        photos = sorted({(int(pid), int(ph)) for pid, ph in item.photos if ph is not None})
        stays = sorted({(day_number(a), day_number(b), g) for a, b, g in item.stays if g})
        out.append(
            AdProfile(
                ad_id=item.ad_id,
                first_day=day_number(item.first_seen),
                last_day=day_number(item.last_seen),
                name=fold_name((item.fields or {}).get("name")),
                age=_age(item.age, (item.fields or {}).get("age")),
                contacts=contacts,
                photos=photos,
                signature=sig if len(sh) else None,
                shingles=len(sh),
                sentences=[(s.hash, s.start, s.end, s.snippet, s.tokens) for s in skel.sentences],
                text_version_id=item.text_version_id,
                stays=stays,
            )
        )
    return out


def band_keys(profile: AdProfile) -> list[int]:
    """The text band keys of a profile (none without enough text), computed once per profile object."""
    cached = profile.__dict__.get("_band_keys")
    if cached is None:
        prime_band_keys([profile])
        cached = profile.__dict__["_band_keys"]
    return cached


def prime_band_keys(profiles: Sequence[AdProfile]) -> None:
    """Text band keys of many profiles in one vectorised step (see ``band_keys``)."""
    todo = [p for p in profiles if "_band_keys" not in p.__dict__]
    with_text = [p for p in todo if p.has_text and p.signature is not None]
    for p in todo:
        p.__dict__["_band_keys"] = []
    if with_text:
        keys = k.text_keys_many(np.stack([p.signature for p in with_text]))  # type: ignore[misc]
        for p, ks in zip(with_text, keys, strict=True):
            p.__dict__["_band_keys"] = ks


def profile_keys(profile: AdProfile) -> list[tuple[int, str]]:
    """(key, channel) rows of one ad for the candidate join."""
    rows: list[tuple[int, str]] = []
    for label in profile.contacts:
        rows.append((k.contact_key(label), label.split(":", 1)[0] if ":" in label else k.CHANNEL_HANDLE))
    rows.extend((key, k.CHANNEL_PHOTO) for key in k.ad_photo_keys(ph for _pid, ph in profile.photos))
    rows.extend((key, k.CHANNEL_TEXT) for key in band_keys(profile))
    return [(key, _channel_of(channel)) for key, channel in k.unique(rows)]


def _channel_of(label_prefix: str) -> str:
    if label_prefix in (k.CHANNEL_PHONE, k.CHANNEL_EMAIL, k.CHANNEL_PHOTO, k.CHANNEL_TEXT):
        return label_prefix
    return k.CHANNEL_HANDLE
