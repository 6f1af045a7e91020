"""mlgate.licensing: SPDX expressions as written, and the one [licenses] allow/deny list."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.errors import MlgateError
from mlgate.licensing import choices, missing_texts, parse, verdict
from mlgate.policy import Policy


def kinds(raw: str) -> list[str]:
    return [p.kind for p in parse(raw).problems]


@pytest.mark.parametrize(("raw", "normalized"), [
    ("MIT", "MIT"),
    ("apache-2.0", "Apache-2.0"),
    ("MIT OR GPL-3.0-only", "MIT OR GPL-3.0-only"),
    ("(MIT AND (BSD-3-Clause OR Apache-2.0))", "MIT AND (BSD-3-Clause OR Apache-2.0)"),
    ("GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
    ("LicenseRef-Proprietary", "LicenseRef-Proprietary"),
    ("DocumentRef-spdx-tool:LicenseRef-x", "DocumentRef-spdx-tool:LicenseRef-x"),
])
def test_valid_expressions_parse_and_normalise(raw: str, normalized: str) -> None:
    expr = parse(raw)
    assert expr.valid and not expr.problems
    assert expr.normalized == normalized


def test_own_license_refs_are_kept_as_written() -> None:
    """The upstream index aliases some LicenseRef ids onto other licenses; ours stay ours."""
    expr = parse("LicenseRef-MIT-TC OR LicenseRef-Apache")
    assert expr.licenses == ("LicenseRef-MIT-TC", "LicenseRef-Apache")
    assert expr.normalized == "LicenseRef-MIT-TC OR LicenseRef-Apache"


@pytest.mark.parametrize(("raw", "expected"), [
    ("GPL-3.0", ["deprecated"]),
    ("GPL-2.0+", ["deprecated"]),
    ("mit OR lgpl-2.1", ["deprecated"]),
    ("Foo-License", ["unknown"]),
    ("GPL", ["unknown"]),  # the upstream index aliases it to GPL-1.0-or-later
    ("BSD-2 OR MIT", ["unknown"]),
    ("MIT WITH Foo-exception", ["unknown-exception"]),
    ("MIT WITH Apache-2.0", ["unknown-exception"]),
    ("Classpath-exception-2.0", ["malformed"]),
    ("MIT AND", ["malformed"]),
    ("MIT AND OR X", ["malformed"]),
    ("MIT)", ["malformed"]),
    ("((MIT", ["malformed"]),
    ("()", ["malformed"]),
    ("MIT/Apache-2.0", ["malformed"]),
    ("LicenseRef-a_b", ["malformed"]),
    ("", ["malformed"]),
    ("MIT OR " * 400 + "MIT", ["malformed"]),
])
def test_problems_are_found_on_the_raw_text(raw: str, expected: list[str]) -> None:
    assert kinds(raw) == expected
    assert parse(raw).valid is (expected == ["deprecated"])


def test_deprecated_ids_name_their_replacement() -> None:
    (problem,) = parse("GPL-3.0").problems
    assert "GPL-3.0-only" in problem.detail and "GPL-3.0-or-later" in problem.detail
    assert parse("GPL-3.0").normalized == "GPL-3.0-only"


def test_choices_are_the_or_alternatives() -> None:
    got = choices(parse("MIT AND (BSD-3-Clause OR Apache-2.0)"))
    assert got == [frozenset({"MIT", "BSD-3-Clause"}), frozenset({"MIT", "Apache-2.0"})]
    assert choices(parse("MIT AND")) == []


def policy(allow: list[str] | None = None, deny: list[str] | None = None) -> Policy:
    return Policy({"licenses": {"allow": allow or [], "deny": deny or []}})


@pytest.mark.parametrize(("raw", "allowed"), [
    ("MIT", True),
    ("GPL-3.0-only", False),
    ("MIT OR GPL-3.0-only", True),  # one acceptable choice is enough
    ("MIT AND GPL-3.0-only", False),
    ("gpl-3.0-or-later", False),  # globs and ids match case-insensitively
    ("CC-BY-NC-4.0", False),
    ("(CC-BY-NC-4.0 OR MIT) AND Apache-2.0", True),
    ("GPL-2.0-only WITH Classpath-exception-2.0", False),
    ("MIT AND", False),
])
def test_verdict_is_expression_aware(raw: str, allowed: bool) -> None:
    result = verdict(parse(raw), policy(deny=["GPL-*", "CC-BY-NC-*"]))
    assert result.allowed is allowed
    assert (result.reason == "") is allowed


def test_verdict_reason_names_every_offending_id() -> None:
    result = verdict(parse("GPL-3.0-only AND CC-BY-NC-4.0"), policy(deny=["GPL-*", "CC-BY-NC-*"]))
    assert "GPL-3.0-only is denied" in result.reason and "CC-BY-NC-4.0 is denied" in result.reason


def test_allow_list_admits_only_its_licenses() -> None:
    p = policy(allow=["MIT", "Apache-2.0", "BSD-*", "LicenseRef-*"])
    assert verdict(parse("BSD-3-Clause"), p).allowed
    assert verdict(parse("LicenseRef-Internal"), p).allowed
    assert verdict(parse("MIT OR GPL-3.0-only"), p).allowed
    refused = verdict(parse("MPL-2.0"), p)
    assert not refused.allowed and "MPL-2.0 is not allowed" in refused.reason


def test_no_lists_accept_every_well_formed_expression() -> None:
    assert verdict(parse("GPL-3.0-only"), Policy()).allowed
    assert not verdict(parse("OR MIT"), Policy()).allowed


def test_licenses_table_is_validated_at_load() -> None:
    with pytest.raises(MlgateError, match="both in 'allow' and in 'deny'"):
        policy(allow=["MIT"], deny=["MIT"])
    with pytest.raises(MlgateError, match="licenses.deny"):
        policy(deny=["MIT License"])
    with pytest.raises(MlgateError, match="unknown key"):
        Policy({"licenses": {"denied": ["MIT"]}})


def test_missing_texts_look_in_the_licenses_directory(tmp_path: Path) -> None:
    licenses = tmp_path / "LICENSES"
    licenses.mkdir()
    (licenses / "Apache-2.0.txt").write_text("text")
    (licenses / "MIT").write_text("text")
    expr = parse("Apache-2.0 OR MIT OR GPL-2.0-only WITH Classpath-exception-2.0 OR "
                 "LicenseRef-Own")
    assert missing_texts(expr, licenses) == ["GPL-2.0-only", "LicenseRef-Own",
                                             "Classpath-exception-2.0"]
    assert missing_texts(parse("Apache-2"), licenses) == ["Apache-2"]
    assert missing_texts(parse("MIT"), tmp_path / "nowhere") == ["MIT"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("()+ -.:ANDORWITHmitgpl0123LicenseRef\t\n\x00é")),
               max_size=60))
def test_parse_never_raises(raw: str) -> None:
    expr = parse(raw)
    assert expr.valid is (expr.normalized is not None
                          and all(p.kind == "deprecated" for p in expr.problems))
