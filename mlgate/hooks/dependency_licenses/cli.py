"""`mlgate dependency-licenses`: a command for CI and scheduled scans, not a commit hook
(pre-commit runs hooks in their own environment, not the project's)."""

from __future__ import annotations

import glob
from pathlib import Path

import click

from mlgate.cli import common_options, load_policy, run_and_report
from mlgate.errors import MlgateError
from mlgate.fileio import printable


@click.command("dependency-licenses")
@common_options
@click.option("--project", type=click.Path(file_okay=False), default=None,
              help="The project directory whose pyproject.toml and requirements files are "
                   "read when no paths are given (default: the policy's directory).")
@click.option("--requirement", "-r", "requirements", multiple=True,
              type=click.Path(dir_okay=False),
              help="A requirements file to read (repeatable; whatever its name).")
@click.option("--env", "environments", multiple=True, type=click.Path(),
              help="A virtual environment or sys.path directory whose installed "
                   "distributions are read (repeatable; default: the policy's `environment`, "
                   "else the environment mlgate runs in).")
def command(paths: tuple[str, ...], policy_path: str | None, fmt: str,
            baseline_path: str | None, output: str | None, quiet: bool, project: str | None,
            requirements: tuple[str, ...], environments: tuple[str, ...]) -> None:
    """Check the licenses of the project's declared Python dependencies (and what they
    require) against the policy's [licenses] lists, from the installed distributions'
    metadata, offline. With no PATHS: pyproject.toml and the [dependency-licenses]
    requirements files of the project directory. Paths of findings are the files that
    declare the dependency."""
    from mlgate.hooks.dependency_licenses.check import CHECK, default_paths
    from mlgate.run import policy_relative

    policy = load_policy(policy_path)
    section = policy.section(CHECK)
    explicit = [*paths, *requirements]
    if project is not None and not Path(project).is_dir():
        raise MlgateError(f"{printable(project)}: --project must be a directory")
    chosen = explicit or default_paths(policy, Path(project) if project else None)
    if not chosen:
        where = printable(project or policy.root)
        raise MlgateError(f"{where}: no pyproject.toml and no requirements files "
                          f"({', '.join(section['requirements']) or 'none'}); give the files "
                          "to read or --requirement FILE")
    overrides: dict[str, object] = {}
    named = [glob.escape(policy_relative(p, policy)) for p in explicit
             if Path(p).name != "pyproject.toml"]
    if named:  # files given by name are read whatever their name
        overrides["requirements"] = [*section["requirements"], *named]
    if environments:
        overrides["environment"] = [str(Path(e).resolve()) for e in environments]
    if overrides:
        policy = policy.with_overrides(CHECK, **overrides)
    run_and_report([CHECK], chosen, policy, fmt, baseline_path, output, quiet)
