"""The artifact manifest: its file format, hashing, and where the policy puts it.

Shared by the `artifact-manifest` hook (`mlgate manifest create|verify`) and by any check that
needs to know whether a file is covered by the manifest (unsafe-serialization: the modules a
Hugging Face `auto_map` names). Light to import: standard library and mlgate.fileio only.

The format (docs/hooks/artifact-manifest.md, "Manifest format") is canonical JSON:

    {
      "version": 1,
      "entries": [
        {"path": "model.safetensors", "size": 1234, "sha256": "<64 lowercase hex>"},
        ...
      ]
    }

Entry paths are relative to the directory that holds the manifest (`manifest_root`), with
`/` separators, no `.`/`..`/empty parts, valid UTF-8 and no control characters; entries are
sorted by path (code point order, which is UTF-8 byte order) and unique. `dumps` is the one
rendering: writing the same entries twice gives the same bytes.

API (every problem with the manifest file is a `ManifestError` whose message does not name
the file; callers add `printable(path)`):

    location(policy) -> Path                     where the policy puts the manifest
    manifest_root(policy) -> Path                the directory its entry paths are relative to
    load(path) -> Manifest                       read (capped) and validate strictly
    parse(raw) -> Manifest                       validate bytes
    dumps(entries) -> bytes / write(path, entries)   canonical rendering / atomic write
    hash_file(path, ...) -> (size, sha256 hex)   streamed, raises fileio.UnsafeFile
    lfs_pointer(path) -> (size, sha256) | None   the content a Git LFS pointer names
    verify_file(manifest, root, relpath, ...) -> Verdict   is this file covered and unchanged?
    covered(policy, path, manifest=None) -> Verdict         the same, all from the policy
    Manifest.get(relpath) / relpath in manifest  listed or not (no hashing)
    relative_to_root(path, root) -> str | None   a path as an entry path (None: outside root)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mlgate import fileio

if TYPE_CHECKING:
    from mlgate.policy import Policy

__all__ = [
    "DEFAULT_MAX_FILE_BYTES", "Entry", "MANIFEST_CAP", "MAX_ENTRIES", "Manifest",
    "ManifestError", "ManifestMissing", "VERSION", "Verdict", "covered", "dumps",
    "entry_path_problem", "lfs_pointer",
    "hash_file", "load", "location", "manifest_root", "parse", "relative_to_root",
    "verify_file", "write",
]

VERSION = 1
MANIFEST_CAP = 64 << 20  # bytes read of a manifest: far more entries than a release has
MAX_ENTRIES = 500_000
MAX_PATH_CHARS = 4096
DEFAULT_MAX_FILE_BYTES = 1 << 40  # an artifact larger than this is not hashed (fail closed)
_BUFFER = 1 << 20  # one readinto() per MiB: hashlib releases the GIL and runs at memory speed
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LFS_POINTER_MAX = 1024  # git-lfs: a pointer file is smaller than this
# the spec's layout: `version` first, other keys sorted (extensions before `oid`, `size` after)
_LFS_POINTER = re.compile(rb"version https://git-lfs\.github\.com/spec/v1\n"
                          rb"(?:ext-[0-9]-[a-z0-9-]+ [^\n]*\n)*"
                          rb"oid sha256:([0-9a-f]{64})\nsize (0|[1-9][0-9]{0,18})\n")


class ManifestError(Exception):
    """The manifest cannot be read or is not a valid manifest; the message does not name the
    file (the caller does)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ManifestMissing(ManifestError):
    """There is no manifest at the path."""


@dataclass(frozen=True, order=True)
class Entry:
    path: str  # relative to the manifest's directory, `/`-separated
    size: int
    sha256: str  # 64 lowercase hex digits


@dataclass(frozen=True)
class Manifest:
    """Validated entries, sorted by path and unique."""

    entries: tuple[Entry, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {e.path: e for e in self.entries})

    def get(self, path: str) -> Entry | None:
        by_path: dict[str, Entry] = self.__dict__["_by_path"]
        return by_path.get(path)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)


# --------------------------------------------------------------------------- policy


def location(policy: Policy) -> Path:
    """The manifest file the policy names (`[manifest] file`, relative to the policy root)."""
    return policy.resolve(policy.section("manifest")["file"])


