"""Movement from presence: flows, tours and places over time, on hand-made ads with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from zicht.analysis.counts import UNKNOWN_CODE, VersionSpan
from zicht.analysis.movement import (
    AdPlace,
    FlowRow,
    flow_pairs,
    flow_table,
    itinerary,
    local_day_number,
    persona_flows,
    presence,
    touring_group_route,
    tours,
    week_label,
    week_start,
)

HEERLEN, SITTARD, MAASTRICHT, VENLO = "GM0917", "GM1883", "GM0935", "GM0983"
MON = date(2026, 10, 5)  # ISO week 41 of 2026


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def ad(
    ad_id: int,
    persona: int | None,
    stays: list[tuple[int, str | None]],
    last: int,
    network: int | None = None,
) -> AdPlace:
    """An ad first seen ``stays[0][0]`` days after MON, with a version per stay, last seen on day ``last``."""
    versions = tuple(VersionSpan(at(MON + timedelta(days=d)), gm) for d, gm in stays)
    return AdPlace(ad_id, versions[0].first_seen, at(MON + timedelta(days=last)), versions, persona, network)


def flows_of(ads: list[AdPlace], first: date = MON, last: date = MON + timedelta(days=27)) -> list[tuple]:
    return [
        (week_label(f.week), f.origin, f.destination, f.persona)
        for f in persona_flows(presence(ads, first, last))
    ]


def test_a_persona_on_three_sites_moving_once_is_one_flow() -> None:
    ads = [
        ad(1, 1, [(0, HEERLEN), (7, SITTARD)], 9),
        ad(2, 1, [(1, HEERLEN), (7, SITTARD)], 8),
        ad(3, 1, [(2, HEERLEN)], 7),
    ]
    # ad 3 stays in Heerlen until Monday of week 42: the persona is in both places that week, no flow yet.
    assert flows_of(ads) == []
    ads[2] = ad(3, 1, [(2, HEERLEN)], 6)
    assert flows_of(ads) == [("2026-W42", HEERLEN, SITTARD, 1)]
    rows = flow_table(persona_flows(presence(ads, MON, MON + timedelta(days=13))))
    assert rows == [FlowRow(MON + timedelta(days=7), HEERLEN, SITTARD, 1, 1)]


def test_flows_count_personas_and_networks_not_ads() -> None:
    ads = [
        ad(1, 1, [(0, HEERLEN), (7, SITTARD)], 8, network=1),
        ad(2, 2, [(0, HEERLEN), (7, SITTARD)], 8, network=1),
        ad(3, 3, [(0, HEERLEN), (7, SITTARD)], 8, network=3),
        ad(4, 3, [(0, HEERLEN), (7, SITTARD)], 8, network=3),
    ]
    (row,) = flow_table(persona_flows(presence(ads, MON, MON + timedelta(days=13))))
    assert (row.origin, row.destination, row.personas, row.networks) == (HEERLEN, SITTARD, 3, 2)


def test_unknown_place_never_makes_a_flow_and_adding_a_place_is_no_flow() -> None:
    ads = [
        ad(1, 1, [(0, None), (7, HEERLEN)], 8),  # onbekend -> Heerlen
        ad(2, 2, [(0, HEERLEN), (7, None)], 8),  # Heerlen -> onbekend
        ad(3, 3, [(0, HEERLEN)], 8),  # stays in Heerlen ...
        ad(4, 3, [(7, SITTARD)], 8),  # ... and also appears in Sittard
    ]
    found = presence(ads, MON, MON + timedelta(days=13))
    assert persona_flows(found) == []
    assert found.mask(1, MON, UNKNOWN_CODE) == 0b1111111


def test_a_week_without_ads_breaks_the_chain_and_a_return_is_two_flows() -> None:
    gap = [ad(1, 1, [(0, HEERLEN)], 1), ad(2, 1, [(14, MAASTRICHT)], 15)]
    assert flows_of(gap) == []
    back = [ad(1, 1, [(0, HEERLEN), (7, SITTARD), (14, HEERLEN)], 15)]
    assert flows_of(back) == [("2026-W42", HEERLEN, SITTARD, 1), ("2026-W43", SITTARD, HEERLEN, 1)]
    assert tours(persona_flows(presence(back, MON, MON + timedelta(days=20)))) == []  # two gemeenten only


def test_unlinked_ads_are_personas_of_their_own() -> None:
    ads = [ad(7, None, [(0, HEERLEN), (7, SITTARD)], 8), ad(8, None, [(0, HEERLEN), (7, SITTARD)], 8)]
    flows = persona_flows(presence(ads, MON, MON + timedelta(days=13)))
    assert sorted(f.persona for f in flows) == [-8, -7]
    assert flow_table(flows)[0].personas == 2


def test_dst_week_local_days_decide_the_week() -> None:
    # 2026-10-25 is the last Sunday of October: clocks go back. 23:30 UTC that Sunday is already
    # Monday 26 October 00:30 in Amsterdam, so the ad's second version is in week 44, not 43.
    sunday_late = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)
    versions = (VersionSpan(at(date(2026, 10, 19)), HEERLEN), VersionSpan(sunday_late, SITTARD))
    one = AdPlace(1, versions[0].first_seen, sunday_late, versions, 1)
    found = presence([one], date(2026, 10, 19), date(2026, 11, 1))
    assert found.mask(1, date(2026, 10, 19), HEERLEN) == 0b1111111  # all 7 days of week 43
    assert found.mask(1, date(2026, 10, 26), SITTARD) == 0b0000001  # Monday of week 44
    assert [(week_label(f.week), f.origin, f.destination) for f in persona_flows(found)] == [
        ("2026-W44", HEERLEN, SITTARD)
    ]


def test_iso_week_53_and_the_year_boundary() -> None:
    start = date(2026, 12, 28)  # Monday of 2026-W53
    versions = (VersionSpan(at(start), VENLO), VersionSpan(at(date(2027, 1, 4)), HEERLEN))
    one = AdPlace(1, versions[0].first_seen, at(date(2027, 1, 5)), versions, 1)
    found = presence([one], start, date(2027, 1, 10))
    assert week_label(start) == "2026-W53"
    assert [(week_label(f.week), f.origin, f.destination) for f in persona_flows(found)] == [
        ("2027-W01", VENLO, HEERLEN)
    ]


def test_the_first_week_of_the_range_only_serves_as_the_week_before() -> None:
    one = [ad(1, 1, [(0, HEERLEN), (7, SITTARD)], 8)]
    assert flows_of(one, first=MON + timedelta(days=7)) == []  # week 41 not read: no flow in week 42
    assert flows_of(one, first=MON) == [("2026-W42", HEERLEN, SITTARD, 1)]


def test_no_data() -> None:
    found = presence([], MON, MON + timedelta(days=6))
    assert persona_flows(found) == [] and flow_table([]) == [] and tours([]) == [] and flow_pairs([]) == []
    table = itinerary(found)
    assert table.weeks == [MON] and table.gemeenten == [] and table.cells == {}


def test_a_tour_needs_three_gemeenten_and_short_stays() -> None:
    quick = [ad(1, 1, [(0, HEERLEN), (7, SITTARD), (14, MAASTRICHT), (21, VENLO)], 22)]
    (tour,) = tours(persona_flows(presence(quick, MON, MON + timedelta(days=27))))
    assert tour.gemeenten == [HEERLEN, SITTARD, MAASTRICHT, VENLO]
    assert tour.stays() == [1, 1] and tour.first_week == MON and tour.last_week == MON + timedelta(days=21)
    # Three weeks in Sittard is no short stay: the chain breaks there and two places per chain remain.
    slow = [ad(1, 1, [(0, HEERLEN), (7, SITTARD), (28, MAASTRICHT)], 29)]
    assert tours(persona_flows(presence(slow, MON, MON + timedelta(days=34)))) == []
    # ... unless the rule allows it.
    assert len(tours(persona_flows(presence(slow, MON, MON + timedelta(days=34))), max_stay_weeks=3)) == 1


def test_itinerary_counts_days_per_week_and_gemeente() -> None:
    ads = [ad(1, 1, [(0, HEERLEN), (3, SITTARD)], 8), ad(2, 2, [(1, HEERLEN)], 1), ad(3, 1, [(2, None)], 2)]
    table = itinerary(presence(ads, MON, MON + timedelta(days=13)))
    assert table.weeks == [MON, MON + timedelta(days=7)]
    assert table.gemeenten == [HEERLEN, SITTARD, UNKNOWN_CODE]
    assert table.cell(MON, HEERLEN) == (2, 4)  # persona 1 Mon-Wed, persona 2 Tuesday
    assert table.cell(MON, SITTARD) == (1, 4)  # Thursday to Sunday
    assert table.cell(MON + timedelta(days=7), SITTARD) == (1, 2)
    assert table.cell(MON, UNKNOWN_CODE) == (1, 1)
    assert table.cell(MON + timedelta(days=7), HEERLEN) is None


def test_touring_group_route_reads_linking_weeks() -> None:
    # Linking counts weeks from Monday 1970-01-05; week 2953 starts on 2026-08-10.
    route = touring_group_route({"route": [{"week": 2953, "from": "917", "to": "GM1883"}, {"bad": 1}]})
    assert [(s.week, s.origin, s.destination) for s in route] == [(date(2026, 8, 10), HEERLEN, SITTARD)]
    assert week_start(route[0].week) == route[0].week
    assert touring_group_route({}) == []


def test_local_day_numbers_follow_amsterdam_time_across_both_dst_changes() -> None:
    def epoch(*args: int) -> int:
        return int(datetime(*args, tzinfo=UTC).timestamp())

    # Winter (UTC+1): 22:59 UTC is still the same day, 23:00 UTC the next.
    assert local_day_number(epoch(2026, 1, 10, 22, 59)) == date(2026, 1, 10).toordinal()
    assert local_day_number(epoch(2026, 1, 10, 23, 0)) == date(2026, 1, 11).toordinal()
    # Summer (UTC+2): 22:00 UTC is already the next day.
    assert local_day_number(epoch(2026, 7, 10, 21, 59)) == date(2026, 7, 10).toordinal()
    assert local_day_number(epoch(2026, 7, 10, 22, 0)) == date(2026, 7, 11).toordinal()
    # The change days themselves (29 March and 25 October 2026).
    assert local_day_number(epoch(2026, 3, 29, 21, 59)) == date(2026, 3, 29).toordinal()
    assert local_day_number(epoch(2026, 3, 29, 22, 0)) == date(2026, 3, 30).toordinal()
    assert local_day_number(epoch(2026, 10, 25, 22, 59)) == date(2026, 10, 25).toordinal()
    assert local_day_number(epoch(2026, 10, 25, 23, 0)) == date(2026, 10, 26).toordinal()


def test_presence_places_ads_exactly_as_the_counts_do() -> None:
    """The same ads through ``zicht.analysis.counts`` and through movement: the same weeks and places."""
    from zicht.analysis.counts import AdSpan, count

    ads = [
        ad(1, 1, [(0, HEERLEN), (3, SITTARD), (9, None), (12, MAASTRICHT)], 20),
        ad(2, 2, [(2, VENLO), (2, HEERLEN)], 15),
        ad(3, None, [(5, "917")], 6),
    ]
    spans = [AdSpan(a.ad_id, "s", a.first_seen, a.last_seen, a.versions, a.persona_id) for a in ads]
    table = count(spans, "gemeente", "week", MON, MON + timedelta(days=20), personas_linked=True)
    from_counts = {(r.period_start, r.area_code) for r in table.rows if r.active_ads}
    found = presence(ads, MON, MON + timedelta(days=20))
    from_movement = {(date.fromordinal(w), gm) for _, w, gm in found.days}
    assert from_movement == from_counts
