"""The provenance ledger: where the data came from, and which run made which artifact.

A core module (not a hook's): provenance-notes checks the ledger, model-card-fields and the
release gate read it. Format, JSON Schema and rules: docs/hooks/provenance-notes.md.

Files. A **root ledger** (`PROVENANCE.yaml` at the repository root, or `provenance.yaml`;
the name is `[provenance] ledger`) and **sidecars** `<path>.provenance.yaml` next to the file
or folder they describe. Both hold one YAML document of the same shape:

    ledger: 1
    datasets: [ {id: reviews-2024, paths: ["data/reviews/**"], name: ..., license: ...} ]
    runs:     [ {id: finetune-v1, datasets: [reviews-2024], artifacts: [{path, sha256}]} ]

Every path in a ledger file is relative to the directory holding it. A sidecar's record
without `paths` covers the sidecar's subject (`data/x.csv.provenance.yaml` covers
`data/x.csv`; `data/raw.provenance.yaml` covers the folder `data/raw` and everything under
it). A run record also covers the artifacts it lists.

Reading is safe: every file through `fileio.read_regular` (capped, symlinks refused), YAML
with a safe loader (no timestamps, YAML 1.2 booleans: `yes`/`no` stay strings), aliases
expanded at most MAX_NODES nodes (a "billion laughs" document is refused, not expanded),
recursive aliases refused; each document validated against LEDGER_SCHEMA (JSON Schema draft
2020-12, jsonschema imported on the first validation). Nothing here raises on a bad ledger:
what is wrong is a `Problem` naming the file, the line and the place in the document.

API (small on purpose):

- `load(root, name=DEFAULT_LEDGER, validate=True) -> Ledger`, `load_for(policy) -> Ledger`
  (the name and root from the policy): the root ledger and every sidecar under `root`;
  `validate=False` defers the schema (no jsonschema import) until `Ledger.validate(file)`.
- `Ledger.covering(path)` the records covering a repo-relative path; `Ledger.record(id)`;
  `Ledger.dataset_for(reference)` the dataset record an id, name, URL or HF id names;
  `Ledger.datasets`, `Ledger.runs`, `Ledger.problems`, `Ledger.files`.
- `Record`: `kind` ("dataset" | "run"), `id`, `data`, `file`, `where`, `line`,
  `get("consent.given")`, `state(field)` ("absent" | "placeholder" | "unknown" | "filled"),
  `line_of(field)`, `resolve(path)`, `digests()` (the (path, sha256) pairs it pins).
- `read_document(path, shown)` parse and validate one ledger file (the hook checks a changed
  sidecar with it); `is_ledger_file(relpath, name)`, `sidecar_subject(relpath)`.
- `denied(value, policy) -> str | None`: the `[datasets] deny` entry (names, URLs, Hugging Face
  dataset ids, globs) matching a dataset name, URL or id; `denied_fields(record, policy)`.

The policy table `[datasets]` (SCHEMA, validate) is registered in policy.CORE_TABLES.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mlgate import fileio
from mlgate.errors import MlgateError
from mlgate.schema import Key

if TYPE_CHECKING:
    from mlgate.policy import Policy

# --------------------------------------------------------------------------- [datasets]


def _deny_entries(value: list[str]) -> str | None:
    bad = [v for v in value if not v.strip() or len(v) > 2000 or "\n" in v]
    if bad:
        return f"dataset names, URLs, Hugging Face ids or globs (one line each), not {bad[:3]}"
    return None


SCHEMA: dict[str, Key] = {
    "deny": Key("list[str]", [], "Datasets a release must not use: names, URLs, Hugging Face "
                "dataset ids (`org/name`) or globs (`laion/*`, `*books3*`), case-insensitive.",
                check=_deny_entries),
}


def validate(values: dict[str, Any], source: str) -> None:
    if len(values["deny"]) > 10_000:
        raise MlgateError(f"{source}: [datasets] deny lists more than 10000 entries")


# --------------------------------------------------------------------------- the format

DEFAULT_LEDGER = "PROVENANCE.yaml"
ALTERNATE_LEDGER = "provenance.yaml"  # also read when the name is the default
SIDECAR_SUFFIX = ".provenance.yaml"
LEDGER_CAP = 4 << 20  # bytes of one ledger file: records are a few hundred bytes each
MAX_NODES = 200_000  # YAML nodes of one document once aliases are expanded
MAX_DEPTH = 64  # nesting of one document
MAX_SIDECARS = 10_000
MAX_WALK = 200_000  # directory entries looked at when searching sidecars without git
MAX_PROBLEMS = 50  # schema problems reported per document

TRI_STATE = ("yes", "no", "unknown")
CONSENT = ("yes", "no", "not-applicable", "unknown")
SOURCE_TYPES = ("web-crawl", "public-dataset", "licensed", "human-generated", "crowdsourced",
                "user-submitted", "synthetic", "model-generated", "internal", "sensor",
                "derived", "other", "unknown")

_TEXT: dict[str, Any] = {"type": "string", "maxLength": 10_000}
_TEXTS: dict[str, Any] = {"type": "array", "items": _TEXT, "maxItems": 1000}
# "a or b" as one multi-type schema, not oneOf: keywords of the other type do not apply, and
# validation stays one pass (oneOf tries every branch)
_TEXT_OR_TEXTS: dict[str, Any] = {"type": ["string", "array"], "maxLength": 10_000,
                                  "items": _TEXT, "maxItems": 1000}
# relative, `/`-separated, never leaving the ledger's directory
_PATH: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 1000,
                         "pattern": r"^(?![/\\])(?![A-Za-z]:)(?!(.*[/\\])?\.\.([/\\]|$))"}
_SHA256: dict[str, Any] = {"type": "string", "pattern": r"^(sha256:)?[0-9a-fA-F]{64}$"}
_EXT: dict[str, Any] = {"^x-": {}}  # extension keys, never checked

LEDGER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://mlgate.dev/schemas/provenance-ledger-1.json",
    "title": "mlgate provenance ledger",
    "type": "object",
    "additionalProperties": False,
    "patternProperties": _EXT,
    "properties": {
        "ledger": {"const": 1, "description": "the format version"},
        "datasets": {"type": "array", "maxItems": 10_000,
                     "items": {"$ref": "#/$defs/dataset"}},
        "runs": {"type": "array", "maxItems": 10_000, "items": {"$ref": "#/$defs/run"}},
    },
    "$defs": {
        "id": {"type": "string",
               "pattern": r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$"},
        "paths": {"type": "array", "items": {"$ref": "#/$defs/path"}, "maxItems": 1000},
        "path": _PATH,
        "file-digest": {
            "type": "object", "required": ["path"], "additionalProperties": False,
            "patternProperties": _EXT,
            "properties": {"path": _PATH, "sha256": _SHA256, "size": {"type": "integer"}},
        },
        "person": {
            "type": ["string", "object"], "maxLength": 10_000, "additionalProperties": False,
            "patternProperties": _EXT,
            "properties": {"name": _TEXT, "contact": _TEXT, "role": _TEXT,
                           "organization": _TEXT}},
        "dataset": {
            "type": "object", "required": ["id"], "additionalProperties": False,
            "patternProperties": _EXT,
            "properties": {
                "id": {"$ref": "#/$defs/id"},
                "paths": {"$ref": "#/$defs/paths"},
                "name": _TEXT,
                "version": {"type": ["string", "number"]},
                "description": _TEXT,
                "source": _TEXT,
                "source-type": {"enum": list(SOURCE_TYPES)},
                "derived-from": _TEXTS,
                "license": _TEXT,
                "terms-url": _TEXT,
                "license-verified-by": _TEXT,
                "creators": {"type": "array", "items": {"$ref": "#/$defs/person"},
                             "maxItems": 1000},
                "contact": _TEXT,
                "collection-period": {
                    "type": ["string", "object"], "maxLength": 10_000,
                    "additionalProperties": False,
                    "properties": {"start": _TEXT, "end": _TEXT}},
                "collection-method": _TEXT,
                "consent": {
                    "type": "object", "additionalProperties": False,
                    "patternProperties": _EXT,
                    "properties": {"given": {"enum": list(CONSENT)}, "mechanism": _TEXT,
                                   "revocable": {"enum": list(TRI_STATE)}, "notes": _TEXT}},
                "personal-data": {
                    "type": "object", "additionalProperties": False,
                    "patternProperties": _EXT,
                    "properties": {"present": {"enum": list(TRI_STATE)},
                                   "categories": _TEXTS,
                                   "sensitive": {"enum": list(TRI_STATE)}, "notes": _TEXT}},
                "anonymisation": _TEXT_OR_TEXTS,
                "preprocessing": _TEXT_OR_TEXTS,
                "annotation": {
                    "type": ["string", "object"], "maxLength": 10_000,
                    "additionalProperties": False, "patternProperties": _EXT,
                    "properties": {"method": _TEXT, "annotators": _TEXT,
                                   "guidelines": _TEXT}},
                "ethical-review": {
                    "type": "object", "additionalProperties": False,
                    "patternProperties": _EXT,
                    "properties": {"status": {"enum": [*CONSENT, "pending"]},
                                   "board": _TEXT, "reference": _TEXT, "date": _TEXT}},
                "retention": _TEXT,
                "access": _TEXT,
                "confidentiality": {"enum": ["red", "amber", "green", "clear"]},
                "known-bias": _TEXT_OR_TEXTS,
                "limitations": _TEXT_OR_TEXTS,
                "checksums": {"type": "array", "items": {"$ref": "#/$defs/file-digest"},
                              "maxItems": 100_000},
            },
        },
        "run": {
            "type": "object", "required": ["id"], "additionalProperties": False,
            "patternProperties": _EXT,
            "properties": {
                "id": {"$ref": "#/$defs/id"},
                "paths": {"$ref": "#/$defs/paths"},
                "name": _TEXT,
                "description": _TEXT,
                "datasets": {"type": "array", "items": {"$ref": "#/$defs/id"},
                             "minItems": 1, "maxItems": 1000},
                "preprocessing": _TEXT_OR_TEXTS,
                "hyperparameters": {**_PATH, "type": ["object", "string"]},
                "code-revision": _TEXT,
                "base-model": _TEXT,
                "started": _TEXT,
                "finished": _TEXT,
                "artifacts": {"type": "array", "items": {"$ref": "#/$defs/file-digest"},
                              "maxItems": 100_000},
                "evaluation": {"type": "array", "items": {"$ref": "#/$defs/path"},
                               "maxItems": 1000},
            },
        },
    },
}

# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """Something wrong with a ledger file: `kind` is "unreadable" (not a regular file, too
    large, not UTF-8), "yaml" (malformed, hostile), "schema" (a JSON Schema violation) or
    "duplicate-id"; `where` is the place in the document (`datasets[0].consent.given`)."""

    file: str
    message: str
    kind: str
    line: int | None = None
    where: str = ""
    record: str | None = None

    def __str__(self) -> str:
        at = f":{self.line}" if self.line else ""
        return f"{self.file}{at}: {self.where + ': ' if self.where else ''}{self.message}"


class LedgerError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# --------------------------------------------------------------------------- YAML


@functools.cache
def _loader() -> Any:
    """A safe loader (libyaml when present) that keeps dates as strings and reads only
    true/false as booleans: `given: no` is the string "no", not False."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    bool_tag, time_tag = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"
    resolvers: dict[Any, list[Any]] = {}
    for first, items in base.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in items if tag not in (bool_tag, time_tag)]
        if kept:
            resolvers[first] = kept
    booleans = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
    for first in "tTfF":
        resolvers.setdefault(first, []).append((bool_tag, booleans))
    return type("LedgerLoader", (base,), {"yaml_implicit_resolvers": resolvers})


