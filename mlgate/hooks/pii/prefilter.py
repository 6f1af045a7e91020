"""Prefilters: plain `re`, no Presidio. Each is a necessary condition for its recognizer to
return anything on a text (tests/hooks/pii/test_pii_parity.py checks them against the recognizers).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.hooks.pii.allowlist import _DIGIT, NoiseMemo, _reportable_phone_candidate

if TYPE_CHECKING:
    pass


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
    from mlgate.hooks.pii import phonenumbers_private as pn

    pattern: re.Pattern[str] = pn.PATTERN  # the candidate pattern PhoneNumberMatcher searches
    return pattern


@functools.lru_cache(maxsize=1)
def _phone_block_gap() -> re.Pattern[str]:
    """What the candidate pattern allows between two digit blocks (≤ 4 punctuation marks)."""
    from mlgate.hooks.pii import phonenumbers_private as pn

    return re.compile(pn.PUNCTUATION, pn.REGEX_FLAGS)


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
    number it returns lies inside one of them (tests/hooks/pii/test_phones.py checks this).

    The matcher searches on from the end of each number it finds, which may lie inside a
    candidate; a match starting there can run past the candidate's end when the pattern's
    limits (21 digit blocks) or an extension ended the candidate and the next one follows
    after at most the punctuation allowed between two blocks. Such successive candidates
    are joined into one. A candidate the matcher would cut in two and search again is
    returned with the rest of the text (conservative), unless no number with `min_digits`
    digits can be there at all (no _digit_run in the text)."""
    if count_digits(text) < min_digits or _digit_run(min_digits).search(text) is None:
        return []
    from mlgate.hooks.pii import phonenumbers_private as pn

    cut = pn.SECOND_NUMBER_START_PATTERN
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

    def __init__(self, min_digits: int, allowlist: bool = False,
                 memo: NoiseMemo | None = None) -> None:
        self.min_digits = min_digits
        self.memo = NoiseMemo() if memo is None else memo  # its owner's (the detector's)
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
            known = self._reportable[candidate] = _reportable_phone_candidate(
                text, *candidate, self.memo)
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


# ASCII characters that no PhoneNumberMatcher candidate holds: not a digit, nor in its lead,
# punctuation or extension patterns (`(`, `+`, `-`, `x`, `.`, `;ext=`, `anexo`, `#`, ...).
_PHONE_ASCII = set("0123456789([+-xX ).]/~;=\t,:#eEtTnNsSiIoOaA")


_BARRIER_CHARS = "".join(chr(i) for i in range(128) if chr(i) not in _PHONE_ASCII)


_PHONE_BARRIERS = re.compile("[" + re.escape(_BARRIER_CHARS) + "]+")
