"""Shared helpers of the benchmarks: pre-commit-style batching, timing, formatting.

Nothing here is imported by mlgate; the scripts in bench/ put this directory on sys.path
simply by being run as `python bench/<script>.py`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
OUT = BENCH / "out"  # gitignored: generated corpora and raw results
VENV_BIN = Path(sys.executable).parent

# pre-commit's xargs caps a command line at min(ARG_MAX - 2048 - environment, 2**17) bytes
# on POSIX (pre_commit/xargs.py, _get_platform_max_length); we batch the same way.
PRE_COMMIT_MAX_LENGTH = 2**17


def tool(name: str) -> str:
    """The console script `name` of the interpreter's environment (the venv)."""
    path = VENV_BIN / name
    return str(path) if path.exists() else name


def command_length(cmd: Sequence[str]) -> int:
    return sum(len(os.fsencode(part)) + 1 for part in cmd)


def partition(cmd: Sequence[str], files: Sequence[str],
              max_length: int = PRE_COMMIT_MAX_LENGTH) -> list[list[str]]:
    """Split `cmd + files` into command lines of at most `max_length` bytes, in order, as
    pre-commit's xargs does (without its per-CPU split: we time one process at a time)."""
    batches: list[list[str]] = []
    current: list[str] = []
    base = command_length(cmd)
    length = base
    for f in files:
        n = len(os.fsencode(f)) + 1
        if current and length + n > max_length:
            batches.append([*cmd, *current])
            current, length = [], base
        current.append(f)
        length += n
    if current:
        batches.append([*cmd, *current])
    return batches


@dataclass
class Run:
    seconds: float
    stdout: str
    returncodes: list[int] = field(default_factory=list)


def run_batches(batches: Sequence[Sequence[str]], cwd: Path, env: dict[str, str] | None = None
                ) -> Run:
    """Run the command lines one after the other; wall time of them all, output joined."""
    out: list[str] = []
    codes: list[int] = []
    start = time.perf_counter()
    for argv in batches:
        p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True,
                           text=True, check=False)
        out.append(p.stdout)
        codes.append(p.returncode)
        if p.returncode not in (0, 1):
            raise SystemExit(f"{argv[0]} exited {p.returncode}:\n{p.stderr[-2000:]}")
    seconds = time.perf_counter() - start
    return Run(seconds, "".join(out), codes)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def tree_size(root: Path, files: Sequence[str]) -> int:
    return sum((root / f).stat().st_size for f in files)


def list_files(root: Path) -> list[str]:
    """Every file under `root`, repo-relative with `/`, sorted (what `--all-files` passes)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def git_state() -> dict[str, object]:
    """The commit measured, and files of the package that differ from it (editable install)."""
    def git(*args: str) -> str:
        p = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                           check=False)
        return p.stdout.strip()

    return {"head": git("rev-parse", "--short", "HEAD"),
            "uncommitted_package_files": git("status", "--porcelain", "--", "mlgate")
            .splitlines()}


def machine() -> dict[str, object]:
    return {
        "git": git_state(),
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1min_at_end": os.getloadavg()[0],
    }


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def save_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
