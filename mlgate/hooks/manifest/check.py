"""The hook's contract: `check(paths, policy)` (`mlgate manifest verify`).

On a commit pre-commit passes the changed files: each one that is an artifact or listed in
the manifest is hashed and compared with its entry, and every other entry is checked to
exist (no hashing). When the manifest itself is passed (it changed, `--all-files`, or
`mlgate manifest verify --all`) the whole release is verified: every entry hashed, and the
tree searched for artifacts the manifest does not list. Nothing is trusted without hashing:
no size + mtime shortcut, no cache.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from mlgate import fileio, manifest_format
from mlgate.findings import FileError, Finding, Severity, location_fingerprint, not_scanned
from mlgate.hooks.manifest.tree import Release
from mlgate.manifest_format import Manifest, ManifestError, Verdict
from mlgate.policy import Policy
from mlgate.sources.files import display_path

CHECK = "manifest"
_RECREATE = "if the change is intended, run `mlgate manifest create`"


def _finding(rule: str, path: str, message: str, where: str = "",
             severity: Severity = Severity.ERROR) -> Finding:
    return Finding(CHECK, f"{CHECK}/{rule}", severity, path, message,
                   fingerprint=location_fingerprint(f"{CHECK}/{rule}", path, where))


def check(paths: Sequence[str], policy: Policy) -> Iterator[Finding | FileError]:
    release = Release.of(policy)
    manifest_rel = release.rel(release.manifest)
    shown_manifest = display_path(release.manifest)
    full = False
    selected: dict[str, str] = {}  # entry path -> the path as given
    for path in paths:
        rel = release.rel(path)
        if rel is None:
            continue  # outside the release's directory
        if rel == manifest_rel:
            full = True
        elif rel not in release.own_files:
            selected.setdefault(rel, path)
    try:
        raw = fileio.read_regular(release.manifest, manifest_format.MANIFEST_CAP,
                                  what="manifest")
        manifest = manifest_format.parse(raw)
    except fileio.NoSuchFile:
        artifacts = sorted(rel for rel in selected if release.is_artifact(rel))
        if artifacts:
            yield _finding("no-manifest", shown_manifest,
                           f"{len(artifacts)} artifact{'s' if len(artifacts) > 1 else ''} "
                           f"(first: {fileio.printable(artifacts[0])}) but no manifest; "
                           "write one with `mlgate manifest create`")
        return
    except fileio.UnsafeFile as e:
        if full or any(release.is_artifact(rel) for rel in selected):
            yield _finding("invalid", shown_manifest, f"cannot read the manifest: {e}")
        return
    except ManifestError as e:
        if full or any(release.is_artifact(rel) for rel in selected):
            yield _finding("invalid", shown_manifest, f"{e}")
        return
    if full and raw != manifest_format.dumps(manifest.entries):
        yield _finding("not-canonical", shown_manifest,
                       "valid, but not in canonical form (sorted entries, one per line); "
                       "`mlgate manifest create` rewrites it", severity=Severity.WARNING)

    checked: set[str] = set()
    for rel in sorted(selected):
        if rel not in manifest and not release.is_artifact(rel):
            continue  # neither listed nor an artifact: not this hook's business
        given = selected[rel]
        if not os.path.lexists(given):
            yield FileError(display_path(given), "no such file")
            continue
        checked.add(rel)
        yield from _report(release, manifest, rel, display_path(given))
    if not (full or checked):
        return
    for entry in manifest:
        if entry.path in checked:
            continue
        target = release.root / entry.path
        if full:
            yield from _report(release, manifest, entry.path, display_path(target))
        elif not os.path.lexists(target):
            yield _missing(display_path(target))
    if full:
        for rel in release.artifacts_in_tree():
            if rel not in manifest and rel not in checked:
                yield _not_listed(display_path(release.root / rel))


def _missing(shown: str) -> Finding:
    return _finding("missing-file", shown, "listed in the manifest but missing; restore it, "
                    "or run `mlgate manifest create` if it was removed on purpose")


def _not_listed(shown: str) -> Finding:
    return _finding("not-listed", shown, "artifact not listed in the manifest; run "
                    "`mlgate manifest create` to add it")


def _report(release: Release, manifest: Manifest, rel: str,
            shown: str) -> Iterator[Finding | FileError]:
    verdict = manifest_format.verify_file(manifest, release.root, rel,
                                          follow_symlinks=release.follow_symlinks,
                                          max_bytes=release.max_bytes)
    if verdict.status == Verdict.OK:
        return
    if verdict.status == Verdict.NOT_LISTED:
        yield _not_listed(shown)
    elif verdict.status == Verdict.MISSING:
        yield _missing(shown)
    elif verdict.status == Verdict.LFS_POINTER:
        yield not_scanned(CHECK, shown, verdict.detail, severity=Severity.NOTE)
    elif verdict.status == Verdict.CHANGED:
        yield _finding("changed", shown, f"changed since the manifest: {verdict.detail}; "
                       f"{_RECREATE}", where=verdict.actual)
    else:
        yield not_scanned(CHECK, shown, f"{verdict.detail}; its content could not be compared "
                          "with the manifest")
