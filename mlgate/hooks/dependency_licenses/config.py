"""The `[dependency-licenses]` policy table."""

from __future__ import annotations

from typing import Any

from mlgate.errors import MlgateError
from mlgate.schema import Key

OVERRIDE_KEYS = ("package", "license", "reason")

SCHEMA: dict[str, Key] = {
    "groups": Key("list[str]", [], "Optional dependency groups of pyproject.toml to check "
                  "besides `[project] dependencies`: names of `[project.optional-dependencies]` "
                  "extras or of `[dependency-groups]` (PEP 735)."),
    "requirements": Key("list[str]", ["requirements*.txt", "requirements/*.txt"],
                        "Requirements files (globs, relative to the policy) read when no "
                        "paths are given; a file named here is read whatever its name."),
    "environment": Key("list[str]", [], "Where the installed distributions are read: "
                       "virtual environments or `sys.path` directories (relative to the "
                       "policy); empty: the environment mlgate runs in."),
    "transitive": Key("bool", True, "Also check what the declared dependencies require, "
                      "following the installed distributions' `Requires-Dist`."),
    "block-unknown": Key("bool", True, "A dependency whose license cannot be read as an "
                         "SPDX expression blocks (`false`: a warning)."),
    "ignore": Key("list[str]", [], "Package names never checked (the project itself, "
                  "internal packages)."),
    "overrides": Key("list[table]", [], "Licenses recorded by the team where a package's "
                     "metadata is wrong or missing: `{package = \"name\", license = \"SPDX "
                     "expression\", reason = \"why\"}`; the reason is required."),
}


def validate(values: dict[str, Any], source: str) -> None:
    seen: set[str] = set()
    for i, entry in enumerate(values["overrides"]):
        where = f"{source}: 'dependency-licenses.overrides[{i}]'"
        unknown = sorted(set(entry) - set(OVERRIDE_KEYS))
        if unknown:
            raise MlgateError(f"{where} has unknown keys {unknown} (expected: "
                              f"{', '.join(OVERRIDE_KEYS)})")
        for key in OVERRIDE_KEYS:
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                problem = "is missing" if value is None else "must be a non-empty string"
                raise MlgateError(f"{where}: '{key}' {problem}"
                                  + (" (say why the metadata is overridden)"
                                     if key == "reason" else ""))
        from packaging.utils import canonicalize_name

        name = canonicalize_name(entry["package"])
        if name in seen:
            raise MlgateError(f"{where}: package {entry['package']!r} is overridden twice")
        seen.add(name)
        from mlgate import licensing

        expr = licensing.parse(entry["license"])
        if not expr.valid:
            detail = "; ".join(p.detail for p in expr.problems) or "not a valid expression"
            raise MlgateError(f"{where}: 'license' {entry['license'][:80]!r} is not a valid "
                              f"SPDX license expression ({detail})")
