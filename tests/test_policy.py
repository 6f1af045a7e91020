"""The policy file: discovery, defaults, strict validation (exit 2 naming file, key, expectation),
and docs/policy.md documenting every key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlgate import schema
from mlgate.errors import MlgateError
from mlgate.policy import SHARED, Policy, discover, load, sections

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- defaults and discovery -------------------------------------------------------------

def test_defaults_without_any_policy(repo: Path) -> None:
    p = discover()
    assert p.source == "(defaults)"
    assert p.root == repo.resolve()
    for name, key in SHARED.items():
        assert p[name] == key.default
    for section, keys in sections().items():
        assert p.section(section) == {k: v.default for k, v in keys.items()}


def test_defaults_are_not_shared_between_policies() -> None:
    a, b = Policy(), Policy()
    a["exclude"].append("x/**")
    a.section("secrets")["disable"].append("secrets/x")
    assert b["exclude"] == [] and SHARED["exclude"].default == []
    assert b.section("secrets")["disable"] == []


def test_mlgate_toml_wins_over_pyproject_in_the_same_directory(repo: Path) -> None:
    write(repo / "mlgate.toml", 'fail-on = "warning"\n')
    write(repo / "pyproject.toml", '[tool.mlgate]\nfail-on = "note"\n')
    p = discover()
    assert p["fail-on"] == "warning"
    assert p.source == str(repo.resolve() / "mlgate.toml")


def test_pyproject_tool_table_is_found(repo: Path) -> None:
    write(repo / "pyproject.toml", '[project]\nname = "x"\n\n[tool.mlgate]\nfail-on = "note"\n'
          '\n[tool.mlgate.secrets]\nentropy = true\n')
    p = discover()
    assert p["fail-on"] == "note"
    assert p.section("secrets")["entropy"] is True
    assert p.root == repo.resolve()


def test_pyproject_without_tool_table_is_skipped_while_walking_up(repo: Path) -> None:
    write(repo / "mlgate.toml", 'exclude = ["vendor/**"]\n')
    sub = repo / "pkg"
    write(sub / "pyproject.toml", '[project]\nname = "pkg"\ndependencies = ["mlgate"]\n')
    p = discover(sub)
    assert p["exclude"] == ["vendor/**"]
    assert p.root == repo.resolve()


def test_walks_up_from_a_subdirectory(repo: Path) -> None:
    write(repo / "mlgate.toml", 'fail-on = "note"\n')
    deep = repo / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert discover(deep)["fail-on"] == "note"
    os.chdir(deep)
    assert discover()["fail-on"] == "note"


def test_discovery_stops_at_the_git_root(tmp_path: Path) -> None:
    write(tmp_path / "mlgate.toml", 'fail-on = "note"\n')  # above the repository: not ours
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    p = discover(repo / "src")
    assert p["fail-on"] == "error"
    assert p.source == "(defaults)"
    assert p.root == repo.resolve()


def test_git_file_marks_a_root_too(tmp_path: Path) -> None:
    write(tmp_path / "mlgate.toml", 'fail-on = "note"\n')
    repo = tmp_path / "worktree"
    write(repo / ".git", "gitdir: /elsewhere\n")
    assert discover(repo).source == "(defaults)"


def test_policy_at_the_git_root_itself_is_found(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / "mlgate.toml", 'fail-on = "warning"\n')
    (repo / "x").mkdir()
    assert discover(repo)["fail-on"] == "warning"
    assert discover(repo / "x")["fail-on"] == "warning"


def test_explicit_policy_file_and_its_root(tmp_path: Path) -> None:
    f = write(tmp_path / "conf" / "custom.toml", 'baseline = "b.json"\n[secrets]\nmax-bytes = 10\n')
    p = load(f)
    assert p.source == str(f)
    assert p.root == f.parent.resolve()
    assert p.resolve(p["baseline"]) == f.parent.resolve() / "b.json"
    assert p.section("secrets")["max-bytes"] == 10


def test_explicit_pyproject_without_tool_table_is_an_error(tmp_path: Path) -> None:
    f = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(MlgateError, match=r"pyproject\.toml: no \[tool\.mlgate\] table"):
        load(f)


def test_with_overrides_leaves_the_original_alone() -> None:
    p = Policy()
    q = p.with_overrides("secrets", entropy=True)
    assert q.section("secrets")["entropy"] is True
    assert p.section("secrets")["entropy"] is False
    assert q["fail-on"] == p["fail-on"]


# --- validation errors: file, key and expectation in one message --------------------------

ERRORS = [
    # (policy text, fragments the message must contain)
    ('unknown = 1\n', ["unknown key 'unknown'", "expected one of", "fail-on"]),
    ('fail_on = "error"\n', ["unknown key 'fail_on'", "did you mean 'fail-on'"]),
    ('[secrets]\nentropie = true\n', ["unknown key 'secrets.entropie'", "did you mean 'entropy'"]),
    ('[secret]\nentropy = true\n', ["unknown table '[secret]'", "did you mean 'secrets'"]),
    ('[nonsense]\n', ["unknown table '[nonsense]'", "expected one of"]),
    ('exclude = "data/**"\n', ["'exclude'", "must be a list of strings", "str"]),
    ('exclude = ["a", 1]\n', ["'exclude'", "a list of strings"]),
    ('fail-on = "fatal"\n', ["'fail-on'", "one of error, warning, note", "'fatal'"]),
    ('fail-on = 2\n', ["'fail-on'", "a string"]),
    ('[secrets]\nentropy = "yes"\n', ["'secrets.entropy'", "true or false"]),
    ('[secrets]\nmax-bytes = 0\n', ["'secrets.max-bytes'", "at least 1"]),
    ('[secrets]\nmax-bytes = true\n', ["'secrets.max-bytes'", "an integer"]),
    ('[secrets]\nmax-bytes = 1.5\n', ["'secrets.max-bytes'", "an integer"]),
    ('[secrets]\nallowlist = ["(unclosed"]\n', ["'secrets.allowlist'", "valid regular expression",
                                                "(unclosed"]),
    ('[secrets]\ndisable = ["pii/EMAIL_ADDRESS"]\n', ["'secrets.disable'", "secrets/<name>",
                                                    "'pii/EMAIL_ADDRESS'"]),
    ('[secrets]\ndisable = ["secrets/"]\n', ["'secrets.disable'", "secrets/<name>"]),
    ('secrets = 3\n', ["'secrets' must be a table"]),
    ('[severity]\n"secrets/*" = "fatal"\n', ["'severity'", "error, warning, note or off",
                                             "'fatal'"]),
    ('[severity]\n"secrets/*" = 1\n', ["'severity'", "a table of strings"]),
    ('[severity]\n"secret/*" = "off"\n', ["'severity'", "<check>/<rule>", "'secret/*'"]),
    ('[severity]\nsecrets = "off"\n', ["'severity'", "<check>/<rule>", "'secrets'"]),
    ('baseline = ""\n', ["'baseline'", "non-empty path"]),
    ('[pii]\nthreshold = "high"\n', ["'pii.threshold'", "a number"]),
    ('[pii]\nrecognizers = [{name = "x", entity = "X"}]\n', ["'pii.recognizers'",
                                                             "non-empty string 'regex'"]),
    ('[pii]\nrecognizers = [{name = "x", entity = "X", regex = "(", score = 0.5}]\n',
     ["'pii.recognizers'", "valid regular expression"]),
    ('[pii]\nrecognizers = [{name = "x", entity = "X", regex = "a", colour = 1}]\n',
     ["'pii.recognizers'", "'colour'"]),
    ('[pii]\nrecognizers = [{name = "x", entity = "X", regex = "a", score = 2}]\n',
     ["'pii.recognizers'", "score between 0 and 1"]),
    ('fail-on = \n', ["not valid TOML"]),
    ('[secrets\n', ["not valid TOML"]),
]


@pytest.mark.parametrize(("text", "fragments"), ERRORS, ids=[e[0][:30] for e in ERRORS])
def test_invalid_policy_names_file_key_and_expectation(tmp_path: Path, text: str,
                                                       fragments: list[str]) -> None:
    f = write(tmp_path / "mlgate.toml", text)
    with pytest.raises(MlgateError) as exc:
        load(f)
    message = exc.value.__str__()
    assert message.startswith(f"{f}: ")
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_invalid_policy_in_pyproject_names_pyproject(tmp_path: Path) -> None:
    f = write(tmp_path / "pyproject.toml", '[tool.mlgate]\nfail-on = "never"\n')
    with pytest.raises(MlgateError, match=r"pyproject\.toml: 'fail-on' must be one of"):
        load(f)
    f.write_text('[tool]\nmlgate = "x"\n')
    with pytest.raises(MlgateError, match=r"'tool\.mlgate' must be a table"):
        load(f)


def test_discovered_invalid_policy_is_an_error_too(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.mlgate]\nunknown-key = 1\n')
    with pytest.raises(MlgateError, match="unknown key 'unknown-key'"):
        discover()


def test_not_utf8_is_not_valid_toml(tmp_path: Path) -> None:
    f = tmp_path / "mlgate.toml"
    f.write_bytes(b'fail-on = "\xff"\n')
    with pytest.raises(MlgateError, match=r"mlgate\.toml: not valid TOML \(not UTF-8"):
        load(f)


def test_unreadable_policy_file(tmp_path: Path) -> None:
    with pytest.raises(MlgateError, match=r"missing\.toml: cannot read policy file"):
        load(tmp_path / "missing.toml")
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(MlgateError, match=r"dir\.toml: cannot read policy file"):
        load(tmp_path / "dir.toml")


def _special(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "dev-null":
        path.symlink_to(os.devnull)
    elif kind == "directory":
        path.mkdir()
    elif kind == "dangling-symlink":
        path.symlink_to("no-such-policy.toml")


SPECIAL = ["fifo", "dev-zero", "dev-null", "directory", "dangling-symlink"]
posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices, symlinks: POSIX")


@posix_only
@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("name", ["mlgate.toml", "pyproject.toml"])
def test_discovered_special_file_is_an_error_naming_it(repo: Path, kind: str, name: str) -> None:
    # issue 11, #12: never silently the defaults; #2: never a hang or an endless read
    _special(repo / name, kind)
    with pytest.raises(MlgateError, match=rf"{re.escape(name)}: cannot read policy file: "
                                          r"(not a regular file|no such file)"):
        discover()


@posix_only
@pytest.mark.parametrize("kind", SPECIAL)
def test_explicit_special_policy_is_an_error_naming_it(tmp_path: Path, kind: str) -> None:
    _special(tmp_path / "policy.toml", kind)
    with pytest.raises(MlgateError, match=r"policy\.toml: cannot read policy file"):
        load(tmp_path / "policy.toml")


def test_policy_file_over_the_cap_is_an_error(tmp_path: Path, monkeypatch) -> None:
    from mlgate import policy

    monkeypatch.setattr(policy, "POLICY_CAP", 100)
    f = write(tmp_path / "mlgate.toml", "# x\n" * 50)
    with pytest.raises(MlgateError, match=r"mlgate\.toml: cannot read policy file: policy file "
                                          r"too large \(200 bytes; the limit is 100 bytes\)"):
        load(f)


def test_deeply_nested_policy_is_an_error_naming_it(tmp_path: Path) -> None:
    # issue 11, #11: not "internal error: RecursionError"
    f = write(tmp_path / "mlgate.toml", "exclude = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(MlgateError, match=r"mlgate\.toml: not valid TOML \(nested too deeply\)"):
        load(f)


@posix_only
def test_a_symlink_to_a_regular_policy_is_followed(repo: Path) -> None:
    write(repo / "shared" / "policy.toml", 'fail-on = "warning"\n')
    (repo / "mlgate.toml").symlink_to("shared/policy.toml")
    assert discover()["fail-on"] == "warning"


def test_a_newline_in_the_policy_path_is_escaped(tmp_path: Path) -> None:
    f = write(tmp_path / "two\nlines" / "mlgate.toml", "nope = 1\n")
    with pytest.raises(MlgateError) as e:
        load(f)
    assert "two\\nlines" in e.value.message and "\n" not in e.value.message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_by_permission(tmp_path: Path) -> None:
    f = write(tmp_path / "mlgate.toml", "")
    f.chmod(0)
    with pytest.raises(MlgateError, match="cannot read policy file"):
        load(f)


def test_valid_values_are_accepted(tmp_path: Path) -> None:
    f = write(tmp_path / "mlgate.toml", """
