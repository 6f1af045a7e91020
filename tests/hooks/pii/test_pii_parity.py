"""Parity: mlgate reports every finding Presidio's own AnalyzerEngine reports.

The reference is Presidio's AnalyzerEngine with the no-op NLP engine, a registry holding the
same Presidio recognizers mlgate runs, the same threshold and the column name as context (as
`analyze_dict` passes it). On generated text (Faker PII, digits, punctuation, noise) every
reference result outside the allowlist must be covered by an mlgate result of the same entity,
and by a span of `spans()`. The prefilters are checked one by one: whenever a recognizer finds
anything, its prefilter let the text through.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgate.hooks.pii import allowlist, cards, prefilter
from mlgate.hooks.pii import config as pii_config
from mlgate.hooks.pii import phones as pii_phones
from mlgate.hooks.pii.engine import PiiDetector
from mlgate.hooks.pii.precision import NAMES as PRECISION_RULES
from mlgate.hooks.pii.spans import PiiSpan
from mlgate.policy import Policy

LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "en_IN", "pt_BR", "en_CA", "he_IL", "it_IT",
           "es_ES", "nl_NL"]
KEYS = [None, "phone", "ssn", "text", "card_number", "email", "client_ip", "iban", "notes"]


@lru_cache(maxsize=1)
def value_pool() -> tuple[str, ...]:
    fk = Faker(LOCALES)
    Faker.seed(7)
    rng = random.Random(7)
    out: list[str] = []
    for _ in range(150):
        f = fk[rng.choice(LOCALES)]
        us = fk["en_US"]
        out += [f.free_email(), f.phone_number(), us.credit_card_number(), us.ssn(), f.iban(),
                us.ipv4_public(), us.ipv6(), us.ipv4_private(), f.msisdn(), f.postcode(),
                f.date(), f.iso8601(), us.uuid4(), us.sha1(), f.bban(), us.mac_address()]
        out.append(pii_luhn(rng))
    return tuple(out)


def pii_luhn(rng: random.Random) -> str:
    prefix, length = rng.choice([("2221", 16), ("2720", 16), ("4", 19), ("6759", 12), ("62", 19),
                                 ("5", 16), ("37", 15)])
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    digit = next(d for d in "0123456789" if cards.luhn_ok(body + d))
    sep = rng.choice(["", " ", "-"])
    number = body + digit
    return sep.join(number[i:i + 4] for i in range(0, len(number), 4)) if sep else number


def noise(rng: random.Random) -> str:
    k = rng.randrange(9)
    if k == 0:
        return f"{rng.random():.{rng.randrange(1, 12)}f}"
    if k == 1:
        return str(rng.randrange(10 ** rng.randrange(1, 22)))
    if k == 2:
        return (f"{rng.randrange(1990, 2030)}-{rng.randrange(1, 13):02d}-"
                f"{rng.randrange(1, 29):02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}")
    if k == 3:
        return f"{rng.getrandbits(rng.choice([64, 128, 160])):x}"
    if k == 4:
        return ".".join(str(rng.randrange(300)) for _ in range(rng.randrange(2, 6)))
    if k == 5:
        return "".join(rng.choice("0123456789 -.()+/:x") for _ in range(rng.randrange(4, 24)))
    if k == 6:
        return rng.choice(["the model was trained", "loss went down", "see README.md",
                           "call", "phone", "ssn", "card", "ip", "email me", "ext. 12"])
    if k == 7:
        if rng.random() < 0.5:  # key=value pairs of logs, sensitive keys or not
            return (f"{rng.choice(['mem', 'step', 'phone', 'tel', 'user_id', 'ip', 'tokens'])}"
                    f"{rng.choice(['=', ': ', ':'])}{rng.randrange(10 ** rng.randrange(6, 14))}")
        return "".join(rng.choice("abcdefABCDEF0123456789:") for _ in range(rng.randrange(3, 30)))
    return "".join(rng.choice("abcdefghij 0123456789@.:-_") for _ in range(rng.randrange(3, 25)))


def make_text(rng: random.Random) -> str:
    pool = value_pool()
    parts = [rng.choice(pool) if rng.random() < 0.5 else noise(rng)
             for _ in range(rng.randrange(1, 6))]
    return rng.choice([" ", ", ", "; ", " | ", "\t", "\n", "", "/"]).join(parts)


@lru_cache(maxsize=4)
def detector_and_reference(default_allowlist: bool) -> tuple[PiiDetector, Any]:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # mlgate's precision rules (precision.py) drop confirmed matches on purpose: with them off,
    # mlgate never misses what Presidio reports (outside the default allowlist)
    det = PiiDetector(Policy({"pii": {"default-allowlist": default_allowlist,
                                      "precision-off": list(PRECISION_RULES)}}), presidio=True)
    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "no_op"}],
    }).create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    for rec in det.presidio_recognizers():
        registry.add_recognizer(rec)
    engine = AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["en"])
    return det, engine


def phone_inside_other(span: PiiSpan, spans: Sequence[PiiSpan]) -> bool:
    """The default allowlist's rule, plainly: a phone number match inside a match of another
    entity is reported as that entity, not as a phone number."""
    return span.entity == "PHONE_NUMBER" and any(
        o.entity != "PHONE_NUMBER" and o.start <= span.start and span.end <= o.end
        for o in spans)


def missed(det: PiiDetector, engine: Any, text: str, key: str | None) -> list[Any]:
    """Reference results (outside the allowlist) that mlgate does not cover."""
    reference = engine.analyze(text=text, language="en", entities=det.entities,
                               score_threshold=det.threshold, context=[key] if key else None)
    ours = det.results(text, key)
    spans = det.spans(text, key)
    raw = None
    out = []
    for r in reference:
        span = PiiSpan(r.start, r.end, r.entity_type, r.score)
        if det.allowed(span, text, key):
            continue
        if det.use_default_allowlist and r.entity_type == "PHONE_NUMBER":
            raw = det.results(text, key, raw=True) if raw is None else raw
            if phone_inside_other(span, raw):
                continue
        same = any(s.entity == r.entity_type and s.start <= r.start and r.end <= s.end
                   for s in ours)
        covered = any(s.start <= r.start and r.end <= s.end for s in spans)
        if not (same and covered):
            out.append((r.entity_type, text[r.start:r.end], r.score))
    return out


@pytest.mark.parametrize("default_allowlist", [True, False])
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), key=st.sampled_from(KEYS),
       extra=st.text(alphabet="0123456789 -+()./:@xX", max_size=20))
def test_property_parity_with_analyzer_engine(default_allowlist: bool, seed: int,
                                              key: str | None, extra: str) -> None:
    det, engine = detector_and_reference(default_allowlist)
    text = make_text(random.Random(seed)) + extra
    assert missed(det, engine, text, key) == []


@pytest.mark.parametrize("default_allowlist", [True, False])
def test_generated_corpus_parity(default_allowlist: bool) -> None:
    det, engine = detector_and_reference(default_allowlist)
    rng = random.Random(2024)
    pool = value_pool()
    reported = 0
    for _ in range(400):
        # faker-made records, as cells of a table and as one line of text
        row = {k: rng.choice(pool) for k in ("email", "phone", "notes")}
        row["notes"] = f"{noise(rng)} {row['notes']} {noise(rng)}"
        for key, value in row.items():
            assert missed(det, engine, value, key) == []
        line = " ".join(row.values())
        assert missed(det, engine, line, None) == []
        reported += len(det.results(line))
    assert reported > 300  # the corpus is PII-dense: the comparison is not vacuous


def test_prefilters_are_necessary() -> None:
    """Each recognizer, alone, on generated text: any result means its prefilter passed."""
    det = PiiDetector(Policy({"pii": {"default-allowlist": False}}), presidio=True)
    det_allow = PiiDetector(Policy(), presidio=True)
    det.presidio_recognizers()
    det_allow.presidio_recognizers()
    rng = random.Random(99)
    texts = [make_text(rng) for _ in range(1500)] + list(value_pool())
    checked = 0
    for text in texts:
        for rec in det.recs:
            if rec.lean_phone:
                found = pii_phones._phone_spans(rec.instance, text)
            else:
                found = rec.instance.analyze(text, [rec.entity], None)
            if found:
                checked += 1
                assert rec.prefilter is not None and rec.prefilter(text), (rec.entity, text)
        # with the default allowlist: the phone prefilter passes whenever a number outside the
        # default allowlist is found
        phone = next(r for r in det_allow.recs if r.lean_phone)
        long = [r for r in pii_phones._phone_spans(phone.instance, text)
                if not allowlist.default_allowed("PHONE_NUMBER", text, r[0], r[1], None)]
        if long:
            assert phone.prefilter is not None and phone.prefilter(text), text
    assert checked > 1000


def test_min_phone_digits_is_a_true_minimum() -> None:
    """The computed bound for the default regions is reached: a 4-digit number (a German
    pager number) is a phone number to Presidio, so the bound cannot be larger."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    n = prefilter.min_phone_digits(pii_config.PRESIDIO_PHONE_REGIONS)
    assert n == 4
    rec = PhoneRecognizer()
    hits = [t for t in (f"call 16{d}{e}" for d in "4789" for e in "0123456789")
            if rec.analyze(t, ["PHONE_NUMBER"])]
    assert hits
    # and the default allowlist keeps them quiet
    assert PiiDetector(Policy()).results(hits[0]) == ()


