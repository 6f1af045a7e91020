"""pii-in-data-samples: the detector — detection on strings, policy keys, deep mode, recall on
generated samples, prefilter shapes, spans.

Every PII value here is generated at run time (Faker, or constructed with a valid checksum);
nothing realistic is committed. Presidio is real; files are real files written by the tests.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from pii_helpers import DEFAULT, ents, luhn_complete, pol, run

from mlgate.errors import MlgateError
from mlgate.hooks.pii import config as pii_config
from mlgate.hooks.pii import phones as pii_phones
from mlgate.hooks.pii import prefilter
from mlgate.hooks.pii import spans as pii_spans
from mlgate.hooks.pii.cards import card_brand, luhn_ok
from mlgate.hooks.pii.engine import PiiDetector
from mlgate.hooks.pii.spans import PiiSpan


def test_finds_each_default_entity(det: PiiDetector, fake: Faker) -> None:
    email = fake.free_email()
    cases = {
        "EMAIL_ADDRESS": f"write to {email} today",
        "PHONE_NUMBER": "call me at (212) 4" + "56-7" + "890 tonight",
        "CREDIT_CARD": f"paid with {luhn_complete('4', 16, random.Random(1))}",
        "US_SSN": f"ssn {fake.ssn()}",
        "IBAN_CODE": f"iban {Faker('de_DE').iban()}",
        "IP_ADDRESS": f"from {fake.ipv4_public()} at noon",
    }
    for entity, text in cases.items():
        found = det.results(text)
        assert entity in ents(found), (entity, found)
        s = next(s for s in found if s.entity == entity)
        assert 0 < s.start < s.end <= len(text) and s.score >= det.threshold


def test_ipv6_found_but_documentation_range_not(det: PiiDetector, fake: Faker) -> None:
    assert "IP_ADDRESS" in ents(det.results(f"peer {fake.ipv6()} connected"))
    assert det.results("peer 2001:db8:85a3::8a2e:370:7334 connected") == ()


@pytest.mark.parametrize("prefix,length", [
    ("2221", 16), ("2720", 16), ("2500", 16),  # 2-series Mastercard
    ("4", 19),  # 19-digit Visa
    ("6759", 12), ("5018", 12), ("6304", 19),  # Maestro, 12 and 19 digits
    ("62", 19), ("6011", 19), ("3528", 19),  # UnionPay, Discover, JCB at 19
    ("2200", 16),  # Mir
])
def test_cards_presidio_misses_are_found(det: PiiDetector, prefix: str, length: int) -> None:
    number = luhn_complete(prefix, length, random.Random(length * 7 + len(prefix)))
    assert card_brand(number) is not None
    for shown in (number, " ".join(number[i:i + 4] for i in range(0, len(number), 4))):
        found = [s for s in det.results(f"card: {shown} exp 12/29") if s.entity == "CREDIT_CARD"]
        assert found, shown
        assert found[0].start == 6 and found[0].end == 6 + len(shown)


def test_card_needs_luhn_and_a_brand(det: PiiDetector) -> None:
    rng = random.Random(5)
    good = luhn_complete("2223", 16, rng)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert not luhn_ok(bad)
    assert "CREDIT_CARD" not in ents(det.results(f"card {bad}"))
    assert card_brand("9" + good[1:]) is None


def test_presidio_alone_misses_what_our_card_recognizer_adds() -> None:
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

    number = luhn_complete("2221", 16, random.Random(3))
    assert CreditCardRecognizer().analyze(f"card {number}", ["CREDIT_CARD"]) == []


def test_column_name_is_context(det: PiiDetector, fake: Faker) -> None:
    digits = fake.ssn().replace("-", "")
    assert "US_SSN" not in ents(det.results(digits))
    found = det.results(digits, key="customer_ssn")
    assert "US_SSN" in ents(found)
    assert max(s.score for s in found if s.entity == "US_SSN") >= 0.4


def test_spans_are_sorted_and_non_overlapping(det: PiiDetector, fake: Faker) -> None:
    text = f"{fake.free_email()} / {fake.ssn()} / {fake.ipv4_public()} / +1 212 45" + "6 7890"
    out = det.spans(text)
    assert len(out) >= 3
    for a, b in zip(out, out[1:], strict=False):
        assert a.end <= b.start
    assert all(isinstance(s, PiiSpan) for s in out)


def test_no_presidio_for_clean_text() -> None:
    d = PiiDetector(DEFAULT)
    for text in ["the model was trained for 3 epochs", "loss=0.1234", "see README.md", ""]:
        assert d.candidates(text) == [] or text.startswith("loss")
        assert d.results(text) == ()


def test_entities_subset_and_threshold(fake: Faker) -> None:
    text = f"{fake.free_email()} {fake.ipv4_public()} call (212) 45" + "6-7890"
    assert ents(PiiDetector(pol(entities=["EMAIL_ADDRESS"])).results(text)) == {"EMAIL_ADDRESS"}
    high = PiiDetector(pol(threshold=0.7)).results(text)
    assert "PHONE_NUMBER" not in ents(high) and "EMAIL_ADDRESS" in ents(high)


def test_custom_recognizer_with_context() -> None:
    rec = {"name": "employee-id", "entity": "EMPLOYEE_ID", "regex": r"\bEMP-\d{6}\b",
           "score": 0.3, "context": ["employee"]}
    d = PiiDetector(pol(recognizers=[rec]))
    assert d.results("ticket EMP-123456") == ()  # 0.3 < 0.4
    found = d.results("EMP-123456", key="employee")
    assert ents(found) == {"EMPLOYEE_ID"} and found[0].score == pytest.approx(0.65)
    assert d.candidates("no match here") == []


def test_custom_recognizer_under_a_builtin_entity_name() -> None:
    """A custom regex may reuse a default entity's name and need none of the characters the
    default prefilters look for (`@`, `:`, digits): it still runs."""
    rec = {"name": "badge", "entity": "US_SSN", "regex": r"\bbadge-[a-z]{4}\b", "score": 0.9}
    found = PiiDetector(pol(recognizers=[rec])).results("my badge-abcd is here")
    assert [(s.entity, s.start, s.end) for s in found] == [("US_SSN", 3, 13)]


def test_other_predefined_entity_and_countries() -> None:
    nhs = "9434765919"  # the NHS number from the NHS's own documentation (checksum valid)
    d = PiiDetector(pol(entities=["UK_NHS"]))
    assert ents(d.results(f"nhs number {nhs}")) == {"UK_NHS"}
    d2 = PiiDetector(pol(countries=["uk"], entities=["EMAIL_ADDRESS"]))
    assert "UK_NHS" in d2.entities and "UK_NHS" in ents(d2.results(f"nhs {nhs}"))


@pytest.mark.parametrize("keys,needle", [
    ({"entities": ["NOT_AN_ENTITY"]}, "pii.entities"),
    ({"countries": ["xx"]}, "pii.countries"),
    ({"phone-regions": ["ZZ"]}, "pii.phone-regions"),
])
def test_bad_policy_values_name_the_key(keys: dict[str, Any], needle: str) -> None:
    with pytest.raises(MlgateError, match=needle.replace(".", r"\.")):
        PiiDetector(pol(**keys))


def test_deep_mode_uses_in_text_context(fake: Faker) -> None:
    digits = fake.ssn().replace("-", "")
    text = f"my social security number is {digits}"
    assert "US_SSN" not in ents(PiiDetector(DEFAULT).results(text))
    deep = PiiDetector(pol(deep=True)).results(text)
    assert "US_SSN" in ents(deep)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    import spacy

    person = Faker("en_US").name()
    place = "Port " + Faker("en_US").last_name()
    nlp = spacy.blank("en")
    ruler: Any = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": person},
                        {"label": "GPE", "pattern": place}])
    out = tmp_path_factory.mktemp("model") / "tiny_ner"
    nlp.to_disk(out)
    return out, person, place


def test_deep_mode_ner_from_a_pipeline_on_disk(tiny_model: tuple[Path, str, str],
                                              tmp_path: Path) -> None:
    model, person, place = tiny_model
    path = tmp_path / "chat.txt"
    path.write_text(f"hello\n{person} moved to {place} last year\n", encoding="utf-8")
    policy = pol(deep=True, **{"spacy-model": str(model)})
    findings, errors = run([path], policy)
    assert errors == []
    rules = {f.rule: f for f in findings}
    assert rules["pii/PERSON"].line == 2 and rules["pii/LOCATION"].line == 2
    assert person not in rules["pii/PERSON"].excerpt
    # without deep mode the model is not used
    assert "pii/PERSON" not in {f.rule for f in run([path], pol(**{"spacy-model": str(model)}))[0]}


def _planted_value(entity: str, f: Faker, rng: random.Random) -> str:
    if entity == "EMAIL_ADDRESS":
        return f.free_email() if rng.random() < 0.7 else f.company_email()
    if entity == "PHONE_NUMBER":
        loc = rng.choice(["en_US", "en_GB", "de_DE", "fr_FR", "en_IN", "en_CA"])
        n = Faker(loc).phone_number()
        return n
    if entity == "CREDIT_CARD":
        if rng.random() < 0.3:
            prefix, length = rng.choice([("2221", 16), ("2720", 16), ("4", 19), ("6759", 12),
                                         ("62", 19)])
            return luhn_complete(prefix, length, rng)
        return f.credit_card_number()
    if entity == "US_SSN":
        return f.ssn()
    if entity == "IBAN_CODE":
        return Faker(rng.choice(["de_DE", "fr_FR", "en_GB", "es_ES", "nl_NL"])).iban()
    return f.ipv4_public() if rng.random() < 0.7 else f.ipv6()


def _samples(seed: int) -> tuple[list[tuple[str, str | None, str]],
                               list[tuple[str, str | None]]]:
    """(text, key, planted entity) for chat logs, user tables, instruction JSONL and notebook
    outputs; and (text, key) of ML-typical values that must stay quiet."""
    rng = random.Random(seed)
    f = Faker("en_US")
    Faker.seed(seed)
    planted = []
    templates = [
        ("chat", None, "user: hi, you can reach me at {v} if the model breaks"),
        ("chat", None, "assistant: noted. {v} is saved."),
        ("table", "{col}", "{v}"),
        ("instruct", "output", "Sure! The customer record lists {v} as the contact."),
        ("notebook", None, "Row(id=17, value='{v}', flag=True)"),
    ]
    cols = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "card_number",
            "US_SSN": "ssn", "IBAN_CODE": "iban", "IP_ADDRESS": "client_ip"}
    for entity in pii_config.DEFAULT_ENTITIES:
        for i in range(40):
            _, key, tpl = templates[i % len(templates)]
            v = _planted_value(entity, f, rng)
            planted.append((tpl.format(v=v), key.format(col=cols[entity]) if key else None,
                            entity))
    quiet: list[tuple[str, str | None]] = []
    for _ in range(200):
        quiet += [
            (f"{rng.random():.6f}", "loss"), (str(rng.randrange(10**12)), "sample_id"),
            (f"{rng.randrange(3)}.{rng.randrange(30)}.{rng.randrange(40)}", "version"),
            (f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}T"
             f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z", "timestamp"),
            (f"{rng.getrandbits(256):064x}", "sha256"), (f.uuid4(), "run"),
            (f"step {rng.randrange(10**6)} loss {rng.random():.4f} lr {rng.random():.1e}", None),
            (f"torch=={rng.randrange(3)}.{rng.randrange(9)}.{rng.randrange(9)}.{rng.randrange(9)}",
             None),
            (f"{rng.random() * 100:.10f}", "score"), (str(rng.randrange(10**9)), "epoch_time"),
        ]
    return planted, quiet


def test_recall_and_quiet_on_ml_values(det: PiiDetector) -> None:
    planted, quiet = _samples(42)
    hits: dict[str, list[bool]] = {}
    for text, key, entity in planted:
        hits.setdefault(entity, []).append(entity in ents(det.results(text, key)))
    recall = {e: sum(v) / len(v) for e, v in hits.items()}
    assert all(r >= 0.95 for r in recall.values()), recall
    noisy = [(t, k, det.results(t, k)) for t, k in quiet if det.results(t, k)]
    assert noisy == []


def test_time_budget_looks_at_the_clock_before_each_region(det: PiiDetector) -> None:
    """Where the matcher finds no number at all, the clock is still read before each region's
    pass over the stretch."""
    det.results("a@b.com")  # loads the recognizers
    phone = next(r.instance for r in det.recs if r.lean_phone)
    text = "(300)575-" + "8600x802"  # the region filter passes GB, DE and BR; none finds it
    assert pii_phones._phone_spans(phone, text, [(0, len(text))]) == []
    looks: list[int] = []

    def on_time() -> None:
        looks.append(1)
        if len(looks) == 3:  # the stretch, GB, DE
            raise pii_spans.OutOfTime

    with pytest.raises(pii_spans.OutOfTime):
        pii_phones._phone_spans(phone, text, [(0, len(text))], on_time)


def test_cells_of_one_shape_pass_the_same_prefilters(det: PiiDetector) -> None:
    """What lets results() remember quiet shapes: when no prefilter passes a cell, nor the
    card pattern starting with any digit, none passes a cell that differs only in its ASCII
    digits; and results() with remembered shapes equals results() without."""
    rng = random.Random(29)
    pieces = ["0", "1", "4", "12", "2024", "555", "0100", " ", "-", ".", ":", "=", "/", "(",
              ")", "+", "e", "x", "ab", "v", "@", "mem=", "step=", "phone=", " bytes", " tokens",
              "2024-05-01T12:30:45Z", "123e4567-e89b-12d3-a456-426614174000", "0.",
              "deadbeefcafebabe1234", "loss=0.", "\u0661\u0662", "ip ", "GB", "\n"]
    fresh = PiiDetector(DEFAULT)
    checked = 0
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30)))
        for _ in range(rng.randrange(0, 4)):
            i = rng.randrange(len(text) + 1)
            text = text[:i] + str(rng.randrange(10 ** rng.randrange(1, 17))) + text[i:]
        key = rng.choice([None, "phone", "mem", "notes", "ssn"])
        quiet = det.candidates(text, key) == [] and prefilter._CARD_ANY_DIGIT.search(text) is None
        for _ in range(3):
            other = "".join(rng.choice("0123456789") if c in "0123456789" else c for c in text)
            if quiet:
                assert det.candidates(other, key) == [], (text, other, key)
                checked += 1
            assert det.results(other, key) == fresh.results(other, key), (other, key)
            fresh._quiet = set()  # the reference never remembers a shape
    assert checked > 700


def test_covers_answers_as_the_plain_scan() -> None:
    rng = random.Random(31)
    for _ in range(300):
        spans = [(a, a + rng.randrange(0, 12)) for a in
                 (rng.randrange(0, 100) for _ in range(rng.randrange(0, 12)))]
        covers = pii_spans._Covers(spans)
        for _ in range(20):
            c0 = rng.randrange(0, 110)
            c1 = c0 + rng.randrange(0, 10)
            assert covers.contains(c0, c1) == any(a <= c0 and c1 <= b for a, b in spans)
            assert covers.overlaps(c0, c1) == any(a < c1 and c0 < b for a, b in spans)


def test_detectors_share_no_state_across_threads() -> None:
    """Each detector owns its caches (the allowlist's memo, the pattern plans): detectors with
    different policies, run in threads side by side, report what each reports alone."""
    import threading

    from test_pii_parity import make_text

    rng = random.Random(5)
    texts = [make_text(rng) for _ in range(300)]
    policies = [DEFAULT, pol(**{"default-allowlist": False}), pol(entities=["PHONE_NUMBER"])]
    alone = [[d.results(t) for t in texts] for d in map(PiiDetector, policies)]
    together: list[list[Any]] = [[] for _ in policies]

    def work(i: int) -> None:
        d = PiiDetector(policies[i])
        together[i] = [d.results(t) for t in texts]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(policies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone
    assert alone[0] != alone[1]  # the policies do differ on these texts
