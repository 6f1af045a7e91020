"""`mlgate init`: the starter files of a model-release repository.

A policy generated from every table's schema (shared keys, core tables, each catalog hook's
table: every key commented out with its doc and default, so it never drifts from the code),
a release checklist, a risk register (YAML, checked by RISK_REGISTER_SCHEMA), an audit report
template, and the starter files each hook offers in its optional part `starter.py`
(`FILES: dict[str, str]`, relative path -> text). Existing files are never overwritten; every
file is written through `fileio.atomic_write`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mlgate import __version__
from mlgate.catalog import HOOKS, Hook
from mlgate.errors import MlgateError
from mlgate.fileio import UnsafeFile, atomic_write, printable

REPO_URL = "https://github.com/mlgate/mlgate"
LICENSE_PLACEHOLDER = "FILL-IN-SPDX-LICENSE"  # an SPDX id no list has: the header check flags it
HOLDER_PLACEHOLDER = "FILL IN the copyright holder"
WIDTH = 96

POLICY = "mlgate.toml"
CHECKLIST = "release/checklist.md"
RISK_REGISTER = "release/risk-register.yaml"
AUDIT_REPORT = "release/audit-report.md"

RISK_LEVELS = ["low", "medium", "high"]
RISK_STATUSES = ["open", "mitigating", "mitigated", "accepted", "closed"]

RISK_REGISTER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"{REPO_URL}/blob/main/docs/init.md",
    "title": "mlgate risk register",
    "type": "object",
    "required": ["schema-version", "risks"],
    "additionalProperties": False,
    "properties": {
        "schema-version": {"const": 1},
        "release": {"type": "string", "description": "The release the register is for."},
        "risks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "risk", "owner", "likelihood", "severity", "mitigation",
                             "status", "last_review"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.-]*$"},
                    "risk": {"type": "string", "minLength": 1,
                             "description": "What could go wrong, and for whom."},
                    "owner": {"type": "string", "minLength": 1,
                              "description": "Who answers for it (a person or a team)."},
                    "likelihood": {"enum": RISK_LEVELS},
                    "severity": {"enum": [*RISK_LEVELS, "critical"]},
                    "mitigation": {"type": "string", "minLength": 1,
                                   "description": "What is done about it."},
                    "status": {"enum": RISK_STATUSES},
                    "last_review": {"type": "string", "format": "date",
                                    "pattern": r"^\d{4}-\d{2}-\d{2}$",
                                    "description": "ISO date of the last review (quoted)."},
                    "references": {"type": "array", "items": {"type": "string"},
                                   "description": "Issues, findings, documents."},
                },
            },
        },
    },
}


# --------------------------------------------------------------------------- the policy


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def toml_value(value: Any) -> str:
    """A TOML rendering of a schema default (str, bool, int, float, lists, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_toml_key(k)} = {toml_value(v)}"
                                for k, v in value.items()) + " }"
    raise TypeError(f"no TOML rendering for {type(value).__name__}")


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in textwrap.wrap(" ".join(text.split()), WIDTH - 2,
                                                       break_on_hyphens=False,
                                                       break_long_words=False)]


