"""Phrase banks for the demo market: names, neutral sentences, indicator cues and their negated decoys.

Data only. The banks are kept apart on purpose: a neutral sentence never contains a cue word (no
"jong", "24/7", "hotel", "zij", "onze", "echt", "whatsapp", "nieuw", ...), so the ground truth of an
ad is exactly the cues the generator put in. ``tests/demo/test_market.py`` checks that separation.

Slots: {name} {age} {place} {phone} {price} {services} {names2}. All texts are invented.
"""

from __future__ import annotations

# --- names -------------------------------------------------------------------------------------------

NAMES_WOMEN = (
    "Anna", "Lisa", "Sophie", "Eva", "Emma", "Julia", "Lotte", "Sanne", "Mila", "Nina", "Bianca",
    "Chantal", "Kim", "Melissa", "Naomi", "Jessica", "Priscilla", "Roxy", "Candy", "Angel", "Bella",
    "Luna", "Jade", "Ruby", "Maria", "Elena", "Andreea", "Ioana", "Daria", "Valentina", "Camila",
    "Isabella", "Gabriela", "Natalia", "Katya", "Olga", "Nicole", "Vanessa", "Monique", "Yasmin",
    "Romy", "Femke", "Esmee", "Kelly", "Tamara", "Mandy", "Denise", "Sabrina", "Larissa", "Alina",
    "Bianka", "Diana", "Carmen", "Lucia", "Paola", "Sofia", "Irina", "Viktoria", "Alexandra", "Nadia",
    "Svetlana", "Milena", "Petra", "Ilona", "Sharon", "Wendy", "Linda", "Patricia", "Zoë", "Noor",
    "Fleur", "Iris", "Roos", "Demi", "Britt", "Amber", "Jasmijn", "Lieke", "Mariska", "Kiki", "Gigi",
    "Foxy", "Sasha", "Tiffany", "Destiny", "Crystal", "Mia", "Lola", "Stella", "Vera", "Ella",
)  # fmt: skip
NAMES_MEN = (
    "Mark", "Kevin", "Daan", "Ricardo", "Mike", "Jason", "Rick", "Sven", "Thomas", "Marco", "Dennis",
    "Bas", "Youssef", "Luca", "Sem",
)  # fmt: skip
NAMES_TRANS = ("Bianca TS", "Lola TS", "Kimberly", "Shakira", "Natasha TS", "Jolie", "Alexa TS", "Carla")
COUPLE_TEMPLATES = ("{m} & {w}", "Stel {w} en {m}", "{w} en {m}", "Koppel {m}&{w}")

ADJECTIVES_NL = (
    "spontane", "sportieve", "lieve", "ondeugende", "rustige", "vrolijke", "sensuele", "slanke",
    "rondborstige", "donkerblonde", "zwoele", "charmante", "speelse", "elegante", "ervaren", "warme",
)  # fmt: skip
ADJECTIVES_EN = ("sweet", "sporty", "naughty", "elegant", "charming", "playful", "sensual", "slim", "curvy")
NOUNS_NL = {"vrouw": ("vrouw", "dame", "meid"), "man": ("man", "heer"), "trans": ("ts", "transdame")}
NOUNS_EN = {"vrouw": ("lady", "woman"), "man": ("guy", "man"), "trans": ("ts lady",)}

# --- neutral sentences (first person unless noted) ---------------------------------------------------

