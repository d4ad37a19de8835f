"""The demo market is a contract: its truth must be exactly what the ads say, and its patterns real."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from itertools import pairwise

import phonenumbers
import pytest

from zicht.demo import vocab
from zicht.demo.market import ROLE_SHARES, generate_market, iter_ads
from zicht.demo.model import (
    EXTRA_FORMAT_CLASSES,
    INDICATOR_CODES,
    OBSCURED_FORMAT_CLASSES,
    ROLE_INDEPENDENT,
    ROLE_SCAM,
    ROLE_TELEFONIST,
    ROLE_TEMPLATE,
    ROLE_TOURING,
    ROLES,
    SITE_CATEGORIES,
    SITE_RECEPTIONS,
    SITES,
    DemoAd,
    Market,
)
from zicht.extract.phone_formats import PHONE_FORMAT_CLASSES
from zicht.reference import gemeenten
from zicht.sources.types import CANONICAL_FIELDS


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market()


def by_network(market: Market, role: str) -> dict[str, list[DemoAd]]:
    out: dict[str, list[DemoAd]] = defaultdict(list)
    for ad in market.ads:
        if ad.truth.role == role:
            out[ad.truth.network_id].append(ad)
    return out


def _key(ad: DemoAd) -> tuple:
    return (
        ad.site, ad.source_id, ad.slug, ad.first_day, ad.last_day, ad.posted_at, ad.phone_display, ad.email,
        [(v.from_day, v.title, v.text, v.fields, v.services, v.rates, v.photos) for v in ad.versions], ad.truth,
    )  # fmt: skip


# --- determinism and size ------------------------------------------------------------------------------------


def test_same_seed_same_market_and_another_seed_another():
    a = generate_market(seed=11, n_ads=400, weeks=3)
    b = generate_market(seed=11, n_ads=400, weeks=3)
    c = generate_market(seed=12, n_ads=400, weeks=3)
    assert [_key(x) for x in a.ads] == [_key(x) for x in b.ads]
    assert [x.versions[0].text for x in a.ads] != [x.versions[0].text for x in c.ads]


def test_exact_number_of_ads_with_unique_keys(market):
    assert len(market) == 3000
    assert len({ad.key for ad in market.ads}) == 3000
    stream = list(iter_ads(seed=3, n_ads=1234, weeks=2))
    assert len(stream) == 1234
    assert len({ad.key for ad in stream}) == 1234


def test_tiny_markets_still_exactly_sized():
    for n in (0, 1, 2, 7, 13):
        assert len(generate_market(seed=n, n_ads=n, weeks=1)) == n


def test_market_ordered_by_first_appearance_and_days_in_range(market):
    assert market.days == 42 and market.start == date(2026, 10, 5) and market.start.weekday() == 0
    assert [a.first_day for a in market.ads] == sorted(a.first_day for a in market.ads)
    for ad in market.ads:
        assert 0 <= ad.first_day <= ad.last_day < market.days
        assert ad.versions and ad.versions[0].from_day == ad.first_day
        days = [v.from_day for v in ad.versions]
        assert days == sorted(set(days)) and days[-1] <= ad.last_day
        assert [t.from_day for t in ad.truth.versions] == days
    assert market.date_of(7) == date(2026, 10, 12)
    assert market.day_of(date(2026, 10, 12)) == 7


def test_version_on_and_active_on(market):
    ad = next(a for a in market.ads if len(a.versions) > 1 and a.first_day > 0)
    assert ad.version_on(ad.first_day - 1) is None
    assert ad.version_on(ad.last_day + 1) is None
    assert ad.version_on(ad.first_day) is ad.versions[0]
    assert ad.version_on(ad.versions[1].from_day) is ad.versions[1]
    assert ad.version_on(ad.versions[1].from_day - 1) is ad.versions[0]
    assert ad.truth_on(ad.versions[1].from_day) is ad.truth.versions[1]
    day = 20
    active = market.active_on(day)
    assert active and all(a.version_on(day) is not None for a in active)
    assert len(active) == sum(1 for a in market.ads if a.first_day <= day <= a.last_day)
    assert market.ad(ad.site, ad.source_id) is ad


# --- proportions ----------------------------------------------------------------------------------------------


def test_role_mix_follows_the_shares(market):
    counts = Counter(a.truth.role for a in market.ads)
    assert set(counts) == set(ROLES)
    for role, share in ROLE_SHARES.items():
        assert abs(counts[role] / len(market) - share) < 0.03, (role, counts[role])


def test_sites_categories_and_receptions(market):
    counts = Counter(a.site for a in market.ads)
    assert set(counts) == set(SITES) and min(counts.values()) > 300
    for ad in market.ads:
        assert ad.category in SITE_CATEGORIES[ad.site]
        assert ad.reception in SITE_RECEPTIONS[ad.site]
        for v in ad.versions:
            assert set(v.fields) <= set(CANONICAL_FIELDS)
            assert v.fields["category"] == ad.category and v.fields["reception"] == ad.reception
    assert Counter(a.category for a in market.ads if a.site == "redlights").most_common(1)[0][0] == "dames"
    assert {a.category for a in market.ads if a.site == "kinky"} == set(SITE_CATEGORIES["kinky"])


# --- places ---------------------------------------------------------------------------------------------------


def test_every_version_names_a_real_gemeente(market):
    codes = gemeenten()
    for ad in market.ads:
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            assert v.place_gm_code in codes and t.gemeente_code == v.place_gm_code
            assert v.fields["location"] == t.place_written


def test_place_weighting_and_spellings(market):
    codes = gemeenten()
    per_gm = Counter(ad.truth.versions[0].gemeente_code for ad in market.ads)
    limburg = sum(n for gm, n in per_gm.items() if codes[gm].province_code == "PV31")
    rotterdam_unit = sum(n for gm, n in per_gm.items() if codes[gm].police_unit_code == "RE07")
    assert per_gm["GM0363"] > 100 and per_gm["GM0599"] > 100  # Amsterdam, Rotterdam
    assert limburg / len(market) > 0.12 and rotterdam_unit / len(market) > 0.12
    assert len(per_gm) > 150  # small gemeenten appear too
    written = Counter(t.place_written for a in market.ads for t in a.truth.versions)
    assert written["Den Haag"] and written["Den Bosch"]
    assert any(w.startswith("regio ") for w in written)
    assert any(w.startswith("Rotterdam-") for w in written)
    assert sum(n for w, n in written.items() if w.islower()) > 100


def test_region_weights_remove_and_boost_areas():
    codes = gemeenten()
    no_limburg = generate_market(seed=2, n_ads=500, weeks=2, region_weights={"PV31": 0})
    assert all(
        codes[t.gemeente_code].province_code != "PV31" for a in no_limburg.ads for t in a.truth.versions
    )
    venlo = generate_market(seed=2, n_ads=500, weeks=2, region_weights={"GM0983": 400})
    share = sum(a.truth.versions[0].gemeente_code == "GM0983" for a in venlo.ads) / 500
    assert share > 0.4


# --- phones ---------------------------------------------------------------------------------------------------


def test_every_phone_is_valid_and_written_where_truth_says(market):
    for ad in market.ads:
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            for p in t.phones:
                assert phonenumbers.is_valid_number(phonenumbers.parse(p.e164)), p
                if p.where == "field":
                    assert ad.phone_display == p.rendered
                elif p.where == "text":
                    assert p.rendered in v.text
                else:
                    assert p.where == "photo"
                    assert any(ph.overlay_text == p.rendered for ph in v.photos)
        if ad.phone_display is None:
            assert not any(p.where == "field" for p in ad.truth.phones)


def test_all_format_classes_and_a_realistic_country_mix(market):
    text_classes = Counter(p.format_class for a in market.ads for p in a.truth.phones if p.where == "text")
    assert set(text_classes) == set(PHONE_FORMAT_CLASSES) | set(EXTRA_FORMAT_CLASSES)
    field_classes = Counter(p.format_class for a in market.ads for p in a.truth.phones if p.where == "field")
    assert field_classes.most_common(1)[0][0] == "plain"
    numbers = {p.e164 for a in market.ads for p in a.truth.phones}
    nl_mobile = sum(n.startswith("+316") for n in numbers)
    landline = sum(n.startswith("+31") and not n.startswith("+316") for n in numbers)
    foreign = {phonenumbers.region_code_for_number(phonenumbers.parse(n)) for n in numbers} - {"NL"}
    assert nl_mobile / len(numbers) > 0.6 and landline > 5
    assert {"RO", "ES", "CO", "VE", "BG", "PL", "UA", "BE", "DE"} <= foreign


def test_only_the_truth_shares_numbers(market):
    """A number used in two networks would be a false link; scam numbers are never a victim's."""
    networks_of: dict[str, set[str]] = defaultdict(set)
    for ad in market.ads:
        for number in ad.truth.phone_numbers:
            networks_of[number].add(ad.truth.network_id)
    assert all(len(nets) == 1 for nets in networks_of.values())


