"""The default allowlist and mlgate's precision rules: reserved test and documentation values,
ML noise (ids, hashes, floats, timestamps, versions) and keys whose values are not PII.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


MIN_PHONE_DIGITS = 7  # default allowlist: shorter "phone numbers" are years, counts, pagers


_DIGIT = re.compile(r"\d")


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


class NoiseMemo:
    """What the default allowlist remembers of the last text it was asked about, per owner
    (a PiiDetector): the prefilters and the allowlist ask about the same cell several times.
    Each memo holds its text (so an identity test is a safe key) and is not shared between
    threads; callers only read the lists it hands out."""

    __slots__ = ("noise_text", "noise", "cover_text", "cover_starts", "cover_ends",
                 "cell_text", "cell_key", "cell_noise")

    def __init__(self) -> None:
        self.noise_text: str | None = None  # _all_noise_tokens: the text and its tokens
        self.noise: list[tuple[int, int]] = []
        self.cover_text: str | None = None  # _noise_gaps: the text and its merged tokens
        self.cover_starts: list[int] = []
        self.cover_ends: list[int] = []
        self.cell_text: str | None = None  # cell_is_noise: the cell, its key and the answer
        self.cell_key: str | None = None
        self.cell_noise = False


def _reportable_phone_candidate(text: str, c0: int, c1: int, memo: NoiseMemo | None = None
                                ) -> bool:
    """Whether a phone match inside this candidate can escape the default allowlist. A match
    sharing a character with a decimal number, timestamp, UUID or hex digest is dropped, so one
    that matters lies in a gap between those; it needs MIN_PHONE_DIGITS digits there, and a gap
    that is a bare digit run valued by a non-sensitive key or followed by a unit holds only
    allowlisted matches."""
    if text[c0:c1].isdigit() and _plain_value_of_key(text, c0, c1):
        return False  # every gap is a part of this run of digits, whose verdict it shares
    for g0, g1 in _noise_gaps(text, c0, c1, memo):
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


def _noise_tokens(text: str, start: int, end: int, memo: NoiseMemo | None = None
                  ) -> list[tuple[int, int]]:
    """Decimal numbers (`0.123456`), ISO timestamps, UUIDs and hex digests that share a
    character with [start, end), searched 256 characters around it. A token that runs into
    the end of that window is not counted (the text beyond could make it something else)."""
    lo, hi = max(0, start - 256), min(len(text), end + 256)
    if lo == 0 and hi == len(text):  # the window is the whole text: its tokens, once per text
        return [(a, b) for a, b in _all_noise_tokens(text, memo) if a < end and start < b]
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


def _all_noise_tokens(text: str, memo: NoiseMemo | None = None) -> list[tuple[int, int]]:
    """Every noise token of `text` (by pattern, in order); the memo keeps the last text's."""
    if memo is None:
        memo = NoiseMemo()
    if memo.noise_text is not text:
        out = []
        for p, need in _NOISE_NEEDS:
            if need.search(text) is not None:
                out += [m.span() for m in p.finditer(text)]
        memo.noise_text, memo.noise = text, out
    return memo.noise  # shared: callers only read it


def _noise_gaps(text: str, c0: int, c1: int, memo: NoiseMemo | None = None
                ) -> list[tuple[int, int]]:
    """The parts of [c0, c1) that no noise token sharing a character with it covers."""
    if memo is None:
        memo = NoiseMemo()
    if c0 > 256 or c1 + 256 < len(text):  # _noise_tokens searches a window around it
        noise = sorted((max(a, c0), min(b, c1)) for a, b in _noise_tokens(text, c0, c1, memo))
        i, starts, ends = 0, [a for a, _ in noise], [b for _, b in noise]
    else:  # the window is the whole text: its tokens merged once, then found by bisection
        if memo.cover_text is not text:
            starts, ends = [], []
            for a, b in sorted(_all_noise_tokens(text, memo)):
                if ends and a <= ends[-1]:
                    ends[-1] = max(ends[-1], b)
                else:
                    starts.append(a)
                    ends.append(b)
            memo.cover_text, memo.cover_starts, memo.cover_ends = text, starts, ends
        starts, ends = memo.cover_starts, memo.cover_ends
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


def _overlaps_noise(text: str, start: int, end: int, memo: NoiseMemo | None = None) -> bool:
    return bool(_noise_tokens(text, start, end, memo))


SENSITIVE_KEY_PREFIXES = ("phone", "mobile", "tel", "fax", "msisdn", "whatsapp", "contact",
                          "ssn", "social", "card", "credit", "iban", "bban", "account", "acct",
                          "passport", "licen", "address", "addr", "ip")


SENSITIVE_KEY_WORDS = frozenset({"cc", "ccn", "pan", "no", "nr", "num", "number", "tin", "nin",
                                 "nino", "nhs", "sin", "host", "client", "remote", "peer",
                                 "bank", "routing", "swift", "bic", "cell"})


def sensitive_key(key: str) -> bool:
    """A column/key name that may hold contact or identity numbers (`phone`, `ssn`,
    `card_number`, `client_ip`, ...): plain numbers under it are checked."""
    from mlgate.hooks.pii.precision import phone_key

    if phone_key(key):  # `Telefon`, `téléphone`, `電話` ...
        return True
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


@functools.lru_cache(maxsize=4096)
def _plain_key(key: str) -> bool:
    """A key whose plain numbers are not personal data: an id or metric, or not contact- or
    identity-like (worked out once per key: columns repeat it on every row)."""
    return bool(_ID_KEY.fullmatch(key)) or not sensitive_key(key)


def cell_is_noise(text: str, key: str | None, memo: NoiseMemo | None = None) -> bool:
    """A whole value that is a plain number under an id/metric key or any key that is not
    contact- or identity-like, or a float, timestamp, UUID or hex digest: nothing numeric
    in it is personal data (default allowlist). The memo keeps the last cell's answer (the
    prefilters and the allowlist both ask)."""
    if memo is not None and memo.cell_text is text and memo.cell_key == key:
        return memo.cell_noise
    noise = bool(key is not None and _PLAIN_NUMBER.fullmatch(text) and _plain_key(key)) or \
        bool(_NOISE_VALUE.fullmatch(text.strip()))
    if memo is not None:
        memo.cell_text, memo.cell_key, memo.cell_noise = text, key, noise
    return noise


def default_allowed(entity: str, text: str, start: int, end: int, key: str | None,
                    memo: NoiseMemo | None = None) -> bool:
    """Whether the default allowlist (docs/hooks/pii-in-data-samples.md) covers this match.
    `memo`: the caller's (a detector's), to share the work on one text between calls."""
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
        if len(digits) < MIN_PHONE_DIGITS or _overlaps_noise(text, start, end, memo):
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
    if cell_is_noise(text, key, memo):
        return True
    if start == 0 and end == len(text) and not (text[0].isspace() or text[-1].isspace()):
        # a token holding the whole cell would be a noise value that cell_is_noise sees
        return False
    if len(text) <= 4096:  # _inside scans the whole text: the text's tokens, once per text
        return any(a <= start and end <= b for a, b in _all_noise_tokens(text, memo))
    return (_inside(_UUID, text, start, end) or _inside(_HEX_TOKEN, text, start, end)
            or _inside(_FLOAT, text, start, end) or _inside(_TIMESTAMP, text, start, end))
