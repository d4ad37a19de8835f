"""Verify a candidate pair: what the two ads really share, how sure that is, and what it means.

A shared key only says "look at these two". Verification compares the two profiles channel by
channel and keeps, per channel, a score in [0, 1] and the evidence a person can check (the shared
number, the photo pairs with their Hamming distance, the shared sentences with their place in each
text). Values shared by very many ads (hubs) are reported but never count.

The pair then gets one verdict, which is what clustering uses:

- ``persona``: the same advertised person (a shared number or address, and the identity agrees:
  matching photos, or the same name and age where photos are missing);
- ``network``: a shared number or address but another person (other photos, another name or age):
  one contact point answering for several people;
- ``copy``: the same photos or text *and* the same name/age, under numbers that have nothing in
  common: one identity offered under unrelated numbers, the pattern of scam profiles with stolen
  photos and copied text (or of a real person whose ad was copied);
- ``template``: the same text with other names, ages, prices or places: one template filled in for
  different people (confirmed as a network link only when several people share it, see clusters);
- ``weak``: something shared (one photo among others, a similar text) that is shown, not used.

Pure: profiles and the set of hub keys in, verdicts out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from zicht.extract.photos import NEAR_DUPLICATE_DISTANCE
from zicht.linking import keys as k
from zicht.linking.profile import AdProfile, band_keys
from zicht.linking.text import MIN_SENTENCE_TOKENS, similarity

# Skeleton similarity (estimated Jaccard of word 4-grams) at or above which a text counts as copied.
# Measured on the demo market: re-posts score 1.0, copied texts 0.5-0.8 with the copier's own
# additions, unrelated ads below 0.15 (p95); see docs/linking.md.
TEXT_SAME = 0.8
TEXT_COPY = 0.5
TEMPLATE_MIN = 0.5
PHOTO_DISTANCE = NEAR_DUPLICATE_DISTANCE
_MASK64 = (1 << 64) - 1
CONTACT_SCORES = {k.CHANNEL_PHONE: 0.95, k.CHANNEL_EMAIL: 0.95, k.CHANNEL_HANDLE: 0.85}

VERDICT_PERSONA = "persona"
VERDICT_NETWORK = "network"
VERDICT_COPY = "copy"
VERDICT_TEMPLATE = "template"
VERDICT_WEAK = "weak"
VERDICTS = (VERDICT_PERSONA, VERDICT_NETWORK, VERDICT_COPY, VERDICT_TEMPLATE, VERDICT_WEAK)


@dataclass(frozen=True)
class ChannelLink:
    channel: str
    score: float
    evidence: dict
    hub: bool = False


@dataclass(frozen=True)
class PairVerdict:
    a: int
    b: int
    verdict: str
    score: float
    links: tuple[ChannelLink, ...]
    reason: str


@dataclass
class _PhotoMatch:
    pairs: list[tuple[int, int, int]] = field(default_factory=list)  # photo a, photo b, distance
    hub_pairs: list[tuple[int, int, int]] = field(default_factory=list)
    n_a: int = 0
    n_b: int = 0

    @property
    def matched(self) -> int:
        return len(self.pairs)

    @property
    def strong(self) -> bool:
        """Most of the smaller photo set is the same (a re-upload of the set, not one shared picture)."""
        if not self.pairs:
            return False
        smaller = max(min(self.n_a, self.n_b), 1)
        return self.matched >= 2 or self.matched / smaller >= 0.5

    @property
    def disjoint(self) -> bool:
        """Both ads have their own hashed photos and none of them match."""
        return self.n_a > 0 and self.n_b > 0 and not self.pairs and not self.hub_pairs


def _photo_match(a: AdProfile, b: AdProfile, hubs: Collection[int]) -> _PhotoMatch:
    out = _PhotoMatch(n_a=len(a.photos), n_b=len(b.photos))
    if not a.photos or not b.photos:
        return out
    # Inlined Hamming distance (``hamming``): this loop runs for every photo pair of every candidate.
    mask, limit = _MASK64, PHOTO_DISTANCE
    candidates = [
        (d, pa, pb, ha, hb)
        for pa, ha in a.photos
        for pb, hb in b.photos
        if (d := ((ha ^ hb) & mask).bit_count()) <= limit
    ]
    if not candidates:
        return out
    used_a: set[int] = set()
    used_b: set[int] = set()
    hub_photo = _hub_photo_test(hubs)
    for d, pa, pb, ha, hb in sorted(candidates):
        if pa in used_a or pb in used_b:
            continue
        used_a.add(pa)
        used_b.add(pb)
        if hub_photo(ha) or hub_photo(hb):
            out.hub_pairs.append((pa, pb, d))
        else:
            out.pairs.append((pa, pb, d))
    return out


# Whether a photo hash falls in a hub bucket, per hub set: verification of one run asks it for the
# same few hundred thousand hashes with the same hub set, pair after pair. Keyed by the set object
# (held, so its id is not reused): callers pass a fresh set when the hubs change, never one changed in
# place. ``link`` clears it at the end of a run.
_HUB_PHOTO_MEMO: dict[int, tuple[Collection[int], dict[int, bool]]] = {}
_HUB_PHOTO_MEMO_MAX = 200_000


def clear_hub_photo_memo() -> None:
    """Forget the memo and the hub set it holds (at the end of a linking run)."""
    _HUB_PHOTO_MEMO.clear()


def _hub_photo_test(hubs: Collection[int]):  # type: ignore[no-untyped-def]
    if not hubs:
        return lambda _phash: False
    memo = _HUB_PHOTO_MEMO.get(id(hubs))
    if memo is None or memo[0] is not hubs:
        _HUB_PHOTO_MEMO.clear()
        memo = _HUB_PHOTO_MEMO[id(hubs)] = (hubs, {})
    cache = memo[1]

    def test(phash: int) -> bool:
        found = cache.get(phash)
        if found is None:
            if len(cache) >= _HUB_PHOTO_MEMO_MAX:
                cache.clear()
            found = cache[phash] = any(key in hubs for key in k.photo_keys(phash))
        return found

    return test


def _sentence_index(p: AdProfile) -> tuple[dict[int, tuple[int, int]], int]:
    """Meaningful sentences of a profile by hash (first occurrence) and their number, once per profile."""
    cached = p.__dict__.get("_sentence_index")
    if cached is None:
        by_hash: dict[int, tuple[int, int]] = {}
        for h, start, end, _snippet, tokens in p.sentences:
            if tokens >= MIN_SENTENCE_TOKENS:
                by_hash.setdefault(h, (start, end))
        cached = p.__dict__["_sentence_index"] = (by_hash, len(by_hash))
    return cached


def _shared_sentences(a: AdProfile, b: AdProfile, limit: int = 5) -> tuple[list[dict], int]:
    by_hash = _sentence_index(b)[0]
    shared, seen = [], set()
    for h, start, end, snippet, tokens in a.sentences:
        if tokens < MIN_SENTENCE_TOKENS or h in seen or h not in by_hash:
            continue
        seen.add(h)
        if len(shared) < limit:
            shared.append({"a": [start, end], "b": list(by_hash[h]), "text": snippet})
    return shared, len(seen)


def _meaningful(p: AdProfile) -> int:
    return _sentence_index(p)[1]


def _identity(a: AdProfile, b: AdProfile) -> tuple[str, list[str]]:
    """same | conflict | unknown, with what was compared."""
    notes = []
    name_eq = bool(a.name and b.name and a.name == b.name)
    name_conflict = bool(a.name and b.name and a.name != b.name)
    age_eq = a.age is not None and b.age is not None and abs(a.age - b.age) <= 1
    age_conflict = a.age is not None and b.age is not None and abs(a.age - b.age) > 1
    if a.name and b.name:
        notes.append(f"name {'same' if name_eq else 'differs'} ({a.name} / {b.name})")
    if a.age is not None and b.age is not None:
        notes.append(f"age {'same' if age_eq else 'differs'} ({a.age} / {b.age})")
    if name_conflict or age_conflict:
        return "conflict", notes
    if name_eq or (age_eq and not (a.name and b.name)):
        return "same", notes
    return "unknown", notes


def combine(scores: Iterable[float]) -> float:
    """Independent pieces of evidence: 1 - prod(1 - s), kept below 1."""
    rest = 1.0
    for s in scores:
        rest *= 1.0 - max(0.0, min(s, 1.0))
    return round(min(1.0 - rest, 0.999), 4)


def text_keys_of(profile: AdProfile) -> set[int]:
    """The text band keys of a profile, computed once per profile object."""
    cached = profile.__dict__.get("_text_keys")
    if cached is None:
        cached = profile.__dict__["_text_keys"] = set(band_keys(profile))
    return cached


def verify_pair(
    a: AdProfile,
    b: AdProfile,
    hubs: Collection[int] = frozenset(),
    *,
    text_keys: Callable[[AdProfile], set[int]] = text_keys_of,
) -> PairVerdict | None:
    """The verdict on two ads (``a.ad_id < b.ad_id``), or None when they share nothing worth keeping."""
    links: list[ChannelLink] = []

    # Contact points: exact values, one link per channel; hub values are shown but do not count.
    shared_contacts = sorted(set(a.contacts) & set(b.contacts))
    real_shared = []
    by_channel: dict[str, list[tuple[str, bool]]] = {}
    for label in shared_contacts:
        kind, _, _value = label.partition(":")
        channel = kind if kind in (k.CHANNEL_PHONE, k.CHANNEL_EMAIL) else k.CHANNEL_HANDLE
        hub = k.contact_key(label) in hubs
        by_channel.setdefault(channel, []).append((label, hub))
        if not hub:
            real_shared.append(label)
    for channel, labels in by_channel.items():
        counted = [label for label, hub in labels if not hub]
        hubbed = [label for label, hub in labels if hub]
        summary = "same " + ", ".join(counted or hubbed)
        if hubbed:
            summary += (
                f" ({', '.join(hubbed)} shared by very many ads: not used)"
                if counted
                else " (shared by very many ads: not used)"
            )
        evidence = {
            "values": [label.split(":", 1)[1] for label in counted],
            "kinds": [label.split(":", 1)[0] for label in counted],
            "hub_values": [label.split(":", 1)[1] for label in hubbed],
            "summary": summary,
        }
        links.append(ChannelLink(channel, CONTACT_SCORES[channel] if counted else 0.0, evidence, not counted))
    own_a = [c for c in a.contacts if k.contact_key(c) not in hubs]
    own_b = [c for c in b.contacts if k.contact_key(c) not in hubs]
    conflict = bool(own_a and own_b and not real_shared)

    # Photos: near-duplicates by perceptual hash only.
    photos = _photo_match(a, b, hubs)
    if photos.pairs or photos.hub_pairs:
        dists = [d for *_, d in photos.pairs]
        score = 0.0
        if photos.pairs:
            coverage = photos.matched / max(min(photos.n_a, photos.n_b), 1)
            score = round(min(1.0, coverage) * (1.0 - (sum(dists) / len(dists)) / 32.0), 4)
        summary = f"{photos.matched} of {photos.n_a}/{photos.n_b} photos match"
        if dists:
            summary += f" (pHash distance {', '.join(map(str, sorted(dists)))})"
        if photos.hub_pairs:
            summary += f"; {len(photos.hub_pairs)} widely used photo(s) not counted"
        links.append(
            ChannelLink(
                k.CHANNEL_PHOTO,
                score,
                {
                    "pairs": [list(p) for p in photos.pairs],
                    "hub_pairs": [list(p) for p in photos.hub_pairs],
                    "of": [photos.n_a, photos.n_b],
                    "summary": summary,
                },
                hub=not photos.pairs,
            )
        )

    # Text: skeleton similarity; a text shared only through hub bands is boilerplate.
    text_sim = 0.0
    text_hub = False
    if a.has_text and b.has_text and a.signature is not None and b.signature is not None:
        text_sim = similarity(a.signature, b.signature)
        if hubs and text_sim >= min(TEXT_COPY, TEMPLATE_MIN):
            shared_bands = text_keys(a) & text_keys(b)
            text_hub = bool(shared_bands) and all(key in hubs for key in shared_bands)

    identity, notes = _identity(a, b)
    same_text = text_sim >= TEXT_SAME and not text_hub
    copied_text = text_sim >= TEXT_COPY and not text_hub

    if text_sim >= TEMPLATE_MIN or (copied_text and identity == "same"):
        shared, n_shared = _shared_sentences(a, b)
        channel = k.CHANNEL_TEXT if identity != "conflict" else k.CHANNEL_TEMPLATE
        evidence = {
            "similarity": round(text_sim, 3),
            "sentences": shared,
            "shared": n_shared,
            "of": [_meaningful(a), _meaningful(b)],
        }
        what = "text" if channel == k.CHANNEL_TEXT else "template (other name/age)"
        evidence["summary"] = f"same {what}: similarity {text_sim:.2f}, {n_shared} sentence(s) shared" + (
            " (boilerplate shared by very many ads: not used)" if text_hub else ""
        )
        if channel == k.CHANNEL_TEMPLATE:
            evidence["slots"] = {"name": [a.name, b.name], "age": [a.age, b.age]}
        links.append(ChannelLink(channel, 0.0 if text_hub else round(text_sim, 4), evidence, text_hub))

    counted = [link for link in links if not link.hub]
    if not counted:
        return None
    score = combine(link.score for link in counted)

    if real_shared:
        if photos.strong and identity != "conflict":
            verdict, reason = VERDICT_PERSONA, "shared contact point and the same photos"
        elif photos.strong:
            verdict, reason = VERDICT_PERSONA, "shared contact point and the same photos (name/age differ)"
        elif photos.disjoint:
            verdict, reason = VERDICT_NETWORK, "shared contact point, different photos"
        elif identity == "conflict":
            verdict, reason = VERDICT_NETWORK, "shared contact point, another name or age"
        else:
            verdict, reason = VERDICT_PERSONA, "shared contact point, nothing says another person"
    elif conflict:
        if (photos.strong or same_text or copied_text) and identity == "same":
            verdict = VERDICT_COPY
            reason = "same identity (photos/text, name/age) under unrelated contact points"
        elif photos.strong and identity == "unknown":
            verdict, reason = VERDICT_COPY, "same photos under unrelated contact points"
        elif text_sim >= TEMPLATE_MIN and not text_hub and identity != "same":
            verdict, reason = VERDICT_TEMPLATE, "same text filled in for another person"
        else:
            verdict, reason = VERDICT_WEAK, "something shared, not enough to link"
    else:
        if (photos.strong or same_text) and identity == "same":
            verdict, reason = VERDICT_PERSONA, "same photos or text, same name/age, no conflicting contact"
        elif (photos.strong or same_text) and identity == "unknown":
            verdict, reason = VERDICT_PERSONA, "same photos or text, nothing says another person"
        elif text_sim >= TEMPLATE_MIN and not text_hub and identity == "conflict":
            verdict, reason = VERDICT_TEMPLATE, "same text filled in for another person"
        else:
            verdict, reason = VERDICT_WEAK, "something shared, not enough to link"
    if notes:
        reason += "; " + "; ".join(notes)
    return PairVerdict(a.ad_id, b.ad_id, verdict, score, tuple(links), reason)
