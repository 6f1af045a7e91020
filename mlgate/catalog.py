"""The hook catalog: the one source of hook ids, entries, file filters and stages.

`.pre-commit-hooks.yaml` is generated from it (`python -m mlgate.catalog > .pre-commit-hooks.yaml`)
and a test fails when the two drift. Hook ids never change once released.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Hook:
    id: str
    name: str
    command: str  # the `mlgate` subcommand
    check: str  # the hook family, also `check` in findings and the module mlgate/hooks/<m>.py
    module: str
    description: str
    files: str = ""
    types: tuple[str, ...] = ("file",)
    stages: tuple[str, ...] = ("pre-commit", "pre-merge-commit", "pre-push", "manual")
    pass_filenames: bool = True
    always_run: bool = False
    require_serial: bool = False

    @property
    def entry(self) -> str:
        return f"mlgate {self.command}"


HOOKS: tuple[Hook, ...] = (
    Hook(
        id="pii-in-data-samples",
        name="PII in data samples",
        command="pii",
        check="pii",
        module="mlgate.hooks.pii",
        description="Finds personal data (e-mail, phone, card, SSN, IBAN, IP) in committed "
                    "data samples with Presidio, offline.",
        files=r"(?i)\.(csv|tsv|jsonl|ndjson|json|parquet|txt|md|ipynb)$",
    ),
    Hook(
        id="detect-ml-secrets",
        name="Detect ML secrets",
        command="secrets",
        check="secrets",
        module="mlgate.hooks.secrets",
        description="Finds Hugging Face, OpenAI, Anthropic, W&B, cloud and other credentials "
                    "in code, config and notebooks (detect-secrets plugins plus ML detectors).",
        types=("text",),
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
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


def manifest() -> str:
    """The text of .pre-commit-hooks.yaml."""
    out = ["# Generated from mlgate/catalog.py by `python -m mlgate.catalog`; do not edit."]
    for h in HOOKS:
        out.append(f"- id: {_yaml_scalar(h.id)}")
        out.append(f"  name: {_yaml_scalar(h.name)}")
        out.append(f"  description: {_yaml_scalar(h.description)}")
        out.append(f"  entry: {_yaml_scalar(h.entry)}")
        out.append("  language: python")
        if h.files:
            out.append(f"  files: {_yaml_scalar(h.files)}")
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
