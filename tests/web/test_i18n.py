"""The catalogues: every string in the UI has Dutch text, and the compiled files are current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from zicht.web import i18n

WEB_DIR = Path(i18n.__file__).parent


def catalogue(lang: str, suffix: str = "po"):  # type: ignore[no-untyped-def]
    path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.{suffix}"
    with open(path, "rb") as fh:
        return read_po(fh) if suffix == "po" else read_mo(fh)


def used_messages() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB_DIR), method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_ui_string_has_a_dutch_translation() -> None:
    nl = catalogue("nl")
    used = used_messages()
    assert len(used) > 100  # extraction really found the templates
    missing = sorted(m for m in used if m not in nl or not nl[m].string or not all(nl[m].string))
    assert missing == [], "run `python -m zicht.web.i18n extract && ... update`, then translate"


def translated(cat) -> dict:  # type: ignore[no-untyped-def]
    out = {}
    for m in cat:
        key = m.id if isinstance(m.id, str) else tuple(m.id)
        value = m.string if isinstance(m.string, str) else tuple(m.string)
        if m.id and value and (isinstance(value, str) or all(value)):
            out[key] = value
    return out


def test_compiled_catalogues_match_their_sources() -> None:
    for lang in i18n.LANGUAGES:
        assert translated(catalogue(lang, "mo")) == translated(catalogue(lang)), (
            f"{lang}: run `python -m zicht.web.i18n compile`"
        )


def test_placeholders_survive_translation() -> None:
    import re

    for message in catalogue("nl"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(re.findall(r"%\(\w+\)\w", "".join(ids)))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)\w", s)) == wanted, message.id


def test_language_choice() -> None:
    assert i18n.choose_language(None, None) == "nl"
    assert i18n.choose_language("en", "nl") == "en"
    assert i18n.choose_language(None, "en") == "en"
    assert i18n.choose_language("fr", "xx") == "nl"
    assert i18n.gettext("nl", "Ads") == "Advertenties" and i18n.gettext("en", "Ads") == "Ads"


def test_times_are_shown_in_dutch_local_time() -> None:
    from datetime import UTC, datetime

    winter = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 5, 9, 0, tzinfo=UTC)
    assert i18n.format_datetime(winter, "nl") == "5 jan 2026 10:00"
    assert i18n.format_datetime(summer, "en") == "5 Jul 2026 11:00"
    assert i18n.format_number(12345, "nl") == "12.345"


def test_counts_of_personas_and_ads_use_singular_and_plural() -> None:
    """ "1 persona, 1 advertentie", never "1 persona's, 1 advertenties" (network and movement pages)."""
    from zicht.web.rendering import Templates

    templates = Templates()
    expr = (
        '{{ ngettext("%(num)s persona", "%(num)s personas", p, num=p) }}, '
        '{{ ngettext("%(num)s ad", "%(num)s ads", a, num=a) }}'
    )
    nl, en = (templates.environments[lang].from_string(expr) for lang in ("nl", "en"))
    assert nl.render(p=1, a=1) == "1 persona, 1 advertentie"
    assert nl.render(p=2, a=3) == "2 persona's, 3 advertenties"
    assert en.render(p=1, a=2) == "1 persona, 2 ads"
    # the pages use these plural entries, not a fixed plural
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "zicht" / "web" / "templates"
    for name in ("ad/detail.html", "networks/page.html", "movement/places.html"):
        source = (root / name).read_text()
        assert 'ngettext("%(num)s ad", "%(num)s ads"' in source, name
        assert "%(p)s personas, %(a)s ads" not in source and '_("%(n)s ads"' not in source, name
