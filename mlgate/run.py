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
from mlgate.sources import SourceError, display_path, read_text
from mlgate.suppress import Baseline, apply_inline

_INLINE_READ_CAP = 50_000_000


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob with `**` as a regex; a pattern without `/` matches a name at any depth, and a
    directory pattern matches everything under it (as in .gitignore)."""
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
    body = "".join(out).rstrip("/")
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"{prefix}{body}(?:/.*)?")


def excluded(path: str, patterns: Sequence[str]) -> bool:
    return any(glob_regex(p).fullmatch(path) for p in patterns)


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
    selected = [p for p in shown if not excluded(policy_relative(shown[p], policy),
                                                    policy["exclude"])]
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
