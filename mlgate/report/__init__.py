"""Reporters: text (one line per finding), json (schema_version 1) and SARIF 2.1.0."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlgate.findings import FileError, Finding, Severity

FORMATS = ("text", "json", "sarif")


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


def render(result: Result, fmt: str) -> str:
    if fmt == "json":
        from mlgate.report.json import render_json
        return render_json(result)
    if fmt == "sarif":
        from mlgate.report.sarif import render_sarif
        return render_sarif(result)
    from mlgate.report.text import render_text
    return render_text(result)
