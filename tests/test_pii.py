"""pii-in-data-samples: detection, allowlists, policy keys, file checks, deep mode, recall.

Every PII value here is generated at run time (Faker, or constructed with a valid checksum);
nothing realistic is committed. Presidio is real; files are real files written by the tests.
"""

from __future__ import annotations

import csv
import json
import random
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.errors import MlgateError
from mlgate.findings import FileError, Finding, Severity, location_fingerprint
from mlgate.hooks.pii import allowlist, engine, prefilter, presidio, presidio_recognizers
from mlgate.hooks.pii import check as pii_check
from mlgate.hooks.pii import config as pii_config
from mlgate.hooks.pii import phones as pii_phones
from mlgate.hooks.pii import rules as pii_rules
from mlgate.hooks.pii import spans as pii_spans
from mlgate.hooks.pii.cards import card_brand, luhn_ok
from mlgate.hooks.pii.engine import PiiDetector
from mlgate.hooks.pii.spans import PiiSpan
from mlgate.policy import Policy

DEFAULT = Policy()


@pytest.fixture(scope="module")
def det() -> PiiDetector:
    return PiiDetector(DEFAULT)


@pytest.fixture(scope="module")
def fake() -> Faker:
    f = Faker(["en_US"])
    Faker.seed(1234)
    return f


