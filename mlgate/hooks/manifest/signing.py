"""`mlgate sign` and `mlgate verify-signature`: OpenSSF model signing, key-based, offline.

Both go through model-signing's public API (`model_signing.signing`, `.verifying`,
`.hashing`; the `signing` extra pins the version) configured as its CLI's
`sign key` / `verify key` are: per-file SHA-256 serialization, git's files left out, the
signature file and the paths the signer chose to leave out (and, when signing a git checkout,
what git ignores) recorded in the bundle. So a bundle made by either tool verifies with the
other.

model-signing reads the model files itself; before handing it a directory, mlgate refuses
what could hang or mislead it (FIFOs, devices, sockets; symlinks unless followed), and the
bundle is written through fileio.atomic_write.
"""

from __future__ import annotations

import ast
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from mlgate import fileio
from mlgate.errors import MlgateError
from mlgate.fileio import printable
from mlgate.policy import Policy
from mlgate.sources.files import display_path

EXTRA = "signing"
KEY_CAP = 1 << 20  # a PEM key is a few hundred bytes
BUNDLE_CAP = 256 << 20  # the bundle lists every file: a few hundred bytes each
MAX_FILES = 5_000_000
_GIT_PATHS = (".git", ".gitattributes", ".github", ".gitignore")  # model-signing's own list


def _library() -> tuple[Any, Any, Any]:
    """model-signing's hashing, signing and verifying modules, or exit 2 naming the extra."""
    try:
        import OpenSSL  # noqa: F401  (model-signing 1.1.1 imports it without declaring it)
        from model_signing import hashing, signing, verifying
    except ImportError as e:
        missing = e.name or "model-signing"
        raise MlgateError(f"signatures need the optional extra '{EXTRA}' ({missing} is not "
                          f"installed): pip install 'mlgate[{EXTRA}]'") from None
    return hashing, signing, verifying


def _shown(path: Path) -> str:
    return printable(display_path(path))


def _check_key(path: Path, what: str) -> None:
    try:
        fileio.read_regular(path, KEY_CAP, what=what)
    except fileio.UnsafeFile as e:
        raise MlgateError(f"{_shown(path)}: cannot read the {what}: {e}") from None


def _model_dir(release_root: Path, model_dir: Path | None) -> Path:
    directory = model_dir if model_dir is not None else release_root
    if not directory.is_dir():
        raise MlgateError(f"{_shown(directory)}: not a directory")
    return directory


def _relative_inside(path: Path, root: Path) -> Path | None:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return None


def _ignored(root: Path, signature: Path, extra: list[str]) -> list[Path]:
    """The paths (relative to `root`) left out of the signature: the configured ones and
    the signature itself when it lies inside the directory."""
    out = [Path(p) for p in extra]
    inside = _relative_inside(signature, root)
    if inside is not None:
        out.append(inside)
    return out


def _git_ignored(root: Path) -> list[Path]:
    """What git ignores in `root` (`.venv/`, `__pycache__/`, checkpoints of a run): not part
    of the release, so left out of the signature — and recorded in the bundle, so that
    model-signing's verifier leaves them out too. Only at signing: a verifier takes the
    recorded list, never the checkout's .gitignore (which the signature does not cover)."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return []
    try:
        inside = subprocess.run([git, "-C", str(root), "rev-parse", "--is-inside-work-tree"],
                                capture_output=True, timeout=120, check=False)
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            return []
        proc = subprocess.run([git, "-C", str(root), "ls-files", "-z", "--others", "--ignored",
                               "--exclude-standard", "--directory", "--", "."],
                              capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MlgateError(f"{_shown(root)}: cannot list what git ignores ({e})") from None
    if proc.returncode != 0:
        raise MlgateError(f"{_shown(root)}: git ls-files failed")
    names = [os.fsdecode(n).rstrip("/") for n in proc.stdout.split(b"\0") if n]
    if len(names) > MAX_FILES:
        raise MlgateError(f"{_shown(root)}: more than {MAX_FILES:,} ignored paths")
    return [Path(n) for n in names if n]


def _special_files(root: Path, ignored: list[Path], follow_symlinks: bool) -> Iterator[str]:
    """Entries of `root` that model-signing must not be handed: what is not a regular file
    or a directory (a FIFO would hang its read), and symlinks unless they are followed."""
    skip = {root / p for p in ignored} | {root / p for p in _GIT_PATHS}
    count = 0
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        dirs[:] = sorted(d for d in dirs if here / d not in skip)
        for name in sorted(files) + [d for d in dirs if os.path.islink(here / d)]:
            count += 1
            if count > MAX_FILES:
                raise MlgateError(f"{_shown(root)}: more than {MAX_FILES:,} files to sign")
            path = here / name
            if path in skip:
                continue
            try:
                st = os.stat(path) if follow_symlinks else os.lstat(path)
            except OSError:
                yield f"{_shown(path)}: a dangling symbolic link"
                continue
            if stat.S_ISLNK(st.st_mode):
                yield (f"{_shown(path)}: a symbolic link (set [manifest] follow-symlinks = "
                       "true to sign its target)")
            elif not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                yield f"{_shown(path)}: not a regular file"


def _refuse_special(root: Path, ignored: list[Path], follow_symlinks: bool) -> None:
    problems = list(_special_files(root, ignored, follow_symlinks))
    for problem in problems[:20]:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise MlgateError(f"{_shown(root)}: {len(problems)} file"
                          f"{'s' if len(problems) > 1 else ''} cannot be signed or verified "
                          "safely")


def _hashing_config(hashing: Any, ignored: list[Path], follow_symlinks: bool) -> Any:
    return (hashing.Config().set_ignored_paths(paths=ignored, ignore_git_paths=True)
            .set_allow_symlinks(follow_symlinks))


def _manifest_problems(policy: Policy) -> list[str]:
    """Why the manifest does not match the tree: the hook's whole-release verification, with
    the policy's severities and baseline applied as for `mlgate manifest verify --all`."""
    from mlgate import manifest_format
    from mlgate.run import default_baseline, run_checks

    location = manifest_format.location(policy)
    if not os.path.lexists(location):
        return [f"{_shown(location)}: no manifest; run `mlgate manifest create` first (or "
                "sign with --no-manifest-check)"]
    result = run_checks(["manifest"], [str(location)], policy, default_baseline(policy, None))
    return [printable(f"{e.path}: {e.message}") for e in result.errors] + \
        [printable(f"{f.path}: {f.rule} {f.message}") for f in result.blocking()]