def test_phone_only_on_a_photo_is_obscured_contact(market):
    only_photo = [a for a in market.ads if a.truth.phones and {p.where for p in a.truth.phones} == {"photo"}]
    assert len(only_photo) > 10
    for ad in only_photo:
        assert "OBSCURED_CONTACT" in ad.truth.indicators and ad.phone_display is None
    for ad in market.ads:
        obscured_text = any(
            p.where == "text" and p.format_class in OBSCURED_FORMAT_CLASSES for p in ad.truth.phones
        )
        if obscured_text:
            assert "OBSCURED_CONTACT" in ad.truth.indicators


# --- actors ---------------------------------------------------------------------------------------------------


def test_independents_are_singleton_networks_some_on_several_sites(market):
    multi_site = 0
    for network, ads in by_network(market, ROLE_INDEPENDENT).items():
        assert len({a.truth.persona_id for a in ads}) == 1, network
        if len({a.site for a in ads}) > 1:
            multi_site += 1
            assert len({a.truth.phone_numbers for a in ads if a.truth.phone_numbers}) <= 1
            assert (
                len({frozenset(a.truth.photo_ids) - {f"stock{n:02d}" for n in range(1, 7)} for a in ads}) == 1
            )
    assert multi_site > 100
    # The same writer on two sites: mostly the same sentences, a few changed.
    similar = []
    for ads in by_network(market, ROLE_INDEPENDENT).values():
        first_of_site = {a.site: a for a in reversed(ads)}
        if len(first_of_site) > 1:
            a, b = list(first_of_site.values())[:2]
            sa, sb = _sentences(a.versions[0].text), _sentences(b.versions[0].text)
            similar.append(len(sa & sb) / len(sa | sb))
    assert sum(similar) / len(similar) > 0.3  # unrelated ads share about 0.02
    personas_of: dict[str, set[str]] = defaultdict(set)
    for ad in market.ads:
        personas_of[ad.truth.network_id].add(ad.truth.persona_id)
    network_of = {}
    for ad in market.ads:  # every persona belongs to exactly one network
        assert network_of.setdefault(ad.truth.persona_id, ad.truth.network_id) == ad.truth.network_id