def ents(spans: Any) -> set[str]:
    return {s.entity for s in spans}


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    """A card number with this prefix and length whose last digit makes Luhn pass."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


def pol(**pii_keys: Any) -> Policy:
    return Policy({"pii": pii_keys})


# --- detection on strings --------------------------------------------------------------------

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


# --- the default allowlist ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "mail alice@example.com", "mail bob@mail.example.org", "x@example.net", "ops@svc.test",
    "card 4111 1111 1111 1111", "card 4242424242424242", "card 5555-5555-5555-4444",
    "card 378282246310005", "card 6011111111111117", "card 5105105105105100",
    "call (212) 555-0123", "call 555-0199", "call +1 800 555 0100",
    "host 192.0.2.44", "host 198.51.100.7", "host 203.0.113.250", "host 2001:db8::1",
    "host 127.0.0.1", "host 10.1.2.3", "host 192.168.0.12", "host ::1", "bind 0.0.0.0",
    "torch==1.13.1.2 installed", "release v2.10.3.1", "version 1.2.3.4", "1.2.3.4.5",
    "run 123e4567-e89b-42d3-a456-426614174000", "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    "0.123456789012", "1.2345678901e+10", "2024-01-05T12:30:00Z", "2024-01-05 12:30:00",
    "in 1999 and 2024", "epoch 1234",
])
def test_default_allowlist(det: PiiDetector, text: str) -> None:
    assert det.results(text) == (), det.results(text)


@pytest.mark.parametrize("key,value", [
    ("user_id", "4155550123987"), ("id", "212456789"), ("step", "2124567890"),
    ("loss", "0.2124567890"), ("run_id", "9876543210"), ("timestamp", "1700000000123"),
])
def test_id_and_metric_columns(det: PiiDetector, key: str, value: str) -> None:
    assert det.results(value, key=key) == ()


def test_default_allowlist_can_be_switched_off() -> None:
    d = PiiDetector(pol(**{"default-allowlist": False}))
    assert ents(d.results("mail alice@example.com")) == {"EMAIL_ADDRESS"}
    assert "CREDIT_CARD" in ents(d.results("card 4111 1111 1111 1111"))
    assert "IP_ADDRESS" in ents(d.results("host 192.0.2.44"))


def test_policy_allowlists(fake: Faker) -> None:
    email = fake.free_email()
    other = fake.company_email()
    d = PiiDetector(pol(allowlist=[email], **{"allowlist-patterns": [r".*@corp\.internal"]}))
    assert d.results(f"to {email}") == ()
    assert d.results("to dev@corp.internal") == ()
    assert ents(d.results(f"to {other}")) == {"EMAIL_ADDRESS"}


# --- policy keys ---------------------------------------------------------------------------------

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


def test_patterns_skip_texts_without_a_character_every_match_has(det: PiiDetector) -> None:
    det.results("a@b.com")  # loads the recognizers
    ip = next(r.instance for r in det.recs if r.entity == "IP_ADDRESS")
    need = {p.name: presidio.required_chars(p.regex) for p in ip.patterns}
    assert need == {"IPv4_mapped": {".", ":"}, "IPv4_embedded": {".", ":"}, "IPv4": {"."},
                    "IPv6": {":"}, "IPv6_unspecified": {":"}}
    assert presidio.required_chars(r"a(?:-b|-c)(?:;x)?") == {"-"}  # every branch; optional part not
    assert presidio.required_chars(r"(?<=:)\d+") == frozenset()  # look-arounds match nothing
    assert presidio.required_chars(r"(?|a)") == frozenset()  # `regex` syntax `re` cannot parse
    # the skip changes nothing: the same spans as scanning every pattern
    rng = random.Random(3)
    parts = ["10.0.0.1", "2001:db8::1", "::", "::ffff:1.2.3.4", "fe80::1%eth0", ":", ".", " ",
             "a", "1", "255", "/24", "::1", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"]
    for _ in range(2000):
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 12)))
        expect = sorted((r.start, r.end, r.score) for r in ip.analyze(text, ["IP_ADDRESS"]))
        spans = pii_spans.remove_duplicates([("IP", a, b, sc) for a, b, sc in
                                       presidio._pattern_spans(ip, text, det._plans)])
        assert sorted((a, b, sc) for _, a, b, sc in spans) == expect, text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["0", "00", "01", "007", "1", "9", "10", "99", "100",
                                           "199", "200", "249", "250", "255", "256", "300",
                                           "999", "0255", "1000", "", " 1", "+1", "\u0661"]),
                          st.text("0123456789", min_size=1, max_size=4)),
                min_size=1, max_size=6))
def test_ip_invalidation_shortcut_is_presidios(parts: list[str]) -> None:
    """IpRecognizer.invalidate_result without ipaddress objects answers as Presidio's does:
    on dotted quads (leading zeros, octets over 255) and on what is asked of ipaddress."""
    from presidio_analyzer.predefined_recognizers import IpRecognizer

    rec = IpRecognizer()
    text = ".".join(parts)
    assert bool(presidio._ip_invalid(rec.invalidate_result, text)) == \
        bool(rec.invalidate_result(text)), text
    assert presidio.ScanPlans().plan(rec).invalidate.func is presidio._ip_invalid  # the shortcut in use


def test_email_validation_is_remembered_per_host(det: PiiDetector, fake: Faker) -> None:
    """The e-mail recognizer remembers tldextract's verdict per host: the same verdict as
    asking tldextract about the whole match, also for local parts with `/`, `?`, `#` or `:`
    (which tldextract reads as the end of a host)."""
    import tldextract

    det.results("a@b.com")  # loads the recognizers
    email = next(r.instance for r in det.recs if r.entity == "EMAIL_ADDRESS")
    extractor = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())
    texts = [fake.free_email() for _ in range(200)] + [fake.company_email() for _ in range(200)]
    texts += ["a/b@gmail.com", "x?y@example.co.uk", "p#q@mail.example", "u:v@localhost",
              "j.doe@sub.domain.museum", "me@x.invalidtld", "a@b", "a@192.168.0.1",
              "a@\u0444.\u0440\u0444", "a@EXAMPLE.COM.", "a@xn--80ak6aa92e.com"]
    for text in texts:
        assert email.validate_result(text) == (extractor(text).fqdn != ""), text
    rx = presidio._regex_module()
    for p in email.patterns:  # and on what the recognizer's own pattern matches
        for match in rx.compile(p.regex, flags=email.global_regex_flags).finditer(" ".join(texts)):
            assert email.validate_result(match.group()) == \
                (extractor(match.group()).fqdn != ""), match.group()


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")
def test_custom_pattern_in_regex_syntax_is_always_scanned() -> None:
    """`re` reads a POSIX class as a set plus a `]`: a custom pattern is never skipped for
    lacking a character `re` thinks it needs."""
    rec = {"name": "staff", "entity": "STAFF_ID", "regex": r"staff-[[:digit:]]{4}", "score": 0.9}
    found = PiiDetector(pol(recognizers=[rec])).results("my id is staff-1234")
    assert [(s.entity, s.start, s.end) for s in found] == [("STAFF_ID", 9, 19)]


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


def test_phone_regions_schema() -> None:
    with pytest.raises(MlgateError, match="phone-regions"):
        pol(**{"phone-regions": ["uk"]})
    d = PiiDetector(pol(**{"phone-regions": ["GB"]}))
    assert "PHONE_NUMBER" in ents(d.results("ring 020 7946 1234 please"))


def test_no_network(monkeypatch: pytest.MonkeyPatch, fake: Faker) -> None:
    def refuse(*a: Any, **k: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    d = PiiDetector(DEFAULT)  # a fresh detector: a fresh e-mail recognizer and suffix list
    assert ents(d.results(f"mail {fake.free_email()}")) == {"EMAIL_ADDRESS"}


# --- the hook over files -------------------------------------------------------------------------

def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(paths: list[Path], policy: Policy = DEFAULT) -> tuple[list[Finding], list[FileError]]:
    out = list(pii_check.check([str(p) for p in paths], policy))
    return ([f for f in out if isinstance(f, Finding)],
            [e for e in out if isinstance(e, FileError)])


def test_csv_findings_are_aggregated_masked_and_located(tmp_path: Path, fake: Faker) -> None:
    emails = [fake.unique.free_email() for _ in range(30)]
    rows = [[str(i), e, f"{random.Random(i).random():.4f}", "fine"] for i, e in enumerate(emails)]
    path = write_csv(tmp_path / "users.csv", ["id", "contact", "loss", "note"], rows)
    findings, errors = run([path])
    assert errors == []
    assert len(findings) == 1
    f = findings[0]
    assert (f.check, f.rule, f.severity, f.key) == ("pii", "pii/EMAIL_ADDRESS", Severity.ERROR,
                                                     "contact")
    assert f.occurrences == 30 and f.lines == list(range(2, 32))
    assert f.line == 2 and f.column == len(rows[0][0]) + 2
    assert f.fingerprint == location_fingerprint("pii/EMAIL_ADDRESS", str(path), "contact")
    assert emails[0] not in f.excerpt and "@" in f.excerpt and "***" in f.excerpt
    assert all(e not in f.message for e in emails)


def test_column_batches_give_the_findings_of_row_order(tmp_path: Path, fake: Faker,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    rows = [[str(i), fake.free_email() if i % 3 else "n/a",
             f"({rng.randrange(201, 989)}) 4{rng.randrange(10)}6-7{rng.randrange(100, 999)}",
             fake.ipv4_public() if i % 5 else "-", f"{rng.random():.4f}"] for i in range(700)]
    rows[400][4] = fake.free_email()  # a second finding key, first seen late in a batch
    path = write_csv(tmp_path / "users.csv", ["id", "email", "phone", "ip", "loss"], rows)

    def outcome() -> list[tuple[Any, ...]]:
        findings, errors = run([path])
        assert errors == []
        return sorted((f.rule, f.key, f.line, f.column, f.occurrences, tuple(f.lines), f.excerpt)
                      for f in findings)

    batched = outcome()
    monkeypatch.setattr(pii_check, "_BATCH_CELLS", 1)  # one cell per batch: file order
    assert outcome() == batched
    assert {(r, k) for r, k, *_ in batched} == {
        ("pii/EMAIL_ADDRESS", "email"), ("pii/PHONE_NUMBER", "phone"),
        ("pii/IP_ADDRESS", "ip"), ("pii/EMAIL_ADDRESS", "loss")}
    assert [o for r, k, _, _, o, *_ in batched if k == "email"] == [sum(1 for i in range(700)
                                                                        if i % 3)]


def test_column_batches_are_bounded_and_keep_each_columns_order() -> None:
    from mlgate.sources import Cell

    cells = [Cell(f"v{i}", i // 3 + 1, None, "abc"[i % 3]) for i in range(5000)]
    batches = list(pii_check._column_batches(cells))
    assert [len(b) for b in batches] == [1024] * 4 + [904]
    assert sorted(c.text for b in batches for c in b) == sorted(c.text for c in cells)
    first = batches[0]
    assert [c.key for c in first] == ["a"] * 342 + ["b"] * 341 + ["c"] * 341
    assert [c.line for c in first if c.key == "b"] == sorted(c.line for c in first
                                                             if c.key == "b")
    big = [Cell("x" * 300_000, i + 1, None, None) for i in range(10)]
    assert [len(b) for b in pii_check._column_batches(big)] == [4, 4, 2]


def test_jsonl_text_and_notebook(tmp_path: Path, fake: Faker) -> None:
    ip = fake.ipv4_public()
    ssn = fake.ssn()
    jl = tmp_path / "chat.jsonl"
    jl.write_text("\n".join(json.dumps({"turn": i, "text": t}) for i, t in enumerate(
        ["hi there", f"my server is {ip}", "thanks"])) + "\n", encoding="utf-8")
    txt = tmp_path / "notes.md"
    txt.write_text(f"# notes\n\nclean line\nssn on file: {ssn}\n", encoding="utf-8")
    nb = tmp_path / "eval.ipynb"
    nb.write_text(json.dumps({
        "cells": [{"cell_type": "code", "source": ["print(rows[0])\n"], "metadata": {},
                   "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout",
                                                      "text": [f"row: {fake.free_email()}\n"]}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1), encoding="utf-8")
    findings, errors = run([jl, txt, nb])
    assert errors == []
    by = {(Path(f.path).name, f.rule): f for f in findings}
    assert by[("chat.jsonl", "pii/IP_ADDRESS")].key == "text"
    assert by[("chat.jsonl", "pii/IP_ADDRESS")].line == 2
    assert by[("notes.md", "pii/US_SSN")].line == 4
    assert by[("notes.md", "pii/US_SSN")].column == len("ssn on file: ") + 1
    nbf = by[("eval.ipynb", "pii/EMAIL_ADDRESS")]
    lines = nb.read_text(encoding="utf-8").splitlines()
    assert nbf.line is not None and "row: " in lines[nbf.line - 1]


def test_truncated_file_gets_a_warning(tmp_path: Path, fake: Faker) -> None:
    path = tmp_path / "big.txt"
    path.write_text(f"{fake.free_email()}\n" + "clean text line\n" * 2000, encoding="utf-8")
    findings, errors = run([path], pol(**{"max-bytes": 1000}))
    rules = {f.rule: f for f in findings}
    assert "pii/EMAIL_ADDRESS" in rules
    warn = rules[pii_rules.TRUNCATED_RULE]
    assert warn.severity == Severity.WARNING and "mlgate scan" in warn.message
    assert "1,000" in warn.message
    findings, _ = run([path])
    assert pii_rules.TRUNCATED_RULE not in {f.rule for f in findings}


def test_bad_files_are_errors_not_tracebacks(tmp_path: Path, fake: Faker) -> None:
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    broken = tmp_path / "rows.jsonl"
    broken.write_text('{"email": "' + fake.free_email() + '"}\n' + '{"a": "x"}\n' * 3000
                      + '{"b": [1, 2\n', encoding="utf-8")
    notjson = tmp_path / "nb.ipynb"
    notjson.write_text("this is not json", encoding="utf-8")
    good = write_csv(tmp_path / "ok.csv", ["email"], [[fake.free_email()]])
    missing = tmp_path / "missing.csv"
    findings, errors = run([binary, broken, notjson, missing, good])
    assert {Path(e.path).name for e in errors} == {"data.csv", "rows.jsonl", "nb.ipynb",
                                                   "missing.csv"}
    assert all(e.message and "Traceback" not in e.message for e in errors)
    names = {(Path(f.path).name, f.rule) for f in findings}
    assert ("ok.csv", "pii/EMAIL_ADDRESS") in names
    assert ("rows.jsonl", "pii/EMAIL_ADDRESS") in names  # found before the syntax error


def test_internal_error_in_one_file_is_a_file_error(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text("mail someone@mailbox.org\n", encoding="utf-8")

    real = presidio_recognizers.offline_email

    def failing_email_recognizer() -> Any:
        rec = real()

        def boom(value: str) -> bool:  # an unexpected error while confirming a match
            raise ValueError(f"secret value {value}")

        rec.validate_result = boom
        return rec

    # (patched where the detector looks it up at run time: the detector's own methods may be
    # compiled, and a compiled class ignores methods patched onto it)
    monkeypatch.setattr(presidio_recognizers, "offline_email", failing_email_recognizer)
    findings, errors = run([path])
    assert findings == [] and len(errors) == 1
    assert "ValueError" in errors[0].message and "someone" not in errors[0].message


# --- the command ---------------------------------------------------------------------------------

def test_cli_exit_codes_json_and_never_leak(repo: Path, cli: Any, fake: Faker) -> None:
    phone = "+1 212 45" + "6 7890"
    email = fake.free_email()
    write_csv(repo / "people.csv", ["email", "phone"], [[email, phone]])
    write_csv(repo / "clean.csv", ["step", "loss"], [["1", "0.5"], ["2", "0.25"]])
    code, out, err = cli("pii", "clean.csv")
    assert code == 0 and out.strip() == ""
    code, out, err = cli("pii", "--format", "json", "people.csv", "clean.csv")
    assert code == 1
    doc = json.loads(out)
    rules = {f["rule"] for f in doc["findings"]}
    assert rules == {"pii/EMAIL_ADDRESS", "pii/PHONE_NUMBER"}
    assert email not in out and "456 7890" not in out and email not in err
    assert all(f["path"] == "people.csv" for f in doc["findings"])
    code, out, err = cli("pii", "--format", "sarif", "people.csv")
    assert code == 1 and email not in out


def test_inline_pragma_and_baseline(repo: Path, cli: Any, fake: Faker) -> None:
    email = fake.free_email()
    (repo / "notes.txt").write_text(
        f"owner {email}  # mlgate: allow pii/EMAIL_ADDRESS -- public maintainer address\n",
        encoding="utf-8")
    code, out, _ = cli("pii", "notes.txt")
    assert code == 0, out
    write_csv(repo / "t.csv", ["email"], [[fake.free_email()]])
    assert cli("pii", "t.csv")[0] == 1
    code, out, _ = cli("baseline", "--check", "pii", "--reason", "synthetic test data", "t.csv")
    assert code == 0, out
    assert cli("pii", "t.csv")[0] == 0


def test_clean_csv_process_is_fast_and_never_imports_presidio(tmp_path: Path) -> None:
    rng = random.Random(0)
    path = write_csv(tmp_path / "metrics.csv", ["step", "loss", "lr", "run_id", "commit"],
                     [[str(i), f"{rng.random():.5f}", "3e-4", str(rng.randrange(10**9)),
                       f"{rng.getrandbits(160):040x}"] for i in range(300)])
    code = ("import sys, time; t=time.perf_counter(); from mlgate.cli import main\n"
            "try:\n  main(['pii', sys.argv[1]])\nexcept SystemExit as e: rc = e.code\n"
            "assert 'presidio_analyzer' not in sys.modules and 'spacy' not in sys.modules\n"
            "print(rc, time.perf_counter() - t)")
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    rc, seconds = res.stdout.split()[-2:]
    assert rc == "0"
    assert float(seconds) < 1.0  # ≈ 0.1 s here; generous for slow CI machines


# --- deep mode -----------------------------------------------------------------------------------

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


def test_missing_model_is_a_clear_error(repo: Path, cli: Any) -> None:
    with pytest.raises(MlgateError, match="spacy-model"):
        PiiDetector(pol(deep=True, **{"spacy-model": "xx_no_such_pipeline_sm"}))
    (repo / "mlgate.toml").write_text('[pii]\nspacy-model = "xx_no_such_pipeline_sm"\n',
                                      encoding="utf-8")
    (repo / "a.txt").write_text("hello\n", encoding="utf-8")
    code, out, err = cli("pii", "--deep", "a.txt")
    assert code == 2 and "spacy-model" in (out + err) and "Traceback" not in err


# --- recall and false positives on generated samples -----------------------------------------

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


def test_time_budget_stops_with_a_warning(tmp_path: Path) -> None:
    rng = random.Random(8)
    path = tmp_path / "numbers.txt"
    path.write_text("".join(f"row {i}: {rng.randrange(10**9, 10**10)} {rng.randrange(10**9)}\n"
                            for i in range(20000)), encoding="utf-8")
    findings, errors = run([path], pol(**{"max-seconds": 0.05}))
    assert errors == []
    warn = [f for f in findings if f.rule == pii_rules.TRUNCATED_RULE]
    assert len(warn) == 1 and warn[0].severity == Severity.WARNING
    assert "max-seconds" in warn[0].message and "checking stopped at line" in warn[0].message


@pytest.mark.parametrize("before", ["call ", ""])
def test_time_budget_interrupts_a_single_long_line(tmp_path: Path, before: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile line (thousands of phone numbers in one cell) is checked part by part, with a
    look at the clock between parts and between the numbers found: the budget stops it
    inside the line, not after it. Without the words in between, the whole line is one
    stretch for the phone matcher."""
    rng = random.Random(12)
    path = tmp_path / "phones.txt"
    path.write_text("ok\n" + " ".join(
        f"{before}({rng.randrange(201, 989)}) {rng.randrange(200, 999)}-"
        f"{rng.randrange(1000, 9999)}" for _ in range(3000)) + "\n", encoding="utf-8")
    PiiDetector(DEFAULT).results("(212) 456-7890")  # Presidio imported before the clock runs
    clock = iter(range(10**6))  # each look at the clock is a second later
    monkeypatch.setattr(engine.time, "monotonic", lambda: float(next(clock)))
    findings, errors = run([path], pol(**{"max-seconds": 10.5}))
    assert errors == []
    (warn,) = [f for f in findings if f.rule == pii_rules.TRUNCATED_RULE]
    assert "checking stopped at line 2 after 10.5 s" in warn.message
    # the long line was left part-way: none of its numbers is reported as checked
    assert [f for f in findings if f.rule == "pii/PHONE_NUMBER"] == []
    assert next(clock) < 100  # about ten looks, not one per number


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


