"""Hand-made ad profiles built through the real profile builder (skeleton, MinHash, keys)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zicht.linking.profile import AdProfile, ContactInput, LinkInput, build_profiles

T0 = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)

TEXT_A = (
    "Hoi, ik ben {name}, een lieve meid uit {place}. Ik neem graag de tijd voor je, haast is er bij mij "
    "niet. Respect en hygiëne vind ik erg belangrijk. Heb je een speciale wens? Vraag het gerust. "
    "Parkeren kan gratis voor de deur. Gezelligheid staat bij mij voorop."
)
TEXT_B = (
    "Welkom op mijn pagina! Ik ben {name}, sportief en ontspannen. Ik houd van een goed gesprek en een "
    "glaasje wijn vooraf. Douche en handdoeken zijn aanwezig. Ik ontvang in een rustige straat in {place}."
)


def photo_hash(seed: int) -> int:
    """A pseudo-random signed 64-bit pHash per seed (far apart for different seeds)."""
    import random

    value = random.Random(seed).getrandbits(64)
    return value - (1 << 64) if value >= 1 << 63 else value


def near(phash: int, bits: int = 2) -> int:
    """The same photo re-encoded: ``bits`` low bits flipped."""
    value = (phash & ((1 << 64) - 1)) ^ ((1 << bits) - 1)
    return value - (1 << 64) if value >= 1 << 63 else value


def make(
    ad_id: int,
    *,
    text: str = "",
    name: str | None = None,
    age: int | None = None,
    place: str = "Heerlen",
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    photos: tuple[tuple[int, int], ...] = (),
    day: int = 0,
    days: int = 10,
    stays: tuple[tuple[int, int, str], ...] = (),
) -> AdProfile:
    body = text.format(name=name or "", place=place)
    contacts = [ContactInput("phone", p, "field", None, None, ad_id) for p in phones]
    contacts += [ContactInput("email", e, "field", None, None, ad_id) for e in emails]
    fields = {"location": place}
    if name:
        fields["name"] = name
    item = LinkInput(
        ad_id=ad_id,
        first_seen=T0 + timedelta(days=day),
        last_seen=T0 + timedelta(days=day + days - 1),
        text_version_id=ad_id,
        text=body,
        fields=fields,
        services=[],
        rates=[],
        age=age,
        contacts=contacts,
        photos=list(photos),
        stays=[(T0 + timedelta(days=a), T0 + timedelta(days=b), g) for a, b, g in stays],
    )
    return build_profiles([item])[0]
