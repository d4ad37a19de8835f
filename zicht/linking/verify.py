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

import numpy as np

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


@dataclass(frozen=True, slots=True)
class ChannelLink:
    channel: str
    score: float
    evidence: dict
    hub: bool = False


@dataclass(frozen=True, slots=True)
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


# Signatures as MinHash makes and decodes them (another dtype, even an equal one, goes through numpy).
_UINT32_LE = np.dtype("<u4")


class _Prepared:
    """What verification reads of one profile, derived once per profile object (a profile takes part
    in a dozen pairs or more): the MinHash signature as one integer, the meaningful sentences by hash,
    the photo hashes packed for ``_close_photos``. Like the other per-profile caches here, it assumes a
    profile is not changed once verification has seen it. It allocates as few tracked objects as it
    can: the garbage collector's full passes over the verdicts are a large part of verification."""

    __slots__ = ("n_photos", "photos", "repeated", "sentences", "sig", "sig_lanes", "texty", "tiled")

    def __init__(self, p: AdProfile) -> None:
        self.photos = p.photos
        self.n_photos = len(p.photos)
        self.repeated: dict[int, int] = {}  # by n_b: the hashes, each repeated n_b times (64-bit lanes)
        self.tiled: dict[int, int] = {}  # by n_a: all the hashes, the whole row n_a times
        self.texty = p.has_text and p.signature is not None
        # The signature as one integer, 32 bits per value, for ``_same_values`` (None: use numpy).
        sig = p.signature
        self.sig: int | None = None
        self.sig_lanes = 0
        if (
            self.texty
            and isinstance(sig, np.ndarray)
            and sig.dtype is _UINT32_LE
            and sig.ndim == 1
            and len(sig)
        ):
            self.sig = int.from_bytes(sig.tobytes(), "little")
            self.sig_lanes = len(sig)
        self.sentences: dict[int, tuple[int, int, str]] | None = None  # see ``_sentences``


def _sentences(p: AdProfile) -> dict[int, tuple[int, int, str]]:
    """Meaningful sentences by hash, first occurrence, in text order: (start, end, snippet); made
    when a pair first needs them (a third of the profiles never do)."""
    prepared = _prepared(p)
    sentences = prepared.sentences
    if sentences is None:
        sentences = prepared.sentences = {}
        for h, start, end, snippet, tokens in p.sentences:
            if tokens >= MIN_SENTENCE_TOKENS and h not in sentences:
                sentences[h] = (start, end, snippet)
    return sentences


def _prepared(p: AdProfile) -> _Prepared:
    cached = p.__dict__.get("_verify_prepared")
    if cached is None:
        cached = p.__dict__["_verify_prepared"] = _Prepared(p)
    return cached


# Per number of 32-bit values: (the low 31 bits of every value, the top bit of every value).
_LANE_MASKS: dict[int, tuple[int, int]] = {}


def _same_values(x: int, y: int, lanes: int) -> int:
    """How many of the ``lanes`` 32-bit values packed in ``x`` and ``y`` are equal: a lane of
    ``x ^ y`` is non-zero iff its top bit is set or adding 0x7FFFFFFF to its low 31 bits carries
    into the top bit (no carry leaves the lane), so the top bits count the unequal values."""
    masks = _LANE_MASKS.get(lanes)
    if masks is None:
        masks = _LANE_MASKS[lanes] = (
            int.from_bytes(b"\xff\xff\xff\x7f" * lanes, "little"),
            int.from_bytes(b"\x00\x00\x00\x80" * lanes, "little"),
        )
    low, top = masks
    z = x ^ y
    return lanes - ((((z & low) + low) | z) & top).bit_count()