def manifest_root(policy: Policy) -> Path:
    """The directory entry paths are relative to: the one holding the manifest."""
    return location(policy).parent


def relative_to_root(path: str | os.PathLike[str], root: Path) -> str | None:
    """`path` (relative to the working directory, or absolute) as an entry path relative to
    `root`, or None when it lies outside `root`. Symlinks in the last part are not resolved
    (the entry names the link, as git does)."""
    p = Path(os.path.abspath(path))
    parent = Path(os.path.realpath(p.parent))
    try:
        rel = (parent / p.name).relative_to(Path(os.path.realpath(root)))
    except ValueError:
        return None
    text = rel.as_posix()
    return None if text in ("", ".") else text


# --------------------------------------------------------------------------- format


def entry_path_problem(path: str) -> str | None:
    """Why `path` cannot be an entry path, or None."""
    if not path:
        return "an empty path"
    if len(path) > MAX_PATH_CHARS:
        return f"a path longer than {MAX_PATH_CHARS} characters"
    if _CONTROL.search(path):
        return "a path with a control character"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "a path that is not valid UTF-8"
    if "\\" in path:
        return "a path with a backslash (entry paths use '/')"
    if path.startswith("/") or re.match(r"[A-Za-z]:", path):
        return "an absolute path (entry paths are relative to the manifest's directory)"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "a path with an empty, '.' or '..' part"
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {json.dumps(k)[:80]}")
        out[k] = v
    return out