OPENERS_NL = (
    "Hoi, ik ben {name}, een {adj} {noun} uit de buurt van {place}.",
    "Hallo heren, ik ben {name} en ik ontvang je graag in {place}.",
    "Mijn naam is {name}, {adj} {noun} met een goed gevoel voor humor.",
    "Ben jij op zoek naar een {adj} {noun}? Dan ben je bij mij, {name}, aan het goede adres.",
    "Hey schat, {name} hier, een {adj} {noun} in {place}.",
    "Welkom op mijn pagina! Ik ben {name}, {adj} en ontspannen.",
)
OPENERS_EN = (
    "Hi, I'm {name}, a {adj} {noun} in {place}.",
    "Hello gentlemen, my name is {name} and I would love to meet you in {place}.",
    "Welcome to my page! I am {name}, {adj} and relaxed.",
)
BODY_NL = (
    "Ik neem graag de tijd voor je, haast is er bij mij niet.",
    "Respect en hygiëne vind ik erg belangrijk.",
    "Bij mij kun je helemaal tot rust komen.",
    "Ik houd van een goed gesprek en een glaasje wijn vooraf.",
    "Ik ben goed verzorgd en verwacht dat ook van jou.",
    "Een afspraak maken kan vanaf een uur van tevoren.",
    "Ik werk op afspraak, bel me gerust voor de mogelijkheden.",
    "Ik hou van mooie lingerie en hoge hakken.",
    "Heb je een speciale wens? Vraag het gerust.",
    "Gezelligheid staat bij mij voorop.",
    "Ik spreek Nederlands, Engels en een beetje Duits.",
    "Parkeren kan gratis voor de deur.",
    "Douche en handdoeken zijn aanwezig.",
    "Ik ontvang in een rustige straat.",
)
# A writer's own words: what each advertiser says about herself beyond the stock phrases. Every
# writer (a worker, an ad manager's template, a scam operator's house text) draws her own sentences
# from these parts, so two writers rarely share them, as in a real market where texts are written by
# many different people. Neutral on purpose: no ages, places, numbers or indicator cues.
OWN_LEADS = {
    ("nl", False): ("Ik hou van {a} en {b}.", "In mijn vrije tijd ben ik bezig met {a} en {b}.",
                    "Naast dit werk doe ik aan {a} en {b}.", "Mijn hobby's zijn {a} en {b}."),
    ("en", False): ("I enjoy {a} and {b}.", "In my free time I love {a} and {b}.",
                    "Outside of this I spend my days on {a} and {b}.", "My hobbies are {a} and {b}."),
    # Third-person texts: no pronoun (those are cues of their own, see ``CUES["THIRD_PERSON"]``).
    ("nl", True): ("Hobby's: {a} en {b}.", "Vrije tijd: {a} en {b}."),
    ("en", True): ("Hobbies: {a} and {b}.", "Free time: {a} and {b}."),
}  # fmt: skip
OWN_HOBBIES = {
    "nl": ("koken", "dansen", "wandelen", "fietsen", "lezen", "zwemmen", "tuinieren", "schilderen",
           "yoga", "films kijken", "winkelen", "tennis", "paardrijden", "fotografie", "zingen", "bakken",
           "schaatsen", "pilates", "tekenen", "puzzelen", "borduren", "hardlopen", "gamen", "breien"),
    "en": ("cooking", "dancing", "walking", "cycling", "reading", "swimming", "gardening", "painting",
           "yoga", "watching films", "shopping", "tennis", "horse riding", "photography", "singing",
           "baking", "skating", "pilates", "drawing", "puzzles", "embroidery", "running", "gaming",
           "knitting"),
}  # fmt: skip
OWN_FAVOURITES = {
    "nl": (("Mijn lievelingskleur is {v}.", ("blauw", "rood", "groen", "paars", "zwart", "wit", "roze", "geel")),
           ("Mijn favoriete muziek is {v}.", ("jazz", "soul", "pop", "R&B", "klassiek", "house", "latin")),
           ("Mijn favoriete seizoen is de {v}.", ("lente", "zomer", "herfst", "winter")),
           ("Ik drink het liefst {v}.", ("thee", "koffie", "champagne", "rode wijn", "witte wijn", "cola")),
           ("Mijn sterrenbeeld is {v}.", ("Ram", "Stier", "Tweelingen", "Kreeft", "Leeuw", "Maagd",
                                          "Weegschaal", "Schorpioen", "Boogschutter", "Steenbok",
                                          "Waterman", "Vissen"))),
    "en": (("My favourite colour is {v}.", ("blue", "red", "green", "purple", "black", "white", "pink", "yellow")),
           ("My favourite music is {v}.", ("jazz", "soul", "pop", "R&B", "classical", "house", "latin")),
           ("My favourite season is {v}.", ("spring", "summer", "autumn", "winter")),
           ("I like to drink {v}.", ("tea", "coffee", "champagne", "red wine", "white wine", "cola")),
           ("My star sign is {v}.", ("Aries", "Taurus", "Gemini", "Cancer", "Leo", "Virgo", "Libra",
                                     "Scorpio", "Sagittarius", "Capricorn", "Aquarius", "Pisces"))),
}  # fmt: skip
BODY_EN = (
    "I take my time, no rush with me.",
    "Respect and hygiene are very important to me.",
    "I love a good conversation and a glass of wine first.",
    "Do you have a special wish? Just ask.",
    "I speak English and a little Dutch.",
    "Free parking in front of the door.",
)
RECEPTION_NL = {
    "prive-ontvangst": "Ik ontvang in een schone, sfeervolle woning in {place}.",
    "thuisontvangst": "Ik ontvang je bij mij thuis in {place}.",
    "escort": "Ik kom ook bij je thuis, reiskosten in overleg.",
    "massage": "Ik geef een ontspannende massage met warme olie.",
    "erotische-massage": "Ik geef een ontspannende erotische massage met warme olie.",
}
RECEPTION_EN = {
    "prive-ontvangst": "I receive you in a clean private apartment in {place}.",
    "thuisontvangst": "I receive you at my place in {place}.",
    "escort": "I also visit you at home, travel costs on request.",
    "massage": "I give a relaxing massage with warm oil.",
    "erotische-massage": "I give a relaxing erotic massage with warm oil.",
}
SERVICES_LINE_NL = (
    "Mijn services: {services}.",
    "Wat ik doe: {services}.",
    "Je kunt bij mij terecht voor {services}.",
)
SERVICES_LINE_THIRD = ("Services: {services}.", "Mogelijkheden: {services}.")
SERVICES_LINE_EN = ("My services: {services}.", "I offer {services}.")
CONTACT_NL = (
    "Bel of app me op {phone}.",
    "Bellen voor een afspraak: {phone}",
    "Mijn nummer: {phone}",
    "Neem contact op via {phone}.",
    "Tel: {phone}",
)
CONTACT_EN = ("Call me on {phone}.", "My number: {phone}", "Phone {phone}")
CONTACT_PHOTO_NL = ("Mijn nummer staat op de foto.", "Bel het nummer op mijn foto.")
CONTACT_PHOTO_EN = ("My number is on the photo.",)
CLOSERS_NL = ("Tot snel! Kus {name}", "Hopelijk tot gauw, {name} x", "Liefs, {name}", "Groetjes van {name}")
CLOSERS_EN = ("See you soon, {name} x", "Kisses, {name}", "Love, {name}")
TITLES_NL = (
    "{name} ({age}) in {place}",
    "{adj_cap} {name} verwent je",
    "{name}, gezellig in {place}",
    "{name} - {place}",
    "Heerlijke {name} uit {place}",
    "{name} {age} jaar",
)
TITLES_EN = ("{name} ({age}) in {place}", "{adj_cap} {name} waiting for you", "{name} - {place}")
AGE_TEXT_NL = ("Ik ben {text_age} jaar.", "ik ben {text_age}.", "Leeftijd: {text_age} jaar.")
AGE_TEXT_EN = ("I am {text_age} years old.", "Age: {text_age}.")
RATES_LINE_NL = ("Tarieven: {rates}", "Prijzen: {rates}")
RATES_LINE_EN = ("Rates: {rates}",)

