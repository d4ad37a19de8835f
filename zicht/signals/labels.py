"""Words people read for the codes the extractors store: services ("zonder_condoom") and stated
origin ("CO", "eastern_europe"), in Dutch and English.

Explanations quote these instead of the codes, so an analyst reads "zonder condoom", "Colombia".
A code without a name here is shown as it is, with "_" as a space, so a new code is never lost.
"""

from __future__ import annotations

from babel import Locale

# code -> (nl, en); the codes of zicht.extract.services.SERVICES
SERVICE_NAMES: dict[str, tuple[str, str]] = {
    "gv": ("geslachtsgemeenschap", "intercourse"),
    "gv_zonder": ("geslachtsgemeenschap zonder condoom", "intercourse without a condom"),
    "zonder_condoom": ("zonder condoom", "without a condom"),
    "fo": ("orale seks (frans)", "oral sex (French)"),
    "fo_zonder": ("orale seks zonder condoom", "oral sex without a condom"),
    "pijpen": ("pijpen", "blowjob"),
    "pijpen_zonder": ("pijpen zonder condoom", "blowjob without a condom"),
    "av": ("anale seks", "anal sex"),
    "av_zonder": ("anale seks zonder condoom", "anal sex without a condom"),
    "cim": ("klaarkomen in de mond", "cum in mouth"),
    "cob": ("klaarkomen op het lichaam", "cum on body"),
    "facial": ("klaarkomen op het gezicht", "facial"),
    "slikken": ("slikken", "swallowing"),
    "zoenen": ("zoenen", "kissing"),
    "tongzoenen": ("tongzoenen", "French kissing"),
    "beffen": ("beffen", "cunnilingus"),
    "vingeren": ("vingeren", "fingering"),
    "rimming": ("rimmen", "rimming"),
    "handjob": ("aftrekken", "handjob"),
    "footjob": ("footjob", "footjob"),
    "deepthroat": ("deepthroat", "deepthroat"),
    "69": ("standje 69", "69"),
    "massage": ("erotische massage", "erotic massage"),
    "striptease": ("striptease", "striptease"),
    "rollenspel": ("rollenspel", "role play"),
    "sm": ("SM / BDSM", "SM / BDSM"),
    "dildo": ("dildo / speeltjes", "dildo / toys"),
    "golden_shower": ("plasseks (golden shower)", "golden shower"),
    "kaviaar": ("kaviaar (scat)", "scat"),
    "fisting": ("fisting", "fisting"),
    "duo": ("duo / trio", "duo / threesome"),
    "gangbang": ("gangbang", "gangbang"),
    "escort": ("escort", "escort"),
    "gfe": ("vriendinnenervaring (GFE)", "girlfriend experience"),
    "pse": ("pornstar experience (PSE)", "pornstar experience"),
    "couples": ("voor stellen", "couples"),
    "webcam": ("webcam", "webcam"),
    "overnachting": ("overnachting", "overnight"),
    "knuffelen": ("knuffelen", "cuddling"),
    "douchen": ("samen douchen", "shower together"),
    "voetfetisj": ("voetfetisj", "foot fetish"),
    "no_limits": ("geen grenzen", "no limits"),
}

# the region codes of zicht.extract.profile.parse_origin -> (nl, en)
REGION_NAMES: dict[str, tuple[str, str]] = {
    "eastern_europe": ("Oost-Europa", "Eastern Europe"),
    "western_europe": ("West-Europa", "Western Europe"),
    "europe": ("Europa", "Europe"),
    "latin_america": ("Latijns-Amerika", "Latin America"),
    "asia": ("Azië", "Asia"),
    "africa": ("Afrika", "Africa"),
    "caribbean": ("Caribisch gebied", "Caribbean"),
    "middle_east": ("Midden-Oosten", "Middle East"),
    "scandinavia": ("Scandinavië", "Scandinavia"),
    "mixed": ("gemengd", "mixed"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "nl" else pair[1]


def service_name(code: str, lang: str) -> str:
    """ "zonder_condoom" -> "zonder condoom" (nl) / "without a condom" (en)."""
    pair = SERVICE_NAMES.get(code)
    return _pick(pair, lang) if pair else code.replace("_", " ")


def origin_name(code: str, lang: str) -> str:
    """ "CO" -> "Colombia"; "eastern_europe" -> "Oost-Europa" / "Eastern Europe"."""
    pair = REGION_NAMES.get(code)
    if pair:
        return _pick(pair, lang)
    return Locale.parse("nl" if lang == "nl" else "en").territories.get(code.upper(), code)
