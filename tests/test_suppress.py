"""Suppressions: inline pragmas (many comment styles, line above, check-family form,
detect-secrets pragmas), partial suppression of aggregated findings, and the baseline file."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import stat
import string
from pathlib import Path

import pytest

from mlgate.errors import MlgateError
from mlgate.findings import Finding, Severity, location_fingerprint
from mlgate.suppress import Baseline, BaselineEntry, apply_inline, inline_allowed

HAS_SECRETS = importlib.util.find_spec("mlgate.hooks.secrets") is not None
needs_secrets = pytest.mark.skipif(not HAS_SECRETS, reason="mlgate.hooks.secrets not written yet")

R = "secrets/huggingface-token"
P = "pii/EMAIL_ADDRESS"

# (lines, line number of the finding, rule, suppressed?)
PRAGMAS = [
    # same line, the rule
    (['token = "x"  # mlgate: allow secrets/huggingface-token -- test fixture'], 1, R, True),
    # same line, the check family
    (['token = "x"  # mlgate: allow secrets -- test fixture'], 1, R, True),
    (['token = "x"  # mlgate: allow secrets -- test fixture'], 1, P, False),
    # another rule of the same check does not cover it
    (['token = "x"  # mlgate: allow secrets/openai-key -- other'], 1, R, False),
    # several rules
    (['x  // mlgate: allow secrets/openai-key, secrets/huggingface-token -- both'], 1, R, True),
    (['x  # mlgate: allow secrets/openai-key secrets/huggingface-token -- both'], 1, R, True),
    # globs
    (['a@b.example,1  # mlgate: allow pii/* -- fake data'], 1, P, True),
    (['x  # mlgate: allow * -- everything here'], 1, R, True),
    # comment styles
    (['const t = "x"; // mlgate: allow secrets -- demo'], 1, R, True),
    (['<p>x</p> <!-- mlgate: allow pii/EMAIL_ADDRESS -- demo page -->'], 1, P, True),
    (['<p>x</p> <!-- mlgate: allow pii/EMAIL_ADDRESS -->'], 1, P, True),  # no reason
    (['int t = 1; /* mlgate: allow secrets */'], 1, R, True),
    (['SELECT 1; -- mlgate: allow secrets -- sql'], 1, R, True),
    (['key: x  # mlgate: allow secrets'], 1, R, True),  # YAML, no reason
    # inside the JSON string of a notebook line
    (['    "token = \\"x\\"  # mlgate: allow secrets -- nb\\n",'], 1, R, True),
    (['    "token = \\"x\\"  # mlgate: allow secrets\\n",'], 1, R, True),
    # the line above, when it is a comment
    (['# mlgate: allow secrets -- fixture below', 'token = "x"'], 2, R, True),
    (['    // mlgate: allow secrets -- fixture below', 'token = "x"'], 2, R, True),
    (['<!-- mlgate: allow pii/EMAIL_ADDRESS -- demo -->', 'a@b.example'], 2, P, True),
    (['    "# mlgate: allow secrets -- nb\\n",', '    "token = \\"x\\"\\n",'], 2, R, True),
    # ... but not when the line above is code with a trailing pragma (it covers that line only)
    (['a = "x"  # mlgate: allow secrets -- a only', 'b = "y"'], 2, R, False),
    # not two lines above
    (['# mlgate: allow secrets -- far', '', 'token = "x"'], 3, R, False),
    # not the line below
    (['token = "x"', '# mlgate: allow secrets -- below'], 1, R, False),
    # a word that is not the pragma
    (['token = "x"  # mlgate allows secrets'], 1, R, False),
    (['token = "x"  # mlgate: allow -- no rule'], 1, R, False),
    # detect-secrets pragmas: secrets rules only
    (['token = "x"  # pragma: allowlist secret'], 1, R, True),
    (['token = "x"  # pragma: whitelist secret'], 1, R, True),
    (['a@b.example  # pragma: allowlist secret'], 1, P, False),
    (['# pragma: allowlist nextline secret', 'token = "x"'], 2, R, True),
    (['# pragma: allowlist nextline secret', 'a@b.example'], 2, P, False),
    (['a = 1  # pragma: allowlist nextline secret', 'token = "x"'], 2, R, False),
    (['# pragma: allowlist secret', 'token = "x"'], 2, R, False),  # same-line form only
    # out of range line numbers do not crash
    (['x'], 5, R, False),
    ([], 1, R, False),
]


@pytest.mark.parametrize(("lines", "lineno", "rule", "expected"), PRAGMAS,
                         ids=[f"{i}:{p[0][-1][:40] if p[0] else ''}" for i, p in
                              enumerate(PRAGMAS)])
def test_inline_pragmas(lines: list[str], lineno: int, rule: str, expected: bool) -> None:
    assert inline_allowed(lines, lineno, rule) is expected


def mk(line: int | None, rule: str = R, fp: str = "fp", **kw: object) -> Finding:
    return Finding(check=rule.split("/")[0], rule=rule, severity=Severity.ERROR, path="f.py",
                   message="m", line=line, column=3 if line else None, fingerprint=fp,
                   **kw)  # type: ignore[arg-type]


def test_apply_inline_partially_suppresses_an_aggregated_finding() -> None:
    lines = ["a", "b  # mlgate: allow secrets -- ok", "c", "d"]
    f = mk(2, lines=[2, 3, 4], occurrences=3)
    out = apply_inline([f], lines)
    assert len(out) == 1
    assert out[0].lines == [3, 4]
    assert out[0].occurrences == 2
    assert out[0].line == 3  # moved off the allowed line


def test_apply_inline_drops_fully_allowed_and_keeps_file_level() -> None:
    lines = ["x  # mlgate: allow secrets -- ok"]
    file_level = mk(None)
    out = apply_inline([mk(1), file_level, mk(1, rule=P)], lines)
    assert [f.rule for f in out] == [R, P]
    assert out[0] is file_level


def test_apply_inline_keeps_occurrences_beyond_the_listed_lines() -> None:
    lines = ["x  # mlgate: allow secrets -- ok", "y"]
    f = mk(1, lines=[1, 2], occurrences=5000)  # lines capped, occurrences counts them all
    out = apply_inline([f], lines)
    assert out[0].occurrences == 4999 and out[0].lines == [2]


# --- baseline -----------------------------------------------------------------------------

def test_baseline_write_load_apply(tmp_path: Path) -> None:
    path = tmp_path / ".mlgate-baseline.json"
    findings = [mk(1, fp="a" * 32), mk(5, rule=P, fp="b" * 32)]
    n = Baseline().write(path, findings, "legacy test data")
    assert n == 2
    doc = json.loads(path.read_text())
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "mlgate"
    assert [set(e) for e in doc["entries"]] == [
        {"fingerprint", "rule", "path", "reason", "added_by", "added_at"}] * 2
    assert {e["reason"] for e in doc["entries"]} == {"legacy test data"}
    assert all(e["added_by"] and e["added_at"].endswith("Z") for e in doc["entries"])

    b = Baseline.load(path)
    fresh = [mk(1, fp="a" * 32), mk(9, fp="c" * 32)]
    out = b.apply(fresh)
    assert [f.suppressed_by for f in out] == ["baseline", None]
    assert not any(f.rule == "baseline/missing-reason" for f in out)


def test_baseline_rewrite_keeps_reason_and_author(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"schema_version": 1, "entries": [
        {"fingerprint": "a" * 32, "rule": R, "path": "f.py", "reason": "rotated already",
         "added_by": "alice@example.org", "added_at": "2024-01-01T00:00:00Z"},
        {"fingerprint": "b" * 32, "rule": R, "path": "f.py", "reason": "",
         "added_by": "bob@example.org", "added_at": "2024-01-02T00:00:00Z"}]}))
    old = Baseline.load(path)
    old.write(path, [mk(1, fp="a" * 32), mk(2, fp="b" * 32), mk(3, fp="c" * 32)], "new reason")
    entries = {e["fingerprint"][0]: e for e in json.loads(path.read_text())["entries"]}
    assert entries["a"]["reason"] == "rotated already"
    assert entries["a"]["added_by"] == "alice@example.org"
    assert entries["a"]["added_at"] == "2024-01-01T00:00:00Z"
    assert entries["b"]["reason"] == "new reason"  # a missing reason is filled in
    assert entries["b"]["added_by"] == "bob@example.org"
    assert entries["c"]["reason"] == "new reason"
    # a second rewrite changes nothing (no churn)
    before = path.read_text()
    Baseline.load(path).write(path, [mk(1, fp="a" * 32), mk(2, fp="b" * 32),
                                     mk(3, fp="c" * 32)], "")
    assert path.read_text() == before


def test_baseline_write_keeps_entries_out_of_scope(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    other = BaselineEntry("d" * 32, P, "data.csv", "synthetic", "carol", "2024-01-01T00:00:00Z")
    Baseline().write(path, [mk(1, fp="a" * 32)], "x", keep=[other])
    fps = [e["fingerprint"] for e in json.loads(path.read_text())["entries"]]
    assert sorted(fps) == ["a" * 32, "d" * 32]


def test_baseline_entry_without_reason_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    Baseline().write(path, [mk(4, fp="a" * 32)], "")
    out = Baseline.load(path).apply([mk(4, fp="a" * 32)])
    assert out[0].suppressed_by == "baseline"
    warning = out[1]
    assert warning.rule == "baseline/missing-reason"
    assert warning.check == "baseline"
    assert warning.severity is Severity.WARNING
    assert warning.suppressed_by is None
    assert (warning.path, warning.line) == ("f.py", 4)
    assert "b.json" in warning.message and R in warning.message


def test_baseline_ignores_findings_without_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"entries": [{"fingerprint": "a" * 32, "reason": "r"}]}))
    out = Baseline.load(path).apply([mk(1, fp="")])
    assert out[0].suppressed_by is None


def test_missing_baseline(tmp_path: Path) -> None:
    assert Baseline.load(tmp_path / "none.json").entries == {}
    with pytest.raises(MlgateError, match=r"none\.json: baseline file not found"):
        Baseline.load(tmp_path / "none.json", required=True)


CORRUPT = [
    ("{", "not a valid mlgate baseline"),
    ("[]", "expected a JSON object"),
    ('{"entries": {}}', "'entries' must be a list"),
    ('{"entries": [1]}', "entry #1 is not an object"),
    ('{"entries": [{"rule": "x"}]}', "entry #1 has no fingerprint"),
    ('{"entries": [{"fingerprint": ""}]}', "entry #1 has no fingerprint"),
    ('{"entries": [{"fingerprint": "a", "reason": 3}]}', "'reason' must be a string"),
    ('{"schema_version": 2, "entries": []}', "schema_version 2"),
    ('{"version": "1.5.0", "results": {}}', "detect-secrets-baseline"),
    ('{}', "no 'entries' list"),
]


@pytest.mark.parametrize(("text", "fragment"), CORRUPT)
def test_corrupt_baseline_is_an_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(MlgateError) as exc:
        Baseline.load(path)
    message = exc.value.__str__()
    assert message.startswith(f"{path}: not a valid mlgate baseline")
    assert fragment in message


def test_baseline_not_utf8_or_a_directory(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(b"\xff\xfe{")
    with pytest.raises(MlgateError, match="not a valid mlgate baseline"):
        Baseline.load(tmp_path / "b.json")
    (tmp_path / "d.json").mkdir()
    with pytest.raises(MlgateError, match=r"d\.json: cannot read the baseline: not a regular "
                                          r"file \(a directory\)"):
        Baseline.load(tmp_path / "d.json")


posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices, symlinks: POSIX")


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dangling-symlink"])
@pytest.mark.parametrize("required", [False, True])
def test_special_baseline_is_an_error_naming_it(tmp_path: Path, kind: str,
                                                required: bool) -> None:
    # issue 11, #2: a FIFO hung every hook, a symlink to /dev/zero read until out of memory
    path = tmp_path / ".mlgate-baseline.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.symlink_to("gone.json")
    with pytest.raises(MlgateError, match=r"\.mlgate-baseline\.json: cannot read the baseline: "
                                          r"(not a regular file|no such file)"):
        Baseline.load(path, required=required)


def test_baseline_over_the_cap_is_an_error(tmp_path: Path, monkeypatch) -> None:
    from mlgate import suppress

    monkeypatch.setattr(suppress, "BASELINE_CAP", 10)
    (tmp_path / "b.json").write_text('{"entries": []}')
    with pytest.raises(MlgateError, match=r"b\.json: cannot read the baseline: baseline too "
                                          r"large"):
        Baseline.load(tmp_path / "b.json")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"entries": ' + "[" * 100_000 + "]" * 100_000 + "}"])
def test_deeply_nested_baseline_is_an_error_naming_it(tmp_path: Path, text: str) -> None:
    # issue 11, #11: not "internal error: RecursionError"
    (tmp_path / "b.json").write_text(text)
    with pytest.raises(MlgateError, match=r"b\.json: not a valid mlgate baseline \(nested too "
                                          r"deeply\)"):
        Baseline.load(tmp_path / "b.json")


@posix_only
def test_baseline_write_never_replaces_a_fifo_or_symlink(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(MlgateError, match=r"fifo\.json: cannot write the baseline: not a "
                                          r"regular file \(a FIFO\)"):
        Baseline().write(fifo, [mk(1)], "r")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    link = tmp_path / "link.json"
    link.symlink_to(os.devnull)
    with pytest.raises(MlgateError, match="cannot write the baseline: symbolic link"):
        Baseline().write(link, [mk(1)], "r")
    assert link.is_symlink()
    assert [p.name for p in tmp_path.iterdir() if "mlgate-tmp" in p.name] == []


@posix_only
def test_baseline_write_keeps_the_mode_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    Baseline().write(path, [mk(1)], "r")
    path.chmod(0o640)
    Baseline.load(path).write(path, [mk(1), mk(2, fp="b" * 32)], "r")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]


def test_baseline_write_to_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MlgateError, match="cannot write the baseline"):
        Baseline().write(tmp_path / "no" / "such" / "b.json", [mk(1)], "r")


def test_corrupt_baseline_through_the_cli(repo: Path, fake_check: str, cli) -> None:
    (repo / ".mlgate-baseline.json").write_text("{not json")
    (repo / "a.py").write_text("x = 1\n")
    code, out, err = cli("secrets", "a.py")
    assert code == 2
    assert ".mlgate-baseline.json: not a valid mlgate baseline" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, out, err = cli("secrets", "--baseline", "missing.json", "a.py")
    assert code == 2 and "missing.json: baseline file not found" in err


# --- through the run machinery (the fake check) ---------------------------------------------

def test_run_applies_inline_pragmas_and_baseline(repo: Path, fake_check: str) -> None:
    from mlgate.policy import Policy
    from mlgate.run import run_checks

    (repo / "a.txt").write_text("FAKE-1\nFAKE-2  # mlgate: allow fake -- test\n"
                                "# mlgate: allow fake/marker -- next\nFAKE-3\nFAKE-4\n")
    result = run_checks([fake_check], ["a.txt"], Policy(root=repo))
    assert len(result.findings) == 1
    f = result.findings[0]
    assert (f.lines, f.occurrences) == ([1, 5], 2)

    base = Baseline(path=repo / "b.json")
    base.write(repo / "b.json", result.findings, "fixture file")
    again = run_checks([fake_check], ["a.txt"], Policy(root=repo),
                       Baseline.load(repo / "b.json"))
    assert [x.suppressed_by for x in again.findings] == ["baseline"]
    assert again.exit_code == 0


def test_write_baseline_keeps_other_files_entries(repo: Path, fake_check: str) -> None:
    from mlgate.baseline import write_baseline
    from mlgate.policy import Policy

    (repo / "a.txt").write_text("FAKE-\n")
    (repo / "b.txt").write_text("  FAKE-\n")
    target = repo / ".mlgate-baseline.json"
    policy = Policy(root=repo)
    assert write_baseline(policy, target, [fake_check], ["a.txt", "b.txt"], "")[:2] == (2, 2)
    # re-baselining one file keeps the other file's entry
    assert write_baseline(policy, target, [fake_check], ["a.txt"], "reviewed")[:2] == (2, 1)
    paths = sorted(e["path"] for e in json.loads(target.read_text())["entries"])
    assert paths == ["a.txt", "b.txt"]
    with pytest.raises(MlgateError, match="unknown check 'nope'"):
        write_baseline(policy, target, ["nope"], ["a.txt"], "")


# --- end to end with the real secrets hook ---------------------------------------------------

def _hf_token() -> str:
    rng = random.Random()
    return "hf_" + "".join(rng.choice(string.ascii_letters) for _ in range(34))


@needs_secrets
def test_baseline_file_contains_no_value(repo: Path, cli) -> None:
    token = _hf_token()
    (repo / "train.py").write_text(f'HF_TOKEN = "{token}"\n')
    code, out, err = cli("baseline", "--check", "secrets", "--reason", "revoked", "train.py")
    assert code == 0, err
    text = (repo / ".mlgate-baseline.json").read_text()
    assert token not in text and token[3:] not in text and token[3:20] not in text
    entries = json.loads(text)["entries"]
    assert entries and entries[0]["path"] == "train.py"
    assert entries[0]["rule"].startswith("secrets/")
    code, out, err = cli("secrets", "train.py")
    assert code == 0, out + err


@needs_secrets
def test_inline_pragma_end_to_end(repo: Path, cli) -> None:
    token = _hf_token()
    (repo / "a.py").write_text(f'T = "{token}"  # mlgate: allow secrets -- revoked\n')
    assert cli("secrets", "a.py")[0] == 0
    (repo / "b.py").write_text(f'T = "{token}"  # pragma: allowlist secret\n')
    assert cli("secrets", "b.py")[0] == 0
    (repo / "c.py").write_text(f'T = "{token}"\n')
    code, out, _ = cli("secrets", "c.py")
    assert code == 1 and token not in out


def test_location_fingerprints_are_stable_for_the_baseline() -> None:
    # a PII finding's fingerprint comes from where it stands: the baseline still matches
    # after the value in that column changes
    assert location_fingerprint(P, "d.csv", "email") == location_fingerprint(P, "d.csv",
                                                                             "email")


@needs_secrets
def test_baseline_command_without_reason_warns(repo: Path, cli) -> None:
    token = _hf_token()
    (repo / "a.py").write_text(f'T = "{token}"\n')
    code, out, _ = cli("baseline", "--check", "secrets", "a.py")
    assert code == 0
    assert "wrote 1 entry" in out and "1 entry has no reason" in out
    code, out, _ = cli("secrets", "a.py")
    assert code == 0  # baselined; the missing reason is a warning, not blocking by default
    assert "a.py:1:" in out and "baseline/missing-reason" in out and "[warning]" in out
    assert token not in out
    (repo / "mlgate.toml").write_text('fail-on = "warning"\n')
    assert cli("secrets", "a.py")[0] == 1
    # giving a reason on the rewrite fills it in and the warning goes away
    assert cli("baseline", "--check", "secrets", "--reason", "revoked", "a.py")[0] == 0
    assert cli("secrets", "a.py") == (0, "", "")
