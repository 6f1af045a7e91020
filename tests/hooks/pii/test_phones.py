"""pii-in-data-samples: phone numbers — regions, the matcher's candidates and windows, region
pruning, phone-shaped possible numbers.

Every PII value here is generated at run time (Faker, or constructed with a valid checksum);
nothing realistic is committed. Presidio is real; files are real files written by the tests.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from faker import Faker
from pii_helpers import ents, pol

from mlgate.errors import MlgateError
from mlgate.hooks.pii import config as pii_config
from mlgate.hooks.pii import phones as pii_phones
from mlgate.hooks.pii import prefilter
from mlgate.hooks.pii.engine import PiiDetector


def test_phone_regions_schema() -> None:
    with pytest.raises(MlgateError, match="phone-regions"):
        pol(**{"phone-regions": ["uk"]})
    d = PiiDetector(pol(**{"phone-regions": ["GB"]}))
    assert "PHONE_NUMBER" in ents(d.results("ring 020 7946 1234 please"))


def test_phone_shaped_possible_numbers_presidio_rejects(det: PiiDetector) -> None:
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    # area code 1xx does not exist in the North American plan: phonenumbers calls the
    # number possible, not valid, and Presidio's recognizer skips it
    shaped = "(170) 5" + "33-1812"
    text = f"call {shaped} after six"
    assert PhoneRecognizer().analyze(text, ["PHONE_NUMBER"]) == []
    found = [s for s in det.results(text) if s.entity == "PHONE_NUMBER"]
    assert [(s.start, s.end) for s in found] == [(5, 5 + len(shaped))]
    assert pii_phones.phone_shaped(shaped) and pii_phones.phone_shaped("+44 20 7946 0000")
    for plain in ("1705331812", "id1705331812", "170-533", "2024-01-05"):
        assert not [s for s in det.results(f"x {plain} y") if s.entity == "PHONE_NUMBER"]


def test_national_prefix_rule_prunes_regions() -> None:
    """At Presidio's leniency a number whose format needs a national prefix is only found
    with it: the region filter rules out a German fixed-line number written without its 0
    (and the matcher indeed finds nothing there), and keeps it with the 0 or the country
    code."""
    import phonenumbers

    example = phonenumbers.example_number_for_type("DE", phonenumbers.PhoneNumberType.FIXED_LINE)
    assert example is not None
    nsn = phonenumbers.national_significant_number(example)
    assert not pii_phones.region_filter(f"call {nsn} now", 1)("DE")
    assert not list(phonenumbers.PhoneNumberMatcher(f"call {nsn} now", "DE", leniency=1))
    for written in (f"0{nsn}", f"49{nsn}", f"+49 {nsn}"):
        assert pii_phones.region_filter(f"call {written} now", 1)("DE"), written
        assert list(phonenumbers.PhoneNumberMatcher(f"call {written} now", "DE", leniency=1))
    assert pii_phones.region_filter(f"call {nsn} now", 0)("DE")  # POSSIBLE: no prefix test


def test_phone_regions_left_out_find_nothing() -> None:
    """A region that region_filter rules out finds nothing in the text, at Presidio's
    leniency and at mlgate's (POSSIBLE): generated digits, prefixes and separators."""
    import phonenumbers

    rng = random.Random(5)
    regions = [*pii_config.PRESIDIO_PHONE_REGIONS, "IT", "AR", "MX", "JP", "AU", "NL", "ES", "SE"]
    pieces = ["0", "1", "00", "011", "44", "49", "33", "972", "91", "55", "180020", "90", "+",
              "(", ")", " ", "-", ".", "/", "x", "ext", "#", ";", "a", "1.5", "v2.3.4", " 5pm",
              ":", "\u2013", "[", "]", "+999", "+1", "+44 ", "001", "0011", " x", "x12", "ABC",
              "\uff0b", "\u0661", "tel:", "\u00a0"]
    fk = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "en_IN", "pt_BR", "he_IL"])
    fk.seed_instance(5)
    types = [phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
             phonenumbers.PhoneNumberType.TOLL_FREE]
    left_out = [0, 0]
    for i in range(3000):
        if i % 6 == 0:
            text = f"{fk.phone_number()} {rng.randrange(10 ** rng.randrange(1, 14))}"
        elif i % 6 == 1:  # real national numbers, a digit changed, with or without a prefix
            example = phonenumbers.example_number_for_type(rng.choice(regions), rng.choice(types))
            if example is None:
                continue
            nsn = list(phonenumbers.national_significant_number(example))
            nsn[rng.randrange(len(nsn))] = rng.choice("0123456789")
            text = rng.choice(["", "0", "1", "00", str(example.country_code), "+"]) + \
                rng.choice(["", " ", "-"]).join(["".join(nsn[:3]), "".join(nsn[3:])]) + \
                rng.choice(["", " ext 12", " after 5pm", "/"])
        else:
            text = "".join(
                "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 12)))
                if rng.random() < 0.5 else rng.choice(pieces) for _ in range(rng.randrange(1, 14)))
        chosen = rng.sample(regions, 4)
        for pruned_at in (phonenumbers.Leniency.POSSIBLE, phonenumbers.Leniency.VALID):
            may = pii_phones.region_filter(text, pruned_at)
            kept = [r for r in chosen if may(r)]
            for region in chosen:
                if region in kept:
                    continue
                left_out[pruned_at] += 1
                for leniency in (phonenumbers.Leniency.VALID, phonenumbers.Leniency.POSSIBLE):
                    if leniency >= pruned_at:
                        assert not list(phonenumbers.PhoneNumberMatcher(
                            text, region, leniency=leniency)), (text, region, leniency)
    assert left_out[0] > 1000 and left_out[1] > left_out[0]


