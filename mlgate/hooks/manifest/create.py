"""`mlgate manifest create`: the entries of the release's artifacts, hashed."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlgate import fileio, manifest_format
from mlgate.hooks.manifest.tree import Release
from mlgate.manifest_format import Entry


@dataclass
class Built:
    entries: list[Entry] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (entry path, problem)
    hashed_bytes: int = 0
    lfs_pointers: int = 0  # listed by the oid and size they name (content not fetched)


def build(release: Release) -> Built:
    """Hash every artifact of the release tree. A file that cannot be an entry (a symlink
    when they are not followed, a FIFO, too large, a name that is not UTF-8) is an error:
    the caller writes nothing then, so that a manifest never silently leaves one out.
    A Git LFS pointer is listed with the size and SHA-256 of the content it names (its oid),
    so that a checkout without the LFS objects writes the same manifest."""
    out = Built()
    for rel in release.artifacts_in_tree():
        problem = manifest_format.entry_path_problem(rel)
        if problem:
            out.errors.append((rel, f"cannot be listed: {problem}"))
            continue
        try:
            size, digest = manifest_format.hash_file(release.root / rel,
                                                     follow_symlinks=release.follow_symlinks,
                                                     max_bytes=release.max_bytes)
        except fileio.UnsafeFile as e:
            hint = "; set [manifest] follow-symlinks = true to hash its target" \
                if "symbolic link" in str(e) else ""
            out.errors.append((rel, f"{e}{hint}"))
            continue
        out.hashed_bytes += size
        if size < manifest_format.LFS_POINTER_MAX:
            pointer = manifest_format.lfs_pointer(release.root / rel,
                                                  follow_symlinks=release.follow_symlinks)
            if pointer is not None:  # git-lfs guarantees the content hashes to the oid
                size, digest = pointer
                out.lfs_pointers += 1
        out.entries.append(Entry(rel, size, digest))
    return out
