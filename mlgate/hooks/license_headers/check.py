"""The hook's contract: `check(paths, policy)` yields findings and per-file errors.

Per file, as REUSE 3.3 reads it: an `override` annotation of a REUSE.toml alone, else the
`.license` sidecar (the file itself is then not read) or the file's header, plus `aggregate`
annotations (and dep5), plus the `closest` annotation for what the file itself lacks. Every
SPDX expression found is then checked on its raw text (mlgate.licensing).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlgate import fileio
from mlgate.findings import FileError, Finding, Severity, location_fingerprint, not_scanned
from mlgate.hooks.license_headers.header import (
    Header,
    Tag,
    find_tags,
    front_matter_end,
    split_lines,
)
from mlgate.hooks.license_headers.reuse_meta import Annotation, Coverage, Project, under
from mlgate.hooks.license_headers.rules import CHECK
from mlgate.hooks.license_headers.styles import STYLES, Style, style_for
from mlgate.policy import Policy
from mlgate.sources.files import SourceError, display_path, read_text

HEAD_CAP = 256 * 1024  # bytes of a file read for its header region
# files REUSE does not cover: license texts, sidecars, REUSE metadata, VCS directories
_NOT_COVERED = re.compile(r"(?:LICEN[CS]E|COPYING)(?:[-.].*)?|.*\.license|REUSE\.toml")
_NOT_COVERED_DIRS = {".git", ".hg", ".sl", "LICENSES", ".reuse"}


@dataclass(frozen=True)
class Expression:
    raw: str
    line: int | None
    column: int | None
    origin: str  # "header", "sidecar" or the REUSE.toml/dep5 it comes from


@dataclass
class Inspection:
    """What one file's licensing information is and where it comes from."""

    path: str  # as given
    shown: str
    root: str  # the project root, absolute
    style: Style
    # "header" (read from the file), "sidecar", "override" (REUSE.toml alone), "binary"
    # (a file whose content is not text), "uncommentable" (style none)
    kind: str
    header: Header = field(default_factory=Header)  # of the file or of its sidecar
    coverage: Coverage = field(default_factory=Coverage)
    expressions: list[Expression] = field(default_factory=list)
    has_copyright: bool = False

    @property
    def sidecar_path(self) -> str:
        return f"{self.path}.license"


def not_covered(path: str) -> bool:
    """A file REUSE does not ask licensing information for (LICENSE, sidecars, ...)."""
    parts = path.replace(os.sep, "/").split("/")
    return _NOT_COVERED.fullmatch(parts[-1]) is not None or \
        any(p in _NOT_COVERED_DIRS for p in parts[:-1])


