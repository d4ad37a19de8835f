from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from zicht.linking.clusters import (
    AdNode,
    Decision,
    Edge,
    cluster,
    co_movement,
    constrained_components,
    copy_groups,
    persona_moves,
    template_links,
)

PHONE = ("phone:+31612345678",)


def _nodes(n: int, **kw) -> dict[int, AdNode]:  # type: ignore[no-untyped-def]
    return {
        i: AdNode(i, kw.get("first", 0), kw.get("last", 5), kw.get("contacts", PHONE))
        for i in range(1, n + 1)
    }


def _groups(mapping: dict[int, int]) -> set[frozenset[int]]:
    out: dict[int, set[int]] = {}
    for item, rep in mapping.items():
        out.setdefault(rep, set()).add(item)
    return {frozenset(g) for g in out.values()}


def test_components_are_named_after_their_smallest_member() -> None:
    rep, conflicts = constrained_components([5, 3, 9, 4], [(5, 3, 1.0), (9, 4, 1.0)])
    assert rep == {3: 3, 5: 3, 4: 4, 9: 4} and conflicts == []


def test_a_split_cuts_the_weakest_evidence_between_the_two() -> None:
    # 1-2-3 strongly linked, 3-4 weakly, 4-5 strongly: splitting 1 and 5 removes 3-4
    edges = [(1, 2, 0.9), (2, 3, 0.9), (3, 4, 0.2), (4, 5, 0.9)]
    rep, conflicts = constrained_components([1, 2, 3, 4, 5], edges, [(1, 5)])
    assert _groups(rep) == {frozenset({1, 2, 3}), frozenset({4, 5})}
    assert conflicts == []


