"""The one safe way to read a file and the one safe way to write one (docs/architecture.md,
"The rules of the house"). Standard library only; no other mlgate module is imported.

Reading: `read_regular` (the whole file, or an error if it is larger than the cap) and
`read_head` (at most `cap` bytes and the file's size). The file is opened with O_NONBLOCK, so
that a FIFO cannot hang the open, and the *opened* descriptor is checked: anything that is not
a regular file (FIFO, device, socket, directory, whatever a symlink points at) is refused.
The cap bounds what is read; it is never used as a buffer size (a cap of 2**63-1 is fine).

Writing: `atomic_write` writes a temporary file `.{name}.{pid}-{random}.mlgate-tmp` in the
target's directory, fsyncs it and renames it over the target, keeping the target's mode. It
refuses any target that exists and is not a regular file (never replaces a FIFO, a device or a
symlink), removes its temporary file on any exception and on SIGTERM/SIGINT, and sweeps the
temporary files that earlier, killed runs left next to the same target (`sweep_stale`).

Errors are `UnsafeFile` with a user-facing message *without* the path: callers add the path
(`f"{name}: {e}"`) and turn it into their own error type (MlgateError, FileError, SourceError).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, BinaryIO

__all__ = [
    "CHUNK", "TEMP_SUFFIX", "FileTooLarge", "Head", "NoSuchFile", "UnsafeFile", "atomic_write",
    "open_regular", "printable", "read_head", "read_regular", "sweep_stale", "temp_name",
]

CHUNK = 1 << 20  # the largest single read(); the cap never sizes a buffer
TEMP_SUFFIX = ".mlgate-tmp"
# temporary files of writers from before this module (scrub, pii/sources); swept by age only
_LEGACY_SUFFIXES = (".mlgate-scrub",)
STALE_SECONDS = 3600.0  # a temp file untouched this long whose writer is gone is stale
ABANDONED_SECONDS = 86400.0  # untouched this long: stale whatever its pid says (pid reuse)


class UnsafeFile(Exception):
    """A file that cannot be read or written safely; the message is for the user and does not
    name the file (the caller does)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NoSuchFile(UnsafeFile):
    """The path (or what a symlink at it points to) does not exist."""


class FileTooLarge(UnsafeFile):
    """The file holds more than the cap."""

    def __init__(self, message: str, cap: int) -> None:
        super().__init__(message)
        self.cap = cap


