"""pii-in-data-samples: personal data in committed data samples, found with Presidio, offline.

Prefilter, then confirm. Every recognizer has a cheap *necessary* condition written with plain
`re` / `str` operations (an e-mail needs an `@`, a phone number a phonenumbers candidate with
enough digits, a card number twelve digits in a row, ...). Only a cell that meets a recognizer's
condition is given to that recognizer, so Presidio (and spaCy under it, ≈ 1 s to import) is only
imported when some cell needs confirming. The confirming step is Presidio's own recognizers with
Presidio's own scoring: context words (the column name or key), the score threshold and
de-duplication are done exactly as `AnalyzerEngine.analyze` does them with the no-op NLP engine,
so mlgate reports every finding Presidio reports (tests/test_pii_parity.py proves it).

Public API (mlgate.scrub codes against it):
    PiiSpan, PiiDetector(policy).spans(text, key=None), check(paths, policy)
"""

from __future__ import annotations

import bisect
import functools
import gc
import ipaddress
import itertools
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mlgate.errors import MlgateError
from mlgate.findings import (
    MAX_LINES,
    FileError,
    Finding,
    Severity,
    location_fingerprint,
    mask_pii,
)

if TYPE_CHECKING:
    from mlgate.policy import Policy

DEFAULT_ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
                    "IP_ADDRESS")
PRESIDIO_PHONE_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")
REGEX_TIMEOUT_SECONDS = 5  # Presidio's default is 60 s per regex scan; a hook wants less
MIN_PHONE_DIGITS = 7  # default allowlist: shorter "phone numbers" are years, counts, pagers
# mlgate's possible-number pass skips longer matcher candidates (a phone-shaped number has at
# most 15 digits and an extension): on runs of number blocks it would parse every block per
# region, without bound. Presidio's own phone recognizer still reads them.
POSSIBLE_MAX_DIGITS = 32
TRUNCATED_RULE = "pii/file-truncated"
_MAX_GROUPS = 10_000  # distinct (key, entity) findings per file; more keys share one finding

LABELS = {
    "EMAIL_ADDRESS": "e-mail address", "PHONE_NUMBER": "phone number",
    "CREDIT_CARD": "payment card number", "US_SSN": "US social security number",
    "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP address", "PERSON": "person name",
    "LOCATION": "location",
}


class OutOfTime(Exception):
    """The detector's deadline passed while it was checking a text (see PiiDetector.deadline)."""


@dataclass(frozen=True)
class PiiSpan:
    start: int
    end: int
    entity: str
    score: float


# ---------------------------------------------------------------------------------------------
# Prefilters: plain `re`, no Presidio. Each is a necessary condition for its recognizer to
# return anything on a text (tests/test_pii_parity.py checks them against the recognizers).

_DIGIT = re.compile(r"\d")
# Presidio's card pattern starts at a word boundary (`\b`) with 1, 3, 4, 5 or 6; mlgate's after
# no word character or dot. An ASCII letter, digit or `_` is a word character for both `re`
# and `regex`, whatever their Unicode tables say about the rest. These patterns start with
# their first character's class and look behind it afterwards (`[0-9](?<!X[0-9])` is
# `(?<!X)[0-9]`): `re` then skips ahead to where that class matches, about twice as fast.
_CARD_PRESIDIO = re.compile(r"[13-6](?<![A-Za-z0-9_][13-6])"
                            r"\d{3}[- ]?\d{3,4}[- ]?\d{3,4}[- ]?\d{3,5}")
_CARD_ANY_DIGIT = re.compile(_CARD_PRESIDIO.pattern.replace("[13-6]", "[0-9]"))
_CARD_MLGATE = re.compile(r"[0-9](?<![A-Za-z0-9_.][0-9])(?:[ -]?[0-9]){11}")
_SSN = re.compile(r"[0-9](?<![0-9][0-9])[0-9]{2}[- .]?[0-9]{2}[- .]?[0-9]{4}(?![0-9])")
# IbanRecognizer matches case-sensitively (its own flags, as constructed here)
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2}")
_IPV4 = re.compile(r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]")
# every IPv6 form is either compressed (`::`) or has six or seven `hex:` groups
_IPV6 = re.compile(r"::|(?:[0-9A-F]{1,4}:){6}[0-9A-F]", re.IGNORECASE)
_GATE_DEFAULT = re.compile(r"[@:\d]")  # every default recognizer needs one of these
# A cell's shape: its ASCII digits all made 0. mlgate's own prefilters (and the default
# allowlist's checks they use) look at a digit only as `\d`, except Presidio's card pattern,
# which starts with [13-6]: cells of one shape pass the same prefilters, so a shape that no
# prefilter passed, nor the card pattern starting with any digit, needs no second look (logs
# and metric tables repeat shapes a lot).
_DIGIT_SHAPES = str.maketrans("0123456789", "0000000000")


@functools.lru_cache(maxsize=1)
def _phone_pattern() -> re.Pattern[str]:
    from phonenumbers import phonenumbermatcher

    return phonenumbermatcher._PATTERN  # the candidate pattern PhoneNumberMatcher searches


@functools.lru_cache(maxsize=1)
def _phone_block_gap() -> re.Pattern[str]:
    """What the candidate pattern allows between two digit blocks (≤ 4 punctuation marks)."""
    from phonenumbers import phonenumbermatcher

    pm: Any = phonenumbermatcher  # private names the type stubs do not list
    return re.compile(pm._PUNCTUATION, pm._REGEX_FLAGS)


def min_phone_digits(regions: Sequence[str]) -> int:
    """The fewest digits a number PhoneNumberMatcher (leniency VALID) can return has, for these
    default regions: a national number of a default region, or country code + national number
    of any region (written with `+` or an international prefix). From phonenumbers' metadata."""
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import COUNTRY_CODES_FOR_NON_GEO_REGIONS, SUPPORTED_REGIONS

    def shortest(md: Any) -> int:
        lengths = [n for n in md.general_desc.possible_length if n > 0]
        return min(lengths) if lengths else 1

    best = min(shortest(PhoneMetadata.metadata_for_region(r)) for r in regions)
    for r in SUPPORTED_REGIONS:
        md = PhoneMetadata.metadata_for_region(r)
        if md is not None:
            best = min(best, len(str(md.country_code)) + shortest(md))
    for cc in COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        md = PhoneMetadata.metadata_for_nongeo_region(cc)
        best = min(best, len(str(cc)) + shortest(md))
    return max(best, 1)


def phone_candidates(text: str, min_digits: int) -> list[tuple[int, int]]:
    """Spans of PhoneNumberMatcher's candidates with at least `min_digits` digits: every phone
    number it returns lies inside one of them (tests/test_pii.py checks this).

    The matcher searches on from the end of each number it finds, which may lie inside a
    candidate; a match starting there can run past the candidate's end when the pattern's
    limits (21 digit blocks) or an extension ended the candidate and the next one follows
    after at most the punctuation allowed between two blocks. Such successive candidates
    are joined into one. A candidate the matcher would cut in two and search again is
    returned with the rest of the text (conservative), unless no number with `min_digits`
    digits can be there at all (no _digit_run in the text)."""
    if count_digits(text) < min_digits or _digit_run(min_digits).search(text) is None:
        return []
    from phonenumbers.phonenumberutil import _SECOND_NUMBER_START_PATTERN as cut

    slashes = "/" in text or "\\" in text  # a cut needs one (checked per candidate then)
    chains: list[list[Any]] = []  # [start, end, cut?] of joined candidates
    for a, b in [m.span() for m in _phone_pattern().finditer(text)]:
        is_cut = slashes and cut.search(text, a, b) is not None
        if chains and _blocks_join(text, chains[-1][1], a):
            chains[-1][1] = b
            chains[-1][2] = chains[-1][2] or is_cut
        else:
            chains.append([a, b, is_cut])
    out = []
    for a, b, is_cut in chains:
        if is_cut:
            out.append((a, len(text)))
        elif b - a >= min_digits and count_digits(text[a:b]) >= min_digits:
            out.append((a, b))
    return out


def _blocks_join(text: str, end: int, start: int) -> bool:
    """Whether a candidate ending at `end` and the next one, starting at `start`, can be read
    as one: at most the punctuation allowed between two digit blocks separates the last
    digit before `end` from the first digit after `start`."""
    last = end - 1
    while last >= 0 and not text[last].isdecimal():
        last -= 1
    first = start
    while first < len(text) and not text[first].isdecimal():
        first += 1
    return first - last - 1 <= 4 and _phone_block_gap().fullmatch(text, last + 1, first) is not None


@functools.lru_cache(maxsize=8)
def _digit_run(n: int) -> re.Pattern[str]:
    """`n` digits with no character between them that a matcher candidate cannot hold (see
    phone_windows): a number with `n` digits the matcher returns lies in a candidate, so it
    contains such a run. Much cheaper than the matcher's candidate pattern on prose with a
    few scattered digits."""
    between = "[^\\d" + re.escape(_BARRIER_CHARS) + "]*"
    return re.compile(f"\\d(?:{between}\\d){{{n - 1}}}")


_ASCII_DIGITS_GONE = str.maketrans("", "", "0123456789")


def count_digits(text: str) -> int:
    """How many characters of `text` are decimal digits (`\\d`, any script)."""
    if text.isascii():
        return len(text) - len(text.translate(_ASCII_DIGITS_GONE))
    return len(_DIGIT.findall(text))


class _RegexPrefilter:
    """A custom recognizer's own regex (compiled as Presidio compiles it) as its prefilter."""

    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern

    def __call__(self, text: str) -> bool:
        return self.pattern.search(text) is not None