# Third-person network texts: the neutral part (the cue sentence comes from CUES["THIRD_PERSON"]).
NETWORK_BODY_NL = (
    "{name} ontvangt in {place}.",
    "Afspraak met {name} maken kan via {phone}.",
    "{name} werkt op afspraak.",
    "Leeftijd {name}: {age}.",
)
NETWORK_BODY_EN = ("{name} receives in {place}.", "Book {name} via {phone}.")

# Widely copied generic sentences: hub values that link unrelated ads.
GENERIC_SENTENCES = (
    "Kom genieten van een heerlijk moment samen, je zult er geen spijt van krijgen.",
    "Laat je verwennen en vergeet de drukte van de dag.",
    "Come and enjoy an unforgettable moment together.",
)

# --- services, rates, hours, features --------------------------------------------------------------

SERVICES_NEUTRAL = (
    "Zoenen", "Tongzoenen", "Knuffelen", "Massage", "Erotische massage", "Pijpen met condoom",
    "Neuken met condoom", "Striptease", "Rollenspel", "Dildoshow", "Samen douchen", "Vingeren",
    "Beffen", "69", "Lingerie", "Body to body massage", "Handjob", "Voetfetisj", "GFE",
)  # fmt: skip
SERVICES_NEUTRAL_EN = ("Kissing", "Massage", "Cuddling", "Striptease", "Role play", "Shower together", "GFE")
SERVICES_UNPROTECTED = ("Pijpen zonder", "AV", "BBBJ", "Bareback", "Neuken zonder condoom")
SERVICES_EXTREME = ("Alles kan", "Geen grenzen", "Extreem", "Golden shower", "SM hard", "Fisting", "Kaviaar")
SERVICES_DECOY = ("Alles met condoom", "Altijd met condoom", "Geen AV")
EXTREME_LIST_MIN = 18  # a service list at least this long counts as EXTREME_SERVICES (cue where=services)
NEUTRAL_LIST_MAX = 9  # neutral lists stay well below it

