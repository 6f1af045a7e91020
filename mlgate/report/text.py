"""`path:line:col: rule message`, one line per finding; ASCII-safe for any console."""

from __future__ import annotations

from mlgate.result import Result


def ascii_safe(text: str) -> str:
    """Printable ASCII only: `…` becomes `...`, anything else a backslash escape, so that no
    console encoding (cp1252, cp437) fails and no control character (a newline or an ANSI
    escape in a file name) breaks the one-line-per-finding format or the terminal."""
    text = text.replace("…", "...")
    if text.isascii() and text.isprintable():
        return text
    out = []
    for c in text:
        if " " <= c <= "~":
            out.append(c)
        else:
            out.append(c.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def render_text(result: Result, quiet: bool = False) -> str:
    """The findings that are not suppressed, then the file errors; `quiet` keeps only the
    blocking findings."""
    shown = result.blocking() if quiet else result.findings
    out = []
    for f in shown:
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
                          + ("..." if len(f.lines) > 10 else ""))
        suffix = f" ({'; '.join(detail)})" if detail else ""
        out.append(ascii_safe(f"{where}: {f.rule} {f.message}{suffix} [{f.severity.value}]"))
    for e in result.errors:
        out.append(ascii_safe(f"{e.path}: error: {e.message}"))
    return "\n".join(out)
