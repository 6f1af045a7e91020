"""The policy file: discovery, schema with defaults, strict validation.

`mlgate.toml` at the repository root, or `[tool.mlgate]` in `pyproject.toml`: the first found
walking up from the working directory; `--policy FILE` overrides. Every key has a default, so
no policy at all still gives useful checks. An unknown key, a wrong type or an invalid value
is an MlgateError (exit 2) naming the file, the key and what was expected.
"""

from __future__ import annotations

import copy
import difflib
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.errors import MlgateError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Key:
    type: str  # str, bool, int, float, list[str], table[str], list[table]
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    check: Callable[[Any], str | None] | None = None  # returns a problem, or None


def _regex(value: Any) -> str | None:
    for pattern in value if isinstance(value, list) else [value]:
        try:
            re.compile(pattern)
        except re.error as e:
            return f"a valid regular expression ({pattern!r}: {e})"
    return None


def _known_checks() -> tuple[str, ...]:
    from mlgate.catalog import BY_CHECK  # light: the catalog imports no hook

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


def _rule_ids(check: str) -> Callable[[list[str]], str | None]:
    def problem(value: list[str]) -> str | None:
        for rule in value:
            family, slash, name = rule.rpartition("/")
            if not name or (slash and family != check):
                return f"a list of {check} rule ids ('{check}/<name>'), not {rule!r}"
        return None
    return problem


def _nonempty(value: str) -> str | None:
    return None if value.strip() else "a non-empty path"


def _recognizers(value: list[Mapping[str, Any]]) -> str | None:
    allowed = {"name", "entity", "regex", "score", "context"}
    for i, rec in enumerate(value):
        unknown = set(rec) - allowed
        if unknown:
            return f"only {sorted(allowed)} in recognizer #{i + 1}, not {sorted(unknown)}"
        for k in ("name", "entity", "regex"):
            if not isinstance(rec.get(k), str) or not rec[k]:
                return f"a non-empty string {k!r} in recognizer #{i + 1}"
        problem = _regex(rec["regex"])
        if problem:
            return problem
        score = rec.get("score", 0.6)
        if not isinstance(score, (int, float)) or isinstance(score, bool) or not 0 <= score <= 1:
            return f"a score between 0 and 1 in recognizer #{i + 1}"
        context = rec.get("context", [])
        if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
            return f"a list of strings as 'context' in recognizer #{i + 1}"
    return None


SHARED: dict[str, Key] = {
    "exclude": Key("list[str]", [], "Glob patterns (`**` allowed) of paths no hook checks, "
                   "even when passed explicitly."),
    "severity": Key("table[str]", {}, "Rule id or glob (`pii/*`) to `error`, `warning`, "
                    "`note` or `off`.", check=_severity_table),
    "fail-on": Key("str", "error", "The lowest severity that makes a hook exit 1.",
                   choices=SEVERITIES),
    "baseline": Key("str", ".mlgate-baseline.json", "The baseline file, relative to the policy.",
                    check=_nonempty),
}

SECTIONS: dict[str, dict[str, Key]] = {
    "secrets": {
        "disable": Key("list[str]", [], "Rule ids to switch off (`secrets/generic-api-key`).",
                       check=_rule_ids("secrets")),
        "entropy": Key("bool", False, "Also run detect-secrets' high-entropy string plugins "
                       "(noisy on ML repositories: checkpoint digests, revision SHAs)."),
        "detect-secrets-baseline": Key("str", ".secrets.baseline", "An existing detect-secrets "
                                       "baseline to honour (relative to the policy); `\"\"` "
                                       "turns it off."),
        "allowlist": Key("list[str]", [], "Regular expressions; a detected value that fully "
                         "matches one is not reported.", check=_regex),
        "generic-keywords": Key("list[str]", [], "More names of services or variables whose "
                                "assigned high-entropy value is a secret (generic rule)."),
        "max-bytes": Key("int", 20_000_000, "Bytes read per file; the rest of a larger file is "
                         "not scanned and a warning says so.", minimum=1),
    },
    "pii": {
        "entities": Key("list[str]", ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN",
                                      "IBAN_CODE", "IP_ADDRESS"],
                        "Presidio entity names to detect (any predefined recognizer's entity)."),
        "countries": Key("list[str]", [], "Enable every predefined country-specific recognizer "
                         "of these countries (`es`, `it`, `uk`, …)."),
        "threshold": Key("float", 0.4, "The lowest Presidio score that is reported.", minimum=0),
        "phone-regions": Key("list[str]", ["US", "GB", "DE", "FR", "IL", "IN", "CA", "BR"],
                             "Regions (phonenumbers' two-letter codes: `GB`, not `UK`) whose "
                             "national formats phone numbers are parsed in; numbers written "
                             "with `+` are found for every country (Presidio's default).",
                             check=lambda v: None if all(re.fullmatch(r"[A-Z]{2}", r)
                                                         for r in v)
                             else "a list of two-letter upper-case region codes"),
        "allowlist": Key("list[str]", [], "Values that are never reported (exact match)."),
        "allowlist-patterns": Key("list[str]", [], "Regular expressions; a value that fully "
                                  "matches one is never reported.", check=_regex),
        "default-allowlist": Key("bool", True, "Skip reserved test and documentation values "
                                 "(docs/hooks/pii-in-data-samples.md lists them)."),
        "recognizers": Key("list[table]", [], "Custom pattern recognizers: tables with `name`, "
                           "`entity`, `regex`, `score` (0.6) and `context` (words).",
                           check=_recognizers),
        "max-bytes": Key("int", 5_000_000, "Per-commit byte budget per file; a larger file is "
                         "scanned up to it and gets a warning pointing at `mlgate scan`.",
                         minimum=1),
        "max-seconds": Key("float", 120.0, "Time budget per file: checking stops after this "
                           "many seconds and a warning says how far it got (a guard against "
                           "pathological data; normal files take a fraction of a second).",
                           minimum=0.01),
        "deep": Key("bool", False, "Deep mode (also `--deep`): in-text context words and NER."),
        "spacy-model": Key("str", "", "Deep mode: an installed spaCy pipeline, by package name "
                           "or path, for NER entities."),
        "ner-entities": Key("list[str]", ["PERSON", "LOCATION"], "Deep mode: NER entities to "
                            "report when `spacy-model` is set."),
    },
}