RATE_FORMATS = (
    "30 min €{p30}",
    "1 uur €{p60}",
    "1 uur {p60},-",
    "half uur: {p30} euro",
    "€ {p20} / 20 min",
    "15 min {p15} euro",
    "2 uur €{p120}",
    "1 hour {p60} eur",
    "30 min = € {p30},-",
    "escort vanaf 2 uur €{p120e}",
)
HOURS_NEUTRAL = (
    "ma-vr 10:00-22:00",
    "dagelijks 12-24 uur",
    "op afspraak",
    "Ma t/m za 11.00 - 23.00",
    "di, do, za 14:00-02:00",
    "weekend 10-18",
    "mon-fri 11am-10pm",
)
FEATURES_HAIR = ("blond", "donkerblond", "bruin", "zwart", "rood", "lichtbruin")
FEATURES_BODY = ("slank", "sportief", "rond", "tenger", "vol")
FEATURES_CUP = ("cup A", "cup B", "cup C", "cup D", "cup DD", "cup E")
ORIENTATIONS = ("hetero", "bi", "hetero", "hetero", "homo")
GENDER_LABELS = {"vrouw": "vrouw", "man": "man", "trans": "trans", "stel": "stel"}

# Origins, as the "afkomst" field or in the text. Special-category data: always a STATED_ORIGIN cue.
ORIGIN_FIELD = (
    "Nederlands", "Roemeens", "Bulgaars", "Pools", "Hongaars", "Latina", "Colombiaans", "Venezolaans",
    "Braziliaans", "Oost-Europees", "Spaans", "Oekraïens", "Thais", "Dominicaans", "Belgisch",
)  # fmt: skip
ORIGIN_TEXT_NL = (
    "Ik ben een {origin_adj} {noun}.",
    "Mooie {origin_adj} dame.",
)
ORIGIN_ADJ = (
    "Roemeense", "Bulgaarse", "Poolse", "Hongaarse", "Colombiaanse", "Venezolaanse", "Braziliaanse",
    "Oost-Europese", "Latina", "Oekraïense", "Dominicaanse",
)  # fmt: skip

# --- places as written --------------------------------------------------------------------------------

CITY_PARTS = ("Zuid", "Noord", "Centrum", "Oost", "West")
BIG_CITY_PART_WRITE = ("{city}-{part}", "{city} {part}", "{city} ({part})")
PLACE_PREFIXES = ("regio {place}", "omgeving {place}", "{place} e.o.")

# --- cues ------------------------------------------------------------------------------------------------
# Per code: (phrase, language) pairs. {place} and {name} are filled in; the filled phrase is the cue.