def _phone_like_text(rng: random.Random, fk: Faker, pieces: list[str], *, parts: int,
                     phones: float, runs: float, digits: int) -> str:
    """Up to `parts` parts: Faker phone numbers (a share `phones`), runs of fewer than
    `digits` digits (up to the share `runs`), else one of `pieces`."""
    out = []
    for _ in range(rng.randrange(1, parts)):
        r = rng.random()
        if r < phones:
            out.append(fk.phone_number())
        elif r < runs:
            out.append("".join(rng.choice("0123456789") for _ in range(rng.randrange(1, digits))))
        else:
            out.append(rng.choice(pieces))
    return "".join(out)


def test_phone_windows_are_read_as_in_the_whole_text() -> None:
    """PhoneNumberMatcher on a part phone_windows gives finds there exactly what it finds on
    the whole text: prose, logs, extensions, timestamps, letters glued to numbers."""
    import phonenumbers

    rng = random.Random(17)
    fk = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "en_IN"])
    fk.seed_instance(17)
    pieces = [" ", "  ", "-", ".", "(", ")", "+", "/", "x", "ext. ", " ext", "#", ",", ";", ":",
              "%", "$", "\u20ac", "\n", "\t", "a", "e", "t", "r", "b", "the ", "call ", "tel:",
              "at ", "is ", "on ", "2024-05-01", "12:30:45", ":45", "1.5", "v2.3", "anexo ",
              "\u00a0", "\u2013", "\uff08", "0", "00", "+44", "+1"]
    checked = 0
    for _ in range(1500):
        text = _phone_like_text(rng, fk, pieces, parts=12, phones=0.25, runs=0.5, digits=13)
        cands = prefilter.phone_candidates(text, 1)
        if not cands:
            continue
        chosen = rng.sample(cands, rng.randrange(1, len(cands) + 1))
        windows = pii_phones.phone_windows(text, chosen)
        assert all(any(w0 <= c0 and c1 <= w1 for w0, w1 in windows) for c0, c1 in chosen)
        for region in rng.sample(pii_config.PRESIDIO_PHONE_REGIONS, 2):
            whole = {(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region)}
            for w0, w1 in windows:
                part = {(m.start + w0, m.end + w0)
                        for m in phonenumbers.PhoneNumberMatcher(text[w0:w1], region)}
                assert part == {(a, b) for a, b in whole if w0 <= a and b <= w1}, \
                    (text, region, (w0, w1))
                assert not any(a < w1 and w0 < b and not (w0 <= a and b <= w1)
                               for a, b in whole), (text, region, (w0, w1))
                checked += 1
    assert checked > 1000


