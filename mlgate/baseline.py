"""`mlgate baseline`: record the current findings so that they stop blocking."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from mlgate.catalog import BY_CHECK
from mlgate.errors import MlgateError
from mlgate.findings import FileError
from mlgate.policy import Policy
from mlgate.run import run_checks
from mlgate.sources.files import display_path
from mlgate.suppress import Baseline


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        raise MlgateError(f"cannot list tracked files with git ({e}); pass PATHS") from None
    if out.returncode != 0:
        raise MlgateError("not in a git repository; pass the PATHS to baseline")
    return [p for p in out.stdout.decode("utf-8", "replace").split("\0") if p]


class Written(NamedTuple):
    """What `write_baseline` did: entries written, entries without a reason, and the files
    that could not be checked (their existing entries are kept as they were)."""

    entries: int
    without_reason: int
    errors: list[FileError]


def write_baseline(policy: Policy, target: Path, checks: Sequence[str], paths: Sequence[str],
                   reason: str) -> Written:
    """Write the baseline; returns (entries, entries without a reason, file errors).

    Existing entries outside this run's scope (a check that was not run, or a path that was
    not given) are kept as they are: `mlgate baseline --check secrets a.py` must not drop the
    entries of other files and checks. Nor are the entries of a file that could not be checked
    (an `errors` entry) dropped: the caller reports those errors and exits 2.
    """
    unknown = [c for c in checks if c not in BY_CHECK]
    if unknown:
        raise MlgateError(f"unknown check {unknown[0]!r} (expected one of: "
                          f"{', '.join(BY_CHECK)})")
    checks = list(checks) or list(BY_CHECK)
    files = list(paths) or tracked_files()
    old = Baseline.load(target)
    findings = []
    errors: list[FileError] = []
    scanned: set[tuple[str, str]] = set()  # (check, display path)
    for check in checks:
        pattern = re.compile(BY_CHECK[check].files) if BY_CHECK[check].files else None
        selected = [f for f in files if pattern is None or pattern.search(display_path(f))]
        result = run_checks([check], selected, policy)
        failed = {e.path for e in result.errors}
        scanned.update((check, display_path(f)) for f in selected
                       if display_path(f) not in failed)
        findings.extend(result.findings)
        errors.extend(e for e in result.errors if e not in errors)
    keep = [e for e in old.entries.values()
            if (e.rule.split("/", 1)[0], e.path) not in scanned]
    count = old.write(target, findings, reason, keep=keep)
    written = Baseline.load(target)
    return Written(count, sum(1 for e in written.entries.values() if not e.reason.strip()),
                   errors)
