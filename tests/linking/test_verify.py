from __future__ import annotations

from profiles import TEXT_A, TEXT_B, make, near, photo_hash

from zicht.linking import keys as k
from zicht.linking.verify import (
    VERDICT_COPY,
    VERDICT_NETWORK,
    VERDICT_PERSONA,
    VERDICT_TEMPLATE,
    VERDICT_WEAK,
    combine,
    verify_pair,
)

PHONE = "+31612345678"
OTHER = "+31687654321"
P1, P2, P3, P4 = (photo_hash(i) for i in range(4))


def _channels(verdict) -> dict:  # type: ignore[no-untyped-def]
    return {link.channel: link for link in verdict.links}


def test_same_number_and_same_photos_is_one_persona() -> None:
    a = make(1, text=TEXT_A, name="Lisa", age=24, phones=(PHONE,), photos=((1, P1), (2, P2)))
    b = make(2, text=TEXT_B, name="Lisa", age=24, phones=(PHONE,), photos=((3, near(P1)), (4, near(P2, 3))))
    v = verify_pair(a, b)
    assert v is not None and v.verdict == VERDICT_PERSONA
    ch = _channels(v)
    assert ch["phone"].evidence["values"] == [PHONE]
    assert sorted(d for *_, d in ch["photo"].evidence["pairs"]) == [2, 3]
    assert v.score >= ch["phone"].score


def test_same_number_other_photos_is_a_network_not_a_persona() -> None:
    a = make(1, text=TEXT_A, name="Lisa", age=24, phones=(PHONE,), photos=((1, P1), (2, P2)))
    b = make(2, text=TEXT_B, name="Nina", age=21, phones=(PHONE,), photos=((3, P3), (4, P4)))
    v = verify_pair(a, b)
    assert v is not None and v.verdict == VERDICT_NETWORK
    assert "different photos" in v.reason


def test_without_photos_name_and_age_decide() -> None:
    same = verify_pair(
        make(1, name="Lisa", age=24, phones=(PHONE,)), make(2, name="lisa ", age=25, phones=(PHONE,))
    )
    other = verify_pair(
        make(1, name="Lisa", age=24, phones=(PHONE,)), make(2, name="Nina", age=24, phones=(PHONE,))
    )
    assert same is not None and same.verdict == VERDICT_PERSONA
    assert other is not None and other.verdict == VERDICT_NETWORK


def test_same_identity_under_unrelated_numbers_is_a_copy() -> None:
    a = make(1, text=TEXT_A, name="Kelly", age=21, phones=(PHONE,), photos=((1, P1), (2, P2)))
    b = make(2, text=TEXT_A, name="Kelly", age=21, phones=(OTHER,), photos=((3, near(P1)), (4, P2)))
    v = verify_pair(a, b)
    assert v is not None and v.verdict == VERDICT_COPY
    assert "unrelated contact points" in v.reason


def test_one_text_and_name_under_other_photos_is_a_template_not_a_copy() -> None:
    """An ad manager's template filled in for two women who happen to share a name and age: each
    with her own photos. A copy offers someone's identity, and the photos are that identity."""
    a = make(1, text=TEXT_A, name="Emma", age=21, phones=(PHONE,), photos=((1, P1), (2, P2)))
    b = make(2, text=TEXT_A, name="Emma", age=21, phones=(OTHER,), photos=((3, P3), (4, P4)))
    v = verify_pair(a, b)
    assert v is not None and v.verdict == VERDICT_TEMPLATE
    assert "other photos" in v.reason
    # Without photos on one side nothing says another person: still a copy.
    c = make(3, text=TEXT_A, name="Emma", age=21, phones=(OTHER,))
    v = verify_pair(a, c)
    assert v is not None and v.verdict == VERDICT_COPY


def test_same_text_for_another_person_is_a_template() -> None:
    a = make(1, text=TEXT_A, name="Kelly", age=21, place="Venlo", phones=(PHONE,))
    b = make(2, text=TEXT_A, name="Nadia", age=29, place="Sittard", phones=(OTHER,))
    v = verify_pair(a, b)
    assert v is not None and v.verdict == VERDICT_TEMPLATE
    ev = _channels(v)["template"].evidence
    assert ev["similarity"] >= 0.9
    assert ev["slots"]["name"] == ["kelly", "nadia"]
    assert ev["shared"] >= 4 and ev["sentences"]


def test_shared_sentences_point_at_the_text_in_both_ads() -> None:
    a = make(1, text=TEXT_A, name="Kelly", age=21, place="Venlo")
    b = make(2, text="Nieuw hier! " + TEXT_A, name="Nadia", age=29, place="Sittard")
    v = verify_pair(a, b)
    assert v is not None
    body_a = TEXT_A.format(name="Kelly", place="Venlo")
    body_b = "Nieuw hier! " + TEXT_A.format(name="Nadia", place="Sittard")
    for s in _channels(v)["template"].evidence["sentences"]:
        assert body_a[s["a"][0] : s["a"][1]] == s["text"]
        assert body_b[s["b"][0] : s["b"][1]] == s["text"].replace("Kelly", "Nadia").replace(
            "Venlo", "Sittard"
        )


def test_one_shared_photo_among_others_is_only_shown() -> None:
    a = make(1, name="Anna", age=30, phones=(PHONE,), photos=((1, P1), (2, P2), (5, photo_hash(50))))
    b = make(2, name="Eva", age=22, phones=(OTHER,), photos=((3, P3), (4, P4), (6, near(photo_hash(50)))))
    v = verify_pair(a, b)
    assert v is not None and v.verdict == VERDICT_WEAK


def test_hub_values_are_shown_but_never_count() -> None:
    a = make(1, name="Anna", age=30, phones=(PHONE,))
    b = make(2, name="Anna", age=30, phones=(PHONE,))
    hubs = {k.contact_key(f"phone:{PHONE}")}
    assert verify_pair(a, b, hubs) is None
    stock = photo_hash(99)
    c = make(3, name="Anna", age=30, phones=(OTHER,), photos=((7, stock), (1, P1)))
    d = make(4, name="Eva", age=23, phones=("+31611111111",), photos=((7, stock), (2, P2)))
    with_hub = verify_pair(c, d, set(k.photo_keys(stock)))
    assert with_hub is None  # the only shared thing is a hub
    without = verify_pair(c, d)
    assert without is not None and without.verdict == VERDICT_WEAK


def test_unrelated_ads_give_nothing() -> None:
    a = make(1, text=TEXT_A, name="Anna", age=30, phones=(PHONE,), photos=((1, P1),))
    b = make(2, text=TEXT_B, name="Eva", age=23, phones=(OTHER,), photos=((2, P2),))
    assert verify_pair(a, b) is None


def test_a_number_only_on_a_photo_still_links_by_photos() -> None:
    a = make(1, name="Lisa", age=24, phones=(PHONE,), photos=((1, P1), (2, P2)))
    b = make(2, name="Lisa", age=24, photos=((3, P1), (4, P2)))
    v = verify_pair(a, b)
    assert v is not None and v.verdict == VERDICT_PERSONA


def test_combine_is_bounded_and_monotone() -> None:
    assert combine([]) == 0.0
    assert combine([0.5]) == 0.5
    assert combine([0.5, 0.5]) == 0.75
    assert combine([1.0, 1.0]) < 1.0
    assert combine([0.9, 0.2]) > combine([0.9])
