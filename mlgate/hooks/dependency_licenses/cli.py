"""`mlgate dependency-licenses`: a command for CI and scheduled scans, not a commit hook
(pre-commit runs hooks in their own environment, not the project's)."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli import common_options, load_policy, run_and_report
from mlgate.errors import MlgateError
from mlgate.fileio import printable

if TYPE_CHECKING:
    from mlgate.policy import Policy


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
@click.option("--list", "list_", is_flag=True,
              help="Print every dependency checked with its version, license, where the "
                   "license came from and the verdict (text or json), instead of findings.")
def command(paths: tuple[str, ...], policy_path: str | None, fmt: str,
            baseline_path: str | None, output: str | None, quiet: bool, project: str | None,
            requirements: tuple[str, ...], environments: tuple[str, ...],
            list_: bool) -> None:
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
    if list_:
        _list(chosen, policy, fmt, output)
    run_and_report([CHECK], chosen, policy, fmt, baseline_path, output, quiet)


def _list(paths: list[str], policy: Policy, fmt: str, output: str | None) -> None:
    import json
    import sys

    from mlgate import __version__
    from mlgate.cli import write_report
    from mlgate.findings import FileError
    from mlgate.hooks.dependency_licenses.check import inventory
    from mlgate.sources.files import display_path

    if fmt == "sarif":
        raise MlgateError("--list prints text or json, not sarif")
    entries, items = inventory(paths, policy)
    errors = [{"path": display_path(e.path), "message": e.message}
              for e in items if isinstance(e, FileError)]
    if fmt == "json":
        text = json.dumps({"schema_version": 1, "tool": {"name": "mlgate",
                                                         "version": __version__},
                           "dependencies": entries, "errors": errors}, indent=2)
    else:
        rows = [("package", "version", "license", "source", "status", "declared")]
        rows += [(str(e["package"]), str(e["version"] or "-"), str(e["license"] or "-"),
                  str(e["source"] or "-"), str(e["status"]),
                  str(e["declared"]) + (f" via {' -> '.join(e['via'])}"  # type: ignore[arg-type]
                                        if e["via"] else "")) for e in entries]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[5]
                 for r in rows]
        lines += [f"{x['path']}: error: {x['message']}" for x in errors]
        text = "\n".join(printable(line) for line in lines)
    if output:
        write_report(output, text)
    else:
        click.echo(text)
    sys.exit(2 if errors else 0)
