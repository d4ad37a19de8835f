"""Roles inferred in a network, each with the evidence that shows it.

A role is a reading of the structure, offered to a person, never a finding of fact:

- ``telefonist``: one contact point answering for several personas (often in several places);
- ``ad_manager``: one text template filled in for several personas under several contact points;
- ``touring_group``: personas that moved from one gemeente to the next together, week by week;
- ``likely_scam``: a persona re-using another's photos or text under an unrelated number (the scam
  pattern: stolen photos and copied text, short-lived, re-posted); its counterpart on the person who
  advertised longest with that identity is ``identity_copied``;
- ``independent``: one persona with its own contact point(s) and none of the patterns above.

A network's main role is the first present in ``PRECEDENCE``. Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from zicht.linking.clusters import AdNode, Clustering, constrained_components

ROLE_INDEPENDENT = "independent"
ROLE_TELEFONIST = "telefonist"
ROLE_AD_MANAGER = "ad_manager"
ROLE_TOURING = "touring_group"
ROLE_SCAM = "likely_scam"
ROLE_COPIED = "identity_copied"
ROLE_LINKED = "linked"  # several personas, joined by an analyst or by links of no named pattern
PRECEDENCE = (ROLE_SCAM, ROLE_TELEFONIST, ROLE_TOURING, ROLE_AD_MANAGER, ROLE_LINKED, ROLE_INDEPENDENT)

AD_MANAGER_MIN_PERSONAS = 3
AD_MANAGER_MIN_CONTACTS = 2


@dataclass(frozen=True)
class RoleFinding:
    network_id: int
    persona_id: int | None
    role: str
    subject: str
    score: float
    evidence: dict


@dataclass
class Roles:
    findings: list[RoleFinding]
    network_role: dict[int, str]
    network_roles: dict[int, list[str]]
    persona_role: dict[int, str]
    persona_evidence: dict[int, dict]


def _gemeenten(persona_ids, clustering: Clustering, ads: Mapping[int, AdNode]) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({s[2] for p in persona_ids for a in clustering.personas[p].ads for s in ads[a].stays})


def infer_roles(clustering: Clustering, ads: Mapping[int, AdNode]) -> Roles:
    c = clustering
    findings: list[RoleFinding] = []
    persona_role: dict[int, str] = {}
    persona_evidence: dict[int, dict] = {}

    for nid, members in sorted(c.networks.items()):
        # telefonist: one contact point, several personas
        by_contact: dict[str, list[int]] = defaultdict(list)
        for p in members:
            for label in c.personas[p].contacts:
                by_contact[label].append(p)
        for label, served in sorted(by_contact.items()):
            if len(served) < 2:
                continue
            places = _gemeenten(served, c, ads)
            findings.append(
                RoleFinding(
                    nid,
                    None,
                    ROLE_TELEFONIST,
                    label,
                    round(min(1.0, 0.5 + 0.1 * (len(served) - 2) + 0.1 * (len(places) > 1)), 2),
                    {
                        "personas": served,
                        "labels": [c.personas[p].label for p in served],
                        "gemeenten": places,
                        "summary": f"{label} is the contact for {len(served)} personas in "
                        f"{len(places)} gemeente(n)",
                    },
                )
            )
            for p in served:
                persona_evidence.setdefault(p, {}).setdefault("served_by", []).append(label)

    # ad manager: a template group over several personas and contact points
    network_of = c.network_of
    supported = [e for e in c.template_edges if e.evidence.get("supported")]
    if supported:
        nodes = sorted({p for e in supported for p in (e.a, e.b)})
        rep, _ = constrained_components(nodes, [(e.a, e.b, 1.0) for e in supported])
        groups: dict[int, list[int]] = defaultdict(list)
        for p, r in rep.items():
            groups[r].append(p)
        # The first supported edge of each group (in edge order) gives the sample text.
        first_summary: dict[int, str] = {}
        for e in supported:
            if rep[e.a] not in first_summary:  # (evidence is built when read: only the first)
                first_summary[rep[e.a]] = e.evidence.get("summary", "")
        for r, members in groups.items():
            members.sort()
            contacts = sorted({x for p in members for x in c.personas[p].contacts})
            if len(members) < AD_MANAGER_MIN_PERSONAS or len(contacts) < AD_MANAGER_MIN_CONTACTS:
                continue
            nid = network_of[members[0]]
            sample = first_summary.get(r, "")
            findings.append(
                RoleFinding(
                    nid,
                    None,
                    ROLE_AD_MANAGER,
                    f"template over {len(members)} personas",
                    round(min(1.0, 0.4 + 0.05 * len(members) + 0.05 * len(contacts)), 2),
                    {
                        "personas": members,
                        "contact_points": len(contacts),
                        "gemeenten": _gemeenten(members, c, ads),
                        "summary": f"one template used for {len(members)} personas under "
                        f"{len(contacts)} contact points; {sample}",
                    },
                )
            )

    # touring group: personas that moved together
    moving = [e for e in c.edges if e.kind == "move"]
    if moving:
        nodes = sorted({p for e in moving for p in (e.a, e.b)})
        rep, _ = constrained_components(nodes, [(e.a, e.b, 1.0) for e in moving])
        groups = defaultdict(list)
        for p, r in rep.items():
            groups[r].append(p)
        legs: dict[int, set[tuple]] = defaultdict(set)
        for e in moving:
            legs[rep[e.a]].update((r["week"], r["from"], r["to"]) for r in e.evidence["route"])
        for g, members in groups.items():
            members.sort()
            route = sorted(legs[g])
            findings.append(
                RoleFinding(
                    network_of[members[0]],
                    None,
                    ROLE_TOURING,
                    " → ".join([route[0][1]] + [r[2] for r in route]) if route else "",
                    round(min(1.0, 0.5 + 0.1 * len(route) + 0.05 * len(members)), 2),
                    {
                        "personas": members,
                        "route": [{"week": w, "from": a, "to": b} for w, a, b in route],
                        "summary": f"{len(members)} personas moved together {len(route)} time(s)",
                    },
                )
            )

    # copies: one identity under unrelated numbers
    for group in c.copy_groups:
        original = group["original"]
        copies = [p for p in group["personas"] if p != original]
        for p in copies:
            persona_role[p] = ROLE_SCAM
            persona_evidence.setdefault(p, {}).update(
                {
                    "same_identity_as": [q for q in group["personas"] if q != p][:20],
                    "presumed_original": original,
                    "longest_ad_days": c.personas[p].longest_ad_days,
                    "summary": "the same photos/text as other ads under an unrelated number"
                    + (
                        f"; persona {original} kept it online longest (presumed original)" if original else ""
                    ),
                }
            )
        by_network: dict[int, list[int]] = defaultdict(list)
        for p in copies:
            by_network[network_of[p]].append(p)
        for nid, ps in sorted(by_network.items()):
            findings.append(
                RoleFinding(
                    nid,
                    None,
                    ROLE_SCAM,
                    f"identity under {len(ps)} numbers",
                    round(min(1.0, 0.5 + 0.05 * len(ps)), 2),
                    {
                        "personas": ps,
                        "presumed_original": original,
                        "summary": f"{len(ps)} personas offer one identity under unrelated numbers"
                        + (f" (presumed original: persona {original})" if original else ""),
                    },
                )
            )
        if original is not None:
            copied = {
                "copied_by": copies[:20],
                "summary": f"photos/text of this persona appear under {len(copies)} other number(s)",
            }
            persona_evidence.setdefault(original, {})["identity_copied"] = copied
            findings.append(
                RoleFinding(
                    network_of[original],
                    original,
                    ROLE_COPIED,
                    f"copied by {len(copies)} persona(s)",
                    0.5,
                    {"copied_by": copies, "summary": copied["summary"]},
                )
            )

    network_roles: dict[int, list[str]] = defaultdict(list)
    for f in findings:
        if f.role not in network_roles[f.network_id]:
            network_roles[f.network_id].append(f.role)
    network_role: dict[int, str] = {}
    for nid, members in sorted(c.networks.items()):
        present = set(network_roles.get(nid, ())) - {ROLE_COPIED}
        if not present:
            if len(members) == 1:
                p = members[0]
                present = {ROLE_INDEPENDENT}
                findings.append(
                    RoleFinding(
                        nid,
                        p,
                        ROLE_INDEPENDENT,
                        c.personas[p].label,
                        0.5,
                        {
                            "contact_points": len(c.personas[p].contacts),
                            "ads": len(c.personas[p].ads),
                            "summary": "one persona with its own contact point(s); no shared numbers, "
                            "templates, group travel or copies found",
                        },
                    )
                )
                network_roles[nid].append(ROLE_INDEPENDENT)
            else:
                present = {ROLE_LINKED}
                network_roles[nid].append(ROLE_LINKED)
        network_role[nid] = next(r for r in PRECEDENCE if r in present)
        copiers = [p for p in members if persona_role.get(p) == ROLE_SCAM]
        for p in members:
            if p not in persona_role and network_role[nid] == ROLE_SCAM:
                persona_evidence.setdefault(p, {}).update(
                    {
                        "in_network_with": copiers[:20],
                        "summary": f"in one network with {len(copiers)} persona(s) that offer someone "
                        "else's photos/text under unrelated numbers",
                    }
                )
            persona_role.setdefault(p, network_role[nid])
    return Roles(findings, network_role, dict(network_roles), persona_role, persona_evidence)
