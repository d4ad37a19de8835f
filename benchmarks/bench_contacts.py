"""Contact extraction throughput on generated ad texts.

The whole extraction stage should handle >= 1,000 ad versions/s, so contact extraction has to stay a
small fraction of a millisecond per ad. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_contacts.py [--ads 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import phonenumbers
from phonenumbers import PhoneNumberType

from zicht.extract.contacts import find_contacts
from zicht.extract.phone_formats import PHONE_FORMAT_CLASSES, render_phone
from zicht.extract.phones import find_phones

SOURCES = [("NL", PhoneNumberType.MOBILE)] * 6 + [
    ("NL", PhoneNumberType.FIXED_LINE),
    ("RO", PhoneNumberType.MOBILE),
    ("ES", PhoneNumberType.MOBILE),
    ("CO", PhoneNumberType.MOBILE),
    ("VE", PhoneNumberType.MOBILE),
    ("BG", PhoneNumberType.MOBILE),
    ("PL", PhoneNumberType.MOBILE),
    ("BE", PhoneNumberType.MOBILE),
    ("DE", PhoneNumberType.MOBILE),
]
OPENERS = [
    "Hoi schatjes! Ik ben {name}, {age} jaar, nieuw in {city}.",
    "Lieve {name} ({age}) ontvangt je discreet in {city}.",
    "New in town! Sexy {name}, {age} years, real pics 100% echt.",
    "{name} uit {city}, jong en ondeugend, net {age} geworden.",
]
BODY = [
    "Ik ben een lieve meid met een mooi figuur, maat 36, cup 75C, 1.70m en 58 kg.",
    "Tarieven: 30 min €100, 1 uur €150, 2 uur 250, escort op aanvraag. Hele nacht € 1.250.",
    "Beschikbaar ma-za 10.00 - 02.00 uur, zondag van 12 tot 22. Vandaag 12-03-2026 nog plek!",
    "Privé ontvangst in een schone woning, postcode 6211 AB, gratis parkeren voor de deur.",
    "Geen anonieme nummers, geen sms. Alleen serieuze heren aub.",
    "Ik doe alles wat jij wilt, met respect en hygiëne. Kusjes 😘💋🔥",
    "24/7 bereikbaar via whatsapp. Echte foto's, geen nep!",
    "Available for incall and outcall, speak English, Español y Nederlands.",
]
HANDLES = [
    "Mail: {handle}@gmail.com",
    "snap: {handle}",
    "Telegram: @{handle}",
    "insta: @{handle}",
    "https://wa.me/{e164}",
    "{handle} [at] hotmail [dot] com",
]
NAMES = ["Anna", "Sofia", "Lara", "Bianca", "Mia", "Valentina", "Chantal", "Daisy"]
CITIES = ["Tilburg", "Maastricht", "Den Haag", "Rotterdam", "Heerlen", "Zwolle", "Groningen"]


def random_number(rng: random.Random) -> str:
    while True:
        region, kind = rng.choice(SOURCES)
        nsn = phonenumbers.national_significant_number(phonenumbers.example_number_for_type(region, kind))
        code = phonenumbers.country_code_for_region(region)
        tail = "".join(rng.choice("0123456789") for _ in range(4))
        number = phonenumbers.parse(f"+{code}{nsn[:-4]}{tail}", None)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def random_ad(rng: random.Random) -> str:
    name = rng.choice(NAMES)
    parts = [rng.choice(OPENERS).format(name=name, age=rng.randint(18, 45), city=rng.choice(CITIES))]
    parts += rng.sample(BODY, rng.randint(2, 5))
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        number = random_number(rng)
        parts.insert(
            rng.randint(1, len(parts)),
            f"Bel of app: {render_phone(number, rng.choice(PHONE_FORMAT_CLASSES), rng)}",
        )
    if rng.random() < 0.4:
        handle = f"{name.lower()}{rng.randint(1, 99)}"
        parts.append(rng.choice(HANDLES).format(handle=handle, e164=random_number(rng).lstrip("+")))
    return rng.choice((" ", "\n")).join(parts)


def measure(func, ads: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    found = sum(len(func(ad)) for ad in ads)
    return time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    ads = [random_ad(rng) for _ in range(args.ads)]
    chars = sum(len(ad) for ad in ads)
    print(f"{len(ads):,} generated ads, {chars / len(ads):,.0f} characters on average")
    find_contacts(ads[0])  # warm-up: phonenumbers loads its metadata lazily

    for label, func in (("find_phones", find_phones), ("find_contacts", find_contacts)):
        runs = [measure(func, ads) for _ in range(args.repeat)]
        seconds = statistics.median(t for t, _ in runs)
        found = runs[0][1]
        print(
            f"{label:14s} {len(ads) / seconds:10,.0f} ads/s  {found / seconds:10,.0f} contacts/s  "
            f"{seconds / len(ads) * 1e6:8.1f} µs/ad  ({found:,} contacts, median of {args.repeat})"
        )


if __name__ == "__main__":
    main()
