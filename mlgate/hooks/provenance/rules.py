"""The hook's rule table: stable ids, messages and default severities (SARIF and docs)."""

from __future__ import annotations

from mlgate.findings import RuleInfo, Severity, file_rules

WARNING = Severity.WARNING

RULES: tuple[RuleInfo, ...] = (
    RuleInfo("provenance/no-record", "data file or artifact not covered by a provenance "
             "record", anchor="provenanceno-record"),
    RuleInfo("provenance/missing-field", "a required field of a record is missing or still "
             "a placeholder", anchor="provenancemissing-field"),
    RuleInfo("provenance/unknown-field", "a required field of a record says `unknown`",
             WARNING, anchor="provenanceunknown-field"),
    RuleInfo("provenance/placeholder", "an optional field still holds a template "
             "placeholder", anchor="provenanceplaceholder"),
    RuleInfo("provenance/schema", "a ledger file does not match the ledger's JSON Schema",
             anchor="provenanceschema"),
    RuleInfo("provenance/invalid-ledger", "a ledger file cannot be read as YAML (malformed, "
             "hostile, too large, not a regular file)", anchor="provenanceinvalid-ledger"),
    RuleInfo("provenance/duplicate-id", "two records share an id",
             anchor="provenanceduplicate-id"),
    RuleInfo("provenance/personal-data-consent", "personal data without consent `yes` or "
             "`not-applicable`", anchor="provenancepersonal-data-consent"),
    RuleInfo("provenance/personal-data-anonymisation", "personal data without an "
             "anonymisation entry", anchor="provenancepersonal-data-anonymisation"),
    RuleInfo("provenance/license-invalid", "the license is not a valid SPDX expression",
             anchor="provenancelicense-invalid"),
    RuleInfo("provenance/license-deprecated", "the license uses a deprecated SPDX id",
             WARNING, anchor="provenancelicense-deprecated"),
    RuleInfo("provenance/license-denied", "the license is not allowed by the policy's "
             "[licenses]", anchor="provenancelicense-denied"),
    RuleInfo("provenance/unknown-dataset", "a run names a dataset that has no record",
             anchor="provenanceunknown-dataset"),
    RuleInfo("provenance/denied-dataset", "a record or run uses a dataset the policy's "
             "[datasets] denies", anchor="provenancedenied-dataset"),
    RuleInfo("provenance/stale-checksum", "a file no longer matches the SHA-256 its record "
             "gives", anchor="provenancestale-checksum"),
    RuleInfo("provenance/missing-file", "a file a record names does not exist",
             anchor="provenancemissing-file"),
    *file_rules("provenance", anchor="provenancenot-scanned-and-provenancefile-truncated"),
)
