"""The hook's rule table: stable ids, messages and default severities (SARIF and docs)."""

from __future__ import annotations

from mlgate.findings import RuleInfo, Severity, file_rules

RULES: tuple[RuleInfo, ...] = (
    RuleInfo("manifest/changed", "artifact differs from its manifest entry (size or SHA-256)",
             anchor="manifestchanged"),
    RuleInfo("manifest/missing-file", "the manifest lists a file that does not exist",
             anchor="manifestmissing-file"),
    RuleInfo("manifest/not-listed", "artifact that the manifest does not list",
             anchor="manifestnot-listed"),
    RuleInfo("manifest/no-manifest", "artifacts but no manifest",
             anchor="manifestno-manifest"),
    RuleInfo("manifest/invalid", "the manifest is not a valid manifest",
             anchor="manifestinvalid"),
    RuleInfo("manifest/not-canonical", "the manifest is valid but not in canonical form",
             Severity.WARNING, anchor="manifestnot-canonical"),
    *file_rules("manifest", anchor="manifestnot-scanned-and-manifestfile-truncated"),
)
