"""The hook's contract: `check(paths, policy)` yields findings and per-file errors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mlgate.findings import (
    FileError,
    Finding,
    Severity,
    mask_secret,
    not_scanned,
    secret_fingerprint,
    truncated,
)
from mlgate.hooks.secrets.binary import printable_text
from mlgate.hooks.secrets.provider_rules import CHECK, public_prefix
from mlgate.hooks.secrets.scanner import Scanner
from mlgate.policy import Policy
from mlgate.sources.files import SourceError, display_path, read_head, read_text


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    scanner = Scanner(policy)
    for path in paths:
        shown = display_path(path)
        note = ""
        try:
            source = read_text(path, scanner.max_bytes)
            text, size, truncated_ = source.text, source.size, source.truncated
        except SourceError as e:
            message = str(e)
            if not message.startswith("binary"):
                if message.startswith("symbolic"):
                    yield not_scanned(CHECK, shown, message, severity=Severity.NOTE)
                else:
                    yield FileError(shown, message)
                continue
            # binary content: scan its printable text runs, in place (binary.py)
            try:
                data, size = read_head(path, scanner.max_bytes)
            except SourceError as e2:
                yield FileError(shown, str(e2))
                continue
            text, mostly_text = printable_text(data)
            truncated_ = size > len(data)
            if not mostly_text:
                note = (f"binary content, not text: only the printable text runs of the "
                        f"first {len(data)} of {size} bytes were scanned")
        for hit in scanner.scan_text(text, shown):
            if scanner.ds_baselined(shown, hit):
                continue
            yield Finding(CHECK, hit.rule, Severity.ERROR, shown, hit.message,
                          line=hit.line, column=hit.column,
                          excerpt=mask_secret(hit.value, public_prefix(hit.value, hit.prefix)),
                          fingerprint=secret_fingerprint(hit.rule, shown, hit.value))
        if note:
            yield not_scanned(CHECK, shown, note, severity=Severity.NOTE)
        elif truncated_:
            yield truncated(CHECK, shown, f"only the first {scanner.max_bytes} of {size} "
                            "bytes were scanned; raise [secrets] max-bytes to scan it all")