def _photo_lanes(pa: _Prepared, pb: _Prepared) -> int:
    """Every photo of ``a`` xor every photo of ``b`` as one integer of 64-bit lanes, lane ``i * n_b + j``
    for photo ``i`` of ``a`` and ``j`` of ``b`` (the order of the nested loop over both lists)."""
    na, nb = pa.n_photos, pb.n_photos
    rep = pa.repeated.get(nb)
    if rep is None:
        rep = pa.repeated[nb] = int.from_bytes(
            b"".join((h & _MASK64).to_bytes(8, "little") * nb for _i, h in pa.photos), "little"
        )
    tile = pb.tiled.get(na)
    if tile is None:
        tile = pb.tiled[na] = int.from_bytes(
            b"".join((h & _MASK64).to_bytes(8, "little") for _i, h in pb.photos) * na, "little"
        )
    return rep ^ tile


# Per number of 64-bit lanes: the masks of a lane-wise popcount (SWAR), the bit 7 of every lane, and
# what to add to a lane's count to set bit 7 exactly when it exceeds PHOTO_DISTANCE.
_POPCOUNT_MASKS: dict[int, tuple[int, int, int, int, int, int]] = {}


def _popcount_masks(lanes: int) -> tuple[int, int, int, int, int, int]:
    masks = _POPCOUNT_MASKS.get(lanes)
    if masks is None:

        def each(byte: int) -> int:
            return int.from_bytes(bytes([byte]) * (8 * lanes), "little")

        def low_byte(value: int) -> int:
            return int.from_bytes((bytes([value]) + bytes(7)) * lanes, "little")

        masks = _POPCOUNT_MASKS[lanes] = (
            each(0x55),
            each(0x33),
            each(0x0F),
            low_byte(0x7F),
            low_byte(0x80),
            low_byte(127 - PHOTO_DISTANCE),
        )
    return masks


