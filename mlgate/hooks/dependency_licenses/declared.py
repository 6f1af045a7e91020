"""What the project declares: `[project] dependencies` and the policy's groups of
pyproject.toml, and pip requirements files with their `-r` / `-c` includes.

Nothing is executed or fetched: includes from a URL are named, not read. A line of a
requirements file is never echoed (an index URL can hold a token): findings name the line.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.fileio import UnsafeFile, printable, read_regular
from mlgate.findings import FileError, Finding, Severity, not_scanned, truncated
from mlgate.hooks.dependency_licenses.rules import CHECK
from mlgate.sources.files import display_path

if TYPE_CHECKING:
    from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

FILE_CAP = 4 << 20  # bytes of one requirements file or pyproject.toml
MAX_LINES = 100_000  # logical lines read of one requirements file
MAX_FILES = 200  # requirements files read through includes, per run
MAX_DEPENDENCIES = 20_000  # declarations kept, per run
MAX_GROUP_DEPTH = 50  # nesting of PEP 735 include-group and self-referencing extras

_OPTION_TAIL = re.compile(r"\s--?[A-Za-z]")  # `pkg==1 --hash=sha256:…` (whitespace collapsed)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Declared:
    """One declared dependency: the requirement and where it is declared."""

    requirement: Requirement
    name: str  # canonical name
    path: str  # display path of the declaring file
    line: int | None


@dataclass
class Declarations:
    deps: list[Declared] = field(default_factory=list)
    constraints: list[Declared] = field(default_factory=list)
    problems: list[Finding | FileError] = field(default_factory=list)
    files_read: int = 0
    _seen: set[str] = field(default_factory=set)
    _capped: bool = False

    def add(self, item: Declared, *, constraint: bool = False) -> None:
        if len(self.deps) + len(self.constraints) >= MAX_DEPENDENCIES:
            if not self._capped:
                self._capped = True
                self.problems.append(truncated(CHECK, item.path, f"more than "
                                               f"{MAX_DEPENDENCIES} declarations; the rest "
                                               "were not checked", line=item.line))
            return
        (self.constraints if constraint else self.deps).append(item)


def _read(path: str, what: str) -> str:
    data = read_regular(path, FILE_CAP, what=what)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")  # UnicodeDecodeError: the caller names the file


def _requirement(text: str) -> Requirement | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


# --------------------------------------------------------------------------- requirements


def _uncomment(line: str) -> str:
    """The line without its comment: `#` at the start or after whitespace (pip's rule; a URL's
    `#egg=` fragment stays)."""
    i = line.find("#")
    while i > 0 and not line[i - 1].isspace():
        i = line.find("#", i + 1)
    return line if i < 0 else line[:i].rstrip()


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each logical line: comments removed, `\\` continuations
    joined, as pip reads them."""
    start, parts = 0, list[str]()
    for number, raw in enumerate(text.splitlines(), 1):
        if not parts:
            start = number
        line = _uncomment(raw)
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        joined = " ".join(" ".join(parts).split())
        parts = []
        if joined:
            yield start, joined
    joined = " ".join(" ".join(parts).split())
    if joined:
        yield start, joined


_INCLUDE = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_EDITABLE = ("-e", "--editable")


def _option(line: str) -> tuple[str, str]:
    """(option, value) of an option line: `-r x`, `-rx`, `--requirement=x`."""
    if line.startswith("--"):
        name, sep, value = line.partition("=")
        if not sep:
            name, _, value = line.partition(" ")
        return name.strip(), value.strip()
    name, value = line[:2], line[2:].lstrip("= ").strip()
    return name, value


def read_requirements(path: str, decl: Declarations, *, constraint: bool = False,
                      visited: set[str] | None = None) -> None:
    """Read one requirements file and, through `-r` and `-c`, the files it includes."""
    visited = set() if visited is None else visited
    shown = display_path(path)
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        real = path
    if real in visited:
        return  # an include cycle, or a file already read: read once
    visited.add(real)
    if decl.files_read >= MAX_FILES:
        decl.problems.append(truncated(CHECK, shown, f"more than {MAX_FILES} requirements "
                                       "files through includes; this one was not read"))
        return
    decl.files_read += 1
    try:
        text = _read(path, "requirements file")
    except UnsafeFile as e:
        decl.problems.append(FileError(shown, str(e)))
        return
    except UnicodeDecodeError as e:
        decl.problems.append(FileError(shown, f"not UTF-8 ({e.reason} at byte {e.start})"))
        return
    for count, (number, line) in enumerate(logical_lines(text)):
        if count >= MAX_LINES:
            decl.problems.append(truncated(CHECK, shown, f"only the first {MAX_LINES} lines "
                                           "were read", line=number))
            return
        if line.startswith("-"):
            _option_line(path, shown, number, line, decl, constraint, visited)
            continue
        _requirement_line(shown, number, line, decl, constraint)


