"""What the project declares: requirements files as pip reads them (comments, continuations,
options, `-r`/`-c` includes, cycles, caps) and pyproject.toml (dependencies, extras, PEP 735
groups, self-references), with the line of each declaration; bad input is named."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mlgate.findings import FileError, Finding
from mlgate.hooks.dependency_licenses import declared
from mlgate.hooks.dependency_licenses.declared import (
    Declarations,
    logical_lines,
    read_pyproject,
    read_requirements,
)


def _reqs(tmp_path: Path, files: dict[str, str | bytes], start: str = "requirements.txt"
          ) -> Declarations:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    decl = Declarations()
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        read_requirements(start, decl)
    finally:
        os.chdir(here)
    return decl


def _names(decl: Declarations) -> list[tuple[str, str, int | None]]:
    return [(d.name, d.path, d.line) for d in decl.deps]


def _problems(decl: Declarations) -> list[str]:
    return [p.message for p in decl.problems]


def test_logical_lines_follow_pips_rules() -> None:
    text = ("# a comment\n"
            "torch>=2 \\\n"
            "    --hash=sha256:00  # trailing comment\n"
            "\n"
            "pkg @ https://example.invalid/p.whl#sha256=00\n"
            "name#notacomment\n")
    assert list(logical_lines(text)) == [
        (2, "torch>=2 --hash=sha256:00"),
        (5, "pkg @ https://example.invalid/p.whl#sha256=00"),
        (6, "name#notacomment")]


def test_requirements_with_options_includes_and_constraints(tmp_path: Path) -> None:
    decl = _reqs(tmp_path, {
        "requirements.txt": (
            "--index-url https://user:" + "tok3n" + "@private.example.invalid/simple\n"
            "-r requirements/base.txt\n"
            "--requirement=requirements/gpu.txt\n"
            "-c constraints.txt\n"
            "Torch[cuda]==2.1 --hash=sha256:abc ; sys_platform == 'linux'\n"
            "-e git+https://example.invalid/org/repo.git#egg=internal_tool\n"
            "-e .\n"
            "./wheels/local_pkg-1.0-py3-none-any.whl\n"
            "https://example.invalid/archive/thing-1.0.tar.gz\n"),
        "requirements/base.txt": "numpy\n-r ../requirements.txt\n",  # a cycle
        "requirements/gpu.txt": "triton\n",
        "constraints.txt": "numpy<3\n",
    })
    assert _names(decl) == [
        ("numpy", "requirements/base.txt", 1), ("triton", "requirements/gpu.txt", 1),
        ("torch", "requirements.txt", 5), ("internal-tool", "requirements.txt", 6),
        ("local-pkg", "requirements.txt", 8), ("thing", "requirements.txt", 9)]
    assert [(c.name, str(c.requirement.specifier)) for c in decl.constraints] == [
        ("numpy", "<3")]
    assert decl.problems == []


def test_bad_lines_are_named_by_line_never_echoed(tmp_path: Path) -> None:
    secret = "tok" + "3n-" + "x" * 20
    decl = _reqs(tmp_path, {"requirements.txt": (
        f"good\nnot a requirement {secret}\n-r https://u:{secret}@host.invalid/r.txt\n"
        "-r missing.txt\n-r\n./some/dir/\n")})
    assert [d.name for d in decl.deps] == ["good"]
    messages = _problems(decl)
    assert messages == [
        "not scanned: line 2: not a valid requirement",
        "not scanned: line 3: an include from a URL is not read (mlgate works offline)",
        "not scanned: line 4: the included file 'missing.txt' does not exist",
        "not scanned: line 5: -r without a file",
        "not scanned: line 6: a path or URL that names no package; not checked"]
    assert all(secret not in m for m in messages)
    assert [p.line for p in decl.problems if isinstance(p, Finding)] == [2, 3, 4, 5, 6]


def test_unreadable_requirements_are_file_errors(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "big.txt").write_bytes(b"#" * (declared.FILE_CAP + 1))
    decl = _reqs(tmp_path, {"requirements.txt": "-r latin.txt\n-r fifo.txt\n-r big.txt\n",
                            "latin.txt": b"caf\xe9\n"})
    errors = [p for p in decl.problems if isinstance(p, FileError)]
    assert [(e.path, e.message.split(" (")[0]) for e in errors] == [
        ("latin.txt", "not UTF-8"), ("fifo.txt", "not a regular file"),
        ("big.txt", "requirements file too large")]


def test_include_chains_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(declared, "MAX_FILES", 5)
    files = {f"r{i}.txt": f"pkg{i}\n-r r{i + 1}.txt\n" for i in range(10)}
    decl = _reqs(tmp_path, files, start="r0.txt")
    assert [d.name for d in decl.deps] == [f"pkg{i}" for i in range(5)]
    assert decl.problems[0].rule == "dependency-licenses/file-truncated"  # type: ignore[union-attr]


def test_a_huge_hostile_line_is_read_in_linear_time(tmp_path: Path) -> None:
    line = "x#" + " " * 2_000_000 + "y" + " \\\n" * 10_000 + "z\n"
    start = time.perf_counter()
    decl = _reqs(tmp_path, {"requirements.txt": line + "a" + " " * 1_000_000 + "b\n"})
    assert time.perf_counter() - start < 5
    assert decl.deps == []  # `x# y z` (joined) and `a b` are no requirements
    assert [p.line for p in decl.problems if isinstance(p, Finding)] == [1, 10002]


PYPROJECT = """\
[project]
name = "my-model"
dependencies = [
    "torch>=2",
    'numpy',
]

