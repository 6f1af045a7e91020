"""The contract: `check(paths, policy)` over declaration files (pyproject.toml, requirements
files), judging the installed distributions they name against the `[licenses]` lists."""

from __future__ import annotations

import fnmatch
import re
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from mlgate.catalog import BY_CHECK
from mlgate.findings import FileError, Finding, Severity, location_fingerprint, truncated
from mlgate.hooks.dependency_licenses import rules as R
from mlgate.hooks.dependency_licenses.declared import Declarations, Declared
from mlgate.hooks.dependency_licenses.installed import (
    Distribution,
    Environment,
    default_directories,
    site_directories,
)
from mlgate.hooks.dependency_licenses.normalize import Resolved, resolve
from mlgate.policy import Policy
from mlgate.run import policy_relative
from mlgate.sources.files import display_path

if TYPE_CHECKING:
    from packaging.requirements import Requirement

CHECK = R.CHECK
MAX_DISTRIBUTIONS = 10_000  # distributions visited through Requires-Dist, per run


def is_declaration(path: str, policy: Policy) -> bool:
    """A pyproject.toml, a file named like a requirements file, or one the policy's
    `requirements` globs name."""
    if PurePosixPath(display_path(path)).name == "pyproject.toml":
        return True
    if re.search(BY_CHECK[CHECK].files, display_path(path)):
        return True
    relative = policy_relative(path, policy)
    return any(fnmatch.fnmatchcase(relative, g.removeprefix("./"))
               for g in policy.section(CHECK)["requirements"])


def default_paths(policy: Policy, project: Path | None = None) -> list[str]:
    """What a run with no paths reads: pyproject.toml and the `requirements` globs, at the
    project directory (default: the policy's root)."""
    root = project or policy.root
    out = [str(root / "pyproject.toml")] if (root / "pyproject.toml").exists() else []
    for pattern in policy.section(CHECK)["requirements"]:
        out += sorted(str(p) for p in root.glob(pattern) if str(p) not in out)
    return out


class _Checker:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.section = policy.section(CHECK)
        self.ignore = {_canonical(n) for n in self.section["ignore"]}
        self.overrides = {_canonical(o["package"]): o for o in self.section["overrides"]}
        self.used_overrides: set[str] = set()
        self.judged: dict[str, Resolved] = {}  # package -> its license, resolved once
        self.reported: set[tuple[str, str, str]] = set()  # (path, rule, package)
        self.seen: dict[str, set[tuple[str, str]]] = {}  # per declaring file: (package, extra)
        self.visited = 0
        self.markers: dict[str, str] = {}  # marker variables of the environment checked
        self.inventory: dict[str, dict[str, object]] = {}  # package -> what --list prints

    def environment(self) -> tuple[Environment, list[str]]:
        entries = self.section["environment"]
        if not entries:
            return Environment(default_directories()), []
        directories, problems, python = site_directories(entries, self.policy.root)
        self.markers = _marker_env(python)
        return Environment(directories, python), problems

    def finding(self, rule: str, severity: Severity, root: Declared, package: str,
                message: str, excerpt: str = "") -> Finding | None:
        key = (root.path, rule, package)
        if key in self.reported:
            return None
        self.reported.add(key)
        return Finding(CHECK, rule, severity, root.path, message, line=root.line,
                       key=package, excerpt=excerpt,
                       fingerprint=location_fingerprint(rule, root.path, package))

    def run(self, decl: Declarations, env: Environment) -> Iterator[Finding]:
        constraints: dict[str, list[Declared]] = {}
        for c in decl.constraints:
            constraints.setdefault(c.name, []).append(c)
        for root in decl.deps:
            if root.name in self.ignore or not _applies(root.requirement, "", self.markers):
                continue
            yield from self.walk(root, env, constraints)

    def walk(self, root: Declared, env: Environment,
             constraints: dict[str, list[Declared]]) -> Iterator[Finding]:
        """The declared dependency and, with `transitive`, what it requires (breadth first,
        each package once per declaring file)."""
        queue: deque[tuple[Requirement, tuple[str, ...]]] = deque([(root.requirement, ())])
        seen = self.seen.setdefault(root.path, set())
        while queue:
            req, via = queue.popleft()
            name = _canonical(req.name)
            extras = sorted(req.extras)
            fresh = [e for e in ["", *extras] if (name, e) not in seen]
            if not fresh or name in self.ignore:
                continue
            seen.update((name, e) for e in fresh)
            self.visited += 1
            if self.visited > MAX_DISTRIBUTIONS:
                return
            dist = env.get(name)
            if "" in fresh:
                found = self.judge(root, name, via, req, dist, constraints)
                yield from (f for f in found if f is not None)
            if dist is None or dist.problem or not self.section["transitive"]:
                continue
            for child in _requirements(dist):
                if any(_applies(child, e, self.markers) for e in fresh):
                    queue.append((child, (*via, dist.name)[-5:]))

    def judge(self, root: Declared, name: str, via: tuple[str, ...], req: Requirement,
              dist: Distribution | None, constraints: dict[str, list[Declared]]
              ) -> Iterator[Finding | None]:
        version = dist.version if dist is not None else ""
        shown = " ".join(p for p in (req.name, version) if p)
        if via:
            shown += f" (via {' -> '.join(via)})"
        override = self.overrides.get(name)
        if override is not None:
            self.used_overrides.add(name)
        entry = self.inventory.setdefault(name, {
            "package": name, "version": version or None, "license": None, "source": None,
            "status": "", "declared": f"{root.path}:{root.line or ''}".rstrip(":"),
            "via": list(via)})
        if dist is None:
            entry["status"] = "not-installed"
            yield self.finding(R.NOT_INSTALLED, Severity.ERROR, root, name,
                               f"{shown} is declared but not installed in the environment "
                               "checked: its license cannot be checked (install the "
                               "project's dependencies first, or name their environment "
                               "with --env)")
            return
        if dist.problem and override is None:
            entry["status"] = "no-metadata"
            yield self.finding(R.NO_METADATA, Severity.ERROR, root, name,
                               f"{shown}: the installed distribution has no usable metadata "
                               f"({dist.problem}); its license cannot be checked")
            return
        wanted = [req.specifier] + [c.requirement.specifier for c in constraints.get(name, [])]
        if version and not all(_contains(s, version) for s in wanted if str(s)):
            spec = ", ".join(str(s) for s in wanted if str(s))
            yield self.finding(R.VERSION_MISMATCH, Severity.WARNING, root, name,
                               f"{shown}: the installed version is not {spec}; the license "
                               "checked is that of the installed version")
        resolved = self._resolve(name, dist, override)
        if not entry["status"]:
            entry.update(license=resolved.expression, source=resolved.source)
        yield from self._verdict(root, name, shown, resolved, entry)

    def _resolve(self, name: str, dist: Distribution, override: dict[str, str] | None
                 ) -> Resolved:
        if name not in self.judged:
            self.judged[name] = resolve(dist) if override is None else \
                Resolved(override["license"], "policy override")
        return self.judged[name]

    def _verdict(self, root: Declared, name: str, label: str, resolved: Resolved,
                 entry: dict[str, object]) -> Iterator[Finding | None]:
        from mlgate import licensing

        if resolved.expression is None:
            entry["status"] = entry["status"] or "unknown"
            severity = Severity.ERROR if self.section["block-unknown"] else Severity.WARNING
            yield self.finding(R.UNKNOWN, severity, root, name,
                               f"{label}: the license in its metadata is not an SPDX "
                               "expression mlgate recognises; record it in "
                               "[dependency-licenses] overrides", excerpt=resolved.said)
            return
        expr = licensing.parse(resolved.expression)
        result = licensing.verdict(expr, self.policy)
        entry["status"] = entry["status"] or ("allowed" if result.allowed else "denied")
        if not result.allowed:
            yield self.finding(R.DENIED, Severity.ERROR, root, name,
                               f"{label}: license {expr.normalized or resolved.expression} "
                               f"({resolved.source}) is not allowed: {result.reason}")

    def unused(self) -> Iterator[Finding]:
        for name, entry in self.overrides.items():
            if name not in self.used_overrides:
                rule = R.UNUSED_OVERRIDE
                yield Finding(CHECK, rule, Severity.NOTE, self.policy.source,
                              f"the override of {entry['package']} is not used: no "
                              "dependency checked has that name", key=name,
                              fingerprint=location_fingerprint(rule, self.policy.source, name))


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def _marker_env(python: str | None) -> dict[str, str]:
    if python is None:
        return {}
    parts = python.split(".")
    full = python if len(parts) >= 3 else f"{python}.0"
    return {"python_version": ".".join(parts[:2]), "python_full_version": full}