class _PhonePrefilter:
    """Shared by Presidio's phone recognizer and mlgate's possible-number pass: the candidates
    of the last text are remembered, so that both prefilters and the confirming step compute
    them (and which of them escape the default allowlist) once per text."""

    def __init__(self, min_digits: int, allowlist: bool = False) -> None:
        self.min_digits = min_digits
        self.allowlist = allowlist  # drop candidates that can only hold allowlisted matches
        self._text: str | None = None
        self._found: list[tuple[int, int]] = []
        self._reportable: dict[tuple[int, int], bool] = {}

    def candidates(self, text: str) -> list[tuple[int, int]]:
        if text is not self._text:
            self._found = phone_candidates(text, self.min_digits)
            self._reportable = {}
            self._text = text
        return self._found

    def reportable(self, text: str, among: Sequence[tuple[int, int]] | None = None
                   ) -> list[tuple[int, int]]:
        """The candidates (of `among`, by default all) a match outside the default
        allowlist can lie in."""
        found = self.candidates(text) if among is None else among
        return [c for c in found if self._is_reportable(text, c)]

    def _is_reportable(self, text: str, candidate: tuple[int, int]) -> bool:
        known = self._reportable.get(candidate)
        if known is None:
            known = self._reportable[candidate] = _reportable_phone_candidate(text, *candidate)
        return known

    def __call__(self, text: str, cheap: bool = False) -> bool:
        """Whether `text` may hold a phone number to report. `cheap`: only whether it has
        candidates, when the confirming step will run anyway (it then checks the default
        allowlist only on candidates outside the other recognizers' matches)."""
        found = self.candidates(text)
        if not self.allowlist or cheap:
            return bool(found)
        return any(self._is_reportable(text, c) for c in found)


def _email_prefilter(text: str) -> bool:
    return "@" in text


def _ip_prefilter(text: str) -> bool:
    return bool(("." in text and _IPV4.search(text)) or (":" in text and _IPV6.search(text)))


def _email_anchors(text: str) -> Iterator[int]:
    pos = text.find("@")
    while pos >= 0:
        yield pos
        pos = text.find("@", pos + 1)


def _ip_anchors(text: str) -> Iterator[int]:
    for p in (_IPV4, _IPV6):
        for m in p.finditer(text):
            yield m.start()


# ---------------------------------------------------------------------------------------------
# The default allowlist: reserved test and documentation values, and ML-typical noise.

RESERVED_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
RESERVED_EMAIL_TLDS = ("test", "example", "invalid", "localhost")
TEST_CARD_NUMBERS = frozenset({
    # Stripe, PayPal/Braintree, Adyen and card-network test numbers
    "4111111111111111", "4242424242424242", "4000056655665556", "4012888888881881",
    "4222222222222", "4000000000000002", "4000000000000077", "4000000000003220",
    "4005519200000004", "4009348888881881", "4012000033330026", "4012000077777777",
    "4217651111111119", "4500600000000061", "4917610000000000", "4444333322221111",
    "5555555555554444", "5105105105105100", "5200828282828210", "5431111111111111",
    "2223003122003222", "2223000048400011", "2222400070000005", "5454545454545454",
    "378282246310005", "371449635398431", "378734493671000", "341111111111111",
    "6011111111111117", "6011000990139424", "6011601160116611", "6011000000000004",
    "3056930009020004", "36227206271667", "30569309025904", "38520000023237",
    "3566002020360505", "3530111333300000", "3566111111111113",
    "6200000000000005", "6200000000000047", "6759649826438453", "6799990100000000019",
    "5019717010103742", "6331101999990016",
})
_DOC_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"))
_FICTIONAL_PHONE = re.compile(r"(?:1?\d{3})?55501\d\d")
_VERSION_BEFORE = re.compile(r"(?:(?<![A-Za-z])[vV]|==|>=|<=|~=|!=|\^|~|\bversion\s*)\s*$")
_VERSION_AFTER = re.compile(r"\.\d|[-+][0-9A-Za-z]")
# The noise patterns are scanned over many lines: the UUID and float patterns start with a
# character class (so `re` skips ahead to where one can start) and spell out letter case.
_UUID = re.compile("-".join(f"[0-9a-fA-F]{{{n}}}" for n in (8, 4, 4, 4, 12)))
_HEX_TOKEN = re.compile(r"(?<![0-9A-Za-z])(?=[0-9]*[a-fA-F])[0-9a-fA-F]{16,}(?![0-9A-Za-z])")
# a decimal or exponent number not inside a word or another number: `(?<![\w.])` before an
# optional sign, written as a check of the character before the first one
_FLOAT = re.compile(r"(?:[-+](?<![\w.][-+])(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)"
                    r"|\d(?<![\w.]\d)(?:\d*\.\d+(?:[eE][-+]?\d+)?|\d*[eE][-+]?\d+))(?![\w.])")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
                        r"(?:Z|[-+]\d{2}:?\d{2})?)?|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?")
_PLAIN_NUMBER = re.compile(r"\s*[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?\s*")
_ID_KEY = re.compile(
    r"(?i)(?:.*[_\-. ])?(?:id|ids|idx|index|uid|uuid|guid|key|hash|sha|md5|checksum|step|steps|"
    r"epoch|epochs|iter|iteration|batch|lr|learning_rate|loss|score|scores|acc|accuracy|f1|"
    r"precision|recall|bleu|rouge|perplexity|ppl|seed|count|num|size|len|length|tokens|"
    r"timestamp|time|ts|duration|offset|rank|label|target|logit|logits|prob|weight)s?")
_NOISE_VALUE = re.compile("|".join(f"(?:{p.pattern})" for p in (_UUID, _HEX_TOKEN, _FLOAT,
                                                                  _TIMESTAMP)), re.IGNORECASE)
_NUMERIC_ENTITIES = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IP_ADDRESS"})


def _inside(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    lo, hi = (0, len(text)) if len(text) <= 4096 else (max(0, start - 256), end + 256)
    return any(m.start() <= start and end <= m.end() for m in pattern.finditer(text, lo, hi))


def _reportable_phone_candidate(text: str, c0: int, c1: int) -> bool:
    """Whether a phone match inside this candidate can escape the default allowlist. A match
    sharing a character with a decimal number, timestamp, UUID or hex digest is dropped, so one
    that matters lies in a gap between those; it needs MIN_PHONE_DIGITS digits there, and a gap
    that is a bare digit run valued by a non-sensitive key or followed by a unit holds only
    allowlisted matches."""
    if text[c0:c1].isdigit() and _plain_value_of_key(text, c0, c1):
        return False  # every gap is a part of this run of digits, whose verdict it shares
    for g0, g1 in _noise_gaps(text, c0, c1):
        while g0 < g1 and text[g0].isspace():
            g0 += 1
        if len(_DIGIT.findall(text, g0, g1)) < MIN_PHONE_DIGITS:
            continue
        if not _plain_value_of_key(text, g0, g1):
            return True
    return False


_NOISE_NEEDS = ((_FLOAT, re.compile(r"\d[.eE]")), (_TIMESTAMP, re.compile(r"\d\d[-:]\d\d")),
                (_UUID, re.compile(r"-[0-9a-fA-F]{4}-")),
                (_HEX_TOKEN, re.compile(r"[0-9a-fA-F]{16}")))


def _noise_tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Decimal numbers (`0.123456`), ISO timestamps, UUIDs and hex digests that share a
    character with [start, end), searched 256 characters around it. A token that runs into
    the end of that window is not counted (the text beyond could make it something else)."""
    lo, hi = max(0, start - 256), min(len(text), end + 256)
    if lo == 0 and hi == len(text):  # the window is the whole text: its tokens, once per text
        return [(a, b) for a, b in _all_noise_tokens(text) if a < end and start < b]
    out = []
    for p, need in _NOISE_NEEDS:
        # `need`: a pattern every token of `p` contains (so, within the window): when it is
        # absent, `p` has no token there either, and its (slower) scan is skipped
        if need.search(text, lo, hi) is None:
            continue
        for m in p.finditer(text, lo, hi):
            if m.start() >= end:
                break
            if start < m.end() and (m.end() < hi or hi == len(text)):
                out.append(m.span())
    return out


_last_noise: list[Any] = [None, []]


def _all_noise_tokens(text: str) -> list[tuple[int, int]]:
    """Every noise token of `text` (by pattern, in order); the last text's are remembered."""
    if _last_noise[0] is not text:
        out = []
        for p, need in _NOISE_NEEDS:
            if need.search(text) is not None:
                out += [m.span() for m in p.finditer(text)]
        _last_noise[0], _last_noise[1] = text, out
    return _last_noise[1]  # shared: callers only read it


_last_cover: list[Any] = [None, [], []]


def _noise_gaps(text: str, c0: int, c1: int) -> list[tuple[int, int]]:
    """The parts of [c0, c1) that no noise token sharing a character with it covers."""
    if c0 > 256 or c1 + 256 < len(text):  # _noise_tokens searches a window around it
        noise = sorted((max(a, c0), min(b, c1)) for a, b in _noise_tokens(text, c0, c1))
        i, starts, ends = 0, [a for a, _ in noise], [b for _, b in noise]
    else:  # the window is the whole text: its tokens merged once, then found by bisection
        if _last_cover[0] is not text:
            starts, ends = [], []
            for a, b in sorted(_all_noise_tokens(text)):
                if ends and a <= ends[-1]:
                    ends[-1] = max(ends[-1], b)
                else:
                    starts.append(a)
                    ends.append(b)
            _last_cover[:] = [text, starts, ends]
        starts, ends = _last_cover[1], _last_cover[2]
        i = bisect.bisect_right(ends, c0)  # the first token ending after c0
    gaps, pos = [], c0
    while i < len(starts) and starts[i] < c1:
        if starts[i] > pos:
            gaps.append((pos, starts[i]))
        pos = max(pos, ends[i])
        i += 1
    if pos < c1:
        gaps.append((pos, c1))
    return gaps


def _overlaps_noise(text: str, start: int, end: int) -> bool:
    return bool(_noise_tokens(text, start, end))


SENSITIVE_KEY_PREFIXES = ("phone", "mobile", "tel", "fax", "msisdn", "whatsapp", "contact",
                          "ssn", "social", "card", "credit", "iban", "bban", "account", "acct",
                          "passport", "licen", "address", "addr", "ip")
SENSITIVE_KEY_WORDS = frozenset({"cc", "ccn", "pan", "no", "nr", "num", "number", "tin", "nin",
                                 "nino", "nhs", "sin", "host", "client", "remote", "peer",
                                 "bank", "routing", "swift", "bic", "cell"})


def sensitive_key(key: str) -> bool:
    """A column/key name that may hold contact or identity numbers (`phone`, `ssn`,
    `card_number`, `client_ip`, ...): plain numbers under it are checked."""
    words = [w.lower() for w in re.split(r"[^0-9A-Za-z]+|(?<=[a-z])(?=[A-Z])", key) if w]
    return any(w in SENSITIVE_KEY_WORDS or w.startswith(SENSITIVE_KEY_PREFIXES) for w in words)


_KV_BEFORE = re.compile(r"([A-Za-z_][\w./-]*)\s*[=:]\s*$")


_UNIT_AFTER = re.compile(
    r"[ \u00a0]?(?:bytes?|[KMGT]i?B|B|tokens?|params|parameters|samples?|examples?|steps?|"
    r"epochs?|iterations?|iters?|ms|us|ns|sec|secs|seconds?|s|min|mins|minutes?|hours?|h|"
    r"rows?|records?|lines?|files?|images?|words?|chars?|characters?|items?|flops|FLOPs|"
    r"px|Hz|MHz|GHz)(?![\w.])")


def _plain_value_of_key(text: str, start: int, end: int) -> bool:
    """[start, end) lies in a bare run of digits (after at most an opening bracket) that is
    the value of a non-sensitive `key=value` / `key: value` pair (`mem=9103083900`,
    `tokens: 41434230488`) or a quantity with a unit (`(7346424749 bytes)`, `1200000 tokens`)."""
    value = text[start:end]
    if value[:1] in "([":
        value, start = value[1:], start + 1
    if not value.isdigit():
        return False
    a, b = start, end
    while a > 0 and text[a - 1].isdigit():
        a -= 1
    while b < len(text) and text[b].isdigit():
        b += 1
    if _UNIT_AFTER.match(text, b):
        return True
    if b < len(text) and (text[b].isalnum() or text[b] == "."):
        return False
    m = _KV_BEFORE.search(text, max(0, a - 64), a)
    return m is not None and not sensitive_key(m.group(1))


_last_cell: list[Any] = [None, None, False]


@functools.lru_cache(maxsize=4096)
def _plain_key(key: str) -> bool:
    """A key whose plain numbers are not personal data: an id or metric, or not contact- or
    identity-like (worked out once per key: columns repeat it on every row)."""
    return bool(_ID_KEY.fullmatch(key)) or not sensitive_key(key)


def cell_is_noise(text: str, key: str | None) -> bool:
    """A whole value that is a plain number under an id/metric key or any key that is not
    contact- or identity-like, or a float, timestamp, UUID or hex digest: nothing numeric
    in it is personal data (default allowlist). The last cell's answer is remembered (the
    prefilters and the allowlist both ask)."""
    if _last_cell[0] is text and _last_cell[1] == key:
        return bool(_last_cell[2])
    noise = bool(key is not None and _PLAIN_NUMBER.fullmatch(text) and _plain_key(key)) or \
        bool(_NOISE_VALUE.fullmatch(text.strip()))
    _last_cell[0], _last_cell[1], _last_cell[2] = text, key, noise
    return noise


def default_allowed(entity: str, text: str, start: int, end: int, key: str | None) -> bool:
    """Whether the default allowlist (docs/hooks/pii-in-data-samples.md) covers this match."""
    value = text[start:end]
    if entity == "EMAIL_ADDRESS":
        domain = value.rpartition("@")[2].lower().rstrip(".")
        if any(domain == d or domain.endswith("." + d) for d in RESERVED_EMAIL_DOMAINS):
            return True
        return domain.rpartition(".")[2] in RESERVED_EMAIL_TLDS
    if entity not in _NUMERIC_ENTITIES:
        return False
    if entity == "CREDIT_CARD" and "".join(c for c in value if c.isdigit()) in TEST_CARD_NUMBERS:
        return True
    if entity == "PHONE_NUMBER":
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) < MIN_PHONE_DIGITS or _overlaps_noise(text, start, end):
            return True
        if _plain_value_of_key(text, start, end):
            return True
        if len(digits) in (7, 10, 11) and _FICTIONAL_PHONE.fullmatch(digits):
            return True
    if entity == "IP_ADDRESS":
        try:
            ip = ipaddress.ip_interface(value).ip if "/" in value else ipaddress.ip_address(value)
        except ValueError:
            return False
        if any(ip in net for net in _DOC_NETWORKS if net.version == ip.version):
            return True
        if not ip.is_global:  # loopback, private, link-local, unspecified, reserved
            return True
        if ip.version == 4 and (_VERSION_BEFORE.search(text, max(0, start - 10), start)
                                or _VERSION_AFTER.match(text, end)
                                or (key is not None and "version" in key.lower())):
            return True
    if cell_is_noise(text, key):
        return True
    if start == 0 and end == len(text) and not (text[0].isspace() or text[-1].isspace()):
        # a token holding the whole cell would be a noise value that cell_is_noise sees
        return False
    if len(text) <= 4096:  # _inside scans the whole text: the text's tokens, once per text
        return any(a <= start and end <= b for a, b in _all_noise_tokens(text))
    return (_inside(_UUID, text, start, end) or _inside(_HEX_TOKEN, text, start, end)
            or _inside(_FLOAT, text, start, end) or _inside(_TIMESTAMP, text, start, end))