def sign(policy: Policy, *, private_key: Path, password_env: str | None,
         signature: Path | None, model_dir: Path | None, manifest_check: bool) -> None:
    """Sign `model_dir` with `private_key`; raises MlgateError (exit 2) when it cannot."""
    from mlgate.hooks.manifest.tree import Release

    hashing, signing, _ = _library()
    table = policy.section("manifest")
    release = Release.of(policy)
    root = _model_dir(release.root, model_dir)
    target = signature if signature is not None else release.signature
    _check_key(private_key, "private key")
    password: bytes | None = None
    if password_env:
        text = os.environ.get(password_env)
        if text is None:
            raise MlgateError(f"--password-env: the environment variable {password_env} is "
                              "not set")
        password = os.fsencode(text)  # cryptography takes bytes (model-signing passes it on)
    if manifest_check:
        problems = _manifest_problems(policy)
        for problem in problems[:50]:
            click.echo(f"error: {problem}", err=True)
        if problems:
            raise MlgateError("the manifest does not match the release; not signed (run "
                              "`mlgate manifest create`, or sign with --no-manifest-check)")
    ignored = _ignored(root, target, table["sign-ignore"]) + _git_ignored(root)
    _refuse_special(root, ignored, release.follow_symlinks)
    with tempfile.TemporaryDirectory(prefix="mlgate-sign-") as scratch:
        bundle = Path(scratch) / "model.sig"
        try:
            (signing.Config().use_elliptic_key_signer(private_key=private_key,
                                                      password=password)
             .set_hashing_config(_hashing_config(hashing, ignored, release.follow_symlinks))
             .sign(root, bundle))
        except Exception as e:  # model-signing raises ValueError, TypeError, OSError, ...
            raise MlgateError(f"cannot sign {_shown(root)}: {_reason(e)}") from None
        data = fileio.read_regular(bundle, BUNDLE_CAP, what="signature bundle")
    try:
        fileio.atomic_write(target, data)
    except fileio.UnsafeFile as e:
        raise MlgateError(f"{_shown(target)}: cannot write the signature: {e}") from None
    click.echo(f"signed {_shown(root)}; wrote {_shown(target)}")


def verify(policy: Policy, *, public_key: Path | None, signature: Path | None,
           model_dir: Path | None) -> bool:
    """Verify `model_dir` against a bundle; prints the verdict. False: verification failed
    (exit 1); MlgateError: a usage problem (exit 2)."""
    from mlgate.hooks.manifest.tree import Release

    hashing, _, verifying = _library()
    table = policy.section("manifest")
    release = Release.of(policy)
    root = _model_dir(release.root, model_dir)
    if public_key is None:
        if not table["public-key"]:
            raise MlgateError("give the signer's public key with --public-key, or set "
                              "[manifest] public-key")
        public_key = policy.resolve(table["public-key"])
    _check_key(public_key, "public key")
    bundle = signature if signature is not None else release.signature
    try:
        fileio.read_regular(bundle, BUNDLE_CAP, what="signature bundle")
    except fileio.UnsafeFile as e:
        click.echo(f"verification FAILED: {_shown(bundle)}: {e} (no signature to verify)",
                   err=True)
        return False
    ignored = _ignored(root, bundle, [])
    _refuse_special(root, ignored, release.follow_symlinks)
    try:
        (verifying.Config().use_elliptic_key_verifier(public_key=public_key)
         .set_hashing_config(_hashing_config(hashing, ignored, release.follow_symlinks))
         .verify(root, bundle))
    except Exception as e:  # model-signing raises ValueError and others on any mismatch
        click.echo(f"verification FAILED: {_shown(root)} against {_shown(bundle)}: "
                   f"{_reason(e)}", err=True)
        return False
    click.echo(f"verified: every file of {_shown(root)} matches {_shown(bundle)}, signed by "
               f"the key {_shown(public_key)}")
    return True


def _reason(e: BaseException) -> str:
    """One line saying why model-signing failed (its messages, made readable)."""
    text = " ".join(str(e).split())
    name = type(e).__name__
    if name == "InvalidSignature" or (not text and "Signature" in name):
        return "the signature does not verify with this public key (wrong key, or the " \
               "bundle was altered)"
    if not text:
        return name
    head, sep, listed = text.partition(": [")
    if sep and listed.endswith("]"):  # model-signing prints its list of differences as a list
        try:
            items = ast.literal_eval(f"[{listed}")
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            items = None
        if isinstance(items, list) and all(isinstance(i, str) for i in items):
            text = f"{head}: {'; '.join(items)}"
    return printable(text[:2000])
