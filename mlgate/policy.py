"""The policy file: discovery, schema with defaults, strict validation.

`mlgate.toml` at the repository root, or `[tool.mlgate]` in `pyproject.toml`: the first found
walking up from the working directory; `--policy FILE` overrides. Every key has a default, so
no policy at all still gives useful checks. An unknown key, a wrong type or an invalid value
is an MlgateError (exit 2) naming the file, the key and what was expected.
"""

from __future__ import annotations

import copy
import functools
import importlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from mlgate.catalog import BY_CHECK, HOOKS
from mlgate.errors import MlgateError
from mlgate.fileio import UnsafeFile, printable, read_regular
from mlgate.schema import SEVERITIES, Key, did_you_mean, nonempty, validate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


def _known_checks() -> tuple[str, ...]:
    return (*BY_CHECK, "baseline")


def _severity_table(value: Mapping[str, str]) -> str | None:
    checks = _known_checks()
    for rule, level in value.items():
        family, slash, _name = rule.partition("/")
        if rule != "*" and not (slash and (family in checks or any(c in family for c in "*?["))):
            return (f"rule ids or globs of the form <check>/<rule> with a check of "
                    f"{', '.join(checks)} (like 'secrets/*'), not {rule!r}")
        if level not in (*SEVERITIES, "off"):
            return f"error, warning, note or off for {rule!r}, not {level!r}"
    return None


SHARED: dict[str, Key] = {
    "exclude": Key("list[str]", [], "Glob patterns (`**` allowed) of paths no hook checks, "
                   "even when passed explicitly."),
    "severity": Key("table[str]", {}, "Rule id or glob (`pii/*`) to `error`, `warning`, "
                    "`note` or `off`.", check=_severity_table),
    "fail-on": Key("str", "error", "The lowest severity that makes a hook exit 1.",
                   choices=SEVERITIES),
    "baseline": Key("str", ".mlgate-baseline.json", "The baseline file, relative to the policy.",
                    check=nonempty),
}


# Tables the core owns because several checks read them: name -> module with SCHEMA and an
# optional validate(values, source); the module must be cheap to import
CORE_TABLES: dict[str, str] = {
    "licenses": "mlgate.licensing",
}


@functools.cache
def _core_module(name: str) -> ModuleType:
    return importlib.import_module(CORE_TABLES[name])


@functools.cache
def sections() -> dict[str, dict[str, Key]]:
    """Each policy table by name: the core's shared tables, then each hook's table (by check
    name) from its own config module (catalog)."""
    core = {name: _core_module(name).SCHEMA for name in CORE_TABLES}
    return {**core, **{h.check: h.schema for h in HOOKS}}


def _validate_table(name: str, values: dict[str, Any], source: str) -> None:
    if name in CORE_TABLES:
        check = getattr(_core_module(name), "validate", None)
        if check is not None:
            check(values, source)
    else:
        BY_CHECK[name].validate(values, source)


class Policy:
    """Validated policy values with defaults filled in; `root` anchors relative paths."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, source: str = "(defaults)",
                 root: Path | None = None) -> None:
        self.source = source
        self.root = (root or Path.cwd()).resolve()
        data = dict(data or {})
        shared = {k: v for k, v in data.items() if k not in sections()}
        for k, v in shared.items():
            if isinstance(v, dict) and k not in SHARED:
                known = ", ".join(sorted([*sections(), *SHARED]))
                hint = did_you_mean(k, [*sections(), *SHARED])
                raise MlgateError(f"{source}: unknown table '[{k}]'{hint} "
                                  f"(expected one of: {known})")
        self._shared = {k: copy.deepcopy(s.default) for k, s in SHARED.items()}
        self._shared.update(validate(shared, SHARED, "", source))
        self._sections: dict[str, dict[str, Any]] = {}
        for name, schema in sections().items():
            table = data.get(name, {})
            if not isinstance(table, dict):
                raise MlgateError(f"{source}: '{name}' must be a table ([{name}])")
            values = {k: copy.deepcopy(s.default) for k, s in schema.items()}
            values.update(validate(table, schema, name, source))
            _validate_table(name, values, source)
            self._sections[name] = values

    def __getitem__(self, key: str) -> Any:
        return self._shared[key]

    def section(self, name: str) -> dict[str, Any]:
        return self._sections[name]

    def with_overrides(self, section: str, **values: Any) -> Policy:
        """A copy with some keys of one section set (command-line options such as --deep)."""
        clone = copy.copy(self)
        clone._sections = {**self._sections, section: {**self._sections[section], **values}}
        return clone

    def resolve(self, relative: str) -> Path:
        return self.root / relative


POLICY_CAP = 1 << 20  # bytes: a policy (or a pyproject.toml) is a few kilobytes


def _read(path: Path) -> bytes:
    """The bytes of a policy file: a regular file (whatever a symlink points at) of at most
    POLICY_CAP bytes; a FIFO, device, directory or dangling symlink is an error naming it."""
    try:
        return read_regular(path, POLICY_CAP, what="policy file")
    except UnsafeFile as e:
        raise MlgateError(f"{printable(path)}: cannot read policy file: {e}") from None


def _parse(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    raw = _read(path) if raw is None else raw
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise MlgateError(f"{printable(path)}: not valid TOML (not UTF-8: {e.reason} at byte "
                          f"{e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise MlgateError(f"{printable(path)}: not valid TOML ({e})") from None
    except RecursionError:
        raise MlgateError(f"{printable(path)}: not valid TOML (nested too deeply)") from None


def _tool_table(doc: Mapping[str, Any], path: Path) -> dict[str, Any] | None:
    """The [tool.mlgate] table of a parsed pyproject.toml, or None if it has none."""
    tool = doc.get("tool", {})
    if not isinstance(tool, dict) or "mlgate" not in tool:
        return None
    table = tool["mlgate"]
    if not isinstance(table, dict):
        raise MlgateError(f"{printable(path)}: 'tool.mlgate' must be a table ([tool.mlgate])")
    return table


def load(path: Path) -> Policy:
    """Load `mlgate.toml` or the `[tool.mlgate]` table of a pyproject.toml."""
    doc = _parse(path)
    if path.name == "pyproject.toml":
        table = _tool_table(doc, path)
        if table is None:  # given explicitly with --policy: do not silently use the defaults
            raise MlgateError(f"{printable(path)}: no [tool.mlgate] table")
        doc = table
    return Policy(doc, source=printable(path), root=path.parent)


def discover(start: Path | None = None) -> Policy:
    """The first mlgate.toml or pyproject.toml with [tool.mlgate], walking up from `start`
    and stopping at the git repository root."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        # whatever is there by these names is read (or refused, naming it): a FIFO, device,
        # directory or dangling symlink named mlgate.toml is never silently skipped (#12)
        candidate = directory / "mlgate.toml"
        if os.path.lexists(candidate):
            return load(candidate)
        pyproject = directory / "pyproject.toml"
        if os.path.lexists(pyproject):
            raw = _read(pyproject)
            table = _tool_table(_parse(pyproject, raw), pyproject) if b"mlgate" in raw else None
            if table is not None:
                return Policy(table, source=printable(pyproject), root=directory)
        if (directory / ".git").exists():
            break  # the repository root: a policy above it belongs to something else
    return Policy(root=_repo_root(here))


def _repo_root(here: Path) -> Path:
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here