def test_telefonist_networks_share_one_number_across_personas_and_gemeenten(market):
    networks = by_network(market, ROLE_TELEFONIST)
    assert len(networks) >= 10
    for network, ads in networks.items():
        shared = set.intersection(*(set(a.truth.phone_numbers) for a in ads))
        assert len(shared) == 1, network
        assert len({a.truth.persona_id for a in ads}) >= 3
        assert len({a.truth.versions[0].gemeente_code for a in ads}) >= 2


def test_template_networks_share_a_template_under_many_numbers(market):
    networks = by_network(market, ROLE_TEMPLATE)
    assert len(networks) >= 8
    for network, ads in networks.items():
        assert len({a.truth.template_id for a in ads}) == 1
        assert len({n for a in ads for n in a.truth.phone_numbers}) >= 5, network
        skeletons = {_skeleton(a) for a in ads}
        assert len(skeletons) == 1, network  # the same text once name, age, place, prices, phone are slots


def _sentences(text: str) -> set[str]:
    return {s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()}


def _skeleton(ad: DemoAd) -> str:
    """The text with everything a template fills in taken out, and the per-ad extras dropped."""
    v, t = ad.versions[0], ad.truth.versions[0]
    text = v.text.split("\n")[0]  # the template paragraph (services, contact lines vary per ad)
    values = [t.place_written, v.fields["name"], *v.rates, *(p.rendered for p in t.phones)]
    for value in sorted(filter(None, values), key=len, reverse=True):
        text = text.replace(value, "<slot>")
    text = re.sub(r"\b\d+\b", "<n>", text)
    for sentence in vocab.GENERIC_SENTENCES:
        text = text.replace(sentence, "")
    return re.sub(r"\s+", " ", text).strip()