def test_a_split_that_cuts_a_confirmed_link_is_applied_and_reported() -> None:
    rep, conflicts = constrained_components([1, 2], [(1, 2, 1_000_000.0)], [(1, 2)])
    assert rep[1] != rep[2]
    assert conflicts and "confirmed" in conflicts[0]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12), st.floats(0.1, 1.0)), max_size=30),
    st.randoms(),
)
def test_components_do_not_depend_on_input_order(edges, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    nodes = list(range(1, 13))
    cannot = [(1, 12), (2, 11)]
    first, _ = constrained_components(nodes, edges, cannot)
    shuffled = list(edges)
    rnd.shuffle(shuffled)
    rnd.shuffle(nodes)
    second, _ = constrained_components(nodes, shuffled, cannot)
    assert first == second
    assert first[1] != first[12] and first[2] != first[11]


def test_confirmed_pairs_join_and_split_pairs_stay_apart() -> None:
    nodes = _nodes(4)
    edges = [Edge(1, 2, "persona", 0.95, ("phone",)), Edge(3, 4, "persona", 0.95, ("phone",))]
    decisions = [Decision(2, 3, "persona", "confirm"), Decision(3, 4, "persona", "split")]
    c = cluster(nodes, edges, decisions)
    assert c.persona_of[1] == c.persona_of[2] == c.persona_of[3]
    assert c.persona_of[4] != c.persona_of[3]


def test_an_ad_without_a_number_joins_only_an_unambiguous_persona() -> None:
    nodes = {
        1: AdNode(1, 0, 5, ("phone:+31600000001",)),
        2: AdNode(2, 0, 5, ()),  # number only on a photo
        3: AdNode(3, 0, 5, ("phone:+31600000002",)),
        4: AdNode(4, 0, 5, ()),
    }
    # ad 2 looks like ad 1 only: it joins; ad 4 looks like ads 1 and 3 (two numbers): it does not chain them
    edges = [
        Edge(1, 2, "persona", 0.9, ("photo",)),
        Edge(1, 4, "persona", 0.9, ("photo",)),
        Edge(3, 4, "persona", 0.9, ("photo",)),
        Edge(1, 3, "copy", 0.9, ("photo",)),
    ]
    c = cluster(nodes, edges)
    assert c.persona_of[2] == c.persona_of[1]
    assert len({c.persona_of[1], c.persona_of[3], c.persona_of[4]}) == 3


def test_two_ads_without_a_number_in_other_words_are_not_one_person() -> None:
    """Two scam operators each post the same stolen photos once without a number, each in their own
    text: the two ads must not become one person that joins both operators' networks."""
    nodes = {
        1: AdNode(1, 0, 5, ("phone:+31600000001",), "eva", 21),  # operator A
        2: AdNode(2, 1, 6, (), "eva", 21),  # operator A, no number
        3: AdNode(3, 0, 5, ("phone:+31600000003",), "eva", 21),  # operator B
        4: AdNode(4, 1, 6, (), "eva", 21),  # operator B, no number
        5: AdNode(5, 2, 7, ("phone:+31600000005",), "eva", 21),  # a third copy, nobody's text
    }
    edges = [
        Edge(1, 2, "persona", 0.9, ("photo", "text")),
        Edge(1, 3, "copy", 0.6, ("photo",)),
        Edge(1, 4, "persona", 0.6, ("photo",)),
        Edge(2, 3, "persona", 0.6, ("photo",)),
        Edge(2, 4, "persona", 0.6, ("photo",)),  # same photos, other words
        Edge(3, 4, "persona", 0.9, ("photo", "text")),
        *(Edge(a, 5, "copy", 0.6, ("photo",)) for a in (1, 3)),
        *(Edge(a, 5, "persona", 0.6, ("photo",)) for a in (2, 4)),
    ]
    c = cluster(nodes, edges)
    assert c.persona_of[2] != c.persona_of[4]
    assert c.network_of[1] == c.network_of[2]
    assert c.network_of[3] == c.network_of[4] != c.network_of[1]
    # In the same words, two ads without a number are one person (here: one that points to nobody else).
    same = {1: AdNode(1, 0, 5, (), "eva", 21), 2: AdNode(2, 3, 8, (), "eva", 21)}
    c = cluster(same, [Edge(1, 2, "persona", 0.9, ("photo", "text"))])
    assert c.persona_of[1] == c.persona_of[2]


def test_the_longest_lived_persona_of_a_copy_group_stays_out_of_the_copiers_network() -> None:
    nodes = {
        1: AdNode(1, 0, 40, ("phone:+31600000001",)),  # the original: one ad online 41 days
        2: AdNode(2, 3, 6, ("phone:+31600000002",)),
        3: AdNode(3, 8, 12, ("phone:+31600000003",)),
        4: AdNode(4, 20, 21, ("phone:+31600000004",)),
    }
    edges = [Edge(a, b, "copy", 0.9, ("photo", "text")) for a in range(1, 5) for b in range(a + 1, 5)]
    c = cluster(nodes, edges)
    assert c.copy_groups == [{"personas": [1, 2, 3, 4], "original": 1}]
    assert c.network_of[2] == c.network_of[3] == c.network_of[4] != c.network_of[1]


def test_the_same_photos_in_another_text_are_one_identity_but_not_one_network() -> None:
    """Two operators who steal one worker's photos each write their own text: shown as one identity
    under several numbers, never merged. The same text, even one too common to count, is a repost."""
    nodes = {i: AdNode(i, 2 * i, 2 * i + 3, (f"phone:+3160000000{i}",), "kelly", 21) for i in range(1, 6)}
    own_text = [(1, 2), (3, 4)]  # operator A: ads 1, 2; operator B: ads 3, 4 (its text is everywhere)
    edges = [
        Edge(1, 2, "copy", 0.9, ("photo", "text")),
        Edge(3, 4, "copy", 0.6, ("photo",), hub_channels=("text",)),
        *(
            Edge(a, b, "copy", 0.6, ("photo",))
            for a in range(1, 6)
            for b in range(a + 1, 6)
            if (a, b) not in own_text
        ),
    ]
    c = cluster(nodes, edges)
    assert c.copy_groups == [{"personas": [1, 2, 3, 4, 5], "original": None}]
    assert c.network_of[1] == c.network_of[2]
    assert c.network_of[3] == c.network_of[4] != c.network_of[1]
    assert len({c.network_of[5], c.network_of[1], c.network_of[3]}) == 3
    assert all(e.kind != "copy" or {e.a, e.b} in ({1, 2}, {3, 4}) for e in c.edges)


def test_without_a_clear_original_the_whole_copy_group_is_one_network() -> None:
    groups = copy_groups(
        {(1, 2): [], (2, 3): []},
        cluster(
            {i: AdNode(i, 0, 6, (f"phone:+3160000000{i}",)) for i in (1, 2, 3)},
            [],
        ).personas,
    )
    assert groups == [{"personas": [1, 2, 3], "original": None}]


def _tpl(a: int, b: int, score: float) -> tuple[tuple[int, int], list[Edge]]:
    return (a, b), [Edge(a, b, "template", score, ("template",))]


def test_a_template_shared_by_two_people_only_joins_nothing() -> None:
    assert template_links(dict([_tpl(1, 2, 0.95)])) == set()


def test_a_template_shared_by_three_joins_them_and_a_weaker_look_alike_stays_out() -> None:
    template = dict([_tpl(1, 2, 0.9), _tpl(1, 3, 0.8), _tpl(2, 3, 0.75), _tpl(3, 4, 0.6), _tpl(2, 4, 0.58)])
    joined = template_links(template)
    assert joined == {(1, 2), (1, 3), (2, 3)}


def test_a_template_that_reads_like_many_other_ads_joins_nothing() -> None:
    template = dict([_tpl(1, 2, 0.9), _tpl(1, 3, 0.8), _tpl(2, 3, 0.75)])
    apart = {1: 2, 2: 2, 3: 2}  # only the three pairs inside the group
    crowded = {1: 6, 2: 6, 3: 6}  # as many look-alike pairs with ads outside as inside, and more
    assert template_links(template, apart) == {(1, 2), (1, 3), (2, 3)}
    assert template_links(template, crowded) == set()


def test_a_template_over_very_many_personas_is_boilerplate() -> None:
    from zicht.linking.clusters import TEMPLATE_GROUP_MAX

    n = TEMPLATE_GROUP_MAX + 1
    template = dict(_tpl(a, b, 0.9) for a in range(1, n + 1) for b in range(a + 1, n + 1))
    assert template_links(template) == set()
    smaller = dict(_tpl(a, b, 0.9) for a in range(1, 6) for b in range(a + 1, 6))
    assert len(template_links(smaller)) == 10


def test_moves_and_moving_together() -> None:
    route = ((0, 6, "GM0935"), (7, 13, "GM0917"), (14, 20, "GM0983"))
    nodes = {
        1: AdNode(1, 0, 20, ("phone:+31600000001",), stays=route),
        2: AdNode(2, 1, 21, ("phone:+31600000002",), stays=tuple((a + 1, b + 1, g) for a, b, g in route)),
        3: AdNode(3, 0, 20, ("phone:+31600000003",), stays=((0, 20, "GM0935"),)),  # stays put
    }
    c = cluster(nodes, [])
    assert [(m.left, m.arrived) for m in c.moves if m.persona_id == 1] == [
        ("GM0935", "GM0917"),
        ("GM0917", "GM0983"),
    ]
    assert not [m for m in c.moves if m.persona_id == 3]
    moved = [e for e in c.edges if e.kind == "move"]
    assert len(moved) == 1 and (moved[0].a, moved[0].b) == (1, 2)
    assert len(moved[0].evidence["route"]) == 2
    assert c.network_of[1] == c.network_of[2] != c.network_of[3]


def test_two_places_at_once_is_not_a_move() -> None:
    nodes = {1: AdNode(1, 0, 9, (), stays=((0, 9, "GM0935"), (2, 8, "GM0917")))}
    personas = cluster(nodes, []).personas
    assert persona_moves(personas, nodes) == []


def test_a_popular_route_needs_a_second_shared_move() -> None:
    from zicht.linking.clusters import MOVE_BUCKET_MAX, Move

    moves = [Move(p, 42, 10, "GM0363", "GM0599") for p in range(1, MOVE_BUCKET_MAX + 3)]
    assert co_movement(moves) == []
    moves += [Move(1, 43, 17, "GM0599", "GM0518"), Move(2, 43, 18, "GM0599", "GM0518")]
    edges = co_movement(moves)
    assert [(e.a, e.b) for e in edges] == [(1, 2)]


def test_leaving_together_right_after_a_control_is_not_group_travel() -> None:
    """The waterbed effect: after a control in Rotterdam several workers go to Schiedam at once."""
    from zicht.linking.clusters import MOVE_AFTER_CONTROL_DAYS, Move

    moves = [Move(1, 42, 30, "GM0599", "GM0606"), Move(2, 42, 31, "GM0599", "GM0606")]
    assert [(e.a, e.b) for e in co_movement(moves)] == [(1, 2)]  # no control: one rare move is enough
    assert co_movement(moves, {"GM0599": [29]}) == []
    assert co_movement(moves, {"GM0599": [31]}) == []  # arrived the day before the recorded day
    assert [(e.a, e.b) for e in co_movement(moves, {"GM0599": [30 - MOVE_AFTER_CONTROL_DAYS - 2]})] == [
        (1, 2)
    ]
    assert [(e.a, e.b) for e in co_movement(moves, {"GM0606": [29]})] == [
        (1, 2)
    ]  # where they went: no matter
    # Travelling on together afterwards still shows.
    moves += [Move(1, 43, 38, "GM0606", "GM0518"), Move(2, 43, 38, "GM0606", "GM0518")]
    edges = co_movement(moves, {"GM0599": [29]})
    assert [(e.a, e.b, len(e.evidence["route"])) for e in edges] == [(1, 2, 2)]


def test_two_copied_identities_moving_together_are_not_a_touring_group() -> None:
    """Copied identities go where their operators post them: one shared move between two copiers of
    other people's photos joins nothing; a real person moving with a copier still does."""
    route = ((0, 6, "GM0935"), (7, 13, "GM0917"))
    later = tuple((a + 1, b + 1, g) for a, b, g in route)
    nodes = {
        1: AdNode(1, 0, 60, ("phone:+31600000001",), "eva", 21, ((0, 60, "GM0363"),)),  # original
        2: AdNode(2, 0, 13, ("phone:+31600000002",), "eva", 21, route),  # copier of 1
        3: AdNode(3, 0, 60, ("phone:+31600000003",), "mila", 19, ((0, 60, "GM0599"),)),  # original
        4: AdNode(4, 1, 14, ("phone:+31600000004",), "mila", 19, later),  # copier of 3
    }
    edges = [Edge(1, 2, "copy", 0.6, ("photo",)), Edge(3, 4, "copy", 0.6, ("photo",))]
    c = cluster(nodes, edges)
    assert [g["original"] for g in c.copy_groups] == [1, 3]
    assert [m.persona_id for m in c.moves] == [2, 4]
    assert c.network_of[2] != c.network_of[4]
    nodes[4] = AdNode(4, 1, 14, ("phone:+31600000004",), "sara", 24, later)  # nobody's copy
    c = cluster(nodes, edges[:1])
    assert c.network_of[2] == c.network_of[4]  # one rare shared move is enough


def test_copies_in_the_same_text_support_a_template_across_stolen_identities() -> None:
    """One operator's text over two stolen identities: copies of each identity (same text, same name)
    and template pairs only across them, which alone close no triangle."""
    nodes = {
        i: AdNode(
            i, i, i + 2, (f"phone:+3160000000{i}",), "kelly" if i <= 2 else "mila", 21 if i <= 2 else 19
        )
        for i in range(1, 5)
    }
    across = [Edge(a, b, "template", 0.95, ("template",)) for a in (1, 2) for b in (3, 4)]
    c = cluster(
        nodes,
        [Edge(1, 2, "copy", 0.9, ("photo", "text")), Edge(3, 4, "copy", 0.9, ("photo", "text")), *across],
    )
    assert len({c.network_of[i] for i in range(1, 5)}) == 1
    assert c.template_groups == [[1, 2, 3, 4]]
    # A look-alike text (another writer's, less alike than one text with other slots) is not
    # supported by copies: every copy pair of either side would support it.
    weaker = [Edge(a, b, "template", 0.8, ("template",)) for a in (1, 2) for b in (3, 4)]
    c = cluster(
        nodes,
        [Edge(1, 2, "copy", 0.9, ("photo", "text")), Edge(3, 4, "copy", 0.9, ("photo", "text")), *weaker],
    )
    assert (
        c.template_groups == [] and c.network_of[1] == c.network_of[2] != c.network_of[3] == c.network_of[4]
    )
    # Copies on photos alone (another text) support nothing: two operators, two networks.
    c = cluster(nodes, [Edge(1, 2, "copy", 0.9, ("photo",)), Edge(3, 4, "copy", 0.9, ("photo",)), *across])
    assert c.template_groups == [] and len({c.network_of[i] for i in range(1, 5)}) == 4
