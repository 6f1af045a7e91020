"""`mlgate pii`: the check (the default command) and `scrub`."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli import DefaultCommandGroup, common_options, load_policy, run_and_report
from mlgate.errors import MlgateError
from mlgate.fileio import printable


@click.group("pii", cls=DefaultCommandGroup)
def command() -> None:
    """Find personal data in data samples (pii-in-data-samples); `scrub` removes it."""


@command.command("check")
@common_options
@click.option("--deep", is_flag=True,
              help="Deep mode: in-text context words and NER (slower; used by full scans).")
def pii_check(paths: tuple[str, ...], policy_path: str | None, fmt: str,
              baseline_path: str | None, output: str | None, quiet: bool, deep: bool) -> None:
    """Check data samples for PII (the default: `mlgate pii [PATHS]`)."""
    policy = load_policy(policy_path)
    if deep:
        from mlgate.hooks.pii.config import require_the_extra

        policy = policy.with_overrides("pii", deep=True)
        require_the_extra(policy.section("pii"), "--deep")
    run_and_report(["pii"], paths, policy, fmt, baseline_path, output, quiet)


@command.command("scrub")
@click.argument("source", type=click.Path(dir_okay=False, exists=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Where to write the copy.")
@click.option("--in-place", is_flag=True, help="Replace SOURCE atomically.")
@click.option("--mode", type=click.Choice(["tag", "pseudonym"]), default="tag",
              show_default=True,
              help="tag: <EMAIL_ADDRESS>; pseudonym: consistent stand-ins (keyed hash; set "
                   "MLGATE_SCRUB_KEY to keep them stable across runs), so joins still work.")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False))
def pii_scrub(source: str, output: str | None, in_place: bool, mode: str,
              policy_path: str | None) -> None:
    """Write a copy of SOURCE with the PII replaced, keeping its format."""
    if bool(output) == in_place:
        raise MlgateError("pii scrub: give exactly one of --output FILE or --in-place")
    from mlgate.hooks.pii.scrub import scrub_file

    target = Path(source) if in_place else Path(output or "")
    count = scrub_file(Path(source), target, load_policy(policy_path), mode=mode)
    if count == 0 and in_place:
        click.echo(f"{printable(source)}: no PII found; unchanged")
    else:
        click.echo(f"{printable(source)}: replaced {count} PII value(s); wrote "
                   f"{printable(target)}")