def _children(node: Any) -> list[Any]:
    value = node.value
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            if isinstance(item, tuple):
                out.extend(item)
            else:
                out.append(item)
        return out
    return []


def _check_expansion(root: Any, shown: str) -> None:
    """Refuse a node graph that expands to more than MAX_NODES nodes, nests deeper than
    MAX_DEPTH, or refers to itself: before anything walks it."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, bool, int]] = [(root, False, 0)]
    while stack:
        node, done, depth = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            total = 1 + sum(sizes[id(c)] for c in _children(node))
            if total > MAX_NODES:
                raise LedgerError(Problem(shown, f"expands to more than {MAX_NODES} YAML "
                                          "nodes (aliases): refused", "yaml"))
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in active:
            raise LedgerError(Problem(shown, "a recursive alias (a node containing itself)",
                                      "yaml", line=node.start_mark.line + 1))
        if depth > MAX_DEPTH:
            raise LedgerError(Problem(shown, f"nested deeper than {MAX_DEPTH} levels", "yaml",
                                      line=node.start_mark.line + 1))
        active.add(key)
        stack.append((node, True, depth))
        stack.extend((c, False, depth + 1) for c in _children(node) if id(c) not in sizes)


def _parse(raw: bytes, shown: str) -> tuple[Any, Any]:
    """(value, node) of one YAML document; raises LedgerError."""
    import yaml

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LedgerError(Problem(shown, f"not UTF-8 ({e.reason} at byte {e.start})",
                                  "unreadable")) from None
    if "\0" in text:
        raise LedgerError(Problem(shown, "binary content (NUL bytes), not YAML", "unreadable"))
    loader = _loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node, shown)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (e.context, e.problem) if x)
        raise LedgerError(Problem(shown, f"not valid YAML ({what})", "yaml", line=line)) \
            from None
    except yaml.YAMLError as e:
        raise LedgerError(Problem(shown, f"not valid YAML ({str(e).splitlines()[0]})", "yaml")) \
            from None
    except RecursionError:
        raise LedgerError(Problem(shown, "nested too deeply", "yaml")) from None
    finally:
        loader.dispose()


def _node_at(node: Any, where: Sequence[str | int]) -> Any:
    """The YAML node at a document path, or the deepest one found on the way."""
    for step in where:
        value = getattr(node, "value", None)
        nxt = None
        if isinstance(step, int) and isinstance(value, list) and step < len(value) and \
                not isinstance(value[step], tuple):
            nxt = value[step]
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, tuple) and getattr(item[0], "value", None) == step:
                    nxt = item[1]
                    break
        if nxt is None:
            return node
        node = nxt
    return node


def _line(node: Any, where: Sequence[str | int]) -> int | None:
    if node is None:
        return None
    return int(_node_at(node, where).start_mark.line) + 1


def render_where(where: Sequence[str | int]) -> str:
    """`datasets[0].consent.given` for ("datasets", 0, "consent", "given")."""
    out = ""
    for step in where:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(LEDGER_SCHEMA)


_KINDS = {"string": "a string", "array": "a list", "object": "a mapping", "number": "a number",
          "integer": "an integer", "boolean": "true or false", "null": "null"}


def _kind_of(value: Any) -> str:
    for name, kind in (("boolean", bool), ("string", str), ("array", list), ("object", dict),
                       ("integer", int), ("number", float)):
        if isinstance(value, kind):
            return _KINDS[name]
    return "null" if value is None else type(value).__name__


def _expected(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(_KINDS.get(str(k), str(k)) for k in kind)
    if isinstance(kind, str):
        return _KINDS.get(kind, kind)
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    return "a value"


def _schema_message(error: Any) -> str:
    """A one-line message that never repeats the value itself (a ledger may hold a contact
    address; what is wrong is said by type and place)."""
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "type":
        message = f"must be {_expected(error.schema)}, not {_kind_of(instance)}"
        if isinstance(instance, (int, float)) and not isinstance(instance, bool):
            message += " (quote it: YAML reads digits as a number)"
    elif kind == "enum":
        message = f"must be one of {', '.join(map(str, expected))}"
        if isinstance(instance, bool):
            message += " (quoted words, not true/false)"
    elif kind == "const":
        message = f"must be {expected!r}"
    elif kind == "oneOf":
        message = f"must be {' or '.join(dict.fromkeys(_expected(s) for s in expected))}"
    elif kind == "pattern" and expected == _PATH["pattern"]:
        message = "must be a relative path inside the ledger's directory (no '/...', no '..')"
    elif kind == "pattern" and expected == _SHA256["pattern"]:
        message = "must be a SHA-256 digest: 64 hex digits (optionally 'sha256:' first)"
    elif kind == "pattern":
        message = f"must match {expected}"
    elif kind in ("minItems", "maxItems", "minLength", "maxLength"):
        what = "items" if kind.endswith("Items") else "characters"
        message = f"must have {'at least' if kind.startswith('min') else 'at most'} " \
                  f"{expected} {what}"
    elif kind == "additionalProperties" and isinstance(instance, dict):
        import difflib

        known = list(error.schema.get("properties", {}))
        extra = [k for k in instance if k not in known and not str(k).startswith("x-")]
        parts = []
        for key in extra[:5]:
            close = difflib.get_close_matches(str(key), known, n=1)
            parts.append(f"{str(key)!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        message = f"unknown key {', '.join(parts)} (keys starting with 'x-' are free)"
    elif kind == "required":
        message = str(error.message)
    else:
        message = f"is not valid ({kind})"
    if len(message) > 400:
        message = message[:397] + "..."
    return fileio.printable(message)


def _string_keys(value: Any, where: list[str | int], problems: list[str]) -> Any:
    """The value with every mapping key a string (YAML allows `1:` and `null:` keys; the
    schema names keys): a non-string key is renamed and reported."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                problems.append(render_where(where) or "(top level)")
                k = str(k)
            out[k] = _string_keys(v, [*where, k], problems)
        return out
    if isinstance(value, list):
        return [_string_keys(v, [*where, i], problems) for i, v in enumerate(value)]
    return value


