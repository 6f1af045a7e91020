"""`mlgate init`: the starter files, generated from the schemas and the catalog; never an
overwrite; what it writes is a valid policy, a valid risk register and passes mlgate's own
hooks once the placeholders are filled."""

from __future__ import annotations

import importlib.machinery
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import jsonschema
import pytest
import yaml

from mlgate import init as init_mod
from mlgate.catalog import HOOKS, Hook
from mlgate.init import (
    AUDIT_REPORT,
    CHECKLIST,
    HOLDER_PLACEHOLDER,
    LICENSE_PLACEHOLDER,
    POLICY,
    RISK_REGISTER,
    RISK_REGISTER_SCHEMA,
    init,
    policy_text,
    precommit_snippet,
)
from mlgate.policy import SHARED, Policy, load, sections

ROOT = Path(__file__).resolve().parent.parent
CORE_FILES = [POLICY, CHECKLIST, RISK_REGISTER, AUDIT_REPORT]


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "release-repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    return repo


def test_init_writes_every_starter_file_into_a_fresh_repository(
        git_repo: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo)
    code, out, err = cli("init")
    assert (code, err) == (0, "")
    for rel in CORE_FILES:
        assert (git_repo / rel).is_file(), rel
        assert f"wrote {rel}" in out
    assert precommit_snippet() in out


def test_the_policy_loads_and_every_key_uncommented_is_the_default(tmp_path: Path) -> None:
    text = policy_text([])
    path = tmp_path / "mlgate.toml"
    path.write_text(text, encoding="utf-8")
    assert load(path).section("licenses") == Policy().section("licenses")
    names = {*SHARED, *(k for schema in sections().values() for k in schema)}
    uncommented, count = [], 0
    for line in text.splitlines():
        m = re.match(r"# ([A-Za-z0-9_-]+) = ", line)
        if m and m.group(1) in names:
            line, count = line[2:], count + 1
        uncommented.append(line)
    assert count == len(SHARED) + sum(len(s) for s in sections().values())
    path.write_text("\n".join(uncommented), encoding="utf-8")
    policy, defaults = load(path), Policy()
    for key in SHARED:
        assert policy[key] == defaults[key], key
    for name in sections():
        assert policy.section(name) == defaults.section(name), name


def test_every_table_and_key_with_its_doc_is_in_the_policy() -> None:
    text = policy_text([])
    flat = " ".join(line.removeprefix("# ") for line in text.splitlines())
    for name, schema in sections().items():
        assert re.search(rf"^\[{re.escape(name)}\]$", text, re.M), name
        for key, spec in schema.items():
            assert f"# {key} = " in text, f"{name}.{key}"
            assert " ".join(spec.doc.split()) in flat, f"{name}.{key} doc"


def test_the_snippet_is_a_valid_pre_commit_config_of_the_commit_hooks(tmp_path: Path) -> None:
    snippet = precommit_snippet()
    ids = [h["id"] for h in yaml.safe_load(snippet)["repos"][0]["hooks"]]
    assert ids == [h.id for h in HOOKS if h.precommit]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippet, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_existing_files_are_never_overwritten(git_repo: Path) -> None:
    (git_repo / "mlgate.toml").write_text("fail-on = 'warning'\n", encoding="utf-8")
    (git_repo / "release").mkdir()
    os.mkfifo(git_repo / RISK_REGISTER)
    os.symlink("nowhere", git_repo / AUDIT_REPORT)
    result = init(git_repo)
    core = {POLICY, CHECKLIST, RISK_REGISTER, AUDIT_REPORT}
    assert [w for w in result.written if w in core] == [CHECKLIST]
    assert sorted(s for s in result.skipped if s[0] in core) == sorted(
        [(POLICY, "exists"), (RISK_REGISTER, "exists"), (AUDIT_REPORT, "exists")])
    assert (git_repo / "mlgate.toml").read_text(encoding="utf-8") == "fail-on = 'warning'\n"
    assert os.readlink(git_repo / AUDIT_REPORT) == "nowhere"
    again = init(git_repo)
    assert again.written == []
    assert {s[0] for s in again.skipped} == {*core, *result.written}


def test_a_policy_in_pyproject_means_no_mlgate_toml(git_repo: Path) -> None:
    (git_repo / "pyproject.toml").write_text(
        '[project]\nname = "m"\nlicense = "Apache-2.0"\n[tool.mlgate]\nfail-on = "error"\n',
        encoding="utf-8")
    result = init(git_repo)
    assert POLICY not in result.written and not (git_repo / POLICY).exists()
    assert (POLICY, "the policy is pyproject.toml's [tool.mlgate]") in result.skipped
    # the project's license is the headers' license
    assert "SPDX-License-Identifier: Apache-2.0" in (git_repo / CHECKLIST).read_text("utf-8")