def parse(raw: bytes) -> Manifest:
    """A manifest from its bytes, strictly validated; raises ManifestError saying what is
    wrong (and for an entry, which one)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ManifestError(f"not a valid manifest (not UTF-8: {e.reason} at byte "
                            f"{e.start})") from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates,
                         parse_constant=_reject_constant)
    except RecursionError:
        raise ManifestError("not a valid manifest (nested too deeply)") from None
    except ValueError as e:  # JSONDecodeError, duplicate keys, NaN, huge integers
        raise ManifestError(f"not a valid manifest ({e})") from None
    if not isinstance(doc, dict):
        raise ManifestError("not a valid manifest (expected a JSON object)")
    unknown = sorted(set(doc) - {"version", "entries"})
    if unknown:
        raise ManifestError(f"not a valid manifest (unknown key {json.dumps(unknown[0])[:80]}; "
                            "expected 'version' and 'entries')")
    version = doc.get("version")
    if type(version) is not int:
        raise ManifestError("not a valid manifest ('version' must be an integer)")
    if version != VERSION:
        raise ManifestError(f"unsupported manifest version {version} (this mlgate reads "
                            f"version {VERSION})")
    items = doc.get("entries")
    if not isinstance(items, list):
        raise ManifestError("not a valid manifest ('entries' must be a list)")
    if len(items) > MAX_ENTRIES:
        raise ManifestError(f"too many entries ({len(items):,}; the limit is {MAX_ENTRIES:,})")
    entries: list[Entry] = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        entries.append(_entry(item, i, seen))
    entries.sort()
    return Manifest(tuple(entries))


def _entry(item: object, i: int, seen: set[str]) -> Entry:
    def bad(problem: str) -> ManifestError:
        return ManifestError(f"not a valid manifest (entry {i}: {problem})")

    if not isinstance(item, dict):
        raise bad("expected an object with 'path', 'size' and 'sha256'")
    keys = set(item)
    if keys != {"path", "size", "sha256"}:
        missing = sorted({"path", "size", "sha256"} - keys)
        extra = sorted(keys - {"path", "size", "sha256"})
        raise bad(f"missing key '{missing[0]}'" if missing else
                  f"unknown key {json.dumps(extra[0])[:80]}")
    path, size, digest = item["path"], item["size"], item["sha256"]
    if not isinstance(path, str):
        raise bad("'path' must be a string")
    problem = entry_path_problem(path)
    if problem:
        raise bad(f"'path' is {problem}")
    shown = fileio.printable(path[:200])
    if path in seen:
        raise bad(f"{shown} is listed twice")
    seen.add(path)
    if type(size) is not int or size < 0:
        raise bad(f"'size' of {shown} must be a non-negative integer")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise bad(f"'sha256' of {shown} must be 64 lowercase hexadecimal digits")
    return Entry(path, size, digest)


def load(path: str | os.PathLike[str]) -> Manifest:
    """Read and validate the manifest at `path` (a regular file, symlinks followed, at most
    MANIFEST_CAP bytes). Raises ManifestMissing when there is none, ManifestError else."""
    try:
        raw = fileio.read_regular(path, MANIFEST_CAP, what="manifest")
    except fileio.NoSuchFile as e:
        raise ManifestMissing(str(e)) from None
    except fileio.UnsafeFile as e:
        raise ManifestError(f"cannot read the manifest: {e}") from None
    return parse(raw)


def dumps(entries: Iterable[Entry]) -> bytes:
    """The canonical rendering: sorted, one entry per line, ASCII only, `\\n` line ends."""
    rows = sorted(entries)
    for a, b in zip(rows, rows[1:], strict=False):
        if a.path == b.path:
            raise ValueError(f"duplicate entry {a.path!r}")
    lines = [
        f'    {{"path": {json.dumps(e.path)}, "size": {e.size}, "sha256": "{e.sha256}"}}'
        for e in rows]
    body = ",\n".join(lines)
    return (f'{{\n  "version": {VERSION},\n  "entries": [\n'
            + (body + "\n" if body else "") + "  ]\n}\n").encode("ascii")


def write(path: str | os.PathLike[str], entries: Iterable[Entry]) -> None:
    """Write the canonical manifest atomically (fileio.atomic_write; raises UnsafeFile)."""
    fileio.atomic_write(path, dumps(entries))


# --------------------------------------------------------------------------- hashing


class TooLarge(fileio.FileTooLarge):
    """The file is larger than the hashing cap."""


def hash_file(path: str | os.PathLike[str], *, follow_symlinks: bool = False,
              max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> tuple[int, str]:
    """(bytes read, SHA-256 hex) of a regular file, streamed through one reused buffer.

    Refuses (fileio.UnsafeFile) what fileio.open_regular refuses — FIFOs, devices,
    directories, and symlinks unless `follow_symlinks` — and raises TooLarge for a file of
    more than `max_bytes` (checked before reading, and again while reading a file that grows).
    """
    with fileio.open_regular(path, follow_symlinks=follow_symlinks) as fh:
        raw = cast(io.RawIOBase, fh)  # unbuffered: readinto() fills the buffer in place
        try:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise TooLarge(f"too large to hash ({size:,} bytes; the limit is "
                               f"{max_bytes:,} bytes)", max_bytes)
            h = hashlib.sha256()
            buf = bytearray(min(_BUFFER, max(size, 1 << 16)))
            view = memoryview(buf)
            total = 0
            while True:
                n = raw.readinto(buf)
                if not n:
                    break
                total += n
                if total > max_bytes:
                    raise TooLarge(f"too large to hash (more than {max_bytes:,} bytes)", max_bytes)
                h.update(view[:n] if n < len(buf) else buf)
        except OSError as e:
            raise fileio.UnsafeFile(f"cannot read ({e.strerror or e})") from None
    return total, h.hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What `verify_file` found: `status` is one of OK, NOT_LISTED, MISSING, CHANGED,
    UNREADABLE, LFS_POINTER; `detail` says how (sizes, a read error), without any file
    content."""

    status: str
    detail: str = ""
    entry: Entry | None = None
    actual: str = ""  # for CHANGED: the file's SHA-256, or its size when it was not hashed

    OK = "ok"
    NOT_LISTED = "not-listed"
    MISSING = "missing"
    CHANGED = "changed"
    UNREADABLE = "unreadable"
    LFS_POINTER = "lfs-pointer"

    @property
    def ok(self) -> bool:
        return self.status == self.OK


def lfs_pointer(path: str | os.PathLike[str], *,
                follow_symlinks: bool = False) -> tuple[int, str] | None:
    """(size, SHA-256) of the content a Git LFS pointer file stands for, or None when the
    file is not a pointer. git-lfs checks that a fetched object hashes to the pointer's oid,
    so a pointer names its content exactly; the content itself is not here."""
    try:
        head = fileio.read_head(path, LFS_POINTER_MAX, follow_symlinks=follow_symlinks)
    except fileio.UnsafeFile:
        return None
    if head.truncated:
        return None
    m = _LFS_POINTER.fullmatch(head.data)
    return (int(m.group(2)), m.group(1).decode("ascii")) if m else None


