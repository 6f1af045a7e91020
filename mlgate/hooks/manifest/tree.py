"""The release: where the manifest is, which files are artifacts, and listing them."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mlgate import manifest_format
from mlgate.errors import MlgateError
from mlgate.fileio import printable
from mlgate.policy import Policy
from mlgate.run import ExcludeMatcher

MAX_TREE_FILES = 5_000_000  # files listed in one release tree
_GIT_TIMEOUT = 120.0


@dataclass(frozen=True)
class Release:
    """The `[manifest]` settings of one policy, resolved."""

    manifest: Path  # the manifest file
    root: Path  # the directory entry paths are relative to
    signature: Path
    artifacts: ExcludeMatcher  # the artifact globs (an ExcludeMatcher matches any of them)
    exclude: ExcludeMatcher
    follow_symlinks: bool
    max_bytes: int
    own_files: frozenset[str]  # the manifest and the signature: never artifacts themselves

    @classmethod
    def of(cls, policy: Policy) -> Release:
        table = policy.section("manifest")
        manifest = manifest_format.location(policy)
        signature = policy.resolve(table["signature"])
        own = (manifest_format.relative_to_root(p, manifest.parent) for p in (manifest, signature))
        return cls(manifest=manifest, root=manifest.parent, signature=signature,
                   artifacts=ExcludeMatcher(table["artifacts"]),
                   exclude=ExcludeMatcher(table["exclude"]),
                   follow_symlinks=table["follow-symlinks"], max_bytes=table["max-file-bytes"],
                   own_files=frozenset(r for r in own if r))

    def rel(self, path: str | os.PathLike[str]) -> str | None:
        return manifest_format.relative_to_root(path, self.root)

    def is_artifact(self, rel: str) -> bool:
        return self.artifacts(rel) and not self.exclude(rel) and rel not in self.own_files

    def artifacts_in_tree(self) -> list[str]:
        """The artifact paths of the release tree, sorted: with git, the files git tracks
        or would add (tracked, and untracked but not ignored); else every file, `.git`
        directories left out. Raises MlgateError past MAX_TREE_FILES files."""
        own = self.own_files
        out = {rel for rel in _listing(self.root)
               if rel not in own and self.artifacts(rel) and not self.exclude(rel)}
        return sorted(out)


def _listing(root: Path) -> Iterator[str]:
    listed = _git_listing(root)
    names = listed if listed is not None else _walk(root)
    for count, name in enumerate(names, 1):
        if count > MAX_TREE_FILES:
            raise MlgateError(f"{printable(root)}: more than {MAX_TREE_FILES:,} files in the "
                              "release tree; narrow it with [manifest] exclude")
        yield name


def _git_listing(root: Path) -> list[str] | None:
    git = shutil.which("git")
    if git is None or not root.is_dir():
        return None
    try:
        inside = subprocess.run([git, "-C", str(root), "rev-parse", "--is-inside-work-tree"],
                                capture_output=True, timeout=_GIT_TIMEOUT, check=False)
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            return None
        proc = subprocess.run([git, "-C", str(root), "ls-files", "-z", "--cached", "--others",
                               "--exclude-standard", "--", "."],
                              capture_output=True, timeout=_GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MlgateError(f"{printable(root)}: cannot list the release's files with git "
                          f"({e})") from None
    if proc.returncode != 0:
        message = " ".join(proc.stderr.decode("utf-8", "replace").split())[:200]
        raise MlgateError(f"{printable(root)}: git ls-files failed ({message})")
    # a file in conflict is listed once per stage
    return list(dict.fromkeys(os.fsdecode(n) for n in proc.stdout.split(b"\0") if n))


def _walk(root: Path) -> Iterator[str]:
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        base = Path(directory).relative_to(root)
        for name in files:
            yield (base / name).as_posix()
