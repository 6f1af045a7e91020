"""The JSON report: schema_version 1, fields only ever added (docs/output.md)."""

from __future__ import annotations

import json
from typing import Any

from mlgate import __version__
from mlgate.findings import Finding
from mlgate.result import Result


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding; `key` and `suppressed_by` (added in 0.1) are always present, null when
    they do not apply, like `line` and `column`."""
    d: dict[str, Any] = {
        "check": f.check, "rule": f.rule, "severity": f.severity.value, "path": f.path,
        "line": f.line, "column": f.column, "lines": f.lines, "occurrences": f.occurrences,
        "message": f.message, "excerpt": f.excerpt, "fingerprint": f.fingerprint,
        "key": f.key, "suppressed_by": f.suppressed_by,
    }
    return d


def render_json(result: Result) -> str:
    doc = {
        "schema_version": 1,
        "tool": {"name": "mlgate", "version": __version__},
        "findings": [finding_dict(f) for f in result.findings],
        "errors": [{"path": e.path, "message": e.message} for e in result.errors],
    }
    return json.dumps(doc, indent=2, ensure_ascii=True)
