"""SARIF 2.1.0 with stable ruleIds and partialFingerprints (GitHub code scanning dedupes)."""

from __future__ import annotations

import json
import os
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from mlgate import __version__
from mlgate.result import Result

_LEVEL = {"error": "error", "warning": "warning", "note": "note"}
_URI = "https://github.com/mlgate/mlgate"


def _help_uri(check: str, anchor: str = "") -> str:
    """The hook's page (docs/hooks/<hook id>.md); core rules (baseline/…) are in output.md."""
    from mlgate.catalog import BY_CHECK

    hook = BY_CHECK.get(check)
    page = hook.docs_page if hook else "docs/output.md"
    return f"{_URI}/blob/main/{page}" + (f"#{anchor}" if anchor else "")


def _rule_table(check: str) -> dict[str, Any]:
    """The hook's rule table (its rules.py, through the catalog): id -> RuleInfo."""
    from mlgate.catalog import BY_CHECK

    hook = BY_CHECK.get(check)
    return {r.id: r for r in hook.rules} if hook else {}


def _uri(path: str) -> str:
    """A path as a URI reference: repo-relative paths stay relative (GitHub resolves them
    against the repository root), with spaces and other reserved characters %-encoded."""
    # the file name's raw bytes are %-encoded: a name that is not UTF-8 (surrogate escapes
    # in the str) gets its own bytes, as RFC 3986 has it, instead of an UnicodeEncodeError
    raw = os.fsencode(path) if os.name == "posix" else path.encode("utf-8", "surrogatepass")
    if PurePosixPath(path).is_absolute():
        return "file://" + quote(raw, safe="/")
    return quote(raw, safe="/")


def render_sarif(result: Result) -> str:
    rules: dict[str, dict[str, Any]] = {}
    tables: dict[str, dict[str, Any]] = {}
    results = []
    for f in result.findings:
        if f.rule not in rules:
            if f.check not in tables:
                tables[f.check] = _rule_table(f.check)
            info = tables[f.check].get(f.rule)
            rules[f.rule] = {
                "id": f.rule,
                "name": f.rule.replace("/", "-"),
                "shortDescription": {"text": info.message if info else f.message},
                "helpUri": _help_uri(f.check, info.anchor if info else ""),
            }
            if info is not None:
                rules[f.rule]["defaultConfiguration"] = {"level": _LEVEL[info.severity.value]}
        region: dict[str, Any] = {}
        if f.line is not None:
            region["startLine"] = f.line
            if f.column is not None:
                region["startColumn"] = f.column
        location: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.path)}}
        if region:
            location["region"] = region
        text = f.message + (f" ({f.excerpt})" if f.excerpt else "")
        if f.occurrences > 1:
            text += f"; {f.occurrences} occurrences"
        res: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": list(rules).index(f.rule),
            "level": _LEVEL[f.severity.value],
            "message": {"text": text},
            "locations": [{"physicalLocation": location}],
        }
        if f.fingerprint:
            res["partialFingerprints"] = {"mlgateFingerprint/v1": f.fingerprint}
        if f.suppressed_by:
            res["suppressions"] = [{"kind": "external", "justification": "mlgate baseline"}]
        results.append(res)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "mlgate", "version": __version__, "informationUri": _URI,
                            "rules": list(rules.values())}},
        "results": results,
        "columnKind": "unicodeCodePoints",
        "invocations": [{
            "executionSuccessful": not result.errors,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": e.message},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(e.path)}}}]}
                for e in result.errors],
        }],
    }
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=True)
