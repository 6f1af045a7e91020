"""The `[secrets]` policy table."""

from __future__ import annotations

from typing import Any

from mlgate.errors import MlgateError
from mlgate.schema import Key, regex, rule_ids

SCHEMA: dict[str, Key] = {
    "disable": Key("list[str]", [], "Rule ids to switch off (`secrets/generic-api-key`).",
                   check=rule_ids("secrets")),
    "entropy": Key("bool", False, "Also run detect-secrets' high-entropy string plugins "
                   "(noisy on ML repositories: checkpoint digests, revision SHAs)."),
    "detect-secrets-baseline": Key("str", ".secrets.baseline", "An existing detect-secrets "
                                   "baseline to honour (relative to the policy); `\"\"` "
                                   "turns it off."),
    "allowlist": Key("list[str]", [], "Regular expressions; a detected value that fully "
                     "matches one is not reported.", check=regex),
    "generic-keywords": Key("list[str]", [], "More names of services or variables whose "
                            "assigned high-entropy value is a secret (generic rule)."),
    "precision-off": Key("list[str]", [], "mlgate's precision rules to switch off "
                         "(`placeholder-runs`, `git-sha`, `dna-sequence`, `embedded-base64`, "
                         "`code-reference`): their matches are then reported."),
    "max-bytes": Key("int", 20_000_000, "Bytes read per file; the rest of a larger file is "
                     "not scanned and a warning says so.", minimum=1),
}


def validate(values: dict[str, Any], source: str) -> None:
    if values["precision-off"]:
        from mlgate.hooks.secrets.precision import NAMES

        unknown = [n for n in values["precision-off"] if n not in NAMES]
        if unknown:
            raise MlgateError(f"{source}: 'secrets.precision-off' names unknown precision "
                              f"rules {unknown} (known: {', '.join(NAMES)})")
    if not values["disable"]:
        return
    from mlgate.hooks.secrets.rules import RULES

    known = {r.id for r in RULES}
    unknown = [r for r in values["disable"] if f"secrets/{r.removeprefix('secrets/')}"
               not in known]
    if unknown:
        raise MlgateError(f"{source}: 'secrets.disable' names unknown rules {unknown} "
                          "(see docs/hooks/detect-ml-secrets.md)")
