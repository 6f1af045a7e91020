"""Findings, severities, redaction and fingerprints: the shapes every hook reports in.

Never-leak rule: a Finding carries no detected value. Hooks build the excerpt with the
masking helpers here and the fingerprint with one of the two fingerprint functions.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_LINES = 1000  # a finding lists at most this many lines; `occurrences` counts them all


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"note": 0, "warning": 1, "error": 2}[self.value]


@dataclass
class Finding:
    check: str
    rule: str
    severity: Severity
    path: str
    message: str
    line: int | None = None
    column: int | None = None
    excerpt: str = ""
    fingerprint: str = ""
    key: str | None = None  # the CSV column or JSON key the value stands under
    lines: list[int] = field(default_factory=list)
    occurrences: int = 1
    suppressed_by: str | None = None  # set by suppress.py, never printed as a blocking finding

    def __post_init__(self) -> None:
        if not self.lines and self.line is not None:
            self.lines = [self.line]


@dataclass(frozen=True)
class FileError:
    """A file that could not be checked; reported in `errors`, never silently skipped."""

    path: str
    message: str


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def secret_fingerprint(rule: str, path: str, value: str) -> str:
    """For high-entropy values only: the value's hash cannot be reversed by guessing."""
    inner = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return _digest("mlgate-fp-1", rule, path, inner)


def location_fingerprint(rule: str, path: str, where: str = "") -> str:
    """For low-entropy values (phones, SSNs, cards): built from where the finding stands,
    never from the value, so that a public baseline cannot be brute-forced."""
    return _digest("mlgate-fp-1", rule, path, where)


def mask_secret(value: str, public_prefix: str = "") -> str:
    """`hf_…(37 chars)`: the public prefix of the format at most, and the length.

    The prefix is shown only when the value starts with it and it is at most half of the
    value, so that a short value (or a prefix that is really most of the value) never leaks.
    """
    show = public_prefix and value.startswith(public_prefix) and \
        len(public_prefix) <= len(value) // 2
    return f"{public_prefix if show else ''}…({len(value)} chars)"


def mask_pii(value: str) -> str:
    """`j***@e***.com` for e-mail addresses, `4***(16 chars)` for anything else."""
    value = value.strip()
    if "@" in value:
        local, _, domain = value.rpartition("@")
        host, dot, tld = domain.rpartition(".")
        if host and local:
            # a top-level domain is shown only when it looks like one (`com`, `org`)
            shown = tld if tld.isascii() and tld.isalpha() and len(tld) <= 6 else "***"
            return f"{local[0]}***@{host[0]}***{dot}{shown}"
    if not value:
        return "(empty)"
    return f"{value[0]}***({len(value)} chars)"


def aggregate(findings: Iterable[Finding]) -> list[Finding]:
    """Merge findings of one rule, path and fingerprint into one with `lines`/`occurrences`."""
    merged: dict[tuple[str, str, str, str | None], Finding] = {}
    for f in findings:
        if not f.fingerprint:  # nothing to merge on: never fold unrelated findings together
            merged[(f.path, f.rule, f"#{len(merged)}", f.suppressed_by)] = f
            f.lines = sorted(set(f.lines))[:MAX_LINES]
            continue
        k = (f.path, f.rule, f.fingerprint, f.suppressed_by)
        first = merged.get(k)
        if first is None:
            merged[k] = f
            f.lines = sorted(set(f.lines))[:MAX_LINES]
            continue
        first.occurrences += f.occurrences
        # keep the lowest MAX_LINES lines; skip the sort when nothing new can enter
        if f.lines and (len(first.lines) < MAX_LINES or min(f.lines) < first.lines[-1]):
            first.lines = sorted(set(first.lines) | set(f.lines))[:MAX_LINES]
        if f.line is not None and first.line is not None and f.line < first.line:
            first.line, first.column = f.line, f.column
        if f.severity.rank > first.severity.rank:
            first.severity = f.severity
    return sorted(merged.values(), key=sort_key)


def sort_key(f: Finding) -> tuple[str, int, int, str]:
    return (f.path, f.line or 0, f.column or 0, f.rule)


@dataclass(frozen=True)
class RuleInfo:
    """A rule of a hook's rule table (`rules.py`): what SARIF rule metadata and docs show."""

    id: str  # `<check>/<name>`, stable across versions
    message: str
    severity: Severity = Severity.ERROR
    anchor: str = ""  # the heading in the hook's docs page that explains it


# The per-file findings every hook reports the same way: `<check>/file-truncated` (only a part
# was read), `<check>/not-scanned` (a file or a part of it that could not be checked).

def file_rules(check: str, anchor: str = "") -> tuple[RuleInfo, ...]:
    """The rule-table entries of both per-file rules (`anchor`: where the hook's page
    explains them)."""
    return (RuleInfo(f"{check}/file-truncated", "only a part of the file was checked",
                     Severity.WARNING, anchor),
            RuleInfo(f"{check}/not-scanned", "a file or a part of it could not be checked",
                     Severity.ERROR, anchor))


def truncated(check: str, path: str, message: str, *, line: int | None = None) -> Finding:
    rule = f"{check}/file-truncated"
    return Finding(check, rule, Severity.WARNING, path, message, line=line,
                   fingerprint=location_fingerprint(rule, path, ""))


def not_scanned(check: str, path: str, message: str, *, severity: Severity = Severity.ERROR,
                line: int | None = None, key: str | None = None) -> Finding:
    """A file, or a part of one (a column, a notebook output), that was not checked: never a
    silent pass."""
    rule = f"{check}/not-scanned"
    return Finding(check, rule, severity, path, f"not scanned: {message}", line=line, key=key,
                   fingerprint=location_fingerprint(rule, path, key or ""))