@dataclass(frozen=True)
class Document:
    """One ledger file read: its value (None when unreadable), its YAML node, its problems."""

    file: str
    value: Any
    node: Any
    problems: tuple[Problem, ...]
    validated: bool = True  # checked against LEDGER_SCHEMA (or unreadable: nothing to check)

    def line(self, where: Sequence[str | int]) -> int | None:
        return _line(self.node, where)


def _schema_problems(value: Any, node: Any, shown: str) -> list[Problem]:
    problems = []
    errors = sorted(_validator().iter_errors(value), key=lambda e: list(map(str, e.path)))
    for error in errors[:MAX_PROBLEMS]:
        where = list(error.absolute_path)
        record = None
        if len(where) >= 2 and isinstance(value, dict) and isinstance(where[1], int):
            items = value.get(where[0])
            if isinstance(items, list) and isinstance(items[where[1]], dict):
                rid = items[where[1]].get("id")
                record = rid if isinstance(rid, str) else None
        problems.append(Problem(shown, _schema_message(error), "schema",
                                line=_line(node, where), where=render_where(where),
                                record=record))
    if len(errors) > MAX_PROBLEMS:
        problems.append(Problem(shown, f"{len(errors) - MAX_PROBLEMS} more schema problems "
                                "not listed", "schema"))
    return problems