CUES: dict[str, tuple[tuple[str, str], ...]] = {
    "AVAILABLE_247": (
        ("24/7 bereikbaar", "nl"),
        ("Altijd beschikbaar, dag en nacht.", "nl"),
        ("Dag en nacht open!", "nl"),
        ("available anytime", "en"),
        ("available 24/7", "en"),
    ),
    "UNPROTECTED_SERVICES": (
        ("Pijpen zonder condoom mogelijk.", "nl"),
        ("Ook zonder condoom.", "nl"),
        ("AV mogelijk", "nl"),
        ("BBBJ included", "en"),
        ("bareback possible", "en"),
    ),
    "EXTREME_SERVICES": (
        ("Bij mij kan alles, geen grenzen!", "nl"),
        ("Alles kan en alles mag.", "nl"),
        ("Geen taboes, geen grenzen.", "nl"),
        ("no limits, everything possible", "en"),
    ),
    "YOUTH_EMPHASIS": (
        ("Jonge meid", "nl"),
        ("jong en strak", "nl"),
        ("lekker jong ding", "nl"),
        ("young and fresh", "en"),
        ("very young girl", "en"),
    ),
    "TRUST_LANGUAGE": (
        ("100% echte foto's!", "nl"),
        ("Echte foto's, geen nep.", "nl"),
        ("Veilig & discreet", "nl"),
        ("real pics 100%", "en"),
        ("Real photos, no fake!", "en"),
    ),
    "THIRD_PERSON": (
        ("Zij is een lieve meid van {age} jaar.", "nl"),
        ("Zij ontvangt je graag in {place}.", "nl"),
        ("Wij bieden de beste service in {place}.", "nl"),
        ("She is waiting for you in {place}.", "en"),
        ("Our girls are waiting for you.", "en"),
        ("Onze meiden staan voor je klaar.", "nl"),
    ),
    "MULTIPLE_WORKERS": (
        ("2 meiden aanwezig", "nl"),
        ("Keuze uit meerdere dames.", "nl"),
        ("Ook samen met {names2} te boeken.", "nl"),
        ("3 girls available", "en"),
        ("Keuze uit 4 dames!", "nl"),
    ),
    "NEW_IN_TOWN": (
        ("Nieuw in {place}!", "nl"),
        ("Alleen deze week in {place}.", "nl"),
        ("new in town", "en"),
        ("Last days in {place}!", "en"),
        ("Nieuw in {place}, alleen deze week", "nl"),
    ),
    "RESTRICTED_CONTACT": (
        ("Alleen WhatsApp!", "nl"),
        ("Geen anonieme nummers.", "nl"),
        ("sms only", "en"),
        ("Only WhatsApp, no calls", "en"),
        ("Alleen via whatsapp, niet bellen", "nl"),
    ),
    "HOTEL_OR_TEMP_LOCATION": (
        ("Ontvangst in hotel in {place}.", "nl"),
        ("Ik verblijf deze week in een vakantiepark.", "nl"),
        ("Ontvangst in een bungalow bij {place}.", "nl"),
        ("Incall in my hotel room", "en"),
    ),
    "STATED_ORIGIN": (
        ("Mooie {origin_adj} dame.", "nl"),
        ("Hete {origin_adj} meid.", "nl"),
        ("Sexy Latina", "en"),
        ("Romanian girl", "en"),
    ),
    # OBSCURED_CONTACT has no phrase: it comes from the way the number is written (see market.py).
}