def test_long_text_parity() -> None:
    """Long values (several kilobytes, many candidates): the result still covers what
    Presidio finds on the whole text."""
    rng = random.Random(77)
    for default_allowlist in (True, False):
        det, engine = detector_and_reference(default_allowlist)
        for _ in range(3):
            text = ""
            while len(text) <= 5000:
                text += make_text(rng) + rng.choice([" ", "\n", ". "])
            assert missed(det, engine, text, None) == []


@pytest.mark.parametrize("default_allowlist", [True, False])
def test_mlgate_recognizers_report_what_presidio_recognizers_report(
        default_allowlist: bool) -> None:
    """Issue 16: the commit-time path confirms with mlgate's own recognizers (no Presidio);
    with Presidio's recognizers instead, every text of the generated corpus, under keys that
    raise context scores and keys that do not, gives exactly the same results."""
    policy = Policy({"pii": {"default-allowlist": default_allowlist}})
    ours, theirs = PiiDetector(policy), PiiDetector(policy, presidio=True)
    assert not ours.presidio and theirs.presidio
    rng = random.Random(29)
    keys = [None, "phone", "email", "card_number", "client_ip", "ssn", "iban", "notes"]
    for _ in range(2500):
        text, key = make_text(rng), rng.choice(keys)
        assert ours.results(text, key) == theirs.results(text, key), (text, key)
