"""Phone numbers in ad text, including the ways advertisers write them to stay out of search results.

Candidates come from our own tokeniser, because phonenumbers' matcher misses obscured forms (words,
letters for digits, emoji digits, odd separators, numbers split over lines or written back to back).
Every candidate is then validated by phonenumbers (a valid number — is_valid_number() — of a type people
answer: mobile, fixed line, VoIP, ...). Precision matters more than recall (a wrong number links unrelated
ads), so look-alikes are masked (dates, opening hours) or fail structural rules (see `_RunScanner`) or
validation (prices, measurements, postcodes).

Work is bounded by design: tokens come from linear regexes without nested quantifiers, a candidate never
spans more than 17 digits, only token starts whose first digit can begin a number are tried, and only
the few lengths a number of that country can have are validated.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import product

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from zicht.extract.phone_formats import NON_PHONE_PATTERN, dutch_number_word, english_number_word
from zicht.extract.text import NormalisedText, fold, fold_in_place, normalise
from zicht.extract.types import Contact, Span

PHONES_VERSION = "phones-1.3"

_ACCEPTED_TYPES = frozenset(
    {
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.VOIP,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.UAN,
        PhoneNumberType.PAGER,
    }
)
# Premium/free/shared-cost ranges (0900, 0800) collide with opening hours ("09.00-12.00 13.00"):
# accepted only when written internationally or as a long number whose first group has >= 4 digits.
_GATED_TYPES = frozenset(
    {PhoneNumberType.PREMIUM_RATE, PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST}
)
_MIN_NSN = 7  # shorter national numbers are service codes, not contact points
_MAX_CANDIDATE = 17  # "00" + 15 digits (E.164 maximum)

_DIGITS, _WORD, _LETTER, _PLUS, _DOUBLE = range(5)
_EN_TENS, _EN_UNIT = 1, 2

_TOKEN: re.Pattern[str]  # compiled below, once the word list exists
_SEPARATOR_CLASS = r"[ \t.,/\\~*_()\[\]{}\u2010-\u2015\u2212\u2022\u00b7-]"
# At most one line break, or one blank line ("06 1234\n\n5678").
_GAP = re.compile(rf"{_SEPARATOR_CLASS}*(?:(?:\r\n|\n|\r)[ \t]*){{0,2}}{_SEPARATOR_CLASS}*")
_MAX_GAP = 6
_MAX_MIXED_STYLES = 3  # separator styles after the prefix of a mobile or internationally written number
_BRACKETS = str.maketrans("", "", "()[]{}")
# Characters of a number written the ordinary way; anything else in the span marks it as obscured.
_PLAIN_CHARS = frozenset("0123456789 +-./()\u00a0\u2013")
# Separator marks: a number written with two of them ("06 - 12.34/56 78") is written to be missed.
_STYLE_MARKS = frozenset("-./")


def _letter_digits() -> dict[str, str]:
    """Letters written for digits ("O6-l2345678"): O/o for 0, l/I for 1, up to three in a row."""
    table = {"O": "0", "o": "0", "l": "1", "I": "1"}
    out = {}
    for size in (1, 2, 3):
        for combo in product(table, repeat=size):
            out["".join(combo)] = "".join(table[c] for c in combo)
    return out


def _number_words() -> dict[str, tuple[str, int]]:
    """Folded word -> (digits, flags). Dutch writes 34 as one word; English as two ("thirty four")."""
    words: dict[str, tuple[str, int]] = {}
    for value in range(100):
        words[fold(dutch_number_word(value))] = (str(value), 0)
    for value in range(20):
        words[english_number_word(value)] = (str(value), _EN_UNIT if 0 < value < 10 else 0)
    for tens in range(20, 100, 10):
        words[english_number_word(tens)] = (str(tens), _EN_TENS)
        for unit in range(1, 10):
            words[english_number_word(tens + unit, "")] = (str(tens + unit), 0)
    words.update({"achtien": ("18", 0), "fourty": ("40", _EN_TENS), "nil": ("0", 0)})
    words.update({"nulzes": ("06", 0), "zerosix": ("06", 0)})  # glued: "nulzes een twee ..."
    return words


_LETTER_DIGITS = _letter_digits()
_WORDS = _number_words()
_SPECIAL_WORDS = {"plus": _PLUS, "dubbel": _DOUBLE, "double": _DOUBLE, "dubble": _DOUBLE}


_ACCENTED = {"e": "[eéëèê]"}  # "één", "tweeëntwintig"


def _trie_pattern(words: list[str]) -> str:
    """One regex alternative per shared prefix, so the engine never retries a long word list."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        ends = "" in node
        branches = [_ACCENTED.get(char, char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return render(trie)


# Tokens, searched in the folded text: digit runs, "+", and whole words that stand for digits (number
# words, "plus", "dubbel", O/o/I/l). Ordinary words are not tokens: the letters they leave in a gap end
# the run. The lookahead lets the regex engine skip quickly to characters that can start a token.
_TOKEN = re.compile(
    r"(?=[0-9+a-zéëèê])(?:[0-9]+|\+|(?<![^\W\d_])(?:"
    + _trie_pattern(sorted({*_WORDS, *_SPECIAL_WORDS}))
    + r"|[oil]{1,3})(?![^\W\d_]))"
)


@dataclass(slots=True)
class _Tok:
    kind: int
    digits: str
    start: int  # offsets in the normalised text
    end: int
    flags: int = 0


def find_phones(
    text: str, default_region: str = "NL", source: str = "text", *, unique: bool = True
) -> list[Contact]:
    """Phone numbers in `text` as E.164 contacts, in text order.

    Spans point into the original `text`. Numbers without a country code are read in `default_region`.
    With unique=False every occurrence is returned (for highlighting), otherwise the first per number.
    """
    if not text:
        return []
    normalised = normalise(text)
    norm = normalised.text
    region = default_region.upper()
    masks = [m.span() for m in NON_PHONE_PATTERN.finditer(norm)]
    found: list[Contact] = []
    for run in _runs(norm, masks):
        for piece in _refine(run, norm):
            if region == "NL":
                piece = _with_mobile_trunk(piece)
            _RunScanner(piece, normalised, region).scan(source, found)
    if not unique:
        return found
    seen: set[str] = set()
    out = []
    for contact in found:
        if contact.value not in seen:
            seen.add(contact.value)
            out.append(contact)
    return out


def normalise_declared_phone(value: str, default_region: str = "NL") -> str | None:
    """E.164 for a declared phone field ("06-12345678", "+31 6 1234 5678", "0031612345678"), else None."""
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"[0-9 +()./\-\u00a0]{6,40}", value):
        try:
            number = phonenumbers.parse(value, default_region.upper())
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    phones = find_phones(value, default_region)
    return phones[0].value if phones else None


# --- tokens and runs -------------------------------------------------------------------------------


_WORD_KINDS: dict[str, tuple[int, str, int] | None] = {}  # memo: ads repeat the same few thousand words


def _word_kind(word: str) -> tuple[int, str, int] | None:
    """(token kind, digits, flags) of a letter run, or None when it is an ordinary word."""
    try:
        return _WORD_KINDS[word]
    except KeyError:
        pass
    kind: tuple[int, str, int] | None = None
    letters = _LETTER_DIGITS.get(word)
    if letters is not None:
        kind = (_LETTER, letters, 0)
    else:
        folded = fold(word)
        entry = _WORDS.get(folded)
        special = _SPECIAL_WORDS.get(folded)
        if entry is not None:
            kind = (_WORD, entry[0], entry[1])
        elif special is not None:
            kind = (special, "+" if special == _PLUS else "", 0)
    if len(_WORD_KINDS) > 50_000:
        _WORD_KINDS.clear()
    _WORD_KINDS[word] = kind
    return kind


def _gap_ok(gap: str, between_digits: bool) -> bool:
    """Separators that may stand inside one number; a comma only between words ("nul, zes, ...")."""
    if gap == " " or not gap:
        return True
    if len(gap) > _MAX_GAP or (between_digits and "," in gap):
        return False
    return _gap_allowed(gap)


@lru_cache(maxsize=4096)
def _gap_allowed(gap: str) -> bool:
    return _GAP.fullmatch(gap) is not None


def _runs(norm: str, masks: list[tuple[int, int]]):
    """Maximal sequences of number-like tokens joined by separator gaps."""
    run: list[_Tok] = []
    prev_end = -1
    last_digits_end = -2
    mask_i = 0
    lower = norm.lower()
    for match in _TOKEN.finditer(lower if len(lower) == len(norm) else fold_in_place(norm)):
        start, end = match.span()
        word = match.group()
        first = word[0]
        if "0" <= first <= "9":
            tok: _Tok | None = _Tok(_DIGITS, word, start, end)
        elif first == "+":
            tok = _Tok(_PLUS, "+", start, end)
        else:
            kind = _word_kind(norm[start:end])
            tok = None if kind is None else _Tok(kind[0], kind[1], start, end, kind[2])
        if masks:
            while mask_i < len(masks) and masks[mask_i][1] <= start:
                mask_i += 1
            if tok is not None and mask_i < len(masks) and masks[mask_i][0] < end:
                tok = None
        if tok is not None and len(word) <= 2 and start == last_digits_end + 1 and norm[start - 1] == ",":
            tok = None  # the cents of "20,00"
        last_digits_end = end if tok is not None and tok.kind == _DIGITS else -2
        if tok is None:
            if run:
                yield run
                run = []
            continue
        if run and not _gap_ok(norm[prev_end:start], run[-1].kind == _DIGITS and tok.kind == _DIGITS):
            yield run
            run = []
        run.append(tok)
        prev_end = end
    if run:
        yield run


def _refine(run: list[_Tok], norm: str) -> list[list[_Tok]]:
    """Resolve context-dependent tokens; split the run where a token turns out not to be a digit."""
    if sum(len(t.digits) for t in run) < _MIN_NSN:
        return []
    pieces: list[list[_Tok]] = []
    current: list[_Tok] = []
    i = 0
    while i < len(run):
        tok = run[i]
        nxt = run[i + 1] if i + 1 < len(run) else None
        if tok.kind == _LETTER:
            prev = current[-1] if current else None
            touches = (prev is not None and prev.kind in (_DIGITS, _PLUS) and prev.end == tok.start) or (
                nxt is not None and nxt.kind == _DIGITS and nxt.start == tok.end
            )
            # "+31 (O)6 …": the trunk zero in brackets, as OCR reads it off a photo
            bracketed = (
                tok.digits == "0" and tok.start > 0 and norm[tok.start - 1 : tok.end + 1].lower() == "(o)"
            )
            if not touches and not bracketed:
                tok = None  # a lone "O" or "I" is a letter
        elif tok.kind == _DOUBLE:
            if nxt is not None and nxt.kind in (_DIGITS, _WORD) and len(nxt.digits) == 1:
                tok = _Tok(_WORD, nxt.digits * 2, tok.start, nxt.end)
                i += 1
            else:
                tok = None
        elif (
            tok.flags & _EN_TENS
            and nxt is not None
            and nxt.flags & _EN_UNIT
            and nxt.start - tok.end <= 1
            and norm[tok.end : nxt.start] in ("", " ", "-")
        ):
            tok = _Tok(_WORD, tok.digits[0] + nxt.digits, tok.start, nxt.end)
            i += 1
        if tok is None:
            if current:
                pieces.append(current)
            current = []
        else:
            current.append(tok)
        i += 1
    if current:
        pieces.append(current)
    return [p for p in pieces if sum(len(t.digits) for t in p) >= _MIN_NSN]


def _with_mobile_trunk(piece: list[_Tok]) -> list[_Tok]:
    """Words for a Dutch mobile number without its "nul" ("zes een twee ... acht"): read as "06...".

    Only where that is unambiguous: the piece is nothing but the word "zes"/"six" and eight more digits,
    all written as words (digits next to it would be a figure of their own)."""
    first = piece[0]
    if (
        first.kind != _WORD
        or first.digits != "6"
        or sum(len(t.digits) for t in piece) != 9
        or any(t.kind != _WORD for t in piece)
    ):
        return piece
    return [_Tok(_WORD, "06", first.start, first.end, first.flags), *piece[1:]]


# --- candidates --------------------------------------------------------------------------------------


@cache
def _nsn_lengths(region: str) -> frozenset[int]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return frozenset()
    lengths: set[int] = set()
    for name in (
        "mobile",
        "fixed_line",
        "voip",
        "personal_number",
        "uan",
        "pager",
        "premium_rate",
        "toll_free",
        "shared_cost",
    ):
        desc = getattr(metadata, name, None)
        if desc is None or not desc.national_number_pattern:
            continue
        lengths.update(desc.possible_length or metadata.general_desc.possible_length or ())
    return frozenset(n for n in lengths if n >= _MIN_NSN)


@cache
def _cc_lengths(cc: int) -> frozenset[int]:
    lengths: set[int] = set()
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(cc, ()):
        lengths |= _nsn_lengths(region)
    return frozenset(lengths)


@cache
def _region_info(region: str) -> tuple[str, str]:
    """(national prefix, country code) of a region, "" where unknown."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return "", ""
    return metadata.national_prefix or "", str(metadata.country_code)


def _country_code_at(digits: str, pos: int) -> str | None:
    for size in (1, 2, 3):
        cc = digits[pos : pos + size]
        if len(cc) == size and cc.isdigit() and int(cc) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return cc
    return None


@dataclass(frozen=True, slots=True)
class _Shape:
    """How a number starting at some position would be written: its possible lengths (longest first),
    the country code it would have, how many characters come before the national number, and whether
    it is the country-code-without-plus form ("31 6 12345678")."""

    lengths: tuple[int, ...]
    cc: int
    head: int
    bare_cc: bool = False


def _shape_at(digits: str, pos: int, region: str) -> _Shape | None:
    if digits[pos] == "+" or digits.startswith("00", pos):
        head = 1 if digits[pos] == "+" else 2
        cc = _country_code_at(digits, pos + head)
        if cc is None:
            return None
        base = head + len(cc)
        lengths = {base + n for n in _cc_lengths(int(cc))}
        if digits[pos + base : pos + base + 1] == "0":  # "+31 (0)6 ...": a written trunk prefix
            lengths |= {n + 1 for n in lengths}
        return _Shape(tuple(sorted(lengths, reverse=True)), int(cc), base)
    trunk, cc = _region_info(region)
    if not cc:
        return None
    nsn_lengths = _nsn_lengths(region)
    if trunk and digits.startswith(trunk, pos):
        return _Shape(tuple(sorted((len(trunk) + n for n in nsn_lengths), reverse=True)), int(cc), len(trunk))
    if digits.startswith(cc, pos):
        return _Shape(tuple(sorted((len(cc) + n for n in nsn_lengths), reverse=True)), int(cc), len(cc), True)
    if not trunk:
        return _Shape(tuple(sorted(nsn_lengths, reverse=True)), int(cc), 0)
    return None


@cache
def _general_patterns(cc: int) -> tuple[tuple[re.Pattern[str], str], ...] | None:
    """Per region of a country code: (pattern every valid national number matches, trunk prefix).
    None where parsing may rewrite the number first (carrier codes, transform rules): no shortcut."""
    out = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(cc, ()):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None or metadata.general_desc is None:
            continue
        for_parsing = metadata.national_prefix_for_parsing or ""
        if metadata.national_prefix_transform_rule or not (for_parsing.isdigit() or not for_parsing):
            return None
        out.append((re.compile(metadata.general_desc.national_number_pattern), for_parsing))
    return tuple(out)


def _plausible(cc: int, nsn: str) -> bool:
    """Cheap necessary condition for validity, checked before the (slower) phonenumbers parse."""
    patterns = _general_patterns(cc)
    if patterns is None:
        return True
    for pattern, trunk in patterns:
        if pattern.fullmatch(nsn) or (
            trunk and nsn.startswith(trunk) and pattern.fullmatch(nsn[len(trunk) :])
        ):
            return True
    return False


@cache
def _fast_parse_ok(cc: int) -> str | None:
    """The trunk prefix parsing would strip for this country code ("" for none), or None where parsing
    does more (carrier codes, transform rules, several differing regions) and must not be bypassed."""
    prefixes = set()
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(cc, ()):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None or metadata.national_prefix_transform_rule:
            return None
        for_parsing = metadata.national_prefix_for_parsing or ""
        if for_parsing and not for_parsing.isdigit():
            return None
        prefixes.add(for_parsing)
    return prefixes.pop() if len(prefixes) == 1 else None


def _to_number(candidate: str, region: str, bare_cc: bool, shape_cc: int, head: int):
    """PhoneNumber for a candidate; built directly in the common case (parsing is the costly step)."""
    nsn = candidate[head:]
    trunk = _fast_parse_ok(shape_cc)
    if trunk is not None and nsn[:1] not in ("0", "") and not (trunk and nsn.startswith(trunk)):
        return phonenumbers.PhoneNumber(country_code=shape_cc, national_number=int(nsn))
    try:
        return phonenumbers.parse("+" + candidate if bare_cc else candidate, region)
    except phonenumbers.NumberParseException:
        return None


@lru_cache(maxsize=65536)
def _validate(
    candidate: str, region: str, bare_cc: bool, long_first_group: bool, shape_cc: int, head: int
) -> tuple[str, str] | None:
    """(E.164, region of the number) when phonenumbers accepts the candidate as a number people answer.

    number_type() != UNKNOWN is exactly phonenumbers' is_valid_number(); the type also filters."""
    number = _to_number(candidate, region, bare_cc, shape_cc, head)
    if number is None:
        return None
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        return None
    international = candidate[0] == "+" or candidate.startswith("00")
    if bare_cc and kind not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    nsn = phonenumbers.national_significant_number(number)
    if kind not in _ACCEPTED_TYPES and (
        kind not in _GATED_TYPES or not (international or (long_first_group and len(nsn) >= 9))
    ):
        return None
    return f"+{number.country_code}{nsn}", phonenumbers.region_code_for_number(number) or region


@lru_cache(maxsize=65536)
def _is_mobile(e164: str) -> bool:
    """A mobile number: its prefix is specific enough that mixed separators do not make it a guess."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    return kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


@lru_cache(maxsize=65536)
def _prefix_lengths(e164: str) -> tuple[int, int]:
    """(country code length, area/destination code length) — "+31 6", "+31 10", "+49 151"."""
    number = phonenumbers.parse(e164, None)
    return len(str(number.country_code)), phonenumbers.length_of_national_destination_code(number)


class _RunScanner:
    """Reads the numbers in one run of tokens: greedily the longest valid number from each token start.

    Structure rules keep unrelated figures ("03-06 / 19-07 / 83", "16-07 08-09 9718") from being joined:
    a number does not start or end inside a tightly joined digit group ("16-07") unless a neighbouring
    number starts or ends there, and after the prefix group(s) a number uses one separator style (one line
    break allowed). Numbers written back to back without a gap ("06123456780687654321") are split where a
    repeated "06"/"00" or the same prefix starts again.
    """

    def __init__(self, run: list[_Tok], normalised: NormalisedText, region: str) -> None:
        self.run = run
        self.normalised = normalised
        self.region = region
        norm = normalised.text
        spans = normalised.original_span
        offsets = normalised.original_offsets
        identity = normalised.is_identity
        chars: list[str] = []
        ostarts: list[int] = []
        oends: list[int] = []
        tok_starts: list[int] = []
        tok_of: list[int] = []
        cuts: set[int] = set()
        odd = [0]  # prefix counts (per digit) of digits written as words or letters
        letters = [0]  # prefix counts (per digit) of letters written for digits
        singles = [0]  # prefix counts (per token) of one-digit tokens ("0 6 1 2 ...")
        gap_keys: list[str] = []  # per token: the separator before it, brackets dropped
        tight: list[bool] = []  # per token: glued to the previous digit group by one punctuation mark
        pos = 0
        prev = run[0]
        for index, tok in enumerate(run):
            tok_starts.append(pos)
            cuts.add(pos)
            size = len(tok.digits)
            kind = tok.kind
            gap = norm[prev.end : tok.start] if index else ""
            if gap:
                key = _gap_key(gap)
                gap_keys.append(key)
                # one punctuation mark, no space: "16-07"
                tight.append(kind == _DIGITS and prev.kind == _DIGITS and " " not in key and key != "\n")
            else:
                gap_keys.append("")
                tight.append(False)
            if kind == _DIGITS:
                if identity:
                    ostarts += range(tok.start, tok.end)
                    oends += range(tok.start + 1, tok.end + 1)
                else:
                    starts, ends = offsets(tok.start, tok.end)
                    ostarts += starts
                    oends += ends
                if size >= 2 * _MIN_NSN:
                    _add_inner_cuts(tok.digits, pos, cuts)
                odd += [odd[-1]] * size
                letters += [letters[-1]] * size
                singles.append(singles[-1] + (size == 1))
            else:
                ostart, oend = spans(tok.start, tok.end)
                ostarts += [ostart] * size
                oends += [oend] * size
                last = odd[-1]
                odd += range(last + 1, last + size + 1) if kind in (_WORD, _LETTER) else [last] * size
                last = letters[-1]
                letters += range(last + 1, last + size + 1) if kind == _LETTER else [last] * size
                singles.append(singles[-1])
            chars.append(tok.digits)
            tok_of += [index] * size
            pos += size
            prev = tok
        self.ostarts, self.oends, self.tok_starts, self.tok_of = ostarts, oends, tok_starts, tok_of
        self.cuts, self.odd, self.letters, self.singles = cuts, odd, letters, singles
        self.gap_keys, self.tight = gap_keys, tight
        self.digits = "".join(chars)
        self.n = len(self.digits)
        self.cuts.add(self.n)
        self.starts_set = set(self.tok_starts)
        trunk, cc = _region_info(region)
        if trunk:  # only these token starts can begin a number: "+", "00"/trunk "0", or "31" without "+"
            lead = {"+", trunk[0], cc[:1]}
            self.lead_starts = [p for p in self.tok_starts if self.digits[p] in lead]
        else:
            self.lead_starts = self.tok_starts

    def scan(self, source: str, found: list[Contact]) -> None:
        if not self.lead_starts:
            return
        pos = self.lead_starts[0]
        last_end = -1
        ended_inside = False  # the previous match ended inside a token; it stands only if the rest parses
        while pos < self.n:
            match = self.longest_at(pos, after_match=pos == last_end)
            if match is None:
                if ended_inside:
                    found.pop()
                ended_inside = False
                nxt = bisect.bisect_right(self.lead_starts, pos)
                pos = self.lead_starts[nxt] if nxt < len(self.lead_starts) else self.n
                continue
            end, e164, country = match
            found.append(self._contact(pos, end, e164, country, source))
            ended_inside = end < self.n and end not in self.starts_set
            pos = last_end = end

    def longest_at(self, pos: int, after_match: bool, lookahead: bool = True) -> tuple[int, str, str] | None:
        digits = self.digits
        first_tok = self.tok_of[pos]
        if pos in self.starts_set and self.tight[first_tok] and not after_match:
            return None  # "16-07": "07" continues a group, it does not start a number
        shape = _shape_at(digits, pos, self.region)
        if shape is None:
            return None
        bare_cc = shape.bare_cc
        first = self.run[first_tok]
        long_first_group = first.kind == _DIGITS and len(first.digits) >= 4
        for length in shape.lengths:
            end = pos + length
            if end > self.n or end not in self.cuts or length > _MAX_CANDIDATE:
                continue
            candidate = digits[pos:end]
            if "+" in candidate[1:]:
                continue
            letter_count = self.letters[end] - self.letters[pos]
            if letter_count and 2 * letter_count > length - letter_count:
                continue
            if self._too_many_styles(first_tok, self.tok_of[end - 1], 4 if candidate[0] in "+0" else 2):
                continue  # cheap check before parsing; the exact one needs the area-code length
            if not _plausible(shape.cc, candidate[shape.head :]):
                continue
            result = _validate(candidate, self.region, bare_cc, long_first_group, shape.cc, shape.head)
            if result is None or not self._consistent(pos, end, result[0], bare_cc):
                continue
            if (
                lookahead
                and end in self.starts_set
                and end < self.n
                and self.tight[self.tok_of[end]]
                and self.longest_at(end, after_match=True, lookahead=False) is None
            ):
                continue  # "20-03" after a number: the group goes on, so it must itself start a number
            return end, result[0], result[1]
        return None

    def _too_many_styles(self, first_tok: int, last_tok: int, limit: int) -> bool:
        keys = self.gap_keys
        styles = {keys[i] for i in range(first_tok + 1, last_tok + 1)}
        styles.discard("")
        styles.discard("\n")
        return len(styles) > limit

    def _consistent(self, start: int, end: int, e164: str, bare_cc: bool) -> bool:
        """Separator rules that keep unrelated figures apart while reading how numbers are written.

        The prefix boundaries (after "+31", after "06"/"010") may use their own separator. After them a
        number uses one separator style — or, for a strong number (a mobile number, or one written with
        its country code), up to `_MAX_MIXED_STYLES` styles ("06 - 12.34/56 78"). At most one line break
        (a blank line counts as one), never inside the prefix; a break after a lone "dd-mm"-like pair of
        short groups ("06-12\n34 56 78") is accepted for strong numbers only.
        """
        first_tok, last_tok = self.tok_of[start], self.tok_of[end - 1]
        keys = {self.gap_keys[i] for i in range(first_tok + 1, last_tok + 1)}
        keys.discard("")
        if len(keys) <= 1 and "\n" not in keys and not self._lone_trunk(start, first_tok, last_tok, bare_cc):
            return True  # one style throughout: the area-code boundary does not matter
        cc_len, ndc_len = _prefix_lengths(e164)
        digits = self.digits
        international = digits[start] == "+" or digits.startswith("00", start)
        if international:
            head = (1 if digits[start] == "+" else 2) + cc_len
            free = {head - cc_len, head, head + 1, head + ndc_len, head + 1 + ndc_len}
        else:
            head = cc_len if bare_cc else len(_region_info(self.region)[0])
            free = {head + ndc_len}
        if self._lone_trunk(start, first_tok, last_tok, bare_cc):
            return False
        strong = international or _is_mobile(e164)
        styles: set[str] = set()
        all_styles: set[str] = set()
        prefix_styles: set[str] = set()
        inside_prefix = False
        spelled_out = True  # every digit group of the prefix is one digit: "0 6 ...", "+ 3 1 6 ..."
        list_like = False  # a spaced mark (" - ", " / ") or a one-digit group after the prefix boundary
        breaks = 0
        first_gap = True
        for index in range(first_tok + 1, last_tok + 1):
            key = self.gap_keys[index]
            if not key:
                continue
            offset = self.tok_starts[index] - start
            if key == "\n":
                breaks += 1
                line = self.run[first_tok:index]
                looks_like_date = len(line) == 2 and all(len(t.digits) <= 2 for t in line)
                if breaks > 1 or (
                    not international and ((looks_like_date and not strong) or offset < head + ndc_len)
                ):
                    return False
                continue
            all_styles.add(key)
            tok, before = self.run[index], self.run[index - 1]
            in_prefix = (
                (offset < head + ndc_len)
                if not international
                else (offset < head and offset != head - cc_len)
            )
            if in_prefix:
                if tok.kind == _DIGITS and before.kind == _DIGITS:
                    inside_prefix = True  # "0 6 1 2 ...", "05-12 ...": then the digits after look alike
                    prefix_styles.add(key)  # ("nul zes" is written apart, as words always are)
                    spelled_out = spelled_out and len(tok.digits) == 1 and len(before.digits) == 1
            elif offset not in free and not (first_gap and ndc_len == 0):
                styles.add(key)
                if tok.kind == _DIGITS and (len(tok.digits) == 1 or (key[0] == " " and key.strip())):
                    list_like = True
            first_gap = False
        if inside_prefix:
            # Spelled out digit by digit, the gap after the prefix may differ ("0 6 - 1 2 3 ..."); an area
            # code split in two ("05-12 71-84-83") is a date and a measurement unless all looks alike.
            return len(prefix_styles | styles if spelled_out else all_styles) <= 1
        if len(styles) <= 1:
            return True
        # Mixed styles: only plain spaces and marks without spaces, between groups of two or more digits.
        # A spaced mark there ("06/10 - 92-57-73", "06/10 / 24/7 / 1-19") is how lists of figures are
        # written.
        return strong and not list_like and len(styles) <= _MAX_MIXED_STYLES

    def _lone_trunk(self, start: int, first_tok: int, last_tok: int, bare_cc: bool) -> bool:
        """A trunk "0" standing apart ("0 - 599614654") is a stray figure; only "(0)6 ..." and digits
        spaced out one by one ("0 6 1 2 ...") write it that way."""
        digits = self.digits
        if bare_cc or digits[start] == "+" or digits.startswith("00", start) or first_tok >= last_tok:
            return False
        trunk = _region_info(self.region)[0]
        if not trunk or self.run[first_tok].digits != digits[start : start + len(trunk)]:
            return False
        return bool(self.gap_keys[first_tok + 1]) and len(self.run[first_tok + 1].digits) != 1

    def _contact(self, start: int, end: int, e164: str, country: str, source: str) -> Contact:
        text = self.normalised.original
        first_tok, last_tok = self.tok_of[start], self.tok_of[end - 1]
        ostart, oend = self.ostarts[start], self.oends[end - 1]
        if ostart > 0 and text[ostart - 1] == "(" and ")" in text[ostart:oend]:
            ostart -= 1
        raw = text[ostart:oend]
        obscured = (
            self.odd[end] - self.odd[start] > 0
            or any(c not in _PLAIN_CHARS for c in raw)
            or self.singles[last_tok + 1] - self.singles[first_tok] >= 5
            or (ostart > 0 and text[ostart - 1].isalpha())  # glued to a word: "bel0612345678"
            or (oend < len(text) and text[oend].isalpha())
            or len(set(raw.replace("\u2013", "-")) & _STYLE_MARKS) > 1  # "06 - 2219/0451"
        )
        return Contact(
            "phone", e164, source, country=country, span=Span(ostart, oend, raw), obscured=obscured
        )


@lru_cache(maxsize=4096)
def _gap_key(gap: str) -> str:
    """Separator style: brackets dropped ("(06) 1234" reads like "06 1234"), spaces collapsed."""
    if not gap:
        return ""
    if "\n" in gap or "\r" in gap:
        return "\n"
    key = gap.translate(_BRACKETS)
    stripped = key.strip()
    if not stripped:
        return " " if key else ""
    return (" " if key[0] == " " else "") + stripped + (" " if key[-1] == " " else "")


def _add_inner_cuts(token: str, offset: int, cuts: set[int]) -> None:
    prefix = token[:2]
    for k in range(_MIN_NSN, len(token) - _MIN_NSN + 1):
        pair = token[k : k + 2]
        if pair in ("06", "00") or (pair == prefix and pair[0] == "0"):
            cuts.add(offset + k)
