"""`mlgate manifest create|verify`, and the top-level `mlgate sign` / `mlgate verify-signature`
(catalog `commands`, provided here in COMMANDS)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mlgate.cli import common_options, load_policy, run_and_report
from mlgate.errors import MlgateError
from mlgate.fileio import printable


@click.group("manifest")
def command() -> None:
    """Integrity manifest of the release's artifacts (artifact-manifest): `create` writes it,
    `verify` (the hook) checks files against it."""


@command.command("create")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
              help="Policy file (default: mlgate.toml or [tool.mlgate] in pyproject.toml).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when the manifest is not up to date.")
def create_cmd(policy_path: str | None, check_only: bool) -> None:
    """Write the manifest of every artifact (the policy's `[manifest] artifacts` globs):
    path, size and SHA-256, sorted, canonical JSON. A second run changes nothing."""
    from mlgate import fileio, manifest_format
    from mlgate.hooks.manifest.create import build
    from mlgate.hooks.manifest.tree import Release

    release = Release.of(load_policy(policy_path))
    target = release.manifest
    built = build(release)
    for rel, problem in built.errors:
        click.echo(printable(f"{_shown(release.root / rel)}: error: {problem}"), err=True)
    if built.errors:
        raise MlgateError(f"{len(built.errors)} artifact{'s' if len(built.errors) > 1 else ''} "
                          f"could not be hashed; {printable(_shown(target))} was not written")
    if built.lfs_pointers:
        click.echo(f"note: {built.lfs_pointers} Git LFS pointer"
                   f"{'s' if built.lfs_pointers > 1 else ''} listed by the oid and size "
                   "they name (content not fetched)", err=True)
    new = manifest_format.dumps(built.entries)
    try:
        old: bytes | None = fileio.read_regular(target, manifest_format.MANIFEST_CAP,
                                                what="manifest")
    except fileio.NoSuchFile:
        old = None
    except fileio.UnsafeFile as e:
        raise MlgateError(f"{printable(_shown(target))}: {e}") from None
    count = f"{len(built.entries)} entr{'y' if len(built.entries) == 1 else 'ies'}"
    if old == new:
        click.echo(f"{printable(_shown(target))} is up to date ({count})")
        return
    if check_only:
        click.echo(f"{printable(_shown(target))} is "
                   f"{'missing' if old is None else 'not up to date'} ({count} in the tree); "
                   "run `mlgate manifest create`", err=True)
        sys.exit(1)
    try:
        fileio.atomic_write(target, new)
    except fileio.UnsafeFile as e:
        raise MlgateError(f"{printable(_shown(target))}: cannot write the manifest: {e}") \
            from None
    click.echo(f"wrote {count} ({built.hashed_bytes:,} bytes hashed) to "
               f"{printable(_shown(target))}")


@command.command("verify")
@common_options
@click.option("--all", "everything", is_flag=True,
              help="Verify the whole release: every entry hashed, the tree searched for "
                   "unlisted artifacts (as when the manifest itself is passed).")
def verify_cmd(paths: tuple[str, ...], policy_path: str | None, fmt: str,
               baseline_path: str | None, output: str | None, quiet: bool,
               everything: bool) -> None:
    """Check artifacts against the manifest (the hook `artifact-manifest`): changed digests,
    missing files, artifacts the manifest does not list."""
    policy = load_policy(policy_path)
    if everything:
        from mlgate.hooks.manifest.tree import Release

        release = Release.of(policy)
        extra = [str(release.manifest)] if os.path.lexists(release.manifest) else \
            [str(release.root / rel) for rel in release.artifacts_in_tree()]
        paths = (*paths, *extra)
    run_and_report(["manifest"], paths, policy, fmt, baseline_path, output, quiet)


def _shown(path: Path) -> str:
    from mlgate.sources.files import display_path

    return display_path(path)


@click.command("sign")
@click.option("--private-key", "private_key", required=True,
              type=click.Path(dir_okay=False),
              help="The EC private key (PEM: P-256, P-384 or P-521).")
@click.option("--password-env", metavar="VAR",
              help="Name of an environment variable holding the key's password.")
@click.option("--signature", type=click.Path(dir_okay=False),
              help="Where to write the bundle (default: the policy's [manifest] signature, "
                   "model.sig).")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False))
@click.option("--no-manifest-check", is_flag=True,
              help="Sign even when the manifest is missing or out of date.")
@click.argument("model_dir", required=False, type=click.Path(file_okay=False))
def sign_cmd(private_key: str, password_env: str | None, signature: str | None,
             policy_path: str | None, no_manifest_check: bool, model_dir: str | None) -> None:
    """Sign the release (OpenSSF model signing, key-based, offline): every file of MODEL_DIR
    (default: the manifest's directory) except git's and `[manifest] sign-ignore`. The
    bundle verifies with `mlgate verify-signature` and `model_signing verify key`."""
    from mlgate.hooks.manifest import signing

    signing.sign(load_policy(policy_path), private_key=Path(private_key),
                 password_env=password_env, signature=Path(signature) if signature else None,
                 model_dir=Path(model_dir) if model_dir else None,
                 manifest_check=not no_manifest_check)


@click.command("verify-signature")
@click.option("--public-key", "public_key", type=click.Path(dir_okay=False),
              help="The signer's EC public key (PEM; default: the policy's [manifest] "
                   "public-key).")
@click.option("--signature", type=click.Path(dir_okay=False),
              help="The bundle (default: the policy's [manifest] signature, model.sig).")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False))
@click.argument("model_dir", required=False, type=click.Path(file_okay=False))
def verify_signature_cmd(public_key: str | None, signature: str | None,
                         policy_path: str | None, model_dir: str | None) -> None:
    """Verify a model-signing bundle (made by `mlgate sign` or `model_signing sign key`):
    exit 0 when every file matches, 1 on a tampered, missing or extra file or a wrong key."""
    from mlgate.hooks.manifest import signing

    ok = signing.verify(load_policy(policy_path),
                        public_key=Path(public_key) if public_key else None,
                        signature=Path(signature) if signature else None,
                        model_dir=Path(model_dir) if model_dir else None)
    sys.exit(0 if ok else 1)


COMMANDS: dict[str, click.Command] = {"sign": sign_cmd, "verify-signature": verify_signature_cmd}
