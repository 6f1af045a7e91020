"""Agreement with reuse-tool (the oracle, a test-only dependency run as a command, never
imported: it is GPL and its API is unstable): on a generated project, per file, whether a
license identifier and a copyright notice are found agrees with `reuse lint-file`; the
documented differences (docs/hooks/spdx-license-headers.md, "Differences from reuse") are
checked to be exactly what they say."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lh_helpers import results
from lh_tree import COPYRIGHT, LICENSE, make_tree

REUSE = shutil.which("reuse")
pytestmark = pytest.mark.skipif(REUSE is None, reason="reuse-tool (the test extra) is not "
                                                      "installed")

VERDICTS = {"no license identifier": "missing-identifier",
            "no copyright notice": "missing-copyright"}


def _reuse(root: Path, paths: list[str]) -> dict[str, set[str]]:
    assert REUSE is not None
    out = subprocess.run([REUSE, "lint-file", *paths], cwd=root, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode in (0, 1), out.stderr
    found: dict[str, set[str]] = {p: set() for p in paths}
    for line in out.stdout.splitlines():
        path, _, message = line.rpartition(": ")
        if message in VERDICTS:
            found[path].add(VERDICTS[message])
    return found


def _mlgate(root: Path, paths: list[str]) -> dict[str, set[str]]:
    findings, errors = results(root, paths)
    assert not errors, errors
    found: dict[str, set[str]] = {p: set() for p in paths}
    for f in findings:
        rule = f.rule.split("/", 1)[1]
        if rule in VERDICTS.values():
            found[Path(f.path).relative_to(root).as_posix()].add(rule)
    return found


def _git(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)


def test_header_presence_agrees_with_reuse_lint_file(tmp_path: Path) -> None:
    _git(tmp_path)
    paths = make_tree(tmp_path, 400)
    ours, theirs = _mlgate(tmp_path, paths), _reuse(tmp_path, paths)
    disagree = {p: (ours[p], theirs[p]) for p in paths if ours[p] != theirs[p]}
    # notebooks: mlgate reads the first cell; reuse reads the JSON text, where the identifier
    # ends in `\n",` and is an invalid expression to it (a documented difference)
    notebooks = {p for p in disagree if p.endswith(".ipynb")}
    assert all(d == (set(), {"missing-identifier"}) for p, d in disagree.items()
               if p in notebooks)
    assert {p: d for p, d in disagree.items() if p not in notebooks} == {}
    # the tree exercises both verdicts, both ways
    assert sum(bool(v) for v in ours.values()) > 50
    assert sum(not v for v in ours.values()) > 150


# where mlgate is stricter by design: each case and what each tool says
STRICTER = {
    # an identifier below the header region, or not in a comment, is no header for mlgate
    "late.py": "x = 1\n" * 80 + f"# {COPYRIGHT}\n# {LICENSE}\n",
    "string.py": f'HEADER = """\n{COPYRIGHT}\n{LICENSE}\n"""\n',
    # a file that cannot hold a comment is never searched (a sidecar or REUSE.toml covers it)
    "data.csv": f"# {COPYRIGHT}\n# {LICENSE}\ntext,label\nhello,1\n",
}


def test_the_documented_differences_are_exactly_these(tmp_path: Path) -> None:
    _git(tmp_path)
    (tmp_path / "LICENSES").mkdir()
    (tmp_path / "LICENSES" / "MIT.txt").write_text("MIT\n")
    for name, text in STRICTER.items():
        (tmp_path / name).write_text(text)
    paths = sorted(STRICTER)
    ours, theirs = _mlgate(tmp_path, paths), _reuse(tmp_path, paths)
    for p in paths:
        assert ours[p] == {"missing-identifier", "missing-copyright"}, p
        assert theirs[p] == set(), p


def test_reuse_does_not_flag_unknown_or_deprecated_ids_mlgate_does(tmp_path: Path) -> None:
    _git(tmp_path)
    (tmp_path / "LICENSES").mkdir()
    for t in ("MIT", "GPL-3.0", "Foo-License"):
        (tmp_path / "LICENSES" / f"{t}.txt").write_text(f"{t}\n")
    (tmp_path / "dep.py").write_text(f"# {COPYRIGHT}\n# SPDX-License-Identifier: GPL-3.0\n")
    (tmp_path / "unk.py").write_text(f"# {COPYRIGHT}\n# SPDX-License-Identifier: Foo-License\n")
    assert REUSE is not None
    out = subprocess.run([REUSE, "lint-file", "dep.py", "unk.py"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout  # reuse is content with both
    findings, _ = results(tmp_path, ["dep.py", "unk.py"])
    rules = {(Path(f.path).name, f.rule.split("/")[1]) for f in findings}
    assert ("dep.py", "deprecated-license") in rules
    assert ("unk.py", "unknown-license") in rules
