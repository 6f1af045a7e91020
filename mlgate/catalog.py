"""The hook catalog: the only registry of hooks.

Per hook: its id, command, file filters and stages, and where its check, policy table, rules,
demo plantings and (optionally) its own command live. The command line, the policy's tables,
the demo, `.pre-commit-hooks.yaml` (`python -m mlgate.catalog > .pre-commit-hooks.yaml`; a test
fails when the two drift) and the docs tests are all driven from here; the core reaches a hook
only through its entry. Importing the catalog imports no hook. Hook ids never change once
released.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # (annotations only: importing the catalog is part of every start-up)
    import random
    from collections.abc import Iterator, Sequence
    from pathlib import Path
    from types import ModuleType

    from mlgate.findings import FileError, Finding, RuleInfo
    from mlgate.policy import Policy
    from mlgate.schema import Key


@dataclass(frozen=True)
class Hook:
    """One hook. Its code lives in the package `mlgate.hooks.<check>` (dashes as underscores):
    `check.py` (the contract `check(paths, policy)`), `config.py` (`SCHEMA`, the hook's policy
    table, and optionally `validate(values, source)` for rules that tie keys together),
    `rules.py` (`RULES`, stable ids with message, severity and doc anchor) and `demo.py`
    (`plant(root, rng)`, the demo's planted problems). With `cli` set, `cli.py` provides the
    click command (`command`); otherwise the command is generated with the common options."""

    id: str
    name: str
    command: str  # the `mlgate` subcommand
    check: str  # the hook family, also `check` in findings and the policy table's name
    description: str
    files: str = ""
    exclude: str = ""  # a regex of paths never passed (pre-commit's `exclude`)
    types: tuple[str, ...] = ("file",)
    stages: tuple[str, ...] = ("pre-commit", "pre-merge-commit", "pre-push", "manual")
    pass_filenames: bool = True
    always_run: bool = False
    require_serial: bool = False
    cli: bool = False
    # False: a command for CI and scheduled scans, not a pre-commit hook (pre-commit runs hooks
    # in their own environment); left out of .pre-commit-hooks.yaml, documented at
    # docs/<command>.md rather than docs/hooks/<id>.md
    precommit: bool = True
    # further top-level `mlgate` commands the hook's cli.py provides in COMMANDS (by name)
    commands: tuple[str, ...] = ()
    subcommand: str = ""  # the entry's subcommand of the hook's group (`mlgate manifest verify`)

    @property
    def entry(self) -> str:
        return f"mlgate {self.command}" + (f" {self.subcommand}" if self.subcommand else "")

    @property
    def docs_page(self) -> str:
        """The hook's page, relative to the repository root."""
        return f"docs/hooks/{self.id}.md" if self.precommit else f"docs/{self.command}.md"

    @property
    def package(self) -> str:
        return f"mlgate.hooks.{self.check.replace('-', '_')}"

    def part(self, name: str) -> ModuleType:
        """One module of the hook's package, imported on first use."""
        return importlib.import_module(f"{self.package}.{name}")

    def run(self, paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
        return self.part("check").check(paths, policy)

    @property
    def schema(self) -> dict[str, Key]:
        return self.part("config").SCHEMA

    def validate(self, values: dict[str, Any], source: str) -> None:
        """The hook's own checks of its whole table, at policy load (whichever hook runs)."""
        check = getattr(self.part("config"), "validate", None)
        if check is not None:
            check(values, source)

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        return self.part("rules").RULES

    def plant(self, root: Path, rng: random.Random) -> set[str]:
        """Write the hook's planted problems into the demo repository; the rules expected."""
        return self.part("demo").plant(root, rng)


HOOKS: tuple[Hook, ...] = (
    Hook(
        id="pii-in-data-samples",
        name="PII in data samples",
        command="pii",
        check="pii",
        description="Finds personal data (e-mail, phone, card, SSN, IBAN, IP) in committed "
                    "data samples, offline, with Presidio-compatible recognizers.",
        files=r"(?i)\.(csv|tsv|jsonl|ndjson|json|parquet|txt|md|ipynb)$",
        # editor and tool configuration, JSON with comments (JSONC) that is no data sample
        exclude=r"(^|/)(\.vscode|\.devcontainer|\.idea)/|(^|/)(devcontainer|tsconfig[\w.-]*|"
                r"jsconfig|\.?eslintrc|package-lock|renovate)\.json$",
        cli=True,
    ),
    Hook(
        id="detect-ml-secrets",
        name="Detect ML secrets",
        command="secrets",
        check="secrets",
        description="Finds Hugging Face, OpenAI, Anthropic, W&B, cloud and other credentials "
                    "in code, config and notebooks (detect-secrets plugins plus ML detectors).",
        types=("text",),
    ),
    Hook(
        id="dependency-licenses",
        name="Licenses of dependencies",
        command="dependency-licenses",
        check="dependency-licenses",
        description="Checks the licenses of the project's declared Python dependencies (and "
                    "what they require) against the policy, from the installed metadata, "
                    "offline.",
        files=r"(^|/)(pyproject\.toml|requirements[^/]*\.(txt|in)|requirements/[^/]*\.(txt|in))$",
        cli=True,
        precommit=False,
    ),
    Hook(
        id="artifact-manifest",
        name="Artifact manifest",
        command="manifest",
        subcommand="verify",
        check="manifest",
        description="Verifies model artifacts against a SHA-256 manifest: changed, missing "
                    "and unlisted files (artifacts chosen by the policy's globs).",
        # every file is passed: the policy's globs decide which are artifacts, and a changed
        # manifest means verifying the whole release in one process
        require_serial=True,
        cli=True,
        commands=("sign", "verify-signature"),
    ),
)

BY_ID = {h.id: h for h in HOOKS}
BY_CHECK = {h.check: h for h in HOOKS}


_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    # plain only when YAML reads it back as the same string: starts with a letter, no
    # boolean/null word (YAML 1.1 `on`, `no`, …), no trailing space
    if (isinstance(value, str) and value[:1].isascii() and value[:1].isalpha()
            and value == value.strip() and value.lower() not in _YAML_WORDS
            and all(c.isascii() and (c.isalnum() or c in " -_.") for c in value)):
        return value
    import json

    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


def manifest() -> str:
    """The text of .pre-commit-hooks.yaml."""
    out = ["# Generated from mlgate/catalog.py by `python -m mlgate.catalog`; do not edit."]
    for h in HOOKS:
        if not h.precommit:
            continue
        out.append(f"- id: {_yaml_scalar(h.id)}")
        out.append(f"  name: {_yaml_scalar(h.name)}")
        out.append(f"  description: {_yaml_scalar(h.description)}")
        out.append(f"  entry: {_yaml_scalar(h.entry)}")
        out.append("  language: python")
        if h.files:
            out.append(f"  files: {_yaml_scalar(h.files)}")
        if h.exclude:
            out.append(f"  exclude: {_yaml_scalar(h.exclude)}")
        out.append(f"  types: [{', '.join(h.types)}]")
        out.append(f"  stages: [{', '.join(h.stages)}]")
        if not h.pass_filenames:
            out.append("  pass_filenames: false")
        if h.always_run:
            out.append("  always_run: true")
        if h.require_serial:
            out.append("  require_serial: true")
        out.append("  minimum_pre_commit_version: 3.2.0")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(manifest(), end="")
