"""Findings: masking never returns the value, fingerprints, aggregation."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.findings import (
    MAX_LINES,
    Finding,
    Severity,
    aggregate,
    location_fingerprint,
    mask_pii,
    mask_secret,
    secret_fingerprint,
)

# values as they appear in files: anything printable but the characters masks are made of
# (a value that already *is* a mask, `a***(9 chars)`, leaks nothing when echoed)
VALUE_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="*…()")
values = st.text(VALUE_CHARS, min_size=8, max_size=80).filter(lambda v: len(v.strip()) >= 8)
prefixes = st.sampled_from(["", "hf_", "sk-proj-", "github_pat_", "ghp_", "AKIA", "xoxb-",
                            "sk-ant-api03-", "wandb_v1_", "KGAT_"])


@settings(max_examples=300, deadline=None)
@given(values, prefixes)
def test_mask_secret_never_contains_the_value(value: str, prefix: str) -> None:
    for v in (value, prefix + value):
        masked = mask_secret(v, prefix)
        assert v not in masked
        assert masked.endswith(f"…({len(v)} chars)")
        shown = masked[: -len(f"…({len(v)} chars)")]
        # at most the public prefix, and only when the value starts with it
        assert shown in ("", prefix)
        assert not shown or v.startswith(prefix)


@settings(max_examples=200, deadline=None)
@given(values)
def test_mask_secret_with_the_value_as_prefix_does_not_leak(value: str) -> None:
    # a caller that passes too much as the "public prefix" must not reveal the value
    for cut in (len(value), len(value) - 1, len(value) * 2 // 3):
        masked = mask_secret(value, value[:cut])
        assert value not in masked
        assert len(masked) - len(f"…({len(value)} chars)") <= len(value) // 2


@settings(max_examples=300, deadline=None)
@given(values)
def test_mask_pii_never_contains_the_value(value: str) -> None:
    masked = mask_pii(value)
    assert value not in masked
    assert value.strip() not in masked
    # reveals at most the first character
    assert masked.startswith(value.strip()[0])
    assert masked == f"{value.strip()[0]}***({len(value.strip())} chars)" or "@" in value


EMAIL_LOCAL = st.text(string.ascii_letters + string.digits + "._+-", min_size=2, max_size=20)
EMAIL_HOST = st.text(string.ascii_lowercase + string.digits + "-", min_size=2, max_size=20)


@settings(max_examples=200, deadline=None)
@given(EMAIL_LOCAL, EMAIL_HOST, st.sampled_from(["com", "org", "io", "co.uk", "museum"]))
def test_mask_pii_email_shows_first_letters_and_tld_only(local: str, host: str,
                                                         tld: str) -> None:
    email = f"{local}@{host}.{tld}"
    masked = mask_pii(email)
    assert email not in masked
    assert masked == f"{local[0]}***@{host[0]}***.{tld.rsplit('.', 1)[-1]}"


def test_mask_examples() -> None:
    token = "hf_" + "A" * 34
    assert mask_secret(token, "hf_") == "hf_…(37 chars)"
    assert mask_secret(token) == "…(37 chars)"
    assert mask_secret("sk-abcdef0123456789", "hf_") == "…(19 chars)"  # wrong prefix: hidden
    assert mask_secret("hf_abc", "hf_abc") == "…(6 chars)"
    assert mask_pii("jane.doe@example.com") == "j***@e***.com"
    assert mask_pii("  4111111111111111 ") == "4***(16 chars)"
    assert mask_pii("") == "(empty)"
    # a "top-level domain" that is really most of the value is not shown
    assert "longvaluehere" not in mask_pii("a@b.longvaluehere")


# --- fingerprints --------------------------------------------------------------------------

def test_location_fingerprint_does_not_depend_on_any_value() -> None:
    fp = location_fingerprint("pii/US_SSN", "data/users.csv", "column:ssn")
    assert fp == location_fingerprint("pii/US_SSN", "data/users.csv", "column:ssn")
    assert len(fp) == 32 and all(c in string.hexdigits for c in fp)
    # every part of the location matters
    assert fp != location_fingerprint("pii/US_SSN", "data/users.csv", "column:phone")
    assert fp != location_fingerprint("pii/US_SSN", "data/other.csv", "column:ssn")
    assert fp != location_fingerprint("pii/PHONE_NUMBER", "data/users.csv", "column:ssn")
    # and the parts cannot be shifted into each other
    assert location_fingerprint("a/b", "c", "d") != location_fingerprint("a/b", "cd", "")


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1), st.text(min_size=1))
def test_secret_fingerprint_same_for_same_value_different_for_different(a: str,
                                                                        b: str) -> None:
    fa = secret_fingerprint("secrets/x", "f.py", a)
    assert fa == secret_fingerprint("secrets/x", "f.py", a)
    assert a not in fa or len(a) <= 2  # a hex digest, not the value
    if a != b:
        assert fa != secret_fingerprint("secrets/x", "f.py", b)


def test_secret_fingerprint_hashes_the_whole_value_not_a_prefix() -> None:
    base = "hf_" + "k" * 34
    assert secret_fingerprint("r", "p", base) != secret_fingerprint("r", "p", base[:-1] + "m")
    assert secret_fingerprint("r", "p", base) != secret_fingerprint("r", "q", base)


def test_secret_fingerprint_accepts_any_string() -> None:
    secret_fingerprint("r", "p", "lone surrogate \udcff")


# --- Finding and aggregate ----------------------------------------------------------------

def mk(line: int | None, fp: str = "fp", rule: str = "pii/EMAIL_ADDRESS", path: str = "a.csv",
       severity: Severity = Severity.ERROR, **kw: object) -> Finding:
    return Finding(check=rule.split("/")[0], rule=rule, severity=severity, path=path,
                   message="m", line=line, column=1 if line else None, fingerprint=fp,
                   **kw)  # type: ignore[arg-type]


def test_finding_defaults() -> None:
    f = mk(7)
    assert f.lines == [7] and f.occurrences == 1 and f.suppressed_by is None
    assert mk(None).lines == []
    assert Severity.ERROR.rank > Severity.WARNING.rank > Severity.NOTE.rank


def test_aggregate_merges_lines_and_occurrences() -> None:
    out = aggregate([mk(5), mk(2), mk(9), mk(2, fp="other")])
    assert len(out) == 2
    merged = next(f for f in out if f.fingerprint == "fp")
    assert merged.lines == [2, 5, 9]
    assert merged.occurrences == 3
    assert merged.line == 2  # reported at the first occurrence


def test_aggregate_keeps_the_highest_severity() -> None:
    out = aggregate([mk(1, severity=Severity.NOTE), mk(2, severity=Severity.ERROR),
                     mk(3, severity=Severity.WARNING)])
    assert [f.severity for f in out] == [Severity.ERROR]


def test_aggregate_caps_lines_but_counts_all() -> None:
    n = MAX_LINES + 500
    out = aggregate([mk(i) for i in range(n, 0, -1)])  # arriving in reverse order
    assert len(out) == 1
    assert out[0].occurrences == n
    assert out[0].lines == list(range(1, MAX_LINES + 1))
    assert out[0].line == 1


def test_aggregate_caps_lines_of_a_single_prebuilt_finding() -> None:
    f = mk(1, lines=list(range(1, 3000)), occurrences=2999)
    out = aggregate([f])
    assert len(out[0].lines) == MAX_LINES and out[0].occurrences == 2999


def test_aggregate_does_not_merge_across_rule_path_fingerprint_or_suppression() -> None:
    out = aggregate([mk(1), mk(2, rule="pii/PHONE_NUMBER"), mk(3, path="b.csv"),
                     mk(4, fp="x"), mk(5, suppressed_by="baseline")])
    assert len(out) == 5


def test_aggregate_never_merges_findings_without_fingerprint() -> None:
    out = aggregate([mk(1, fp=""), mk(2, fp="")])
    assert [f.lines for f in out] == [[1], [2]]


def test_aggregate_sorts_by_path_line_column_rule() -> None:
    out = aggregate([mk(3, path="b"), mk(None, path="b", fp="f2"), mk(2, path="a", fp="z"),
                     mk(1, path="b", rule="secrets/x")])
    assert [(f.path, f.line) for f in out] == [("a", 2), ("b", None), ("b", 1), ("b", 3)]
