"""Band keys: the values two ads must share before they are compared at all.

Comparing every ad with every other is quadratic; comparing only ads that share a key is a relational
self-join on the key (``zicht.store.linking.candidate_pairs``) that a database or a distributed engine
runs in near-linear time. Each channel has its own keys:

- contact: the canonical value of a phone (E.164; a WhatsApp number is the same phone), e-mail or handle;
- photo: the 64-bit pHash split into 4 bands of 16 bits, one key per *pair* of bands (6 keys). Two
  hashes within Hamming distance 2 always share a key (4 bands, 2 differing bits: 2 bands untouched);
  most within 3-4 do. 32 bits per key keep chance collisions negligible even with millions of photos,
  where single 16-bit bands would collide by the dozen in every bucket;
- text: MinHash LSH, ``TEXT_BANDS`` bands of ``TEXT_ROWS`` signature values over the skeleton;
- move (persona level): the week, the gemeente left and the gemeente arrived at.

Keys are signed 64-bit integers (BIGINT on every backend), the same on every machine and in every run
(BLAKE2b for contact values and moves, fixed arithmetic for photo bands and text bands). A chance
collision of two keys only makes one more candidate pair to verify. Pure: nothing here touches the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import combinations

import numpy as np

from zicht.linking.text import NUM_PERM

PHOTO_BANDS = 4
PHOTO_BAND_BITS = 64 // PHOTO_BANDS
TEXT_BANDS = 16
TEXT_ROWS = NUM_PERM // TEXT_BANDS

CHANNEL_PHONE = "phone"
CHANNEL_EMAIL = "email"
CHANNEL_HANDLE = "handle"
CHANNEL_PHOTO = "photo"
CHANNEL_TEXT = "text"
CHANNEL_TEMPLATE = "template"
CHANNEL_MOVE = "move"
CHANNEL_ANALYST = "analyst"
CONTACT_CHANNELS = (CHANNEL_PHONE, CHANNEL_EMAIL, CHANNEL_HANDLE)

# Contact kinds whose value is a phone number (E.164): one number, one key.
PHONE_KINDS = frozenset({"phone", "whatsapp"})

_MASK64 = (1 << 64) - 1


def key64(*parts: object) -> int:
    """A signed 64-bit key for the parts (stable across processes and machines)."""
    raw = "\x1f".join(str(p) for p in parts).encode("utf-8")
    value = int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")
    return value - (1 << 64) if value >= 1 << 63 else value


def contact_channel(kind: str) -> str:
    if kind in PHONE_KINDS:
        return CHANNEL_PHONE
    if kind == "email":
        return CHANNEL_EMAIL
    return CHANNEL_HANDLE


def contact_label(kind: str, value: str) -> str:
    """How a contact point is named in profiles and keys: ``phone:+316...``, ``email:a@b.nl``."""
    channel = contact_channel(kind)
    return f"{channel}:{value}" if channel != CHANNEL_HANDLE else f"{kind}:{value}"


@lru_cache(maxsize=262144)
def contact_key(label: str) -> int:
    return key64("contact", label)


def photo_bands(phash: int) -> list[int]:
    """The 4 bands of 16 bits of a 64-bit hash (signed or unsigned), most significant first."""
    value = phash & _MASK64
    mask = (1 << PHOTO_BAND_BITS) - 1
    return [(value >> (PHOTO_BAND_BITS * (PHOTO_BANDS - 1 - i))) & mask for i in range(PHOTO_BANDS)]


# Photo keys are the band values themselves, tagged: no hashing needed, and no two photo keys collide.
_PHOTO_TAG = 0x5 << 59
_PAIRS = tuple(combinations(range(PHOTO_BANDS), 2))


@lru_cache(maxsize=262144)
def photo_keys(phash: int) -> tuple[int, ...]:
    bands = photo_bands(phash)
    return tuple(_PHOTO_TAG | (n << 32) | (bands[i] << 16) | bands[j] for n, (i, j) in enumerate(_PAIRS))


# An ad keeps the PHOTO_KEYS_PER_AD photo keys that rank lowest under a fixed scramble (a bottom-k
# sketch): ads showing the same photos keep the same keys, while an ad with six photos writes 12 key
# rows instead of 36. A single photo in common among several is a weak link anyway.
PHOTO_KEYS_PER_AD = 12
_SCRAMBLE = 0x9E3779B97F4A7C15


def ad_photo_keys(phashes: Iterable[int], limit: int = PHOTO_KEYS_PER_AD) -> list[int]:
    keys = {key for phash in phashes for key in photo_keys(phash)}
    return sorted(keys, key=lambda key: ((key * _SCRAMBLE) & _MASK64, key))[:limit]


# Text band keys: the band's 4 signature values mixed into 64 bits (fixed odd multipliers, xor-shift).
# A chance collision between keys only costs one more candidate pair to verify.
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64
)
_BAND_SALT = (np.arange(TEXT_BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0xD6E8FEB86659FD93)


def text_keys(signature: np.ndarray) -> list[int]:
    """One key per LSH band of a MinHash signature; an empty text (all max values) has none."""
    sig = np.asarray(signature, dtype=np.uint32)
    if len(sig) != NUM_PERM:
        return []
    return text_keys_many(sig.reshape(1, NUM_PERM))[0]


def text_keys_many(signatures: np.ndarray) -> list[list[int]]:
    """``text_keys`` of many signatures (rows) at once: numpy's per-call cost dominates for one."""
    sigs = np.asarray(signatures, dtype=np.uint32).reshape(-1, NUM_PERM)
    empty = np.all(sigs == 0xFFFFFFFF, axis=1)
    rows = sigs.reshape(len(sigs), TEXT_BANDS, TEXT_ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = np.broadcast_to(_BAND_SALT, (len(sigs), TEXT_BANDS)).copy()
        for r in range(TEXT_ROWS):
            mixed ^= rows[:, :, r] * _MIX[r % len(_MIX)]
            mixed ^= mixed >> np.uint64(29)
            mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    signed = mixed.view(np.int64)
    return [[] if empty[i] else signed[i].tolist() for i in range(len(sigs))]


def move_key(week: int, left: str, arrived: str) -> int:
    return key64("move", week, left, arrived)


def unique(keys: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """(key, channel) pairs without repeats, first channel wins."""
    seen: set[int] = set()
    for key, channel in keys:
        if key not in seen:
            seen.add(key)
            yield key, channel