# ---------------------------------------------------------------------------------------------
# Recognizers


@dataclass
class _Rec:
    """One recognizer: what it finds, how to make it (with Presidio imported), its prefilter."""

    entity: str
    make: Callable[[], Any]
    # truthy when the text may match; None: no cheap condition known, always run
    prefilter: Callable[[str], object] | None
    presidio: bool = True  # False for mlgate's own additions (not in the parity reference)
    instance: Any = None
    lean_phone: bool = False  # run PhoneRecognizer's matching without its per-match extras
    lean_pattern: bool = False  # a PatternRecognizer with Presidio's own analyze: run lean
    lean_iban: bool = False  # Presidio's IbanRecognizer (its own analyze): run lean
    possible_phone: bool = False  # mlgate's phone-shaped POSSIBLE numbers (after Presidio's)
    # where a match must have a part (for windows; None: scan the whole text)
    anchors: Callable[[str], Iterator[int]] | None = None


def _own(factory: str, *args: Any) -> Callable[[], Any]:
    """A maker of one of mlgate's own Presidio recognizers (mlgate/hooks/pii_recognizers.py:
    classes that subclass Presidio's, defined when Presidio is imported)."""
    def make() -> Any:
        from mlgate.hooks import pii_recognizers

        return getattr(pii_recognizers, factory)(*args)
    return make


# IIN prefixes and lengths of current card brands (Visa, Mastercard incl. 2-series, Amex,
# Discover, Diners, JCB, UnionPay, Maestro, Mir, RuPay, Verve, Troy, Elo, Dankort, UATP, ...)
_CARD_BRANDS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("visa", r"4", (13, 16, 19)),
    ("mastercard", r"5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720", (16,)),
    ("amex", r"3[47]", (15,)),
    ("diners", r"36", (14, 15, 16, 17, 18, 19)),
    ("diners", r"30[0-5]|3095|3[89]", (16, 17, 18, 19)),
    ("jcb", r"35(?:2[89]|[3-8]\d)", (16, 17, 18, 19)),
    ("jcb", r"2131|1800", (15,)),
    ("discover", r"6011|64[4-9]|65|622(?:12[6-9]|1[3-9]\d|[2-8]\d\d|9[01]\d|92[0-5])",
     (16, 17, 18, 19)),
    ("unionpay", r"62|81", (16, 17, 18, 19)),
    ("maestro", r"5[06-9]|6\d", (12, 13, 14, 15, 16, 17, 18, 19)),
    ("mir", r"220[0-4]", (16, 17, 18, 19)),
    ("rupay", r"60|65|81|82|508|353|356", (16,)),
    ("verve", r"506(?:099|1\d\d)|507(?:86[5-9]|8[7-9]\d|9[0-5]\d|96[0-4])"
              r"|6500(?:0[2-9]|1\d|2[0-7])", (16, 18, 19)),
    ("troy", r"9792", (16,)),
    ("uatp", r"1", (15,)),
)
_CARD_BRAND_RES = tuple((name, re.compile(prefix), lengths)
                        for name, prefix, lengths in _CARD_BRANDS)