def test_touring_groups_move_together_week_by_week(market):
    groups = by_network(market, ROLE_TOURING)
    assert len(groups) >= 8
    moving = 0
    for network, ads in groups.items():
        personas = {a.truth.persona_id for a in ads}
        assert len(personas) >= 2, network
        weeks: dict[int, set[str]] = defaultdict(set)
        for ad in ads:
            for day in range(ad.first_day, ad.last_day + 1):
                weeks[day // 7].add(ad.truth_on(day).gemeente_code)
        # Mid-week every member is in the same gemeente; each week a new one.
        route = []
        for week in sorted(weeks):
            mid = {ad.truth_on(7 * week + 3).gemeente_code for ad in ads if ad.active(7 * week + 3)}
            if mid:
                assert len(mid) == 1, (network, week, mid)
                route.extend(mid)
        assert all(a != b for a, b in pairwise(route)), route
        moving += len(route) >= 2
        assert all("NEW_IN_TOWN" in a.truth.indicators for a in ads)
    assert moving >= 0.8 * len(groups)


def test_scam_operators_are_never_a_real_network(market):
    scam_ads = [a for a in market.ads if a.truth.role == ROLE_SCAM]
    real_networks = {a.truth.network_id for a in market.ads if a.truth.role != ROLE_SCAM}
    real_personas = {a.truth.persona_id: a for a in market.ads if a.truth.role != ROLE_SCAM}
    assert len({a.truth.scam_operator_id for a in scam_ads}) >= 5
    assert all(a.truth.scam_operator_id is None for a in market.ads if a.truth.role != ROLE_SCAM)
    copies = 0
    for ad in scam_ads:
        assert ad.truth.network_id not in real_networks
        assert ad.truth.scam_operator_id
        victim_id = ad.truth.copied_from_persona
        if victim_id and victim_id in real_personas:
            victim = real_personas[victim_id]
            assert set(victim.truth.photo_ids) & set(ad.truth.photo_ids)  # stolen photos
            assert not (victim.truth.phone_numbers & ad.truth.phone_numbers)  # under another number
            copies += 1
    assert copies > 100
    profiles = Counter(a.truth.scam_operator_id for a in scam_ads)
    assert max(profiles.values()) >= 15  # some operators run many profiles


def test_hub_values_link_unrelated_ads(market):
    photo_networks: dict[str, set[str]] = defaultdict(set)
    sentence_networks: dict[str, set[str]] = defaultdict(set)
    for ad in market.ads:
        for pid in ad.truth.photo_ids:
            photo_networks[pid].add(ad.truth.network_id)
        for hub in ad.truth.hubs:
            if hub.startswith("generic_sentence:"):
                sentence_networks[hub].add(ad.truth.network_id)
                assert vocab.GENERIC_SENTENCES[int(hub.split(":")[1])] in ad.versions[0].text
    stock = {pid: nets for pid, nets in photo_networks.items() if pid.startswith("stock")}
    assert stock and max(len(n) for n in stock.values()) >= 5
    assert sentence_networks and max(len(n) for n in sentence_networks.values()) >= 5
    for pid, nets in photo_networks.items():  # other photos are shared only by a victim and scams
        if len(nets) > 1 and not pid.startswith("stock"):
            roles = {a.truth.role for a in market.ads if pid in a.truth.photo_ids}
            assert ROLE_SCAM in roles and len(roles - {ROLE_SCAM}) <= 1


def test_reposts_point_to_an_earlier_ad_of_the_same_persona(market):
    reposts = [a for a in market.ads if a.truth.repost_of]
    assert len(reposts) > 100
    for ad in reposts:
        site, source_id = ad.truth.repost_of.split(":", 1)
        earlier = market.ad(site, source_id)
        assert earlier is not None and earlier.site == ad.site
        assert earlier.truth.persona_id == ad.truth.persona_id and earlier.last_day < ad.first_day
        assert earlier.source_id != ad.source_id


def test_edits_change_text_or_prices_over_versions(market):
    edited = [a for a in market.ads if len(a.versions) > 1 and a.truth.role == ROLE_INDEPENDENT]
    assert len(edited) > 300
    assert any(a.versions[0].rates != a.versions[1].rates for a in edited)
    assert any(a.versions[0].text != a.versions[1].text for a in edited)
    for ad in market.ads:  # a new version always shows something new
        for old, new in pairwise(ad.versions):
            assert (old.title, old.text, old.rates, old.fields) != (
                new.title,
                new.text,
                new.rates,
                new.fields,
            )


# --- the truth is what the ads say -----------------------------------------------------------------------------


def test_every_cue_is_written_where_truth_says(market):
    for ad in market.ads:
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            for cue in t.cues:
                assert cue.code in INDICATOR_CODES
                if cue.where == "title":
                    assert cue.phrase in v.title
                elif cue.where == "text":
                    assert cue.phrase in v.text
                elif cue.where == "field":
                    assert cue.phrase in v.fields.values()
                elif cue.where == "services":
                    assert cue.phrase in v.services
                else:
                    assert cue.where == "photo"
                    assert any(ph.overlay_text == cue.phrase for ph in v.photos)
            assert not (t.indicators & t.negated_decoys), (ad.key, t.cues)


def test_neutral_text_holds_no_cue_vocabulary(market):
    """Remove what the truth lists; nothing cue-like may remain, or the truth would be incomplete."""
    words = re.compile(
        "|".join(
            [rf"(?<!\w){re.escape(w)}(?!\w)" for w in vocab.CUE_WORDS]
            + [rf"(?<!\w){p}" for p in vocab.CUE_PREFIXES]
        ),
        re.IGNORECASE,
    )
    for ad in market.ads:
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            rest = f"{v.title}\n{v.text}"
            removable = [c.phrase for c in t.cues] + [p.rendered for p in t.phones] + [t.place_written]
            removable += ad.truth.emails
            for value in sorted(removable, key=len, reverse=True):
                rest = rest.replace(value, " ")
            found = words.search(rest)
            assert found is None, (ad.key, found.group(0), rest)
            assert not set(v.services) & set(vocab.SERVICES_UNPROTECTED + vocab.SERVICES_EXTREME) - {
                c.phrase for c in t.cues
            }


def test_every_indicator_and_decoys_are_present(market):
    present = Counter(code for a in market.ads for code in a.truth.indicators)
    assert set(present) == set(INDICATOR_CODES)
    decoys = [c for a in market.ads for t in a.truth.versions for c in t.cues if c.negated]
    assert len(decoys) > 150
    phrases = {c.phrase for c in decoys}
    assert {"Altijd met condoom.", "Geen AV.", "no BBBJ"} & phrases
    assert Counter(c.code for c in decoys).most_common(1)[0][0] == "UNPROTECTED_SERVICES"
    by_role = defaultdict(list)
    for ad in market.ads:
        by_role[ad.truth.role].append(len(ad.truth.indicators))
    mean = {role: sum(v) / len(v) for role, v in by_role.items()}
    assert mean[ROLE_TELEFONIST] > 2 * mean[ROLE_INDEPENDENT]
    assert mean[ROLE_TEMPLATE] > 2 * mean[ROLE_INDEPENDENT]


def test_third_person_only_in_network_ads(market):
    third = Counter(a.truth.role for a in market.ads if "THIRD_PERSON" in a.truth.indicators)
    assert third[ROLE_TELEFONIST] > 50 and third[ROLE_INDEPENDENT] == 0


def test_ages_declared_in_text_and_conflicting_on_purpose(market):
    conflicts = 0
    for ad in market.ads:
        assert 18 <= ad.truth.declared_age <= 60
        assert str(ad.truth.declared_age) in ad.versions[0].fields["age"]
        for v, t in zip(ad.versions, ad.truth.versions, strict=True):
            if t.text_age is not None:
                assert t.text_age >= 18 and re.search(rf"\b{t.text_age}\b", v.text)
                assert t.age_conflict == (t.text_age != ad.truth.declared_age)
                conflicts += t.age_conflict
    assert conflicts > 20
    young = [a.truth.declared_age for a in market.ads if a.truth.role == ROLE_TELEFONIST]
    old = [a.truth.declared_age for a in market.ads if a.truth.role == ROLE_INDEPENDENT]
    assert sum(young) / len(young) < sum(old) / len(old)


def test_languages_dutch_english_and_mixed(market):
    texts = [a.versions[0].text for a in market.ads]
    dutch = sum(" ik " in t.lower() or "mijn" in t.lower() for t in texts)
    english = sum(" i " in f" {t.lower()} " or " my " in f" {t.lower()} " for t in texts)
    assert dutch > 1000 and english > 400
    mixed = [t for t in texts if any(s in t for s in vocab.BODY_NL) and any(s in t for s in vocab.BODY_EN)]
    assert len(mixed) > 20


def test_emails_are_declared_and_reserved_domains(market):
    with_email = [a for a in market.ads if a.email]
    assert len(with_email) > 100
    for ad in with_email:
        assert ad.truth.emails == [ad.email]
        assert ad.email.split("@")[1] in {"example.com", "example.net", "example.org"}
    # Two personas share an address only when the truth says they are one person (an address shared
    # by chance would be a real link between strangers in the data).
    owners: dict[str, set[str]] = {}
    for ad in with_email:
        owners.setdefault(ad.email, set()).add(ad.truth.persona_id)
    assert all(len(p) == 1 for p in owners.values())


def test_email_tags_never_repeat_within_a_million_addresses():
    from zicht.demo.market import _EmailTags

    tags = _EmailTags(seed=8)
    drawn = [tags.new() for _ in range(_EmailTags.SIZE)]
    assert len(set(drawn)) == _EmailTags.SIZE


def test_every_writer_has_words_of_her_own(market):
    """The stock sentences alone make unrelated texts read alike at national scale; each writer (a
    worker, an ad manager's template, a scam operator's house text) also has sentences of her own:
    the same in all her ads, and rarely another writer's."""

    def alternatives(template: str, values: dict[str, str]) -> str:
        out = re.escape(template)
        for slot, pattern in values.items():
            out = out.replace(re.escape("{" + slot + "}"), f"(?:{pattern})")
        return out

    hobbies = {lang: "|".join(re.escape(h) for h in items) for lang, items in vocab.OWN_HOBBIES.items()}
    own = re.compile(
        "|".join(
            alternatives(lead, {"a": hobbies[lang], "b": hobbies[lang]})
            for (lang, _), leads in vocab.OWN_LEADS.items()
            for lead in leads
        )
    )
    favourite = re.compile(
        "|".join(
            alternatives(sentence, {"v": "|".join(re.escape(v) for v in values)})
            for items in vocab.OWN_FAVOURITES.values()
            for sentence, values in items
        )
    )
    by_writer: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for ad in market.ads:
        writer = ad.truth.template_id or ad.truth.persona_id
        for v in ad.versions:
            found = own.findall(v.text)
            assert len(found) <= 1, (ad.key, found)
            fav = favourite.findall(v.text)
            by_writer[writer][(found[0] if found else "", fav[0] if fav else "")] += 1
    assert len(by_writer) > 500
    # Most of a writer's ads carry her words (another site's copy may swap one sentence).
    kept = [words.most_common(1)[0][0] for words in by_writer.values()]
    assert sum(1 for sentence, _ in kept if sentence) >= 0.9 * len(kept)
    # Few writers share them: 2,208 first sentences per language, and most add a second.
    together = Counter(words for words in kept if words[0])
    shared = sum(n for n in together.values() if n > 1)
    assert shared <= 0.1 * len(kept), (shared, len(kept))
