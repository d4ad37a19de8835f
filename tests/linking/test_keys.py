from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zicht.extract.photos import hamming, to_signed64
from zicht.linking import keys as k
from zicht.linking.text import minhash, shingle_hashes

hashes = st.integers(min_value=0, max_value=2**64 - 1)


@settings(max_examples=200, deadline=None)
@given(hashes, st.lists(st.integers(min_value=0, max_value=63), min_size=0, max_size=2, unique=True))
def test_photo_hashes_within_two_bits_always_share_a_key(value: int, flips: list[int]) -> None:
    other = value
    for bit in flips:
        other ^= 1 << bit
    a, b = to_signed64(value), to_signed64(other)
    assert hamming(a, b) == len(flips)
    assert set(k.photo_keys(a)) & set(k.photo_keys(b))


@settings(max_examples=100, deadline=None)
@given(hashes)
def test_photo_keys_are_the_same_for_signed_and_unsigned_values(value: int) -> None:
    assert k.photo_keys(value) == k.photo_keys(to_signed64(value))
    assert len(set(k.photo_keys(value))) == 6


def test_unrelated_photo_hashes_share_no_key() -> None:
    rng = np.random.default_rng(11)
    values = [int(v) for v in rng.integers(0, 2**63, size=300, dtype=np.int64)]
    seen: dict[int, int] = {}
    for i, v in enumerate(values):
        for key in k.photo_keys(v):
            assert seen.setdefault(key, i) == i, "random 64-bit hashes should not share 32-bit band pairs"


def test_contact_keys_treat_whatsapp_as_the_phone() -> None:
    assert k.contact_label("whatsapp", "+31612345678") == k.contact_label("phone", "+31612345678")
    assert k.contact_label("email", "a@b.nl") == "email:a@b.nl"
    assert k.contact_label("telegram", "lisa") != k.contact_label("instagram", "lisa")
    assert k.contact_channel("telegram") == k.CHANNEL_HANDLE


def test_text_keys_follow_the_signature() -> None:
    words = [
        "ik",
        "neem",
        "graag",
        "de",
        "tijd",
        "voor",
        "je",
        "haast",
        "is",
        "er",
        "bij",
        "mij",
        "niet",
        "echt",
    ]
    sig = minhash(shingle_hashes(words))
    same = minhash(shingle_hashes(list(words)))
    other = minhash(
        shingle_hashes(["welkom", "op", "mijn", "pagina", "ik", "ben", "ontspannen", "en", "lief"])
    )
    assert len(k.text_keys(sig)) == k.TEXT_BANDS
    assert k.text_keys(sig) == k.text_keys(same)
    assert not set(k.text_keys(sig)) & set(k.text_keys(other))
    assert k.text_keys(np.full(64, 0xFFFFFFFF, dtype=np.uint32)) == []


def test_keys_do_not_depend_on_the_process_hash_seed() -> None:
    code = "from zicht.linking import keys as k; print(k.key64('contact', 'phone:+31612345678'), k.photo_keys(12345)[0])"
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outs.add(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
    assert len(outs) == 1
    assert outs.pop().split()[0] == str(k.key64("contact", "phone:+31612345678"))


def test_keys_are_signed_64_bit() -> None:
    for i in range(200):
        key = k.key64("x", i)
        assert -(2**63) <= key < 2**63
