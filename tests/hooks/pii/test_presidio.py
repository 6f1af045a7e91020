"""pii-in-data-samples: the Presidio glue — lean pattern runners, their shortcuts (required
characters, token windows, the IP invalidation), offline e-mail validation.

Every PII value here is generated at run time (Faker, or constructed with a valid checksum);
nothing realistic is committed. Presidio is real; files are real files written by the tests.
"""

from __future__ import annotations

import random
import socket
from typing import Any

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st
from pii_helpers import DEFAULT, ents, pol

from mlgate.hooks.pii import engine, presidio
from mlgate.hooks.pii import spans as pii_spans
from mlgate.hooks.pii.engine import PiiDetector
from mlgate.policy import Policy


@pytest.fixture
def det() -> PiiDetector:
    """This module tests the Presidio path (the `presidio` extra): a detector that confirms
    with Presidio's recognizers, whatever the policy."""
    return PiiDetector(DEFAULT, presidio=True)

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
    # the shortcut in use
    shortcut: Any = presidio.ScanPlans().plan(rec).invalidate
    assert shortcut.func is presidio._ip_invalid


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


def test_no_network(monkeypatch: pytest.MonkeyPatch, fake: Faker) -> None:
    def refuse(*a: Any, **k: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    d = PiiDetector(DEFAULT, presidio=True)  # fresh: a fresh e-mail recognizer, suffix list
    assert ents(d.results(f"mail {fake.free_email()}")) == {"EMAIL_ADDRESS"}


def test_token_windows_find_what_the_whole_text_does() -> None:
    """Presidio's e-mail and IP patterns on the white-space-delimited windows around their
    anchors give exactly their matches on the whole text."""
    det = engine.PiiDetector(Policy(), presidio=True)
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
            assert rec.anchors is not None
            for w0, w1 in presidio._token_windows(text, rec.anchors(text)):
                windowed += [(a + w0, b + w0, sc)
                             for a, b, sc in presidio._pattern_spans(rec.instance, text[w0:w1])]
            assert sorted(windowed) == sorted(whole), (rec.entity, text)
            checked += bool(whole)
    assert checked > 1000


def test_token_windows_only_for_patterns_that_cannot_match_white_space() -> None:
    class P:
        def __init__(self, regex: str) -> None:
            self.regex = regex

    for unsafe in (r"a\sb", r"[^a]", r"\p{Z}", r"\x20", "a b", "a.b", "[[:space:]]",
                   r"\N{SPACE}", "a\tb", r"\S+", r"\W"):
        assert not presidio._spaceless([P(unsafe)]), unsafe
    for safe in (r"a\.b", r"\d+\w", r"\bfoo\b", r"[!#$%&'*+\-/=?^_`{|}~\w]+@\w+"):
        assert presidio._spaceless([P(safe)]), safe