def read_document(path: str | os.PathLike[str], shown: str, *,
                  validate: bool = True) -> Document:
    """Read, parse and (with `validate`) validate one ledger file against LEDGER_SCHEMA.
    Never raises: an unreadable or malformed file is a Document with value None and its
    problem. Without `validate`, jsonschema is not imported (see `validated`)."""
    try:
        raw = fileio.read_regular(path, LEDGER_CAP, what="ledger file", follow_symlinks=False)
        value, node = _parse(raw, shown)
    except fileio.UnsafeFile as e:
        return Document(shown, None, None, (Problem(shown, str(e), "unreadable"),))
    except LedgerError as e:
        return Document(shown, None, None, (e.problem,))
    if value is None:
        value = {}  # an empty file: no records, nothing wrong
    problems: list[Problem] = []
    odd: list[str] = []
    value = _string_keys(value, [], odd)
    for place in odd[:MAX_PROBLEMS]:
        problems.append(Problem(shown, "a key that is not a string (quote it)", "schema",
                                where=place))
    doc = Document(shown, value, node, tuple(problems), validated=False)
    return validated(doc) if validate else doc


def validated(doc: Document) -> Document:
    """The document with its schema problems (validated once)."""
    if doc.validated or doc.value is None:
        return doc
    extra = _schema_problems(doc.value, doc.node, doc.file)
    return Document(doc.file, doc.value, doc.node, (*doc.problems, *extra), validated=True)