def _type_ok(value: Any, type_: str) -> bool:
    if type_ == "str":
        return isinstance(value, str)
    if type_ == "bool":
        return isinstance(value, bool)
    if type_ == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if type_ == "table[str]":
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    if type_ == "list[table]":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    raise AssertionError(type_)


_EXPECT = {"str": "a string", "bool": "true or false", "int": "an integer", "float": "a number",
           "list[str]": "a list of strings", "table[str]": "a table of strings",
           "list[table]": "an array of tables"}


def _validate(values: Mapping[str, Any], schema: Mapping[str, Key], where: str,
              source: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = schema.get(name)
        key = f"{where}.{name}" if where else name
        if spec is None:
            known = ", ".join(sorted(schema))
            raise MlgateError(f"{source}: unknown key '{key}'{_did_you_mean(name, schema)} "
                              f"(expected one of: {known})")
        if not _type_ok(value, spec.type):
            raise MlgateError(f"{source}: '{key}' must be {_EXPECT[spec.type]}, "
                              f"not {type(value).__name__} {value!r}")
        if spec.choices and value not in spec.choices:
            raise MlgateError(f"{source}: '{key}' must be one of {', '.join(spec.choices)}, "
                              f"not {value!r}")
        if spec.minimum is not None and value < spec.minimum:
            raise MlgateError(f"{source}: '{key}' must be at least {spec.minimum}, not {value}")
        problem = spec.check(value) if spec.check else None
        if problem:
            raise MlgateError(f"{source}: '{key}' must be {problem}")
        out[name] = value
    return out


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class Policy:
    """Validated policy values with defaults filled in; `root` anchors relative paths."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, source: str = "(defaults)",
                 root: Path | None = None) -> None:
        self.source = source
        self.root = (root or Path.cwd()).resolve()
        data = dict(data or {})
        shared = {k: v for k, v in data.items() if k not in SECTIONS}
        for k, v in shared.items():
            if isinstance(v, dict) and k not in SHARED:
                known = ", ".join(sorted([*SECTIONS, *SHARED]))
                hint = _did_you_mean(k, [*SECTIONS, *SHARED])
                raise MlgateError(f"{source}: unknown table '[{k}]'{hint} "
                                  f"(expected one of: {known})")
        self._shared = {k: copy.deepcopy(s.default) for k, s in SHARED.items()}
        self._shared.update(_validate(shared, SHARED, "", source))
        self._sections: dict[str, dict[str, Any]] = {}
        for name, schema in SECTIONS.items():
            table = data.get(name, {})
            if not isinstance(table, dict):
                raise MlgateError(f"{source}: '{name}' must be a table ([{name}])")
            values = {k: copy.deepcopy(s.default) for k, s in schema.items()}
            values.update(_validate(table, schema, name, source))
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


def _parse(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise MlgateError(f"{path}: cannot read policy file ({e.strerror or e})") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise MlgateError(f"{path}: not valid TOML (not UTF-8: {e.reason} at byte "
                          f"{e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise MlgateError(f"{path}: not valid TOML ({e})") from None


def _tool_table(doc: Mapping[str, Any], path: Path) -> dict[str, Any] | None:
    """The [tool.mlgate] table of a parsed pyproject.toml, or None if it has none."""
    tool = doc.get("tool", {})
    if not isinstance(tool, dict) or "mlgate" not in tool:
        return None
    table = tool["mlgate"]
    if not isinstance(table, dict):
        raise MlgateError(f"{path}: 'tool.mlgate' must be a table ([tool.mlgate])")
    return table


def load(path: Path) -> Policy:
    """Load `mlgate.toml` or the `[tool.mlgate]` table of a pyproject.toml."""
    doc = _parse(path)
    if path.name == "pyproject.toml":
        table = _tool_table(doc, path)
        if table is None:  # given explicitly with --policy: do not silently use the defaults
            raise MlgateError(f"{path}: no [tool.mlgate] table")
        doc = table
    return Policy(doc, source=str(path), root=path.parent)


def discover(start: Path | None = None) -> Policy:
    """The first mlgate.toml or pyproject.toml with [tool.mlgate], walking up from `start`
    and stopping at the git repository root."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "mlgate.toml"
        if candidate.is_file():
            return load(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                mentioned = b"mlgate" in pyproject.read_bytes()
            except OSError as e:
                raise MlgateError(f"{pyproject}: cannot read ({e.strerror or e})") from None
            table = _tool_table(_parse(pyproject), pyproject) if mentioned else None
            if table is not None:
                return Policy(table, source=str(pyproject), root=directory)
        if (directory / ".git").exists():
            break  # the repository root: a policy above it belongs to something else
    return Policy(root=_repo_root(here))


def _repo_root(here: Path) -> Path:
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here
