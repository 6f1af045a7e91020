"""`mlgate baseline`: record the current findings so that they stop blocking."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from mlgate.catalog import BY_CHECK
from mlgate.errors import MlgateError
from mlgate.policy import Policy
from mlgate.run import run_checks
from mlgate.suppress import Baseline


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        raise MlgateError(f"cannot list tracked files with git ({e}); pass PATHS") from None
    if out.returncode != 0:
        raise MlgateError("not in a git repository; pass the PATHS to baseline")
    return [p for p in out.stdout.decode("utf-8", "replace").split("\0") if p]


def write_baseline(policy: Policy, target: Path, checks: Sequence[str], paths: Sequence[str],
                   reason: str) -> tuple[int, int]:
    """Write the baseline; returns (entries, entries without a reason)."""
    checks = list(checks) or list(BY_CHECK)
    files = list(paths) or tracked_files()
    old = Baseline.load(target)
    findings = []
    for check in checks:
        pattern = re.compile(BY_CHECK[check].files) if BY_CHECK[check].files else None
        selected = [f for f in files if pattern is None or pattern.search(f)]
        findings.extend(run_checks([check], selected, policy).findings)
    count = old.write(target, findings, reason)
    written = Baseline.load(target)
    return count, sum(1 for e in written.entries.values() if not e.reason.strip())
