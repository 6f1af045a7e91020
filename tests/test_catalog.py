"""The hook catalog: `.pre-commit-hooks.yaml` is generated from it and valid, file filters
select the right paths, and every hook is wired to a command, a module and the README."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from identify.identify import tags_from_path

from mlgate import catalog
from mlgate.catalog import BY_CHECK, BY_ID, HOOKS, manifest

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def test_manifest_file_is_in_sync_with_the_catalog() -> None:
    assert MANIFEST.read_text(encoding="utf-8") == manifest(), (
        ".pre-commit-hooks.yaml drifted from mlgate/catalog.py; regenerate it with "
        "`python -m mlgate.catalog > .pre-commit-hooks.yaml`")


def test_pre_commit_validates_the_manifest() -> None:
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                           str(MANIFEST)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_manifest_parses_back_to_the_catalog() -> None:
    entries = yaml.safe_load(manifest())
    hooks = [h for h in HOOKS if h.precommit]
    assert [e["id"] for e in entries] == [h.id for h in hooks]
    for e, h in zip(entries, hooks, strict=True):
        assert e["name"] == h.name
        assert e["description"] == h.description
        assert e["entry"] == h.entry == " ".join(["mlgate", h.command, *h.subcommand.split()])
        assert e["language"] == "python"
        assert e.get("files", "") == h.files
        assert e.get("exclude", "") == h.exclude
        assert e["types"] == list(h.types)
        assert e["stages"] == list(h.stages)
        assert e.get("pass_filenames", True) is h.pass_filenames
        assert e.get("always_run", False) is h.always_run
        assert e.get("require_serial", False) is h.require_serial


@pytest.mark.parametrize("value", ["on", "No", "true", "null", "~", "1.0", "0x10", "- item",
                                   "a: b", "x #y", "trailing ", "", "ünïcode", "it's",
                                   "Plain name", "[list]", "{map}", "*alias", "&anchor",
                                   "!tag", "%dir", "@at", "`tick`", "yes"])
def test_yaml_scalars_read_back_as_the_same_string(value: str) -> None:
    assert yaml.safe_load(f"k: {catalog._yaml_scalar(value)}")["k"] == value


def test_ids_are_unique_and_well_formed() -> None:
    ids = [h.id for h in HOOKS]
    assert len(ids) == len(set(ids)) == len(BY_ID)
    assert len({h.check for h in HOOKS}) == len(BY_CHECK) == len(HOOKS)
    for h in HOOKS:
        assert re.fullmatch(r"[a-z][a-z0-9-]+", h.id), h.id
        if h.files:
            re.compile(h.files)


def test_every_hook_is_a_package_with_the_parts_the_core_calls() -> None:
    import click

    from mlgate.cli import cli

    ctx = click.Context(cli)
    for h in HOOKS:
        assert h.command in cli.list_commands(ctx), h.command
        assert isinstance(cli.get_command(ctx, h.command), click.Command)
        assert h.package == f"mlgate.hooks.{h.check.replace('-', '_')}"
        for part in ("check", "config", "rules", "demo", *(["cli"] if h.cli else [])):
            assert importlib.util.find_spec(f"{h.package}.{part}") is not None, (h.id, part)
        assert callable(h.part("check").check)
        assert h.schema and all(r.id.startswith(f"{h.check}/") for r in h.rules)


def test_hook_docs_and_readme_list_every_hook() -> None:
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not written yet")
    text = readme.read_text(encoding="utf-8")
    for h in HOOKS:
        assert f"`{h.id}`" in text or h.id in text, f"README.md does not list {h.id}"


def _selected(hook: catalog.Hook, root: Path, path: str, binary: bool) -> bool:
    """Whether pre-commit would pass `path` to `hook`: the `files` regex on the repo-relative
    path AND every `types` tag that identify gives the real file (by name, else content)."""
    if hook.files and not re.search(hook.files, path):
        return False
    if hook.exclude and re.search(hook.exclude, path):
        return False
    f = root / path
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(b"\x00\x01\x02binary\xff" if binary else b"key = 1\n")
    return set(hook.types) <= tags_from_path(str(f))


BINARY = (".safetensors", ".pt", ".png", ".zip", ".parquet")


# (hook id, path, selected?)
FILES = [
    ("pii-in-data-samples", "data/users.csv", True),
    ("pii-in-data-samples", "data/USERS.CSV", True),
    ("pii-in-data-samples", "data/sample.tsv", True),
    ("pii-in-data-samples", "data/sample.jsonl", True),
    ("pii-in-data-samples", "data/sample.ndjson", True),
    ("pii-in-data-samples", "data/sample.json", True),
    ("pii-in-data-samples", "data/train-00000.parquet", True),
    ("pii-in-data-samples", "notes.txt", True),
    ("pii-in-data-samples", "README.md", True),
    ("pii-in-data-samples", "notebooks/eda.ipynb", True),
    ("pii-in-data-samples", "train.py", False),
    ("pii-in-data-samples", "model.safetensors", False),
    ("pii-in-data-samples", "data/users.csv.gz", False),
    ("pii-in-data-samples", "data/csv/readme", False),
    ("pii-in-data-samples", "config.yaml", False),
    ("pii-in-data-samples", "data.jsonl.bak", False),
    ("pii-in-data-samples", ".devcontainer/devcontainer.json", False),
    ("pii-in-data-samples", ".vscode/settings.json", False),
    ("pii-in-data-samples", "web/tsconfig.base.json", False),
    ("pii-in-data-samples", "package-lock.json", False),
    ("pii-in-data-samples", "data/vscode_sessions.json", True),
    ("detect-ml-secrets", "train.py", True),
    ("detect-ml-secrets", "notebooks/eda.ipynb", True),
    ("detect-ml-secrets", "config/settings.yaml", True),
    ("detect-ml-secrets", ".env", True),
    ("detect-ml-secrets", "deploy/.env.production", True),
    ("detect-ml-secrets", "Dockerfile", True),
    ("detect-ml-secrets", ".github/workflows/ci.yml", True),
    ("detect-ml-secrets", "kaggle.json", True),
    ("detect-ml-secrets", "scripts/run.sh", True),
    ("detect-ml-secrets", "model.safetensors", False),
    ("detect-ml-secrets", "weights.pt", False),
    ("detect-ml-secrets", "image.png", False),
    ("detect-ml-secrets", "archive.zip", False),
    ("dependency-licenses", "pyproject.toml", True),
    ("dependency-licenses", "services/api/pyproject.toml", True),
    ("dependency-licenses", "requirements.txt", True),
    ("dependency-licenses", "requirements-dev.txt", True),
    ("dependency-licenses", "requirements/prod.in", True),
    ("dependency-licenses", "docs/requirements.txt", True),
    ("dependency-licenses", "setup.py", False),
    ("dependency-licenses", "notes.txt", False),
    ("dependency-licenses", "pyproject.toml.bak", False),
    # every file: the [manifest] artifact globs choose inside the hook (tests/hooks/manifest)
    ("artifact-manifest", "model.safetensors", True),
    ("artifact-manifest", "weights/pytorch_model-00001-of-00002.bin", True),
    ("artifact-manifest", "mlgate-manifest.json", True),
    ("artifact-manifest", "README.md", True),
]


@pytest.mark.parametrize(("hook_id", "path", "expected"), FILES)
def test_file_filters(tmp_path: Path, hook_id: str, path: str, expected: bool) -> None:
    if hook_id not in BY_ID:
        pytest.skip(f"{hook_id} is not in this version's catalog")
    binary = path.endswith(BINARY)
    assert _selected(BY_ID[hook_id], tmp_path, path, binary) is expected


def test_every_hook_has_file_filter_cases() -> None:
    covered = {hook_id for hook_id, _, _ in FILES}
    for h in HOOKS:
        if h.pass_filenames:
            assert h.id in covered, f"add {h.id} cases to FILES in tests/test_catalog.py"


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h.id)
def test_every_rule_and_key_is_documented_on_the_hooks_page(hook: catalog.Hook) -> None:
    """Driven by the catalog: each hook has docs/hooks/<id>.md; every rule of its rule table
    is named there and its anchor is a heading of that page (SARIF's helpUri points there);
    every key of its policy table is named there."""
    page = ROOT / hook.docs_page
    assert page.exists(), f"write {page.relative_to(ROOT)}"
    text = page.read_text(encoding="utf-8")
    anchors = {_slug(m) for m in re.findall(r"^#+ (.+)$", text, re.M)}
    for rule in hook.rules:
        assert f"`{rule.id}`" in text or f"`{rule.id.split('/', 1)[1]}`" in text, rule.id
        assert rule.anchor == "" or rule.anchor in anchors, (rule.id, rule.anchor)
    for key in hook.schema:
        assert f"`{key}`" in text, f"{hook.id}: policy key {key!r} not on its page"
