"""`path:line:col: rule message`, one line per finding; ASCII-safe for any console."""

from __future__ import annotations

from mlgate.report import Result


def render_text(result: Result, quiet: bool = False) -> str:
    out = []
    for f in result.findings:
        if f.suppressed_by:
            continue
        where = f.path if f.line is None else f"{f.path}:{f.line}:{f.column or 1}"
        detail = []
        if f.key:
            detail.append(f"key {f.key!r}")
        if f.excerpt:
            detail.append(f.excerpt)
        if f.occurrences > 1:
            detail.append(f"{f.occurrences} occurrences, lines "
                          + ",".join(map(str, f.lines[:10]))
                          + ("…" if len(f.lines) > 10 else ""))
        suffix = f" ({'; '.join(detail)})" if detail else ""
        out.append(f"{where}: {f.rule} {f.message}{suffix} [{f.severity.value}]")
    for e in result.errors:
        out.append(f"{e.path}: error: {e.message}")
    return "\n".join(out)