CARD_REGEX = (r"(?<![\w.])(?:[0-9]{12,19}|[0-9]{3,6}(?P<sep>[ -])[0-9]{3,6}"
              r"(?:(?P=sep)[0-9]{1,6}){1,4})(?![\w]|\.\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """The brand whose IIN range and length fit `digits`, or None."""
    for name, prefix, lengths in _CARD_BRAND_RES:
        if len(digits) in lengths and prefix.match(digits):
            return name
    return None


_PHONE_GROUPS = re.compile(r"\d+")
_PHONE_SHAPE_SEP = re.compile(r"\d[ .\-/\u00a0]+\(?\d")


def phone_shaped(value: str) -> bool:
    """Written like a phone number: 7–15 digits before any extension, and a `+` or `(`
    prefix or at least three digit groups (`212-456-7890`, `0161 496 0066`)."""
    main = re.split(r"(?i)\s*(?:x|ext|extension|#)", value, maxsplit=1)[0]
    digits = sum(c.isdigit() for c in main)
    if not 7 <= digits <= 15:
        return False
    head = main.lstrip()
    if head.startswith(("+", "(", "\uff0b", "\uff08")):
        return True
    return len(_PHONE_GROUPS.findall(main)) >= 3 and bool(_PHONE_SHAPE_SEP.search(main))


def may_hold_phone_shape(text: str) -> bool:
    """Whether some part of `text` can be phone_shaped: it needs a `+` or `(` (or their
    full-width forms) or a separator between two digits."""
    return (any(c in text for c in "+(\uff0b\uff08")
            or _PHONE_SHAPE_SEP.search(text) is not None)


def _possible_phone_spans(rec: Any, text: str, candidates: Sequence[tuple[int, int]] | None
                          ) -> list[tuple[int, int, float]]:
    import phonenumbers

    spans: set[tuple[int, int]] = set()
    may = region_filter(text, 0)
    for region in rec.supported_regions:
        if not may(region):
            continue
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=0):
            a, b = m.start, m.end
            if (a > 0 and text[a - 1].isalnum()) or (b < len(text) and text[b].isalnum()):
                continue
            if phone_shaped(m.raw_string):
                spans.add((a, b))
        if candidates is not None and all(any(a <= c0 and c1 <= b for a, b in spans)
                                          for c0, c1 in candidates):
            break
    return [(a, b, float(rec.SCORE)) for a, b in sorted(spans)]


def _custom(spec: dict[str, Any]) -> Callable[[], Any]:
    def make() -> Any:
        from presidio_analyzer import Pattern, PatternRecognizer

        return PatternRecognizer(
            supported_entity=spec["entity"], name=spec["name"],
            patterns=[Pattern(spec["name"], spec["regex"], float(spec.get("score", 0.6)))],
            context=list(spec.get("context", [])))
    return make


@functools.lru_cache(maxsize=1)
def predefined_catalog() -> tuple[tuple[str, str | None, str], ...]:
    """(class name, country code, entity) of every Presidio predefined pattern recognizer."""
    import inspect

    import presidio_analyzer
    import yaml
    from presidio_analyzer.recognizer_registry.recognizers_loader_utils import (
        RecognizerListLoader,
    )

    conf = Path(presidio_analyzer.__file__).parent / "conf" / "default_recognizers.yaml"
    out = []
    for item in yaml.safe_load(conf.read_text(encoding="utf-8"))["recognizers"]:
        if not isinstance(item, dict) or item.get("type") != "predefined":
            continue
        try:
            cls = RecognizerListLoader.get_existing_recognizer_cls(item["name"])
            kwargs: dict[str, Any] = ({"supported_language": "en"} if "supported_language"
                                      in inspect.signature(cls.__init__).parameters else {})
            entities = cls(**kwargs).supported_entities
        except Exception:  # optional third-party recognizers whose packages are missing
            continue
        if len(entities) != 1 or entities[0] in ("PERSON", "LOCATION", "ORGANIZATION", "NRP"):
            continue
        country = getattr(cls, "COUNTRY_CODE", None) or item.get("country_code")
        out.append((item["name"], country, entities[0]))
    return tuple(out)


def _predefined(class_name: str) -> Callable[[], Any]:
    def make() -> Any:
        import inspect

        from presidio_analyzer.recognizer_registry.recognizers_loader_utils import (
            RecognizerListLoader,
        )

        cls = RecognizerListLoader.get_existing_recognizer_cls(class_name)
        kwargs: dict[str, Any] = ({"supported_language": "en"} if "supported_language"
                                  in inspect.signature(cls.__init__).parameters else {})
        return cls(**kwargs)
    return make


def _presidio_imported() -> None:
    """Process-wide Presidio settings: bounded regex scans, and a silent logger (Presidio logs
    matched values on some validation errors: that must never reach a terminal or CI log).
    The import runs with the cyclic garbage collector paused: its collections there walk the
    100,000 objects the import leaves behind for nothing (see _load's gc.freeze)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from presidio_analyzer import pattern_recognizer
    finally:
        if collecting:
            gc.enable()

    pattern_recognizer.REGEX_TIMEOUT_SECONDS = REGEX_TIMEOUT_SECONDS
    try:
        from presidio_analyzer.predefined_recognizers.generic import iban_recognizer

        if hasattr(iban_recognizer, "REGEX_TIMEOUT_SECONDS"):
            iban_recognizer.REGEX_TIMEOUT_SECONDS = REGEX_TIMEOUT_SECONDS
    except ImportError:  # pragma: no cover - layout of another Presidio version
        pass
    log = logging.getLogger("presidio-analyzer")
    log.setLevel(logging.CRITICAL + 1)
    log.propagate = False


def key_context(key: str | None) -> list[str]:
    """Context words for a column name or JSON key, as analyze_dict passes them."""
    if not key:
        return []
    words = [w for w in re.split(r"[^0-9A-Za-z]+|(?<=[a-z])(?=[A-Z])", key) if w]
    return [key.lower(), *(w.lower() for w in words)]


class PiiDetector:
    """Presidio's recognizers behind cheap prefilters. Thread-unsafe; make one per process."""

    def __init__(self, policy: Policy) -> None:
        cfg = policy.section("pii")
        self.policy = policy
        self.threshold = float(cfg["threshold"])
        self.deep = bool(cfg["deep"])
        self.use_default_allowlist = bool(cfg["default-allowlist"])
        self.allow_values = frozenset(cfg["allowlist"])
        self.allow_patterns = [re.compile(p) for p in cfg["allowlist-patterns"]]
        self.spacy_model = str(cfg["spacy-model"])
        self.ner_entities = list(cfg["ner-entities"]) if self.spacy_model and self.deep else []
        regions = [r.upper() for r in cfg["phone-regions"]]
        entities = list(dict.fromkeys(cfg["entities"]))
        countries = [c.lower() for c in cfg["countries"]]
        self.recs: list[_Rec] = []
        builtin = set(DEFAULT_ENTITIES)
        if "PHONE_NUMBER" in entities:
            import phonenumbers

            unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
            if unknown:
                raise MlgateError(f"{policy.source}: 'pii.phone-regions' must be region codes "
                                  f"phonenumbers knows (US, GB, DE, ...), not {unknown}")
            # with the default allowlist, shorter numbers are never reported (and every region
            # set allows some number shorter than that: +43/+49 and four digits)
            n = MIN_PHONE_DIGITS if self.use_default_allowlist else min_phone_digits(regions)
            phone_prefilter = _PhonePrefilter(n, self.use_default_allowlist)
            self.recs.append(_Rec("PHONE_NUMBER", functools.partial(_phone, tuple(regions)),
                                  phone_prefilter, lean_phone=True))
            self.recs.append(_Rec("PHONE_NUMBER", _own("mlgate_phone", tuple(regions)),
                                  phone_prefilter, presidio=False, possible_phone=True))
        if "EMAIL_ADDRESS" in entities:
            self.recs.append(_Rec("EMAIL_ADDRESS", _own("offline_email"), _email_prefilter,
                                  anchors=_email_anchors))
        if "CREDIT_CARD" in entities:
            self.recs.append(_Rec("CREDIT_CARD", _predefined("CreditCardRecognizer"),
                                  _CARD_PRESIDIO.search))
            self.recs.append(_Rec("CREDIT_CARD", _own("mlgate_card"), _CARD_MLGATE.search,
                                  presidio=False))
        if "US_SSN" in entities:
            self.recs.append(_Rec("US_SSN", _predefined("UsSsnRecognizer"), _SSN.search))
        if "IBAN_CODE" in entities:
            self.recs.append(_Rec("IBAN_CODE", _predefined("IbanRecognizer"), _IBAN.search))
        if "IP_ADDRESS" in entities:
            self.recs.append(_Rec("IP_ADDRESS", _predefined("IpRecognizer"), _ip_prefilter,
                                  anchors=_ip_anchors))
        others = [e for e in entities if e not in builtin]
        if others or countries:
            catalog = predefined_catalog()
            known = {e for _, _, e in catalog}
            missing = [e for e in others if e not in known]
            if missing:
                raise MlgateError(
                    f"{policy.source}: 'pii.entities' names no Presidio predefined recognizer "
                    f"for {missing} (known: {', '.join(sorted(known | builtin))})")
            all_countries = {c for _, c, _ in catalog if c}
            bad = [c for c in countries if c not in all_countries]
            if bad:
                raise MlgateError(f"{policy.source}: 'pii.countries' must be among "
                                  f"{', '.join(sorted(all_countries))}, not {bad}")
            for name, country, entity in catalog:
                if entity in builtin and name in ("CreditCardRecognizer", "UsSsnRecognizer",
                                                  "IbanRecognizer", "IpRecognizer",
                                                  "EmailRecognizer", "PhoneRecognizer"):
                    continue
                if entity in others or (country and country in countries):
                    self.recs.append(_Rec(entity, _predefined(name), None))
        for spec in cfg["recognizers"]:
            pattern = _regex_module().compile(spec["regex"], _PRESIDIO_FLAGS())
            self.recs.append(_Rec(spec["entity"], _custom(spec), _RegexPrefilter(pattern)))
        self.entities = list(dict.fromkeys(r.entity for r in self.recs))
        self._phone_recs = [r for r in self.recs if isinstance(r.prefilter, _PhonePrefilter)]
        self._other_recs = [r for r in self.recs if not isinstance(r.prefilter, _PhonePrefilter)]
        # (recognizer, its prefilter) of the others: all, and those a noise cell still needs
        self._prefilters = [(r, r.prefilter) for r in self._other_recs]
        self._noise_prefilters = [(r, f) for r, f in self._prefilters
                                  if r.entity not in _NUMERIC_ENTITIES]
        phone = self._phone_recs[0].prefilter if self._phone_recs else None
        self._phone_prefilter = phone if isinstance(phone, _PhonePrefilter) else None
        # only mlgate's own prefilters are known to need one of the gate's characters (a
        # custom recognizer may reuse a built-in entity name with any regex)
        self._gate = (_GATE_DEFAULT if all(r.prefilter is not None and r.entity in builtin
                                           and not isinstance(r.prefilter, _RegexPrefilter)
                                           for r in self.recs) else None)
        self._loaded = False
        self._engine: Any = None  # deep mode only
        self._cache: dict[tuple[str, str | None], tuple[PiiSpan, ...]] = {}
        # shapes (see _DIGIT_SHAPES) of cells no prefilter passed; only where every prefilter
        # is mlgate's own, whose verdicts are the same for all cells of one shape
        self._quiet: set[tuple[str, str | None]] | None = (
            set() if self._gate is not None and not self.ner_entities else None)
        self._boosts: dict[str | None, dict[int, bool]] = {}
        # time.monotonic() after which results() raises OutOfTime: it looks at the clock
        # between the parts of a long text, so one huge line cannot outlast the budget
        self.deadline: float | None = None
        if self.deep:
            self._load()
            self._engine = self._deep_engine()

    # -- loading ---------------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        _presidio_imported()
        from presidio_analyzer import PatternRecognizer

        for rec in self.recs:
            rec.instance = rec.make()
            if not isinstance(rec.prefilter, _RegexPrefilter):  # not a custom recognizer
                _RE_READABLE.update(p.regex for p in getattr(rec.instance, "patterns", ()))
            rec.lean_pattern = (isinstance(rec.instance, PatternRecognizer)
                                and type(rec.instance).analyze is PatternRecognizer.analyze)
            rec.lean_iban = type(rec.instance).__name__ == "IbanRecognizer"
            if rec.anchors is not None and not (rec.lean_pattern
                                                and _spaceless(rec.instance.patterns)):
                rec.anchors = None
        self._loaded = True
        # Importing Presidio and spaCy leaves over 100,000 objects that live as long as the
        # process: exempt them from the cyclic garbage collector, which would walk them all on
        # each full collection (≈ 0.45 s of a 12 s run; reference counting still frees what
        # is freed later, only cycles among these objects would stay).
        gc.freeze()

    def presidio_recognizers(self) -> list[Any]:
        """Presidio's own recognizers this detector runs (for a reference AnalyzerEngine)."""
        self._load()
        return [r.instance for r in self.recs if r.presidio]

    def _deep_engine(self) -> Any:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

        from mlgate.hooks.pii_recognizers import make_spacy_engine

        nlp_engine = make_spacy_engine(self.spacy_model, self.policy.source)
        registry = RecognizerRegistry(supported_languages=["en"])
        for rec in self.recs:
            registry.add_recognizer(rec.instance)
        if self.ner_entities:
            from presidio_analyzer.predefined_recognizers import SpacyRecognizer

            registry.add_recognizer(SpacyRecognizer(supported_entities=self.ner_entities))
        return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry,
                              supported_languages=["en"],
                              default_score_threshold=self.threshold)

    # -- detection -------------------------------------------------------------------------

    def candidates(self, text: str, key: str | None = None) -> list[_Rec]:
        """The recognizers whose prefilter `text` passes (no Presidio import). Recognizers of
        numeric entities are skipped on a value the default allowlist covers whole."""
        if self._gate is not None and self._gate.search(text) is None:
            return []
        noise = self.use_default_allowlist and cell_is_noise(text, key)
        picked = [r for r, test in (self._noise_prefilters if noise else self._prefilters)
                  if test is None or test(text)]
        phone = self._phone_prefilter
        # when other recognizers are confirmed anyway, the default allowlist is checked later,
        # on the phone candidates outside their matches only
        if phone is not None and not noise and phone(text, cheap=bool(picked)):
            picked += self._phone_recs
        return picked

    def results(self, text: str, key: str | None = None, *,
                raw: bool = False) -> tuple[PiiSpan, ...]:
        """Every match over the threshold and outside the allowlists, per entity de-duplicated
        as Presidio does; matches of different entities may overlap. `raw`: before any
        allowlist (a phone number inside another entity's match may then be missing)."""
        if not text:
            return ()
        if raw:
            recs = [r for r in self.recs if r.prefilter is None or r.prefilter(text)]
            recs.sort(key=lambda r: (r.lean_phone or r.possible_phone, r.possible_phone))
            if not recs:
                return ()
            self._load()
            return tuple(self._confirm(text, key, recs, phone_inside_ok=False))
        cacheable = len(text) <= 256
        if cacheable:
            hit = self._cache.get((text, key))
            if hit is not None:
                return hit
        shape = None
        if self._quiet is not None and len(text) <= 256:  # bounded: ≤ 32k short shapes
            shape = (text.translate(_DIGIT_SHAPES), key)
            if shape in self._quiet:
                return ()
        recs = self.candidates(text, key)
        if not recs and not self.ner_entities:
            out: tuple[PiiSpan, ...] = ()
            if shape is not None and self._quiet is not None and \
                    _CARD_ANY_DIGIT.search(text) is None:
                if len(self._quiet) >= 32_768:
                    self._quiet.clear()
                self._quiet.add(shape)
        else:
            self._load()
            confirmed = self._deep(text, key, recs) if self._engine is not None else \
                self._confirm(text, key, recs)
            found = confirmed
            if self.use_default_allowlist and len({s.entity == "PHONE_NUMBER"
                                                   for s in confirmed}) == 2:
                others = _Covers((o.start, o.end) for o in confirmed
                                 if o.entity != "PHONE_NUMBER")
                found = [s for s in confirmed
                         if s.entity != "PHONE_NUMBER" or not others.contains(s.start, s.end)]
            out = tuple(s for s in found if not self.allowed(s, text, key))
        if cacheable:
            if len(self._cache) > 20_000:
                self._cache.clear()
            self._cache[(text, key)] = out
        return out

    def _confirm(self, text: str, key: str | None, recs: list[_Rec],
                 phone_inside_ok: bool | None = None) -> list[PiiSpan]:
        """Presidio's recognizers on `text`, scored as AnalyzerEngine.analyze scores them with
        the no-op engine: explicit context (+0.35, at least 0.4), threshold, de-duplication.
        `recs` come with the phone recognizers last, Presidio's before mlgate's possible-number
        pass (as candidates() orders them): the phone matcher is slow, and candidates inside
        other matches are skipped; the possible-number pass runs only where Presidio's found
        nothing."""
        if phone_inside_ok is None:
            phone_inside_ok = self.use_default_allowlist
        boosted = self._boosted(key)
        results: list[tuple[str, int, int, float]] = []
        outside: list[tuple[int, int]] | None = None  # phone candidates outside other matches
        for rec in recs:
            inst = rec.instance
            boost = boosted[id(rec)]
            found: list[tuple[int, int, float]]
            if rec.lean_phone or rec.possible_phone:
                assert isinstance(rec.prefilter, _PhonePrefilter)
                if outside is None:  # results so far are the other entities' matches
                    outside = _outside(rec.prefilter.candidates(text), results)
            if rec.lean_phone:
                best = min(max(inst.SCORE + 0.35, 0.4), 1.0) if boost else inst.SCORE
                if best < self.threshold:
                    continue
                assert isinstance(rec.prefilter, _PhonePrefilter) and outside is not None
                if phone_inside_ok:
                    # the default allowlist drops phone numbers inside another entity's match:
                    # only candidates outside every other match need the (slow) matcher
                    todo = rec.prefilter.reportable(text, outside) if outside else []
                    if not todo:
                        continue
                    found = _phone_spans(inst, text, todo, self._on_time)
                else:
                    found = _phone_spans(inst, text, None, self._on_time)
            elif rec.possible_phone:
                assert isinstance(rec.prefilter, _PhonePrefilter) and outside is not None
                # only candidates where Presidio found no phone number at all: a result here
                # then never hides (by de-duplication) one of Presidio's
                if not outside:
                    continue
                phones = _Covers((a, b) for e, a, b, _ in results if e == "PHONE_NUMBER")
                todo = [c for c in outside if not phones.overlaps(*c)]
                if phone_inside_ok:
                    todo = rec.prefilter.reportable(text, todo)
                if not todo:
                    continue
                found = []
                for c0, c1 in todo:  # windows: each candidate with what the matcher inspects
                    self._on_time()
                    if count_digits(text[c0:c1]) > POSSIBLE_MAX_DIGITS:
                        continue  # a run of number blocks, not a phone number written out
                    w0, w1 = max(0, c0 - 1), min(len(text), c1 + 3)
                    if not may_hold_phone_shape(text[w0:w1]):
                        continue  # every match is a part of the window: none is phone-shaped
                    found += [(a + w0, b + w0, sc) for a, b, sc in
                              _possible_phone_spans(inst, text[w0:w1], [(c0 - w0, c1 - w0)])]
            elif rec.lean_pattern and rec.anchors is not None and len(text) > 64:
                found = []
                for w0, w1 in _token_windows(text, rec.anchors(text)):
                    self._on_time()
                    found += [(a + w0, b + w0, sc)
                              for a, b, sc in _pattern_spans(inst, text[w0:w1])]
            elif rec.lean_pattern:
                found = _pattern_spans(inst, text)
            elif rec.lean_iban:
                found = _iban_spans(inst, text)
            else:
                found = [(r.start, r.end, float(r.score))
                         for r in inst.analyze(text=text, entities=[rec.entity],
                                               nlp_artifacts=None) or []]
            for a, b, score in found:
                if boost:  # LemmaContextAwareEnhancer with the no-op engine: explicit context
                    score = min(max(score + 0.35, 0.4), 1.0)
                if score >= self.threshold:
                    results.append((rec.entity, a, b, score))
        return [PiiSpan(a, b, e, sc) for e, a, b, sc in remove_duplicates(results)]

    def _on_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime

    def _boosted(self, key: str | None) -> dict[int, bool]:
        """Per recognizer: whether the key's context words raise its scores (as
        LemmaContextAwareEnhancer does with explicit context), worked out once per key."""
        boosted = self._boosts.get(key)
        if boosted is None:
            context = key_context(key)
            boosted = {id(r): bool(context) and any(w.lower() in c
                                                    for w in (r.instance.context or [])
                                                    for c in context) for r in self.recs}
            if len(self._boosts) > 10_000:
                self._boosts.clear()
            self._boosts[key] = boosted
        return boosted

    def _deep(self, text: str, key: str | None, recs: list[_Rec]) -> list[PiiSpan]:
        entities = list(dict.fromkeys([*(r.entity for r in recs), *self.ner_entities]))
        if not entities:
            return []
        found = self._engine.analyze(text=text, language="en", entities=entities,
                                     score_threshold=self.threshold,
                                     context=key_context(key) or None)
        return sorted((PiiSpan(r.start, r.end, r.entity_type, float(r.score)) for r in found),
                      key=lambda s: (s.start, s.end, s.entity))

    def allowed(self, span: PiiSpan, text: str, key: str | None) -> bool:
        if self.allow_values or self.allow_patterns:
            value = text[span.start:span.end]
            if value in self.allow_values or value.strip() in self.allow_values:
                return True
            if any(p.fullmatch(value) for p in self.allow_patterns):
                return True
        return self.use_default_allowlist and default_allowed(span.entity, text, span.start,
                                                              span.end, key)

    def spans(self, text: str, key: str | None = None) -> list[PiiSpan]:
        """Non-overlapping PII spans of `text`, sorted: overlapping matches are merged into one
        span that covers them all, labelled with the entity of the highest score."""
        out: list[PiiSpan] = []
        for s in sorted(self.results(text, key), key=lambda s: (s.start, -s.end)):
            if out and s.start < out[-1].end:
                last = out[-1]
                best = last if last.score >= s.score else s
                out[-1] = PiiSpan(last.start, max(last.end, s.end), best.entity,
                                  max(last.score, s.score))
            else:
                out.append(s)
        return out


def _outside(spans: Sequence[tuple[int, int]], results: Sequence[tuple[str, int, int, float]]
             ) -> list[tuple[int, int]]:
    """The spans not inside any result (results indexed once when there are many)."""
    if not results:
        return list(spans)
    if len(results) <= 8:
        return [(c0, c1) for c0, c1 in spans
                if not any(a <= c0 and c1 <= b for _, a, b, _ in results)]
    covers = _Covers((a, b) for _, a, b, _ in results)
    return [c for c in spans if not covers.contains(*c)]


class _Covers:
    """Spans, indexed so that "is [c0, c1) inside one of them" and "does [c0, c1) overlap one
    of them" take O(log n): a text with tens of thousands of matches stays linear."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.max_end = list(itertools.accumulate((b for _, b in ordered), max))

    def contains(self, c0: int, c1: int) -> bool:
        i = bisect.bisect_right(self.starts, c0)  # the spans starting at or before c0
        return i > 0 and self.max_end[i - 1] >= c1

    def overlaps(self, c0: int, c1: int) -> bool:
        i = bisect.bisect_left(self.starts, c1)  # the spans starting before c1
        return i > 0 and self.max_end[i - 1] > c0


def _phone(regions: tuple[str, ...]) -> Any:
    import phonenumbers.re_util
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    if hasattr(phonenumbers.re_util, "enable_pattern_cache"):
        phonenumbers.re_util.enable_pattern_cache()  # same patterns, compiled once
    return PhoneRecognizer(supported_regions=regions)


_NANP = frozenset({"US", "CA", "AG", "AI", "AS", "BB", "BM", "BS", "DM", "DO", "GD", "GU",
                   "JM", "KN", "KY", "LC", "MP", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI"})


def _national_trunk(text: str, c0: int, c1: int) -> bool:
    return text[c0:c1].lstrip("([\uff08\uff3b").startswith("0")


_PHONE_DESCS = ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                "personal_number", "voip", "pager", "uan", "voicemail")


@functools.cache
def _region_digits_rule(region: str) -> tuple[Any, Any, str | None, str, frozenset[int], Any
                                              ] | None:
    """What `phonenumbers.parse(digits, region)` uses of the region to read ASCII digits: its
    international (IDD) and national prefix patterns (compiled as phonenumbers compiles
    them), its country code, and every national-number length of that country code (any
    region sharing it, any number type, local-only lengths too); and the national-number
    patterns of every number type of those regions (a valid number matches one of them);
    and its national prefix transform rule. None when no bound can be given (a number type
    without possible lengths)."""
    import phonenumbers
    from phonenumbers import PhoneMetadata
    from phonenumbers.re_util import re_compile

    md = PhoneMetadata.metadata_for_region(region)
    if md is None or md.country_code is None:
        return None
    lengths: set[int] = set()
    types: list[Any] = []
    for r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(md.country_code, ()):
        other = PhoneMetadata.metadata_for_region(r)
        if other is None:
            return None
        for name in _PHONE_DESCS:
            desc = getattr(other, name, None)
            if desc is None:
                continue
            if desc.national_number_pattern and not desc.possible_length:
                return None
            lengths.update(n for n in desc.possible_length if n > 0)
            lengths.update(n for n in desc.possible_length_local_only or () if n > 0)
            if name != "general_desc" and desc.national_number_pattern:
                types.append(desc.national_number_pattern)
    idd = re_compile(md.international_prefix) if md.international_prefix else None
    npp = re_compile(md.national_prefix_for_parsing) if md.national_prefix_for_parsing else None
    # one alternation: it matches a whole string exactly when one of the patterns does
    any_type = re.compile("|".join(f"(?:{p})" for p in dict.fromkeys(types))) if types else None
    return (idd, npp, md.national_prefix_transform_rule or None, str(md.country_code),
            frozenset(lengths), any_type)


def digits_may_be_number(digits: str, region: str, valid: bool = False,
                         all_digits: bool = False) -> bool:
    """False only if `phonenumbers.parse(digits, region)` (ASCII digits) cannot give a
    possible number (`valid`: a valid one): without an IDD prefix the country code is the
    region's, and the national number is `digits` less the country code (when it starts
    with it) and less (or rewritten by the region's transform rule) at most two national
    prefixes (parse strips one inside country-code extraction and one after), so its length
    must be one that country code allows; a valid number also matches the pattern of some
    number type of a region of that country code (is_valid_number's test).

    `all_digits`: `digits` are all the digits of the string the matcher parses. Then (for
    `valid`) a number read in the region's own country code must also pass the matcher's
    national-prefix test: with no national prefix at the start of those digits, its format
    must not require one (`12345678901` is no German number written nationally)."""
    rule = _region_digits_rule(region)
    if rule is None:
        return True
    idd, npp, transform, cc, lengths, types = rule
    m = idd.match(digits) if idd is not None else None
    if m is not None:
        after = digits[m.end():]
        if not after:
            return False  # parse: too short after the IDD
        if after[0] != "0":  # parse reads an IDD and then the country code, as after a `+`
            return bool(_plus_parse("+" + after, valid))
    if len(digits) < min(lengths, default=0):
        return False  # stripping only shortens it
    own = {digits}  # read in the region's country code (source FROM_DEFAULT_COUNTRY)
    extracted = {digits[len(cc):]} if digits.startswith(cc) else set()
    for forms in (own, extracted):
        if npp is None:
            break
        for _ in range(2):
            for f in list(forms):
                m = npp.match(f)
                if m and m.end():
                    forms.add(f[m.end():])
                if m and transform:  # rewritten, as parse does when the rule's group matched
                    try:
                        forms.add(npp.sub(transform, f, count=1))
                    except (re.error, IndexError):
                        return True

    def may(f: str) -> bool:
        return len(f) in lengths and (not valid or (types is not None
                                                    and types.fullmatch(f) is not None))

    if any(may(f) for f in extracted):
        return True
    for f in own:
        if may(f) and not (valid and all_digits and _prefix_rules(cc)
                           and not _national_prefix_at_start(cc, digits)
                           and _national_prefix_required(cc, f)):
            return True
    return False


@functools.cache
def _main_metadata(cc: str) -> Any:
    """The metadata of the main region of a country code (the matcher's national-prefix
    test reads that region's formats and national prefix)."""
    import phonenumbers
    from phonenumbers import PhoneMetadata

    return PhoneMetadata.metadata_for_region(phonenumbers.region_code_for_country_code(int(cc)))


def _demands_prefix(number_format: Any) -> bool:
    """The matcher's reading of a format: it has a national-prefix rule, not optional, and
    not the first-group symbol (`$1`) alone."""
    from phonenumbers.phonenumberutil import _formatting_rule_has_first_group_only

    rule = number_format.national_prefix_formatting_rule
    return bool(rule and not number_format.national_prefix_optional_when_formatting
                and not _formatting_rule_has_first_group_only(rule))


@functools.cache
def _prefix_rules(cc: str) -> bool:
    """Whether any format of the country code's main region demands a national prefix (not
    for North America or India, for example: no number there needs the test)."""
    md = _main_metadata(cc)
    return md is not None and any(_demands_prefix(f) for f in md.number_format)


def _national_prefix_at_start(cc: str, digits: str) -> bool:
    """Whether the matcher may find a national prefix at the start of these digits (its
    pattern matches there: necessary for _maybe_strip_national_prefix_carrier_code)."""
    from phonenumbers.re_util import re_compile

    md = _main_metadata(cc)
    npp = md.national_prefix_for_parsing if md is not None else None
    return md is None or not npp or re_compile(npp).match(digits) is not None


def _national_prefix_required(cc: str, national: str) -> bool:
    """Whether the matcher's national-prefix test demands a national prefix before this
    national significant number (the format it chooses for the number demands one)."""
    from phonenumbers.phonenumberutil import _choose_formatting_pattern_for_number

    md = _main_metadata(cc)
    if md is None:
        return False
    chosen = _choose_formatting_pattern_for_number(md.number_format, national)
    return chosen is not None and _demands_prefix(chosen)


def _parsed_strings(candidate: str) -> Iterator[str]:
    """Every string PhoneNumberMatcher._extract_match may parse for this candidate: the
    candidate, then the groups of its inner-match search (a superset: whether it gets that
    far does not matter here)."""
    from phonenumbers.phonenumbermatcher import _INNER_MATCHES
    from phonenumbers.phonenumberutil import _UNWANTED_END_CHAR_PATTERN as unwanted

    def trim(value: str) -> str:
        m = unwanted.search(value)
        return value[:m.start()] if m else value

    yield candidate
    for pattern in _INNER_MATCHES:
        m = pattern.search(candidate)
        if m:
            yield trim(candidate[:m.start()])
        while m:
            yield trim(m.group(1))
            m = pattern.search(candidate, m.start() + 1)


_RFC3966 = re.compile(r"[;:]")  # `tel:`, `;phone-context=`: parse builds the number otherwise


@functools.lru_cache(maxsize=4096)
def _plus_parse(value: str, valid: bool) -> bool | None:
    """Whether `phonenumbers.parse` reads a string that starts with a plus sign as a possible
    (`valid`: valid) number. Its country code decides, not the default region; None when the
    country code is not one (parse then reads the digits again in the default region)."""
    import phonenumbers
    from phonenumbers import NumberParseException

    try:
        number = phonenumbers.parse(value, None, keep_raw_input=True)
    except NumberParseException as e:
        return None if e.error_type == NumberParseException.INVALID_COUNTRY_CODE else False
    return bool(phonenumbers.is_valid_number(number) if valid
                else phonenumbers.is_possible_number(number))


@functools.lru_cache(maxsize=8192)
def _parse_view(value: str, valid: bool) -> bool | str:
    """How `phonenumbers.parse(value, region)` reads `value`, as far as the region plays no
    part: False if it gives no possible (`valid`: valid) number in any region, True if it may
    give one in every region (or this cannot tell), else the ASCII digits it reads in the
    default region (after the characters it skips and an extension it strips)."""
    from phonenumbers import phonenumberutil as pu

    if count_digits(value) < 2:
        return False  # parse: not a viable number
    if not value.isascii() or _RFC3966.search(value):
        return True
    national = pu._extract_possible_number(value)
    if not pu._is_viable_phone_number(national):
        return False
    national = pu._maybe_strip_extension(national)[1]
    plus = pu._PLUS_CHARS_PATTERN.match(national)
    if plus:
        verdict = _plus_parse(value, valid)
        if verdict is not None:
            return verdict
        national = national[plus.end():]
    if pu._VALID_ALPHA_PHONE_PATTERN.fullmatch(national):
        return True  # letters read as keypad digits
    return "".join(c for c in national if c.isdigit())


def region_filter(text: str, leniency: int) -> Callable[[str], bool]:
    """Whether PhoneNumberMatcher for a region (at this leniency or stricter) may find a
    number in `text`. A region may be ruled out only if no string it would parse, in any
    candidate of the matcher's pattern, can be a possible (VALID and stricter: valid) number:
    the matcher then finds nothing, so it sees exactly the pattern's successive matches (each
    search goes on from the end of the last candidate) and this is a complete account of
    what it parses. What does not depend on the region is worked out here, once; the rest
    when a region is asked about (callers that stop early never ask about the others)."""
    from phonenumbers.phonenumberutil import _SECOND_NUMBER_START_PATTERN as cut

    valid = leniency >= 1
    digit_strings: list[tuple[str, bool]] = []
    for m in _phone_pattern().finditer(text):
        candidate = m.group()
        if cut.search(candidate):
            return lambda region: True  # the matcher searches on from inside this candidate
        for g in dict.fromkeys(_parsed_strings(candidate)):
            view = _parse_view(g, valid)
            if view is True:
                return lambda region: True
            if view is not False:  # with whether these are all of the string's digits
                digit_strings.append((view, len(view) == count_digits(g)))
    digit_strings = list(dict.fromkeys(digit_strings))
    return lambda region: any(digits_may_be_number(d, region, valid, every)
                              for d, every in digit_strings)


def _no_deadline() -> None:
    pass


def _phone_spans(rec: Any, text: str, candidates: Sequence[tuple[int, int]] | None = None,
                 on_time: Callable[[], None] = _no_deadline) -> list[tuple[int, int, float]]:
    """What PhoneRecognizer.analyze finds, without what only its explanations use (a re-parse
    and a region look-up per match): the same PhoneNumberMatcher per region, the same score.

    `candidates`: the phone candidates that matter (any other match would be allowlisted).
    All phone results have one score, so de-duplication keeps only spans not inside another;
    every match lies inside its candidate. Once each candidate is matched whole, the remaining
    regions can only add spans inside those, which de-duplication drops: stop there."""
    import phonenumbers

    if candidates is None:
        spans: set[tuple[int, int]] = set()
        for region in rec.supported_regions:
            on_time()  # raises once the deadline has passed
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=rec.leniency):
                spans.add((m.start, m.end))
                on_time()
        return [(a, b, float(rec.SCORE)) for a, b in sorted(spans)]
    spans = set()
    ordered = sorted(candidates)
    i = 0
    for w0, w1 in phone_windows(text, ordered):
        on_time()
        part = text[w0:w1]
        todo = []  # the candidates in this window (windows and candidates both in order)
        while i < len(ordered) and ordered[i][1] <= w1:
            todo.append((ordered[i][0] - w0, ordered[i][1] - w0))
            i += 1
        regions = list(rec.supported_regions)
        if all(_national_trunk(part, c0, c1) for c0, c1 in todo):
            # order only: a number written with a leading 0 is not North American; trying
            # the NANP regions last lets the early stop below skip them more often
            regions = [r for r in regions if r not in _NANP] + [r for r in regions if r in _NANP]
        may = region_filter(part, rec.leniency)
        found: set[tuple[int, int]] = set()
        for region in regions:
            if not may(region):
                continue
            on_time()
            for m in phonenumbers.PhoneNumberMatcher(part, region, leniency=rec.leniency):
                found.add((m.start, m.end))
                on_time()  # also between the numbers of one long stretch
            covers = _Covers(found)
            if all(covers.contains(c0, c1) for c0, c1 in todo):
                break
        spans.update((a + w0, b + w0) for a, b in found)
    return [(a, b, float(rec.SCORE)) for a, b in sorted(spans)]


# ASCII characters that no PhoneNumberMatcher candidate holds: not a digit, nor in its lead,
# punctuation or extension patterns (`(`, `+`, `-`, `x`, `.`, `;ext=`, `anexo`, `#`, ...).
_PHONE_ASCII = set("0123456789([+-xX ).]/~;=\t,:#eEtTnNsSiIoOaA")
_BARRIER_CHARS = "".join(chr(i) for i in range(128) if chr(i) not in _PHONE_ASCII)
_PHONE_BARRIERS = re.compile("[" + re.escape(_BARRIER_CHARS) + "]+")


def phone_windows(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of `text` that PhoneNumberMatcher reads independently of the rest, covering
    `spans`: each runs from the barrier character before the first span to the one after the
    last (both kept, or to the text's ends). No candidate of the matcher can hold a barrier,
    and what the matcher checks around a candidate (one character before, three after) is
    inside the part, so on the part it finds exactly what it finds there in the whole text."""
    out: list[tuple[int, int]] = []
    for c0, c1 in sorted(spans):
        if out and c0 < out[-1][1]:
            if c1 > out[-1][1]:
                out[-1] = (out[-1][0], _barrier_after(text, c1))
            continue
        lo = out[-1][1] - 1 if out else 0  # a barrier (the last part's end), or the start
        start = lo
        for m in _PHONE_BARRIERS.finditer(text, lo, c0):
            start = m.end() - 1
        out.append((start, _barrier_after(text, c1)))
    return out


def _barrier_after(text: str, pos: int) -> int:
    m = _PHONE_BARRIERS.search(text, pos)
    return m.start() + 1 if m else len(text)


# A regex without these constructs matches no ASCII white space: no literal white space, no
# escape other than \d \w and the anchors (so no \s \S \W \D \p{..} \x20 \t ...), no negated
# set, no POSIX class, no unescaped `.` (conservative: some of these are harmless).
_SPACE_CAPABLE = re.compile(r"\\[^dwbBAZzG\W]|\[\^|\[:|\s|(?<!\\)\.")
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]")


def _spaceless(patterns: Sequence[Any]) -> bool:
    return not any(_SPACE_CAPABLE.search(p.regex) for p in patterns)


def _token_windows(text: str, anchors: Iterator[int]) -> list[tuple[int, int]]:
    """The white-space-delimited tokens holding the anchors, each with the white space
    before and after it. A pattern that matches no white space finds on such a window
    exactly what it finds there in the whole text: no match crosses white space, so the
    scan enters each token afresh, and its look-arounds see the same neighbours."""
    out: list[tuple[int, int]] = []
    for pos in sorted(anchors):
        if out and pos < out[-1][1]:
            continue
        before = max(text.rfind(c, 0, pos) for c in " \t\n\r\f\v")  # -1: none
        m = _ASCII_SPACE.search(text, pos)
        out.append((max(0, before), m.end() if m else len(text)))
    return out


def _pattern_spans(rec: Any, text: str) -> list[tuple[int, int, float]]:
    """PatternRecognizer.analyze without explanation objects: each pattern (compiled by the
    `regex` module with the recognizer's flags, bounded by REGEX_TIMEOUT_SECONDS), then
    validate_result (True: 1.0, False: 0.0) and invalidate_result (True: 0.0)."""
    out = []
    invalidate = _scan_plan(rec).invalidate
    for pattern, m in _pattern_matches(rec, text):
        a, b = m.span()
        if a == b:
            continue
        value = text[a:b]
        score = pattern.score
        valid = rec.validate_result(value)
        if valid is not None:
            score = 1.0 if valid else 0.0
        if invalidate(value):
            score = 0.0
        if score > 0:
            out.append((a, b, float(score)))
    return out


def _pattern_matches(rec: Any, text: str) -> Iterator[tuple[Any, Any]]:
    """(pattern, match) of each of the recognizer's patterns, compiled as Presidio does (the
    `regex` module, the recognizer's flags); a pattern that hits REGEX_TIMEOUT_SECONDS stops.
    A pattern is not scanned over a text that lacks a character each of its matches has."""
    for pattern, compiled, needed in _scan_plan(rec).steps:
        if needed and not all(c in text for c in needed):
            continue
        try:
            for m in compiled.finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
                yield pattern, m
        except TimeoutError:
            continue


class _Plan(NamedTuple):
    """How a pattern recognizer is run, worked out once per recognizer and flags (this runs
    for tens of thousands of cells)."""

    rec: Any
    flags: Any
    patterns: list[Any]
    # per pattern: the pattern, compiled with the recognizer's flags (kept on the pattern, as
    # Presidio keeps it), and the characters a text must hold for a match
    steps: list[tuple[Any, Any, frozenset[str]]]
    # its invalidate_result; for Presidio's own IpRecognizer one that answers for a dotted
    # quad without building ipaddress objects (≈ 15 µs each), as ipaddress does
    invalidate: Callable[[str], object]


def _scan_plan(rec: Any) -> _Plan:
    flags = rec.global_regex_flags
    plan = _PLANS.get(id(rec))
    if plan is not None and plan.rec is rec and plan.flags == flags \
            and plan.patterns == rec.patterns:
        return plan
    rx = _regex_module()
    steps = []
    for pattern in rec.patterns:
        if not pattern.compiled_regex or pattern.compiled_with_flags != flags:
            pattern.compiled_with_flags = flags
            pattern.compiled_regex = rx.compile(pattern.regex, flags=flags)
        # (read without the flags: verbose mode would change what is literal)
        needed = required_chars(pattern.regex) \
            if pattern.regex in _RE_READABLE and not flags & rx.VERBOSE else frozenset()
        steps.append((pattern, pattern.compiled_regex, needed))
    invalidate: Callable[[str], object] = rec.invalidate_result
    if type(rec).__name__ == "IpRecognizer":
        from presidio_analyzer.predefined_recognizers import IpRecognizer

        if type(rec).invalidate_result is IpRecognizer.invalidate_result:
            invalidate = functools.partial(_ip_invalid, invalidate)
    if len(_PLANS) >= 256:
        _PLANS.clear()  # recognizers of detectors long gone (tests make many)
    plan = _PLANS[id(rec)] = _Plan(rec, flags, list(rec.patterns), steps, invalidate)
    return plan


_PLANS: dict[int, _Plan] = {}


def _ip_invalid(invalidate: Callable[[str], object], text: str) -> object:
    """IpRecognizer.invalidate_result (True where `ipaddress.ip_interface` fails): a dotted
    quad of ASCII digit runs is an address exactly when each run is 0–255 written without a
    leading zero (ipaddress rejects leading zeros since Python 3.9.5); anything else is
    asked of ipaddress."""
    parts = text.split(".")
    if len(parts) != 4 or not text.isascii() or not all(p.isdigit() for p in parts):
        return invalidate(text)
    return any(len(p) > 3 or (p[0] == "0" and len(p) > 1) or int(p) > 255 for p in parts)


# The patterns of Presidio's and mlgate's own recognizers: `re`, which required_chars parses
# them with, reads them as the `regex` module does. A policy's custom pattern may use syntax
# that `re` reads differently (`[[:digit:]]`, `{e<=1}`), so it is always scanned.
_RE_READABLE: set[str] = set()


@functools.lru_cache(maxsize=256)
def required_chars(pattern: str) -> frozenset[str]:
    """ASCII characters other than letters that every match of `pattern` contains: literals
    outside optional parts and look-arounds, in every branch of an alternation (IP patterns
    need a `:` or a `.`, Presidio's dashed SSN forms a `-`). Letters are left out (the
    patterns are matched ignoring case); a pattern `re` cannot parse requires nothing known."""
    import importlib
    import sys

    # `re`'s own parser (private: sre_parse before Python 3.11, re._parser since)
    names = ("re._parser", "re._constants") if sys.version_info >= (3, 11) else \
        ("sre_parse", "sre_constants")
    _parser: Any = importlib.import_module(names[0])
    c: Any = importlib.import_module(names[1])

    def required(items: Any) -> set[str]:
        out: set[str] = set()
        for op, arg in items:
            if op is c.LITERAL:
                out.add(chr(arg))
            elif op is c.IN and len(arg) == 1 and arg[0][0] is c.LITERAL:
                out.add(chr(arg[0][1]))
            elif op is c.SUBPATTERN:
                out |= required(arg[3])
            elif op is c.ATOMIC_GROUP:
                out |= required(arg)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and arg[0] >= 1:
                out |= required(arg[2])
            elif op is c.BRANCH:
                out |= set.intersection(*(required(b) for b in arg[1]))
        return out

    try:
        found = required(_parser.parse(pattern))
    except Exception:  # syntax of the `regex` module that `re` does not know
        return frozenset()
    return frozenset(ch for ch in found if ch.isascii() and not ch.isalpha())


def _iban_spans(rec: Any, text: str) -> list[tuple[int, int, float]]:
    """IbanRecognizer.analyze without explanation objects: per match, the longest of its
    group-ends that validates (checksum and country format) wins, as in Presidio."""
    out = []
    for pattern, m in _pattern_matches(rec, text):
        for group in reversed(range(1, len(m.groups()) + 1)):
            a = m.span(0)[0]
            b = m.span(group)[1] if m.span(group)[1] > 0 else m.span(0)[1]
            if a == b:
                continue
            score = pattern.score
            valid = rec.validate_result(text[a:b])
            if valid is not None:
                score = 1.0 if valid else 0.0
            if score > 0:
                out.append((a, b, float(score)))
                break
    return out


def remove_duplicates(results: Sequence[tuple[str, int, int, float]]
                      ) -> list[tuple[str, int, int, float]]:
    """Presidio's EntityRecognizer.remove_duplicates on (entity, start, end, score) tuples:
    drop zero scores, exact duplicates, and results inside another result of the same entity
    with an equal or higher score."""
    if len(results) <= 1:
        return [r for r in results if r[3] != 0]
    ordered = sorted(set(results), key=lambda r: (r[0], r[1], -(r[2] - r[1]), -r[3]))
    kept: list[tuple[str, int, int, float]] = []
    active: list[tuple[str, int, int, float]] = []
    entity = None
    for r in ordered:
        if r[3] == 0:
            continue
        if r[0] != entity:
            entity, active = r[0], []
        active = [f for f in active if f[2] >= r[1]]
        if any(r[1] >= f[1] and r[2] <= f[2] and r[3] <= f[3] for f in active):
            continue
        kept.append(r)
        active.append(r)
    return sorted(kept, key=lambda r: (r[1], r[2], r[0]))


@functools.lru_cache(maxsize=1)
def _regex_module() -> Any:
    import regex

    return regex


def _PRESIDIO_FLAGS() -> int:  # noqa: N802 - a constant, computed lazily
    rx = _regex_module()
    return int(rx.DOTALL | rx.MULTILINE | rx.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# The hook


def _where(key: str | None) -> str:
    return f"under {key!r}" if key else "in text"


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    """Findings for PII in the given data samples, one per file + key + entity."""
    from mlgate.sources import SourceError, display_path, iter_records

    if not paths:
        return
    detector = PiiDetector(policy)
    max_bytes = int(policy.section("pii")["max-bytes"])
    max_seconds = float(policy.section("pii")["max-seconds"])
    for path in paths:
        groups: dict[tuple[str | None, str], Finding] = {}
        error: str | None = None
        reader: Any = None
        shown = display_path(path)
        stopped_at: int | None = None
        deadline = time.monotonic() + max_seconds
        detector.deadline = deadline
        try:
            reader = iter_records(path, max_bytes)
            n = 0
            for batch in _column_batches(reader):
                for i, cell in enumerate(batch):
                    try:
                        _scan_cell(detector, cell, shown, path, groups)
                    except OutOfTime:  # inside a long cell: it was not checked whole
                        stopped_at = min(c.line for c in batch[i:])
                        break
                    n += 1
                    if (n % 64 == 0 or len(cell.text) > 4096) and time.monotonic() > deadline:
                        # every line before this one was checked whole
                        stopped_at = min((c.line for c in batch[i + 1:]),
                                         default=max(c.line for c in batch))
                        break
                if stopped_at is not None:
                    break
        except SourceError as e:
            error = str(e) or "cannot be read"
        except MlgateError:
            raise
        except RecursionError:
            error = "too deeply nested to check"
        except MemoryError:
            error = "too large to check in memory"
        except Exception as e:  # never a traceback for one bad file; never the value either
            error = f"could not be checked (internal error: {type(e).__name__})"
        finally:
            detector.deadline = None
        yield from groups.values()
        if error is not None:
            yield FileError(path, error)
            continue
        if stopped_at is not None:
            yield Finding(
                check="pii", rule=TRUNCATED_RULE, severity=Severity.WARNING, path=path,
                message=f"checking stopped at line {stopped_at} after {max_seconds:g} s (the "
                        "[pii] max-seconds budget per file); `mlgate scan` checks the whole file",
                fingerprint=location_fingerprint(TRUNCATED_RULE, shown, ""))
            continue
        status = getattr(reader, "status", None)
        if status is not None and getattr(status, "truncated", False):
            yield Finding(
                check="pii", rule=TRUNCATED_RULE, severity=Severity.WARNING, path=path,
                message=f"only the first {max_bytes:,} bytes were checked for PII (the "
                        "[pii] max-bytes budget per commit); `mlgate scan` checks the whole file",
                fingerprint=location_fingerprint(TRUNCATED_RULE, shown, ""))


_BATCH_CELLS = 1024
_BATCH_CHARS = 1 << 20


def _column_batches(cells: Iterable[Any]) -> Iterator[list[Any]]:
    """The cells in batches of about a thousand (at most 1 MB of text), each ordered column by
    column (cells of one key keep their order). Checking a column's values one after
    another is markedly faster than row by row (users tables: ≈ 20 %): each column takes one
    code path (e-mail, phone, IP ...), whose code and data then stay in the CPU's caches."""
    by_key: dict[str | None, list[Any]] = {}
    count = chars = 0
    for cell in cells:
        by_key.setdefault(cell.key, []).append(cell)
        count += 1
        chars += len(cell.text)
        if count >= _BATCH_CELLS or chars >= _BATCH_CHARS:
            yield [c for column in by_key.values() for c in column]
            by_key, count, chars = {}, 0, 0
    if by_key:
        yield [c for column in by_key.values() for c in column]


def _safe_key(detector: PiiDetector, key: str | None) -> str | None:
    """The key as reported: masked when the key itself is PII (a data row taken for a CSV
    header, a map keyed by e-mail address), since keys are printed and fingerprinted."""
    if not key:
        return key
    found = detector.results(key)
    if not found:
        return key
    out, pos = [], 0
    for s in sorted(found, key=lambda s: s.start):
        if s.start >= pos:
            out += [key[pos:s.start], mask_pii(key[s.start:s.end])]
            pos = s.end
    return "".join([*out, key[pos:]])


def _scan_cell(detector: PiiDetector, cell: Any, shown: str, path: str,
               groups: dict[tuple[str | None, str], Finding]) -> None:
    text: str = cell.text
    spans = detector.results(text, cell.key)
    if not spans:
        return
    key = _safe_key(detector, cell.key)
    nl, last_nl, pos = 0, -1, 0  # line breaks before `pos`, counted once (spans come in order)
    for s in sorted(spans, key=lambda s: s.start):
        seen = text.count("\n", pos, s.start)
        if seen:
            nl += seen
            last_nl = text.rfind("\n", pos, s.start)
        pos = s.start
        column = (cell.column + s.start) if cell.column is not None else None
        line = cell.line
        if nl and cell.physical_breaks:
            line, column = cell.line + nl, s.start - last_nl
        elif nl:
            column = None  # after an escaped line break: the value's own line, column unknown
        gkey = (key, s.entity)
        if gkey not in groups and len(groups) >= _MAX_GROUPS:
            gkey = ("(other keys)", s.entity)  # bounded memory for files with endless keys
        f = groups.get(gkey)
        if f is None:
            rule = f"pii/{s.entity}"
            label = LABELS.get(s.entity, s.entity)
            groups[gkey] = Finding(
                check="pii", rule=rule, severity=Severity.ERROR, path=path,
                message=f"{label} {_where(gkey[0])} (Presidio {s.entity}, score {s.score:.2f})",
                line=line, column=column, excerpt=mask_pii(text[s.start:s.end]),
                fingerprint=location_fingerprint(rule, shown, gkey[0] or ""), key=gkey[0])
            continue
        f.occurrences += 1
        if len(f.lines) < MAX_LINES and line != f.lines[-1] and line not in f.lines[-8:]:
            f.lines.append(line)
