"""mlgate's own recognizers of the six default PII entities, needing neither Presidio nor spaCy.

Each one gives the results that the Presidio 2.2.366 recognizer of its entity gives when it is
called directly, `rec.analyze(text, [entity], nlp_artifacts=None)`: the same (start, end,
score) triples, in the same order. That is the recognizer's own stage, *before* anything
`AnalyzerEngine.analyze` adds: no context enhancement (the `context` words are given for the
caller to apply), no score threshold, no de-duplication across recognizers, no allow-list.
Within one recognizer, results of its own patterns are de-duplicated as Presidio does it
(`remove_duplicates`, see `_drop_contained`) wherever Presidio's recognizer does that (all
but the IBAN recognizer, whose own `analyze` does not).

The tests (tests/hooks/pii/test_recognizers.py) keep Presidio as the oracle. What these
classes know of Presidio's recognizers are facts of their behaviour: patterns, scores,
validation rules and context words.

Dependencies: `regex` (the patterns that use `\\w`, `\\b` or `\\d`: the `regex` module and
the standard `re` module disagree on which characters those match, because the two carry
different Unicode versions and `regex` counts combining marks as word characters while `re`
counts other numerals such as `²`), `phonenumbers` (phone numbers) and `tldextract` (the
e-mail domain check, with its bundled public-suffix snapshot: never the network). The IBAN
recognizer uses only `re`; the IP check uses `ipaddress`.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import regex

Result = tuple[int, int, float]

# the flags Presidio's pattern recognizers compile their patterns with
_FLAGS = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE

MAX_SCORE = 1.0  # a pattern match whose validator says yes


class Recognizer(Protocol):
    entity: str
    context: tuple[str, ...]

    def analyze(self, text: str) -> list[Result]: ...


def _drop_contained(results: Iterable[Result]) -> list[Result]:
    """The results of one entity as Presidio de-duplicates them: equal results once, and a
    result dropped when another one covers its span with a score at least as high; the rest
    sorted by descending score, then start, then descending length."""
    ordered = sorted(set(results), key=lambda r: (r[0], r[0] - r[1], -r[2]))
    kept: list[Result] = []
    open_: list[Result] = []  # kept results that may still cover a later one
    for r in ordered:
        start, end, score = r
        open_ = [k for k in open_ if k[1] >= start]
        if any(k[0] <= start and end <= k[1] and score <= k[2] for k in open_):
            continue
        kept.append(r)
        open_.append(r)
    kept.sort(key=lambda r: (-r[2], r[0], r[0] - r[1]))
    return kept


def _scan(patterns: Sequence[tuple[Any, float]], text: str,
          valid: Any = None) -> list[Result]:
    """Every match of each (compiled pattern, score); a match `valid` rejects is dropped, one it
    accepts scores MAX_SCORE (`valid` None: no validator, the pattern's score stands)."""
    out = []
    for pattern, score in patterns:
        for m in pattern.finditer(text):
            start, end = m.span()
            if start == end:
                continue
            if valid is None:
                out.append((start, end, score))
            elif valid(text[start:end]):
                out.append((start, end, MAX_SCORE))
    return out


# -- e-mail ------------------------------------------------------------------------------------

# characters of the local part: letters, digits, `_` (any script, `\w`) and RFC 5322's
# specials; inside the local part (not at its ends) also `.`
_LOCAL_SPECIALS = "!#$%&'*+-/=?^_`{|}~"
_LOCAL_EDGE = r"[!#$%&'*+\-/=?^_`{|}~\w]"
_LOCAL_INNER = r"[!#$%&'*+\-/=?^_`{|}~.\w]"
# a domain label: word characters, inner runs of hyphens allowed (punycode `xn--…`)
_DOMAIN_LABEL = r"\w+(?:-+\w+)*"
EMAIL_REGEX = (rf"\b(?:{_LOCAL_EDGE}|{_LOCAL_EDGE}{_LOCAL_INNER}*{_LOCAL_EDGE})"
               rf"@{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})+\b")
EMAIL_SCORE = 0.5  # before validation; every reported address validated, so scores 1.0
# in a local part, characters that make tldextract read a host other than the domain
_URL_DELIMITERS = frozenset("/?#")


class EmailRecognizer:
    """E-mail addresses: the pattern, then the domain must end in a public suffix and have a
    registrable name (tldextract's `fqdn`, read from the bundled snapshot)."""

    entity = "EMAIL_ADDRESS"
    context: tuple[str, ...] = ("email",)

    def __init__(self) -> None:
        import tldextract

        self._extract = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())
        self._pattern = regex.compile(EMAIL_REGEX, _FLAGS)
        self._word = regex.compile(r"\w", _FLAGS)
        self._host_known = functools.lru_cache(maxsize=65_536)(self._known)

    def _known(self, text: str) -> bool:
        return self._extract(text).fqdn != ""

    def domain_known(self, address: str) -> bool:
        """tldextract's verdict on a matched address. tldextract reads a URL's host: here the
        domain, unless the local part holds `/`, `?` or `#` (then it reads something else,
        usually no host at all); the domain's verdict is remembered."""
        local, _, domain = address.rpartition("@")
        if _URL_DELIMITERS.isdisjoint(local):
            return self._host_known(domain)
        return self._known(address)

    def _is_word(self, ch: str) -> bool:
        return self._word.match(ch) is not None

    def _local_char(self, ch: str) -> bool:
        return ch == "." or ch in _LOCAL_SPECIALS or self._is_word(ch)

    def analyze(self, text: str) -> list[Result]:
        # The pattern needs an `@`, and its local part is the run of local-part characters
        # right before it (no `@` among them): so each `@` is looked at once, from the
        # leftmost place in that run where a match may start (a word boundary at a character
        # that may begin a local part). Where a match may start depends on nothing after the
        # `@`, so the pattern matches there or nowhere for that `@`. This is what scanning
        # with the pattern finds, without its quadratic time on long runs without an `@`.
        out: list[Result] = []
        resume = 0  # a match cannot start before the end of the previous one
        at = text.find("@")
        while at != -1:
            first = at
            while first > resume and self._local_char(text[first - 1]):
                first -= 1
            for p in range(first, at):
                ch = text[p]
                if ch == ".":
                    continue
                word = self._is_word(ch)
                before = p > 0 and self._is_word(text[p - 1])
                if word != before:  # a word boundary before `ch`
                    m = self._pattern.match(text, p)
                    if m is not None:
                        resume = m.end()
                        if self.domain_known(m.group()):
                            out.append((p, resume, MAX_SCORE))
                    break
            at = text.find("@", max(at + 1, resume))
        return out


