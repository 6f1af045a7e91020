"""Helpers of the license-headers tests: a project on disk, the check run in process, and
the command line in a subprocess (for exit codes)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlgate.findings import FileError, Finding
from mlgate.hooks.license_headers.check import check
from mlgate.policy import Policy

HEADER = "# SPDX-FileCopyrightText: 2026 Jane Doe\n# SPDX-License-Identifier: MIT\n"


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


def project(root: Path, files: Mapping[str, str | bytes] | None = None,
            texts: tuple[str, ...] = ("MIT",)) -> Path:
    """A git project with license texts in LICENSES/ and the given files."""
    (root / ".git").mkdir(exist_ok=True)
    write(root, {f"LICENSES/{t}.txt": f"{t} text\n" for t in texts})
    write(root, files or {})
    return root


def results(root: Path, paths: list[str], policy: Mapping[str, Any] | None = None
            ) -> tuple[list[Finding], list[FileError]]:
    """The check's findings and errors for `paths` (relative to `root`, the cwd)."""
    pol = Policy(dict(policy or {}), root=root)
    found = list(check([str(root / p) for p in paths], pol))
    return ([f for f in found if isinstance(f, Finding)],
            [e for e in found if isinstance(e, FileError)])


def rules_of(root: Path, path: str, policy: Mapping[str, Any] | None = None) -> set[str]:
    findings, errors = results(root, [path], policy)
    assert not errors, errors
    return {f.rule.split("/", 1)[1] for f in findings}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlgate.cli", "license-headers", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def cli_json(*args: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    out = cli("--format", "json", *args, cwd=cwd)
    assert "Traceback" not in out.stderr, out.stderr
    return out.returncode, json.loads(out.stdout) if out.stdout.strip() else {}