def test_time_budget_names_a_line_before_which_all_was_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[str(i), f"user{i}@mail-{i}.org", f"{i}"] for i in range(300)]
    path = write_csv(tmp_path / "users.csv", ["id", "email", "n"], rows)
    clock = iter(range(10**6))  # each look at the clock is a second later
    monkeypatch.setattr(engine.time, "monotonic", lambda: float(next(clock)))
    findings, _ = run([path], pol(**{"max-seconds": 5.5}))
    warn = [f for f in findings if f.rule == pii_rules.TRUNCATED_RULE]
    stopped = int(re.search(r"stopped at line (\d+)", warn[0].message).group(1))
    # the clock is read after every 64 cells: the sixth look (384 cells) is past the deadline.
    # The batch goes column by column: the header's three names, the 300 ids, then 81 e-mail
    # addresses (lines 2-82); the "n" column was not reached: line 2 is not checked whole.
    (email,) = [f for f in findings if f.rule == "pii/EMAIL_ADDRESS"]
    assert email.occurrences == 81 and email.lines[-1] == 82
    assert stopped == 2


def test_long_single_line_is_bounded(tmp_path: Path, fake: Faker) -> None:
    import time

    email = fake.free_email()
    rng = random.Random(9)
    body = " ".join(f"{rng.random():.6f}" for _ in range(40000))  # ≈ 360 KB, one line
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"values": body + f" contact {email}"}), encoding="utf-8")
    t0 = time.perf_counter()
    findings, errors = run([path])
    assert errors == [] and time.perf_counter() - t0 < 20
    assert {f.rule for f in findings} == {"pii/EMAIL_ADDRESS"}


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


