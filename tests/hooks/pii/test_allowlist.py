"""pii-in-data-samples: the default allowlist and mlgate's precision rules (ML noise, keys,
units), and the shortcuts of its noise-token scans.

Every PII value here is generated at run time (Faker, or constructed with a valid checksum);
nothing realistic is committed. Presidio is real; files are real files written by the tests.
"""

from __future__ import annotations

import random
import re

import pytest
from faker import Faker
from pii_helpers import ents, pol

from mlgate.hooks.pii import allowlist, prefilter
from mlgate.hooks.pii.engine import PiiDetector


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
