"""Languages of the web app: Dutch first, English on request, chosen per request.

Message ids are English; ``zicht/locale/nl`` holds the Dutch text every user sees by default.
The choice comes from ``?lang=`` (then kept in a cookie) or that cookie; the browser's
Accept-Language is ignored on purpose, so a Dutch team sees Dutch on any machine.

Catalogue maintenance (from the repository root)::

    .venv/bin/python -m zicht.web.i18n extract   # templates + zicht/web/*.py -> zicht/locale/zicht.pot
    .venv/bin/python -m zicht.web.i18n update    # merge the .pot into nl and en .po (en = the ids)
    .venv/bin/python -m zicht.web.i18n compile   # .po -> .mo (commit both)
"""

from __future__ import annotations

import sys
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "zicht"
LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"
COOKIE_NAME = "zicht_lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
# Times are stored in UTC and shown as the teams read them: Dutch local time.
TIMEZONE = ZoneInfo("Europe/Amsterdam")


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


@cache
def translations(lang: str) -> NullTranslations:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    found = Translations.load(str(LOCALE_DIR), [lang], DOMAIN)
    if lang != "en" and not isinstance(found, Translations):
        raise RuntimeError(f"message catalogue for {lang!r} missing under {LOCALE_DIR}; run `compile`")
    return found


def choose_language(requested: str | None, cookie: str | None) -> str:
    for candidate in (requested, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def gettext(lang: str, message: str, **values: object) -> str:
    text = translations(lang).gettext(message)
    return text % values if values else text


def format_datetime(value: datetime | None, lang: str) -> str:
    if value is None:
        return ""
    return _babel_datetime(value, "d MMM yyyy HH:mm", tzinfo=TIMEZONE, locale=lang)


def format_number(value: int | float, lang: str) -> str:
    return format_decimal(value, locale=lang)


# ---------------------------------------------------------------- catalogue maintenance


def _babel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", *args])


def _fill_english() -> None:
    """Message ids are English: the English catalogue is the ids themselves, kept complete."""
    from babel.messages.pofile import read_po, write_po

    path = LOCALE_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if message.id and not (message.string if isinstance(message.string, str) else all(message.string)):
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100)


def main(argv: list[str]) -> int:
    """``extract``, ``update`` or ``compile`` the catalogues with Babel."""
    pot = str(LOCALE_DIR / f"{DOMAIN}.pot")
    web_dir = str(Path(__file__).resolve().parent)
    extract = ["extract", "-F", str(LOCALE_DIR / "babel.cfg"), "-k", "N_", "--no-location", "--sort-output"]
    extract += ["--project", "zicht", "--copyright-holder", "Zicht contributors", "-o", pot, web_dir]
    update = ["update", "-i", pot, "-d", str(LOCALE_DIR), "-D", DOMAIN, "--width", "100"]
    update += ["--no-fuzzy-matching", "--ignore-obsolete"]
    compile_ = ["compile", "-d", str(LOCALE_DIR), "-D", DOMAIN, "--statistics"]
    if argv == ["extract"]:
        _babel(*extract)
    elif argv == ["update"]:
        _babel(*update)
        _fill_english()
    elif argv == ["compile"]:
        _babel(*compile_)
    else:
        print("usage: python -m zicht.web.i18n extract|update|compile", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