def test_numbers_as_values_of_ml_keys_are_quiet(det: PiiDetector) -> None:
    line = ("2025-06-13T08:22:21.152409Z INFO trainer step=660098 loss=0.9813 lr=2.36e-04 "
            "tokens/s=89546 mem=9103083900")
    assert det.results(line) == ()
    assert det.candidates(line) == []  # not even Presidio's import
    assert det.results("41434230488", key="tokens_seen") == ()
    assert det.results("49292608580", key="gpu_mem_bytes") == ()
    # ... but contact keys are checked, in text and in columns
    assert "PHONE_NUMBER" in ents(det.results("phone=2124567890"))
    assert "PHONE_NUMBER" in ents(det.results("2124567890", key="phone"))
    assert allowlist.sensitive_key("customerPhone") and allowlist.sensitive_key("client_ip")
    assert not allowlist.sensitive_key("gpu_mem_bytes")


def test_ip_after_equals_sign_is_not_a_version(det: PiiDetector, fake: Faker) -> None:
    ip = fake.ipv4_public()
    assert ents(det.results(f"POST /login client={ip} user=x")) == {"IP_ADDRESS"}
    assert det.results(f"pip install pkg=={ip}") == ()


def test_quantities_with_units_are_quiet(det: PiiDetector) -> None:
    line = "INFO saved checkpoint-40500 sha256=" + "ab" * 32 + " (7346424749 bytes)"
    assert det.results(line) == () and det.candidates(line) == []
    assert det.results("trained on 2124567890 tokens") == ()
    assert "PHONE_NUMBER" in ents(det.results("call (212) 456-7890 tomorrow"))


