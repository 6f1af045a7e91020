"""The hook's rule table: stable ids, messages and default severities (SARIF and docs)."""

from __future__ import annotations

from mlgate.findings import RuleInfo, Severity, file_rules

CHECK = "license-headers"

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(f"{CHECK}/missing-identifier", "no SPDX-License-Identifier in the file's header, "
             "its .license sidecar or a REUSE.toml annotation", anchor="missing-identifier"),
    RuleInfo(f"{CHECK}/missing-copyright", "no copyright line (SPDX-FileCopyrightText, "
             "Copyright, ©) in the file's header, its .license sidecar or a REUSE.toml "
             "annotation", anchor="missing-copyright"),
    RuleInfo(f"{CHECK}/malformed-expression", "the SPDX license expression does not parse",
             anchor="malformed-expression"),
    RuleInfo(f"{CHECK}/unknown-license", "a license or exception id that is not on the SPDX "
             "license list", anchor="unknown-license"),
    RuleInfo(f"{CHECK}/deprecated-license", "a deprecated SPDX license id (GPL-3.0, GPL-2.0+)",
             anchor="deprecated-license"),
    RuleInfo(f"{CHECK}/missing-license-ref-text", "a LicenseRef- without its text in "
             "LICENSES/", anchor="missing-license-ref-text"),
    RuleInfo(f"{CHECK}/missing-license-text", "a license without its text in LICENSES/",
             Severity.WARNING, anchor="missing-license-text"),
    RuleInfo(f"{CHECK}/license-denied", "the license expression is not allowed by the "
             "policy's [licenses] allow/deny lists", anchor="license-denied"),
    *file_rules(CHECK, anchor="files-that-were-not-checked"),
)
