from __future__ import annotations

from zicht.linking.clusters import AdNode, Edge, cluster
from zicht.linking.roles import (
    ROLE_AD_MANAGER,
    ROLE_COPIED,
    ROLE_INDEPENDENT,
    ROLE_SCAM,
    ROLE_TELEFONIST,
    ROLE_TOURING,
    infer_roles,
)


def _roles(nodes, edges):  # type: ignore[no-untyped-def]
    c = cluster(nodes, edges)
    return c, infer_roles(c, nodes)


def test_one_number_for_several_personas_is_a_telefonist() -> None:
    number = "phone:+31612345678"
    nodes = {
        1: AdNode(1, 0, 9, (number,), "lisa", 22, ((0, 9, "GM0917"),)),
        2: AdNode(2, 0, 9, (number,), "nina", 25, ((0, 9, "GM0935"),)),
        3: AdNode(3, 0, 9, (number,), "eva", 19, ((0, 9, "GM0983"),)),
        4: AdNode(4, 0, 9, (number,), "lisa", 22, ((0, 9, "GM0917"),)),
    }
    edges = [Edge(1, 4, "persona", 0.99, ("phone", "photo"))]
    edges += [Edge(a, b, "network", 0.95, ("phone",)) for a, b in ((1, 2), (1, 3), (2, 3), (2, 4), (3, 4))]
    c, roles = _roles(nodes, edges)
    assert len(c.personas) == 3 and len(c.networks) == 1
    (finding,) = [f for f in roles.findings if f.role == ROLE_TELEFONIST]
    assert finding.subject == number
    assert finding.evidence["gemeenten"] == ["GM0917", "GM0935", "GM0983"]
    assert roles.network_role[c.network_of[1]] == ROLE_TELEFONIST


def test_one_template_under_several_numbers_is_an_ad_manager() -> None:
    nodes = {i: AdNode(i, 0, 3, (f"phone:+3161234567{i}",), f"name{i}", 20 + i) for i in range(1, 5)}
    edges = [Edge(a, b, "template", 0.9, ("template",)) for a in range(1, 5) for b in range(a + 1, 5)]
    c, roles = _roles(nodes, edges)
    assert len(c.networks) == 1
    (finding,) = [f for f in roles.findings if f.role == ROLE_AD_MANAGER]
    assert finding.evidence["personas"] == [1, 2, 3, 4] and finding.evidence["contact_points"] == 4


def test_personas_moving_together_are_a_touring_group() -> None:
    route = ((0, 6, "GM0935"), (7, 13, "GM0917"), (14, 20, "GM0983"))
    nodes = {
        1: AdNode(1, 0, 20, ("phone:+31600000001",), "a", 21, route),
        2: AdNode(2, 0, 20, ("phone:+31600000002",), "b", 22, route),
    }
    c, roles = _roles(nodes, [])
    (finding,) = [f for f in roles.findings if f.role == ROLE_TOURING]
    assert finding.subject == "GM0935 → GM0917 → GM0983"
    assert roles.network_role[c.network_of[1]] == ROLE_TOURING


def test_copies_are_likely_scams_and_the_original_is_told_it_was_copied() -> None:
    nodes = {
        1: AdNode(1, 0, 40, ("phone:+31600000001",), "kelly", 21),
        2: AdNode(2, 3, 6, ("phone:+31600000002",), "kelly", 21),
        3: AdNode(3, 8, 12, ("phone:+31600000003",), "kelly", 21),
    }
    edges = [Edge(a, b, "copy", 0.9, ("photo", "text")) for a in range(1, 4) for b in range(a + 1, 4)]
    c, roles = _roles(nodes, edges)
    assert roles.persona_role[2] == roles.persona_role[3] == ROLE_SCAM
    assert roles.persona_role[1] == ROLE_INDEPENDENT
    assert roles.persona_evidence[1]["identity_copied"]["copied_by"] == [2, 3]
    assert any(f.role == ROLE_COPIED and f.persona_id == 1 for f in roles.findings)
    assert roles.network_role[c.network_of[2]] == ROLE_SCAM


def test_a_persona_in_a_scam_network_that_copies_nobody_names_the_copiers() -> None:
    """An operator's profile on stock photos shares its house text (a shared number here) with the
    operator's copies of a stolen identity: it is in the scam network and says with whom."""
    nodes = {
        1: AdNode(1, 0, 40, ("phone:+31600000001",), "kelly", 21),
        2: AdNode(2, 3, 6, ("phone:+31600000002",), "kelly", 21),
        3: AdNode(3, 8, 12, ("phone:+31600000003",), "kelly", 21),
        4: AdNode(4, 8, 12, ("phone:+31600000003",), "mila", 19),
    }
    edges = [Edge(a, b, "copy", 0.9, ("photo", "text")) for a in range(1, 4) for b in range(a + 1, 4)]
    edges.append(Edge(3, 4, "network", 0.9, ("phone",)))
    c, roles = _roles(nodes, edges)
    assert c.network_of[4] == c.network_of[2] and roles.network_role[c.network_of[4]] == ROLE_SCAM
    assert roles.persona_role[4] == ROLE_SCAM and "same_identity_as" not in roles.persona_evidence[4]
    assert roles.persona_evidence[4]["in_network_with"] == [2, 3]


def test_a_lone_persona_is_independent_with_its_reasons() -> None:
    nodes = {1: AdNode(1, 0, 9, ("phone:+31600000001",), "anna", 30)}
    _, roles = _roles(nodes, [])
    (finding,) = roles.findings
    assert finding.role == ROLE_INDEPENDENT and "no shared numbers" in finding.evidence["summary"]
    assert roles.network_role[1] == ROLE_INDEPENDENT