def _option_line(path: str, shown: str, number: int, line: str, decl: Declarations,
                 constraint: bool, visited: set[str]) -> None:
    name, value = _option(line)
    if name in _INCLUDE:
        if not value:
            decl.problems.append(not_scanned(CHECK, shown, f"line {number}: {name} without "
                                             "a file", line=number))
            return
        if _URL.match(value):
            decl.problems.append(not_scanned(CHECK, shown, f"line {number}: an include from "
                                             "a URL is not read (mlgate works offline)",
                                             line=number))
            return
        target = Path(path).parent / value
        if not os.path.lexists(target):
            decl.problems.append(not_scanned(CHECK, shown, f"line {number}: the included "
                                             f"file '{printable(value)}' does not exist",
                                             line=number))
            return
        read_requirements(str(target), decl, constraint=constraint or _INCLUDE[name],
                          visited=visited)
        return
    if name in _EDITABLE:
        egg = re.search(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)", value)
        if egg:
            _requirement_line(shown, number, egg.group(1), decl, constraint)
        # a local editable path is the project itself or a sibling: nothing installed to judge
        return
    # other options (--index-url, --hash, --pre, ...) declare nothing


def _requirement_line(shown: str, number: int, line: str, decl: Declarations,
                      constraint: bool) -> None:
    cut = _OPTION_TAIL.search(line)
    text = line[:cut.start()] if cut else line
    req = _requirement(text)
    if req is None:
        name = _archive_name(text)
        if name is not None:
            req = _requirement(name)
        elif _URL.match(text) or "/" in text or text.startswith("."):
            decl.problems.append(not_scanned(CHECK, shown, f"line {number}: a path or URL "
                                             "that names no package; not checked",
                                             severity=Severity.WARNING, line=number))
            return
        if req is None:
            decl.problems.append(not_scanned(CHECK, shown, f"line {number}: not a valid "
                                             "requirement", line=number))
            return
    decl.add(Declared(req, _canonical(req.name), shown, number), constraint=constraint)


def _archive_name(text: str) -> str | None:
    """The project name of a wheel or sdist file name (a path or URL to one)."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    base = text.rstrip("/").rsplit("/", 1)[-1].split("#", 1)[0].split("?", 1)[0]
    try:
        if base.endswith(".whl"):
            return str(parse_wheel_filename(base)[0])
        if base.endswith((".tar.gz", ".zip")):
            return str(parse_sdist_filename(base)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


# --------------------------------------------------------------------------- pyproject.toml


class _Lines:
    """Line numbers of requirement strings in the raw TOML text (tomllib gives none)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.used: set[int] = set()

    def find(self, value: str, after: int = 0) -> int | None:
        for quote in ('"', "'"):
            needle = f"{quote}{value}{quote}"
            pos = self.text.find(needle, after)
            while pos >= 0 and pos in self.used:
                pos = self.text.find(needle, pos + 1)
            if pos >= 0:
                self.used.add(pos)
                return self.text.count("\n", 0, pos) + 1
        return None

    def offset(self, pattern: str) -> int:
        m = re.search(pattern, self.text, re.M)
        return m.start() if m else 0