exclude = ["data/raw/**", "*.min.js"]
fail-on = "warning"
baseline = "ci/baseline.json"

[severity]
"secrets/generic-api-key" = "warning"
"pii/*" = "note"
"baseline/missing-reason" = "error"
"*" = "error"

[secrets]
disable = ["secrets/slack-token"]
entropy = true
detect-secrets-baseline = ""
allowlist = ["hf_test_[a-z]+"]
generic-keywords = ["mistral"]
max-bytes = 1000

[pii]
threshold = 1
recognizers = [{name = "emp", entity = "EMPLOYEE_ID", regex = "E-[0-9]{6}", context = ["id"]}]
""")
    p = load(f)
    assert p["severity"]["pii/*"] == "note"
    assert p.section("pii")["threshold"] == 1
    assert p.section("secrets")["allowlist"] == ["hf_test_[a-z]+"]


# --- through the command line: exit 2, one line, no traceback ------------------------------

def test_cli_bad_policy_exits_2_with_one_line(repo: Path, cli) -> None:
    bad = write(repo / "bad.toml", '[secrets]\nmax-bytes = "big"\n')
    write(repo / "somefile.py", "x = 1\n")
    code, out, err = cli("secrets", "--policy", str(bad), "somefile.py")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert str(bad) in lines[0] and "'secrets.max-bytes'" in lines[0] and "an integer" in lines[0]
    assert "Traceback" not in err


def test_cli_missing_policy_exits_2(repo: Path, cli) -> None:
    code, _, err = cli("secrets", "--policy", "nope.toml", "x.py")
    assert code == 2
    assert "nope.toml: cannot read policy file" in err


def test_cli_bad_discovered_policy_exits_2_in_a_subprocess(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "mlgate.toml", "[secrets]\nbogus = 1\n")
    write(tmp_path / "a.py", "x = 1\n")
    proc = subprocess.run([sys.executable, "-c", "from mlgate.cli import main; main()",
                           "secrets", "a.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "mlgate.toml: unknown key 'secrets.bogus'" in proc.stderr


# --- docs/policy.md documents every key --------------------------------------------------

def _doc_sections(text: str) -> dict[str, str]:
    """`## ...` headings to their bodies."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_docs_policy_md_documents_every_key() -> None:
    """Fails when a key is added to policy.SHARED or policy.SECTIONS without documenting it
    in docs/policy.md: shared keys under `## Shared keys`, section keys under ``## `[name]` ``,
    each as a `` `key` `` table row with its type and default."""
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    documented = _doc_sections(text)
    missing = []
    shared = documented.get("Shared keys", "")
    for name in SHARED:
        if not re.search(rf"^\| `{re.escape(name)}` \|", shared, re.M):
            missing.append(name)
    for section, keys in sections().items():
        body = documented.get(f"`[{section}]`", "")
        for name in keys:
            if not re.search(rf"^\| `{re.escape(name)}` \|", body, re.M):
                missing.append(f"{section}.{name}")
    assert not missing, f"docs/policy.md does not document: {', '.join(missing)}"


def test_docs_policy_md_example_is_a_valid_policy(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/policy.md has no ```toml example"
    for i, block in enumerate(blocks):
        name = "pyproject.toml" if "[tool.mlgate" in block else "mlgate.toml"
        f = write(tmp_path / str(i) / name, block)
        load(f)  # raises if the documented example is invalid


def test_every_key_has_a_doc_string_and_a_valid_default() -> None:
    for table in (SHARED, *sections().values()):
        for name, key in table.items():
            assert key.doc.strip(), name
            assert schema.type_ok(key.default, key.type), name
            assert not key.choices or key.default in key.choices, name