# --------------------------------------------------------------------------- records

_MISSING = object()
_PLACEHOLDER = re.compile(
    r"^\s*(?:|<[^>]*>|\[[^\]]*(?:more information needed|fill|todo|tbd)[^\]]*\]|"
    r"tbd|tbc|\.\.\.|…|fill(?:\s+(?:in|me))\b.*|\?+|changeme|placeholder)\s*$", re.I)
_MARKER = re.compile(r"^\s*(?:TODO|FIXME|XXX+)\b")  # upper case only: "todo app logs" is data


def is_placeholder(value: str) -> bool:
    """An unfilled template value: empty, `<describe the source>`, `TODO …`, `TBD`,
    `[More Information Needed]`, `...`, `Fill in …`."""
    return bool(_PLACEHOLDER.match(value) or _MARKER.match(value))


def _state(value: Any) -> str:
    if value is _MISSING or value is None:
        return "absent"
    if isinstance(value, str):
        if value.strip().lower() in ("unknown", "noassertion"):
            return "unknown"
        return "placeholder" if is_placeholder(value) else "filled"
    if isinstance(value, (list, dict)):
        items = list(value.values()) if isinstance(value, dict) else value
        if not items:
            return "absent"
        states = {_state(v) for v in items}
        if "filled" in states:
            return "filled"
        return "unknown" if "unknown" in states else "placeholder"
    return "filled"  # numbers, booleans


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """An anchored glob: `**` spans directories, `*` and `?` do not; a pattern naming a
    directory covers everything under it."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            c = pattern[i]
            out.append({"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c)))
            i += 1
    return re.compile("".join(out).rstrip("/") + "(?:/.*)?", re.S)


_glob = functools.lru_cache(maxsize=4096)(_glob_regex)


def _literal_prefix(pattern: str) -> str:
    """The part before the first wildcard: a path without it cannot match (no compile)."""
    for i, c in enumerate(pattern):
        if c in "*?":
            return pattern[:i]
    return pattern.rstrip("/")


def _join(base: str, relative: str) -> str:
    joined = PurePosixPath(base, relative.replace("\\", "/").removeprefix("./")).as_posix()
    return "" if joined == "." else joined


@dataclass(frozen=True)
class Record:
    """One dataset or run record. `file` is the ledger file (repo-relative), `where` its
    place in it (`datasets[2]`), `base` the directory its paths are relative to, `patterns`
    the repo-relative globs it covers, `valid` whether it passed the schema."""

    kind: str
    id: str
    data: Mapping[str, Any]
    file: str
    where: tuple[str | int, ...]
    base: str
    patterns: tuple[str, ...]
    valid: bool
    node: Any = field(default=None, compare=False, repr=False)

    @property
    def line(self) -> int | None:
        return _line(self.node, self.where)

    def get(self, name: str) -> Any:
        """A field by dotted name (`consent.given`); None when absent."""
        value = self._lookup(name)
        return None if value is _MISSING else value

    def _lookup(self, name: str) -> Any:
        value: Any = self.data
        for part in name.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return _MISSING
            value = value[part]
        return value

    def state(self, name: str) -> str:
        """"absent" (missing, empty, null), "placeholder" (a template value), "unknown"
        (an explicit `unknown`) or "filled"."""
        return _state(self._lookup(name))

    def line_of(self, name: str) -> int | None:
        """The line of a field (`consent.given`, `datasets.0`), or of the deepest part of it
        present, or of the record."""
        parts = [int(p) if p.isdigit() else p for p in name.split(".")]
        return _line(self.node, (*self.where, *parts))

    def line_at(self, where: Sequence[str | int]) -> int | None:
        """The line of a document path (as `digests()` gives them)."""
        return _line(self.node, where)

    @property
    def location(self) -> str:
        return render_where(self.where)

    def resolve(self, relative: str) -> str:
        """A path of this record (relative to its ledger file's directory), repo-relative."""
        return _join(self.base, relative)

    def covers(self, path: str) -> bool:
        return any(path.startswith(_literal_prefix(p)) and _glob(p).fullmatch(path)
                   for p in self.patterns)

    def digests(self) -> list[tuple[str, str, tuple[str | int, ...]]]:
        """(repo-relative path, lowercase sha256 hex, document path) of every pinned file:
        a dataset's `checksums`, a run's `artifacts` with a `sha256`."""
        out = []
        key = "checksums" if self.kind == "dataset" else "artifacts"
        items = self.data.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items[:100_000]):
                if isinstance(item, Mapping) and isinstance(item.get("path"), str) and \
                        isinstance(item.get("sha256"), str):
                    digest = item["sha256"].lower().removeprefix("sha256:")
                    out.append((self.resolve(item["path"]), digest, (*self.where, key, i)))
        return out


