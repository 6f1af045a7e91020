"""The result of a run: findings ready to report, per-file errors, and the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlgate.findings import FileError, Finding, Severity


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    fail_on: Severity = Severity.ERROR

    def blocking(self) -> list[Finding]:
        return [f for f in self.findings
                if f.suppressed_by is None and f.severity.rank >= self.fail_on.rank]

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.blocking() else 0