# -- phone numbers -----------------------------------------------------------------------------

PHONE_SCORE = 0.4
PHONE_CONTEXT = ("phone", "number", "telephone", "cell", "cellphone", "mobile", "call")
PHONE_DEFAULT_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")
_ANY_DIGIT = re.compile(r"\d")  # python-phonenumbers reads Unicode decimal digits (as `re`)


class PhoneRecognizer:
    """Phone numbers as python-phonenumbers' PhoneNumberMatcher finds them, region by region
    (`regions`), at `leniency` 0 (possible) to 3 (exact grouping); default 1 (valid). Every
    number scores PHONE_SCORE; a number found inside another one is dropped."""

    entity = "PHONE_NUMBER"
    context: tuple[str, ...] = PHONE_CONTEXT

    def __init__(self, regions: Sequence[str] = PHONE_DEFAULT_REGIONS,
                 leniency: int = 1) -> None:
        import phonenumbers

        self.regions = tuple(regions)
        self.leniency = leniency
        self._matcher = phonenumbers.PhoneNumberMatcher

    def spans(self, text: str) -> set[tuple[int, int]]:
        """(start, end) of every number the matcher finds, over all regions."""
        if _ANY_DIGIT.search(text) is None:
            return set()
        found: set[tuple[int, int]] = set()
        for region in self.regions:
            for m in self._matcher(text, region, leniency=self.leniency):
                found.add((m.start, m.end))
        return found

    def analyze(self, text: str) -> list[Result]:
        return _drop_contained((a, b, PHONE_SCORE) for a, b in self.spans(text))


# -- payment cards -----------------------------------------------------------------------------

# 13–17 digits in four groups (4, 3–4, 3–4, 3–5 digits), each separator optional, a space or
# a hyphen; the first group a 1, 3, 4, 5[0-5] or 6 prefix; not 13 undivided digits from a 1
CARD_REGEX = (r"\b(?!1\d{12}(?!\d))(?:[1346]\d{3}|5[0-5]\d{2})"
              r"[- ]?\d{3,4}[- ]?\d{3,4}[- ]?\d{3,5}\b")
