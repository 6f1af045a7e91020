"""`mlgate demo`: write a small model-release repository with planted problems and check it.

The planted credentials and personal data are made here at run time (mlgate.fakes): they are
valid in form, random, and grant nothing. The demo exits 0 when mlgate found every planted
problem, so it doubles as a smoke test of an installation.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import click

from mlgate.catalog import HOOKS, Hook
from mlgate.policy import Policy
from mlgate.policy import load as load_policy
from mlgate.report import render
from mlgate.run import run_checks


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_demo(root: Path, seed: int | None = None) -> dict[str, set[str]]:
    """Write the demo repository: each hook plants its problems (its `demo.plant`); returns,
    per check, the rules that must be reported."""
    rng = random.Random(seed)
    write_files(root, {
        "README.md": "# demo-llm\n\nA small model release. Run `mlgate demo` to recreate.\n",
        "mlgate.toml": "# mlgate policy: docs/policy.md lists every key\nfail-on = \"error\"\n",
    })
    expected = {hook.check: hook.plant(root, rng) for hook in HOOKS}
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(root)], check=False, capture_output=True)
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=False, capture_output=True)
    return expected


def _passed(hook: Hook, files: list[str]) -> list[str]:
    """The files pre-commit would pass the hook by name (`files`, `exclude`): a hook is not
    shown another hook's binaries."""
    return [f for f in files if (not hook.files or re.search(hook.files, f))
            and not (hook.exclude and re.search(hook.exclude, f))]


def run_demo(directory: Path | None) -> int:
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="mlgate-demo-"))
    elif directory.exists() and any(directory.iterdir()):
        click.echo(f"mlgate demo: {directory} is not empty; give a new directory", err=True)
        return 2
    directory.mkdir(parents=True, exist_ok=True)
    expected = write_demo(directory)
    click.echo(f"Wrote a demo model release with planted problems to {directory}\n")
    files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                   if p.is_file() and ".git" not in p.parts)
    # the policy the demo wrote (hooks' plantings may add tables to it, e.g. [datasets] deny)
    written = directory / "mlgate.toml"
    policy = load_policy(written) if written.exists() else Policy(root=directory)
    missing: list[str] = []
    here = Path.cwd()
    os.chdir(directory)  # report paths relative to the demo repository, as pre-commit would
    try:
        for hook in HOOKS:
            if hook.check not in expected:
                continue
            click.secho(f"$ mlgate {hook.command}  ({hook.id})", bold=True)
            result = run_checks([hook.check], _passed(hook, files), policy)
            click.echo(render(result, "text") or "(nothing found)")
            click.echo()
            found = {f.rule for f in result.findings}
            missing += sorted(expected[hook.check] - found)
    finally:
        os.chdir(here)
    if missing:
        click.echo(f"mlgate demo: these planted problems were NOT found: {', '.join(missing)}",
                   err=True)
        return 1
    click.echo("mlgate found every planted problem; no value was printed in full.\n"
               f"Try it with pre-commit:  cd {directory} && pre-commit try-repo "
               "<path-to-mlgate> --all-files\n"
               "Add the hooks to your own repository: see README.md, 'Use it'.")
    return 0