def verify_file(manifest: Manifest, root: Path, relpath: str, *,
                follow_symlinks: bool = False,
                max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Verdict:
    """Whether the file at entry path `relpath` under `root` is listed and unchanged.

    The content is always hashed for an OK (size and mtime are never trusted for a verdict);
    a size that differs from the entry's is CHANGED without reading the file. A Git LFS
    pointer whose oid and size are the entry's is LFS_POINTER (the listed content, not
    fetched: not OK, since it was not hashed here); a pointer to other content is CHANGED."""
    entry = manifest.get(relpath)
    if entry is None:
        return Verdict(Verdict.NOT_LISTED)
    target = root / relpath
    if not os.path.lexists(target):
        return Verdict(Verdict.MISSING, "no such file", entry)
    try:
        st = os.stat(target) if follow_symlinks else os.lstat(target)
        regular = stat.S_ISREG(st.st_mode)
        if regular and st.st_size < LFS_POINTER_MAX and st.st_size != entry.size:
            pointer = lfs_pointer(target, follow_symlinks=follow_symlinks)
            if pointer is not None:
                return _pointer_verdict(pointer, entry)
        if regular and st.st_size != entry.size:
            return Verdict(Verdict.CHANGED, f"size {st.st_size:,} bytes, the manifest says "
                           f"{entry.size:,}", entry, f"size:{st.st_size}")
        size, digest = hash_file(target, follow_symlinks=follow_symlinks, max_bytes=max_bytes)
    except fileio.NoSuchFile as e:
        return Verdict(Verdict.MISSING, str(e), entry)
    except fileio.UnsafeFile as e:
        return Verdict(Verdict.UNREADABLE, str(e), entry)
    except OSError as e:
        return Verdict(Verdict.UNREADABLE, f"cannot read ({e.strerror or e})", entry)
    if size == entry.size and digest == entry.sha256:
        return Verdict(Verdict.OK, "", entry)
    if size < LFS_POINTER_MAX:
        pointer = lfs_pointer(target, follow_symlinks=follow_symlinks)
        if pointer is not None:
            return _pointer_verdict(pointer, entry)
    if size != entry.size:
        return Verdict(Verdict.CHANGED, f"size {size:,} bytes, the manifest says "
                       f"{entry.size:,}", entry, digest)
    return Verdict(Verdict.CHANGED, "SHA-256 differs (same size)", entry, digest)


def _pointer_verdict(pointer: tuple[int, str], entry: Entry) -> Verdict:
    size, oid = pointer
    if (size, oid) == (entry.size, entry.sha256):
        return Verdict(Verdict.LFS_POINTER, "a Git LFS pointer to the listed content (oid and "
                       "size match; the content is not fetched: `git lfs pull` to hash it)",
                       entry)
    return Verdict(Verdict.CHANGED, f"a Git LFS pointer to other content (oid "
                   f"{'matches' if oid == entry.sha256 else 'differs'}, size {size:,} bytes, "
                   f"the manifest says {entry.size:,})", entry, f"lfs:{oid}:{size}")


def covered(policy: Policy, path: str | os.PathLike[str],
            manifest: Manifest | None = None) -> Verdict:
    """Whether the file at `path` (relative to the working directory, or absolute) is listed
    in the policy's manifest and unchanged, hashed with the policy's `[manifest]` settings.

    `manifest`: the policy's manifest, already loaded (load it once for many files). No
    manifest, or a path outside the manifest's directory, is NOT_LISTED with the reason in
    `detail`; an invalid manifest raises ManifestError."""
    if manifest is None:
        try:
            manifest = load(location(policy))
        except ManifestMissing:
            return Verdict(Verdict.NOT_LISTED, f"there is no manifest "
                           f"({fileio.printable(policy.section('manifest')['file'])})")
    root = manifest_root(policy)
    rel = relative_to_root(path, root)
    if rel is None:
        return Verdict(Verdict.NOT_LISTED, "outside the manifest's directory")
    table = policy.section("manifest")
    return verify_file(manifest, root, rel, follow_symlinks=table["follow-symlinks"],
                       max_bytes=table["max-file-bytes"])
