"""The hook's rule table: stable ids, messages and default severities (SARIF and docs)."""

from __future__ import annotations

from mlgate.findings import RuleInfo, Severity, file_rules

CHECK = "model-card"

RULES: tuple[RuleInfo, ...] = (
    RuleInfo("model-card/missing-section", "a required section is missing",
             anchor="missing-section"),
    RuleInfo("model-card/unfilled-section", "a required section is empty or still holds "
             "template placeholders", anchor="unfilled-section"),
    RuleInfo("model-card/missing-metadata", "a required front matter key is missing or "
             "still a placeholder", anchor="missing-metadata"),
    RuleInfo("model-card/invalid-metadata", "a front matter value has the wrong shape",
             anchor="invalid-metadata"),
    RuleInfo("model-card/invalid-model-index", "`model-index` is not structured as the Hub "
             "expects", anchor="invalid-model-index"),
    RuleInfo("model-card/front-matter-invalid", "the YAML front matter cannot be read",
             anchor="front-matter-invalid"),
    RuleInfo("model-card/invalid-license", "the license is neither a Hugging Face license id "
             "nor a valid SPDX expression", anchor="invalid-license"),
    RuleInfo("model-card/ambiguous-license", "the license id names a family of licenses, "
             "not one", Severity.WARNING, anchor="ambiguous-license"),
    RuleInfo("model-card/license-not-allowed", "the license is denied (or not allowed) by the "
             "policy's [licenses] lists", anchor="license-not-allowed"),
    RuleInfo("model-card/license-mismatch", "the card's license differs from the repository's "
             "LICENSE file", Severity.WARNING, anchor="license-mismatch"),
    RuleInfo("model-card/denied-dataset", "the card names a dataset the policy's [datasets] "
             "deny lists", anchor="denied-dataset"),
    RuleInfo("model-card/dataset-without-provenance", "the card names a dataset that has no "
             "provenance record", anchor="dataset-without-provenance"),
    RuleInfo("model-card/results-mismatch", "a `model-index` result differs from the "
             "evaluation results file of the run that made the model",
             anchor="results-mismatch"),
    RuleInfo("model-card/too-short", "the card holds fewer words than the policy asks",
             anchor="too-short"),
    *file_rules(CHECK, anchor="files-that-cannot-be-checked"),
)
