"""Phone numbers: the phonenumbers matcher per region, the regions' numbering-plan rules that
tell when a digit run cannot be a number of a region, and phone-shaped numbers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.hooks.pii.prefilter import _PHONE_BARRIERS, _phone_pattern, count_digits
from mlgate.hooks.pii.spans import _Covers

if TYPE_CHECKING:
    pass


# mlgate's possible-number pass skips longer matcher candidates (a phone-shaped number has at
# most 15 digits and an extension): on runs of number blocks it would parse every block per
# region, without bound. Presidio's own phone recognizer still reads them.
POSSIBLE_MAX_DIGITS = 32


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


def enable_pattern_cache() -> None:
    """phonenumbers compiles the same metadata patterns once instead of per number (a
    process-wide switch of phonenumbers; its results are the same)."""
    import phonenumbers.re_util

    if hasattr(phonenumbers.re_util, "enable_pattern_cache"):
        phonenumbers.re_util.enable_pattern_cache()


def _phone(regions: tuple[str, ...]) -> Any:
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    enable_pattern_cache()
    return PhoneRecognizer(supported_regions=regions)


_NANP = frozenset({"US", "CA", "AG", "AI", "AS", "BB", "BM", "BS", "DM", "DO", "GD", "GU",
                   "JM", "KN", "KY", "LC", "MP", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI"})


def _national_trunk(text: str, c0: int, c1: int) -> bool:
    return text[c0:c1].lstrip("([\uff08\uff3b").startswith("0")


_PHONE_DESCS = ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                "personal_number", "voip", "pager", "uan", "voicemail")


@functools.lru_cache(maxsize=512)  # per region (≈ 250)
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


@functools.lru_cache(maxsize=512)  # per country code (≈ 215)
def _main_metadata(cc: str) -> Any:
    """The metadata of the main region of a country code (the matcher's national-prefix
    test reads that region's formats and national prefix)."""
    import phonenumbers
    from phonenumbers import PhoneMetadata

    return PhoneMetadata.metadata_for_region(phonenumbers.region_code_for_country_code(int(cc)))


def _demands_prefix(number_format: Any) -> bool:
    """The matcher's reading of a format: it has a national-prefix rule, not optional, and
    not the first-group symbol (`$1`) alone."""
    from mlgate.hooks.pii import phonenumbers_private as pn

    rule = number_format.national_prefix_formatting_rule
    return bool(rule and not number_format.national_prefix_optional_when_formatting
                and not pn.formatting_rule_has_first_group_only(rule))


@functools.lru_cache(maxsize=512)  # per country code
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
    from mlgate.hooks.pii import phonenumbers_private as pn

    md = _main_metadata(cc)
    if md is None:
        return False
    chosen = pn.choose_formatting_pattern_for_number(md.number_format, national)
    return chosen is not None and _demands_prefix(chosen)


def _parsed_strings(candidate: str) -> Iterator[str]:
    """Every string PhoneNumberMatcher._extract_match may parse for this candidate: the
    candidate, then the groups of its inner-match search (a superset: whether it gets that
    far does not matter here)."""
    from mlgate.hooks.pii import phonenumbers_private as pn

    unwanted = pn.UNWANTED_END_CHAR_PATTERN

    def trim(value: str) -> str:
        m = unwanted.search(value)
        return value[:m.start()] if m else value

    yield candidate
    for pattern in pn.INNER_MATCHES:
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
    from mlgate.hooks.pii import phonenumbers_private as pn

    if count_digits(value) < 2:
        return False  # parse: not a viable number
    if not value.isascii() or _RFC3966.search(value):
        return True
    national = pn.extract_possible_number(value)
    if not pn.is_viable_phone_number(national):
        return False
    national = pn.maybe_strip_extension(national)[1]
    plus = pn.PLUS_CHARS_PATTERN.match(national)
    if plus:
        verdict = _plus_parse(value, valid)
        if verdict is not None:
            return verdict
        national = national[plus.end():]
    if pn.VALID_ALPHA_PHONE_PATTERN.fullmatch(national):
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
    from mlgate.hooks.pii import phonenumbers_private as pn

    cut = pn.SECOND_NUMBER_START_PATTERN
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
