"""Suppressions: inline pragmas and the baseline file.

Inline: `mlgate: allow <rule> -- <reason>` on the line or the line above (the rule may also be
a whole check, `secrets`). The secrets check also honours detect-secrets' `pragma: allowlist
secret` (same line) and `pragma: allowlist nextline secret` (line above).
Baseline: `.mlgate-baseline.json`, fingerprints with rule, path, reason and who/when; no values.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mlgate import __version__
from mlgate.errors import MlgateError
from mlgate.findings import Finding, Severity

_ALLOW = re.compile(r"mlgate:\s*allow\s+([\w/*.,\s-]+?)(?:\s+--\s|\s*$|[\"'\\])")
_DS_SAME = "pragma: allowlist secret"
_DS_NEXT = "pragma: allowlist nextline secret"


def _allowed_rules(line: str) -> set[str]:
    rules: set[str] = set()
    for m in _ALLOW.finditer(line):
        rules.update(r for r in re.split(r"[\s,]+", m.group(1)) if r)
    return rules


def _rule_matches(pattern: str, rule: str) -> bool:
    return pattern in (rule, rule.split("/", 1)[0], "*")


def inline_allowed(lines: list[str], lineno: int, rule: str) -> bool:
    """Whether line `lineno` (1-based) of `lines` carries an allow pragma for `rule`."""
    same = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    above = lines[lineno - 2] if 1 < lineno <= len(lines) + 1 else ""
    for text in (same, above):
        if "mlgate:" in text and any(_rule_matches(p, rule) for p in _allowed_rules(text)):
            return True
    if rule.startswith("secrets/"):
        return _DS_SAME in same or _DS_NEXT in above
    return False


def apply_inline(findings: list[Finding], lines: list[str]) -> list[Finding]:
    """Drop the occurrences an inline pragma allows; keep the rest of each finding."""
    kept = []
    for f in findings:
        if not f.lines:
            kept.append(f)
            continue
        allowed = [n for n in f.lines if inline_allowed(lines, n, f.rule)]
        if not allowed:
            kept.append(f)
            continue
        remaining = [n for n in f.lines if n not in allowed]
        if not remaining:
            continue
        f.occurrences = max(len(remaining), f.occurrences - len(allowed))
        f.lines = remaining
        if f.line in allowed:
            f.line, f.column = remaining[0], None
        kept.append(f)
    return kept


@dataclass
class BaselineEntry:
    fingerprint: str
    rule: str
    path: str
    reason: str = ""
    added_by: str = ""
    added_at: str = ""


class Baseline:
    def __init__(self, entries: Iterable[BaselineEntry] = (), path: Path | None = None):
        self.path = path
        self.entries = {e.fingerprint: e for e in entries}

    @classmethod
    def load(cls, path: Path, *, required: bool = False) -> Baseline:
        if not path.exists():
            if required:
                raise MlgateError(f"{path}: baseline file not found")
            return cls(path=path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            entries = [BaselineEntry(**{k: str(e.get(k, "")) for k in
                                        ("fingerprint", "rule", "path", "reason",
                                         "added_by", "added_at")})
                       for e in doc["entries"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise MlgateError(f"{path}: not a valid mlgate baseline ({e})") from None
        return cls(entries, path)

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """Mark baselined findings; an entry without a reason yields a warning instead."""
        out = []
        for f in findings:
            entry = self.entries.get(f.fingerprint)
            if entry is None:
                out.append(f)
                continue
            f.suppressed_by = "baseline"
            out.append(f)
            if not entry.reason.strip():
                out.append(Finding(
                    check="baseline", rule="baseline/missing-reason", severity=Severity.WARNING,
                    path=f.path, line=f.line, column=f.column,
                    message=f"{f.rule} is baselined without a reason; add one to "
                            f"{self.path.name if self.path else 'the baseline'}",
                    fingerprint=f.fingerprint))
        return out

    def write(self, path: Path, findings: Iterable[Finding], reason: str) -> int:
        """Write a baseline of `findings`, keeping the reason and author of existing entries."""
        who, when = _author(), datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        entries: dict[str, BaselineEntry] = {}
        for f in findings:
            if f.check == "baseline" or f.fingerprint in entries:
                continue
            old = self.entries.get(f.fingerprint)
            entries[f.fingerprint] = old or BaselineEntry(f.fingerprint, f.rule, f.path,
                                                          reason, who, when)
            if reason and old is not None and not old.reason:
                old.reason = reason
        doc = {"schema_version": 1, "tool": {"name": "mlgate", "version": __version__},
               "entries": [e.__dict__ for e in sorted(entries.values(),
                                                      key=lambda e: (e.path, e.rule,
                                                                     e.fingerprint))]}
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return len(entries)


def _author() -> str:
    try:
        out = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True,
                             timeout=5)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except Exception:  # getuser raises various errors when no user is known
        return "unknown"