def read_pyproject(path: str, groups: list[str], decl: Declarations) -> None:
    shown = display_path(path)
    try:
        text = _read(path, "pyproject.toml")
        doc = tomllib.loads(text)
    except UnsafeFile as e:
        decl.problems.append(FileError(shown, str(e)))
        return
    except UnicodeDecodeError as e:
        decl.problems.append(FileError(shown, f"not UTF-8 ({e.reason} at byte {e.start})"))
        return
    except tomllib.TOMLDecodeError as e:
        decl.problems.append(FileError(shown, f"not valid TOML ({' '.join(str(e).split())})"))
        return
    except RecursionError:
        decl.problems.append(FileError(shown, "not valid TOML (nested too deeply)"))
        return
    lines = _Lines(text)
    project = doc.get("project")
    if project is None:
        if groups or "dependency-groups" not in doc:
            decl.problems.append(not_scanned(CHECK, shown, "no [project] table: no "
                                             "dependencies declared here were read",
                                             severity=Severity.NOTE))
        project = {}
    if not isinstance(project, dict):
        decl.problems.append(FileError(shown, "'project' must be a table"))
        return
    own = _canonical(project["name"]) if isinstance(project.get("name"), str) else None
    dynamic = project.get("dynamic", [])
    if isinstance(dynamic, list) and "dependencies" in dynamic:
        decl.problems.append(not_scanned(CHECK, shown, "[project] dependencies are dynamic "
                                         "(set by the build backend); name the requirements "
                                         "file in [dependency-licenses] requirements",
                                         severity=Severity.WARNING))
    reader = _PyprojectReader(shown, doc, project, own, lines, decl)
    reader.strings(project.get("dependencies", []), "project.dependencies",
                   lines.offset(r"^[ \t]*dependencies[ \t]*="))
    for group in groups:
        reader.group(group, 0)


class _PyprojectReader:
    def __init__(self, shown: str, doc: dict[str, Any], project: dict[str, Any],
                 own: str | None, lines: _Lines, decl: Declarations) -> None:
        self.shown, self.doc, self.own, self.lines, self.decl = shown, doc, own, lines, decl
        extras = project.get("optional-dependencies", {})
        groups = doc.get("dependency-groups", {})
        self.extras = extras if isinstance(extras, dict) else {}
        self.groups = groups if isinstance(groups, dict) else {}
        self.done: set[str] = set()
        for where, table in (("project.optional-dependencies", extras),
                             ("dependency-groups", groups)):
            if not isinstance(table, dict):
                decl.problems.append(FileError(shown, f"'{where}' must be a table"))

    def _find(self, table: dict[str, Any], name: str) -> str | None:
        wanted = _canonical(name)
        return next((k for k in table if _canonical(k) == wanted), None)

    def group(self, name: str, depth: int, *, required: bool = True) -> None:
        key = _canonical(name)
        if key in self.done:
            return
        self.done.add(key)
        if depth > MAX_GROUP_DEPTH:
            self.decl.problems.append(not_scanned(CHECK, self.shown, f"group {name!r} is "
                                                  f"nested more than {MAX_GROUP_DEPTH} deep"))
            return
        extra = self._find(self.extras, name)
        dgroup = self._find(self.groups, name)
        if extra is None and dgroup is None:
            if required:
                self.decl.problems.append(not_scanned(
                    CHECK, self.shown, f"the policy's group '{printable(name)}' is neither "
                    "in [project.optional-dependencies] nor in [dependency-groups]"))
            return
        if extra is not None:
            self.strings(self.extras[extra], f"project.optional-dependencies.{extra}",
                         self.lines.offset(rf"^[ \t]*[\"']?{re.escape(extra)}[\"']?[ \t]*="),
                         depth)
        if dgroup is not None:
            items = self.groups[dgroup]
            if isinstance(items, list):
                for item in items[:MAX_DEPENDENCIES]:
                    if isinstance(item, dict) and isinstance(item.get("include-group"), str):
                        self.group(item["include-group"], depth + 1)
            self.strings([i for i in items if not isinstance(i, dict)]
                         if isinstance(items, list) else items,
                         f"dependency-groups.{dgroup}",
                         self.lines.offset(rf"^[ \t]*[\"']?{re.escape(dgroup)}[\"']?[ \t]*="),
                         depth)

    def strings(self, items: Any, where: str, after: int, depth: int = 0) -> None:
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.decl.problems.append(FileError(self.shown, f"'{where}' must be an array of "
                                                "requirement strings"))
            return
        for item in items[:MAX_DEPENDENCIES]:
            line = self.lines.find(item, after)
            req = _requirement(item)
            if req is None:
                self.decl.problems.append(not_scanned(CHECK, self.shown, f"{where}: not a "
                                                      "valid requirement", line=line))
                continue
            name = _canonical(req.name)
            if self.own is not None and name == self.own:
                # `project[test]` in an extra: the project's own extras, not a dependency
                for extra in sorted(req.extras):
                    self.group(extra, depth + 1, required=False)
                continue
            self.decl.add(Declared(req, name, self.shown, line))
