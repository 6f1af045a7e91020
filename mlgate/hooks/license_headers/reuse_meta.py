"""REUSE.toml and `.reuse/dep5`: licensing information for paths in bulk (REUSE 3.3).

REUSE.toml (`version = 1`, `[[annotations]]` with `path`, `precedence`,
`SPDX-FileCopyrightText`, `SPDX-License-Identifier`) may stand in any directory; its paths are
relative to it. For one file, each REUSE.toml from the project root down to the file's
directory gives its LAST matching annotation; an `override` stops the descent (deeper files
are not consulted); of the `closest` ones the deepest with copyright and the deepest with a
license are kept (separately). `.reuse/dep5` (Debian copyright format, last matching
paragraph wins) aggregates; it cannot be combined with REUSE.toml. A malformed file is an
MlgateError naming it and the problem (exit 2). Both are read through fileio.read_regular.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mlgate.errors import MlgateError
from mlgate.fileio import NoSuchFile, UnsafeFile, printable, read_regular

PRECEDENCES = ("closest", "aggregate", "override")
MAX_ANNOTATIONS = 100_000  # per file: a REUSE.toml of a huge tree has a few hundred
MAX_PATHS = 100_000
MAX_VALUES = 10_000  # copyright lines or expressions of one annotation


@dataclass(frozen=True)
class Annotation:
    source: str  # the file it comes from, as shown in messages
    precedence: str
    licenses: tuple[str, ...]
    copyrights: tuple[str, ...]


@dataclass
class Coverage:
    """What REUSE.toml/dep5 say about one file, by precedence (closest already reduced)."""

    override: list[Annotation] = field(default_factory=list)
    aggregate: list[Annotation] = field(default_factory=list)
    closest: list[Annotation] = field(default_factory=list)


def glob_regex(pattern: str) -> str:
    """A REUSE.toml path glob as a regex body: `*` within a directory, `**` across them
    (`**/` also matches no directory at all), `\\*` and `\\\\` literal."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n and pattern[i + 1] in "*\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _dep5_regex(pattern: str) -> str:
    """A dep5 `Files:` pattern: `*` matches anything (`/` too), `?` one character."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n and pattern[i + 1] in "*?\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append({"*": ".*", "?": "."}.get(c) or re.escape(c))
        i += 1
    return "".join(out)


def _strings(value: Any, key: str, where: str, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if len(value) > MAX_VALUES:
            raise MlgateError(f"{source}: invalid REUSE.toml: {where} '{key}' has more than "
                              f"{MAX_VALUES} entries")
        return tuple(value)
    raise MlgateError(f"{source}: invalid REUSE.toml: {where} '{key}' must be a string or "
                      f"a list of strings, not {type(value).__name__}")


_CHUNK = 400  # annotations per combined regex


@dataclass
class _Table:
    directory: str  # absolute, without a trailing separator
    items: list[tuple[re.Pattern[str], Annotation]]
    _chunks: list[tuple[re.Pattern[str], list[Annotation]]] | None = None

    def match(self, relative: str) -> Annotation | None:
        """The LAST annotation whose paths match: the annotations in reverse order, as one
        alternation per chunk (the first alternative that matches is the last annotation),
        so a REUSE.toml of hundreds of annotations costs a few matches per file."""
        if self._chunks is None:
            backwards = self.items[::-1]
            self._chunks = []
            for i in range(0, len(backwards), _CHUNK):
                part = backwards[i:i + _CHUNK]
                regex = re.compile("|".join(f"({r.pattern})" for r, _ in part))
                self._chunks.append((regex, [a for _, a in part]))
        for regex, found in self._chunks:
            m = regex.fullmatch(relative)
            if m is not None and m.lastindex is not None:
                return found[m.lastindex - 1]
        return None


def parse_reuse_toml(raw: bytes, source: str, directory: str) -> _Table:
    """A REUSE.toml's annotations, or an MlgateError naming `source` and the problem."""
    if sys.version_info >= (3, 11):  # imported here: most projects have no REUSE.toml
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise MlgateError(f"{source}: invalid REUSE.toml: not UTF-8 ({e.reason} at byte "
                          f"{e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise MlgateError(f"{source}: invalid REUSE.toml: not valid TOML ({e})") from None
    except RecursionError:
        raise MlgateError(f"{source}: invalid REUSE.toml: nested too deeply") from None
    version = doc.get("version")
    if version is None:
        raise MlgateError(f"{source}: invalid REUSE.toml: no 'version' (REUSE 3.3 needs "
                          "version = 1)")
    if not isinstance(version, int) or isinstance(version, bool) or version != 1:
        raise MlgateError(f"{source}: invalid REUSE.toml: unsupported version {version!r} "
                          "(this version of mlgate reads version = 1)")
    annotations = doc.get("annotations", [])
    if not isinstance(annotations, list) or not all(isinstance(a, dict) for a in annotations):
        raise MlgateError(f"{source}: invalid REUSE.toml: 'annotations' must be an array of "
                          "tables ([[annotations]])")
    if len(annotations) > MAX_ANNOTATIONS:
        raise MlgateError(f"{source}: invalid REUSE.toml: more than {MAX_ANNOTATIONS} "
                          "annotations")
    items: list[tuple[re.Pattern[str], Annotation]] = []
    total_paths = 0
    for n, table in enumerate(annotations, 1):
        where = f"annotation {n}"
        if "path" not in table:
            raise MlgateError(f"{source}: invalid REUSE.toml: {where} has no 'path'")
        paths = _strings(table["path"], "path", where, source)
        if not paths or any(not p for p in paths):
            raise MlgateError(f"{source}: invalid REUSE.toml: {where} 'path' must not be "
                              "empty")
        total_paths += len(paths)
        if total_paths > MAX_PATHS:
            raise MlgateError(f"{source}: invalid REUSE.toml: more than {MAX_PATHS} paths")
        precedence = table.get("precedence", "closest")
        if precedence not in PRECEDENCES:
            raise MlgateError(f"{source}: invalid REUSE.toml: {where} 'precedence' must be "
                              f"one of {', '.join(PRECEDENCES)}, not {precedence!r}")
        licenses = _strings(table.get("SPDX-License-Identifier", []),
                            "SPDX-License-Identifier", where, source)
        copyrights = _strings(table.get("SPDX-FileCopyrightText", []),
                              "SPDX-FileCopyrightText", where, source)
        regex = re.compile("|".join(f"(?:{glob_regex(p)})" for p in paths))
        items.append((regex, Annotation(source, precedence, licenses, copyrights)))
    return _Table(directory, items)


def parse_dep5(raw: bytes, source: str) -> list[tuple[re.Pattern[str], Annotation]]:
    """The `Files` paragraphs of a `.reuse/dep5` (Debian copyright format 1.0)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MlgateError(f"{source}: invalid dep5: not UTF-8 ({e.reason} at byte "
                          f"{e.start})") from None
    paragraphs: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] = {}
    last: str | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if current:
                paragraphs.append(current)
            current, last = {}, None
            continue
        if line.startswith("#"):
            continue
        if line[0] in " \t":
            if last is None:
                raise MlgateError(f"{source}: invalid dep5: line {lineno} continues no field")
            current[last].append(line.strip())
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise MlgateError(f"{source}: invalid dep5: line {lineno} is not 'Field: value'")
        last = name.strip().lower()
        current[last] = [value.strip()]
        if len(paragraphs) > MAX_ANNOTATIONS:
            raise MlgateError(f"{source}: invalid dep5: more than {MAX_ANNOTATIONS} "
                              "paragraphs")
    if current:
        paragraphs.append(current)
    if not paragraphs or "format" not in paragraphs[0]:
        raise MlgateError(f"{source}: invalid dep5: the first paragraph has no 'Format' field")
    items: list[tuple[re.Pattern[str], Annotation]] = []
    for n, para in enumerate(paragraphs[1:], 2):
        if "files" not in para:
            continue  # a stand-alone License paragraph
        patterns = " ".join(para["files"]).split()
        if not patterns or "license" not in para or "copyright" not in para:
            raise MlgateError(f"{source}: invalid dep5: paragraph {n} needs Files, Copyright "
                              "and License")
        expression = para["license"][0]
        copyrights = tuple(c for c in para["copyright"] if c)
        regex = re.compile("|".join(f"(?:{_dep5_regex(p)})" for p in patterns))
        items.append((regex, Annotation(source, "aggregate",
                                        (expression,) if expression else (), copyrights)))
    return items


class Project:
    """The REUSE metadata of one project root, read once per run and cached by directory.
    Paths are absolute strings here: this runs once per file, and pathlib costs more than
    the rest of the check."""

    def __init__(self, root: str, max_bytes: int) -> None:
        self.root = root.rstrip(os.sep) or os.sep
        self.max_bytes = max_bytes
        self._tables: dict[str, _Table | None] = {}
        self._dep5: list[tuple[re.Pattern[str], Annotation]] | None = None
        self._dep5_read = False

    def _read(self, path: str, what: str) -> bytes | None:
        try:
            return read_regular(path, self.max_bytes, what=what)
        except NoSuchFile:
            return None
        except UnsafeFile as e:
            raise MlgateError(f"{printable(shown(path))}: cannot read {what}: {e}") from None

    def _table(self, directory: str) -> _Table | None:
        if directory not in self._tables:
            path = os.path.join(directory, "REUSE.toml")
            raw = self._read(path, "REUSE.toml") if os.path.lexists(path) else None
            self._tables[directory] = None if raw is None else \
                parse_reuse_toml(raw, printable(shown(path)), directory)
        return self._tables[directory]

    def dep5(self) -> list[tuple[re.Pattern[str], Annotation]] | None:
        if not self._dep5_read:
            self._dep5_read = True
            path = os.path.join(self.root, ".reuse", "dep5")
            raw = self._read(path, "dep5 file") if os.path.lexists(path) else None
            if raw is not None:
                self._dep5 = parse_dep5(raw, printable(shown(path)))
        return self._dep5

    def coverage(self, path: str) -> Coverage:
        """What REUSE.toml or dep5 say about `path` (absolute, under the root)."""
        relative = under(path, self.root)
        parts = relative.split(os.sep)
        directories = [self.root]
        for part in parts[:-1]:
            directories.append(os.path.join(directories[-1], part))
        tables = [t for d in directories if (t := self._table(d)) is not None]
        dep5 = self.dep5()
        if tables and dep5 is not None:
            where = printable(shown(os.path.join(tables[0].directory, "REUSE.toml")))
            raise MlgateError(f"{where}: REUSE.toml and .reuse/dep5 cannot be combined "
                              "(REUSE 3.3); convert dep5 with `reuse convert-dep5`")
        result = Coverage()
        if dep5 is not None:
            posix = "/".join(parts)
            for regex, annotation in reversed(dep5):
                if regex.fullmatch(posix):
                    result.aggregate.append(annotation)
                    break
            return result
        closest: list[Annotation] = []
        for table in tables:
            found = table.match(under(path, table.directory).replace(os.sep, "/"))
            if found is None:
                continue
            if found.precedence == "override":
                result.override.append(found)
                break
            (result.aggregate if found.precedence == "aggregate" else closest).append(found)
        result.closest = _reduce_closest(closest)
        return result


def under(path: str, directory: str) -> str:
    """`path` relative to `directory` (which holds it)."""
    if directory == os.sep:
        return path[1:]
    return path[len(directory) + 1:]


def shown(path: str) -> str:
    """An absolute path relative to the working directory when it is under it."""
    cwd = os.getcwd()
    return path[len(cwd) + 1:] if path.startswith(cwd + os.sep) else path


def _reduce_closest(found: Iterable[Annotation]) -> list[Annotation]:
    """The deepest annotation with copyright and the deepest with a license (separately)."""
    kept: list[Annotation] = []
    have_copyright = have_license = False
    for a in reversed(list(found)):
        copyrights = a.copyrights if not have_copyright else ()
        licenses = a.licenses if not have_license else ()
        have_copyright = have_copyright or bool(a.copyrights)
        have_license = have_license or bool(a.licenses)
        if copyrights or licenses:
            kept.append(Annotation(a.source, a.precedence, licenses, copyrights))
    return kept[::-1]