def _keys(schema: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for name, key in schema.items():
        out += _comment(f"{key.doc} ({key.type})")
        out.append(f"# {_toml_key(name)} = {toml_value(key.default)}")
        out.append("")
    return out


def _table_doc(name: str, hooks: Mapping[str, Hook]) -> str:
    from mlgate import policy

    hook = hooks.get(name)
    if hook is not None:
        how = "a pre-commit hook" if hook.precommit else "a CI command, not a commit hook"
        return f"{hook.id} (`mlgate {hook.command}`, {how}): {hook.description} " \
               f"See {hook.docs_page}."
    module = importlib.import_module(policy.CORE_TABLES[name])
    first = (module.__doc__ or name).strip().split("\n\n")[0]
    return f"{' '.join(first.split())} Shared by every check that reads it."


def policy_text(header: list[str]) -> str:
    """The starter mlgate.toml: every table and key of this version, each key commented
    out with its doc, type and default. Uncommenting any key keeps a valid policy."""
    from mlgate import policy

    lines = [*header,
             f"# mlgate {__version__} policy. Every key is shown with its default, commented out:",
             "# uncomment and change what your project decides. docs/policy.md explains each;",
             "# an unknown key or a wrong type is an error, never silently ignored.", ""]
    lines += _keys(policy.SHARED)
    hooks = {h.check: h for h in HOOKS}
    for name, schema in policy.sections().items():
        lines += [f"[{_toml_key(name)}]", *_comment(_table_doc(name, hooks)), ""]
        lines += _keys(schema)
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- the documents


def _md_header(license_id: str, holder: str) -> str:
    return (f"<!--\nSPDX-FileCopyrightText: {holder}\n"
            f"SPDX-License-Identifier: {license_id}\n-->\n\n")


def checklist_text(license_id: str, holder: str) -> str:
    commit_hooks = [h for h in HOOKS if h.precommit]
    ci = [h for h in HOOKS if not h.precommit]
    lines = [_md_header(license_id, holder) + "# Release checklist", "",
             "Copy this list into the release's tracking issue and tick each item; an item that "
             "does not apply says why. The checks are mlgate's; `mlgate init` wrote this file "
             "from the hooks of this version.", "",
             "## Release", "",
             "- Release: FILL IN (name and version)",
             "- Release manager: FILL IN",
             "- Date: FILL IN", "",
             "## Automated checks", "",
             "- [ ] `pre-commit run --all-files` passes with mlgate's hooks:"]
    lines += [f"  - [ ] `{h.id}` (`{h.entry}`): {h.name}" for h in commit_hooks]
    if ci:
        lines.append("- [ ] The CI commands pass in the release's own environment:")
        lines += [f"  - [ ] `{h.entry}`: {h.name}" for h in ci]
    lines += ["- [ ] Every baseline entry, inline allowance and policy override has a reason "
              "that still holds.", "",
              "## Review", "",
              "- [ ] The model card states the intended use, out-of-scope use, limitations, "
              "training data and evaluation.",
              "- [ ] Every dataset used has a provenance record: source, license, consent and "
              "personal data.",
              "- [ ] The licenses of code, data and weights allow this release (the policy's "
              "`[licenses]`).",
              f"- [ ] The risk register (`{RISK_REGISTER}`) was reviewed; every open risk has an "
              "owner and a mitigation.",
              "- [ ] Released artifacts are listed in the manifest with their digests; "
              "signatures verify.",
              f"- [ ] The audit report (`{AUDIT_REPORT}`) is filled in and signed off.", "",
              "## Sign-off", "",
              "| role | name | date |",
              "|---|---|---|",
              "| release manager | FILL IN | FILL IN |",
              "| reviewer | FILL IN | FILL IN |"]
    return "\n".join(lines) + "\n"


def audit_report_text(license_id: str, holder: str) -> str:
    rows = [f"| `{h.entry}` | {h.name} | FILL IN: pass / findings | FILL IN |" for h in HOOKS]
    lines = [_md_header(license_id, holder) + "# Audit report", "",
             "What was checked before this release, what was found, and what was decided. "
             "Attach the reports (`--format json` or `sarif`) of the runs named here.", "",
             "## Release", "",
             "- Release: FILL IN (name, version, commit)",
             "- Auditor: FILL IN",
             "- Date: FILL IN",
             "- Policy: `mlgate.toml` at FILL IN (commit)", "",
             "## Scope", "",
             "FILL IN: the repositories, artifacts (weights, datasets, containers) and "
             "documents this audit covers, and what it does not cover.", "",
             "## Checks run", "",
             "| command | check | result | report |",
             "|---|---|---|---|", *rows, "",
             "## Findings and decisions", "",
             "| rule | where | decision | reason | who |",
             "|---|---|---|---|---|",
             "| FILL IN | FILL IN | fixed / accepted / false positive | FILL IN | FILL IN |", "",
             "## Exceptions", "",
             "Baseline entries, inline allowances and policy overrides in force, each with its "
             "reason.", "",
             "FILL IN", "",
             "## Risks", "",
             f"Open risks from `{RISK_REGISTER}` and their state at the time of the audit.", "",
             "FILL IN", "",
             "## Conclusion and sign-off", "",
             "FILL IN: ship / ship with conditions / do not ship, and why.", "",
             "| role | name | date |",
             "|---|---|---|",
             "| auditor | FILL IN | FILL IN |"]
    return "\n".join(lines) + "\n"


def risk_register_text(license_id: str, holder: str) -> str:
    levels, statuses = " | ".join(RISK_LEVELS), " | ".join(RISK_STATUSES)
    return f"""\
# SPDX-FileCopyrightText: {holder}
# SPDX-License-Identifier: {license_id}
#
# The release's risk register. Schema: docs/init.md ("The risk register"). One entry per risk;
# likelihood: {levels}; severity: {levels} | critical; status: {statuses};
# last_review: an ISO date, quoted. Review it before each release (release/checklist.md).
schema-version: 1
release: "FILL IN: name and version"
risks:
  - id: R1
    risk: "Personal data in a released data sample or in the model's outputs."
    owner: "FILL IN: a person or team"
    likelihood: medium
    severity: high
    mitigation: "pii-in-data-samples on every commit; samples scrubbed with mlgate pii scrub."
    status: open
    last_review: "2026-01-01"
    references: []
  - id: R2
    risk: "A dataset or dependency under a license the release may not use."
    owner: "FILL IN: a person or team"
    likelihood: medium
    severity: high
    mitigation: "The policy's [licenses] lists; provenance records; mlgate dependency-licenses."
    status: open
    last_review: "2026-01-01"
    references: []
"""


# --------------------------------------------------------------------------- writing


@dataclass
class InitResult:
    written: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    problems: list[str] = field(default_factory=list)


def _pyproject(root: Path) -> dict[str, Any]:
    from mlgate.policy import _parse

    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        return _parse(path)
    except MlgateError:
        return {}


def project_license(root: Path) -> str | None:
    """`[project] license` of the directory's pyproject.toml, when it is an SPDX string."""
    license_ = _pyproject(root).get("project", {}).get("license")
    if not isinstance(license_, str):
        return None
    from mlgate import licensing

    return license_ if licensing.parse(license_).valid else None


def _hook_files(result: InitResult) -> dict[str, tuple[str, str]]:
    """path -> (text, hook id) of each catalog hook's `starter.FILES`, if it has one."""
    out: dict[str, tuple[str, str]] = {}
    for hook in HOOKS:
        try:
            if importlib.util.find_spec(f"{hook.package}.starter") is None:
                continue
        except (ImportError, ValueError):  # no such package, or one without a spec
            continue
        files = getattr(hook.part("starter"), "FILES", {})
        for rel, text in files.items():
            path = PurePosixPath(rel)
            if path.is_absolute() or ".." in path.parts or not rel or not isinstance(text, str):
                result.problems.append(f"{hook.id}: starter file {rel!r} is not a relative "
                                       "path with text; not written")
                continue
            if rel in out:
                result.problems.append(f"{hook.id}: starter file {rel} is also offered by "
                                       f"{out[rel][1]}; the first is written")
                continue
            out[rel] = (text, hook.id)
    return out


def starter_files(root: Path, license_id: str, holder: str,
                  result: InitResult) -> dict[str, str]:
    files = {
        POLICY: policy_text([f"# SPDX-FileCopyrightText: {holder}",
                             f"# SPDX-License-Identifier: {license_id}", "#"]),
        CHECKLIST: checklist_text(license_id, holder),
        RISK_REGISTER: risk_register_text(license_id, holder),
        AUDIT_REPORT: audit_report_text(license_id, holder),
    }
    if "mlgate" in _pyproject(root).get("tool", {}):
        del files[POLICY]
        result.skipped.append((POLICY, "the policy is pyproject.toml's [tool.mlgate]"))
    for rel, (text, _hook) in _hook_files(result).items():
        if rel in files or rel == POLICY:
            result.problems.append(f"starter file {rel} of a hook clashes with mlgate's own; "
                                   "not written")
            continue
        files[rel] = text
    return files


def precommit_snippet() -> str:
    """The `.pre-commit-config.yaml` entries of this version's commit hooks."""
    lines = ["repos:", f"  - repo: {REPO_URL}", f"    rev: v{__version__}", "    hooks:"]
    lines += [f"      - id: {h.id}" for h in HOOKS if h.precommit]
    ci = [h.entry for h in HOOKS if not h.precommit]
    if ci:
        lines.append(f"# in CI, in the project's environment: {'; '.join(ci)}")
    return "\n".join(lines) + "\n"


def init(root: Path, license_id: str | None = None, holder: str | None = None) -> InitResult:
    """Write the starter files into `root`; existing files are skipped, never replaced."""
    from mlgate import licensing

    if license_id is not None and not licensing.parse(license_id).valid:
        raise MlgateError(f"--license {license_id[:80]!r} is not a valid SPDX license "
                          "expression")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MlgateError(f"{printable(root)}: cannot create the directory "
                          f"({e.strerror or e})") from None
    result = InitResult()
    chosen = license_id or project_license(root) or LICENSE_PLACEHOLDER
    files = starter_files(root, chosen, holder or HOLDER_PLACEHOLDER, result)
    for rel, text in files.items():
        target = root / rel
        if os.path.lexists(target):
            result.skipped.append((rel, "exists"))
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text.encode("utf-8"))
        except (UnsafeFile, OSError) as e:
            result.problems.append(f"{printable(rel)}: cannot write: {e}")
            continue
        result.written.append(rel)
    return result