def test_phone_candidates_digit_run_gate_changes_nothing() -> None:
    """The digit-run gate skips the matcher's candidate pattern only on texts where it finds
    no candidate with enough digits: the same candidates as without it, except a candidate
    to cut and search again when no number with enough digits can follow."""
    import phonenumbers
    from phonenumbers.phonenumberutil import _SECOND_NUMBER_START_PATTERN as cut

    def reference(text: str, n: int) -> list[tuple[int, int]]:
        chains: list[list[Any]] = []
        for m in prefilter._phone_pattern().finditer(text):
            if chains and prefilter._blocks_join(text, chains[-1][1], m.start()):
                chains[-1][1:] = [m.end(), chains[-1][2] or bool(cut.search(m.group()))]
            else:
                chains.append([m.start(), m.end(), bool(cut.search(m.group()))])
        out = [(a, len(text)) if is_cut else (a, b) for a, b, is_cut in chains
               if is_cut or prefilter.count_digits(text[a:b]) >= n]
        return out if prefilter.count_digits(text) >= n else []

    rng = random.Random(31)
    pieces = ["0", "12", "345", "6789", " ", "-", ".", "(", ")", "+", "/", " x", "x", "\\",
              "ext 12", "a", "on", "z", "w", "\u0661\u0662", "\uff10", "\n", ":", "@", "_",
              "v1.2", "%", "\u00e9", "\t"]
    skipped = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        for n in (4, 7):
            if prefilter.count_digits(text) < n or prefilter._digit_run(n).search(text):
                assert prefilter.phone_candidates(text, n) == reference(text, n), (text, n)
                continue
            # skipped: at most a candidate to cut was left out, and the matcher (at its most
            # lenient) finds no number with n digits in it
            skipped += 1
            assert prefilter.phone_candidates(text, n) == []
            assert all(b == len(text) for _, b in reference(text, n)), (text, n)
            for region in ("US", "DE"):
                assert not [m for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=0)
                            if prefilter.count_digits(m.raw_string) >= n], (text, n, region)
    assert skipped > 100


def test_every_phone_match_lies_inside_a_candidate() -> None:
    """What the phone early stop rests on: each number PhoneNumberMatcher returns lies
    inside one of phone_candidates' spans, also where the matcher searches on from inside a
    candidate (a number found in part of one, a candidate cut at a second number's start)
    or the candidate pattern's bounded repetitions end before the digits do."""
    import phonenumbers

    rng = random.Random(43)
    fk = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "en_IN", "pt_BR", "he_IL"])
    fk.seed_instance(43)
    pieces = [" ", "-", ".", "(", ")", "+", "/", "x", " ext ", "#", ",", ";", ":", "a", "tel:",
              "\\", "\u2013", "\uff08", "\u00a0", " x", "anexo", ";ext=", "/ ", " - ", "1/2"]
    matches = 0
    for _ in range(1200):
        text = _phone_like_text(rng, fk, pieces, parts=40, phones=0.2, runs=0.6, digits=6)
        candidates = prefilter.phone_candidates(text, 1)
        for region in rng.sample(pii_config.PRESIDIO_PHONE_REGIONS, 3):
            for leniency in (phonenumbers.Leniency.VALID, phonenumbers.Leniency.POSSIBLE):
                for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
                    matches += 1
                    assert any(c0 <= m.start and m.end <= c1 for c0, c1 in candidates), \
                        (text, region, leniency, m.start, m.end)
    assert matches > 2000