class Checker:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        conf = policy.section(CHECK)
        self.header_lines: int = conf["header-lines"]
        self.styles: dict[str, str] = conf["styles"]
        self.waive: bool = conf["waive-copyright"]
        self.max_bytes: int = conf["max-bytes"]
        self._projects: dict[str, Project] = {}
        self._roots: dict[str, str] = {}
        self._real_dirs: dict[str, str] = {}
        self._texts: dict[str, frozenset[str]] = {}
        self._policy_root = str(policy.root)

    # ------------------------------------------------------------------ where
    def _real_path(self, path: str) -> str:
        """The absolute path with its directory's symlinks resolved (the policy's root is
        resolved too), the file name as given (a symlinked file is never followed)."""
        directory, name = os.path.split(os.path.abspath(path))
        real = self._real_dirs.get(directory)
        if real is None:
            real = self._real_dirs[directory] = os.path.realpath(directory)
        return os.path.join(real, name)

    def root_for(self, absolute: str) -> str:
        """The project root of a file: the policy's root when the file is under it, else
        the nearest directory with `.git` (else the file's directory)."""
        directory = os.path.dirname(absolute)
        if directory in self._roots:
            return self._roots[directory]
        root = self._policy_root
        if not (directory == root or directory.startswith(root.rstrip(os.sep) + os.sep)):
            root = directory
            probe = directory
            while True:
                if os.path.exists(os.path.join(probe, ".git")):
                    root = probe
                    break
                parent = os.path.dirname(probe)
                if parent == probe:
                    break
                probe = parent
        self._roots[directory] = root
        return root

    def license_texts(self, root: str) -> frozenset[str]:
        """The names in the root's LICENSES/ directory, listed once per run."""
        if root not in self._texts:
            from mlgate import licensing

            self._texts[root] = licensing.license_texts(Path(root, "LICENSES"))
        return self._texts[root]

    def project(self, root: str) -> Project:
        if root not in self._projects:
            self._projects[root] = Project(root, self.max_bytes)
        return self._projects[root]

    # ------------------------------------------------------------------ reading
    def inspect(self, path: str) -> Inspection | Finding | FileError | None:
        """The licensing information of one file; None when REUSE does not cover it."""
        absolute = self._real_path(path)
        root = self.root_for(absolute)
        if not_covered(under(absolute, root)):
            return None
        shown = display_path(path)
        if os.path.islink(path):
            return not_scanned(CHECK, shown, "symbolic link, not followed",
                               severity=Severity.NOTE)
        style = style_for(os.path.basename(absolute), self.styles)
        coverage = self.project(root).coverage(absolute)
        insp = Inspection(path, shown, root, style, "override", coverage=coverage)
        sidecar = insp.sidecar_path
        has_sidecar = os.path.lexists(sidecar)
        if coverage.override or has_sidecar or not style.readable:
            # the content is not read: still a regular file that exists (a missing path, a
            # FIFO or a directory is an error), and an empty one is not covered (REUSE)
            try:
                with fileio.open_regular(path, follow_symlinks=False) as fh:
                    if os.fstat(fh.fileno()).st_size == 0:
                        return None
            except fileio.UnsafeFile as e:
                return FileError(shown, str(e))
        if not coverage.override:
            if has_sidecar:
                problem = self._read_sidecar(insp, sidecar)
                if problem is not None:
                    return problem
            else:
                problem = self._read_file(insp)
                if problem is not None:
                    return problem
                if insp.kind == "empty":
                    return None
        self._combine(insp)
        return insp

    def _read_sidecar(self, insp: Inspection, sidecar: str) -> Finding | FileError | None:
        insp.kind = "sidecar"
        try:
            raw = fileio.read_regular(sidecar, self.max_bytes, what=".license sidecar",
                                      follow_symlinks=False)
        except fileio.UnsafeFile as e:
            return FileError(display_path(sidecar), str(e))
        text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
        lines = split_lines(text)
        insp.header = find_tags(lines, STYLES["text"], 0, len(lines))
        return None

    def _read_file(self, insp: Inspection) -> Finding | FileError | None:
        style = insp.style
        if not style.readable:
            insp.kind = "uncommentable"
            return None
        if style.name == "notebook":
            return self._read_notebook(insp)
        try:
            source = read_text(insp.path, HEAD_CAP)
        except SourceError as e:
            message = str(e)
            if message.startswith("binary"):
                insp.kind = "binary"
                return None
            if message.startswith("symbolic"):
                return not_scanned(CHECK, insp.shown, message, severity=Severity.NOTE)
            return FileError(insp.shown, message)
        if source.size == 0:
            insp.kind = "empty"
            return None
        insp.kind = "header"
        lines = split_lines(source.text.removeprefix("\ufeff"))
        if source.truncated and len(lines) > 1:
            lines.pop()  # a part of a line: never read a cut-off tag as a whole one
        first = front_matter_end(lines) if style.name == "markdown" else 0
        insp.header = find_tags(lines, style, first, self.header_lines)
        return None

    def _read_notebook(self, insp: Inspection) -> Finding | FileError | None:
        """A notebook's header is in its first cell (read as JSON, never executed)."""
        try:
            raw = fileio.read_regular(insp.path, self.max_bytes, what="notebook",
                                      follow_symlinks=False)
        except fileio.FileTooLarge as e:
            return not_scanned(CHECK, insp.shown, f"{e}; raise [license-headers] max-bytes")
        except fileio.UnsafeFile as e:
            if str(e).startswith("symbolic"):
                return not_scanned(CHECK, insp.shown, str(e), severity=Severity.NOTE)
            return FileError(insp.shown, str(e))
        insp.kind = "header"
        if not raw:
            insp.kind = "empty"
            return None
        try:
            doc = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return FileError(insp.shown, "not a notebook (not valid JSON)")
        cells = doc.get("cells") if isinstance(doc, dict) else None
        if not isinstance(cells, list):
            return FileError(insp.shown, "not a notebook (no 'cells' list)")
        if not cells or not isinstance(cells[0], dict):
            return None  # no first cell: no header
        source = cells[0].get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            return FileError(insp.shown, "not a notebook (the first cell's source is neither "
                             "a string nor a list of strings)")
        cell_style = STYLES["text"]
        if cells[0].get("cell_type") == "code":
            cell_style = STYLES[_kernel_style(doc)]
        lines = split_lines(source)
        header = find_tags(lines, cell_style, 0, self.header_lines)
        # a cell has no line in the file: the findings are file-level
        insp.header = Header([_no_line(t) for t in header.licenses],
                             [_no_line(t) for t in header.copyrights],
                             None, header.stray_why)
        return None

    # ------------------------------------------------------------------ REUSE precedence
    def _combine(self, insp: Inspection) -> None:
        origin = "sidecar" if insp.kind == "sidecar" else "header"
        own_licenses = [Expression(t.value, t.line or None, t.column if t.line else None,
                                   origin) for t in insp.header.licenses]
        own_copyright = bool(insp.header.copyrights)
        cov = insp.coverage

        def from_annotations(annotations: Sequence[Annotation], licenses: bool = True,
                             copyrights: bool = True) -> None:
            for a in annotations:
                if licenses:
                    insp.expressions += [Expression(v, None, None, a.source)
                                         for v in a.licenses]
                if copyrights and a.copyrights:
                    insp.has_copyright = True

        if cov.override:
            from_annotations(cov.override)
            return
        from_annotations(cov.aggregate)
        insp.expressions += own_licenses
        insp.has_copyright = insp.has_copyright or own_copyright
        # closest: what the file itself says wins, kind by kind
        from_annotations(cov.closest, licenses=not own_licenses, copyrights=not own_copyright)


