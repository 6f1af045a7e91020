"""Shared fixtures: a tiny real check registered in the catalog for tests of the run machinery.

The `fake` check is a real module with the hook shape `check(paths, policy)`: it reports every
line that contains the marker `FAKE-` (rule `fake/marker`, location fingerprint by column).
It lets tests drive exclusion, severities, inline suppressions, aggregation and the baseline
through `run_checks` without depending on a production hook.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from mlgate import catalog
from mlgate.findings import FileError, Finding, Severity, location_fingerprint

MARKER = "FAKE-"


def _fake_check(paths: Sequence[str], policy: Any) -> Iterator[Finding | FileError]:
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            yield FileError(path, f"cannot read ({e.strerror})")
            continue
        for lineno, raw in enumerate(data.split(b"\n"), 1):
            line = raw.decode("utf-8", "replace")
            col = line.find(MARKER)
            if col < 0:
                continue
            level = line[col + len(MARKER):col + len(MARKER) + 1]
            severity = {"w": Severity.WARNING, "n": Severity.NOTE}.get(level, Severity.ERROR)
            yield Finding(check="fake", rule="fake/marker", severity=severity, path=path,
                          message="a fake marker", line=lineno, column=col + 1,
                          excerpt="F…(5 chars)",
                          fingerprint=location_fingerprint("fake/marker", path, str(col)))


@pytest.fixture
def fake_check(monkeypatch: pytest.MonkeyPatch) -> str:
    """A hook package `mlgate.hooks.fake` (check, config, rules) registered in the catalog."""
    parts = {"check": {"check": _fake_check}, "config": {"SCHEMA": {}},
             "rules": {"RULES": ()}}
    package = types.ModuleType("mlgate.hooks.fake")
    package.__path__ = []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, package.__name__, package)
    for name, attrs in parts.items():
        module = types.ModuleType(f"mlgate.hooks.fake.{name}")
        module.__dict__.update(attrs)
        monkeypatch.setitem(sys.modules, module.__name__, module)
    hook = catalog.Hook(id="fake-check", name="Fake", command="fake", check="fake",
                        description="test only")
    monkeypatch.setitem(catalog.BY_CHECK, "fake", hook)
    return "fake"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git-like repository root as the working directory (policy discovery stops
    at `.git`, so nothing above tmp_path leaks in)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `mlgate ARGS` in process: returns (exit code, stdout, stderr)."""
    from mlgate.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out, err = capsys.readouterr()
        code = exc.value.code
        return (code if isinstance(code, int) else (0 if code is None else 2)), out, err

    return run
