from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zicht.linking.text import (
    MARK_NAME,
    MARK_NUMBER,
    MARK_PLACE,
    MARK_RATE,
    MARK_SERVICE,
    NUM_PERM,
    decode_signature,
    encode_signature,
    fold_name,
    jaccard,
    minhash,
    minhash_many,
    shingle_hashes,
    similarity,
    skeleton,
)

AD = (
    "Hoi, ik ben Lisa, een lieve meid uit Heerlen. Ik ontvang je graag in een rustige straat.\n"
    "Mijn services: massage, knuffelen.\n"
    "Prijzen: 30 min €80\n"
    "Bel me op 06-12345678.\n"
    "E-mail: lisa88@example.nl"
)
SLOTS = {
    MARK_NAME: ["Lisa"],
    MARK_PLACE: ["Heerlen"],
    MARK_SERVICE: ["Massage", "Knuffelen"],
    MARK_RATE: ["30 min €80"],
}


def _phone_span(text: str) -> tuple[int, int]:
    start = text.index("06-1234")
    return start, start + len("06-12345678")


def test_skeleton_replaces_slot_values_and_drops_contact_sentences() -> None:
    sk = skeleton(AD, blank=[_phone_span(AD)], slots=SLOTS)
    assert MARK_NAME in sk.tokens and MARK_PLACE in sk.tokens and MARK_SERVICE in sk.tokens
    assert "lisa" not in sk.tokens and "heerlen" not in sk.tokens and "massage" not in sk.tokens
    # the sentence with the number and the e-mail line carry no template: gone whole
    assert "bel" not in sk.tokens and "mail" not in sk.tokens
    assert not any(ch.isdigit() for token in sk.tokens for ch in token)


def test_sentences_point_back_to_the_original_text() -> None:
    text = "Welkom! Ik ben Zoë uit Den Bosch. Bij mij kun je helemaal tot rust komen."
    sk = skeleton(text, slots={MARK_NAME: ["Zoë"], MARK_PLACE: ["Den Bosch"]})
    by_snippet = {s.snippet: s for s in sk.sentences}
    for snippet, sentence in by_snippet.items():
        assert text[sentence.start : sentence.end] == snippet
    assert "Ik ben Zoë uit Den Bosch" in by_snippet


def test_numbers_become_a_marker_and_runs_of_markers_collapse() -> None:
    sk = skeleton("Leeftijd 23 jaar, prijs 150 200 250 euro")
    assert sk.tokens == ("leeftijd", MARK_NUMBER, "jaar", "prijs", MARK_NUMBER, "euro")


def test_a_filled_in_template_has_the_same_skeleton() -> None:
    template = "Hey schat, {n} hier, een sportieve dame in {p}. Ik neem graag de tijd voor je. Tarieven: {r}"
    a = template.format(n="Kelly", p="Venlo", r="1 uur 150,-")
    b = template.format(n="Nadia", p="Sittard", r="30 min €90")
    sa = skeleton(a, slots={MARK_NAME: ["Kelly"], MARK_PLACE: ["Venlo"], MARK_RATE: ["1 uur 150,-"]})
    sb = skeleton(b, slots={MARK_NAME: ["Nadia"], MARK_PLACE: ["Sittard"], MARK_RATE: ["30 min €90"]})
    assert sa.tokens == sb.tokens
    assert [s.hash for s in sa.sentences] == [s.hash for s in sb.sentences]


def test_minhash_estimates_jaccard() -> None:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, size=400, dtype=np.uint64).astype(np.uint32)
    other = np.concatenate([base[:300], rng.integers(0, 2**32, size=100, dtype=np.uint64).astype(np.uint32)])
    exact = jaccard(base.tolist(), other.tolist())
    estimate = similarity(minhash(np.unique(base)), minhash(np.unique(other)))
    assert abs(estimate - exact) < 0.15
    unrelated = rng.integers(0, 2**32, size=400, dtype=np.uint64).astype(np.uint32)
    assert similarity(minhash(np.unique(base)), minhash(np.unique(unrelated))) < 0.1


def test_minhash_batch_equals_one_by_one_and_empty_sets_stay_empty() -> None:
    sets = [shingle_hashes(["een", "twee", "drie", "vier", "vijf", "zes"]), np.zeros(0, dtype=np.uint32)]
    sets.append(shingle_hashes(["a", "b"]))
    batch = minhash_many(sets)
    assert batch.shape == (3, NUM_PERM)
    assert np.array_equal(batch[0], minhash(sets[0]))
    assert np.array_equal(batch[2], minhash(sets[2]))
    assert bool(np.all(batch[1] == 0xFFFFFFFF))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=50))
def test_signature_round_trip(values: list[int]) -> None:
    sig = minhash(np.unique(np.array(values, dtype=np.uint32)))
    assert np.array_equal(decode_signature(encode_signature(sig)), sig)
    assert similarity(sig, sig) == 1.0


def test_fold_name() -> None:
    assert fold_name(" Zoë ") == fold_name("zoe") == "zoe"
    assert fold_name("") is None and fold_name(None) is None