def _records(doc: Document, base: str, subject: str | None) -> Iterator[Record]:
    value = doc.value
    if not isinstance(value, dict):
        return
    bad = {p.record for p in doc.problems if p.kind == "schema"}
    for key, kind in (("datasets", "dataset"), ("runs", "run")):
        items = value.get(key)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items[:10_000]):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            rid = item["id"]
            globs = item.get("paths")
            patterns: list[str] = []
            if isinstance(globs, list):
                patterns += [_join(base, g) for g in globs if isinstance(g, str) and g]
            elif subject is not None:
                patterns.append(subject)
            if kind == "run" and isinstance(item.get("artifacts"), list):
                patterns += [_join(base, a["path"]) for a in item["artifacts"]
                             if isinstance(a, dict) and isinstance(a.get("path"), str)]
            yield Record(kind, rid, item, doc.file, (key, i), base,
                         tuple(p for p in patterns if p), rid not in bad, doc.node)


# --------------------------------------------------------------------------- the ledger


def is_ledger_file(relpath: str, name: str = DEFAULT_LEDGER) -> bool:
    """Whether a repo-relative path is the root ledger or a sidecar."""
    names = {name, ALTERNATE_LEDGER} if name == DEFAULT_LEDGER else {name}
    return relpath in names or relpath.endswith(SIDECAR_SUFFIX)