def _close_photos(pa: _Prepared, pb: _Prepared) -> list[tuple[int, int, int, int, int]]:
    """(distance, photo a, photo b, hash a, hash b) of every photo pair within PHOTO_DISTANCE, in the
    order of the nested loop over both lists.

    All n_a x n_b Hamming distances at once: a SWAR popcount over the 64-bit lanes of one big integer
    (a lane's bytes count their bits, then add up into its low byte; no sum exceeds 64, so nothing
    carries into the next lane), then bit 7 of ``count + 127 - PHOTO_DISTANCE`` marks the far lanes.
    A dozen big-integer operations instead of a Python loop over 10-40 pairs.
    """
    x = _photo_lanes(pa, pb)
    m55, m33, m0f, m7f, m80, add = _popcount_masks(pa.n_photos * pb.n_photos)
    x -= (x >> 1) & m55
    x = (x & m33) + ((x >> 2) & m33)
    x = (x + (x >> 4)) & m0f
    x += x >> 8
    x += x >> 16
    x += x >> 32
    x &= m7f
    near = ((x + add) & m80) ^ m80
    if not near:
        return []
    nb = pb.n_photos
    out = []
    while near:
        low = near & -near
        near ^= low
        lane = low.bit_length() >> 6
        ia, ha = pa.photos[lane // nb]
        ib, hb = pb.photos[lane % nb]
        out.append(((x >> (lane << 6)) & 0x7F, ia, ib, ha, hb))
    return out


def _photo_match(pa: _Prepared, pb: _Prepared, hubs: Collection[int]) -> _PhotoMatch | None:
    """The photo pairs of two ads (nearest first, each photo used once), or None when none is close."""
    if not pa.n_photos or not pb.n_photos:
        return None
    candidates = _close_photos(pa, pb)
    if not candidates:
        return None
    out = _PhotoMatch(n_a=pa.n_photos, n_b=pb.n_photos)
    hub_photo = _hub_photo_test(hubs)
    if len(candidates) == 1:
        d, ia, ib, ha, hb = candidates[0]
        (out.hub_pairs if hub_photo(ha) or hub_photo(hb) else out.pairs).append((ia, ib, d))
        return out
    used_a: set[int] = set()
    used_b: set[int] = set()
    for d, ia, ib, ha, hb in sorted(candidates):
        if ia in used_a or ib in used_b:
            continue
        used_a.add(ia)
        used_b.add(ib)
        if hub_photo(ha) or hub_photo(hb):
            out.hub_pairs.append((ia, ib, d))
        else:
            out.pairs.append((ia, ib, d))
    return out


# Whether a photo hash falls in a hub bucket, per hub set: verification of one run asks it for the
# same few hundred thousand hashes with the same hub set, pair after pair. Keyed by the set object
# (held, so its id is not reused): callers pass a fresh set when the hubs change, never one changed in
# place. ``link`` clears it at the end of a run.
_HUB_PHOTO_MEMO: dict[int, tuple[Collection[int], dict[int, bool], Callable[[int], bool]]] = {}
_HUB_PHOTO_MEMO_MAX = 200_000


def clear_hub_photo_memo() -> None:
    """Forget the memo and the hub set it holds (at the end of a linking run)."""
    _HUB_PHOTO_MEMO.clear()


def _no_hub(_phash: int) -> bool:
    return False


def _hub_photo_test(hubs: Collection[int]) -> Callable[[int], bool]:
    if not hubs:
        return _no_hub
    memo = _HUB_PHOTO_MEMO.get(id(hubs))
    if memo is None or memo[0] is not hubs:
        _HUB_PHOTO_MEMO.clear()
        cache: dict[int, bool] = {}

        def test(phash: int) -> bool:
            found = cache.get(phash)
            if found is None:
                if len(cache) >= _HUB_PHOTO_MEMO_MAX:
                    cache.clear()
                found = cache[phash] = any(key in hubs for key in k.photo_keys(phash))
            return found

        memo = _HUB_PHOTO_MEMO[id(hubs)] = (hubs, cache, test)
    return memo[2]


def _shared_sentences(
    in_a: dict[int, tuple[int, int, str]], in_b: dict[int, tuple[int, int, str]], limit: int = 5
) -> tuple[list[dict], int]:
    """The first ``limit`` meaningful sentences of one ad that the other has too (their spans in
    both, from ``_sentences``), and how many distinct ones the two share."""
    n_shared = len(in_a.keys() & in_b.keys()) if in_a and in_b else 0
    shared: list[dict] = []
    if n_shared:
        for h, (start, end, snippet) in in_a.items():
            found = in_b.get(h)
            if found is not None:
                shared.append({"a": [start, end], "b": [found[0], found[1]], "text": snippet})
                if len(shared) >= limit or len(shared) >= n_shared:
                    break
    return shared, n_shared


def _identity(a: AdProfile, b: AdProfile) -> tuple[str, list[str]]:
    """same | conflict | unknown, with what was compared."""
    notes = []
    name_a, name_b, age_a, age_b = a.name, b.name, a.age, b.age
    names = bool(name_a and name_b)
    ages = age_a is not None and age_b is not None
    name_eq = names and name_a == name_b
    age_eq = ages and abs(age_a - age_b) <= 1  # type: ignore[operator]
    if names:
        notes.append(f"name {'same' if name_eq else 'differs'} ({name_a} / {name_b})")
    if ages:
        notes.append(f"age {'same' if age_eq else 'differs'} ({age_a} / {age_b})")
    if (names and not name_eq) or (ages and not age_eq):
        return "conflict", notes
    if name_eq or (age_eq and not names):
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


def _has_own_contact(labels: list[str], hubs: Collection[int]) -> bool:
    for label in labels:  # noqa: SIM110 - a plain loop: any() over a generator costs more for 1-2 labels
        if k.contact_key(label) not in hubs:
            return True
    return False


def _contact_links(shared_contacts: list[str], hubs: Collection[int], links: list[ChannelLink]) -> bool:
    """One link per channel for the shared contact labels (sorted); whether any of them counts."""
    real_shared = False
    by_channel: dict[str, list[tuple[str, bool]]] = {}
    for label in shared_contacts:
        kind, _, _value = label.partition(":")
        channel = kind if kind in (k.CHANNEL_PHONE, k.CHANNEL_EMAIL) else k.CHANNEL_HANDLE
        hub = k.contact_key(label) in hubs
        by_channel.setdefault(channel, []).append((label, hub))
        if not hub:
            real_shared = True
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
    return real_shared


def _photo_link(photos: _PhotoMatch) -> ChannelLink:
    pairs = photos.pairs
    dists = [p[2] for p in pairs]
    score = 0.0
    if pairs:
        coverage = len(pairs) / max(min(photos.n_a, photos.n_b), 1)
        score = round(min(1.0, coverage) * (1.0 - (sum(dists) / len(dists)) / 32.0), 4)
    summary = f"{len(pairs)} of {photos.n_a}/{photos.n_b} photos match"
    if dists:
        summary += f" (pHash distance {', '.join(map(str, sorted(dists)))})"
    if photos.hub_pairs:
        summary += f"; {len(photos.hub_pairs)} widely used photo(s) not counted"
    return ChannelLink(
        k.CHANNEL_PHOTO,
        score,
        {
            "pairs": [list(p) for p in pairs],
            "hub_pairs": [list(p) for p in photos.hub_pairs],
            "of": [photos.n_a, photos.n_b],
            "summary": summary,
        },
        hub=not pairs,
    )


# A pair's text similarity is one of a few dozen values (matching MinHash values / 64), and its
# combined score one of a few thousand score tuples: their rounding and formatting, remembered.
_TEXT_ROUNDED: dict[float, tuple[float, float, str]] = {}
_COMBINED: dict[tuple[float, ...], float] = {}


def verify_pair(
    a: AdProfile,
    b: AdProfile,
    hubs: Collection[int] = frozenset(),
    *,
    text_keys: Callable[[AdProfile], set[int]] = text_keys_of,
) -> PairVerdict | None:
    """The verdict on two ads (``a.ad_id < b.ad_id``), or None when they share nothing worth keeping.

    Runs for every candidate pair (hundreds of thousands per rebuild): what depends on one profile
    only is derived once per profile (``_Prepared``), and nothing is built for a pair that shares
    nothing that counts.
    """
    pa, pb = _prepared(a), _prepared(b)
    links: list[ChannelLink] = []

    # Contact points: exact values, one link per channel; hub values are shown but do not count.
    real_shared = False
    contacts_b = b.contacts
    for label in a.contacts:
        if label in contacts_b:
            real_shared = _contact_links(sorted(set(a.contacts) & set(contacts_b)), hubs, links)
            break
    conflict = not real_shared and _has_own_contact(a.contacts, hubs) and _has_own_contact(contacts_b, hubs)

    # Photos: near-duplicates by perceptual hash only.
    photos = _photo_match(pa, pb, hubs)
    if photos is not None:
        links.append(_photo_link(photos))

    # Text: skeleton similarity; a text shared only through hub bands is boilerplate.
    text_sim = 0.0
    text_hub = False
    if pa.texty and pb.texty:
        if pa.sig is not None and pb.sig is not None and pa.sig_lanes == pb.sig_lanes:
            text_sim = float(_same_values(pa.sig, pb.sig, pa.sig_lanes)) / pa.sig_lanes
        else:
            text_sim = similarity(a.signature, b.signature)  # type: ignore[arg-type]
        if hubs and text_sim >= min(TEXT_COPY, TEMPLATE_MIN):
            shared_bands = text_keys(a) & text_keys(b)
            text_hub = bool(shared_bands) and all(key in hubs for key in shared_bands)

    # Nothing counted so far and no text link that could count: nothing worth keeping.
    if (
        not real_shared
        and (photos is None or not photos.pairs)
        and (text_hub or (text_sim < TEMPLATE_MIN and text_sim < TEXT_COPY))
    ):
        return None

    identity, notes = _identity(a, b)
    same_text = text_sim >= TEXT_SAME and not text_hub
    copied_text = text_sim >= TEXT_COPY and not text_hub

    if text_sim >= TEMPLATE_MIN or (copied_text and identity == "same"):
        in_a, in_b = _sentences(a), _sentences(b)
        shared, n_shared = _shared_sentences(in_a, in_b)
        channel = k.CHANNEL_TEXT if identity != "conflict" else k.CHANNEL_TEMPLATE
        rounded = _TEXT_ROUNDED.get(text_sim)
        if rounded is None:
            if len(_TEXT_ROUNDED) >= 4096:
                _TEXT_ROUNDED.clear()
            rounded = _TEXT_ROUNDED[text_sim] = (round(text_sim, 3), round(text_sim, 4), f"{text_sim:.2f}")
        evidence = {
            "similarity": rounded[0],
            "sentences": shared,
            "shared": n_shared,
            "of": [len(in_a), len(in_b)],
        }
        what = "text" if channel == k.CHANNEL_TEXT else "template (other name/age)"
        evidence["summary"] = f"same {what}: similarity {rounded[2]}, {n_shared} sentence(s) shared" + (
            " (boilerplate shared by very many ads: not used)" if text_hub else ""
        )
        if channel == k.CHANNEL_TEMPLATE:
            evidence["slots"] = {"name": [a.name, b.name], "age": [a.age, b.age]}
        links.append(ChannelLink(channel, 0.0 if text_hub else rounded[1], evidence, text_hub))

    counted = tuple([link.score for link in links if not link.hub])
    score = _COMBINED.get(counted)
    if score is None:
        if len(_COMBINED) >= 65536:
            _COMBINED.clear()
        score = _COMBINED[counted] = combine(counted)

    strong = photos is not None and photos.strong
    # Without a close pair, "disjoint" is: both ads have photos (none match, none is a hub pair).
    disjoint = pa.n_photos > 0 and pb.n_photos > 0 if photos is None else photos.disjoint
    if real_shared:
        if strong and identity != "conflict":
            verdict, reason = VERDICT_PERSONA, "shared contact point and the same photos"
        elif strong:
            verdict, reason = VERDICT_PERSONA, "shared contact point and the same photos (name/age differ)"
        elif disjoint:
            verdict, reason = VERDICT_NETWORK, "shared contact point, different photos"
        elif identity == "conflict":
            verdict, reason = VERDICT_NETWORK, "shared contact point, another name or age"
        else:
            verdict, reason = VERDICT_PERSONA, "shared contact point, nothing says another person"
    elif conflict:
        if (same_text or copied_text) and identity == "same" and disjoint and not strong:
            # Other photos on both sides: one text filled in for two people who happen to share a
            # name and age (an ad manager's template), not one person's identity offered again.
            verdict, reason = VERDICT_TEMPLATE, "same text filled in for another person (other photos)"
        elif (strong or same_text or copied_text) and identity == "same":
            verdict = VERDICT_COPY
            reason = "same identity (photos/text, name/age) under unrelated contact points"
        elif strong and identity == "unknown":
            verdict, reason = VERDICT_COPY, "same photos under unrelated contact points"
        elif text_sim >= TEMPLATE_MIN and not text_hub and identity != "same":
            verdict, reason = VERDICT_TEMPLATE, "same text filled in for another person"
        else:
            verdict, reason = VERDICT_WEAK, "something shared, not enough to link"
    else:
        if (strong or same_text) and identity == "same":
            verdict, reason = VERDICT_PERSONA, "same photos or text, same name/age, no conflicting contact"
        elif (strong or same_text) and identity == "unknown":
            verdict, reason = VERDICT_PERSONA, "same photos or text, nothing says another person"
        elif text_sim >= TEMPLATE_MIN and not text_hub and identity == "conflict":
            verdict, reason = VERDICT_TEMPLATE, "same text filled in for another person"
        else:
            verdict, reason = VERDICT_WEAK, "something shared, not enough to link"
    if notes:
        reason += "; " + "; ".join(notes)
    return PairVerdict(a.ad_id, b.ad_id, verdict, score, tuple(links), reason)
