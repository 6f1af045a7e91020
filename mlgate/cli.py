"""The `mlgate` command. Hook modules and heavy libraries are imported inside the commands
that use them, so `mlgate --help` and every hook start fast."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from mlgate import __version__
from mlgate.catalog import HOOKS, Hook
from mlgate.errors import MlgateError


class DefaultCommandGroup(click.Group):
    """A group whose arguments go to its default command unless they name a subcommand:
    `mlgate pii data.csv` checks files, `mlgate pii scrub IN -o OUT` scrubs one."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] [PATHS]... | COMMAND [ARGS]...")


def common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
                     help="Policy file (default: mlgate.toml or [tool.mlgate] in "
                          "pyproject.toml, walking up)."),
        click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]),
                     default="text", show_default=True, help="Output format."),
        click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
                     help="Baseline file (default: the policy's `baseline`, "
                          ".mlgate-baseline.json)."),
        click.option("--output", "-o", "output", type=click.Path(dir_okay=False),
                     help="Write the report to this file instead of standard output."),
        click.option("--quiet", "-q", is_flag=True,
                     help="Print only blocking findings and errors."),
        click.argument("paths", nargs=-1, type=click.Path()),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def load_policy(policy_path: str | None) -> Any:
    from mlgate import policy

    return policy.load(Path(policy_path)) if policy_path else policy.discover()


def run_and_report(checks: Sequence[str], paths: Sequence[str], policy: Any, fmt: str,
                   baseline_path: str | None, output: str | None, quiet: bool) -> None:
    from mlgate.report import render
    from mlgate.run import default_baseline, run_checks

    if not paths:
        sys.exit(0)  # pre-commit passed nothing: nothing to check
    result = run_checks(checks, paths, policy, default_baseline(policy, baseline_path))
    if quiet and fmt == "text":
        result.findings = result.blocking()
    text = render(result, fmt)
    if output:
        write_report(output, text)
    elif text:
        click.echo(text)
    sys.exit(result.exit_code)


def write_report(output: str, text: str) -> None:
    """Write a report file atomically, onto a regular file only (never a FIFO or device)."""
    from mlgate.fileio import UnsafeFile, atomic_write, printable

    try:
        atomic_write(output, (text + "\n").encode("utf-8", "surrogateescape"))
    except UnsafeFile as e:
        raise MlgateError(f"{printable(output)}: cannot write the report: {e}") from None


def hook_command(hook: Hook) -> click.Command:
    """The default command of a hook: `mlgate <command> [common options] [PATHS]...`."""

    @click.command(hook.command, help=f"{hook.description} ({hook.id})")
    @common_options
    def command(paths: tuple[str, ...], policy_path: str | None, fmt: str,
                baseline_path: str | None, output: str | None, quiet: bool) -> None:
        run_and_report([hook.check], paths, load_policy(policy_path), fmt, baseline_path,
                       output, quiet)
    return command


class CatalogGroup(click.Group):
    """The `mlgate` group: the core's commands, and one per catalog hook, each made (and its
    module imported) only when it is run or listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(h.command for h in HOOKS),
                       *(c for h in HOOKS for c in h.commands)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        extra = next((h for h in HOOKS if name in h.commands), None)
        if extra is not None:
            provided: click.Command = extra.part("cli").COMMANDS[name]
            return provided
        hook = next((h for h in HOOKS if h.command == name), None)
        if hook is None:
            return super().get_command(ctx, name)
        if hook.cli:
            command: click.Command = hook.part("cli").command
            return command
        return hook_command(hook)


@click.group(cls=CatalogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlgate")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Privacy and safety checks for open-source ML model releases.

    Each hook command checks the files it is given (pre-commit passes them) and exits
    0 (nothing blocking), 1 (blocking findings) or 2 (usage, policy or internal error).
    """
    ctx.obj = {"debug": debug}


@cli.command("baseline")
@click.option("--check", "checks", multiple=True,
              type=click.Choice([h.check for h in HOOKS]),
              help="Checks to baseline (default: all).")