def test_a_key_that_is_pii_is_masked(tmp_path: Path, fake: Faker) -> None:
    email, other = fake.free_email(), fake.free_email()
    path = tmp_path / "m.json"
    path.write_text(json.dumps({email: f"reach me at {other}"}), encoding="utf-8")
    findings, errors = run([path])
    assert errors == [] and findings
    for f in findings:
        assert email not in f.message and email not in (f.key or "") and other not in f.excerpt


def _noise_tokens_reference(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The plain definition of allowlist._noise_tokens: each pattern scanned over the window."""
    out = []
    lo, hi = max(0, start - 256), min(len(text), end + 256)
    for p in (allowlist._FLOAT, allowlist._TIMESTAMP, allowlist._UUID, allowlist._HEX_TOKEN):
        for m in p.finditer(text, lo, hi):
            if m.start() >= end:
                break
            if start < m.end() and (m.end() < hi or hi == len(text)):
                out.append(m.span())
    return out


def test_patterns_written_for_speed_match_as_their_plain_forms() -> None:
    """The noise and prefilter patterns written for speed find exactly what their plain
    forms find."""
    plain = {
        allowlist._UUID: re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                              re.I),
        allowlist._FLOAT: re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)"
                               r"(?![\w.])"),
        # the prefilters, likewise
        prefilter._CARD_PRESIDIO: re.compile(r"(?<![A-Za-z0-9_])[13-6]\d{3}[- ]?\d{3,4}[- ]?\d{3,4}"
                                       r"[- ]?\d{3,5}"),
        prefilter._CARD_ANY_DIGIT: re.compile(r"(?<![A-Za-z0-9_])[0-9]\d{3}[- ]?\d{3,4}[- ]?\d{3,4}"
                                        r"[- ]?\d{3,5}"),
        prefilter._CARD_MLGATE: re.compile(r"(?<![A-Za-z0-9_.])[0-9](?:[ -]?[0-9]){11}"),
        prefilter._SSN: re.compile(r"(?<![0-9])[0-9]{3}[- .]?[0-9]{2}[- .]?[0-9]{4}(?![0-9])"),
    }
    rng = random.Random(41)
    parts = ["0", "12", "3.5", ".", "-", "+", "e", "E", "x", "_", "a", "F", "g", " ", "1e-5",
             "-2.5e+3", "v1.2", "123e4567-e89b-12d3-a456-426614174000", "DEADBEEF-", "\u0661",
             "\u00e9", ":", "0x1F", "4111", "378-22-4631", "5", "2", "9876 5432", "1234"]
    for _ in range(6000):
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 25)))
        for fast, slow in plain.items():
            assert [m.span() for m in fast.finditer(text)] == \
                [m.span() for m in slow.finditer(text)], (fast.pattern, text)
            assert bool(fast.fullmatch(text)) == bool(slow.fullmatch(text)), text


def test_noise_tokens_shortcuts_change_nothing() -> None:
    """The per-text memo and the cheap `need` checks give exactly the plain scan's tokens,
    and the gaps between them (merged and bisected once per text) are exactly the uncovered
    characters."""
    rng = random.Random(11)
    parts = ["0.25", "1e-5", "3.0E+2", "2024-05-01T12:30:45Z", "2024-05-01", "12:30:45.123",
             "123e4567-e89b-12d3-a456-426614174000", "deadbeefcafebabe1234", "5551234567",
             "v1.2.3", "-", ":", ".", " ", "x", "e", "E", "7", "a1b2c3d4e5f60718293a", "\n"]
    for _ in range(3000):
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 60 if rng.random() < .8
                                                                       else 200)))
        for _ in range(3):
            a = rng.randrange(len(text))
            b = rng.randrange(a, len(text)) + 1
            assert allowlist._noise_tokens(text, a, b) == _noise_tokens_reference(text, a, b), \
                (text, a, b)
            assert allowlist._noise_gaps(text, a, b) == _gaps_reference(text, a, b), (text, a, b)


def _gaps_reference(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The characters of [start, end) outside every noise token sharing one with it."""
    covered = [False] * (end - start)
    for a, b in _noise_tokens_reference(text, start, end):
        for i in range(max(a, start), min(b, end)):
            covered[i - start] = True
    gaps: list[tuple[int, int]] = []
    for i, c in enumerate(covered):
        if not c:
            if gaps and gaps[-1][1] == start + i:
                gaps[-1] = (gaps[-1][0], start + i + 1)
            else:
                gaps.append((start + i, start + i + 1))
    return gaps


def test_national_prefix_rule_prunes_regions() -> None:
    """At Presidio's leniency a number whose format needs a national prefix is only found
    with it: the region filter rules out a German fixed-line number written without its 0
    (and the matcher indeed finds nothing there), and keeps it with the 0 or the country
    code."""
    import phonenumbers

    nsn = phonenumbers.national_significant_number(
        phonenumbers.example_number_for_type("DE", phonenumbers.PhoneNumberType.FIXED_LINE))
    assert not pii_phones.region_filter(f"call {nsn} now", 1)("DE")
    assert not list(phonenumbers.PhoneNumberMatcher(f"call {nsn} now", "DE", leniency=1))
    for written in (f"0{nsn}", f"49{nsn}", f"+49 {nsn}"):
        assert pii_phones.region_filter(f"call {written} now", 1)("DE"), written
        assert list(phonenumbers.PhoneNumberMatcher(f"call {written} now", "DE", leniency=1))
    assert pii_phones.region_filter(f"call {nsn} now", 0)("DE")  # POSSIBLE: no prefix test


def test_whole_cell_matches_and_noise_tokens() -> None:
    """What lets default_allowed skip the token scan for a match that is the whole cell: a
    noise token holding a whole cell (without surrounding white space) makes the cell a
    noise value, which cell_is_noise has already reported. Checked on the plain scan."""
    rng = random.Random(37)
    parts = ["0.25", "1e-5", "2024-05-01T12:30:45Z", "2024-05-01 12:30", "12:30:45.1",
             "123e4567-e89b-12d3-a456-426614174000", "deadbeefcafebabe1234", "5551234567",
             "-", ":", ".", "+", "e", "E", "7", "12", "a", "f", "T", "Z", "x"]
    covered = 0
    for _ in range(4000):
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 5)))
        if any(a <= 0 and len(text) <= b
               for a, b in _noise_tokens_reference(text, 0, len(text))):
            covered += 1
            assert allowlist.cell_is_noise(text, None), text
            assert allowlist.default_allowed("US_SSN", text, 0, len(text), None), text
    assert covered > 300


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


