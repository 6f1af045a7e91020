"""The shared run of one or more hooks: exclusion, the hook's check, severities,
inline suppressions, aggregation and the baseline. Hooks know only their own check."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from mlgate.catalog import BY_CHECK
from mlgate.findings import FileError, Finding, Severity, aggregate
from mlgate.policy import Policy
from mlgate.result import Result
from mlgate.sources.files import SourceError, display_path, read_text
from mlgate.suppress import Baseline, apply_inline

_INLINE_READ_CAP = 50_000_000


def _glob_parts(pattern: str) -> tuple[bool, str]:
    """(anchored, body regex) of a glob: `**` spans directories, `*` and `?` do not; a
    pattern without `/` (but a trailing one) matches a name at any depth (as in .gitignore)."""
    pattern = pattern.strip().removeprefix("./")
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.lstrip("/")  # `/build`: anchored at the root, as in .gitignore
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c)))
        i += 1
    return anchored, "".join(out).rstrip("/")


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob with `**` as a regex; a pattern without `/` matches a name at any depth, and a
    directory pattern matches everything under it (as in .gitignore)."""
    anchored, body = _glob_parts(pattern)
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"{prefix}{body}(?:/.*)?")


class ExcludeMatcher:
    """All `exclude` globs as one matcher, built once per run: globs without wildcards are
    set lookups (a name at any depth, or a path prefix), the others two alternations (one
    anchored, one at any depth). A million patterns cost one build, not a million regex
    matches per file (issue 11)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.names: set[str] = set()  # unanchored literals: any path component
        self.prefixes: set[str] = set()  # anchored literals: the path or a directory of it
        anchored_bodies: list[str] = []
        floating_bodies: list[str] = []
        for p in dict.fromkeys(patterns):
            if not any(c in p for c in "*?["):
                literal = p.strip().removeprefix("./")
                is_anchored = "/" in literal.rstrip("/")
                literal = literal.strip("/")
                if literal and "\\" not in literal:
                    (self.prefixes if is_anchored else self.names).add(literal)
                    continue
            anchored, body = _glob_parts(p)
            (anchored_bodies if anchored else floating_bodies).append(body)
        self.anchored = re.compile(f"(?:{'|'.join(anchored_bodies)})(?:/.*)?") \
            if anchored_bodies else None
        self.floating = re.compile(f"(?:.*/)?(?:{'|'.join(floating_bodies)})(?:/.*)?") \
            if floating_bodies else None

    def __call__(self, path: str) -> bool:
        if self.names or self.prefixes:
            parts = path.split("/")
            if self.names and not self.names.isdisjoint(parts):
                return True
            if self.prefixes and any("/".join(parts[:i]) in self.prefixes
                                     for i in range(1, len(parts) + 1)):
                return True
        if self.anchored is not None and self.anchored.fullmatch(path):
            return True
        return self.floating is not None and self.floating.fullmatch(path) is not None


def excluded(path: str, patterns: Sequence[str]) -> bool:
    return ExcludeMatcher(patterns)(path)


def _severity_for(rule: str, overrides: dict[str, str]) -> str | None:
    if rule in overrides:
        return overrides[rule]
    for pattern, level in overrides.items():
        if fnmatch.fnmatchcase(rule, pattern):
            return level
    return None


def policy_relative(path: str, policy: Policy) -> str:
    """The path relative to the policy's root, `/`-separated: what `exclude` globs match."""
    absolute = (Path.cwd() / path).resolve() if not Path(path).is_symlink() else \
        Path.cwd() / path
    try:
        return absolute.relative_to(policy.root).as_posix()
    except ValueError:
        return display_path(path)


def _apply_severity(findings: list[Finding], policy: Policy) -> list[Finding]:
    """Apply `[severity]` overrides; `off` drops the finding."""
    out = []
    for f in findings:
        level = _severity_for(f.rule, policy["severity"])
        if level == "off":
            continue
        if level:
            f.severity = Severity(level)
        out.append(f)
    return out


def run_checks(checks: Iterable[str], paths: Sequence[str], policy: Policy,
               baseline: Baseline | None = None) -> Result:
    """Run the named checks over `paths` and return findings ready to report."""
    shown = {display_path(p): p for p in paths}
    matcher = ExcludeMatcher(policy["exclude"])
    selected = [p for p in shown if not matcher(policy_relative(shown[p], policy))]
    raw: list[Finding] = []
    errors: list[FileError] = []
    for check in checks:
        for item in BY_CHECK[check].run([shown[p] for p in selected], policy):
            if isinstance(item, FileError):
                errors.append(FileError(display_path(item.path), item.message))
            else:
                item.path = display_path(item.path)
                raw.append(item)

    findings = _apply_severity(raw, policy)

    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_path[f.path].append(f)
    kept: list[Finding] = []
    for path, group in by_path.items():
        if any(f.lines for f in group):
            try:
                text = read_text(shown.get(path, path), _INLINE_READ_CAP).text
                group = apply_inline(group, text.split("\n"))  # hooks count \n lines only
            except SourceError:
                pass  # binary formats (parquet) carry no inline pragmas
        kept.extend(group)

    result = aggregate(kept)
    if baseline is not None:
        result = _apply_severity(baseline.apply(result), policy)
    return Result(findings=result, errors=errors, fail_on=Severity(policy["fail-on"]))


def default_baseline(policy: Policy, option: str | None) -> Baseline:
    if option:
        return Baseline.load(Path(option), required=True)
    return Baseline.load(policy.resolve(policy["baseline"]))