@click.option("--reason", default="", help="Why these findings are accepted (recorded).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Baseline file (default: the policy's `baseline`).")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, type=click.Path())
def baseline_cmd(checks: tuple[str, ...], reason: str, output: str | None,
                 policy_path: str | None, paths: tuple[str, ...]) -> None:
    """Record current findings in .mlgate-baseline.json so they stop blocking.

    With no PATHS, every file tracked by git is checked. Entries keep their reason and
    author when the baseline is rewritten; an entry without a reason is reported as a warning.
    """
    from mlgate.baseline import write_baseline
    from mlgate.fileio import printable

    policy = load_policy(policy_path)
    target = Path(output) if output else policy.resolve(policy["baseline"])
    count, without_reason, errors = write_baseline(policy, target, list(checks), list(paths),
                                                   reason)
    click.echo(f"wrote {count} entr{'y' if count == 1 else 'ies'} to {printable(target)}")
    if without_reason:
        click.echo(f"warning: {without_reason} entr{'y has' if without_reason == 1 else 'ies have'}"
                   " no reason; give one with --reason or edit the file")
    for e in errors:  # files that could not be checked: named, and the exit code is 2
        click.echo(printable(f"{e.path}: error: {e.message}"), err=True)
    if errors:
        click.echo(f"error: {len(errors)} file{'' if len(errors) == 1 else 's'} could not be "
                   "checked; their existing entries are kept", err=True)
        sys.exit(2)


@cli.command("demo")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def demo_cmd(directory: str | None) -> None:
    """Write a small demo release repository with planted problems and check it."""
    from mlgate.demo import run_demo

    sys.exit(run_demo(Path(directory) if directory else None))


@cli.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--license", "license_id", metavar="SPDX",
              help="The license in the SPDX headers of the files written (default: "
                   "pyproject.toml's [project] license, else a placeholder to fill in).")
@click.option("--copyright", "holder", metavar="HOLDER",
              help="The copyright holder in those headers (default: a placeholder).")
def init_cmd(directory: str | None, license_id: str | None, holder: str | None) -> None:
    """Write a starter policy, release checklist, risk register, audit report template and
    the hooks' starter files into DIRECTORY (default: here); never overwrite a file."""
    from mlgate.fileio import printable
    from mlgate.init import init, precommit_snippet

    root = Path(directory or ".")
    result = init(root, license_id, holder)
    for rel in result.written:
        click.echo(f"wrote {printable(root / rel)}")
    for rel, why in result.skipped:
        click.echo(f"skipped {printable(root / rel)} ({why})")
    for problem in result.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo("\nAdd mlgate's hooks to .pre-commit-config.yaml:\n")
    click.echo(precommit_snippet(), nl=False)
    if any("FILL" in (root / rel).read_text(encoding="utf-8", errors="replace")
           for rel in result.written if (root / rel).is_file()):
        click.echo("\nThen fill in the placeholders (FILL IN, FILL-IN-SPDX-LICENSE) of the "
                   "files written; see docs/init.md.")
    sys.exit(2 if result.problems else 0)


@cli.command("hooks")
def hooks_cmd() -> None:
    """List the hooks this version provides."""
    for h in HOOKS:
        click.echo(f"{h.id:24} {h.entry:18} {h.description}")


def _printable(text: str) -> str:
    from mlgate.fileio import printable

    return printable(text)


def _dash_path_hint(e: click.NoSuchOption, args: Sequence[str]) -> str:
    """For `mlgate secrets -dash.py`: click reads `-d` as an option. Suggest `--`, which ends
    the options, when the argument is a file or looks like a file name."""
    import os
    import shlex

    name = e.option_name
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith(name) and arg.startswith("-") and (
                os.path.lexists(arg) or "." in arg or "/" in arg):
            fixed = " ".join(shlex.quote(a) for a in ["mlgate", *args[:i], "--", *args[i:]])
            return (f"To check a file whose name starts with '-', put '--' before the paths: "
                    f"{_printable(fixed)}")
    return ""


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="mlgate", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(2)
    except MlgateError as e:
        click.echo(_printable(f"Error: {e}"), err=True)
        sys.exit(e.exit_code)
    except click.NoSuchOption as e:
        hint = _dash_path_hint(e, args)
        # click's message ends with a full stop
        (click.UsageError(f"{e.message} {hint}", ctx=e.ctx) if hint else e).show()
        sys.exit(2)
    except click.ClickException as e:
        e.show()
        sys.exit(2)  # usage and file-argument problems alike
    except SystemExit:
        raise
    except Exception as e:  # an internal error: one line, the traceback only with --debug
        if "--debug" in args:
            raise
        message = " ".join(str(e).split())  # one line, whatever the exception says
        click.echo(f"mlgate: internal error: {type(e).__name__}: {message}", err=True)
        sys.exit(2)
    sys.exit(0)


if __name__ == "__main__":
    main()
