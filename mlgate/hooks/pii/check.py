"""The hook's contract: `check(paths, policy)` reads each data sample's cells and yields one
finding per file, key and entity.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.errors import MlgateError
from mlgate.findings import (
    MAX_LINES,
    FileError,
    Finding,
    Severity,
    location_fingerprint,
    mask_pii,
    truncated,
)
from mlgate.hooks.pii.engine import PiiDetector
from mlgate.hooks.pii.rules import LABELS
from mlgate.hooks.pii.spans import OutOfTime

if TYPE_CHECKING:
    from mlgate.policy import Policy


_MAX_GROUPS = 10_000  # distinct (key, entity) findings per file; more keys share one finding


def _where(key: str | None) -> str:
    return f"under {key!r}" if key else "in text"


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    """Findings for PII in the given data samples, one per file + key + entity."""
    from mlgate.sources.files import SourceError, display_path
    from mlgate.sources.records import iter_records

    if not paths:
        return
    detector = PiiDetector(policy)
    max_bytes = int(policy.section("pii")["max-bytes"])
    max_seconds = float(policy.section("pii")["max-seconds"])
    for path in paths:
        groups: dict[tuple[str | None, str], Finding] = {}
        error: str | None = None
        reader: Any = None
        shown = display_path(path)
        stopped_at: int | None = None
        deadline = time.monotonic() + max_seconds
        detector.deadline = deadline
        try:
            reader = iter_records(path, max_bytes)
            n = 0
            for batch in _column_batches(reader):
                for i, cell in enumerate(batch):
                    try:
                        _scan_cell(detector, cell, shown, path, groups)
                    except OutOfTime:  # inside a long cell: it was not checked whole
                        stopped_at = min(c.line for c in batch[i:])
                        break
                    n += 1
                    if (n % 64 == 0 or len(cell.text) > 4096) and time.monotonic() > deadline:
                        # every line before this one was checked whole
                        stopped_at = min((c.line for c in batch[i + 1:]),
                                         default=max(c.line for c in batch))
                        break
                if stopped_at is not None:
                    break
        except SourceError as e:
            error = str(e) or "cannot be read"
        except MlgateError:
            raise
        except RecursionError:
            error = "too deeply nested to check"
        except MemoryError:
            error = "too large to check in memory"
        except Exception as e:  # never a traceback for one bad file; never the value either
            error = f"could not be checked (internal error: {type(e).__name__})"
        finally:
            detector.deadline = None
        yield from groups.values()
        if error is not None:
            yield FileError(path, error)
            continue
        if stopped_at is not None:
            yield truncated(
                "pii", shown, f"checking stopped at line {stopped_at} after {max_seconds:g} s "
                "(the [pii] max-seconds budget per file); `mlgate scan` checks the whole file")
            continue
        status = getattr(reader, "status", None)
        if status is not None and getattr(status, "truncated", False):
            yield truncated(
                "pii", shown, f"only the first {max_bytes:,} bytes were checked for PII (the "
                "[pii] max-bytes budget per commit); `mlgate scan` checks the whole file")


_BATCH_CELLS = 1024


_BATCH_CHARS = 1 << 20


def _column_batches(cells: Iterable[Any]) -> Iterator[list[Any]]:
    """The cells in batches of about a thousand (at most 1 MB of text), each ordered column by
    column (cells of one key keep their order). Checking a column's values one after
    another is markedly faster than row by row (users tables: ≈ 20 %): each column takes one
    code path (e-mail, phone, IP ...), whose code and data then stay in the CPU's caches.
    When reading fails part-way (a syntax error), the cells read before it are still given
    out as a last batch, then the error is raised: what was read is reported."""
    by_key: dict[str | None, list[Any]] = {}
    count = chars = 0
    failure: Exception | None = None
    try:
        for cell in cells:
            by_key.setdefault(cell.key, []).append(cell)
            count += 1
            chars += len(cell.text)
            if count >= _BATCH_CELLS or chars >= _BATCH_CHARS:
                yield [c for column in by_key.values() for c in column]
                by_key, count, chars = {}, 0, 0
    except Exception as e:  # re-raised below, after the cells read before it
        failure = e
    if by_key:
        yield [c for column in by_key.values() for c in column]
    if failure is not None:
        raise failure


def _safe_key(detector: PiiDetector, key: str | None) -> str | None:
    """The key as reported: masked when the key itself is PII (a data row taken for a CSV
    header, a map keyed by e-mail address), since keys are printed and fingerprinted."""
    if not key:
        return key
    found = detector.results(key)
    if not found:
        return key
    out, pos = [], 0
    for s in sorted(found, key=lambda s: s.start):
        if s.start >= pos:
            out += [key[pos:s.start], mask_pii(key[s.start:s.end])]
            pos = s.end
    return "".join([*out, key[pos:]])


def _scan_cell(detector: PiiDetector, cell: Any, shown: str, path: str,
               groups: dict[tuple[str | None, str], Finding]) -> None:
    text: str = cell.text
    spans = detector.results(text, cell.key)
    if not spans:
        return
    key = _safe_key(detector, cell.key)
    nl, last_nl, pos = 0, -1, 0  # line breaks before `pos`, counted once (spans come in order)
    for s in sorted(spans, key=lambda s: s.start):
        seen = text.count("\n", pos, s.start)
        if seen:
            nl += seen
            last_nl = text.rfind("\n", pos, s.start)
        pos = s.start
        column = (cell.column + s.start) if cell.column is not None else None
        line = cell.line
        if nl and cell.physical_breaks:
            line, column = cell.line + nl, s.start - last_nl
        elif nl:
            column = None  # after an escaped line break: the value's own line, column unknown
        gkey = (key, s.entity)
        if gkey not in groups and len(groups) >= _MAX_GROUPS:
            gkey = ("(other keys)", s.entity)  # bounded memory for files with endless keys
        f = groups.get(gkey)
        if f is None:
            rule = f"pii/{s.entity}"
            label = LABELS.get(s.entity, s.entity)
            groups[gkey] = Finding(
                check="pii", rule=rule, severity=Severity.ERROR, path=path,
                message=f"{label} {_where(gkey[0])} (Presidio {s.entity}, score {s.score:.2f})",
                line=line, column=column, excerpt=mask_pii(text[s.start:s.end]),
                fingerprint=location_fingerprint(rule, shown, gkey[0] or ""), key=gkey[0])
            continue
        f.occurrences += 1
        if len(f.lines) < MAX_LINES and line != f.lines[-1] and line not in f.lines[-8:]:
            f.lines.append(line)
