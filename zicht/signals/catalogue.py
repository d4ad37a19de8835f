"""The indicator catalogue: load, validate and compile ``catalogue.yaml`` once.

The catalogue is data so that analysts can read and change what is looked for, and so that every stored
hit and score can name the exact catalogue version that produced it. Validation is strict and names the
entry and the problem, because a silently broken regex or a mis-typed evidence level would change risk
advice without anyone noticing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

try:  # structural regex checks; the private parser exists in every CPython >= 3.11
    from re import _constants as _sre_constants
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - other interpreters: skip the structural checks
    _sre_parser = None
    _sre_constants = None

EVIDENCE_LEVELS = ("validated", "practitioner", "not_predictive")
SCOPES = ("ad", "network")
LANGUAGES = ("nl", "en")
DEFAULT_NEGATION_WINDOW = 1
MAX_WEIGHT = 0.95  # noisy-OR needs weight < 1, otherwise one indicator alone would mean certainty

# Conditions an entry may put under ``facts:``. kind -> (value type, text_derived, meaning).
# ``text_derived`` conditions restate something the extractors read from the ad's own text; when the
# ad text negates the same indicator ("geen AV") and has no positive match, such a fact is not counted.
FACT_CONDITIONS: dict[str, tuple[str, bool, str]] = {
    "available_247": ("bool", True, "Facts.available_247 equals the value"),
    "contact_obscured": ("bool", False, "some contact has obscured=True (number written to evade search)"),
    "contact_source_in": ("list", False, "some contact was found in one of these sources (e.g. photo)"),
    "contact_kinds_only": ("list", False, "there are contacts and all are of these kinds"),
    "age_below": ("number", False, "Facts.age is known and lower than the value"),
    "stated_age_below": (
        "number",
        False,
        "some stated age (Facts.age, age_declared or age_text) is known and lower than the value",
    ),
    "origin_present": ("bool", False, "Facts.origin is filled in"),
    "reception_in": ("list", True, "Facts.reception is one of these values"),
    "services_any": ("list", True, "Facts.services contains one of these service codes"),
    "services_count_at_least": ("number", False, "Facts.services lists at least this many services"),
    "price_per_hour_below_median_ratio": (
        "number",
        False,
        "the ad's hourly price is below value x context['median_price_per_hour']; not evaluated without it",
    ),
}

# The documented shape of catalogue.yaml (also used to reject unknown keys, which are usually typos).
CATALOGUE_SCHEMA: dict[str, Any] = {
    "version": "str 'YYYY.MM.N'; bump on every non-comment change (rules at the top of catalogue.yaml)",
    "indicators": {
        "code": "required; UPPER_SNAKE_CASE, unique",
        "name": "required; {nl: str, en: str}",
        "explanation": "required; {nl: str, en: str}; plain words, says so when research found it not predictive",
        "evidence_level": f"required; one of {', '.join(EVIDENCE_LEVELS)}",
        "weight": f"required; 0 <= float <= {MAX_WEIGHT}; must be 0 for not_predictive",
        "sources": "required; non-empty list of {title: str, url: http(s) str} or {title: str, reference: str}",
        "scope": f"optional; one of {', '.join(SCOPES)} (default ad); network entries have no patterns/facts and are not scored yet",
        "patterns": "optional; {nl: [regex], en: [regex]}, lower case, auto word-bounded",
        "negations": "optional; {nl: [regex], en: [regex]} cues before a match that cancel it",
        "negations_after": "optional; {nl: [regex], en: [regex]} cues right after a match that cancel it",
        "negation_window": f"optional; int 0..6, words allowed between cue and match (default {DEFAULT_NEGATION_WINDOW})",
        "facts": f"optional; list of single-key mappings, keys from FACT_CONDITIONS: {', '.join(FACT_CONDITIONS)}",
        "special_category": "optional; bool, true when the indicator touches special-category personal data",
        "examples": "optional; {positive|negated|negative: {nl: [str], en: [str]}, facts_positive|facts_negative: [{facts, context}]}",
    },
}

_REQUIRED_KEYS = ("code", "name", "explanation", "evidence_level", "weight", "sources")
_ENTRY_KEYS = frozenset(CATALOGUE_SCHEMA["indicators"])
_EXAMPLE_TEXT_KEYS = ("positive", "negated", "negative")
_EXAMPLE_FACT_KEYS = ("facts_positive", "facts_negative")
_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_VERSION_RE = re.compile(r"^\d{4}\.(?:[1-9]|1[0-2])\.[1-9]\d*$")
_LARGE_REPEAT = 50


class CatalogueError(ValueError):
    """The catalogue is invalid; the message names the entry and the problem."""


@dataclass(frozen=True)
class Bilingual:
    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class FactCondition:
    kind: str
    value: Any

    @property
    def text_derived(self) -> bool:
        return FACT_CONDITIONS[self.kind][1]


@dataclass(frozen=True, eq=False)
class Indicator:
    """One catalogue entry, with its patterns compiled (one alternation per indicator)."""

    code: str
    name: Bilingual
    explanation: Bilingual
    evidence_level: str
    weight: float
    scope: str
    sources: tuple[Source, ...]
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negations_after: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negation_window: int = DEFAULT_NEGATION_WINDOW
    facts: tuple[FactCondition, ...] = ()
    special_category: bool = False
    examples: dict[str, Any] = field(default_factory=dict)
    matcher: re.Pattern[str] | None = None
    negation_before: re.Pattern[str] | None = None
    negation_after: re.Pattern[str] | None = None
    anchors: frozenset[str] | None = None  # word prefixes a match must start with; None = always scan

    @property
    def has_text_patterns(self) -> bool:
        return self.matcher is not None

    @property
    def counts_toward_score(self) -> bool:
        return self.evidence_level != "not_predictive" and self.weight > 0

    @property
    def source_note(self) -> str:
        return "; ".join(s.title for s in self.sources)


@dataclass(frozen=True)
class AnchorIndex:
    """3-character token prefixes (``full``) and shorter ones (``short``) mapped to indicator codes;
    ``always`` lists indicators whose patterns can start anywhere and are always scanned."""

    full: dict[str, tuple[str, ...]]
    short: dict[str, tuple[str, ...]]
    always: tuple[str, ...]
    _memo: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def codes_for(self, key: str) -> tuple[str, ...]:
        """Indicator codes whose anchors a token starting with ``key`` (its first <= 3 chars) can match."""
        codes = self._memo.get(key)
        if codes is None:
            found = list(self.full.get(key, ()))
            for k in {key[:1], key[:2]}:
                found.extend(self.short.get(k, ()))
            codes = tuple(dict.fromkeys(found))
            if len(self._memo) < 50_000:
                self._memo[key] = codes
        return codes


@dataclass(frozen=True, eq=False)
class Catalogue:
    version: str
    indicators: tuple[Indicator, ...]
    fingerprint: str
    origin: str = "<catalogue>"

    def by_code(self) -> Mapping[str, Indicator]:
        """Read-only mapping code -> indicator (built once)."""
        return self._by_code

    @cached_property
    def _by_code(self) -> Mapping[str, Indicator]:
        return MappingProxyType({ind.code: ind for ind in self.indicators})

    def get(self, code: str) -> Indicator:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"indicator {code!r} is not in catalogue {self.version}") from None

    @cached_property
    def ad_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.scope == "ad")

    @cached_property
    def anchor_index(self) -> AnchorIndex:
        """Which ad indicators a token prefix can start, so the engine only tries patterns where they can match."""
        full: dict[str, list[str]] = {}
        short: dict[str, list[str]] = {}
        always: list[str] = []
        for ind in self.ad_indicators:
            if ind.matcher is None:
                continue
            if ind.anchors is None:
                always.append(ind.code)
                continue
            for anchor in sorted(ind.anchors):
                (full if len(anchor) == 3 else short).setdefault(anchor, []).append(ind.code)
        return AnchorIndex(
            full={k: tuple(v) for k, v in full.items()},
            short={k: tuple(v) for k, v in short.items()},
            always=tuple(always),
        )

    @property
    def network_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.scope == "network")


def default_catalogue_path() -> Path:
    return Path(str(resources.files("zicht.signals").joinpath("catalogue.yaml")))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load, validate and compile a catalogue file (the packaged one by default); cached per file state."""
    p = Path(path) if path is not None else default_catalogue_path()
    try:
        stat = p.stat()
    except OSError as exc:
        raise CatalogueError(f"{p}: cannot read catalogue: {exc}") from exc
    return _load_cached(str(p.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> Catalogue:
    text = Path(path).read_text(encoding="utf-8")
    return parse_catalogue(text, origin=Path(path).name)


def parse_catalogue(source: str | dict[str, Any], origin: str = "<catalogue>") -> Catalogue:
    """Validate and compile catalogue data given as YAML text or an already parsed mapping."""
    if isinstance(source, str):
        try:
            data = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            raise CatalogueError(f"{origin}: not valid YAML: {exc}") from exc
    else:
        data = source
    if not isinstance(data, dict):
        raise CatalogueError(f"{origin}: top level must be a mapping with 'version' and 'indicators'")
    unknown = set(data) - {"version", "indicators"}
    if unknown:
        raise CatalogueError(f"{origin}: unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}")
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        raise CatalogueError(f"{origin}: 'version' must be a string like \"2026.11.1\", got {version!r}")
    entries = data.get("indicators")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{origin}: 'indicators' must be a non-empty list")

    indicators: list[Indicator] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        ind = _parse_entry(entry, position, origin)
        if ind.code in seen:
            raise CatalogueError(f"{origin}: entry '{ind.code}': duplicate code")
        seen.add(ind.code)
        indicators.append(ind)
    return Catalogue(
        version=version, indicators=tuple(indicators), fingerprint=fingerprint(data), origin=origin
    )


def fingerprint(data: dict[str, Any]) -> str:
    """sha256 of the catalogue content without its version: detects changes made without a version bump."""
    content = {k: v for k, v in data.items() if k != "version"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------- entries


def _parse_entry(entry: Any, position: int, origin: str) -> Indicator:
    label = f"entry #{position + 1}"
    if isinstance(entry, dict) and isinstance(entry.get("code"), str):
        label = f"entry '{entry['code']}'"

    def fail(problem: str) -> CatalogueError:
        return CatalogueError(f"{origin}: {label}: {problem}")

    if not isinstance(entry, dict):
        raise fail("must be a mapping")
    missing = [k for k in _REQUIRED_KEYS if k not in entry]
    if missing:
        raise fail(f"missing required field(s): {', '.join(missing)}")
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise fail(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")

    code = entry["code"]
    if not isinstance(code, str) or not _CODE_RE.match(code):
        raise fail(f"code must be UPPER_SNAKE_CASE, got {code!r}")
    name = _bilingual(entry["name"], "name", fail)
    explanation = _bilingual(entry["explanation"], "explanation", fail)

    level = entry["evidence_level"]
    if level not in EVIDENCE_LEVELS:
        raise fail(f"unknown evidence_level {level!r} (allowed: {', '.join(EVIDENCE_LEVELS)})")
    weight = entry["weight"]
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise fail(f"weight must be a number, got {weight!r}")
    weight = float(weight)
    if not 0.0 <= weight <= MAX_WEIGHT:
        raise fail(f"weight must be between 0 and {MAX_WEIGHT}, got {weight}")
    if level == "not_predictive" and weight != 0.0:
        raise fail(f"not_predictive indicators must have weight 0 (shown, never scored), got {weight}")

    scope = entry.get("scope", "ad")
    if scope not in SCOPES:
        raise fail(f"unknown scope {scope!r} (allowed: {', '.join(SCOPES)})")
    sources = _sources(entry["sources"], fail)

    patterns = _regex_lists(entry.get("patterns"), "patterns", fail)
    negations = _regex_lists(entry.get("negations"), "negations", fail)
    negations_after = _regex_lists(entry.get("negations_after"), "negations_after", fail)
    window = entry.get("negation_window", DEFAULT_NEGATION_WINDOW)
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 6:
        raise fail(f"negation_window must be an integer 0..6, got {window!r}")
    facts = _fact_conditions(entry.get("facts"), fail)
    special = entry.get("special_category", False)
    if not isinstance(special, bool):
        raise fail(f"special_category must be true or false, got {special!r}")
    examples = _examples(entry.get("examples"), fail)

    if scope == "network" and (patterns or facts):
        raise fail(
            "network-scope indicators span several ads and are not evaluated per ad: remove patterns and facts"
        )
    if scope == "ad" and not patterns and not facts:
        raise fail("an ad-scope indicator needs patterns or facts, otherwise it can never be found")
    if (negations or negations_after) and not patterns:
        raise fail("negations given but no patterns to negate")

    all_patterns = [p for lang in LANGUAGES for p in patterns.get(lang, ())]
    matcher = _compile_alternation(all_patterns, fail) if all_patterns else None
    before = [c for lang in LANGUAGES for c in negations.get(lang, ())]
    after = [c for lang in LANGUAGES for c in negations_after.get(lang, ())]
    return Indicator(
        code=code,
        name=name,
        explanation=explanation,
        evidence_level=level,
        weight=weight,
        scope=scope,
        sources=sources,
        patterns=patterns,
        negations=negations,
        negations_after=negations_after,
        negation_window=window,
        facts=facts,
        special_category=special,
        examples=examples,
        matcher=matcher,
        negation_before=_compile_cues(before, after=False) if before else None,
        negation_after=_compile_cues(after, after=True) if after else None,
        anchors=_alternation_anchors(all_patterns) if all_patterns else None,
    )


def _bilingual(value: Any, what: str, fail: Any) -> Bilingual:
    if not isinstance(value, dict):
        raise fail(f"{what} must be a mapping with nl and en")
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise fail(f"{what}.{lang} is missing or empty")
    extra = set(value) - set(LANGUAGES)
    if extra:
        raise fail(f"{what} has unknown language(s): {', '.join(sorted(map(str, extra)))}")
    return Bilingual(nl=value["nl"].strip(), en=value["en"].strip())


def _sources(value: Any, fail: Any) -> tuple[Source, ...]:
    if not isinstance(value, list) or not value:
        raise fail("sources must be a non-empty list: every indicator needs at least one source")
    out = []
    for i, src in enumerate(value):
        if not isinstance(src, dict) or not isinstance(src.get("title"), str) or not src["title"].strip():
            raise fail(f"sources[{i}] needs a title")
        url, ref = src.get("url"), src.get("reference")
        if url is None and ref is None:
            raise fail(f"sources[{i}] ('{src['title']}') needs a url or a reference")
        if url is not None and (not isinstance(url, str) or not re.match(r"^https?://\S+$", url)):
            raise fail(f"sources[{i}] url must start with http:// or https://, got {url!r}")
        if ref is not None and (not isinstance(ref, str) or not ref.strip()):
            raise fail(f"sources[{i}] reference must be a non-empty string")
        extra = set(src) - {"title", "url", "reference"}
        if extra:
            raise fail(f"sources[{i}] has unknown field(s): {', '.join(sorted(map(str, extra)))}")
        out.append(Source(title=src["title"].strip(), url=url, reference=ref))
    return tuple(out)


def _regex_lists(value: Any, what: str, fail: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(f"{what} must be a mapping of language to a list of regexes")
    out: dict[str, tuple[str, ...]] = {}
    for lang, items in value.items():
        if lang not in LANGUAGES:
            raise fail(f"{what} has unknown language {lang!r} (allowed: {', '.join(LANGUAGES)})")
        if not isinstance(items, list):
            raise fail(f"{what}.{lang} must be a list")
        for i, pattern in enumerate(items):
            problem = check_pattern(pattern)
            if problem:
                raise fail(f"{what}.{lang}[{i}] {pattern!r}: {problem}")
        out[lang] = tuple(items)
    return out


def _fact_conditions(value: Any, fail: Any) -> tuple[FactCondition, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail("facts must be a list of conditions")
    out = []
    for i, cond in enumerate(value):
        if not isinstance(cond, dict) or len(cond) != 1:
            raise fail(f"facts[{i}] must be a mapping with exactly one condition")
        ((kind, arg),) = cond.items()
        if kind not in FACT_CONDITIONS:
            raise fail(f"facts[{i}]: unknown condition {kind!r} (known: {', '.join(FACT_CONDITIONS)})")
        expected = FACT_CONDITIONS[kind][0]
        ok = (
            (expected == "bool" and isinstance(arg, bool))
            or (
                expected == "number"
                and isinstance(arg, int | float)
                and not isinstance(arg, bool)
                and arg > 0
            )
            or (expected == "list" and isinstance(arg, list) and arg and all(isinstance(a, str) for a in arg))
        )
        if not ok:
            raise fail(f"facts[{i}]: condition {kind!r} needs a {expected} value, got {arg!r}")
        out.append(FactCondition(kind=kind, value=tuple(arg) if isinstance(arg, list) else arg))
    return tuple(out)


def _examples(value: Any, fail: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail("examples must be a mapping")
    extra = set(value) - set(_EXAMPLE_TEXT_KEYS) - set(_EXAMPLE_FACT_KEYS)
    if extra:
        raise fail(f"examples has unknown key(s): {', '.join(sorted(map(str, extra)))}")
    for key in _EXAMPLE_TEXT_KEYS:
        group = value.get(key)
        if group is None:
            continue
        if not isinstance(group, dict) or set(group) - set(LANGUAGES):
            raise fail(f"examples.{key} must be a mapping of nl/en to lists of texts")
        for lang, texts in group.items():
            if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
                raise fail(f"examples.{key}.{lang} must be a list of non-empty texts")
    for key in _EXAMPLE_FACT_KEYS:
        group = value.get(key)
        if group is None:
            continue
        if not isinstance(group, list) or not all(isinstance(g, dict) and "facts" in g for g in group):
            raise fail(f"examples.{key} must be a list of {{facts: {{...}}, context: {{...}}}} mappings")
    return value


# --------------------------------------------------------------------------------------------- regexes


def check_pattern(pattern: Any) -> str | None:
    """Return why a pattern is unacceptable, or None. Guards against silent breakage and slow regexes."""
    if not isinstance(pattern, str) or not pattern.strip():
        return "must be a non-empty string"
    if re.search(r"[A-Z]", re.sub(r"\\.", "", pattern)):
        return "write patterns in lower case (they are matched against lower-cased text)"
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"bad regex: {exc}"
    if compiled.match("") is not None:
        return "matches the empty string"
    return _structure_problem(pattern)


def _structure_problem(pattern: str) -> str | None:
    if _sre_parser is None:  # pragma: no cover
        return None
    c = _sre_constants
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}

    def broad(sub: Any) -> bool:
        items = list(sub)
        if len(items) != 1:
            return False
        op, av = items[0]
        if op in (c.ANY, c.NOT_LITERAL):
            return True
        if op is c.IN:
            return any(
                o is c.NEGATE
                or (
                    o is c.CATEGORY and a in (c.CATEGORY_NOT_SPACE, c.CATEGORY_NOT_WORD, c.CATEGORY_NOT_DIGIT)
                )
                for o, a in av
            )
        return False

    def walk(items: Any, inside_unbounded: bool) -> str | None:
        for op, av in items:
            if op in repeats:
                _lo, hi, sub = av
                unbounded = hi == c.MAXREPEAT or hi > _LARGE_REPEAT
                if inside_unbounded and hi > 1:
                    return "nested repetition (catastrophic backtracking risk)"
                if unbounded and broad(sub):
                    return "unbounded repetition of a broad class such as . or [^x] (use \\s+ or \\w+)"
                problem = walk(sub, inside_unbounded or unbounded)
            elif op is c.BRANCH:
                problem = next((p for alt in av[1] if (p := walk(alt, inside_unbounded))), None)
            elif op is c.SUBPATTERN:
                problem = walk(av[3], inside_unbounded)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                problem = walk(av[1], inside_unbounded)
            elif op is getattr(c, "ATOMIC_GROUP", None):
                problem = walk(av, inside_unbounded)
            else:
                problem = None
            if problem:
                return problem
        return None

    return walk(_sre_parser.parse(pattern), False)


def _compile_alternation(patterns: list[str], fail: Any) -> re.Pattern[str]:
    # The leading word boundary is checked by the engine (a lookbehind here would disable the regex
    # engine's fast first-character test); the trailing one is part of the pattern.
    joined = "|".join(f"(?:{p})" for p in patterns)
    try:
        return re.compile(f"(?:{joined})(?!\\w)")
    except re.error as exc:  # pragma: no cover - each part compiled on its own already
        raise fail(f"patterns do not combine: {exc}") from exc


def _compile_cues(cues: list[str], after: bool) -> re.Pattern[str]:
    parts = []
    for cue in cues:
        head = "(?<!\\w)" if re.match(r"[\w(\\]", cue) else ""
        tail = "(?!\\w)" if re.search(r"[\w)]$", cue) else ""
        parts.append(f"{head}(?:{cue}){tail}")
    joined = "|".join(parts)
    if after:  # anchored with .match() at the end of a hit: a few separators, then the cue
        return re.compile(f"[ \\t:=\\-–—>(?]{{0,4}}(?:{joined})")
    return re.compile(joined)


def _alternation_anchors(patterns: list[str]) -> frozenset[str] | None:
    """Word prefixes (<= 3 chars) that every match of one of ``patterns`` must start with.

    Lets the engine skip an indicator when no token of the text starts that way. None when some
    pattern could start anywhere (then the indicator is always scanned).
    """
    if _sre_parser is None:  # pragma: no cover
        return None
    anchors: set[str] = set()
    for pattern in patterns:
        found = _pattern_anchors(list(_sre_parser.parse(pattern)))
        if found is None or "" in found:
            return None
        anchors |= found
        if len(anchors) > 400:
            return None
    return frozenset(anchors)


def _pattern_anchors(seq: list[Any], prefix: str = "", depth: int = 0) -> set[str] | None:
    c = _sre_constants
    if len(prefix) >= 3 or depth > 40:
        return {prefix[:3]}
    if not seq:
        return {prefix}
    (op, av), rest = seq[0], seq[1:]
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return _pattern_anchors(rest, prefix, depth + 1)
    if op is c.LITERAL:
        ch = chr(av)
        return _pattern_anchors(rest, prefix + ch, depth + 1) if re.match(r"\w", ch) else {prefix}
    if op is c.IN:
        chars = _class_chars(av)
        if chars is None or not all(re.match(r"\w", ch) for ch in chars):
            return {prefix}
        return _union(_pattern_anchors(rest, prefix + ch, depth + 1) for ch in chars)
    if op is c.BRANCH:
        return _union(_pattern_anchors(list(alt) + rest, prefix, depth + 1) for alt in av[1])
    if op is c.SUBPATTERN:
        return _pattern_anchors(list(av[3]) + rest, prefix, depth + 1)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        lo, _hi, sub = av
        if lo == 0:
            return _union(
                [_pattern_anchors(rest, prefix, depth + 1), _pattern_anchors(list(sub), prefix, depth + 1)]
            )
        return _pattern_anchors(list(sub), prefix, depth + 1)
    return {prefix}


def _union(parts: Any) -> set[str] | None:
    out: set[str] = set()
    for part in parts:
        if part is None:
            return None
        out |= part
        if len(out) > 400:
            return None
    return out


def _class_chars(items: Any) -> list[str] | None:
    c = _sre_constants
    chars: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            chars.append(chr(av))
        elif op is c.RANGE and av[1] - av[0] <= 26:
            chars.extend(chr(x) for x in range(av[0], av[1] + 1))
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            chars.extend("0123456789")
        else:
            return None
    return chars


# ------------------------------------------------------------------------------------------------ docs


_LEVEL_LABEL = {
    "validated": ("bevestigd door onderzoek", "validated by research"),
    "practitioner": ("praktijkkennis", "practitioner knowledge"),
    "not_predictive": ("volgens onderzoek GEEN voorspeller", "NOT predictive according to research"),
}


def evidence_label(level: str, lang: str) -> str:
    nl, en = _LEVEL_LABEL[level]
    return nl if lang == "nl" else en


def catalogue_markdown(catalogue: Catalogue) -> str:
    """The per-indicator section of docs/indicators.md, generated so the docs cannot drift from the data."""
    lines = [f"Catalogus / catalogue version **{catalogue.version}**.", ""]
    for ind in catalogue.indicators:
        lines.append(f"### {ind.name.nl} / {ind.name.en} (`{ind.code}`)")
        lines.append("")
        weight = f"{ind.weight:.2f}"
        scope_nl = "per advertentie" if ind.scope == "ad" else "netwerk (nog niet in de score)"
        scope_en = "per ad" if ind.scope == "ad" else "network (not in the score yet)"
        lines.append(
            f"- Bewijs / evidence: **{evidence_label(ind.evidence_level, 'nl')}** / "
            f"{evidence_label(ind.evidence_level, 'en')} — gewicht / weight {weight} — {scope_nl} / {scope_en}"
        )
        if ind.special_category:
            lines.append("- Bijzonder persoonsgegeven / special-category personal data: handle with care.")
        lines.append(f"- NL: {ind.explanation.nl}")
        lines.append(f"- EN: {ind.explanation.en}")
        if ind.facts:
            nl = "; ".join(_describe_condition(f, "nl") for f in ind.facts)
            en = "; ".join(_describe_condition(f, "en") for f in ind.facts)
            lines.append(f"- Ook uit feiten / also from extracted facts: {nl} / {en}")
        lines.append("- Bronnen / sources:")
        for src in ind.sources:
            where = src.url or src.reference
            lines.append(f"  - {src.title} — {where}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _describe_condition(cond: FactCondition, lang: str) -> str:
    v = cond.value
    listed = ", ".join(v) if isinstance(v, tuple) else ""
    number = f"{v:g}" if isinstance(v, int | float) and not isinstance(v, bool) else ""
    texts = {
        "available_247": ("werktijden zeggen 24/7", "working hours say 24/7"),
        "contact_obscured": ("verhuld geschreven nummer", "number written to evade search"),
        "contact_source_in": (f"nummer gevonden in: {listed}", f"number found in: {listed}"),
        "contact_kinds_only": (f"alleen contact via: {listed}", f"contact only via: {listed}"),
        "age_below": (f"opgegeven leeftijd onder {number}", f"stated age under {number}"),
        "stated_age_below": (
            f"een opgegeven leeftijd (veld of tekst) onder {number}",
            f"any stated age (field or text) under {number}",
        ),
        "origin_present": ("afkomst opgegeven", "origin stated in a field"),
        "reception_in": (f"soort ontvangst: {listed}", f"reception type: {listed}"),
        "services_any": (f"dienst genoemd: {listed}", f"service listed: {listed}"),
        "services_count_at_least": (
            f"{number} of meer diensten genoemd",
            f"{number} or more services listed",
        ),
        "price_per_hour_below_median_ratio": (
            f"prijs per uur onder {v:.0%} van de regionale mediaan" if number else "",
            f"hourly price under {v:.0%} of the regional median" if number else "",
        ),
    }
    nl, en = texts[cond.kind]
    return nl if lang == "nl" else en


if __name__ == "__main__":  # python -m zicht.signals.catalogue > section for docs/indicators.md
    print(catalogue_markdown(load_catalogue()), end="")