[project.optional-dependencies]
Serve = ["fastapi", "my-model[tracking]"]
tracking = ["wandb"]
dev = ["pytest"]

[dependency-groups]
docs = ["sphinx", {include-group = "lint"}]
lint = ["ruff"]
"""


def _pyproject(tmp_path: Path, text: str | bytes, groups: list[str]) -> Declarations:
    path = tmp_path / "pyproject.toml"
    (path.write_bytes(text) if isinstance(text, bytes)
     else path.write_text(text, encoding="utf-8"))
    decl = Declarations()
    read_pyproject(str(path), groups, decl)
    return decl


def test_pyproject_dependencies_groups_and_lines(tmp_path: Path) -> None:
    decl = _pyproject(tmp_path, PYPROJECT, ["serve", "docs"])
    assert [(d.name, d.line) for d in decl.deps] == [
        ("torch", 4), ("numpy", 5), ("fastapi", 9), ("wandb", 10), ("ruff", 15),
        ("sphinx", 14)]
    assert decl.problems == []


def test_pyproject_problems(tmp_path: Path) -> None:
    decl = _pyproject(tmp_path, '[project]\nname = "p"\ndynamic = ["dependencies"]\n',
                      ["gpu"])
    assert [p.message.split(";")[0] for p in decl.problems] == [
        "not scanned: [project] dependencies are dynamic (set by the build backend)",
        "not scanned: the policy's group 'gpu' is neither in [project.optional-dependencies] "
        "nor in [dependency-groups]"]
    decl = _pyproject(tmp_path, '[project]\ndependencies = "torch"\n', [])
    assert decl.problems == [FileError(
        str(tmp_path / "pyproject.toml"),
        "'project.dependencies' must be an array of requirement strings")]
    decl = _pyproject(tmp_path, '[project\nname = "x"\n', [])
    assert decl.problems[0].message.startswith("not valid TOML")  # type: ignore[union-attr]
    decl = _pyproject(tmp_path, b'[project]\nname = "\xff"\n', [])
    assert decl.problems[0].message.startswith("not UTF-8")  # type: ignore[union-attr]
    decl = _pyproject(tmp_path, "[tool.black]\nline-length = 100\n", [])
    assert decl.problems[0].severity.value == "note"  # type: ignore[union-attr]


def test_recursive_group_includes_end(tmp_path: Path) -> None:
    text = ('[project]\nname = "p"\n[dependency-groups]\na = ["x", {include-group = "b"}]\n'
            'b = ["y", {include-group = "a"}]\n')
    decl = _pyproject(tmp_path, text, ["a"])
    assert sorted(d.name for d in decl.deps) == ["x", "y"]