def printable(text: str | os.PathLike[str]) -> str:
    """Printable ASCII only, for a file name in a message: a newline, an ANSI escape or an
    undecodable byte (a surrogate escape) becomes a backslash escape, so that a name never
    splits a line or drives the terminal. The same escaping as the text report."""
    text = os.fspath(text)
    if text.isascii() and text.isprintable():
        return text
    return "".join(c if " " <= c <= "~" else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a special file"


def _os_problem(e: OSError, *, verb: str = "read") -> UnsafeFile:
    if e.errno == errno.ENOENT:
        return NoSuchFile("no such file")
    if e.errno == errno.ELOOP:
        return UnsafeFile("symbolic link, not followed")
    if e.errno == errno.EISDIR:
        return UnsafeFile("not a regular file (a directory)")
    return UnsafeFile(f"cannot {verb} ({e.strerror or e})")


def _size(n: int) -> str:
    return f"{n:,} bytes"


def open_regular(path: str | os.PathLike[str], *, follow_symlinks: bool = True) -> BinaryIO:
    """Open a regular file for binary reading, or raise UnsafeFile.

    O_NONBLOCK keeps the open of a FIFO from blocking; the opened descriptor is fstat'ed, so
    what is checked is what is read (no race with a swapped path). Symlinks are followed to a
    regular file unless `follow_symlinks=False` (then a symlink is refused, O_NOFOLLOW).
    A dangling symlink is NoSuchFile. The caller closes the file.
    """
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0))
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):  # where O_NOFOLLOW does not exist
                raise UnsafeFile("symbolic link, not followed")
        except OSError as e:
            raise _os_problem(e) from None
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ENOENT and os.path.islink(path):
            raise NoSuchFile("no such file (a dangling symbolic link)") from None
        raise _os_problem(e) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(f"not a regular file ({_kind(st.st_mode)})")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # ordinary reads from here on
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def _read_upto(fh: IO[bytes], limit: int) -> bytes:
    """At most `limit` bytes, in chunks of at most CHUNK (never a `limit`-sized buffer)."""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        part = fh.read(min(CHUNK, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


@dataclass(frozen=True)
class Head:
    """The first bytes of a file: `data` (at most the cap), the file's `size`, and whether
    there is more than was read (`truncated`)."""

    data: bytes
    size: int
    truncated: bool


def _check_cap(cap: int) -> None:
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 0:
        raise ValueError(f"the cap must be a non-negative integer, not {cap!r}")


def read_head(path: str | os.PathLike[str], cap: int, *, follow_symlinks: bool = True) -> Head:
    """At most `cap` bytes from the start of a regular file, its size, and whether it holds
    more. For the hooks: read the head, then say how much was read. Raises UnsafeFile."""
    _check_cap(cap)
    with open_regular(path, follow_symlinks=follow_symlinks) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            data = _read_upto(fh, cap)
            more = len(data) == cap and bool(fh.read(1))  # the size may lie (/proc, growth)
        except OSError as e:
            raise _os_problem(e) from None
    return Head(data, max(size, len(data) + more), more)


def read_regular(path: str | os.PathLike[str], cap: int, *, what: str = "file",
                 follow_symlinks: bool = True) -> bytes:
    """The whole content of a regular file of at most `cap` bytes. Raises UnsafeFile (not a
    regular file, cannot read), NoSuchFile, or FileTooLarge (more than `cap` bytes); `what`
    names the kind of file in the message ("policy file", "baseline")."""
    _check_cap(cap)
    with open_regular(path, follow_symlinks=follow_symlinks) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            if size > cap:
                raise FileTooLarge(f"{what} too large ({_size(size)}; the limit is "
                                   f"{_size(cap)})", cap)
            data = _read_upto(fh, cap)
            if len(data) == cap and fh.read(1):
                raise FileTooLarge(f"{what} too large (more than the limit of {_size(cap)})",
                                   cap)
        except OSError as e:
            raise _os_problem(e) from None
    return data


# --------------------------------------------------------------------------- writing


def temp_name(target_name: str) -> str:
    """The name of a temporary file for `target_name`: `.{name}.{pid}-{random}.mlgate-tmp`."""
    return f".{target_name}.{os.getpid()}-{os.urandom(4).hex()}{TEMP_SUFFIX}"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else (or cannot tell: keep the file)
    return True


def _temp_pid(entry: str, prefix: str) -> int | None:
    """The pid embedded in one of our temp names, or None (a legacy or foreign name)."""
    middle = entry[len(prefix):-len(TEMP_SUFFIX)]
    pid, dash, rand = middle.partition("-")
    if dash and pid.isdigit() and rand:
        return int(pid)
    return None


def sweep_stale(directory: str | os.PathLike[str], name: str, *,
                max_age: float = STALE_SECONDS, now: float | None = None) -> list[Path]:
    """Remove the temporary files that killed writers left for the target `name` in
    `directory`; returns what was removed.

    A temp file is stale when it has not been written to for `max_age` seconds (a writer
    that is alive keeps touching it) and the pid in its name is not a live process — or when
    it has not been touched for a day whatever its pid says (pids are reused). A concurrent
    writer's file is never removed: it is fresh, and its pid is alive. Legacy temp names
    without a pid (`.NAME.XXXX.mlgate-scrub`) are swept by age alone. Only regular files
    owned by this user are removed; errors are ignored (a sweep never fails a write).
    """
    now = time.time() if now is None else now
    prefix = f".{name}."
    removed: list[Path] = []
    try:
        entries = os.listdir(directory)
    except OSError:
        return removed
    for entry in entries:
        if not entry.startswith(prefix):
            continue
        ours = entry.endswith(TEMP_SUFFIX) and len(entry) > len(prefix) + len(TEMP_SUFFIX)
        legacy = any(entry.endswith(s) and len(entry) > len(prefix) + len(s)
                     for s in _LEGACY_SUFFIXES)
        if not (ours or legacy):
            continue
        p = Path(directory, entry)
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            continue
        age = now - st.st_mtime
        pid = _temp_pid(entry, prefix) if ours else None
        if age > ABANDONED_SECONDS or (age > max_age and (pid is None or not _pid_alive(pid))):
            with contextlib.suppress(OSError):
                os.unlink(p)
                removed.append(p)
    return removed


class _Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGINT", None),
                             getattr(signal, "SIGHUP", None)) if s is not None)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """For the duration: SIGTERM, SIGINT and SIGHUP raise _Interrupted (so that the temporary
    file is removed), then the previous handlers are restored. Only the main thread may set
    handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Interrupted(signum)

    old: dict[int, Any] = {}
    try:
        for s in _SIGNALS:
            old[s] = signal.signal(s, handler)
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _target_problem(target: Path) -> tuple[os.stat_result | None, UnsafeFile | None]:
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None, None
    except OSError as e:
        return None, _os_problem(e, verb="write")
    if stat.S_ISLNK(st.st_mode):
        return st, UnsafeFile("symbolic link, not replaced (write to the file it points to)")
    if not stat.S_ISREG(st.st_mode):
        return st, UnsafeFile(f"not a regular file ({_kind(st.st_mode)}), not replaced")
    return st, None


def _default_mode() -> int:
    if not hasattr(os, "umask"):
        return 0o666
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(target: str | os.PathLike[str], data: bytes | Callable[[BinaryIO], None], *,
                 keep_mode_of: str | os.PathLike[str] | None = None) -> None:
    """Replace `target` with `data` (bytes, or a function that writes to a binary file)
    atomically: a reader sees the old content or the new one, never a part.

    Refused (UnsafeFile) when `target` exists and is not a regular file — a FIFO, a device,
    a directory or a symlink (to anything) is never replaced. The new file gets the mode of
    the existing target, else of `keep_mode_of` (the input a rewrite was made from), else
    0666 minus the umask. The temporary file is fsynced, renamed into place, and removed on
    any exception and on SIGTERM/SIGINT/SIGHUP (the signal is then re-delivered to the
    previous handler, so the process still ends as it would have). Stale temporary files
    of the same target are swept first (`sweep_stale`). OS errors become UnsafeFile.
    """
    target = Path(target)
    directory = target.parent
    st, problem = _target_problem(target)
    if problem is not None:
        raise problem
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
    elif keep_mode_of is not None:
        try:
            mode = stat.S_IMODE(os.stat(keep_mode_of).st_mode)
        except OSError:
            mode = _default_mode()
    else:
        mode = _default_mode()
    sweep_stale(directory, target.name)
    tmp = directory / temp_name(target.name)
    interrupted: int | None = None
    with _signals_raise():
        try:
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
                             | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except OSError as e:
                raise _os_problem(e, verb="write") from None
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.raw.name = str(tmp)  # type: ignore[attr-defined]  # re-read by path (scrub)
                    if callable(data):
                        data(fh)
                    else:
                        fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, mode)
                # checked again just before the rename: a FIFO put there meanwhile is kept
                _, problem = _target_problem(target)
                if problem is not None:
                    raise problem
                os.replace(tmp, target)
            except OSError as e:
                raise _os_problem(e, verb="write") from None
            with contextlib.suppress(OSError, AttributeError):
                dfd = os.open(directory, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
        except _Interrupted as e:
            interrupted = e.signum
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    if interrupted is not None:  # the previous handler (restored above) decides what happens
        signal.raise_signal(interrupted)
        raise UnsafeFile("interrupted")  # a handler that returned: the write did not happen
