"""Reporters: text (one line per finding), json (schema_version 1) and SARIF 2.1.0."""

from __future__ import annotations

from mlgate.result import Result

FORMATS = ("text", "json", "sarif")


def render(result: Result, fmt: str) -> str:
    if fmt == "json":
        from mlgate.report.json import render_json
        return render_json(result)
    if fmt == "sarif":
        from mlgate.report.sarif import render_sarif
        return render_sarif(result)
    from mlgate.report.text import render_text
    return render_text(result)