# Negated decoys: look like a code's phrases, say the opposite. Must NOT count as hits.
DECOYS: dict[str, tuple[tuple[str, str], ...]] = {
    "UNPROTECTED_SERVICES": (
        ("Altijd met condoom.", "nl"),
        ("Alles met condoom, geen uitzonderingen.", "nl"),
        ("Geen AV.", "nl"),
        ("no BBBJ", "en"),
        ("No bareback, sorry.", "en"),
        ("Pijpen zonder condoom doe ik niet.", "nl"),
    ),
    "AVAILABLE_247": (
        ("Niet 24/7 bereikbaar, alleen op afspraak.", "nl"),
        ("not available 24/7", "en"),
    ),
    "EXTREME_SERVICES": (
        ("Niet alles kan, ik heb mijn grenzen.", "nl"),
        ("Geen extreme dingen.", "nl"),
        ("no extreme stuff", "en"),
    ),
    "YOUTH_EMPHASIS": (
        ("Geen jonge meid meer, wel ervaren.", "nl"),
        ("not a young girl anymore", "en"),
    ),
    "NEW_IN_TOWN": (("Niet nieuw in {place}: al jaren vast adres.", "nl"),),
    "HOTEL_OR_TEMP_LOCATION": (("Geen hotelbezoek, eigen vaste woning.", "nl"),),
    "RESTRICTED_CONTACT": (("Anonieme nummers zijn ook welkom.", "nl"),),
    "MULTIPLE_WORKERS": (("Ik werk alleen, er zijn geen andere dames.", "nl"),),
}

HOURS_247 = ("24/7", "dag en nacht", "24 uur per dag")  # hours-field cues for AVAILABLE_247

# Cue vocabulary the neutral banks must never contain (checked by the tests, case-insensitive):
# whole words/phrases, and word prefixes.
CUE_WORDS = (
    "24/7", "dag en nacht", "altijd beschikbaar", "anytime", "zonder", "bbbj", "bareback", "av",
    "alles kan", "limits", "young", "fresh", "real", "zij", "wij", "onze", "she", "our", "we",
    "meiden", "dames", "girls", "new in", "deze week", "last days", "sms", "vakantiepark", "bungalow",
    "latina", "romanian", "discreet", "incall",
)  # fmt: skip
CUE_PREFIXES = ("jong", "echt", "veilig", "grenz", "nieuw", "whatsapp", "anoniem", "hotel", "roemeen")

OVERLAY_NEW = ("nieuw!", "NIEUW!")

# --- extra contact lines and look-alike numbers (drawn from streams of their own, see market._extras) -----------
# A second number of the writer's own; {n} is the number as written.
SECOND_NUMBER_NL = ("Tweede nummer: {n}", "Of bel mijn andere nummer {n}", "Werknummer: {n}")
SECOND_NUMBER_EN = ("Second number: {n}", "Or call my other number {n}", "Work phone: {n}")
# Two numbers separated by nothing but one space: {a} the usual number, {b} the second one.
NUMBER_PAIR_NL = ("Bel {a} {b}", "Nummers: {a} {b}")
NUMBER_PAIR_EN = ("Call {a} {b}", "Numbers: {a} {b}")
# A chat link carrying the number ({d}: the digits with country code, no "+"). No cue words: a bare link
# says nothing about restricted contact.
WHATSAPP_LINKS = (
    "App: wa.me/{d}",
    "https://wa.me/{d}",
    "https://wa.me/{d}?text=Hoi",
    "https://api.whatsapp.com/send?phone={d}",
)
TELEGRAM_LINKS = ("Telegram: t.me/+{d}", "https://t.me/+{d}")
# Digit groups that are not phone numbers: dates, postcodes, body measurements, house numbers, HHMM-HHMM
# opening hours. Slots: {dd} {mm} {dd2} {mm2} {pc} {l2} {hn} {street} {b} {w} {h} {kg} {o} {c}.
LOOKALIKES_NL = (
    "Vakantie van {dd}-{mm}-2026 tot {dd2}-{mm2}-2027",
    "Vrij op {dd}/{mm}/2026",
    "Parkeren kan bij postcode {pc} {l2}",
    "Maten {b}-{w}-{h}, {kg} kg",
    "Ingang aan de {street} {hn}",
    "Open {o}-{c}",
    "Geopend van {o} tot {c}",
)
LOOKALIKES_EN = (
    "Away from {dd}.{mm}.2026 to {dd2}.{mm2}.2027",
    "Free parking near {pc} {l2}",
    "Measurements {b}-{w}-{h}, {kg} kg",
    "Entrance at {street} {hn}",
    "Open {o}-{c}",
)
LOOKALIKE_STREETS = ("Kerkstraat", "Stationsweg", "Molenweg", "Dorpsstraat", "Industrieweg", "Parklaan")