CARD_SCORE = 0.3  # before validation; every reported number passed Luhn, so scores 1.0
_CARD_SEPARATORS = str.maketrans("", "", "- ")


def luhn_valid(number: str) -> bool:
    """The Luhn check of a run of decimal digits (any script: `int` reads them). A digit
    Python's Unicode tables do not know is no valid card."""
    total = 0
    try:
        for i, ch in enumerate(reversed(number)):
            d = int(ch)
            if i % 2:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
    except ValueError:
        return False
    return total % 10 == 0


class CreditCardRecognizer:
    """Card numbers: the pattern, then Luhn over the digits (separators removed)."""

    entity = "CREDIT_CARD"
    # (the "cc " with its space is Presidio's)
    context: tuple[str, ...] = ("credit", "card", "visa", "mastercard", "cc ", "amex",
                                "discover", "jcb", "diners", "maestro", "instapayment")

    def __init__(self) -> None:
        self._patterns = [(regex.compile(CARD_REGEX, _FLAGS), CARD_SCORE)]

    @staticmethod
    def valid(candidate: str) -> bool:
        return luhn_valid(candidate.translate(_CARD_SEPARATORS))

    def analyze(self, text: str) -> list[Result]:
        return _drop_contained(_scan(self._patterns, text, self.valid))


# -- US social security numbers ----------------------------------------------------------------

SSN_PATTERNS: tuple[tuple[str, str, float], ...] = (
    ("5-4 digits", r"\b[0-9]{5}-[0-9]{4}\b", 0.05),
    ("3-6 digits", r"\b[0-9]{3}-[0-9]{6}\b", 0.05),
    ("9 digits", r"\b[0-9]{9}\b", 0.05),
    ("3-2-4 digits", r"\b[0-9]{3}[- .][0-9]{2}[- .][0-9]{4}\b", 0.5),
    # Presidio also scores 3-2-4 digits with hyphens at 0.05; every such match is a match of
    # the 0.5 pattern above with the same span (two 11-character matches of these shapes
    # cannot overlap), which keeps the higher score: it is left out.
)
_SSN_DELIMITERS = frozenset(".- ")
# numbers published as examples, never issued
SSN_SAMPLES = frozenset({"123456789", "987654320", "078051120"})
SSN_UNISSUED_AREAS = frozenset({"000", "666"})


def ssn_invalid(candidate: str) -> bool:
    """Rules under which an SSN-shaped match is no SSN: two kinds of delimiter, one digit
    repeated, a group of zeros (group number 00, serial 0000), area 000 or 666, a sample."""
    if len(_SSN_DELIMITERS.intersection(candidate)) > 1:
        return True
    digits = "".join(c for c in candidate if c.isdigit())
    return (digits == digits[0] * len(digits)
            or digits[3:5] == "00" or digits[5:] == "0000"
            or digits[:3] in SSN_UNISSUED_AREAS
            or digits in SSN_SAMPLES)


class UsSsnRecognizer:
    entity = "US_SSN"
    context: tuple[str, ...] = ("social", "security", "ssn", "ssns", "ssid")

    def __init__(self) -> None:
        self._patterns = [(regex.compile(rx, _FLAGS), score) for _, rx, score in SSN_PATTERNS]

    def analyze(self, text: str) -> list[Result]:
        found = [r for r in _scan(self._patterns, text)
                 if not ssn_invalid(text[r[0]:r[1]])]
        return _drop_contained(found)


# -- IBAN --------------------------------------------------------------------------------------

# country code, check digits, then 2–6 blocks of 4, an optional block of 4 and an optional
# block of 1–3 (blocks of capitals and digits, each after an optional space or hyphen). A
# match is tried whole, then without its last part, then without the optional block.
IBAN_REGEX = (r"(?<![A-Z0-9])([A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,6})"
              r"((?:[ -]?[A-Z0-9]{4})?)((?:[ -]?[A-Z0-9]{1,3})?)(?![A-Z0-9])")
IBAN_SCORE = 1.0  # a match is reported only when it validates

