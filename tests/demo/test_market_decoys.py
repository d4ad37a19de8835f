"""Regression: a persona that carries every decoy-able cue crashed the generator.

``iter_ads(seed=7, n_ads=101_000, weeks=26)`` (the linking benchmark's stream) stopped after 49,908 ads
with ``IndexError`` in ``random.choices``: actor 20,221, a template network, drew a persona with all
eight decoy-able codes, and a decoy was to be picked from an empty list. These tests rebuild that moment
directly, in milliseconds, instead of generating 50,000 ads.
"""

from __future__ import annotations

from zicht.demo.market import _DECOY_WEIGHTS, DEFAULT_START, _Generator, _Rng
from zicht.demo.model import ROLE_INDEPENDENT, ROLE_TEMPLATE, ROLE_TOURING

# The phone bank's counters when actor 20,221 of that stream began: which numbers the actor gets decides
# how it renders them, and so how many draws come before the fatal persona.
PHONE_BANK_AT_ACTOR_20221 = {
    "NL": 21445, "NL_LANDLINE": 789, "RO": 1475, "ES": 616, "CO": 568, "VE": 293, "BG": 896, "PL": 596,
    "UA": 622, "BE": 598, "DE": 273,
}  # fmt: skip


class _AlwaysLow(_Rng):
    """Every draw is 0.0: every cue rate and the decoy rate are hit, every choice takes the first option."""

    def random(self) -> float:
        return 0.0


def test_the_seed_7_template_network_that_crashed_is_generated() -> None:
    gen = _Generator(7, 101_000, 26, DEFAULT_START, None)
    gen.phones._next.update(PHONE_BANK_AT_ACTOR_20221)
    drawn: list[tuple[set[str], set[str]]] = []  # (codes, decoys) as drawn; the network overwrites both
    make = gen._persona

    def record(*args, **kwargs):  # type: ignore[no-untyped-def]
        p = make(*args, **kwargs)
        drawn.append((set(p.codes), set(p.decoys)))
        return p

    gen._persona = record  # type: ignore[method-assign]
    ads = gen._template_network(_Rng("7:20221"), 51_092)
    assert len(ads) >= 5 and {ad.truth.role for ad in ads} == {ROLE_TEMPLATE}
    full = [(codes, decoys) for codes, decoys in drawn if set(_DECOY_WEIGHTS) <= codes]
    assert full, "the persona that carries every decoy-able code is drawn again"
    assert all(not decoys for _, decoys in full)
    assert all(not (codes & decoys) for codes, decoys in drawn)


def test_a_persona_with_every_decoy_able_cue_gets_no_decoy() -> None:
    gen = _Generator(1, 10, 1, DEFAULT_START, None)
    p = gen._persona(_AlwaysLow("x"), ROLE_TOURING, "N0000001")
    assert set(_DECOY_WEIGHTS) <= p.codes
    assert p.decoys == set()


def test_a_decoy_never_denies_a_cue_the_persona_carries() -> None:
    gen = _Generator(1, 10, 1, DEFAULT_START, None)
    p = gen._persona(_AlwaysLow("x"), ROLE_INDEPENDENT, "N0000001")
    # independents never carry MULTIPLE_WORKERS, so that is the one code left to deny
    assert p.decoys == {"MULTIPLE_WORKERS"} and "MULTIPLE_WORKERS" not in p.codes
