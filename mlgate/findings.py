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
    return _digest("mlgate-fp-1", rule, path, hashlib.sha256(value.encode()).hexdigest())


def location_fingerprint(rule: str, path: str, where: str = "") -> str:
    """For low-entropy values (phones, SSNs, cards): built from where the finding stands,
    never from the value, so that a public baseline cannot be brute-forced."""
    return _digest("mlgate-fp-1", rule, path, where)


def mask_secret(value: str, public_prefix: str = "") -> str:
    """`hf_…(37 chars)`: the public prefix of the format at most, and the length."""
    prefix = public_prefix if value.startswith(public_prefix) else ""
    return f"{prefix}…({len(value)} chars)"


def mask_pii(value: str) -> str:
    """`j***@e***.com` for e-mail addresses, `4***(16 chars)` for anything else."""
    value = value.strip()
    if "@" in value:
        local, _, domain = value.rpartition("@")
        host, dot, tld = domain.rpartition(".")
        if host and local:
            return f"{local[0]}***@{host[0]}***{dot}{tld[:6]}"
    if not value:
        return "(empty)"
    return f"{value[0]}***({len(value)} chars)"


def aggregate(findings: Iterable[Finding]) -> list[Finding]:
    """Merge findings of one rule, path and fingerprint into one with `lines`/`occurrences`."""
    merged: dict[tuple[str, str, str, str | None], Finding] = {}
    for f in findings:
        k = (f.path, f.rule, f.fingerprint, f.suppressed_by)
        first = merged.get(k)
        if first is None:
            merged[k] = f
            f.lines = sorted(set(f.lines))[:MAX_LINES]
            continue
        first.occurrences += f.occurrences
        if len(first.lines) < MAX_LINES:
            first.lines = sorted(set(first.lines) | set(f.lines))[:MAX_LINES]
        if f.severity.rank > first.severity.rank:
            first.severity = f.severity
    return sorted(merged.values(), key=sort_key)


def sort_key(f: Finding) -> tuple[str, int, int, str]:
    return (f.path, f.line or 0, f.column or 0, f.rule)
