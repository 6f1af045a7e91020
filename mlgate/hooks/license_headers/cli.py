"""`mlgate license-headers [--fix]`: the check, and the safe fix before it."""

from __future__ import annotations

import sys

import click

from mlgate.cli import common_options, load_policy, run_and_report


@click.command("license-headers")
@common_options
@click.option("--fix", is_flag=True,
              help="Add a header (or a .license sidecar) with the policy's default-license "
                   "and copyright-holder to files that lack one; exit 1 when files changed.")
def command(paths: tuple[str, ...], policy_path: str | None, fmt: str,
            baseline_path: str | None, output: str | None, quiet: bool, fix: bool) -> None:
    """Check SPDX license headers as REUSE 3.3 defines them (spdx-license-headers)."""
    policy = load_policy(policy_path)
    modified = False
    if fix and paths:
        from mlgate.hooks.license_headers.fix import fix_files

        report = fix_files(paths, policy)
        for line in report.modified:
            click.echo(f"fixed {line}", err=True)
        for line in report.skipped:
            click.echo(line, err=True)
        modified = bool(report.modified)
    try:
        run_and_report(["license-headers"], paths, policy, fmt, baseline_path, output, quiet)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 2
        # pre-commit's "files were modified by this hook": a fix run that wrote exits 1
        sys.exit(1 if modified and code == 0 else code)
