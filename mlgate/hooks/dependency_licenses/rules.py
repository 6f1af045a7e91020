"""The rule table of `mlgate dependency-licenses`: stable ids, messages, severities."""

from __future__ import annotations

from mlgate.findings import RuleInfo, Severity, file_rules

CHECK = "dependency-licenses"

DENIED = f"{CHECK}/denied"
UNKNOWN = f"{CHECK}/unknown-license"
NOT_INSTALLED = f"{CHECK}/not-installed"
NO_METADATA = f"{CHECK}/no-metadata"
VERSION_MISMATCH = f"{CHECK}/version-mismatch"
UNUSED_OVERRIDE = f"{CHECK}/unused-override"

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(DENIED, "the dependency's license is not allowed by the policy's [licenses] lists",
             anchor="denied"),
    RuleInfo(UNKNOWN, "the dependency's license cannot be read as an SPDX expression",
             anchor="unknown-license"),
    RuleInfo(NOT_INSTALLED, "a declared dependency is not installed: its license cannot be "
             "checked", anchor="not-installed"),
    RuleInfo(NO_METADATA, "an installed distribution has no readable metadata",
             anchor="no-metadata"),
    RuleInfo(VERSION_MISMATCH, "the installed version is not the one declared: the license "
             "checked may not be the one that ships", Severity.WARNING,
             anchor="version-mismatch"),
    RuleInfo(UNUSED_OVERRIDE, "a policy override names a package that is not a dependency",
             Severity.NOTE, anchor="unused-override"),
    *file_rules(CHECK, anchor="files-that-cannot-be-read"),
)