def sidecar_subject(relpath: str) -> str | None:
    """What a sidecar describes (`data/x.csv` for `data/x.csv.provenance.yaml`), or None."""
    if not relpath.endswith(SIDECAR_SUFFIX):
        return None
    subject = relpath[: -len(SIDECAR_SUFFIX)]
    return subject if subject and not subject.endswith("/") else None


@dataclass
class Ledger:
    root: Path
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the ledger files read, repo-relative
    documents: dict[str, Document] = field(default_factory=dict)
    _by_id: dict[str, Record] = field(default_factory=dict)

    @property
    def datasets(self) -> list[Record]:
        return [r for r in self.records if r.kind == "dataset"]

    @property
    def runs(self) -> list[Record]:
        return [r for r in self.records if r.kind == "run"]

    def record(self, record_id: str) -> Record | None:
        return self._by_id.get(record_id)

    def dataset_for(self, reference: str) -> Record | None:
        """The dataset record a reference names: its id, else a record whose `name` or
        `source` is the same dataset (`org/name`, its Hugging Face URL or `hf://` form, a
        URL without scheme or `www.`, case-insensitive) — how a model card's `datasets:`
        entries are matched."""
        found = self._by_id.get(reference)
        if found is not None and found.kind == "dataset":
            return found
        if not isinstance(reference, str) or not reference.strip():
            return None
        wanted = _forms(reference[:2000])
        for record in self.records:
            if record.kind != "dataset":
                continue
            for name in ("source", "name"):
                value = record.data.get(name)
                if isinstance(value, str) and not wanted.isdisjoint(_forms(value[:2000])):
                    return record
        return None

    def covering(self, path: str) -> list[Record]:
        """The records covering a repo-relative `/` path (sidecars of the path or a parent
        folder, root-ledger globs, run artifacts)."""
        return [r for r in self.records if r.covers(path)]

    def validate(self, file: str) -> None:
        """Check one ledger file read with `validate=False` against the schema: its schema
        problems join `problems`, and its records that have some are marked not valid."""
        doc = self.documents.get(file)
        if doc is None or doc.validated:
            return
        checked = validated(doc)
        self.documents[file] = checked
        new = checked.problems[len(doc.problems):]
        self.problems.extend(new)
        bad = {p.record for p in new}
        for i, record in enumerate(self.records):
            if record.file == file and record.id in bad:
                marked = dataclasses.replace(record, valid=False)
                self.records[i] = marked
                if self._by_id.get(record.id) is record:
                    self._by_id[record.id] = marked

    def add(self, doc: Document) -> None:
        self.files.append(doc.file)
        self.documents[doc.file] = doc
        self.problems.extend(doc.problems)
        subject = sidecar_subject(doc.file)
        base = PurePosixPath(doc.file).parent.as_posix()
        for record in _records(doc, "" if base == "." else base, subject):
            first = self._by_id.get(record.id)
            if first is not None:
                self.problems.append(Problem(
                    doc.file, f"record id {record.id!r} is also used in {first.file} "
                    f"({first.location})", "duplicate-id", line=record.line,
                    where=record.location, record=record.id))
                continue
            self._by_id[record.id] = record
            self.records.append(record)


def _git_sidecars(root: Path) -> list[str] | None:
    try:
        done = subprocess.run(
            # no fsmonitor hook: reading a repository's file list runs nothing it configures
            ["git", "-C", str(root), "-c", "core.fsmonitor=false", "ls-files", "-z",
             "--cached", "--others",
             "--exclude-standard", "--", f"*{SIDECAR_SUFFIX}"],
            capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n.endswith(SIDECAR_SUFFIX)})


_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages", "venv"}


def _walk_sidecars(root: Path, problems: list[Problem]) -> list[str]:
    found: list[str] = []
    seen = 0
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_WALK:
                problems.append(Problem(".", f"stopped searching for sidecars after {MAX_WALK} "
                                        "directory entries (use git, or a root ledger)",
                                        "unreadable"))
                return sorted(found)
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name not in _SKIP_DIRS:
                    stack.append(Path(entry.path))
            elif entry.name.endswith(SIDECAR_SUFFIX):
                found.append(Path(entry.path).relative_to(root).as_posix())
    return sorted(found)


