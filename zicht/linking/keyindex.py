"""A rebuild's band keys in memory: the candidate join and the hub counts without reading them back.

A rebuild makes tens of millions of key rows. Joining them in the database needs them moved into
``link_keys`` in key order and indexed by ad before verification can start (minutes at national
volume, in one process), and each join then reads pages all over that table. The rebuild keeps the
same rows in two sorted arrays instead — by ad (as they are made) and by key — and runs the same join
(``zicht.store.linking.candidate_pairs`` with every ad dirty) with array operations; forked worker
processes share the arrays without copying them. The rows still go to ``link_keys`` for later
increments, which join in SQL as before; ``tests/linking/test_keyindex.py`` holds the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from zicht.linking import keys as k

# Channel codes in the order of their names, so the smallest code is the smallest name, as the SQL
# (``min(channel)``) sees a key's channel.
CHANNELS = tuple(
    sorted((k.CHANNEL_EMAIL, k.CHANNEL_HANDLE, k.CHANNEL_PHONE, k.CHANNEL_PHOTO, k.CHANNEL_TEXT))
)
_CODE = {name: i for i, name in enumerate(CHANNELS)}
_TEXT = _CODE[k.CHANNEL_TEXT]


class KeyIndex:
    """Key rows ``(key, ad_id, channel)`` added batch by batch, then ``freeze``-d for lookups."""

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._ads: list[np.ndarray] = []
        self._channels: list[np.ndarray] = []
        self.frozen = False
        self.hub_keys = np.empty(0, np.int64)

    def use_hubs(self, keys: Iterable[int]) -> None:
        """The hub keys ``candidate_pairs`` leaves out."""
        self.hub_keys = np.array(sorted(keys), dtype=np.int64)

    def add(self, rows: Iterable[tuple[int, int, str]]) -> None:
        rows = list(rows)
        if not rows:
            return
        keys, ads, channels = zip(*rows, strict=True)
        self._keys.append(np.array(keys, dtype=np.int64))
        self._ads.append(np.array(ads, dtype=np.int64))
        self._channels.append(np.array([_CODE[c] for c in channels], dtype=np.int8))

    def freeze(self) -> None:
        """Sort the rows by ad (with an offset per ad) and by (key, ad)."""
        keys = np.concatenate(self._keys) if self._keys else np.empty(0, np.int64)
        ads = np.concatenate(self._ads) if self._ads else np.empty(0, np.int64)
        channels = np.concatenate(self._channels) if self._channels else np.empty(0, np.int8)
        self._keys, self._ads, self._channels = [], [], []
        by_ad = np.argsort(ads, kind="stable")
        self.ad_keys, self.ad_channels, ad_sorted = keys[by_ad], channels[by_ad], ads[by_ad]
        del by_ad
        self.ad_ids, starts = np.unique(ad_sorted, return_index=True)
        self.ad_start = np.append(starts, len(ad_sorted)).astype(np.int64)
        del ad_sorted
        by_key = np.lexsort((ads, keys))
        self.keys, self.ads, self.key_channels = keys[by_key], ads[by_key], channels[by_key]
        self.span = int(self.ads.max()) + 1 if len(self.ads) else 1
        self.frozen = True

    def __len__(self) -> int:
        return len(self.keys) if self.frozen else sum(len(a) for a in self._keys)

    def rows(self, start: int, stop: int) -> list[tuple[int, int, str]]:
        """Rows ``(key, ad_id, channel)`` start..stop-1 in key order (as ``link_keys`` stores them)."""
        channels = [CHANNELS[c] for c in self.key_channels[start:stop].tolist()]
        return list(zip(self.keys[start:stop].tolist(), self.ads[start:stop].tolist(), channels, strict=True))

    def hubs(self, caps: Mapping[str, int], default_cap: int) -> list[tuple[int, str, int, int]]:
        """(key, channel, n_ads, smallest ad) of every key held by more ads than its channel's cap."""
        if not len(self.keys):
            return []
        start = np.flatnonzero(np.concatenate(([True], self.keys[1:] != self.keys[:-1])))
        count = np.diff(np.append(start, len(self.keys)))
        limit = np.array([caps.get(name, default_cap) for name in CHANNELS], dtype=np.int64)
        out = []
        for r in np.flatnonzero(count > limit.min()):
            first, n = int(start[r]), int(count[r])
            channel = int(self.key_channels[first : first + n].min())
            if n > limit[channel]:
                out.append((int(self.keys[first]), CHANNELS[channel], n, int(self.ads[first])))
        return out

    def candidate_pairs(self, ad_ids: Sequence[int], text_bands: int = 2) -> set[tuple[int, int]]:
        """Pairs (a < b) of one of these ads with any larger ad sharing a non-hub key: contact and photo
        keys count alone, text keys from ``text_bands`` shared bands on (as ``candidate_pairs`` in SQL
        with every ad dirty), hub keys (``use_hubs``) left out."""
        wanted = np.unique(np.asarray(ad_ids, dtype=np.int64))
        pos = np.searchsorted(self.ad_ids, wanted)
        found = pos < len(self.ad_ids)
        found[found] = self.ad_ids[pos[found]] == wanted[found]
        pos = pos[found]
        if not len(pos):
            return set()
        lengths = self.ad_start[pos + 1] - self.ad_start[pos]
        rows = _ranges(self.ad_start[pos], lengths)
        a = np.repeat(self.ad_ids[pos], lengths)
        keys, text = self.ad_keys[rows], self.ad_channels[rows] == _TEXT
        if len(self.hub_keys):
            keep = ~np.isin(keys, self.hub_keys)
            a, keys, text = a[keep], keys[keep], text[keep]
        first = np.searchsorted(self.keys, keys, side="left")
        holders = np.searchsorted(self.keys, keys, side="right") - first
        b = self.ads[_ranges(first, holders)]
        a, text = np.repeat(a, holders), np.repeat(text, holders)
        later = b > a
        a, b, text = a[later], b[later], text[later]
        if not len(a):
            return set()
        if self.span > 3_000_000_000:  # (a * span + b would not fit in 64 bits)
            raise OverflowError("ad ids beyond 3e9: join in the database instead")
        unique, inverse, shared = np.unique(a * self.span + b, return_inverse=True, return_counts=True)
        texts = np.bincount(inverse, weights=text, minlength=len(unique))
        chosen = unique[(shared > texts) | (texts >= text_bands)]
        return set(zip((chosen // self.span).tolist(), (chosen % self.span).tolist(), strict=True))


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices start..start+length-1 of every range, one after the other."""
    total = int(lengths.sum())
    if not total:
        return np.empty(0, np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(total, dtype=np.int64)
