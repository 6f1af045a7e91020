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
from mlgate.hooks.secrets.provider_rules import CHECK, public_prefix
from mlgate.hooks.secrets.scanner import Scanner
from mlgate.policy import Policy
from mlgate.sources import SourceError, display_path, read_text


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    scanner = Scanner(policy)
    for path in paths:
        shown = display_path(path)
        try:
            source = read_text(path, scanner.max_bytes)
        except SourceError as e:
            message = str(e)
            if message.startswith(("binary", "symbolic")):
                yield not_scanned(CHECK, shown, message, severity=Severity.NOTE)
            else:
                yield FileError(shown, message)
            continue
        for hit in scanner.scan_text(source.text, shown):
            if scanner.ds_baselined(shown, hit):
                continue
            yield Finding(CHECK, hit.rule, Severity.ERROR, shown, hit.message,
                          line=hit.line, column=hit.column,
                          excerpt=mask_secret(hit.value, public_prefix(hit.value, hit.prefix)),
                          fingerprint=secret_fingerprint(hit.rule, shown, hit.value))
        if source.truncated:
            yield truncated(CHECK, shown, f"only the first {scanner.max_bytes} of {source.size} "
                            "bytes were scanned; raise [secrets] max-bytes to scan it all")