def _applies(req: Requirement, extra: str, markers: dict[str, str]) -> bool:
    """Whether a requirement's marker holds in the environment checked (for the extra, `""`
    for none; `markers`: its Python version when it is another interpreter's)."""
    if req.marker is None:
        return extra == ""
    try:
        return bool(req.marker.evaluate({**markers, "extra": extra}))
    except Exception:  # an undefined marker variable: packaging raises its own errors
        return extra == ""


def _contains(spec: object, version: str) -> bool:
    from packaging.specifiers import SpecifierSet

    assert isinstance(spec, SpecifierSet)
    try:
        return spec.contains(version, prereleases=True)
    except Exception:  # a version that is not PEP 440: the check cannot compare it
        return True


def _requirements(dist: Distribution) -> list[Requirement]:
    from packaging.requirements import InvalidRequirement, Requirement

    out = []
    for text in dist.requires:
        try:
            out.append(Requirement(text))
        except InvalidRequirement:
            continue  # an installer would have refused it; nothing installed to judge
    return out


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    return _pipeline(paths, policy, _Checker(policy))


def inventory(paths: Sequence[str], policy: Policy
              ) -> tuple[list[dict[str, object]], list[Finding | FileError]]:
    """Every dependency checked (declared and required), with its version, license, where
    the license came from and the verdict; and the findings and errors of the same run."""
    checker = _Checker(policy)
    items = list(_pipeline(paths, policy, checker))
    return sorted(checker.inventory.values(), key=lambda e: str(e["package"])), items


def _pipeline(paths: Sequence[str], policy: Policy, checker: _Checker
              ) -> Iterator[Finding | FileError]:
    from mlgate.hooks.dependency_licenses.declared import read_pyproject, read_requirements

    files = [p for p in paths if is_declaration(p, policy)]
    if not files:
        return
    section = policy.section(CHECK)
    decl = Declarations()
    visited: set[str] = set()
    for path in files:
        if PurePosixPath(display_path(path)).name == "pyproject.toml":
            read_pyproject(path, section["groups"], decl)
        else:
            read_requirements(path, decl, visited=visited)
    yield from decl.problems
    env, problems = checker.environment()
    for problem in problems:
        yield FileError(policy.source, f"[dependency-licenses] environment: {problem}")
    if problems:
        return
    yield from checker.run(decl, env)
    for note in env.notes:
        yield truncated(CHECK, files[0], note)
    if checker.visited > MAX_DISTRIBUTIONS:
        yield truncated(CHECK, files[0], f"more than {MAX_DISTRIBUTIONS} distributions "
                        "through Requires-Dist; the rest were not checked")
    yield from checker.unused()