def test_token_windows_find_what_the_whole_text_does() -> None:
    """Presidio's e-mail and IP patterns on the white-space-delimited windows around their
    anchors give exactly their matches on the whole text."""
    det = engine.PiiDetector(Policy())
    det.presidio_recognizers()
    recs = [r for r in det.recs if r.anchors is not None]
    assert {r.entity for r in recs} == {"EMAIL_ADDRESS", "IP_ADDRESS"}
    rng = random.Random(23)
    fk = Faker(["en_US", "de_DE"])
    fk.seed_instance(23)
    makers = [fk.free_email, fk.email, fk.ipv4, fk.ipv6, fk.ipv4_private, fk.uri,
              lambda: "::ffff:" + fk.ipv4(), lambda: fk.ipv4() + "/24", lambda: "a@b",
              lambda: "@", lambda: "::", lambda: "x.y@z", lambda: "1.2.3.4.5", lambda: "v1.2.3.4"]
    glue = [" ", "  ", "\t", "\n", "", ",", ";", ":", "(", ")", "<", ">", "'", '"', "=", "@",
            ".", "/", "-", "_", "\u00a0", "\u3000", " at ", "mailto:", "user="]
    checked = 0
    for _ in range(2500):
        text = "".join(rng.choice(makers)() if rng.random() < 0.4 else rng.choice(glue)
                       for _ in range(rng.randrange(1, 25)))
        for rec in recs:
            whole = presidio._pattern_spans(rec.instance, text)
            windowed = []
            for w0, w1 in presidio._token_windows(text, rec.anchors(text)):
                windowed += [(a + w0, b + w0, sc)
                             for a, b, sc in presidio._pattern_spans(rec.instance, text[w0:w1])]
            assert sorted(windowed) == sorted(whole), (rec.entity, text)
            checked += bool(whole)
    assert checked > 1000


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


