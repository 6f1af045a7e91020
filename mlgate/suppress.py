"""Suppressions: inline pragmas and the baseline file.

Inline: `mlgate: allow <rule> -- <reason>` on the line or the line above (the rule may also be
a whole check, `secrets`). The secrets check also honours detect-secrets' `pragma: allowlist
secret` (same line) and `pragma: allowlist nextline secret` (line above).
Baseline: `.mlgate-baseline.json`, fingerprints with rule, path, reason and who/when; no values.
"""

from __future__ import annotations

import dataclasses
import fnmatch
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
from mlgate.fileio import UnsafeFile, atomic_write, printable, read_regular
from mlgate.findings import Finding, Severity

BASELINE_CAP = 50_000_000  # bytes: about 150,000 entries

_ALLOW = re.compile(r"mlgate:\s*allow\s+([^\n]*)")
# the rule list ends at the reason (` -- `), the end of a comment (`-->`, `*/`) or of the
# string it stands in (a notebook line is a JSON string: `...\\n",`)
_ALLOW_END = re.compile(r"--|\*/|[\"'\\]")
_RULE = re.compile(r"\*|[\w.-]+(?:/[\w*?.\[\]-]+)?")
# what may precede a pragma on the line above: a comment opener only (optionally inside the
# JSON string of a notebook line), so that code with a trailing pragma never covers the next line
_COMMENT_ONLY = re.compile(r"""\s*"?\s*(?:#+|//+|/\*+|\*|<!--|--|;+|%+|')?\s*""")
_DS_SAME = re.compile(r"pragma: ?(?:allow|white)list[ -]secret")
_DS_NEXT = re.compile(r"pragma: ?allowlist[ -]nextline[ -]secret")


def _allowed_rules(line: str) -> set[str]:
    rules: set[str] = set()
    for m in _ALLOW.finditer(line):
        text = _ALLOW_END.split(m.group(1), maxsplit=1)[0]
        rules.update(r for r in re.split(r"[\s,]+", text) if r and _RULE.fullmatch(r))
    return rules


def _rule_matches(pattern: str, rule: str) -> bool:
    if pattern in (rule, rule.split("/", 1)[0], "*"):
        return True
    return any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(rule, pattern)


def _pragma_alone(text: str, start: int) -> bool:
    """Whether only a comment opener precedes position `start` of `text`."""
    return _COMMENT_ONLY.fullmatch(text[:start]) is not None


def inline_allowed(lines: list[str], lineno: int, rule: str) -> bool:
    """Whether line `lineno` (1-based) of `lines` carries an allow pragma for `rule`, or the
    line above is a comment that carries one."""
    same = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    above = lines[lineno - 2] if 1 < lineno <= len(lines) + 1 else ""
    if "mlgate:" in same and any(_rule_matches(p, rule) for p in _allowed_rules(same)):
        return True
    if "mlgate:" in above:
        for m in _ALLOW.finditer(above):
            if _pragma_alone(above, m.start()) and any(
                    _rule_matches(p, rule) for p in _allowed_rules(above[m.start():])):
                return True
    if rule.startswith("secrets/"):
        if _DS_SAME.search(same):
            return True
        nxt = _DS_NEXT.search(above)
        return nxt is not None and _pragma_alone(above, nxt.start())
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
        """The baseline at `path`; none there is an empty baseline (an error if `required`).
        Anything else by that name that is not a regular file of at most BASELINE_CAP bytes
        (a FIFO, a device, a directory, a dangling symlink) is an MlgateError naming it."""
        if not os.path.lexists(path):
            if required:
                raise MlgateError(f"{printable(path)}: baseline file not found")
            return cls(path=path)
        try:
            raw = read_regular(path, BASELINE_CAP, what="baseline")
        except UnsafeFile as e:
            raise MlgateError(f"{printable(path)}: cannot read the baseline: {e}") from None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise MlgateError(f"{printable(path)}: not a valid mlgate baseline (not UTF-8: "
                              f"{e.reason} at byte {e.start})") from None
        except ValueError as e:
            raise MlgateError(f"{printable(path)}: not a valid mlgate baseline ({e})") from None
        except RecursionError:
            raise MlgateError(f"{printable(path)}: not a valid mlgate baseline (nested too "
                              "deeply)") from None
        return cls(_entries(doc, path), path)

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """Mark baselined findings; an entry without a reason yields a warning as well."""
        out = []
        for f in findings:
            entry = self.entries.get(f.fingerprint) if f.fingerprint else None
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

    def write(self, path: Path, findings: Iterable[Finding], reason: str,
              keep: Iterable[BaselineEntry] = ()) -> int:
        """Write a baseline of `findings`, keeping the reason and author of existing entries.

        `keep`: existing entries outside the scope of this run (other files or checks) that
        are written back unchanged.
        """
        who, when = _author(), datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        entries: dict[str, BaselineEntry] = {e.fingerprint: e for e in keep}
        for f in findings:
            if f.check == "baseline" or not f.fingerprint or f.fingerprint in entries:
                continue
            old = self.entries.get(f.fingerprint)
            entries[f.fingerprint] = old or BaselineEntry(f.fingerprint, f.rule, f.path,
                                                          reason, who, when)
            if reason and old is not None and not old.reason.strip():
                old.reason = reason
        doc = {"schema_version": 1, "tool": {"name": "mlgate", "version": __version__},
               "entries": [dataclasses.asdict(e) for e in
                           sorted(entries.values(), key=lambda e: (e.path, e.rule,
                                                                   e.fingerprint))]}
        text = json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
        try:
            atomic_write(path, text.encode("utf-8"))
        except UnsafeFile as e:
            raise MlgateError(f"{printable(path)}: cannot write the baseline: {e}") from None
        return len(entries)


_FIELDS = ("fingerprint", "rule", "path", "reason", "added_by", "added_at")


def _entries(doc: object, path: Path) -> list[BaselineEntry]:
    """The entries of a parsed baseline, or an MlgateError saying what is wrong with it."""
    def bad(problem: str) -> MlgateError:
        return MlgateError(f"{printable(path)}: not a valid mlgate baseline ({problem})")

    if not isinstance(doc, dict):
        raise bad("expected a JSON object")
    if "entries" not in doc:
        hint = "; a detect-secrets baseline goes in [secrets] detect-secrets-baseline" \
            if "results" in doc else ""
        raise bad(f"no 'entries' list{hint}")
    if doc.get("schema_version", 1) != 1:
        raise bad(f"schema_version {doc.get('schema_version')!r}, expected 1")
    if not isinstance(doc["entries"], list):
        raise bad("'entries' must be a list")
    out = []
    for i, e in enumerate(doc["entries"], 1):
        if not isinstance(e, dict):
            raise bad(f"entry #{i} is not an object")
        if not isinstance(e.get("fingerprint"), str) or not e["fingerprint"]:
            raise bad(f"entry #{i} has no fingerprint")
        values = {k: "" if e.get(k) is None else e[k] for k in _FIELDS}
        for k, v in values.items():
            if not isinstance(v, str):
                raise bad(f"entry #{i}: '{k}' must be a string")
        out.append(BaselineEntry(**values))
    return out


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