# --- what the truth records of the declared fields (codes the evaluation compares facts with) -----------------
# Service checklist items -> service code; None: not a service (a decoy such as "Altijd met condoom").
SERVICE_CODES: dict[str, str | None] = {
    "Zoenen": "zoenen", "Tongzoenen": "tongzoenen", "Knuffelen": "knuffelen", "Massage": "massage",
    "Erotische massage": "massage", "Pijpen met condoom": "pijpen", "Neuken met condoom": "gv",
    "Striptease": "striptease", "Rollenspel": "rollenspel", "Dildoshow": "dildo", "Samen douchen": "douchen",
    "Vingeren": "vingeren", "Beffen": "beffen", "69": "69", "Lingerie": None, "Body to body massage": "massage",
    "Handjob": "handjob", "Voetfetisj": "voetfetisj", "GFE": "gfe", "Kissing": "zoenen", "Cuddling": "knuffelen",
    "Role play": "rollenspel", "Shower together": "douchen", "Pijpen zonder": "pijpen_zonder", "AV": "av",
    "BBBJ": "pijpen_zonder", "Bareback": "gv_zonder", "Neuken zonder condoom": "gv_zonder", "Alles kan": "no_limits",
    "Geen grenzen": "no_limits", "Extreem": "no_limits", "Golden shower": "golden_shower", "SM hard": "sm",
    "Fisting": "fisting", "Kaviaar": "kaviaar", "Alles met condoom": None, "Altijd met condoom": None,
    "Geen AV": None,
}  # fmt: skip
# The reception field as the sites write it -> reception type.
RECEPTION_CODES = {
    "prive-ontvangst": "prive_ontvangst", "thuisontvangst": "thuisontvangst", "escort": "escort",
    "erotische-massage": "erotische_massage", "massage": "massage",
}  # fmt: skip
# The origin field -> country (ISO) or region.
ORIGIN_CODES = {
    "Nederlands": "NL", "Roemeens": "RO", "Bulgaars": "BG", "Pools": "PL", "Hongaars": "HU",
    "Latina": "latin_america", "Colombiaans": "CO", "Venezolaans": "VE", "Braziliaans": "BR",
    "Oost-Europees": "eastern_europe", "Spaans": "ES", "Oekraïens": "UA", "Thais": "TH", "Dominicaans": "DO",
    "Belgisch": "BE",
}  # fmt: skip
# Languages a writer may list (code, Dutch name, English name), and the sentences that list them.
LANGUAGE_NAMES = (
    ("nl", "Nederlands", "Dutch"), ("en", "Engels", "English"), ("de", "Duits", "German"),
    ("fr", "Frans", "French"), ("es", "Spaans", "Spanish"), ("it", "Italiaans", "Italian"),
)  # fmt: skip
LANGUAGE_LINES_NL = ("Ik spreek {langs}.", "Talen: {langs}.")
# Stock body sentences that list languages too (the truth records them as well).
BODY_LANGUAGES = {
    "Ik spreek Nederlands, Engels en een beetje Duits.": ("nl", "en", "de"),
    "I speak English and a little Dutch.": ("en", "nl"),
}
# Reception sentences (RECEPTION_NL/EN) that offer a service: a massage sentence offers massage. ("I also
# visit you at home" is the reception type escort, measured as the reception, not listed as a service.)
RECEPTION_SERVICES = {"massage": "massage", "erotische-massage": "massage"}
LANGUAGE_LINES_EN = ("I speak {langs}.", "Languages: {langs}.")
# Messenger handles (kind, line): {h} is the handle, unique to one writer.
HANDLE_LINES = (
    ("snapchat", "Snap: {h}"), ("snapchat", "Snapchat: {h}"), ("instagram", "Insta: @{h}"),
    ("instagram", "Instagram: @{h}"), ("telegram", "Telegram: @{h}"),
)  # fmt: skip