def test_many_matches_on_one_line_are_counted_exactly(tmp_path: Path, fake: Faker) -> None:
    """Thousands of values in one cell: one finding per entity with every occurrence, each at
    its own line of a JSON string with line breaks (what used to cost quadratic time)."""
    emails = [fake.free_email() for _ in range(3000)]
    phones = [f"+44 20 7946 {n:04d}" for n in range(1000, 4000)]
    lines = [f"{e} or {p}" for e, p in zip(emails, phones, strict=True)]
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"contacts": "\n".join(lines)}), encoding="utf-8")
    findings, errors = run([path])
    assert errors == []
    got = {f.rule: f for f in findings}
    assert set(got) == {"pii/EMAIL_ADDRESS", "pii/PHONE_NUMBER"}
    assert got["pii/EMAIL_ADDRESS"].occurrences == 3000
    assert got["pii/PHONE_NUMBER"].occurrences == 3000
    assert got["pii/PHONE_NUMBER"].lines == [1]  # escaped line breaks: one line of the file
    assert got["pii/EMAIL_ADDRESS"].column == len('{"contacts": "') + 1


def test_token_windows_only_for_patterns_that_cannot_match_white_space() -> None:
    class P:
        def __init__(self, regex: str) -> None:
            self.regex = regex

    for unsafe in (r"a\sb", r"[^a]", r"\p{Z}", r"\x20", "a b", "a.b", "[[:space:]]",
                   r"\N{SPACE}", "a\tb", r"\S+", r"\W"):
        assert not presidio._spaceless([P(unsafe)]), unsafe
    for safe in (r"a\.b", r"\d+\w", r"\bfoo\b", r"[!#$%&'*+\-/=?^_`{|}~\w]+@\w+"):
        assert presidio._spaceless([P(safe)]), safe