# What Presidio's check requires of the characters after the country code and check digits,
# per country: `n` a digit, `a` a capital, `c` a letter or digit, `z` the digit 0. Only a
# prefix is checked: characters after it are allowed (the checksum covers them).
IBAN_FORMATS = {
    "AL": "8n16c", "AD": "8n12c", "AT": "16n", "AZ": "4c20n", "BH": "4a14c", "BY": "4c4n16c",
    "BE": "12n", "BA": "16n", "BR": "23n1a1c", "BG": "4a6n8c", "CR": "1z17n", "HR": "17n",
    "CY": "8n16c", "CZ": "20n", "DK": "14n", "DO": "4a20n", "TL": "19n", "EE": "16n",
    "FO": "14n", "FI": "14n", "FR": "10n11c2n", "GE": "2c16n", "DE": "18n", "GI": "4a15c",
    "GR": "7n16c", "GL": "14n", "GT": "24c", "HU": "24n", "IS": "22n", "IE": "4c14n",
    "IL": "19n", "IT": "1a10n12c", "JO": "4a22n", "KZ": "3n13c", "XK": "16n", "KW": "4a22c",
    "LV": "4a13c", "LB": "4n20c", "LI": "5n12c", "LT": "16n", "LU": "3n13c", "MT": "4a5n18c",
    "MR": "23n", "MU": "4a19n1a", "MD": "20c", "MC": "10n11c2n", "ME": "18n", "NL": "4a10n",
    "MK": "3n10c2n", "NO": "11n", "PK": "4c16n", "PS": "4c17n", "PL": "24n", "PT": "17n",
    "QA": "4a17c", "RO": "4a16c", "SM": "1a10n12c", "SA": "2n18c", "RS": "18n", "SK": "20n",
    "SI": "15n", "ES": "20n", "SE": "20n", "CH": "5n12c", "TN": "20n", "TR": "5n17c",
    "AE": "19n", "GB": "4a14n", "VA": "18n", "VG": "4c16n", "EG": "25n", "IQ": "4a15n",
    "LY": "21n", "LC": "4a24c", "SC": "4a20n3a", "UA": "6n19c",
}
_IBAN_CLASSES = {"n": "[0-9]", "a": "[A-Z]", "c": "[a-zA-Z0-9]", "z": "0"}
_IBAN_SEPARATORS = str.maketrans("", "", "- ")
# letters count as 10 (A) to 35 (Z) in the checksum
_IBAN_LETTER_VALUES = {ord(c): str(10 + i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def _iban_format(spec: str) -> re.Pattern[str]:
    parts = [f"{_IBAN_CLASSES[cls]}{{{n}}}" for n, cls in re.findall(r"(\d+)([nacz])", spec)]
    return re.compile("[0-9]{2}" + "".join(parts))


def iban_check_digits(iban: str) -> str:
    """The two check digits of `iban` (country code first, capitals and digits), computed
    with 00 in their place: 98 minus the rearranged number modulo 97."""
    rearranged = (iban[4:] + iban[:2] + "00").translate(_IBAN_LETTER_VALUES)
    return f"{98 - int(rearranged) % 97:02d}"


class IbanRecognizer:
    entity = "IBAN_CODE"
    context: tuple[str, ...] = ("iban", "bank", "transaction")

    def __init__(self) -> None:
        self._pattern = re.compile(IBAN_REGEX)
        self._formats = {cc: _iban_format(spec) for cc, spec in IBAN_FORMATS.items()}

    def valid(self, candidate: str) -> bool:
        """Checksum, then the country's format (a prefix of the characters after the country
        code): a country not in IBAN_FORMATS has no valid IBAN."""
        iban = candidate.translate(_IBAN_SEPARATORS)
        if iban_check_digits(iban) != iban[2:4]:
            return False
        fmt = self._formats.get(iban[:2])
        return fmt is not None and fmt.match(iban, 2) is not None

    def analyze(self, text: str) -> list[Result]:
        out: list[Result] = []
        for m in self._pattern.finditer(text):
            start = m.start()
            # whole, then without the trailing 1–3, then without the optional block of 4
            for end in dict.fromkeys((m.end(3), m.end(2), m.end(1))):
                if self.valid(text[start:end]):
                    out.append((start, end, IBAN_SCORE))
                    break
        return out


# -- IP addresses ------------------------------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"
_QUAD = rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}"
_HEXTET = r"[0-9A-Fa-f]{1,4}"
_V6_PREFIX = r"(?:/(?:12[0-8]|1[01]\d|[1-9]?\d))?"
_V4_PREFIX = r"(?:/(?:[0-2]?\d|3[0-2]))?"
_NOT_AFTER_V6 = r"(?<![\w:])"
# the compressed and full IPv6 forms, tried in this order (the first that fits wins)
_V6_FORMS = (
    rf"(?:{_HEXTET}:){{7}}{_HEXTET}",
    rf"(?:{_HEXTET}:){{1,7}}:",
    rf":(?::{_HEXTET}){{1,7}}",
    rf"(?:{_HEXTET}:){{1,6}}:{_HEXTET}",
    rf"(?:{_HEXTET}:){{1,5}}(?::{_HEXTET}){{1,2}}",
    rf"(?:{_HEXTET}:){{1,4}}(?::{_HEXTET}){{1,3}}",
    rf"(?:{_HEXTET}:){{1,3}}(?::{_HEXTET}){{1,4}}",
    rf"(?:{_HEXTET}:){{1,2}}(?::{_HEXTET}){{1,5}}",
    rf"{_HEXTET}:(?::{_HEXTET}){{1,6}}",
)

IP_PATTERNS: tuple[tuple[str, str, float], ...] = (
    ("IPv4-mapped IPv6", rf"{_NOT_AFTER_V6}::(?:ffff(?::0{{1,4}})?:)?{_QUAD}{_V6_PREFIX}\b",
     0.6),
    ("IPv4-embedded IPv6",
     rf"{_NOT_AFTER_V6}(?:(?:{_HEXTET}:){{1,5}}:(?:{_HEXTET}:){{0,4}}|(?:{_HEXTET}:){{6}})"
     rf"{_QUAD}{_V6_PREFIX}\b", 0.6),
    ("IPv4", rf"\b{_QUAD}{_V4_PREFIX}\b", 0.6),
    ("IPv6", rf"{_NOT_AFTER_V6}(?:{'|'.join(_V6_FORMS)})(?:%[0-9a-zA-Z]+)?{_V6_PREFIX}"
             r"(?![\w:]|\.\d)", 0.6),
    ("IPv6 unspecified", rf"{_NOT_AFTER_V6}::{_V6_PREFIX}(?![\w:])", 0.1),
)


def ip_valid(candidate: str) -> bool:
    """Whether `ipaddress.ip_interface` reads the match (an address, with an optional prefix
    length or IPv6 zone). A dotted quad of the pattern's digits is answered directly: it is an
    address unless a part has a leading zero (ipaddress rejects those)."""
    if "/" not in candidate and ":" not in candidate:
        parts = candidate.split(".")
        if len(parts) == 4 and all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts):
            return all(p == "0" or p[0] != "0" for p in parts) and \
                all(int(p) <= 255 for p in parts)
    try:
        ipaddress.ip_interface(candidate)
    except ValueError:
        return False
    return True


class IpRecognizer:
    entity = "IP_ADDRESS"
    context: tuple[str, ...] = ("ip", "ipv4", "ipv6")

    def __init__(self) -> None:
        compiled = [(name, regex.compile(rx, _FLAGS), score) for name, rx, score in IP_PATTERNS]
        self._dotted = [(p, s) for name, p, s in compiled if name == "IPv4"]
        self._colon = [(p, s) for name, p, s in compiled if name != "IPv4"]

    def analyze(self, text: str) -> list[Result]:
        # every IPv6 form has a `:`, an IPv4 address a `.`
        found: list[Result] = []
        if "." in text:
            found += _scan(self._dotted, text)
        if ":" in text:
            found += _scan(self._colon, text)
        return _drop_contained(r for r in found if ip_valid(text[r[0]:r[1]]))


RECOGNIZERS: dict[str, type[Recognizer]] = {
    "EMAIL_ADDRESS": EmailRecognizer,
    "PHONE_NUMBER": PhoneRecognizer,
    "CREDIT_CARD": CreditCardRecognizer,
    "US_SSN": UsSsnRecognizer,
    "IBAN_CODE": IbanRecognizer,
    "IP_ADDRESS": IpRecognizer,
}