def load(root: str | os.PathLike[str], name: str = DEFAULT_LEDGER, *,
         validate: bool = True) -> Ledger:
    """The root ledger and every sidecar under `root` (git's file list when `root` is a git
    work tree, untracked files included; else a capped walk). Never raises on bad content:
    see `Ledger.problems`. `validate=False` defers the JSON Schema (`Ledger.validate(file)`
    checks one file later): a lookup then costs no jsonschema import."""
    root = Path(root)
    ledger = Ledger(root)
    names = [name] + ([ALTERNATE_LEDGER] if name == DEFAULT_LEDGER else [])
    for candidate in names:
        if os.path.lexists(root / candidate):
            ledger.add(read_document(root / candidate, candidate, validate=validate))
            break
    sidecars = _git_sidecars(root) if (root / ".git").exists() else None
    if sidecars is None:
        sidecars = _walk_sidecars(root, ledger.problems)
    if len(sidecars) > MAX_SIDECARS:
        ledger.problems.append(Problem(".", f"{len(sidecars)} sidecars; only the first "
                                       f"{MAX_SIDECARS} were read", "unreadable"))
    for relative in sidecars[:MAX_SIDECARS]:
        if os.path.lexists(root / relative):  # git lists deleted files too
            ledger.add(read_document(root / relative, fileio.printable(relative),
                                     validate=validate))
    return ledger


def ledger_name(policy: Policy) -> str:
    """The root ledger's name: `[provenance] ledger` when that table exists."""
    try:
        name = policy.section("provenance").get("ledger")
    except KeyError:
        return DEFAULT_LEDGER
    return name if isinstance(name, str) and name else DEFAULT_LEDGER


def load_for(policy: Policy) -> Ledger:
    """The ledger of the policy's repository (`policy.root`)."""
    return load(policy.root, ledger_name(policy))


# --------------------------------------------------------------------------- denied data

_HF = re.compile(r"^(?:hf://datasets/|(?:www\.)?huggingface\.co/datasets/|hf:(?:datasets/)?)"
                 r"([^/\s?#]+(?:/[^/\s?#]+)?)")


@functools.lru_cache(maxsize=4096)
def _forms(value: str) -> frozenset[str]:
    """A dataset reference in the forms a deny entry may use: as written (lowercase),
    without URL scheme, `www.` and trailing `/` or `.git`, and as a Hugging Face id."""
    text = value.strip().lower()
    forms = {text}
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text) if "://" in text else text
    if bare.startswith("hf:") or text.startswith("hf://"):
        bare = text
    else:
        bare = bare.removeprefix("www.").rstrip("/").removesuffix(".git")
    forms.add(bare)
    hf = _HF.match(bare) or _HF.match(text)
    if hf:
        forms.add(hf.group(1).rstrip("/"))
    return frozenset(f for f in forms if f)


def match_deny(value: str, entries: Sequence[str]) -> str | None:
    """The first deny entry matching `value` (see `denied`)."""
    if not isinstance(value, str) or not value.strip():
        return None
    values = _forms(value[:2000])
    for entry in entries:
        for pattern in _forms(entry):
            if any(fnmatch.fnmatchcase(v, pattern) for v in values):
                return entry
    return None


def denied(value: str, policy: Policy) -> str | None:
    """The `[datasets] deny` entry that matches a dataset name, URL or Hugging Face id
    (`org/name`, `https://huggingface.co/datasets/org/name`, `hf://datasets/org/name` are
    one dataset), or None. Case-insensitive; globs (`*`, `?`, `[…]`) span `/`."""
    return match_deny(value, policy.section("datasets")["deny"])


def denied_fields(record: Record, policy: Policy) -> list[tuple[str, str, str]]:
    """(field, value, deny entry) of a dataset record's id, name, source and derived-from
    that the policy denies."""
    entries = policy.section("datasets")["deny"]
    if not entries:
        return []
    out = []
    values: list[tuple[str, Any]] = [("id", record.id), ("name", record.get("name")),
                                     ("source", record.get("source"))]
    derived = record.get("derived-from")
    if isinstance(derived, list):
        values += [(f"derived-from[{i}]", v) for i, v in enumerate(derived[:1000])]
    for name, value in values:
        if isinstance(value, str):
            entry = match_deny(value, entries)
            if entry is not None:
                out.append((name, value, entry))
    return out


# --------------------------------------------------------------------------- checksums