def _no_line(tag: Tag) -> Tag:
    return Tag(tag.kind, 0, 0, tag.value, tag.prefix, tag.suffix)


def _kernel_style(doc: dict[str, object]) -> str:
    meta = doc.get("metadata")
    language = ""
    if isinstance(meta, dict):
        for key in ("kernelspec", "language_info"):
            block = meta.get(key)
            if isinstance(block, dict):
                value = block.get("language") or block.get("name")
                if isinstance(value, str):
                    language = value.lower()
                    break
    return {"r": "hash", "julia": "julia", "bash": "hash", "sql": "sql",
            "lua": "lua"}.get(language, "python")


# ---------------------------------------------------------------------- findings


def _finding(rule: str, insp: Inspection, message: str, *, severity: Severity = Severity.ERROR,
             line: int | None = None, column: int | None = None, where: str = "") -> Finding:
    full = f"{CHECK}/{rule}"
    return Finding(CHECK, full, severity, insp.shown, message, line=line, column=column,
                   fingerprint=location_fingerprint(full, insp.shown, where))


def _missing_where(insp: Inspection, checker: Checker, what: str) -> str:
    name = Path(insp.path).name
    if insp.kind == "sidecar":
        return f"its sidecar {name}.license has no {what}"
    if insp.kind == "override":
        return f"its REUSE.toml override annotation has no {what}"
    if insp.kind == "binary":
        return (f"no {what}: binary content cannot hold a comment; add {name}.license or a "
                "REUSE.toml annotation")
    if insp.kind == "uncommentable":
        return (f"no {what}: a {Path(name).suffix or name} file cannot hold a comment; add "
                f"{name}.license or a REUSE.toml annotation")
    region = f"the first {checker.header_lines} lines"
    if insp.style.name == "notebook":
        region = "the first cell"
    return f"no {what} in the header ({region}, in comments)"


def findings(insp: Inspection, checker: Checker) -> Iterator[Finding]:
    if not insp.expressions:
        message = _missing_where(insp, checker, "SPDX-License-Identifier")
        if insp.header.stray_why and insp.kind == "header":
            at = f" at line {insp.header.stray_line}" if insp.header.stray_line else ""
            message += f"; the one{at} is {insp.header.stray_why}"
        yield _finding("missing-identifier", insp, message)
    if not insp.has_copyright and not checker.waive:
        yield _finding("missing-copyright", insp,
                       _missing_where(insp, checker, "copyright line"))
    for expr in insp.expressions:
        yield from expression_findings(insp, checker, expr)


def expression_findings(insp: Inspection, checker: Checker,
                        expr: Expression) -> Iterator[Finding]:
    from mlgate import licensing

    raw = expr.raw
    origin = "" if expr.origin in ("header", "sidecar") else f" (from {expr.origin})"

    def emit(rule: str, message: str, severity: Severity = Severity.ERROR) -> Finding:
        return _finding(rule, insp, message, severity=severity, line=expr.line,
                        column=expr.column, where=f"{expr.origin}:{raw}")

    if not raw.strip():
        yield emit("malformed-expression", f"empty SPDX-License-Identifier{origin}")
        return
    parsed = licensing.parse(raw)
    shown = fileio.printable(raw if len(raw) <= 120 else raw[:117] + "...")
    for problem in parsed.problems:
        rule = _PROBLEM_RULES.get(problem.kind)
        if rule is not None:
            yield emit(rule, f"'{shown}'{origin}: {problem.detail}")
    if not parsed.valid:
        return
    for missing in licensing.missing_texts(parsed, checker.license_texts(insp.root)):
        if missing.startswith("LicenseRef-"):
            yield emit("missing-license-ref-text", f"{missing}{origin} has no text in "
                       f"LICENSES/ (LICENSES/{missing}.txt)")
        else:
            yield emit("missing-license-text", f"{missing}{origin} has no text in LICENSES/ "
                       f"(LICENSES/{missing}.txt; `reuse download {missing}`)",
                       Severity.WARNING)
    verdict = licensing.verdict(parsed, checker.policy)
    if not verdict.allowed:
        yield emit("license-denied", f"'{shown}'{origin}: {verdict.reason}")


_PROBLEM_RULES = {"malformed": "malformed-expression", "unknown": "unknown-license",
                  "unknown-exception": "unknown-license", "deprecated": "deprecated-license"}


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    checker = Checker(policy)
    for path in paths:
        insp = checker.inspect(path)
        if insp is None:
            continue
        if isinstance(insp, (Finding, FileError)):
            yield insp
            continue
        yield from findings(insp, checker)