def test_a_bad_license_option_is_a_usage_error(tmp_path: Path, cli) -> None:
    code, _, err = cli("init", str(tmp_path / "x"), "--license", "MIT AND")
    assert code == 2 and "not a valid SPDX license expression" in err
    assert not (tmp_path / "x").exists()


def _fill(root: Path, rels: list[str]) -> None:
    for rel in rels:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        text = text.replace(LICENSE_PLACEHOLDER, "CC-BY-4.0")
        text = text.replace(HOLDER_PLACEHOLDER, "2026 Example Model Team")
        path.write_text(text, encoding="utf-8")


def test_what_init_writes_passes_mlgates_own_hooks_once_filled(
        git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlgate.run import run_checks

    init(git_repo, holder=None)
    _fill(git_repo, CORE_FILES)
    subprocess.run(["git", "-C", str(git_repo), "add", "-A"], check=True, timeout=30)
    monkeypatch.chdir(git_repo)
    policy = load(git_repo / POLICY)
    for hook in (h for h in HOOKS if h.precommit):
        files = [rel for rel in CORE_FILES if not hook.files or re.search(hook.files, rel)]
        result = run_checks([hook.check], files, policy)
        assert result.errors == [], (hook.id, result.errors)
        assert result.blocking() == [], (hook.id, [f.rule for f in result.blocking()])


def test_the_risk_register_is_valid_and_its_schema_is_published(git_repo: Path) -> None:
    init(git_repo)
    validator = jsonschema.Draft202012Validator(RISK_REGISTER_SCHEMA,
                                                format_checker=jsonschema.FormatChecker())
    jsonschema.Draft202012Validator.check_schema(RISK_REGISTER_SCHEMA)
    doc = yaml.safe_load((git_repo / RISK_REGISTER).read_text(encoding="utf-8"))
    validator.validate(doc)
    assert {r["id"] for r in doc["risks"]} == {"R1", "R2"}
    bad = {**doc, "risks": [{**doc["risks"][0], "likelihood": "sometimes"}]}
    assert not validator.is_valid(bad)
    missing = {**doc, "risks": [{k: v for k, v in doc["risks"][0].items() if k != "owner"}]}
    assert not validator.is_valid(missing)
    page = (ROOT / "docs" / "init.md").read_text(encoding="utf-8")
    section = page.split("## The risk register", 1)[1]
    published = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    assert published == RISK_REGISTER_SCHEMA, "docs/init.md: paste the schema again"


def _starter_hook(monkeypatch: pytest.MonkeyPatch, files: dict[str, object]) -> None:
    package = types.ModuleType("mlgate.hooks.fakestarter")
    package.__path__ = []  # type: ignore[attr-defined]
    package.__spec__ = importlib.machinery.ModuleSpec(package.__name__, None, is_package=True)
    starter = types.ModuleType("mlgate.hooks.fakestarter.starter")
    starter.__spec__ = importlib.machinery.ModuleSpec(starter.__name__, None)
    starter.FILES = files  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, package.__name__, package)
    monkeypatch.setitem(sys.modules, starter.__name__, starter)
    hook = Hook(id="fake-starter", name="Fake", command="fakestarter", check="fakestarter",
                description="test only")
    monkeypatch.setattr(init_mod, "HOOKS", (*HOOKS, hook))


def test_hooks_offer_starter_files(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _starter_hook(monkeypatch, {"docs/model-notes.md": "# Notes\n",
                                "provenance/ledger.yaml": "records: []\n"})
    result = init(git_repo)
    assert {"docs/model-notes.md", "provenance/ledger.yaml"} <= set(result.written)
    assert (git_repo / "provenance" / "ledger.yaml").read_text("utf-8") == "records: []\n"
    assert result.problems == []


def test_bad_starter_files_are_refused(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                       cli) -> None:
    _starter_hook(monkeypatch, {"../outside.md": "x", "/abs.md": "x", "ok.md": 3,
                                POLICY: "fail-on = 'note'\n"})
    monkeypatch.chdir(git_repo)
    code, out, err = cli("init")
    assert code == 2 and "wrote mlgate.toml" in out
    assert err.count("error:") == 4
    assert not (git_repo.parent / "outside.md").exists()
    assert "fail-on = 'note'" not in (git_repo / POLICY).read_text("utf-8")


def test_a_directory_that_cannot_be_made_is_a_usage_error(tmp_path: Path, cli) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, err = cli("init", str(tmp_path / "file" / "sub"))
    assert code == 2 and "cannot create the directory" in err
